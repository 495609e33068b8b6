package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// Run runs the conformance suite against stores made by open, one fresh and
// empty store for each test; open should register the store's cleanup with
// t.Cleanup. Tests run in parallel.
func Run(t *testing.T, open func(t *testing.T) service.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, func(*testing.T) service.Store)
	}{
		{"Enterprises", testEnterprises},
		{"RateLimit", testRateLimit},
		{"APIKeys", testAPIKeys},
		{"SIMRequests", testSIMRequests},
		{"SIMRequestClaim", testSIMRequestClaim},
		{"Devices", testDevices},
		{"ServiceOrders", testServiceOrders},
		{"SIMs", testSIMs},
		{"SIMsAllOrNothing", testSIMsAllOrNothing},
		{"Plans", testPlans},
		{"UpdateOrdersCommits", testUpdateOrdersCommits},
		{"UpdateOrdersRollsBack", testUpdateOrdersRollsBack},
		{"TxLookups", testTxLookups},
		{"TxLookupsFresh", testTxLookupsFresh},
		{"SIMIMSI", testSIMIMSI},
		{"TxWriteErrors", testTxWriteErrors},
		{"ActiveAndNextOrder", testActiveAndNextOrder},
		{"OneActiveOrder", testOneActiveOrder},
		{"InUseList", testInUseList},
		{"ListTotals", testListTotals},
		{"DeepPages", testDeepPages},
		{"OrderRoundTrip", testOrderRoundTrip},
		{"FindOrders", testFindOrders},
		{"FindEvents", testFindEvents},
		{"Replay", testReplay},
		{"ReplayClaim", testReplayClaim},
		{"OrderByID", testOrderByID},
		{"InsertJobRollsBack", testInsertJobRollsBack},
		{"InsertJobUpsert", testInsertJobUpsert},
		{"ClaimJobs", testClaimJobs},
		{"CompleteAndRetryJobs", testCompleteAndRetryJobs},
		{"FindJobs", testFindJobs},
		{"ConcurrentClaims", testConcurrentClaims},
		{"Nodes", testNodes},
		{"ClockOffset", testClockOffset},
		{"Usage", testUsage},
		{"Notify", testNotify},
		{"Shop", testShop},
		{"SMS", testSMS},
		{"Health", testHealth},
		{"Users", testUsers},
		{"Audit", testAudit},
		{"ConsoleSessions", testConsoleSessions},
		{"Provisioning", testProvisioning},
		{"Sealing", testSealing},
		{"Ledger", testLedger},
		{"AddOns", testAddOns},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open)
		})
	}
}

// base is the suite's fixed time: whole milliseconds, in UTC+8, so that a
// store that loses the zone or sub-second part is caught.
var base = time.Date(2025, time.March, 1, 10, 20, 30, 0, opencube.BusinessZone).Add(456 * time.Millisecond)

// at returns base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

// ptr returns a pointer to t.
func ptr(t time.Time) *time.Time { return &t }

// opts compare stored values: empty and nil lists are equal. Times compare
// with their Equal method.
var opts = cmp.Options{cmpopts.EquateEmpty()}

const (
	entA = "ent-a"
	entB = "ent-b"
)

// fixture is a store seeded with two enterprises: A with SIMs 1-5 and plans
// P1, P2, P3 granted; B with SIMs 6-8 and plans P2, P5 granted. P4 is granted
// to nobody.
type fixture struct {
	s     service.Store
	ctx   context.Context
	sims  map[int]*opencube.SIM
	plans map[string]*opencube.Plan
}

func newEnterprise(code string) *opencube.Enterprise {
	return &opencube.Enterprise{
		AccessCode: code, Name: "Enterprise " + code, Secrets: []string{"secret-" + code + "-1"}, CreatedAt: base,
		Status: opencube.EnterpriseActive, SecretsAdded: []time.Time{base},
	}
}

func newSIM(ent string, n int) *opencube.SIM {
	return &opencube.SIM{
		ICCID:          fmt.Sprintf("89860%014d", n),
		IMSI:           fmt.Sprintf("46001%010d", n),
		MSISDN:         fmt.Sprintf("86138%08d", n),
		OTA:            n%2 == 0,
		EnterpriseCode: ent,
		Status:         opencube.SIMActive,
		CreatedAt:      at(time.Duration(n) * time.Millisecond),
	}
}

func newPlan(code string, typ opencube.PlanType) *opencube.Plan {
	return &opencube.Plan{
		Code: code, Name: "Plan " + code, Type: typ, VolumeBytes: 3 << 30, PriceMinor: 1999, Currency: "CNY",
		CreatedAt: at(time.Second), Status: opencube.PlanActive,
	}
}

// seed fills s. Without withB, enterprise B exists but owns nothing, so that
// a lookup of one of B's objects can be compared with a lookup of a missing one.
func seed(t *testing.T, s service.Store, withB bool) *fixture {
	t.Helper()
	f := &fixture{s: s, ctx: context.Background(), sims: map[int]*opencube.SIM{}, plans: map[string]*opencube.Plan{}}
	for _, code := range []string{entA, entB} {
		if err := s.CreateEnterprise(f.ctx, newEnterprise(code)); err != nil {
			t.Fatalf("CreateEnterprise(%s): %v", code, err)
		}
	}
	var a, b []*opencube.SIM
	for n := 1; n <= 8; n++ {
		if n <= 5 {
			f.sims[n] = newSIM(entA, n)
			a = append(a, f.sims[n])
		} else if withB {
			f.sims[n] = newSIM(entB, n)
			b = append(b, f.sims[n])
		}
	}
	for _, batch := range [][]*opencube.SIM{a, b} {
		if err := s.CreateSIMs(f.ctx, batch); err != nil {
			t.Fatalf("CreateSIMs: %v", err)
		}
	}
	f.plans["P1"] = newPlan("P1", opencube.PlanMonthly)
	f.plans["P2"] = newPlan("P2", opencube.PlanDaily)
	f.plans["P3"] = &opencube.Plan{
		Code: "P3", Name: "Europe OTA 10 GB", Type: opencube.PlanUnlimitedDaily, VolumeBytes: 10 << 30,
		PriceMinor: 12345, Currency: "USD", OTA: true, ThrottleKbps: 512, Countries: []string{"FR", "DE", "ES"},
		CreatedAt: at(2 * time.Second), Status: opencube.PlanActive,
	}
	f.plans["P4"] = newPlan("P4", opencube.PlanYearly)
	f.plans["P5"] = newPlan("P5", opencube.PlanQuarterly)
	grants := [][2]string{{entA, "P1"}, {entA, "P2"}, {entA, "P3"}}
	if withB {
		grants = append(grants, [2]string{entB, "P2"}, [2]string{entB, "P5"})
	}
	for _, code := range []string{"P3", "P1", "P5", "P2", "P4"} {
		if !withB && code == "P5" {
			continue
		}
		if err := s.CreatePlan(f.ctx, f.plans[code]); err != nil {
			t.Fatalf("CreatePlan(%s): %v", code, err)
		}
	}
	for _, g := range grants {
		if err := s.GrantPlan(f.ctx, g[0], g[1]); err != nil {
			t.Fatalf("GrantPlan(%s, %s): %v", g[0], g[1], err)
		}
	}
	return f
}

