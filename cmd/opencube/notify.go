package main

import (
	"context"
	"flag"
	"fmt"
	"sync"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/notify"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/shop"
)

// notifyConfig holds the notification settings and parts of a Main.
type notifyConfig struct {
	// Sandbox makes the server clock movable (POST /admin/v1/clock/advance),
	// its offset stored in the database; --demo implies it.
	Sandbox bool
	// Concurrency bounds the deliveries in flight on this node.
	Concurrency int
	// Interval is how often the node looks for due deliveries; 0 runs none
	// (tests then call Main.Notify.Worker.RunOnce themselves).
	Interval time.Duration
	// Timeout bounds one delivery attempt.
	Timeout time.Duration
	// Retention is how long finished deliveries (and their attempts) are
	// kept; 0 keeps them for good.
	Retention time.Duration
	// ClockRefresh is how often a sandbox node reads the stored clock
	// offset again (service.DefaultClockRefresh, 1 s, when 0).
	ClockRefresh time.Duration

	// Wired at Run.
	Notifier *notify.Notifier
	Worker   *service.Worker
	// Clock is the sandbox clock, nil outside sandbox mode.
	Clock   *service.SandboxClock
	sandbox *sandbox
}

// defaultNotify is the notification settings of NewMain.
func defaultNotify() notifyConfig {
	return notifyConfig{Concurrency: 64, Interval: 100 * time.Millisecond, Timeout: notify.DefaultTimeout, Retention: 30 * 24 * time.Hour}
}

// define adds the notification flags to fs.
func (c *notifyConfig) define(fs *flag.FlagSet) {
	fs.BoolVar(&c.Sandbox, "sandbox", c.Sandbox, "sandbox mode: the admin API can move the server clock forward (implied by --demo)")
	fs.IntVar(&c.Concurrency, "notify-concurrency", c.Concurrency, "webhook deliveries in flight at once on this node")
	fs.DurationVar(&c.Interval, "notify-interval", c.Interval, "how often to look for due webhook deliveries (0: never)")
	fs.DurationVar(&c.Timeout, "notify-timeout", c.Timeout, "timeout of one webhook delivery attempt")
	fs.DurationVar(&c.Retention, "delivery-retention", c.Retention, "how long finished webhook deliveries and their attempts are kept (0: for good)")
}

// check validates the notification flags.
func (c *notifyConfig) check() error {
	if c.Concurrency < 1 {
		return fmt.Errorf("serve: --notify-concurrency must be at least 1")
	}
	if c.Retention < 0 {
		return fmt.Errorf("serve: --delivery-retention must not be negative")
	}
	return nil
}

// setupClock puts the sandbox clock in front of m.Clock in sandbox mode,
// at the offset stored in the database (D27: kept across restarts, shared
// by the nodes on the database); it runs before the services are made, so
// that they all take it. Outside sandbox mode the stored offset is not
// used: a server is warned when it finds one.
func (m *Main) setupClock(ctx context.Context) error {
	if !m.Notify.Sandbox && !m.Demo {
		if d, err := m.Store.ClockOffset(ctx); err == nil && d > 0 {
			m.Logger.Warn("the database's sandbox clock runs ahead, but this server is not in sandbox mode: it runs on real time", "offset", d)
		}
		return nil
	}
	c := service.NewSandboxClock(m.Clock, m.Store)
	c.Logger = m.Logger
	if err := c.Load(ctx); err != nil {
		return fmt.Errorf("read the sandbox clock: %w", err)
	}
	if d := c.Offset(); d > 0 {
		m.Logger.Info("sandbox clock runs ahead", "offset", d, "now", c.Now().Format(time.RFC3339))
	}
	m.Notify.Clock = c
	m.Clock = c
	return nil
}

// realClock is the real clock: the sandbox clock's base in sandbox mode,
// m.Clock otherwise. Signed timestamps (CSSS timestamp, Mall tradeTime,
// Stripe-Signature t=), the webhook-timestamp header and node leases keep
// to it (D27); business times take m.Clock.
func (m *Main) realClock() opencube.Clock {
	if m.Notify.Clock != nil {
		return m.Notify.Clock.Base
	}
	return m.Clock
}

