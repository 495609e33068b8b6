package service_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sms"
	"github.com/opencube/opencube/sqlite"
)

const (
	ent   = "ENT"
	iccid = "8986000000000000001"
	phone = "8613800000001"
)

// clock is a fake clock that only moves when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is an SMS service on a SQLite file with one enterprise and one
// SIM, and a worker that runs its jobs when told.
type fixture struct {
	t      *testing.T
	path   string
	store  *sqlite.DB
	clock  *clock
	gw     opencube.SMSGateway
	svc    *service.SMS
	worker *service.Worker
	ctx    context.Context
}

func newFixture(t *testing.T, gw func(*clock) opencube.SMSGateway) *fixture {
	f := &fixture{t: t, path: filepath.Join(t.TempDir(), "db"), clock: &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}
	f.ctx = opencube.NewContext(t.Context(), ent)
	f.gw = gw(f.clock)
	f.open()
	if err := f.store.CreateEnterprise(f.ctx, &opencube.Enterprise{AccessCode: ent, Name: "E", Secrets: []string{"s"}, CreatedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	sims := []*opencube.SIM{{ICCID: iccid, IMSI: "460010000000001", MSISDN: phone, EnterpriseCode: ent, Status: opencube.SIMActive, CreatedAt: f.clock.Now()}}
	if err := f.store.CreateSIMs(f.ctx, sims); err != nil {
		t.Fatal(err)
	}
	return f
}

// open opens (or reopens, as a restarted node would) the store and wires
// the service and a worker on it.
func (f *fixture) open() {
	db, err := sqlite.Open(f.ctx, f.path, seal.Demo())
	if err != nil {
		f.t.Fatal(err)
	}
	f.store = db
	f.t.Cleanup(func() { db.Close() })
	f.svc = service.NewSMS(db, f.clock, f.gw)
	f.worker = service.NewWorker(db, f.clock, "node")
	f.worker.Handlers = f.svc.Handlers()
}

// restart closes the store and opens it again with a new service.
func (f *fixture) restart() {
	if err := f.store.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.open()
}

// run runs the due jobs.
func (f *fixture) run() {
	f.t.Helper()
	if _, err := f.worker.RunOnce(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) get(id string) *opencube.SMS {
	f.t.Helper()
	ms, _, err := f.store.FindSMS(f.ctx, opencube.SMSFilter{Enterprise: ent})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == id {
			return m
		}
	}
	f.t.Fatalf("SMS %s not found", id)
	return nil
}

func (f *fixture) send(content string) *opencube.SMS {
	f.t.Helper()
	m, err := f.svc.SendSMS(f.ctx, opencube.SendSMSRequest{ICCID: iccid, Content: content})
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// events returns the types and data of the enterprise's SMS events.
func (f *fixture) reports() []string {
	f.t.Helper()
	evs, err := f.store.FindEvents(f.ctx, ent)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Type)+" "+e.Data)
	}
	return out
}

func sandbox(c *clock) opencube.SMSGateway {
	g := sms.NewSandbox(c)
	g.Delay = 3 * time.Second
	return g
}

func TestSandboxDelivers(t *testing.T) {
	f := newFixture(t, sandbox)
	g := f.gw.(*sms.Sandbox)
	m := f.send("wake up")
	if m.State != opencube.SMSQueued || m.Encoding != "gsm7" || m.Segments != 1 {
		t.Fatalf("sent %+v", m)
	}
	f.run()
	if got := f.get(m.ID); got.State != opencube.SMSSent || got.SentAt == nil || got.GatewayID != "sandbox-"+m.ID {
		t.Fatalf("after the send job: %+v", got)
	}
	f.run() // the device's delivery is not due yet
	if got := f.get(m.ID); got.State != opencube.SMSSent {
		t.Fatalf("delivered before the delay: %+v", got)
	}
	f.clock.Advance(3 * time.Second)
	f.run()
	got := f.get(m.ID)
	if got.State != opencube.SMSDelivered || got.DeliveredAt == nil || !got.DeliveredAt.Equal(f.clock.Now()) {
		t.Fatalf("after the delay: %+v", got)
	}
	if g.Sent(m.ID) != 1 {
		t.Errorf("sent %d times", g.Sent(m.ID))
	}
	want := []string{`sms_report {"sms_id":"` + m.ID + `","status":"success","state":"delivered"}`}
	if got := f.reports(); len(got) != 1 || got[0] != want[0] {
		t.Errorf("events %q, want %q", got, want)
	}

	// A device told to fail reports the next message failed.
	g.SetFailDeliveries(true)
	m2 := f.send("again")
	f.run()
	f.clock.Advance(3 * time.Second)
	f.run()
	if got := f.get(m2.ID); got.State != opencube.SMSFailed || got.FailedAt == nil {
		t.Fatalf("failing device: %+v", got)
	}
}