// orderID returns the order id with number n.
func orderID(n int) string { return fmt.Sprintf("ORDER_%017d", n) }

// newOrder returns a not-enabled order with every field set.
func (f *fixture) newOrder(n int, sim *opencube.SIM, plan string, ordered time.Time) *opencube.Order {
	p := f.plans[plan]
	return &opencube.Order{
		ID: orderID(n), Code: fmt.Sprintf("L1%017d", n), EnterpriseCode: sim.EnterpriseCode, ICCID: sim.ICCID, IMSI: sim.IMSI,
		PlanCode: p.Code, PlanName: p.Name, PlanType: p.Type, VolumeBytes: p.VolumeBytes,
		OrderPeriod: 2, RenewPeriod: 0, Days: 0, TimingType: opencube.TimingNone, MCC: "",
		Status: opencube.OrderNotEnabled, BuyType: opencube.BuyNormal, PayAmountMinor: 3998, PayRst: "1", PayType: "2",
		GlobalOrder: fmt.Sprintf("G-%d", n), TestFlow: "0", TestFlowFlag: "0", OTA: sim.OTA,
		OrderedAt: ordered, UpdatedAt: ordered,
	}
}

// withStatus sets o's status and the times that go with it.
func withStatus(o *opencube.Order, s opencube.OrderStatus) *opencube.Order {
	o.Status = s
	if s != opencube.OrderNotEnabled && s != opencube.OrderCancelled {
		o.StartedAt = ptr(o.OrderedAt.Add(time.Minute))
		o.ExpiresAt = ptr(o.OrderedAt.Add(30 * 24 * time.Hour))
	}
	if s >= opencube.OrderExpired {
		o.EndedAt = ptr(o.OrderedAt.Add(time.Hour))
	}
	return o
}

// update runs fn in s.UpdateOrders and fails the test on an error.
func (f *fixture) update(t *testing.T, fn func(tx opencube.OrderTx) error) {
	t.Helper()
	if err := f.s.UpdateOrders(f.ctx, fn); err != nil {
		t.Fatalf("UpdateOrders: %v", err)
	}
}

