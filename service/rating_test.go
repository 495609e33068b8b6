package service_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/opencube/opencube"
	"github.com/opencube/opencube/postgres"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sqlite"
)

// ratingT0 is 2024-03-01 23:50 UTC+8, ten minutes before a UTC+8 midnight.
var ratingT0 = time.Date(2024, 3, 1, 23, 50, 0, 0, opencube.BusinessZone)

// ratingFixture is a SQLite store with one enterprise, an ordinary and an
// OTA SIM, and a service whose clock tests set.
type ratingFixture struct {
	svc   *service.Set
	store service.Store
	now   time.Time
	ctx   context.Context
	sim   *opencube.SIM
	ota   *opencube.SIM
	plan  int
}

func newRatingFixture(t *testing.T) *ratingFixture {
	t.Helper()
	// SQLite, or PostgreSQL with OPENCUBE_E2E_STORE=postgres (as the
	// end-to-end tests).
	var store service.Store
	var err error
	if os.Getenv("OPENCUBE_E2E_STORE") == "postgres" {
		store, err = postgres.Open(t.Context(), pgtest.Schema(t), postgres.Options{Masters: seal.Demo()})
	} else {
		store, err = sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"), seal.Demo())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &ratingFixture{now: ratingT0, ctx: opencube.NewContext(t.Context(), "ENT")}
	f.store = store
	f.svc = service.New(store, opencube.ClockFunc(func() time.Time { return f.now }), service.NewIDGenerator(0))
	if err := f.svc.Admin.CreateEnterprise(t.Context(), &opencube.Enterprise{AccessCode: "ENT", Secrets: []string{"secret-123"}}); err != nil {
		t.Fatal(err)
	}
	f.sim = &opencube.SIM{ICCID: "89860000000000000001", IMSI: "460000000000001", EnterpriseCode: "ENT"}
	f.ota = &opencube.SIM{ICCID: "89860000000000000002", IMSI: "460000000000002", EnterpriseCode: "ENT", OTA: true}
	if err := f.svc.Admin.ImportSIMs(t.Context(), []*opencube.SIM{f.sim, f.ota}); err != nil {
		t.Fatal(err)
	}
	return f
}

// order creates a plan of type typ and volume, and orders it for sim.
func (f *ratingFixture) order(t *testing.T, sim *opencube.SIM, typ opencube.PlanType, volume int64, mod func(*opencube.OrderRequest)) *opencube.Order {
	t.Helper()
	f.plan++
	p := &opencube.Plan{Code: "P" + string(rune('A'+f.plan)), Name: "plan", Type: typ, VolumeBytes: volume, ThrottleKbps: 64, OTA: sim.OTA}
	if err := f.svc.Admin.CreatePlan(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Admin.GrantPlan(t.Context(), "ENT", p.Code); err != nil {
		t.Fatal(err)
	}
	r := opencube.OrderRequest{ICCID: sim.ICCID, PlanCode: p.Code, PlanName: p.Name, PlanType: typ, OrderPeriod: 3, Open: !sim.OTA, PayRst: "1"}
	if mod != nil {
		mod(&r)
	}
	o, err := f.svc.Orders.OrderPlan(f.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// rec is a record of session "s1" of the ordinary SIM at ratingT0+at.
func rec(typ opencube.AcctType, at time.Duration, in, out int64) *opencube.UsageRecord {
	return &opencube.UsageRecord{Type: typ, IMSI: "460000000000001", NAS: "10.0.0.1", NASAddr: "10.0.0.1", SessionID: "s1",
		InputBytes: in, OutputBytes: out, Time: ratingT0.Add(at)}
}

func (f *ratingFixture) book(t *testing.T, recs ...*opencube.UsageRecord) []opencube.BookResult {
	t.Helper()
	res, err := f.svc.SIMs.BookUsage(t.Context(), recs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// days returns the ordinary SIM's usage by day.
func (f *ratingFixture) days(t *testing.T, sim *opencube.SIM) map[int]int64 {
	t.Helper()
	ds, err := f.store.FindDailyUsage(t.Context(), sim.ICCID, 20240101, 20241231)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]int64{}
	for _, d := range ds {
		out[d.Day] = d.Bytes
	}
	return out
}

func (f *ratingFixture) sub(t *testing.T, sim *opencube.SIM) *opencube.Subscriber {
	t.Helper()
	s, err := f.store.FindSubscriber(t.Context(), sim.IMSI)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRating(t *testing.T) {
	const min = time.Minute
	tests := []struct {
		name string
		// typ and volume of the ordinary SIM's order; volume 0: no order.
		typ    opencube.PlanType
		volume int64
		mod    func(*opencube.OrderRequest)
		recs   []*opencube.UsageRecord
		// now is the clock, as an offset from ratingT0, when checking.
		now      time.Duration
		days     map[int]int64
		used     int64 // the order's used bytes as shown at now
		testUsed int64
		accept   bool
		throttle int
	}{
		{
			name: "day split at UTC+8 midnight", typ: opencube.PlanMonthly, volume: 1 << 30,
			recs: []*opencube.UsageRecord{rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctInterim, 20*min, 1000, 200)},
			days: map[int]int64{20240301: 600, 20240302: 600}, used: 1200, accept: true,
		},
		{
			name: "split over three days by the record timestamps", typ: opencube.PlanMonthly, volume: 1 << 30,
			recs: []*opencube.UsageRecord{rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctInterim, 24*60*min+20*min, 4800, 0)},
			// 10 min on 1 March, 24 h on 2 March, 10 min on 3 March.
			days: map[int]int64{20240301: 32, 20240302: 4734, 20240303: 34}, used: 4800, accept: true,
		},
		{
			name: "daily volume resets at UTC+8 midnight", typ: opencube.PlanDaily, volume: 1000,
			recs: []*opencube.UsageRecord{
				rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctInterim, 5*min, 900, 0), // 900 on 1 March
				rec(opencube.AcctStop, 30*min, 1000, 0), // 100 in 25 minutes, 20 of them after midnight
			},
			now: 30 * min, days: map[int]int64{20240301: 920, 20240302: 80}, used: 80, accept: true,
		},
		{
			name: "yesterday's daily usage does not count today", typ: opencube.PlanDaily, volume: 1000,
			recs: []*opencube.UsageRecord{rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctStop, 5*min, 1500, 0)},
			now:  15 * min, days: map[int]int64{20240301: 1500}, used: 0, accept: true,
		},
		{
			name: "capped daily plan used up", typ: opencube.PlanDaily, volume: 1000,
			recs: []*opencube.UsageRecord{rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctStop, 5*min, 1500, 0)},
			now:  6 * min, days: map[int]int64{20240301: 1500}, used: 1500, accept: false,
		},
		{
			name: "unlimited daily plan throttles past its volume", typ: opencube.PlanUnlimitedDaily, volume: 1000,
			recs: []*opencube.UsageRecord{rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctStop, 5*min, 1500, 0)},
			now:  6 * min, days: map[int]int64{20240301: 1500}, used: 1500, accept: true, throttle: 64,
		},
		{
			name: "unlimited daily plan at full speed again the next day", typ: opencube.PlanUnlimitedDaily, volume: 1000,
			recs: []*opencube.UsageRecord{rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctStop, 5*min, 1500, 0)},
			now:  11 * min, days: map[int]int64{20240301: 1500}, used: 0, accept: true,
		},
		{
			name: "test volume is used first", typ: opencube.PlanMonthly, volume: 1 << 20,
			mod:  func(r *opencube.OrderRequest) { r.TestFlow, r.TestFlowFlag = "0.5", "1" },
			recs: []*opencube.UsageRecord{rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctStop, 5*min, 1<<20, 0)},
			days: map[int]int64{20240301: 1 << 20}, used: 1 << 19, testUsed: 1 << 19, accept: true,
		},
		{
			name: "test volume ignored without test_flow_flag", typ: opencube.PlanMonthly, volume: 1 << 20,
			mod:  func(r *opencube.OrderRequest) { r.TestFlow, r.TestFlowFlag = "0.5", "0" },
			recs: []*opencube.UsageRecord{rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctStop, 5*min, 1<<20, 0)},
			days: map[int]int64{20240301: 1 << 20}, used: 1 << 20, accept: false,
		},
		{
			name: "gigaword-sized totals", typ: opencube.PlanYearly, volume: 100 << 30,
			recs: []*opencube.UsageRecord{rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctStop, 5*min, 5<<30+1, 3<<32+2)},
			days: map[int]int64{20240301: 5<<30 + 1 + 3<<32 + 2}, used: 5<<30 + 1 + 3<<32 + 2, accept: true,
		},
		{
			name: "duplicated and reordered interims count once", typ: opencube.PlanMonthly, volume: 1 << 30,
			recs: []*opencube.UsageRecord{
				rec(opencube.AcctStart, 0, 0, 0),
				rec(opencube.AcctInterim, 2*min, 100, 10), rec(opencube.AcctInterim, 2*min, 100, 10),
				rec(opencube.AcctInterim, 6*min, 300, 30), rec(opencube.AcctInterim, 4*min, 200, 20),
				rec(opencube.AcctStop, 8*min, 400, 40), rec(opencube.AcctInterim, 7*min, 350, 35),
				rec(opencube.AcctStop, 8*min, 400, 40),
			},
			days: map[int]int64{20240301: 440}, used: 440, accept: true,
		},
		{
			name: "lost Start: interim alone books its totals", typ: opencube.PlanMonthly, volume: 1 << 30,
			recs: []*opencube.UsageRecord{rec(opencube.AcctInterim, 5*min, 700, 0)},
			days: map[int]int64{20240301: 700}, used: 700, accept: true,
		},
		{
			name: "usage without an order is still counted", volume: 0,
			recs: []*opencube.UsageRecord{rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctStop, 5*min, 10, 20)},
			days: map[int]int64{20240301: 30}, accept: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRatingFixture(t)
			if tt.volume > 0 {
				f.order(t, f.sim, tt.typ, tt.volume, tt.mod)
			}
			for _, r := range tt.recs { // one batch each, as they would arrive
				f.book(t, r)
			}
			if diff := cmp.Diff(tt.days, f.days(t, f.sim)); diff != "" {
				t.Errorf("usage days (-want +got):\n%s", diff)
			}
			f.now = ratingT0.Add(tt.now)
			sub := f.sub(t, f.sim)
			used, testUsed := service.Usage(sub, f.now)
			if used != tt.used || testUsed != tt.testUsed {
				t.Errorf("used %d (test %d), want %d (test %d)", used, testUsed, tt.used, tt.testUsed)
			}
			d, err := f.svc.SIMs.Authorize(t.Context(), f.sim.IMSI)
			if err != nil {
				t.Fatal(err)
			}
			if d.Accept != tt.accept || d.ThrottleKbps != tt.throttle {
				t.Errorf("Authorize = %+v, want accept %v throttle %d", d, tt.accept, tt.throttle)
			}
		})
	}
}