// TestGatewayDown: a message acknowledged while the gateway is down is
// retried with back-off and, once it is back, sent exactly once.
func TestGatewayDown(t *testing.T) {
	f := newFixture(t, sandbox)
	g := f.gw.(*sms.Sandbox)
	g.SetDown(true)
	m := f.send("hello")
	for i := 0; i < 4; i++ {
		f.run()
		got := f.get(m.ID)
		if got.State != opencube.SMSQueued || got.SubmittingAt != nil || got.Attempts != i+1 || got.Error == "" {
			t.Fatalf("attempt %d while down: %+v", i+1, got)
		}
		f.run() // backing off: not due again yet
		if got := f.get(m.ID); got.Attempts != i+1 {
			t.Fatalf("retried before its back-off: %+v", got)
		}
		f.clock.Advance(time.Minute)
	}
	g.SetDown(false)
	f.run()
	f.run()
	f.clock.Advance(time.Hour)
	f.run()
	f.run()
	if got := f.get(m.ID); got.State != opencube.SMSDelivered || got.Attempts != 5 || got.Error != "" {
		t.Fatalf("after the gateway came back: %+v", got)
	}
	if n := g.Sent(m.ID); n != 1 {
		t.Errorf("sent %d times, want once", n)
	}
}

// TestRestartBeforeSend: a message acknowledged by one node and sent after
// a restart is sent once.
func TestRestartBeforeSend(t *testing.T) {
	f := newFixture(t, sandbox)
	m := f.send("survive")
	f.restart()
	f.run()
	f.run()
	f.clock.Advance(time.Minute)
	f.run()
	f.restart()
	f.run()
	if got := f.get(m.ID); got.State != opencube.SMSDelivered {
		t.Fatalf("after restarts: %+v", got)
	}
	if n := f.gw.(*sms.Sandbox).Sent(m.ID); n != 1 {
		t.Errorf("sent %d times, want once", n)
	}
}

// doubtful is a gateway that takes messages but loses its answers (a
// timeout after the gateway took the message), while lose is set.
type doubtful struct {
	mu   sync.Mutex
	lose bool
	sent map[string]int
}

func (d *doubtful) Name() string { return "doubtful" }

func (d *doubtful) Send(_ context.Context, m *opencube.SMS) (*opencube.SMSAcceptance, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sent[m.ID]++
	if d.lose {
		return nil, errors.New("read tcp: i/o timeout")
	}
	return &opencube.SMSAcceptance{ID: "gw-" + m.ID}, nil
}

// TestInDoubt: a hand-over whose answer was lost is not repeated while a
// delivery report may still settle it; a report settles it for good, and
// only without one is the message sent again, after DoubtWindow.
func TestInDoubt(t *testing.T) {
	d := &doubtful{lose: true, sent: map[string]int{}}
	f := newFixture(t, func(*clock) opencube.SMSGateway { return d })
	window := f.svc.DoubtWindow

	// A report arrives: no second hand-over.
	m := f.send("one")
	f.run()
	if got := f.get(m.ID); got.State != opencube.SMSQueued || got.SubmittingAt == nil {
		t.Fatalf("after a lost answer: %+v", got)
	}
	f.restart() // the node stops; its successor must not resend at once
	f.svc.DoubtWindow = window
	f.run()
	f.clock.Advance(window / 2)
	f.run()
	if d.sent[m.ID] != 1 {
		t.Fatalf("resent within the doubt window: %d", d.sent[m.ID])
	}
	if err := f.svc.Report(f.ctx, m.ID, opencube.SMSOutcomeDelivered, ""); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(window)
	f.run()
	if got := f.get(m.ID); got.State != opencube.SMSDelivered || d.sent[m.ID] != 1 {
		t.Fatalf("after the report: %+v, sent %d", got, d.sent[m.ID])
	}

	// No report: sent again once the window has passed (at least once).
	m2 := f.send("two")
	f.run()
	d.lose = false
	f.clock.Advance(window)
	f.run()
	if got := f.get(m2.ID); got.State != opencube.SMSSent || d.sent[m2.ID] != 2 || got.GatewayID != "gw-"+m2.ID {
		t.Fatalf("without a report: %+v, sent %d", got, d.sent[m2.ID])
	}
	f.run()
	if d.sent[m2.ID] != 2 {
		t.Fatalf("sent again after acceptance: %d", d.sent[m2.ID])
	}
}

