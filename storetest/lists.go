package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// ListStore is a store with the operator's lists.
type ListStore interface {
	service.Store
	operator.ListStore
}

// RunLists runs the conformance suite of operator.ListStore against stores
// made by open, as Run does: each list, each filter, every page of a list
// walked with its cursors (nothing twice, nothing missed), bad cursors.
func RunLists(t *testing.T, open func(t *testing.T) ListStore) {
	tests := []struct {
		name string
		fn   func(*testing.T, ListStore)
	}{
		{"Enterprises", testListEnterprises},
		{"SIMs", testListSIMs},
		{"SIMPrefix", testListSIMPrefix},
		{"Orders", testListOrders},
		{"Plans", testListPlans},
		{"Usage", testListUsage},
		{"Sessions", testListSessions},
		{"SMS", testListSMS},
		{"Jobs", testListJobs},
		{"Shops", testListShops},
		{"BadCursors", testListBadCursors},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

// walk reads every page of a list, limit items a page, and returns the
// keys of its items in order; it fails the test when a page is longer than
// limit, when a page but the last is short, or when an item comes twice.
func walk[T any](t *testing.T, what string, limit int, page func(operator.Page) (*operator.List[T], error), key func(T) string) []string {
	t.Helper()
	var (
		keys []string
		seen = map[string]bool{}
		p    = operator.Page{Limit: limit}
	)
	for n := 0; ; n++ {
		if n > 1000 {
			t.Fatalf("%s: no end after 1000 pages", what)
		}
		l, err := page(p)
		if err != nil {
			t.Fatalf("%s: page %d: %v", what, n, err)
		}
		if len(l.Items) > limit || (l.Next != nil && len(l.Items) != limit) {
			t.Fatalf("%s: page %d has %d items (limit %d), next %v", what, n, len(l.Items), limit, l.Next)
		}
		for _, it := range l.Items {
			k := key(it)
			if seen[k] {
				t.Errorf("%s: %s listed twice", what, k)
			}
			seen[k] = true
			keys = append(keys, k)
		}
		if l.Next == nil {
			return keys
		}
		p.Cursor = *l.Next
	}
}

// listed checks that every page size lists want, in order.
func listed[T any](t *testing.T, what string, want []string, page func(operator.Page) (*operator.List[T], error), key func(T) string) {
	t.Helper()
	for _, limit := range []int{1, 2, 3, 500} {
		got := walk(t, what, limit, page, key)
		if diff := cmp.Diff(want, got, opts); diff != "" {
			t.Errorf("%s, %d a page (-want +got):\n%s", what, limit, diff)
		}
	}
	l, err := page(operator.Page{Count: true})
	if err != nil {
		t.Fatalf("%s: count: %v", what, err)
	}
	if l.Total == nil || *l.Total != len(want) || l.Capped {
		t.Errorf("%s: total %v (capped %v), want %d", what, l.Total, l.Capped, len(want))
	}
	if l, err := page(operator.Page{}); err != nil || l.Total != nil {
		t.Errorf("%s without count: total %v, %v; want none", what, l.Total, err)
	}
}

func simKey(s *opencube.SIM) string     { return s.ICCID }
func orderKey(o *opencube.Order) string { return o.ID }

func testListEnterprises(t *testing.T, s ListStore) {
	f := seed(t, s, true)
	for _, e := range []*opencube.Enterprise{
		{AccessCode: "P000270", Name: "Acme Logistics", Secrets: []string{"s1", "s2"}, CreatedAt: base},
		{AccessCode: "Q_1", Name: "100% Trackers", Secrets: []string{"s"}, CreatedAt: base},
	} {
		if err := s.CreateEnterprise(f.ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	code := func(e *opencube.Enterprise) string { return e.AccessCode }
	for _, tt := range []struct {
		q    operator.EnterpriseQuery
		want []string
	}{
		{operator.EnterpriseQuery{}, []string{"P000270", "Q_1", entA, entB}},
		{operator.EnterpriseQuery{Q: "ent"}, []string{entA, entB}},
		{operator.EnterpriseQuery{Q: "ENT-A"}, []string{entA}},
		{operator.EnterpriseQuery{Q: "logist"}, []string{"P000270"}},
		{operator.EnterpriseQuery{Q: "p0"}, []string{"P000270"}},
		{operator.EnterpriseQuery{Q: "100%"}, []string{"Q_1"}},
		{operator.EnterpriseQuery{Q: "%"}, []string{"Q_1"}},
		{operator.EnterpriseQuery{Q: "_"}, nil}, // a code starting with _, a name with _
		{operator.EnterpriseQuery{Q: "000270 "}, nil},
		{operator.EnterpriseQuery{AccessCode: entB}, []string{entB}},
		{operator.EnterpriseQuery{Status: opencube.EnterpriseActive}, []string{"P000270", "Q_1", entA, entB}},
		{operator.EnterpriseQuery{Status: opencube.EnterpriseDisabled}, nil},
	} {
		listed(t, fmt.Sprintf("ListEnterprises(%+v)", tt.q), tt.want, func(p operator.Page) (*operator.List[*opencube.Enterprise], error) {
			q := tt.q
			q.Page = p
			return s.ListEnterprises(f.ctx, q)
		}, code)
	}
	l, err := s.ListEnterprises(f.ctx, operator.EnterpriseQuery{AccessCode: "P000270"})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("ListEnterprises(P000270) = %v, %v", l, err)
	}
	if e := l.Items[0]; e.Name != "Acme Logistics" || !slices.Equal(e.Secrets, []string{"s1", "s2"}) || !e.CreatedAt.Equal(base) ||
		e.Status != opencube.EnterpriseActive {
		t.Errorf("listed enterprise %+v", e)
	}

	f.insert(t, withStatus(f.newOrder(1, f.sims[1], "P1", at(time.Minute)), opencube.OrderInUse),
		withStatus(f.newOrder(2, f.sims[2], "P1", at(time.Minute)), opencube.OrderInUse),
		f.newOrder(3, f.sims[3], "P1", at(time.Minute)))
	c, err := s.EnterpriseCounts(f.ctx, entA)
	if err != nil {
		t.Fatal(err)
	}
	if want := (operator.Counts{SIMs: 5, OrdersInUse: 2}); *c != want {
		t.Errorf("EnterpriseCounts(A) = %+v, want %+v", *c, want)
	}
}

// simFixture is the SIMs of testListSIMs: enterprise A's 1-5 and B's 6-8
// of seed, with SIM 2 suspended, 3 in inventory, 1 and 6 with an order in
// use, 2 with a not-enabled order, 1 and 7 online (7 twice), 4 with a
// closed session.
func simFixture(t *testing.T, s ListStore) *fixture {
	f := seed(t, s, true)
	for n, st := range map[int]opencube.SIMStatus{2: opencube.SIMSuspended, 3: opencube.SIMInventory} {
		err := s.UpdateUsage(f.ctx, func(tx opencube.UsageTx) error { return tx.UpdateSIMStatus(f.ctx, f.sims[n].ICCID, st) })
		if err != nil {
			t.Fatal(err)
		}
		f.sims[n].Status = st
	}
	f.insert(t, withStatus(f.newOrder(1, f.sims[1], "P1", at(time.Minute)), opencube.OrderInUse),
		withStatus(f.newOrder(6, f.sims[6], "P2", at(time.Minute)), opencube.OrderInUse),
		f.newOrder(2, f.sims[2], "P1", at(time.Minute)))
	err := s.UpdateUsage(f.ctx, func(tx opencube.UsageTx) error {
		for i, sess := range []struct {
			n     int
			state opencube.SessionState
		}{{1, opencube.SessionOpen}, {7, opencube.SessionOpen}, {7, opencube.SessionOpen}, {4, opencube.SessionStopped}} {
			sim := f.sims[sess.n]
			err := tx.PutSession(f.ctx, &opencube.DataSession{
				NAS: "10.0.0.1", ID: fmt.Sprintf("sess-%d", i), ICCID: sim.ICCID, IMSI: sim.IMSI, EnterpriseCode: sim.EnterpriseCode,
				StartedAt: at(time.Duration(i) * time.Minute), LastAt: at(time.Hour - time.Duration(i)*time.Minute), State: sess.state,
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func testListSIMs(t *testing.T, s ListStore) {
	f := simFixture(t, s)
	iccids := func(ns ...int) []string {
		var out []string
		for _, n := range ns {
			out = append(out, f.sims[n].ICCID)
		}
		return out
	}
	yes, no := true, false
	for _, tt := range []struct {
		name string
		q    operator.SIMQuery
		want []string
	}{
		{"all", operator.SIMQuery{}, iccids(1, 2, 3, 4, 5, 6, 7, 8)},
		{"enterprise", operator.SIMQuery{Enterprise: entB}, iccids(6, 7, 8)},
		{"status", operator.SIMQuery{Status: opencube.SIMActive}, iccids(1, 4, 5, 6, 7, 8)},
		{"enterprise and status", operator.SIMQuery{Enterprise: entA, Status: opencube.SIMInventory}, iccids(3)},
		{"online", operator.SIMQuery{Online: &yes}, iccids(1, 7)},
		{"offline", operator.SIMQuery{Online: &no, Enterprise: entA}, iccids(2, 3, 4, 5)},
		{"in use", operator.SIMQuery{InUse: &yes}, iccids(1, 6)},
		{"not in use", operator.SIMQuery{InUse: &no}, iccids(2, 3, 4, 5, 7, 8)},
		{"unknown enterprise", operator.SIMQuery{Enterprise: "nobody"}, nil},
	} {
		listed(t, "ListSIMs "+tt.name, tt.want, func(p operator.Page) (*operator.List[*opencube.SIM], error) {
			q := tt.q
			q.Page = p
			return s.ListSIMs(f.ctx, q)
		}, simKey)
	}
	l, err := s.ListSIMs(f.ctx, operator.SIMQuery{Enterprise: entA, Status: opencube.SIMSuspended})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("ListSIMs(suspended) = %v, %v", l, err)
	}
	if diff := cmp.Diff(f.sims[2], l.Items[0], opts); diff != "" {
		t.Errorf("listed SIM (-want +got):\n%s", diff)
	}
	got, err := s.FindSIM(f.ctx, f.sims[7].ICCID)
	if diff := cmp.Diff(f.sims[7], got, opts); err != nil || diff != "" {
		t.Errorf("FindSIM: %v (-want +got):\n%s", err, diff)
	}
	_, err = s.FindSIM(f.ctx, "89860000000000000999")
	checkKind(t, "FindSIM(unknown)", err, opencube.KindDeviceNotFound, false)
}

func testListSIMPrefix(t *testing.T, s ListStore) {
	f := seed(t, s, true)
	// SIM 20's MSISDN starts as the ICCIDs do; SIM 21's IMSI as SIM 22's
	// MSISDN, and its MSISDN as the others' IMSIs.
	odd := []*opencube.SIM{
		{ICCID: "8944000000000000020", IMSI: "234150000000020", MSISDN: "898600000000", EnterpriseCode: entB, Status: opencube.SIMActive, CreatedAt: base},
		{ICCID: "8944000000000000021", IMSI: "460020000000021", MSISDN: "46001999", EnterpriseCode: entA, Status: opencube.SIMActive, CreatedAt: base},
		{ICCID: "8944000000000000022", IMSI: "234150000000022", MSISDN: "4600200", EnterpriseCode: entA, Status: opencube.SIMActive, CreatedAt: base},
		{ICCID: "8999999999999999999", IMSI: "999990000000001", MSISDN: "999", EnterpriseCode: entA, Status: opencube.SIMActive, CreatedAt: base},
	}
	if err := s.CreateSIMs(f.ctx, odd); err != nil {
		t.Fatal(err)
	}
	iccids := func(ns ...int) []string {
		var out []string
		for _, n := range ns {
			out = append(out, f.sims[n].ICCID)
		}
		return out
	}
	cat := func(l ...[]string) []string { return slices.Concat(l...) }
	for _, tt := range []struct {
		q    string
		ent  string
		want []string
	}{
		// Every ICCID of seed, then SIM 20 by its MSISDN.
		{"8986", "", cat(iccids(1, 2, 3, 4, 5, 6, 7, 8), []string{odd[0].ICCID})},
		{f.sims[3].ICCID, "", iccids(3)},
		{"8944", "", []string{odd[0].ICCID, odd[1].ICCID, odd[2].ICCID}},
		// IMSI prefix: IMSI order; then SIM 21 by its MSISDN.
		{"46001", "", cat(iccids(1, 2, 3, 4, 5, 6, 7, 8), []string{odd[1].ICCID})},
		{"4600100000000", "", iccids(1, 2, 3, 4, 5, 6, 7, 8)},
		{"4600100000000", entB, iccids(6, 7, 8)},
		// SIM 21 by its IMSI, then SIM 22 by its MSISDN.
		{"46002", "", []string{odd[1].ICCID, odd[2].ICCID}},
		{"46002", entB, nil},
		// MSISDN prefix: MSISDN order.
		{"8613800000007", "", iccids(7)},
		{"86138", entA, iccids(1, 2, 3, 4, 5)},
		// All nines: no upper bound.
		{"9", "", []string{odd[3].ICCID}},
		{"899", "", []string{odd[3].ICCID}},
		{"1", "", nil},
	} {
		listed(t, fmt.Sprintf("ListSIMs(q=%s, enterprise=%s)", tt.q, tt.ent), tt.want, func(p operator.Page) (*operator.List[*opencube.SIM], error) {
			return s.ListSIMs(f.ctx, operator.SIMQuery{Q: tt.q, Enterprise: tt.ent, Page: p})
		}, simKey)
	}
}

func testListOrders(t *testing.T, s ListStore) {
	f := seed(t, s, true)
	// Orders 1-9 on SIMs 2, 6, 1, 2, 6, 1... (6 is B's), at minutes 1-9
	// but 5 at 4, with 4; 4 and 8 expired.
	var all []*opencube.Order
	for n := 1; n <= 9; n++ {
		sim := f.sims[[]int{1, 2, 6}[n%3]]
		plan := "P1"
		if sim.EnterpriseCode == entB {
			plan = "P2"
		}
		minute := n
		if n == 5 {
			minute = 4
		}
		o := f.newOrder(n, sim, plan, at(time.Duration(minute)*time.Minute))
		if n%4 == 0 {
			withStatus(o, opencube.OrderExpired)
		}
		all = append(all, o)
	}
	f.insert(t, all...)
	// Newest first, id breaking the tie of 4 and 5.
	ids := func(ns ...int) []string {
		var out []string
		for _, n := range ns {
			out = append(out, orderID(n))
		}
		return out
	}
	for _, tt := range []struct {
		name string
		q    operator.OrderQuery
		want []string
	}{
		{"all", operator.OrderQuery{}, ids(9, 8, 7, 6, 5, 4, 3, 2, 1)},
		{"enterprise", operator.OrderQuery{Enterprise: entA}, ids(9, 7, 6, 4, 3, 1)},
		{"SIM", operator.OrderQuery{ICCID: f.sims[1].ICCID}, ids(9, 6, 3)},
		{"enterprise and SIM", operator.OrderQuery{Enterprise: entA, ICCID: f.sims[1].ICCID}, ids(9, 6, 3)},
		{"other enterprise's SIM", operator.OrderQuery{Enterprise: entB, ICCID: f.sims[1].ICCID}, nil},
		{"status", operator.OrderQuery{Status: opencube.OrderExpired}, ids(8, 4)},
		{"plan", operator.OrderQuery{Plan: "P2"}, ids(8, 5, 2)},
		{"from", operator.OrderQuery{From: at(4 * time.Minute)}, ids(9, 8, 7, 6, 5, 4)},
		{"to", operator.OrderQuery{To: at(4 * time.Minute)}, ids(3, 2, 1)},
		{"from to", operator.OrderQuery{Enterprise: entA, From: at(2 * time.Minute), To: at(8 * time.Minute)}, ids(7, 6, 4, 3)},
	} {
		listed(t, "ListOrders "+tt.name, tt.want, func(p operator.Page) (*operator.List[*opencube.Order], error) {
			q := tt.q
			q.Page = p
			return s.ListOrders(f.ctx, q)
		}, orderKey)
	}
	l, err := s.ListOrders(f.ctx, operator.OrderQuery{Plan: "P2", Page: operator.Page{Limit: 1}})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("ListOrders(P2) = %v, %v", l, err)
	}
	if diff := cmp.Diff(all[7], l.Items[0], opts); diff != "" {
		t.Errorf("listed order (-want +got):\n%s", diff)
	}

	// An order's events, oldest first.
	ev := func(id string, o *opencube.Order, typ opencube.EventType, d time.Duration) *opencube.Event {
		return &opencube.Event{ID: id, EnterpriseCode: o.EnterpriseCode, Type: typ, OrderID: o.ID, ICCID: o.ICCID,
			Status: o.Status, CreatedAt: at(d), IMSI: o.IMSI, PlanCode: o.PlanCode}
	}
	e1, e2, e3 := ev("EV1", all[0], opencube.EventType("1000"), time.Hour), ev("EV2", all[3], opencube.EventType("1000"), time.Hour), ev("EV3", all[0], opencube.EventType("1001"), 2*time.Hour)
	f.update(t, func(tx opencube.OrderTx) error {
		for _, e := range []*opencube.Event{e3, e2, e1} {
			if err := tx.InsertEvent(f.ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	o, events, err := s.FindOrder(f.ctx, all[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(all[0], o, opts); diff != "" {
		t.Errorf("FindOrder (-want +got):\n%s", diff)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.ID)
		if e.Seq == 0 || e.OrderID != all[0].ID {
			t.Errorf("event %+v", e)
		}
	}
	if !slices.Equal(got, []string{"EV1", "EV3"}) {
		t.Errorf("FindOrder events %v, want EV1 EV3", got)
	}
	_, _, err = s.FindOrder(f.ctx, orderID(99))
	checkKind(t, "FindOrder(unknown)", err, opencube.KindOrderNotFound, false)
}

func testListPlans(t *testing.T, s ListStore) {
	f := seed(t, s, true)
	code := func(p *opencube.Plan) string { return p.Code }
	for _, tt := range []struct {
		q    operator.PlanQuery
		want []string
	}{
		{operator.PlanQuery{}, []string{"P1", "P2", "P3", "P4", "P5"}},
		{operator.PlanQuery{Enterprise: entA}, []string{"P1", "P2", "P3"}},
		{operator.PlanQuery{Enterprise: entB}, []string{"P2", "P5"}},
		{operator.PlanQuery{Enterprise: "nobody"}, nil},
		{operator.PlanQuery{Status: opencube.PlanActive}, []string{"P1", "P2", "P3", "P4", "P5"}},
		{operator.PlanQuery{Status: opencube.PlanRetired}, nil},
	} {
		listed(t, fmt.Sprintf("ListPlans(%+v)", tt.q), tt.want, func(p operator.Page) (*operator.List[*opencube.Plan], error) {
			q := tt.q
			q.Page = p
			return s.ListPlans(f.ctx, q)
		}, code)
	}
	p, grants, err := s.FindPlan(f.ctx, "P2")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.plans["P2"], p, opts); diff != "" {
		t.Errorf("FindPlan (-want +got):\n%s", diff)
	}
	if !slices.Equal(grants, []string{entA, entB}) {
		t.Errorf("FindPlan(P2) grants %v", grants)
	}
	if _, grants, err := s.FindPlan(f.ctx, "P4"); err != nil || len(grants) != 0 {
		t.Errorf("FindPlan(P4) = %v, %v; want no grants", grants, err)
	}
	_, _, err = s.FindPlan(f.ctx, "P9")
	checkKind(t, "FindPlan(unknown)", err, opencube.KindPlanNotOrderable, false)
}

func testListUsage(t *testing.T, s ListStore) {
	f := seed(t, s, true)
	err := s.UpdateUsage(f.ctx, func(tx opencube.UsageTx) error {
		for _, u := range []struct {
			n     int
			day   int
			bytes int64
		}{{1, 20250228, 100}, {1, 20250301, 10}, {2, 20250301, 20}, {2, 20250302, 5}, {6, 20250301, 1000}, {1, 20250401, 7}} {
			if err := tx.AddDailyUsage(f.ctx, f.sims[u.n].EnterpriseCode, f.sims[u.n].ICCID, u.day, u.bytes); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		q    operator.UsageQuery
		want []operator.UsagePoint
	}{
		{"SIM by day", operator.UsageQuery{ICCID: f.sims[1].ICCID, Granularity: operator.ByDay, From: 20250101, To: 20251231},
			[]operator.UsagePoint{{Period: 20250228, Bytes: 100}, {Period: 20250301, Bytes: 10}, {Period: 20250401, Bytes: 7}}},
		{"SIM range", operator.UsageQuery{ICCID: f.sims[1].ICCID, Granularity: operator.ByDay, From: 20250301, To: 20250331},
			[]operator.UsagePoint{{Period: 20250301, Bytes: 10}}},
		{"SIM of another enterprise", operator.UsageQuery{ICCID: f.sims[1].ICCID, Enterprise: entB, Granularity: operator.ByDay, From: 20250101, To: 20251231}, nil},
		{"enterprise by day", operator.UsageQuery{Enterprise: entA, Granularity: operator.ByDay, From: 20250101, To: 20251231},
			[]operator.UsagePoint{{Period: 20250228, Bytes: 100}, {Period: 20250301, Bytes: 30}, {Period: 20250302, Bytes: 5}, {Period: 20250401, Bytes: 7}}},
		{"enterprise by month", operator.UsageQuery{Enterprise: entA, Granularity: operator.ByMonth, From: 20250101, To: 20251231},
			[]operator.UsagePoint{{Period: 202502, Bytes: 100}, {Period: 202503, Bytes: 35}, {Period: 202504, Bytes: 7}}},
		{"SIM by month", operator.UsageQuery{ICCID: f.sims[6].ICCID, Granularity: operator.ByMonth, From: 20250101, To: 20251231},
			[]operator.UsagePoint{{Period: 202503, Bytes: 1000}}},
	} {
		got, err := s.Usage(f.ctx, tt.q)
		if err != nil {
			t.Fatalf("Usage %s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got, opts); diff != "" {
			t.Errorf("Usage %s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func testListSessions(t *testing.T, s ListStore) {
	f := simFixture(t, s)
	key := func(d *opencube.DataSession) string { return d.ID }
	// Sessions 0 (SIM 1), 1 and 2 (SIM 7) are open; newest started first
	// (their last records run the other way).
	for _, tt := range []struct {
		name string
		q    operator.SessionQuery
		want []string
	}{
		{"all", operator.SessionQuery{}, []string{"sess-2", "sess-1", "sess-0"}},
		{"enterprise", operator.SessionQuery{Enterprise: entA}, []string{"sess-0"}},
		{"SIM", operator.SessionQuery{ICCID: f.sims[7].ICCID}, []string{"sess-2", "sess-1"}},
		{"SIM of another enterprise", operator.SessionQuery{ICCID: f.sims[7].ICCID, Enterprise: entA}, nil},
		{"closed only", operator.SessionQuery{ICCID: f.sims[4].ICCID}, nil},
	} {
		listed(t, "ListSessions "+tt.name, tt.want, func(p operator.Page) (*operator.List[*opencube.DataSession], error) {
			q := tt.q
			q.Page = p
			return s.ListSessions(f.ctx, q)
		}, key)
	}
}

func testListSMS(t *testing.T, s ListStore) {
	f := seed(t, s, true)
	newSMS := func(n int, sim *opencube.SIM, dir opencube.SMSDirection, created time.Duration) *opencube.SMS {
		return &opencube.SMS{
			ID: fmt.Sprintf("SMS_%d", n), EnterpriseCode: sim.EnterpriseCode, ICCID: sim.ICCID, MSISDN: sim.MSISDN, Direction: dir,
			Type: opencube.SMSText, Content: "hello", Encoding: "gsm7", Segments: 1, State: opencube.SMSQueued,
			CreatedAt: at(created).UTC(), UpdatedAt: at(created).UTC(),
		}
	}
	msgs := []*opencube.SMS{
		newSMS(1, f.sims[1], opencube.SMSMT, 0),
		newSMS(2, f.sims[1], opencube.SMSMO, time.Hour),
		newSMS(3, f.sims[2], opencube.SMSMT, time.Hour),
		newSMS(4, f.sims[6], opencube.SMSMT, 2*time.Hour),
		newSMS(5, f.sims[1], opencube.SMSMT, 3*time.Hour),
	}
	msgs[1].State = opencube.SMSDelivered
	err := s.UpdateSMS(f.ctx, func(tx opencube.SMSTx) error {
		for _, m := range msgs {
			if err := tx.InsertSMS(f.ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	key := func(m *opencube.SMS) string { return m.ID }
	for _, tt := range []struct {
		name string
		q    operator.SMSQuery
		want []string
	}{
		{"all", operator.SMSQuery{}, []string{"SMS_5", "SMS_4", "SMS_3", "SMS_2", "SMS_1"}},
		{"enterprise", operator.SMSQuery{Enterprise: entA}, []string{"SMS_5", "SMS_3", "SMS_2", "SMS_1"}},
		{"SIM", operator.SMSQuery{ICCID: f.sims[1].ICCID}, []string{"SMS_5", "SMS_2", "SMS_1"}},
		{"SIM of another enterprise", operator.SMSQuery{ICCID: f.sims[1].ICCID, Enterprise: entB}, nil},
		{"direction", operator.SMSQuery{Direction: opencube.SMSMO}, []string{"SMS_2"}},
		{"state", operator.SMSQuery{State: opencube.SMSQueued, Enterprise: entA}, []string{"SMS_5", "SMS_3", "SMS_1"}},
		{"from to", operator.SMSQuery{From: at(time.Hour), To: at(3 * time.Hour)}, []string{"SMS_4", "SMS_3", "SMS_2"}},
	} {
		listed(t, "ListSMS "+tt.name, tt.want, func(p operator.Page) (*operator.List[*opencube.SMS], error) {
			q := tt.q
			q.Page = p
			return s.ListSMS(f.ctx, q)
		}, key)
	}
	l, err := s.ListSMS(f.ctx, operator.SMSQuery{Direction: opencube.SMSMO})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("ListSMS(mo) = %v, %v", l, err)
	}
	if diff := cmp.Diff(msgs[1], l.Items[0], opts); diff != "" {
		t.Errorf("listed SMS (-want +got):\n%s", diff)
	}
}

func testListJobs(t *testing.T, s ListStore) {
	ctx := context.Background()
	now := at(time.Hour)
	jobs := []*opencube.Job{
		newJob("j1", kindA, "k1", at(0)),             // claimed below: running
		newJob("j2", kindA, "k2", at(time.Minute)),   // retried below: failed
		newJob("j3", kindB, "k3", at(2*time.Minute)), // due
		newJob("j4", kindA, "k4", at(2*time.Minute)), // due
		newJob("j5", kindB, "k5", at(2*time.Hour)),   // waiting
		newJob("j6", kindA, "k6", at(3*time.Minute)), // claimed, its lease over: due
	}
	insertJobs(t, s, jobs...)
	if got, err := s.ClaimJobs(ctx, "n1", []string{kindA}, 2, at(90*time.Second), 2*time.Hour); err != nil || len(got) != 2 {
		t.Fatalf("ClaimJobs = %v, %v", got, err)
	}
	if err := s.RetryJob(ctx, "j2", "n1", at(90*time.Minute), "boom"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ClaimJobs(ctx, "n2", []string{kindA}, 1, at(3*time.Minute), time.Minute); err != nil || len(got) != 1 || got[0].ID != "j4" {
		t.Fatalf("ClaimJobs(j4) = %v, %v", got, err)
	}
	// j4's lease ran out at 4 minutes: due again. j6 was never claimed.
	key := func(j *operator.JobView) string { return j.ID + ":" + string(j.State) }
	for _, tt := range []struct {
		name string
		q    operator.JobQuery
		want []string
	}{
		{"all", operator.JobQuery{}, []string{"j1:running", "j3:due", "j4:due", "j6:due", "j2:failed", "j5:waiting"}},
		{"kind", operator.JobQuery{Kind: kindB}, []string{"j3:due", "j5:waiting"}},
		{"running", operator.JobQuery{State: operator.JobRunning}, []string{"j1:running"}},
		{"failed", operator.JobQuery{State: operator.JobFailed}, []string{"j2:failed"}},
		{"due", operator.JobQuery{State: operator.JobDue}, []string{"j3:due", "j4:due", "j6:due"}},
		{"due of a kind", operator.JobQuery{State: operator.JobDue, Kind: kindA}, []string{"j4:due", "j6:due"}},
		{"waiting", operator.JobQuery{State: operator.JobWaiting}, []string{"j5:waiting"}},
	} {
		listed(t, "ListJobs "+tt.name, tt.want, func(p operator.Page) (*operator.List[*operator.JobView], error) {
			q := tt.q
			q.Page = p
			return s.ListJobs(ctx, q, now)
		}, key)
	}
}

func testListBadCursors(t *testing.T, s ListStore) {
	f := seed(t, s, true)
	bad := []string{"x", "!!!", *operator.Cursor("a"), *operator.Cursor("a", "b", "c", "d"), *operator.Cursor("7", "x", "y"),
		*operator.Cursor("-1", "x", "y")}
	timeBad := *operator.Cursor("yesterday", "id")
	for _, c := range bad {
		p := operator.Page{Cursor: c}
		_, err := s.ListSIMs(f.ctx, operator.SIMQuery{Page: p})
		checkInvalidCursor(t, "ListSIMs", c, err)
		_, err = s.ListSIMs(f.ctx, operator.SIMQuery{Q: "89", Page: p})
		checkInvalidCursor(t, "ListSIMs(q)", c, err)
		_, err = s.ListOrders(f.ctx, operator.OrderQuery{Page: p})
		checkInvalidCursor(t, "ListOrders", c, err)
		_, err = s.ListEnterprises(f.ctx, operator.EnterpriseQuery{Page: operator.Page{Cursor: c + "x"}})
		checkInvalidCursor(t, "ListEnterprises", c, err)
	}
	p := operator.Page{Cursor: timeBad}
	_, err := s.ListOrders(f.ctx, operator.OrderQuery{Page: p})
	checkInvalidCursor(t, "ListOrders", timeBad, err)
	_, err = s.ListSMS(f.ctx, operator.SMSQuery{Page: p})
	checkInvalidCursor(t, "ListSMS", timeBad, err)
	_, err = s.ListJobs(f.ctx, operator.JobQuery{Page: p}, base)
	checkInvalidCursor(t, "ListJobs", timeBad, err)
	_, err = s.ListSessions(f.ctx, operator.SessionQuery{Page: operator.Page{Cursor: *operator.Cursor("x", "n", "i")}})
	checkInvalidCursor(t, "ListSessions", "x", err)
}

func checkInvalidCursor(t *testing.T, what, cursor string, err error) {
	t.Helper()
	var e *opencube.Error
	if !errors.As(err, &e) || e.Kind != opencube.KindInvalid || e.Field != "cursor" {
		t.Errorf("%s(cursor %q): %v; want invalid cursor", what, cursor, err)
	}
}