// insert stores orders and, for each, a creation event.
func (f *fixture) insert(t *testing.T, orders ...*opencube.Order) {
	t.Helper()
	f.update(t, func(tx opencube.OrderTx) error {
		for _, o := range orders {
			if err := tx.InsertOrder(f.ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkKind reports unless err has kind want ("" for no error). With bare,
// err must be an *opencube.Error itself, not wrapped: callers such as
// Service.OrderPlans type-assert the errors of OrderTx methods.
func checkKind(t *testing.T, what string, err error, want opencube.Kind, bare bool) {
	t.Helper()
	if got := opencube.ErrorKind(err); got != want {
		t.Errorf("%s: error %v, kind %q; want kind %q", what, err, got, want)
		return
	}
	if _, ok := err.(*opencube.Error); want != "" && bare && !ok {
		t.Errorf("%s: error %T (%v) is not a bare *opencube.Error", what, err, err)
	}
}

// wantOnly checks that entA's only order is o and its only event ev; when
// stands before the failures' messages.
func (f *fixture) wantOnly(t *testing.T, when string, o *opencube.Order, ev *opencube.Event) {
	t.Helper()
	orders, total, err := f.s.FindOrders(f.ctx, opencube.OrderFilter{Enterprise: entA})
	if err != nil {
		t.Fatalf("FindOrders: %v", err)
	}
	if diff := cmp.Diff([]*opencube.Order{o}, orders, opts); diff != "" || total != 1 {
		t.Errorf("%sFindOrders total %d (want 1) (-want +got):\n%s", when, total, diff)
	}
	events, err := f.s.FindEvents(f.ctx, entA)
	if err != nil {
		t.Fatalf("FindEvents: %v", err)
	}
	if diff := cmp.Diff([]*opencube.Event{ev}, events, opts); diff != "" {
		t.Errorf("%sFindEvents (-want +got):\n%s", when, diff)
	}
}

func (f *fixture) findOrder(t *testing.T, id string) *opencube.Order {
	t.Helper()
	var o *opencube.Order
	f.update(t, func(tx opencube.OrderTx) error {
		var err error
		o, err = tx.Order(f.ctx, entA, id)
		return err
	})
	return o
}

func testEnterprises(t *testing.T, open func(*testing.T) service.Store) {
	s, ctx := open(t), context.Background()
	a, b := newEnterprise(entA), newEnterprise(entB)
	a.Secrets = []string{"first-secret", "second-secret"}
	a.SecretsAdded = []time.Time{base, at(time.Minute)}
	// An enterprise of an older version has secrets without ages: they
	// are the enterprise's.
	old := newEnterprise("ent-old")
	old.SecretsAdded = nil
	for _, e := range []*opencube.Enterprise{a, b, old} {
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatalf("CreateEnterprise(%s): %v", e.AccessCode, err)
		}
	}
	got, err := s.FindEnterprise(ctx, entA)
	if err != nil {
		t.Fatalf("FindEnterprise: %v", err)
	}
	if diff := cmp.Diff(a, got, opts); diff != "" {
		t.Errorf("FindEnterprise (-want +got):\n%s", diff)
	}
	got, err = s.FindEnterprise(ctx, old.AccessCode)
	if err != nil {
		t.Fatalf("FindEnterprise: %v", err)
	}
	if diff := cmp.Diff(newEnterprise("ent-old"), got, opts); diff != "" {
		t.Errorf("FindEnterprise of secrets without ages (-want +got):\n%s", diff)
	}

	errs := []struct {
		name string
		err  error
		want opencube.Kind
	}{
		{"duplicate", s.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: entA, Name: "Impostor", Secrets: []string{"impostor-secret"}, CreatedAt: base}), opencube.KindConflict},
		{"find unknown", func() error { _, err := s.FindEnterprise(ctx, "nobody"); return err }(), opencube.KindUnauthenticated},
		{"update unknown", s.UpdateSecrets(ctx, "nobody", []string{"some-secret"}, []time.Time{base}), opencube.KindUnauthenticated},
	}
	for _, tt := range errs {
		checkKind(t, tt.name, tt.err, tt.want, false)
	}

	// Secrets are replaced, in order, and only the named enterprise's.
	for i, secrets := range [][]string{{"second-secret", "third-secret"}, {"third-secret"}} {
		ages := []time.Time{at(time.Minute), at(time.Hour)}[i:]
		if err := s.UpdateSecrets(ctx, entA, secrets, ages); err != nil {
			t.Fatalf("UpdateSecrets: %v", err)
		}
		got, err := s.FindEnterprise(ctx, entA)
		if err != nil {
			t.Fatalf("FindEnterprise: %v", err)
		}
		want := *a
		want.Secrets, want.SecretsAdded = secrets, ages
		if diff := cmp.Diff(&want, got, opts); diff != "" {
			t.Errorf("after UpdateSecrets(%q) (-want +got):\n%s", secrets, diff)
		}
	}
	got, err = s.FindEnterprise(ctx, entB)
	if err != nil {
		t.Fatalf("FindEnterprise: %v", err)
	}
	if diff := cmp.Diff(b, got, opts); diff != "" {
		t.Errorf("other enterprise (-want +got):\n%s", diff)
	}
}

func testSIMs(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	sims := func(ns ...int) []*opencube.SIM {
		out := []*opencube.SIM{}
		for _, n := range ns {
			out = append(out, f.sims[n])
		}
		return out
	}
	if err := f.s.CreateSIMs(f.ctx, nil); err != nil {
		t.Errorf("CreateSIMs(nil): %v", err)
	}
	checkFind(t, f.ctx, "FindSIMs", f.s.FindSIMs, []findCase[opencube.SIMFilter, *opencube.SIM]{
		{"all", opencube.SIMFilter{Enterprise: entA}, sims(1, 2, 3, 4, 5), 5},
		{"first page", opencube.SIMFilter{Enterprise: entA, Page: opencube.Page{Limit: 2}}, sims(1, 2), 5},
		{"middle page", opencube.SIMFilter{Enterprise: entA, Page: opencube.Page{Offset: 2, Limit: 2}}, sims(3, 4), 5},
		{"last page", opencube.SIMFilter{Enterprise: entA, Page: opencube.PageOf(3, 2)}, sims(5), 5},
		{"past the end", opencube.SIMFilter{Enterprise: entA, Page: opencube.PageOf(4, 2)}, nil, 5},
		{"offset without limit", opencube.SIMFilter{Enterprise: entA, Page: opencube.Page{Offset: 3}}, sims(4, 5), 5},
		{"ICCIDs", opencube.SIMFilter{Enterprise: entA, ICCIDs: []string{f.sims[3].ICCID, f.sims[1].ICCID, f.sims[7].ICCID, "89860999999999999999"}}, sims(1, 3), 2},
		{"ICCIDs paged", opencube.SIMFilter{Enterprise: entA, ICCIDs: []string{f.sims[3].ICCID, f.sims[1].ICCID, f.sims[2].ICCID}, Page: opencube.Page{Limit: 1}}, sims(1), 3},
		{"other enterprise", opencube.SIMFilter{Enterprise: entB}, sims(6, 7, 8), 3},
		{"other enterprise's ICCIDs", opencube.SIMFilter{Enterprise: entB, ICCIDs: []string{f.sims[1].ICCID}}, nil, 0},
		{"unknown enterprise", opencube.SIMFilter{Enterprise: "nobody"}, nil, 0},
	})
}

func testSIMsAllOrNothing(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	fresh := newSIM(entA, 20)
	sameIMSI := newSIM(entA, 21)
	sameIMSI.IMSI = f.sims[2].IMSI
	repeated := newSIM(entA, 22)
	stranger := newSIM("nobody", 23)
	tests := []struct {
		name  string
		batch []*opencube.SIM
		want  opencube.Kind
	}{
		{"existing ICCID", []*opencube.SIM{fresh, newSIM(entA, 3)}, opencube.KindConflict},
		{"existing ICCID of another enterprise", []*opencube.SIM{fresh, newSIM(entA, 7)}, opencube.KindConflict},
		{"existing IMSI", []*opencube.SIM{fresh, sameIMSI}, opencube.KindConflict},
		{"repeated in the batch", []*opencube.SIM{fresh, repeated, repeated}, opencube.KindConflict},
		{"unknown enterprise", []*opencube.SIM{fresh, stranger}, opencube.KindUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkKind(t, "CreateSIMs", f.s.CreateSIMs(f.ctx, tt.batch), tt.want, false)
			for _, ent := range []string{entA, entB, "nobody"} {
				got, total, err := f.s.FindSIMs(f.ctx, opencube.SIMFilter{Enterprise: ent})
				if err != nil {
					t.Fatalf("FindSIMs: %v", err)
				}
				want := map[string]int{entA: 5, entB: 3}[ent]
				if len(got) != want || total != want {
					t.Errorf("after a failed batch, %s has %d SIMs (total %d), want %d", ent, len(got), total, want)
				}
			}
		})
	}
	// The failed batches left nothing behind: the fresh SIM can be created.
	if err := f.s.CreateSIMs(f.ctx, []*opencube.SIM{fresh, repeated}); err != nil {
		t.Fatalf("CreateSIMs after failed batches: %v", err)
	}
	got, total, err := f.s.FindSIMs(f.ctx, opencube.SIMFilter{Enterprise: entA, ICCIDs: []string{fresh.ICCID, repeated.ICCID}})
	if err != nil {
		t.Fatalf("FindSIMs: %v", err)
	}
	if diff := cmp.Diff([]*opencube.SIM{fresh, repeated}, got, opts); diff != "" || total != 2 {
		t.Errorf("FindSIMs total %d (want 2) (-want +got):\n%s", total, diff)
	}
}

func testPlans(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	plans := func(codes ...string) []*opencube.Plan {
		out := []*opencube.Plan{}
		for _, c := range codes {
			out = append(out, f.plans[c])
		}
		return out
	}
	checkKind(t, "duplicate plan", f.s.CreatePlan(f.ctx, newPlan("P1", opencube.PlanDaily)), opencube.KindConflict, false)
	checkKind(t, "grant to unknown enterprise", f.s.GrantPlan(f.ctx, "nobody", "P1"), opencube.KindUnauthenticated, false)
	checkKind(t, "grant unknown plan", f.s.GrantPlan(f.ctx, entA, "P9"), opencube.KindPlanNotOrderable, false)
	if err := f.s.GrantPlan(f.ctx, entA, "P1"); err != nil {
		t.Errorf("GrantPlan again: %v", err)
	}
	checkFind(t, f.ctx, "FindPlans", f.s.FindPlans, []findCase[opencube.PlanFilter, *opencube.Plan]{
		{"granted", opencube.PlanFilter{Enterprise: entA}, plans("P1", "P2", "P3"), 3},
		{"code", opencube.PlanFilter{Enterprise: entA, Code: "P3"}, plans("P3"), 1},
		{"code not granted", opencube.PlanFilter{Enterprise: entA, Code: "P4"}, nil, 0},
		{"code of another enterprise", opencube.PlanFilter{Enterprise: entA, Code: "P5"}, nil, 0},
		{"unknown code", opencube.PlanFilter{Enterprise: entA, Code: "P9"}, nil, 0},
		{"first page", opencube.PlanFilter{Enterprise: entA, Page: opencube.Page{Limit: 2}}, plans("P1", "P2"), 3},
		{"second page", opencube.PlanFilter{Enterprise: entA, Page: opencube.PageOf(2, 2)}, plans("P3"), 3},
		{"past the end", opencube.PlanFilter{Enterprise: entA, Page: opencube.PageOf(3, 2)}, nil, 3},
		{"other enterprise", opencube.PlanFilter{Enterprise: entB}, plans("P2", "P5"), 2},
		{"unknown enterprise", opencube.PlanFilter{Enterprise: "nobody"}, nil, 0},
	})
}

func testUpdateOrdersCommits(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	o := f.newOrder(1, f.sims[1], "P1", base)
	ev := opencube.NewEvent(opencube.EventCreateOrder, o)
	f.update(t, func(tx opencube.OrderTx) error {
		if err := tx.InsertOrder(f.ctx, o); err != nil {
			return err
		}
		// The transaction reads its own writes.
		got, err := tx.Order(f.ctx, entA, o.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(o, got, opts); diff != "" {
			t.Errorf("Order inside the transaction (-want +got):\n%s", diff)
		}
		return tx.InsertEvent(f.ctx, ev)
	})
	f.wantOnly(t, "", o, ev)
}

func testUpdateOrdersRollsBack(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	kept := f.newOrder(1, f.sims[1], "P1", base)
	keptEvent := opencube.NewEvent(opencube.EventCreateOrder, kept)
	f.update(t, func(tx opencube.OrderTx) error {
		if err := tx.InsertOrder(f.ctx, kept); err != nil {
			return err
		}
		return tx.InsertEvent(f.ctx, keptEvent)
	})
	tests := []struct {
		name string
		err  error
	}{
		{"domain error", opencube.Errorf(opencube.KindQuota, "no balance")},
		{"bulk error", &opencube.Error{Kind: opencube.KindBulkRejected, Message: "device failed",
			Failures: []opencube.DeviceFailure{{ICCID: f.sims[2].ICCID, Err: opencube.Errorf(opencube.KindDeviceNotFound, "gone")}}}},
		{"plain error", errors.New("something broke")},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := f.newOrder(10+i, f.sims[2], "P2", at(time.Minute))
			err := f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error {
				if err := tx.InsertOrder(f.ctx, o); err != nil {
					return err
				}
				if err := tx.InsertEvent(f.ctx, opencube.NewEvent(opencube.EventCreateOrder, o)); err != nil {
					return err
				}
				changed := *kept
				changed.Status = opencube.OrderCancelled
				changed.EndedAt = ptr(at(time.Hour))
				changed.UpdatedAt = at(time.Hour)
				if err := tx.UpdateOrder(f.ctx, &changed); err != nil {
					return err
				}
				if err := tx.InsertEvent(f.ctx, opencube.NewEvent(opencube.EventCancelOrder, &changed)); err != nil {
					return err
				}
				return tt.err
			})
			if !errors.Is(err, tt.err) {
				t.Errorf("UpdateOrders = %v, want fn's error %v", err, tt.err)
			}
			if opencube.ErrorKind(err) != opencube.ErrorKind(tt.err) {
				t.Errorf("UpdateOrders error kind %q, want %q", opencube.ErrorKind(err), opencube.ErrorKind(tt.err))
			}
			f.wantOnly(t, "after a failed transaction, ", kept, keptEvent)
		})
	}
}