func TestLimitsAndValidation(t *testing.T) {
	f := newFixture(t, sandbox)
	f.svc.DailyLimit = 2
	f.svc.MaxSegments = 2
	for _, c := range []struct {
		name string
		r    opencube.SendSMSRequest
		kind opencube.Kind
	}{
		{"no device", opencube.SendSMSRequest{Content: "x"}, opencube.KindInvalid},
		{"empty", opencube.SendSMSRequest{ICCID: iccid}, opencube.KindInvalid},
		{"bad hex", opencube.SendSMSRequest{ICCID: iccid, Content: "xyz", Type: opencube.SMSBinary}, opencube.KindInvalid},
		{"unknown SIM", opencube.SendSMSRequest{ICCID: "8986000000000000999", Content: "x"}, opencube.KindDeviceNotFound},
		{"3 segments", opencube.SendSMSRequest{ICCID: iccid, Content: string(make([]byte, 307))}, opencube.KindSMSTooLong},
	} {
		if _, err := f.svc.SendSMS(f.ctx, c.r); opencube.ErrorKind(err) != c.kind {
			t.Errorf("%s: %v, want kind %s", c.name, err, c.kind)
		}
	}
	b, err := f.svc.SendSMS(f.ctx, opencube.SendSMSRequest{ICCID: iccid, Content: "DE AD be ef", Type: opencube.SMSBinary})
	if err != nil || b.Content != "deadbeef" || b.Encoding != "binary" || b.Segments != 1 {
		t.Fatalf("binary: %+v, %v", b, err)
	}
	f.send("second")
	if _, err := f.svc.SendSMS(f.ctx, opencube.SendSMSRequest{ICCID: iccid, Content: "third"}); opencube.ErrorKind(err) != opencube.KindSMSDailyLimit {
		t.Errorf("third of the day: %v", err)
	}
	// The next UTC+8 day (the fixture starts at 11:04 UTC+8).
	f.clock.Advance(13 * time.Hour)
	f.send("next day")
}

func TestExpiry(t *testing.T) {
	f := newFixture(t, sandbox)
	f.gw.(*sms.Sandbox).SetDown(true)
	m := f.send("too late")
	f.clock.Advance(f.svc.Validity)
	f.run()
	f.run()
	got := f.get(m.ID)
	if got.State != opencube.SMSExpired || got.ExpiredAt == nil {
		t.Fatalf("after its validity: %+v", got)
	}
	f.gw.(*sms.Sandbox).SetDown(false)
	f.clock.Advance(time.Hour)
	f.run()
	if n := f.gw.(*sms.Sandbox).Sent(m.ID); n != 0 {
		t.Errorf("an expired message was sent %d times", n)
	}
}

func TestReceiveMO(t *testing.T) {
	f := newFixture(t, sandbox)
	for _, r := range []opencube.MORequest{
		{From: iccid, Content: "hi 你好"},
		{From: "+" + phone, Content: "01FF", Type: opencube.SMSBinary},
	} {
		m, err := f.svc.ReceiveMO(f.ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if m.Direction != opencube.SMSMO || m.State != opencube.SMSDelivered || m.ICCID != iccid || m.EnterpriseCode != ent {
			t.Errorf("MO %+v", m)
		}
	}
	got := f.reports()
	want := []string{
		`sms_mo {"sms_id":"`, `sms_mo {"sms_id":"`,
	}
	if len(got) != 2 || got[0][:len(want[0])] != want[0] {
		t.Fatalf("events %q", got)
	}
	if _, err := f.svc.ReceiveMO(f.ctx, opencube.MORequest{From: "123", Content: "x"}); opencube.ErrorKind(err) != opencube.KindDeviceNotFound {
		t.Errorf("unknown sender: %v", err)
	}
}