// TestRatingBatch books a whole session in one batch: the same outcome as
// one record at a time.
func TestRatingBatch(t *testing.T) {
	f := newRatingFixture(t)
	f.order(t, f.sim, opencube.PlanMonthly, 1<<30, nil)
	res := f.book(t, rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctInterim, 2*time.Minute, 100, 10),
		rec(opencube.AcctInterim, 2*time.Minute, 100, 10), rec(opencube.AcctStop, 20*time.Minute, 1000, 200))
	var got []int64
	for _, r := range res {
		got = append(got, r.Bytes)
	}
	if diff := cmp.Diff([]int64{0, 110, 0, 1090}, got); diff != "" {
		t.Errorf("booked bytes (-want +got):\n%s", diff)
	}
	// 1090 bytes in 18 minutes, 8 of them before midnight.
	if diff := cmp.Diff(map[int]int64{20240301: 110 + 484, 20240302: 606}, f.days(t, f.sim)); diff != "" {
		t.Errorf("usage days (-want +got):\n%s", diff)
	}
}

// TestRatingDuplicate: a record that brings nothing new to a known
// session (a retransmission, one overtaken by a later record) is a
// duplicate; a first Start, an idle interim and the Stop are not.
func TestRatingDuplicate(t *testing.T) {
	f := newRatingFixture(t)
	f.order(t, f.sim, opencube.PlanMonthly, 1<<30, nil)
	res := f.book(t, rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctInterim, 2*time.Minute, 100, 10),
		rec(opencube.AcctInterim, 2*time.Minute, 100, 10), rec(opencube.AcctInterim, time.Minute, 50, 5),
		rec(opencube.AcctInterim, 5*time.Minute, 100, 10), rec(opencube.AcctStop, 5*time.Minute, 100, 10))
	res = append(res, f.book(t, rec(opencube.AcctStop, 5*time.Minute, 100, 10))...)
	var got []bool
	for _, r := range res {
		got = append(got, r.Duplicate)
	}
	if diff := cmp.Diff([]bool{false, false, true, true, false, false, true}, got); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
}