// lookup is one OrderTx read that takes an enterprise, and its outcome.
type lookup struct {
	name string
	fn   func(opencube.OrderTx) (any, error)
	want any           // when kind is ""
	kind opencube.Kind // of the error
}

// lookups are the OrderTx reads that take an enterprise. Another enterprise's
// object must be reported exactly as a missing one.
func lookups(f *fixture) []lookup {
	simB, orderB := newSIM(entB, 6), f.newOrder(6, newSIM(entB, 6), "P2", base)
	orderA := f.newOrder(1, f.sims[1], "P1", base)
	sim := func(ent, iccid string) func(opencube.OrderTx) (any, error) {
		return func(tx opencube.OrderTx) (any, error) { return tx.SIM(f.ctx, ent, iccid) }
	}
	plan := func(ent, code string) func(opencube.OrderTx) (any, error) {
		return func(tx opencube.OrderTx) (any, error) { return tx.Plan(f.ctx, ent, code) }
	}
	order := func(ent, id string) func(opencube.OrderTx) (any, error) {
		return func(tx opencube.OrderTx) (any, error) { return tx.Order(f.ctx, ent, id) }
	}
	return []lookup{
		{"own SIM", sim(entA, f.sims[1].ICCID), f.sims[1], ""},
		{"other's SIM", sim(entA, simB.ICCID), nil, opencube.KindDeviceNotFound},
		{"unknown SIM", sim(entA, "89860000000000000999"), nil, opencube.KindDeviceNotFound},
		{"SIM of unknown enterprise", sim("nobody", f.sims[1].ICCID), nil, opencube.KindDeviceNotFound},
		{"granted plan", plan(entA, "P3"), f.plans["P3"], ""},
		{"plan not granted", plan(entA, "P4"), nil, opencube.KindPlanNotOrderable},
		{"other's plan", plan(entA, "P5"), nil, opencube.KindPlanNotOrderable},
		{"unknown plan", plan(entA, "P9"), nil, opencube.KindPlanNotOrderable},
		{"own order", order(entA, orderA.ID), orderA, ""},
		{"other's order", order(entA, orderB.ID), nil, opencube.KindOrderNotFound},
		{"unknown order", order(entA, orderID(999)), nil, opencube.KindOrderNotFound},
	}
}

