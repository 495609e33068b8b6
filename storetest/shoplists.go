package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/shop"
)

// shopListFixture writes, for the shops' lists: four Mall orders (A paid
// through a partner, A pending on a Stripe intent, B failed at Stripe, A
// pending with no payment named), three eSIM orders (A paid through the
// partner's webhook, A waiting, B failed at Stripe) and three bundle
// groups (A's fleet-a with two SIMs, A's fleet-b empty, B's g1 with one).
func shopListFixture(t *testing.T, s ListStore) *fixture {
	t.Helper()
	f := seed(t, s, true)
	mall := []*shop.MallOrder{
		{OrderNo: "M1", EnterpriseCode: entA, ICCID: f.sims[1].ICCID, PackageCode: "P1", OrderPeriod: 1, PayID: "PAY-1",
			PayAmountMinor: 1999, PayCurrency: "CNY", Paid: true, PayProvider: "partner", OrderID: orderID(1), CreatedAt: at(time.Second), UpdatedAt: at(time.Second)},
		{OrderNo: "M2", EnterpriseCode: entA, ICCID: f.sims[2].ICCID, PackageCode: "P1", OrderPeriod: 1, PayID: "pi_2",
			PayAmountMinor: 1999, PayCurrency: "CNY", CreatedAt: at(2 * time.Second), UpdatedAt: at(2 * time.Second)},
		{OrderNo: "M3", EnterpriseCode: entB, ICCID: f.sims[6].ICCID, PackageCode: "P2", OrderPeriod: 2, PayID: "pi_3",
			PayAmountMinor: 500, PayCurrency: "USD", PayFailed: true, PayProvider: "stripe", CreatedAt: at(3 * time.Second), UpdatedAt: at(4 * time.Second)},
		{OrderNo: "M4", EnterpriseCode: entA, ICCID: f.sims[1].ICCID, PackageCode: "P2", OrderPeriod: 1,
			PayAmountMinor: 100, PayCurrency: "CNY", CreatedAt: at(4 * time.Second), UpdatedAt: at(4 * time.Second)},
	}
	if err := s.UpdateMall(f.ctx, func(tx shop.MallTx) error {
		for _, m := range mall {
			if err := tx.PutMallOrder(f.ctx, m); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	paidAt := at(1600 * time.Millisecond)
	for i, o := range []*shop.ESIMOrder{
		{ID: "E1", EnterpriseCode: entA, Status: shop.ESIMPaid, PaymentProvider: "sandbox", PaymentRef: "pp-1", ICCID: "89440000000000000001",
			SIMOrderID: orderID(7), PaidAt: &paidAt},
		{ID: "E2", EnterpriseCode: entA, Status: shop.ESIMWaiting, ICCID: "89440000000000000002"},
		{ID: "E3", EnterpriseCode: entB, Status: shop.ESIMFailed, PaymentProvider: "stripe", PaymentRef: "pi_e3", ICCID: "89440000000000000003"},
	} {
		created := at(time.Duration(1500+1000*i) * time.Millisecond)
		o.UserID, o.Email, o.PlanID, o.PackageCode, o.PlanName, o.PeriodNum = "u1", "a@example.com", 7, "CN", "China", 1
		o.Currency, o.AmountMinor, o.CreatedAt, o.ExpiresAt, o.UpdatedAt = "USD", 499, created, created.Add(time.Hour), created
		if err := s.CreateESIMOrder(f.ctx, o, false, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpdateGroups(f.ctx, func(tx shop.GroupTx) error {
		for _, g := range []*shop.BundleGroup{
			{EnterpriseCode: entA, ID: "fleet-b", Name: "B", BasePlan: "P2", CreatedAt: at(time.Second)},
			{EnterpriseCode: entA, ID: "fleet-a", Name: "A", BasePlan: "P1", CreatedAt: at(time.Second)},
			{EnterpriseCode: entB, ID: "g1", Name: "G", BasePlan: "P2", CreatedAt: at(time.Second)},
		} {
			if err := tx.InsertGroup(f.ctx, g); err != nil {
				return err
			}
		}
		for _, gs := range [][3]string{{entA, "fleet-a", f.sims[1].ICCID}, {entA, "fleet-a", f.sims[2].ICCID}, {entB, "g1", f.sims[6].ICCID}} {
			if err := tx.AddGroupSIM(f.ctx, gs[0], gs[1], gs[2], at(time.Second)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

func testListShops(t *testing.T, s ListStore) {
	f := shopListFixture(t, s)
	mallKey := func(m *shop.MallOrder) string { return m.EnterpriseCode + "/" + m.OrderNo }
	for _, tt := range []struct {
		name string
		q    operator.MallOrderQuery
		want []string
	}{
		{"all", operator.MallOrderQuery{}, []string{entA + "/M4", entB + "/M3", entA + "/M2", entA + "/M1"}},
		{"enterprise", operator.MallOrderQuery{Enterprise: entA}, []string{entA + "/M4", entA + "/M2", entA + "/M1"}},
		{"SIM", operator.MallOrderQuery{ICCID: f.sims[1].ICCID}, []string{entA + "/M4", entA + "/M1"}},
		{"SIM of another enterprise", operator.MallOrderQuery{ICCID: f.sims[1].ICCID, Enterprise: entB}, nil},
		{"paid", operator.MallOrderQuery{Status: operator.MallPaid}, []string{entA + "/M1"}},
		{"pending", operator.MallOrderQuery{Status: operator.MallPending}, []string{entA + "/M4", entA + "/M2"}},
		{"failed", operator.MallOrderQuery{Status: operator.MallFailed}, []string{entB + "/M3"}},
		{"from to", operator.MallOrderQuery{From: at(2 * time.Second), To: at(4 * time.Second)}, []string{entB + "/M3", entA + "/M2"}},
	} {
		listed(t, "ListMallOrders "+tt.name, tt.want, func(p operator.Page) (*operator.List[*shop.MallOrder], error) {
			q := tt.q
			q.Page = p
			return s.ListMallOrders(f.ctx, q)
		}, mallKey)
	}
	l, err := s.ListMallOrders(f.ctx, operator.MallOrderQuery{Status: operator.MallFailed})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("ListMallOrders(failed) = %v, %v", l, err)
	}
	if m := l.Items[0]; m.PayProvider != "stripe" || m.PayID != "pi_3" || !m.PayFailed || m.OrderPeriod != 2 || m.PayCurrency != "USD" ||
		!m.CreatedAt.Equal(at(3*time.Second)) || !m.UpdatedAt.Equal(at(4*time.Second)) {
		t.Errorf("ListMallOrders(failed): %+v", m)
	}

	paid, waiting := shop.ESIMPaid, shop.ESIMWaiting
	esimKey := func(o *shop.ESIMOrder) string { return o.ID }
	for _, tt := range []struct {
		name string
		q    operator.ESIMOrderQuery
		want []string
	}{
		{"all", operator.ESIMOrderQuery{}, []string{"E3", "E2", "E1"}},
		{"enterprise", operator.ESIMOrderQuery{Enterprise: entA}, []string{"E2", "E1"}},
		{"eSIM", operator.ESIMOrderQuery{ICCID: "89440000000000000003"}, []string{"E3"}},
		{"paid", operator.ESIMOrderQuery{Status: &paid}, []string{"E1"}},
		{"waiting of B", operator.ESIMOrderQuery{Status: &waiting, Enterprise: entB}, nil},
		{"from", operator.ESIMOrderQuery{From: at(2 * time.Second)}, []string{"E3", "E2"}},
	} {
		listed(t, "ListESIMOrders "+tt.name, tt.want, func(p operator.Page) (*operator.List[*shop.ESIMOrder], error) {
			q := tt.q
			q.Page = p
			return s.ListESIMOrders(f.ctx, q)
		}, esimKey)
	}
	el, err := s.ListESIMOrders(f.ctx, operator.ESIMOrderQuery{Status: &paid})
	if err != nil || len(el.Items) != 1 {
		t.Fatalf("ListESIMOrders(paid) = %v, %v", el, err)
	}
	if o := el.Items[0]; o.SIMOrderID != orderID(7) || o.PaymentRef != "pp-1" || o.PaidAt == nil || !o.PaidAt.Equal(at(1600*time.Millisecond)) {
		t.Errorf("ListESIMOrders(paid): %+v", o)
	}

	payKey := func(p *operator.Payment) string { return p.Shop + ":" + p.OrderNo }
	for _, tt := range []struct {
		name string
		q    operator.PaymentQuery
		want []string
	}{
		// M4 names no payment, E2 has none reported: neither is listed.
		{"all", operator.PaymentQuery{}, []string{"esim:E3", "mall:M3", "mall:M2", "esim:E1", "mall:M1"}},
		{"enterprise", operator.PaymentQuery{Enterprise: entA}, []string{"mall:M2", "esim:E1", "mall:M1"}},
		{"shop", operator.PaymentQuery{Shop: operator.ShopESIM}, []string{"esim:E3", "esim:E1"}},
		{"SIM", operator.PaymentQuery{ICCID: f.sims[1].ICCID}, []string{"mall:M1"}},
		{"eSIM", operator.PaymentQuery{ICCID: "89440000000000000003", Enterprise: entB}, []string{"esim:E3"}},
		{"succeeded", operator.PaymentQuery{Status: operator.PaymentSucceeded}, []string{"esim:E1", "mall:M1"}},
		{"failed of B", operator.PaymentQuery{Status: operator.PaymentFailed, Enterprise: entB}, []string{"esim:E3", "mall:M3"}},
		{"pending", operator.PaymentQuery{Status: operator.PaymentPending}, []string{"mall:M2"}},
		{"to", operator.PaymentQuery{To: at(2 * time.Second)}, []string{"esim:E1", "mall:M1"}},
	} {
		listed(t, "ListPayments "+tt.name, tt.want, func(p operator.Page) (*operator.List[*operator.Payment], error) {
			q := tt.q
			q.Page = p
			return s.ListPayments(f.ctx, q)
		}, payKey)
	}
	pl, err := s.ListPayments(f.ctx, operator.PaymentQuery{Enterprise: entA, Status: operator.PaymentSucceeded})
	if err != nil {
		t.Fatal(err)
	}
	want := []*operator.Payment{
		{Shop: operator.ShopESIM, Enterprise: entA, OrderNo: "E1", ICCID: "89440000000000000001", Provider: "sandbox", Reference: "pp-1",
			AmountMinor: 499, Currency: "USD", Status: operator.PaymentSucceeded, SIMOrderID: orderID(7), CreatedAt: at(1500 * time.Millisecond), UpdatedAt: at(1500 * time.Millisecond)},
		{Shop: operator.ShopMall, Enterprise: entA, OrderNo: "M1", ICCID: f.sims[1].ICCID, Provider: "partner", Reference: "PAY-1",
			AmountMinor: 1999, Currency: "CNY", Status: operator.PaymentSucceeded, SIMOrderID: orderID(1), CreatedAt: at(time.Second), UpdatedAt: at(time.Second)},
	}
	if d := cmp.Diff(want, pl.Items, opts); d != "" {
		t.Errorf("ListPayments of A, succeeded (-want +got):\n%s", d)
	}

	groupKey := func(g *shop.BundleGroup) string { return fmt.Sprintf("%s/%s:%d", g.EnterpriseCode, g.ID, g.SIMs) }
	listed(t, "ListGroups", []string{entA + "/fleet-a:2", entA + "/fleet-b:0", entB + "/g1:1"}, func(p operator.Page) (*operator.List[*shop.BundleGroup], error) {
		return s.ListGroups(f.ctx, operator.GroupQuery{Page: p})
	}, groupKey)
	listed(t, "ListGroups of B", []string{entB + "/g1:1"}, func(p operator.Page) (*operator.List[*shop.BundleGroup], error) {
		return s.ListGroups(f.ctx, operator.GroupQuery{Enterprise: entB, Page: p})
	}, groupKey)

	bad := operator.Page{Cursor: *operator.Cursor("not-a-time", "x", "y")}
	_, err = s.ListMallOrders(f.ctx, operator.MallOrderQuery{Page: bad})
	checkInvalidCursor(t, "ListMallOrders", bad.Cursor, err)
	bad = operator.Page{Cursor: *operator.Cursor("not-a-time", "x", "y", "z")}
	_, err = s.ListPayments(f.ctx, operator.PaymentQuery{Page: bad})
	checkInvalidCursor(t, "ListPayments", bad.Cursor, err)
}