// TestRatingDisconnect: the record that uses up a capped order asks for a
// Disconnect, and so does every later one of an open session.
func TestRatingDisconnect(t *testing.T) {
	f := newRatingFixture(t)
	f.order(t, f.sim, opencube.PlanMonthly, 1000, nil)
	res := f.book(t, rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctInterim, time.Minute, 500, 0))
	if res[1].Disconnect != nil {
		t.Fatalf("Disconnect with quota left: %+v", res[1].Disconnect)
	}
	res = f.book(t, rec(opencube.AcctInterim, 2*time.Minute, 900, 200))
	want := &opencube.Disconnect{NASAddr: "10.0.0.1", SessionID: "s1", IMSI: f.sim.IMSI, ICCID: f.sim.ICCID}
	if diff := cmp.Diff(want, res[0].Disconnect); diff != "" {
		t.Errorf("Disconnect (-want +got):\n%s", diff)
	}
	if res = f.book(t, rec(opencube.AcctInterim, 3*time.Minute, 900, 200)); res[0].Disconnect == nil {
		t.Error("no Disconnect on the next interim of a used-up session")
	}
	if res = f.book(t, rec(opencube.AcctStop, 4*time.Minute, 900, 200)); res[0].Disconnect != nil {
		t.Error("Disconnect for a Stop")
	}
}

