package sms

import (
	"context"
	"sync"
	"time"

	"github.com/opencube/opencube"
)

// DefaultSandboxDelay is how long after accepting a message the sandbox
// device reports it delivered.
const DefaultSandboxDelay = 2 * time.Second

// Sandbox is the sandbox device: a Gateway that takes every message (unless
// told the gateway is down) and delivers it Delay later, through a
// opencube.JobSandboxSMS job written with the acceptance, so that the
// delivery survives a restart and follows the (sandbox) clock. It can be
// told to fail: Down makes hand-overs fail (opencube.ErrSMSNotSent), FailDeliveries
// makes the device report messages undeliverable.
type Sandbox struct {
	Clock opencube.Clock
	Delay time.Duration

	mu             sync.Mutex
	down           bool
	failDeliveries bool
	sent           map[string]int
}

// NewSandbox returns a sandbox device on clock.
func NewSandbox(clock opencube.Clock) *Sandbox {
	return &Sandbox{Clock: clock, Delay: DefaultSandboxDelay, sent: map[string]int{}}
}

// Name implements Gateway.
func (g *Sandbox) Name() string { return "sandbox" }

// SetDown makes the gateway refuse (down) or take (up) messages.
func (g *Sandbox) SetDown(down bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.down = down
}

// SetFailDeliveries makes the device report the messages it takes from
// now on as failed (or, with false, delivered).
func (g *Sandbox) SetFailDeliveries(fail bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failDeliveries = fail
}

// State returns whether the gateway is down and whether deliveries fail.
func (g *Sandbox) State() (down, failDeliveries bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.down, g.failDeliveries
}

// Sent returns how many times message id was handed to this gateway.
func (g *Sandbox) Sent(id string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sent[id]
}

// Send implements Gateway.
func (g *Sandbox) Send(_ context.Context, m *opencube.SMS) (*opencube.SMSAcceptance, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.down {
		return nil, opencube.ErrSMSNotSent
	}
	if g.sent == nil {
		g.sent = map[string]int{}
	}
	g.sent[m.ID]++
	outcome := opencube.SMSOutcomeDelivered
	if g.failDeliveries {
		outcome = opencube.SMSOutcomeFailed
	}
	clock := g.Clock
	if clock == nil {
		clock = opencube.SystemClock
	}
	return &opencube.SMSAcceptance{ID: "sandbox-" + m.ID, FollowUp: &opencube.Job{
		ID: opencube.NewUUID(), Kind: opencube.JobSandboxSMS, Key: m.ID,
		RunAt: clock.Now().Add(g.Delay), Payload: []byte(outcome),
	}}, nil
}