func testTxLookups(t *testing.T, open func(*testing.T) service.Store) {
	// f holds B's SIMs, plan P5 and order; g is the same without them.
	f, g := seed(t, open(t), true), seed(t, open(t), false)
	f.insert(t, f.newOrder(1, f.sims[1], "P1", base), f.newOrder(6, f.sims[6], "P2", base))
	g.insert(t, g.newOrder(1, g.sims[1], "P1", base))
	missing := lookups(g)
	for i, tt := range lookups(f) {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			var err, errMissing error
			f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error {
				got, err = tt.fn(tx)
				return nil
			})
			g.s.UpdateOrders(g.ctx, func(tx opencube.OrderTx) error {
				_, errMissing = missing[i].fn(tx)
				return nil
			})
			checkKind(t, tt.name, err, tt.kind, true)
			if tt.kind == "" {
				if diff := cmp.Diff(tt.want, got, opts); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				return
			}
			if err != nil && errMissing != nil && err.Error() != errMissing.Error() {
				t.Errorf("error %q differs from the error for a missing object %q", err, errMissing)
			}
		})
	}
}

func testTxWriteErrors(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	o := f.newOrder(1, f.sims[1], "P1", base)
	ev := opencube.NewEvent(opencube.EventCreateOrder, o)
	f.update(t, func(tx opencube.OrderTx) error {
		if err := tx.InsertOrder(f.ctx, o); err != nil {
			return err
		}
		return tx.InsertEvent(f.ctx, ev)
	})
	otherEnterprise := *o
	otherEnterprise.EnterpriseCode = entB
	otherEnterprise.Status = opencube.OrderCancelled
	tests := []struct {
		name string
		fn   func(opencube.OrderTx) error
		want opencube.Kind
	}{
		{"duplicate order id", func(tx opencube.OrderTx) error {
			dup := f.newOrder(1, f.sims[2], "P2", at(time.Hour))
			return tx.InsertOrder(f.ctx, dup)
		}, opencube.KindConflict},
		{"duplicate event id", func(tx opencube.OrderTx) error {
			dup := *ev
			dup.Type, dup.CreatedAt = opencube.EventStartOrder, at(time.Hour)
			return tx.InsertEvent(f.ctx, &dup)
		}, opencube.KindConflict},
		{"update unknown order", func(tx opencube.OrderTx) error {
			return tx.UpdateOrder(f.ctx, f.newOrder(2, f.sims[1], "P1", base))
		}, opencube.KindOrderNotFound},
		{"update as another enterprise", func(tx opencube.OrderTx) error {
			return tx.UpdateOrder(f.ctx, &otherEnterprise)
		}, opencube.KindOrderNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var txErr error
			err := f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error {
				txErr = tt.fn(tx)
				return txErr
			})
			checkKind(t, "OrderTx", txErr, tt.want, true)
			checkKind(t, "UpdateOrders", err, tt.want, false)
		})
	}
	if got := f.findOrder(t, o.ID); !cmp.Equal(o, got, opts) {
		t.Errorf("order changed by failed writes (-want +got):\n%s", cmp.Diff(o, got, opts))
	}
}

func testActiveAndNextOrder(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	sim1, sim2 := f.sims[1], f.sims[2]
	cancelled := withStatus(f.newOrder(1, sim1, "P1", at(-time.Hour)), opencube.OrderCancelled)
	later := f.newOrder(3, sim1, "P1", at(2*time.Second))
	firstB := f.newOrder(5, sim1, "P1", at(time.Second)) // same time as firstA, larger id
	firstA := f.newOrder(4, sim1, "P1", at(time.Second))
	otherSIM := f.newOrder(2, sim2, "P1", at(-2*time.Hour))
	f.insert(t, cancelled, later, firstB, firstA, otherSIM)

	type state struct{ active, next *opencube.Order }
	read := func(t *testing.T, iccid string) state {
		t.Helper()
		var s state
		f.update(t, func(tx opencube.OrderTx) error {
			var err error
			if s.active, err = tx.ActiveOrder(f.ctx, iccid); err != nil {
				return err
			}
			s.next, err = tx.NextOrder(f.ctx, iccid)
			return err
		})
		return s
	}
	move := func(o *opencube.Order, s opencube.OrderStatus, when time.Time) *opencube.Order {
		c := *o
		c.Status, c.UpdatedAt = s, when
		switch s {
		case opencube.OrderInUse:
			if c.StartedAt == nil {
				c.StartedAt, c.ExpiresAt = ptr(when), ptr(when.Add(72*time.Hour))
			}
		case opencube.OrderEnded:
			c.EndedAt = ptr(when)
		}
		return &c
	}
	enabled := move(firstA, opencube.OrderInUse, at(time.Minute))
	suspended := move(enabled, opencube.OrderSuspended, at(2*time.Minute))
	ended := move(suspended, opencube.OrderEnded, at(3*time.Minute))
	steps := []struct {
		name  string
		write *opencube.Order
		iccid string
		want  state
	}{
		{"nothing enabled", nil, sim1.ICCID, state{nil, firstA}},
		{"other SIM", nil, sim2.ICCID, state{nil, otherSIM}},
		{"SIM without orders", nil, f.sims[3].ICCID, state{}},
		{"unknown SIM", nil, "89860000000000000999", state{}},
		{"enabled", enabled, sim1.ICCID, state{enabled, firstB}},
		{"suspended", suspended, sim1.ICCID, state{suspended, firstB}},
		{"ended", ended, sim1.ICCID, state{nil, firstB}},
	}
	for _, st := range steps {
		if st.write != nil {
			f.update(t, func(tx opencube.OrderTx) error { return tx.UpdateOrder(f.ctx, st.write) })
		}
		got := read(t, st.iccid)
		if diff := cmp.Diff(st.want, got, opts, cmp.AllowUnexported(state{})); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", st.name, diff)
		}
	}
}