// TestRatingOTAFirstSession: an OTA order with timing_type=1 starts on the
// SIM's first session, dated by the session's start (D13).
func TestRatingOTAFirstSession(t *testing.T) {
	f := newRatingFixture(t)
	o := f.order(t, f.ota, opencube.PlanDaily, 1<<30, func(r *opencube.OrderRequest) { r.Days, r.TimingType = 7, opencube.TimingFirstAttach })
	if o.Status != opencube.OrderNotEnabled {
		t.Fatalf("OTA order status %d", o.Status)
	}
	// The Start was lost: the interim's Acct-Session-Time dates the session.
	if d, err := f.svc.SIMs.Authorize(t.Context(), f.ota.IMSI); err != nil || !d.Accept {
		t.Errorf("Authorize before the first session = %+v, %v; want accepted", d, err)
	}
	start := ratingT0.Add(time.Hour)
	f.book(t, &opencube.UsageRecord{Type: opencube.AcctInterim, IMSI: f.ota.IMSI, NAS: "n", SessionID: "ota", InputBytes: 5000,
		Time: ratingT0.Add(2 * time.Hour), SessionTime: time.Hour})
	sub := f.sub(t, f.ota)
	if sub.Order == nil || sub.Order.ID != o.ID || sub.Order.Status != opencube.OrderInUse {
		t.Fatalf("after the first session: %+v", sub.Order)
	}
	if !sub.Order.StartedAt.Equal(start) || sub.Order.UsedBytes != 5000 {
		t.Errorf("started %v used %d; want %v, 5000", sub.Order.StartedAt, sub.Order.UsedBytes, start)
	}
	evs, err := f.store.FindEvents(t.Context(), "ENT")
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Type != opencube.EventStartOTAOrder || last.OrderID != o.ID {
		t.Errorf("last event %+v, want 1007 for %s", last, o.ID)
	}
	// A timing_type=2 OTA order does not start by itself.
	f2 := newRatingFixture(t)
	f2.order(t, f2.ota, opencube.PlanDaily, 1<<30, func(r *opencube.OrderRequest) { r.Days, r.TimingType = 7, opencube.TimingOrderTime })
	f2.book(t, &opencube.UsageRecord{Type: opencube.AcctStart, IMSI: f2.ota.IMSI, NAS: "n", SessionID: "ota", Time: ratingT0})
	if sub := f2.sub(t, f2.ota); sub.Order != nil {
		t.Errorf("timing_type=2 order started: %+v", sub.Order)
	}
}