// runClock reads the stored sandbox offset again every ClockRefresh, beside
// the other background loops, so that a move made on another node reaches
// this one within that time.
func (m *Main) runClock(ctx context.Context, wg *sync.WaitGroup) {
	c := m.Notify.Clock
	if c == nil {
		return
	}
	m.goLoop(wg, "sandbox clock", func() error {
		c.Run(ctx, m.Notify.ClockRefresh)
		return nil
	})
}

// purgeEvery is how often finished deliveries past their retention are
// purged.
const purgeEvery = time.Hour

// startNotify wires deliveries and alerts: the delivery worker, the expiry
// alert handler, and the sandbox. It runs once the services exist.
func (m *Main) startNotify() {
	c := &m.Notify
	c.Notifier = notify.New(m.Store, m.Clock)
	c.Notifier.Timeout = c.Timeout
	c.Notifier.Logger = m.Logger
	c.Worker = service.NewWorker(m.Store, m.Clock, m.Owner)
	c.Worker.Lease = nodeLease
	c.Worker.Logger = m.Logger
	c.Worker.Concurrency = c.Concurrency
	c.Worker.Batch = c.Concurrency
	c.Worker.Handlers[opencube.JobDeliver] = c.Notifier.Deliver
	c.Worker.Prepare[opencube.JobDeliver] = c.Notifier.Prepare
	m.Worker.Handlers[opencube.JobExpiryAlert] = m.Services.Orders.ExpiryAlert
	if c.Retention > 0 {
		m.Worker.Handlers[opencube.JobPurgeDeliveries] = m.Services.Notify.PurgeDeliveries(c.Retention, purgeEvery)
	}
	if c.Clock != nil {
		// The webhook-timestamp header keeps the real time, which receivers
		// check theirs against; payloads carry the service clock's times.
		c.Notifier.HeaderClock = c.Clock.Base
		c.sandbox = &sandbox{clock: c.Clock, store: m.Store, workers: []*service.Worker{m.Worker, c.Worker}}
	}
}

// runNotify starts the delivery loop beside the other background loops.
func (m *Main) runNotify(ctx context.Context, wg *sync.WaitGroup) {
	if m.Notify.Interval <= 0 {
		return
	}
	m.goLoop(wg, "webhook deliveries", func() error {
		m.Notify.Worker.Run(ctx, m.Notify.Interval)
		return nil
	})
}

// wakeStore is a Store whose successful order, usage, SMS and Mall
// transactions (the ones that write events) wake
// the delivery loop.
type wakeStore struct {
	service.Store
	wake func()
	// release wakes the delivery and SMS loops after an enterprise
	// changed: enabling one makes its held deliveries and messages due.
	release func()
}

// UpdateEnterprise implements operator.ChangeStore.
func (s wakeStore) UpdateEnterprise(ctx context.Context, accessCode string, now time.Time, fn func(e *opencube.Enterprise) error) (*opencube.Enterprise, error) {
	e, err := s.Store.UpdateEnterprise(ctx, accessCode, now, fn)
	if err == nil && s.release != nil {
		s.release()
	}
	return e, err
}

// UpdateOrders implements opencube.OrderStore.
func (s wakeStore) UpdateOrders(ctx context.Context, fn func(tx opencube.OrderTx) error) error {
	err := s.Store.UpdateOrders(ctx, fn)
	if err == nil {
		s.wake()
	}
	return err
}

// UpdateUsage implements opencube.UsageStore.
func (s wakeStore) UpdateUsage(ctx context.Context, fn func(tx opencube.UsageTx) error) error {
	err := s.Store.UpdateUsage(ctx, fn)
	if err == nil {
		s.wake()
	}
	return err
}

// UpdateSMS implements opencube.SMSStore.
func (s wakeStore) UpdateSMS(ctx context.Context, fn func(tx opencube.SMSTx) error) error {
	err := s.Store.UpdateSMS(ctx, fn)
	if err == nil {
		s.wake()
	}
	return err
}

// UpdateMall implements shop.ShopStore.
func (s wakeStore) UpdateMall(ctx context.Context, fn func(tx shop.MallTx) error) error {
	err := s.Store.UpdateMall(ctx, fn)
	if err == nil {
		s.wake()
	}
	return err
}