func testOneActiveOrder(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	sim1 := f.sims[1]
	active := withStatus(f.newOrder(1, sim1, "P1", base), opencube.OrderInUse)
	waiting := f.newOrder(2, sim1, "P1", at(time.Second))
	elsewhere := withStatus(f.newOrder(3, f.sims[2], "P1", base), opencube.OrderInUse)
	f.insert(t, active, waiting, elsewhere)

	enable := func(o *opencube.Order, s opencube.OrderStatus) *opencube.Order {
		c := *o
		c.Status, c.StartedAt, c.UpdatedAt = s, ptr(at(time.Hour)), at(time.Hour)
		return &c
	}
	suspended := *active
	suspended.Status = opencube.OrderSuspended
	tests := []struct {
		name string
		fn   func(opencube.OrderTx) error
	}{
		{"insert a second in-use order", func(tx opencube.OrderTx) error {
			return tx.InsertOrder(f.ctx, withStatus(f.newOrder(4, sim1, "P1", at(time.Minute)), opencube.OrderInUse))
		}},
		{"insert a second suspended order", func(tx opencube.OrderTx) error {
			return tx.InsertOrder(f.ctx, withStatus(f.newOrder(5, sim1, "P1", at(time.Minute)), opencube.OrderSuspended))
		}},
		{"enable a second order", func(tx opencube.OrderTx) error {
			return tx.UpdateOrder(f.ctx, enable(waiting, opencube.OrderInUse))
		}},
		{"suspend a second order", func(tx opencube.OrderTx) error {
			return tx.UpdateOrder(f.ctx, enable(waiting, opencube.OrderSuspended))
		}},
		{"enable beside a suspended order", func(tx opencube.OrderTx) error {
			if err := tx.UpdateOrder(f.ctx, &suspended); err != nil {
				return fmt.Errorf("suspend: %w", err)
			}
			return tx.UpdateOrder(f.ctx, enable(waiting, opencube.OrderInUse))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var txErr error
			err := f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error {
				txErr = tt.fn(tx)
				return txErr
			})
			checkKind(t, "OrderTx", txErr, opencube.KindOrderState, true)
			checkKind(t, "UpdateOrders", err, opencube.KindOrderState, false)
			orders, total, err := f.s.FindOrders(f.ctx, opencube.OrderFilter{Enterprise: entA, ICCID: sim1.ICCID})
			if err != nil {
				t.Fatalf("FindOrders: %v", err)
			}
			if diff := cmp.Diff([]*opencube.Order{waiting, active}, orders, opts); diff != "" || total != 2 {
				t.Errorf("after a refused write, total %d (want 2) (-want +got):\n%s", total, diff)
			}
		})
	}

	// A refused write leaves the transaction usable: a bulk order goes on
	// with the next device, and commits what the others wrote.
	other := f.newOrder(6, f.sims[3], "P1", at(time.Minute))
	f.update(t, func(tx opencube.OrderTx) error {
		err := tx.UpdateOrder(f.ctx, enable(waiting, opencube.OrderInUse))
		checkKind(t, "UpdateOrder", err, opencube.KindOrderState, true)
		return tx.InsertOrder(f.ctx, other)
	})
	orders, _, err := f.s.FindOrders(f.ctx, opencube.OrderFilter{Enterprise: entA, Status: opencube.OrderNotEnabled})
	if err != nil {
		t.Fatalf("FindOrders: %v", err)
	}
	if diff := cmp.Diff([]*opencube.Order{other, waiting}, orders, opts); diff != "" {
		t.Errorf("after a refused write and a good one (-want +got):\n%s", diff)
	}

	// Ending the active order and starting the next in one transaction (the
	// keep_alive flow) is allowed.
	endedActive := *active
	endedActive.Status, endedActive.EndedAt, endedActive.UpdatedAt = opencube.OrderEnded, ptr(at(time.Hour)), at(time.Hour)
	next := enable(waiting, opencube.OrderInUse)
	f.update(t, func(tx opencube.OrderTx) error {
		if err := tx.UpdateOrder(f.ctx, &endedActive); err != nil {
			return err
		}
		return tx.UpdateOrder(f.ctx, next)
	})
	var got *opencube.Order
	f.update(t, func(tx opencube.OrderTx) error {
		var err error
		got, err = tx.ActiveOrder(f.ctx, sim1.ICCID)
		return err
	})
	if diff := cmp.Diff(next, got, opts); diff != "" {
		t.Errorf("ActiveOrder after end and enable (-want +got):\n%s", diff)
	}
}