// TestSessionTimeout: a session whose Stop was lost is closed by the sweep
// (so the SIM shows offline) and reopened by a late record.
func TestSessionTimeout(t *testing.T) {
	f := newRatingFixture(t)
	f.order(t, f.sim, opencube.PlanMonthly, 1<<30, nil)
	f.book(t, rec(opencube.AcctStart, 0, 0, 0), rec(opencube.AcctInterim, 5*time.Minute, 100, 0))
	online := func() bool {
		d, err := f.svc.SIMs.FindDevice(f.ctx, f.sim.ICCID)
		if err != nil {
			t.Fatal(err)
		}
		return d.Session != nil && d.Session.State == opencube.SessionOpen // the latest session, open or closed
	}
	if !online() {
		t.Fatal("not online during the session")
	}
	n, err := f.svc.SIMs.CloseStaleSessions(t.Context(), ratingT0.Add(5*time.Minute))
	if err != nil || n != 0 {
		t.Fatalf("closed %d, %v: the session is not stale yet", n, err)
	}
	n, err = f.svc.SIMs.CloseStaleSessions(t.Context(), ratingT0.Add(time.Hour))
	if err != nil || n != 1 || online() {
		t.Fatalf("closed %d, %v, online %v; want the session closed", n, err, online())
	}
	// The sweep job closes them too and schedules itself again.
	f.now = ratingT0.Add(3 * time.Hour)
	if err := f.svc.SIMs.SweepSessions(time.Hour, time.Minute)(t.Context(), &opencube.Job{}); err != nil {
		t.Fatal(err)
	}
	jobs, err := f.store.FindJobs(t.Context(), opencube.JobSessionSweep)
	if err != nil || len(jobs) != 1 || !jobs[0].RunAt.Equal(f.now.Add(time.Minute)) {
		t.Errorf("sweep jobs %v, %v", jobs, err)
	}
	f.book(t, rec(opencube.AcctInterim, 70*time.Minute, 300, 0))
	if !online() {
		t.Error("a later interim did not reopen the session")
	}
	if got := f.days(t, f.sim); got[20240302] == 0 || got[20240301]+got[20240302] != 300 {
		t.Errorf("usage days %v, want 300 in all", got)
	}
}

func TestSplitDays(t *testing.T) {
	at := func(d, h, m int) time.Time { return time.Date(2024, 3, d, h, m, 0, 0, opencube.BusinessZone) }
	tests := []struct {
		name     string
		from, to time.Time
		bytes    int64
		want     []service.DayBytes
	}{
		{"same day", at(1, 10, 0), at(1, 11, 0), 100, []service.DayBytes{{Day: 20240301, Bytes: 100}}},
		{"midnight split", at(1, 23, 0), at(2, 1, 0), 100, []service.DayBytes{{Day: 20240301, Bytes: 50}, {Day: 20240302, Bytes: 50}}},
		{"UTC midnight is no boundary", at(2, 7, 0), at(2, 9, 0), 100, []service.DayBytes{{Day: 20240302, Bytes: 100}}},
		{"to before from", at(2, 1, 0), at(1, 23, 0), 100, []service.DayBytes{{Day: 20240301, Bytes: 100}}},
		{"remainder to the last day", at(1, 23, 0), at(2, 2, 0), 100, []service.DayBytes{{Day: 20240301, Bytes: 33}, {Day: 20240302, Bytes: 67}}},
		{"nothing", at(1, 23, 0), at(2, 2, 0), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, service.SplitDays(tt.from, tt.to, tt.bytes)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