func testOrderRoundTrip(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	full := &opencube.Order{
		ID: orderID(1), Code: "L100000000000000001", EnterpriseCode: entA, ICCID: f.sims[2].ICCID, IMSI: f.sims[2].IMSI,
		PlanCode: "P3", PlanName: "Europe OTA 10 GB", PlanType: opencube.PlanUnlimitedDaily, VolumeBytes: 10<<30 + 1,
		OrderPeriod: 7, RenewPeriod: 3, Days: 10, TimingType: opencube.TimingFirstAttach, MCC: "208",
		Status: opencube.OrderSuspended, BuyType: opencube.BuyRenewal, PayAmountMinor: 123456789, PayRst: "1", PayType: "3",
		GlobalOrder: "GLOBAL-订单-1", TestFlow: "100", TestFlowFlag: "1", OTA: true, UsedBytes: 5<<30 + 7,
		OrderedAt: base, StartedAt: ptr(at(1500 * time.Millisecond)), ExpiresAt: ptr(time.Date(2025, 3, 10, 23, 59, 59, 0, opencube.BusinessZone)),
		EndedAt: ptr(at(48 * time.Hour)), UpdatedAt: at(49*time.Hour + time.Millisecond),
	}
	minimal := &opencube.Order{
		ID: orderID(2), EnterpriseCode: entA, ICCID: f.sims[1].ICCID, PlanCode: "P1",
		Status: opencube.OrderNotEnabled, OrderedAt: at(-time.Hour), UpdatedAt: at(-time.Hour),
	}
	f.insert(t, full, minimal)

	// Every field UpdateOrder writes, and pointers set and cleared.
	updated := *minimal
	updated.Status, updated.BuyType = opencube.OrderInUse, opencube.BuyRenewal
	updated.OrderPeriod, updated.RenewPeriod, updated.Days, updated.UsedBytes = 3, 2, 30, 1<<40
	updated.StartedAt, updated.ExpiresAt, updated.EndedAt = ptr(at(time.Hour)), ptr(at(1000*time.Hour)), ptr(at(2*time.Hour))
	updated.UpdatedAt = at(2 * time.Hour)
	cleared := *full
	cleared.Status, cleared.StartedAt, cleared.ExpiresAt, cleared.EndedAt = opencube.OrderNotEnabled, nil, nil, nil
	cleared.UpdatedAt = at(50 * time.Hour)

	for _, tt := range []struct {
		name  string
		write *opencube.Order
		want  *opencube.Order
	}{
		{"full", nil, full},
		{"minimal", nil, minimal},
		{"updated", &updated, &updated},
		{"cleared", &cleared, &cleared},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.write != nil {
				f.update(t, func(tx opencube.OrderTx) error { return tx.UpdateOrder(f.ctx, tt.write) })
			}
			if diff := cmp.Diff(tt.want, f.findOrder(t, tt.want.ID), opts); diff != "" {
				t.Errorf("OrderTx.Order (-want +got):\n%s", diff)
			}
			got, _, err := f.s.FindOrders(f.ctx, opencube.OrderFilter{Enterprise: entA, OrderID: tt.want.ID})
			if err != nil {
				t.Fatalf("FindOrders: %v", err)
			}
			if diff := cmp.Diff([]*opencube.Order{tt.want}, got, opts); diff != "" {
				t.Errorf("FindOrders (-want +got):\n%s", diff)
			}
		})
	}
}

func testFindOrders(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	sim1, sim2 := f.sims[1], f.sims[2]
	renewed := func(o *opencube.Order) *opencube.Order { o.BuyType = opencube.BuyRenewal; return o }
	all := []*opencube.Order{
		f.newOrder(1, sim1, "P1", at(0)),
		withStatus(f.newOrder(2, sim1, "P1", at(time.Minute)), opencube.OrderInUse),
		renewed(f.newOrder(3, sim2, "P2", at(time.Minute))),
		withStatus(f.newOrder(4, sim2, "P2", at(-time.Minute)), opencube.OrderExpired),
		renewed(withStatus(f.newOrder(5, sim2, "P2", at(time.Hour)), opencube.OrderInUse)),
		f.newOrder(6, sim1, "P1", at(time.Minute)),
		withStatus(f.newOrder(7, f.sims[6], "P2", at(2*time.Hour)), opencube.OrderInUse),
	}
	f.insert(t, all...)
	byID := map[string]*opencube.Order{}
	for _, o := range all {
		byID[o.ID] = o
	}
	list := func(ns ...int) []*opencube.Order {
		out := []*opencube.Order{}
		for _, n := range ns {
			out = append(out, byID[orderID(n)])
		}
		return out
	}
	checkFind(t, f.ctx, "FindOrders", f.s.FindOrders, []findCase[opencube.OrderFilter, *opencube.Order]{
		// Newest first; among equal times, larger id first.
		{"all", opencube.OrderFilter{Enterprise: entA}, list(5, 6, 3, 2, 1, 4), 6},
		{"ICCID", opencube.OrderFilter{Enterprise: entA, ICCID: sim1.ICCID}, list(6, 2, 1), 3},
		{"order id", opencube.OrderFilter{Enterprise: entA, OrderID: orderID(3)}, list(3), 1},
		{"status", opencube.OrderFilter{Enterprise: entA, Status: opencube.OrderInUse}, list(5, 2), 2},
		{"buy type", opencube.OrderFilter{Enterprise: entA, BuyType: opencube.BuyRenewal}, list(5, 3), 2},
		{"combined", opencube.OrderFilter{Enterprise: entA, ICCID: sim2.ICCID, Status: opencube.OrderNotEnabled, BuyType: opencube.BuyRenewal}, list(3), 1},
		{"no match", opencube.OrderFilter{Enterprise: entA, ICCID: sim1.ICCID, Status: opencube.OrderExpired}, nil, 0},
		{"first page", opencube.OrderFilter{Enterprise: entA, Page: opencube.PageOf(1, 4)}, list(5, 6, 3, 2), 6},
		{"last page", opencube.OrderFilter{Enterprise: entA, Page: opencube.PageOf(2, 4)}, list(1, 4), 6},
		{"full last page", opencube.OrderFilter{Enterprise: entA, Page: opencube.PageOf(2, 3)}, list(2, 1, 4), 6},
		{"past the end", opencube.OrderFilter{Enterprise: entA, Page: opencube.PageOf(3, 4)}, nil, 6},
		{"filtered page", opencube.OrderFilter{Enterprise: entA, ICCID: sim2.ICCID, Page: opencube.PageOf(2, 2)}, list(4), 3},
		{"offset without limit", opencube.OrderFilter{Enterprise: entA, Page: opencube.Page{Offset: 4}}, list(1, 4), 6},
		{"other enterprise", opencube.OrderFilter{Enterprise: entB}, list(7), 1},
		{"other enterprise's order id", opencube.OrderFilter{Enterprise: entA, OrderID: orderID(7)}, nil, 0},
		{"other enterprise's ICCID", opencube.OrderFilter{Enterprise: entB, ICCID: sim1.ICCID}, nil, 0},
		{"unknown enterprise", opencube.OrderFilter{Enterprise: "nobody"}, nil, 0},
	})
}

func testFindEvents(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	o1, o2 := f.newOrder(1, f.sims[1], "P1", base), f.newOrder(2, f.sims[6], "P2", base)
	f.insert(t, o1, o2)
	event := func(id string, o *opencube.Order, typ opencube.EventType, s opencube.OrderStatus, created time.Time) *opencube.Event {
		return &opencube.Event{ID: id, EnterpriseCode: o.EnterpriseCode, Type: typ, OrderID: o.ID, ICCID: o.ICCID, Status: s, CreatedAt: created}
	}
	late := event("e-late", o1, opencube.EventStartOrder, opencube.OrderInUse, at(time.Second))
	early := event("e-early", o1, opencube.EventCreateOrder, opencube.OrderNotEnabled, at(0))
	sameTime := event("e-a-same-time", o1, opencube.EventPauseOrder, opencube.OrderSuspended, at(time.Second))
	other := event("e-other", o2, opencube.EventCreateOrder, opencube.OrderNotEnabled, at(0))
	// Written in two transactions, out of time order: late, early, other; then sameTime.
	f.update(t, func(tx opencube.OrderTx) error {
		for _, e := range []*opencube.Event{late, early, other} {
			if err := tx.InsertEvent(f.ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	f.update(t, func(tx opencube.OrderTx) error { return tx.InsertEvent(f.ctx, sameTime) })
	tests := []struct {
		enterprise string
		want       []*opencube.Event
	}{
		// Oldest first; events of the same time in the order they were written.
		{entA, []*opencube.Event{early, late, sameTime}},
		{entB, []*opencube.Event{other}},
		{"nobody", nil},
	}
	for _, tt := range tests {
		got, err := f.s.FindEvents(f.ctx, tt.enterprise)
		if err != nil {
			t.Fatalf("FindEvents(%s): %v", tt.enterprise, err)
		}
		if diff := cmp.Diff(tt.want, got, opts); diff != "" {
			t.Errorf("FindEvents(%s) (-want +got):\n%s", tt.enterprise, diff)
		}
	}
}

func testReplay(t *testing.T, open func(*testing.T) service.Store) {
	s, ctx := open(t), context.Background()
	// Every entry is written with its answer (D28).
	replay := func(ent, key, fp string, expires time.Time) *opencube.Replay {
		return &opencube.Replay{AccessCode: ent, Key: key, Fingerprint: fp, ExpiresAt: expires, Response: []byte(`{"code":"0000","fp":"` + fp + `"}`)}
	}
	first := replay(entA, "1700000000000 sign-1", "/orderPackage", at(10*time.Minute))
	replaced := replay(entA, first.Key, "fp-3", at(30*time.Minute))
	empty := replay(entA, "1700000000000 sign-3", "/querySms", at(10*time.Minute))
	empty.Response = []byte{}
	type step struct {
		name     string
		do       func() error // optional, before the claim
		claim    *opencube.Replay
		now      time.Time
		wantOK   bool
		existing *opencube.Replay // when !wantOK
	}
	steps := []step{
		{name: "new", claim: first, now: base, wantOK: true},
		{name: "repeat", claim: replay(entA, first.Key, "fp-2", at(20*time.Minute)), now: at(time.Minute), existing: first},
		{name: "other enterprise, same key", claim: replay(entB, first.Key, "fp-b", at(10*time.Minute)), now: at(time.Minute), wantOK: true},
		{name: "other key", claim: replay(entA, "1700000000000 sign-2", "fp-1", at(10*time.Minute)), now: at(time.Minute), wantOK: true},
		{name: "just before expiry", claim: replay(entA, first.Key, "fp-2", at(20*time.Minute)), now: at(10*time.Minute - time.Millisecond), existing: first},
		{name: "at expiry, replaced", claim: replaced, now: at(10 * time.Minute), wantOK: true},
		{name: "repeat of the replacement", claim: replay(entA, first.Key, "fp-4", at(40*time.Minute)), now: at(11 * time.Minute), existing: replaced},
		{name: "other enterprise kept", claim: replay(entB, first.Key, "fp-x", at(40*time.Minute)), now: at(9 * time.Minute),
			existing: replay(entB, first.Key, "fp-b", at(10*time.Minute))},
		{name: "an empty answer", claim: empty, now: base, wantOK: true},
		{name: "an empty answer is an answer", claim: replay(entA, empty.Key, "fp-5", at(20*time.Minute)), now: at(time.Minute), existing: empty},
	}
	for _, st := range steps {
		if st.do != nil {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		existing, ok, err := s.ClaimReplay(ctx, st.claim, st.now)
		if err != nil {
			t.Fatalf("%s: ClaimReplay: %v", st.name, err)
		}
		if ok != st.wantOK {
			t.Errorf("%s: ClaimReplay ok = %v, want %v (existing %+v)", st.name, ok, st.wantOK, existing)
			continue
		}
		if !ok {
			if diff := cmp.Diff(st.existing, existing, opts); diff != "" {
				t.Errorf("%s: existing entry (-want +got):\n%s", st.name, diff)
			}
		}
	}
}

// findCase is a query of a store's Find method (FindSIMs, FindPlans,
// FindOrders) and the page and total it must answer.
type findCase[F, T any] struct {
	name      string
	filter    F
	want      []T
	wantTotal int
}

// checkFind runs each case against find, a subtest each; method names find
// in the failures.
func checkFind[F, T any](t *testing.T, ctx context.Context, method string, find func(context.Context, F) ([]T, int, error), tests []findCase[F, T]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := find(ctx, tt.filter)
			if err != nil {
				t.Fatalf("%s: %v", method, err)
			}
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("%s (-want +got):\n%s", method, diff)
			}
			if total != tt.wantTotal {
				t.Errorf("%s total = %d, want %d", method, total, tt.wantTotal)
			}
		})
	}
}
