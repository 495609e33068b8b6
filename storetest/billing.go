package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/service"
)

// billingFixture is the seeded store with the order services over it, on
// a clock that moves only when told.
type billingFixture struct {
	*fixture
	svc *service.Set
	now atomic.Int64 // unix microseconds
	ctx context.Context
}

func newBillingFixture(t *testing.T, open func(*testing.T) service.Store) *billingFixture {
	t.Helper()
	s := open(t)
	f := &billingFixture{fixture: seed(t, s, true)}
	f.now.Store(at(time.Hour).UnixMicro())
	clock := opencube.ClockFunc(func() time.Time { return time.UnixMicro(f.now.Load()).UTC() })
	f.svc = service.New(s, clock, service.NewIDGenerator(7))
	f.ctx = opencube.NewContext(context.Background(), entA)
	return f
}

// month is the fixture's UTC+8 month.
func (f *billingFixture) month() int { return billing.MonthOf(time.UnixMicro(f.now.Load())) }

// lines returns entA's lines of the fixture's month.
func (f *billingFixture) lines(t *testing.T) []*billing.Line {
	t.Helper()
	l, err := f.s.FindLines(f.ctx, entA, f.month())
	if err != nil {
		t.Fatalf("FindLines: %v", err)
	}
	return l
}

// balance returns entA's running balance in currency.
func (f *billingFixture) balance(t *testing.T, currency string) int64 {
	t.Helper()
	bs, err := f.s.FindBalances(f.ctx, entA)
	if err != nil {
		t.Fatalf("FindBalances: %v", err)
	}
	for _, b := range bs {
		if b.Currency == currency {
			return b.AmountMinor
		}
	}
	return 0
}

func (f *billingFixture) order(iccid, plan string, periods int, open bool) (*opencube.Order, error) {
	p := f.plans[plan]
	return f.svc.Orders.OrderPlan(f.ctx, opencube.OrderRequest{ICCID: iccid, PlanCode: p.Code, PlanName: p.Name, PlanType: p.Type,
		OrderPeriod: periods, Open: open, PayAmountMinor: 123, PayRst: "1", PayType: "2"})
}

// checkNew says the lines after a move are those before plus want (kind,
// amount, order), nothing else.
func checkNew(t *testing.T, what string, before, after []*billing.Line, want ...billing.Line) {
	t.Helper()
	if len(after) != len(before)+len(want) {
		t.Fatalf("%s: %d lines, want %d more than %d", what, len(after), len(want), len(before))
	}
	for i, w := range want {
		got := after[len(before)+i]
		if got.Kind != w.Kind || got.AmountMinor != w.AmountMinor || got.Currency != w.Currency || (w.OrderID != "" && got.OrderID != w.OrderID) {
			t.Errorf("%s: line %d = %s %d %s order %s, want %s %d %s order %s", what, i, got.Kind, got.AmountMinor, got.Currency, got.OrderID,
				w.Kind, w.AmountMinor, w.Currency, w.OrderID)
		}
	}
}

func testLedger(t *testing.T, open func(*testing.T) service.Store) {
	t.Run("Moves", func(t *testing.T) { testLedgerMoves(t, open) })
	t.Run("FailedMovesWriteNothing", func(t *testing.T) { testLedgerFailures(t, open) })
	t.Run("Random", func(t *testing.T) { testLedgerRandom(t, open) })
	t.Run("ConcurrentPrepaid", func(t *testing.T) { testLedgerConcurrent(t, open) })
}

// testLedgerMoves: every priced move writes exactly its line with it.
func testLedgerMoves(t *testing.T, open func(*testing.T) service.Store) {
	f := newBillingFixture(t, open)
	sim1, sim3 := f.sims[1].ICCID, f.sims[3].ICCID
	o, err := f.order(sim1, "P1", 2, false)
	if err != nil {
		t.Fatal(err)
	}
	l0 := f.lines(t)
	checkNew(t, "order", nil, l0, billing.Line{Kind: billing.KindOrder, AmountMinor: -3998, Currency: "CNY", OrderID: o.ID})
	if l0[0].PayAmountMinor != 123 || l0[0].PayRst != "1" || l0[0].ICCID != sim1 || l0[0].Periods != 2 || l0[0].PlanCode != "P1" {
		t.Errorf("order line = %+v, want the order's SIM, plan, periods and the customer's pay_amount and pay_rst", l0[0])
	}
	// The enterprise's own price replaces the list price.
	price := int64(500)
	if err := f.s.SetGrantPrice(f.ctx, entA, "P1", &price); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Orders.RenewOrder(f.ctx, o.ID, 3); err != nil {
		t.Fatal(err)
	}
	l1 := f.lines(t)
	checkNew(t, "renewal", l0, l1, billing.Line{Kind: billing.KindRenewal, AmountMinor: -1500, Currency: "CNY", OrderID: o.ID})
	if _, err := f.svc.Orders.CancelOrder(f.ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	l2 := f.lines(t)
	checkNew(t, "cancel", l1, l2, billing.Line{Kind: billing.KindRefund, AmountMinor: 5498, Currency: "CNY", OrderID: o.ID})
	if err := f.s.SetGrantPrice(f.ctx, entA, "P1", nil); err != nil {
		t.Fatal(err)
	}
	// A bulk order: a line an order.
	p := f.plans["P1"]
	orders, err := f.svc.Orders.OrderPlans(f.ctx, opencube.BulkOrderRequest{ICCIDs: []string{sim1, sim3},
		OrderRequest: opencube.OrderRequest{PlanCode: p.Code, PlanName: p.Name, PlanType: p.Type, OrderPeriod: 1}})
	if err != nil {
		t.Fatal(err)
	}
	l3 := f.lines(t)
	checkNew(t, "bulk order", l2, l3, billing.Line{Kind: billing.KindOrder, AmountMinor: -1999, Currency: "CNY", OrderID: orders[0].ID},
		billing.Line{Kind: billing.KindOrder, AmountMinor: -1999, Currency: "CNY", OrderID: orders[1].ID})
	// Moves that are not priced write no line.
	if _, err := f.svc.Orders.EnableOrder(f.ctx, orders[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	checkNew(t, "enable", l3, f.lines(t))
	// Top-ups and adjustments.
	if _, err := f.svc.Billing.Credit(f.ctx, entA, billing.KindTopUp, 10000, "CNY", "wire 42", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Billing.Credit(f.ctx, entA, billing.KindAdjustment, -250, "CNY", "late fee", 0); err != nil {
		t.Fatal(err)
	}
	l4 := f.lines(t)
	checkNew(t, "top-up and adjustment", l3, l4, billing.Line{Kind: billing.KindTopUp, AmountMinor: 10000, Currency: "CNY"},
		billing.Line{Kind: billing.KindAdjustment, AmountMinor: -250, Currency: "CNY"})
	if l4[len(l4)-1].Reason != "late fee" {
		t.Errorf("adjustment reason = %q", l4[len(l4)-1].Reason)
	}
	// A paid Mall order: the amount the consumer paid, charged with its
	// order; a repeat of it writes nothing more.
	mall := opencube.MallOrderRequest{OrderNo: "M-1", ICCID: f.sims[5].ICCID, PackageCode: "P1", OrderPeriod: 2, PayID: "pay-1", PayType: "1",
		PayAmountMinor: 3998, PayCurrency: "CNY", Paid: true}
	_, mo, err := f.svc.Mall.Order(f.ctx, mall)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Mall.Order(f.ctx, mall); err != nil {
		t.Fatal(err)
	}
	l5 := f.lines(t)
	checkNew(t, "Mall sale", l4, l5, billing.Line{Kind: billing.KindMallSale, AmountMinor: -3998, Currency: "CNY", OrderID: mo.ID})
	want := int64(-3998 - 1500 + 5498 - 2*1999 + 10000 - 250 - 3998)
	if got := f.balance(t, "CNY"); got != want {
		t.Errorf("balance = %d, want %d", got, want)
	}
	if m, err := f.s.VerifyLedger(f.ctx); err != nil || len(m) != 0 {
		t.Errorf("VerifyLedger = %+v, %v; want none", m, err)
	}
}

// testLedgerFailures: a refused change writes no line, and no order.
func testLedgerFailures(t *testing.T, open func(*testing.T) service.Store) {
	f := newBillingFixture(t, open)
	if _, err := f.svc.Billing.PutAccount(f.ctx, &billing.Account{Enterprise: entA, Mode: billing.Prepaid, Currency: "CNY",
		CreditLimitMinor: 1000, AlertBelowMinor: 500}); err != nil {
		t.Fatal(err)
	}
	sim1, sim2, sim3 := f.sims[1].ICCID, f.sims[2].ICCID, f.sims[3].ICCID
	orders := func() int {
		_, n, err := f.s.FindOrders(f.ctx, opencube.OrderFilter{Enterprise: entA, Page: opencube.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// 19.99 against a balance of 0 and a credit limit of 10.00.
	if _, err := f.order(sim1, "P1", 1, false); opencube.ErrorKind(err) != opencube.KindQuota {
		t.Fatalf("prepaid order beyond the balance: %v, want KindQuota", err)
	}
	// A plan priced in another currency.
	if _, err := f.order(sim2, "P3", 1, false); opencube.ErrorKind(err) != opencube.KindQuota {
		t.Fatalf("prepaid order in USD: %v, want KindQuota", err)
	}
	// An unknown SIM.
	if _, err := f.order("89860000000000000999", "P1", 1, false); opencube.ErrorKind(err) != opencube.KindDeviceNotFound {
		t.Fatalf("unknown SIM: %v", err)
	}
	if n, l := orders(), f.lines(t); n != 0 || len(l) != 0 {
		t.Fatalf("after refusals: %d orders, %d lines; want none", n, len(l))
	}
	if _, err := f.svc.Billing.Credit(f.ctx, entA, billing.KindTopUp, 3000, "CNY", "", 0); err != nil {
		t.Fatal(err)
	}
	// A bulk order is priced whole: 2 x 19.99 > 30.00 + 10.00 is refused,
	// even though one order alone fits.
	p := f.plans["P1"]
	bulk := opencube.BulkOrderRequest{ICCIDs: []string{sim1, sim3}, OrderRequest: opencube.OrderRequest{PlanCode: p.Code, PlanName: p.Name, PlanType: p.Type, OrderPeriod: 1}}
	bulk.ICCIDs = append(bulk.ICCIDs, f.sims[5].ICCID)
	if _, err := f.svc.Orders.OrderPlans(f.ctx, bulk); opencube.ErrorKind(err) != opencube.KindQuota {
		t.Fatalf("bulk order beyond the balance: %v, want KindQuota", err)
	}
	if n, l := orders(), f.lines(t); n != 0 || len(l) != 1 {
		t.Fatalf("after a refused bulk order: %d orders, %d lines; want 0 and the top-up", n, len(l))
	}
	// Within the balance and credit: 30.00 - 2 x 19.99 = -9.98 >= -10.00,
	// and the balance falls under 5.00: one balance_alert.
	bulk.ICCIDs = bulk.ICCIDs[:2]
	if _, err := f.svc.Orders.OrderPlans(f.ctx, bulk); err != nil {
		t.Fatalf("bulk order within the credit limit: %v", err)
	}
	if got := f.balance(t, "CNY"); got != -998 {
		t.Errorf("balance = %d, want -998", got)
	}
	events, err := f.s.FindEvents(f.ctx, entA)
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, e := range events {
		if e.Type == opencube.EventBalanceAlert {
			alerts++
			if e.Data != `{"alert_below":"5.00","balance":"-9.98","currency":"CNY"}` {
				t.Errorf("balance_alert data = %s", e.Data)
			}
		}
	}
	if alerts != 1 {
		t.Errorf("%d balance_alert events, want 1", alerts)
	}
	// A renewal beyond it is refused and writes nothing.
	l := f.lines(t)
	o, _, _ := f.s.FindOrders(f.ctx, opencube.OrderFilter{Enterprise: entA, Page: opencube.Page{Limit: 1}})
	if _, err := f.svc.Orders.RenewOrder(f.ctx, o[0].ID, 1); opencube.ErrorKind(err) != opencube.KindQuota {
		t.Fatalf("renewal beyond the balance: %v, want KindQuota", err)
	}
	if got, _, _ := f.s.FindOrders(f.ctx, opencube.OrderFilter{Enterprise: entA, OrderID: o[0].ID, Page: opencube.Page{Limit: 1}}); got[0].RenewPeriod != 0 {
		t.Errorf("refused renewal renewed the order: %d", got[0].RenewPeriod)
	}
	checkNew(t, "refused renewal", l, f.lines(t))
	// enforce_price: a pay_amount other than the price answers 2002.
	if _, err := f.svc.Billing.PutAccount(f.ctx, &billing.Account{Enterprise: entA, Mode: billing.Postpaid, EnforcePrice: true}); err != nil {
		t.Fatal(err)
	}
	// The amounts the server fills in itself (the admin API, Cube v4) are
	// not the customer's: not compared.
	if _, err := f.order(f.sims[4].ICCID, "P1", 1, false); err != nil {
		t.Fatalf("an order without a customer's amount, with enforce_price: %v", err)
	}
	l = f.lines(t)
	f.ctx = billing.WithCustomerAmount(f.ctx)
	_, err = f.order(f.sims[4].ICCID, "P1", 1, false)
	var e *opencube.Error
	if !errors.As(err, &e) || e.Kind != opencube.KindPlanNotOrderable || e.Cause != opencube.CausePrice || fmt.Sprint(e.Args[1]) != "19.99" {
		t.Fatalf("pay_amount other than the price with enforce_price: %v, want KindPlanNotOrderable naming 19.99", err)
	}
	checkNew(t, "refused price", l, f.lines(t))
}

// testLedgerRandom: after a random sequence of orders, renewals, cancels
// and top-ups, the running balance equals the sum of the lines.
func testLedgerRandom(t *testing.T, open func(*testing.T) service.Store) {
	f := newBillingFixture(t, open)
	seed := rand.Uint64()
	t.Logf("seed %d", seed) // shown with a failure, to run the sequence again
	r := rand.New(rand.NewPCG(1, seed))
	var ids []string
	for i := 0; i < 60; i++ {
		f.now.Add(int64(r.IntN(3)) * int64(time.Hour/time.Microsecond) * 24 * 7) // weeks pass: months change
		switch op := r.IntN(5); {
		case op <= 1 || len(ids) == 0:
			plan := []string{"P1", "P2", "P3"}[r.IntN(3)]
			o, err := f.order(f.sims[1+r.IntN(5)].ICCID, plan, 1+r.IntN(3), false)
			if err == nil {
				ids = append(ids, o.ID)
			}
		case op == 2:
			f.svc.Orders.RenewOrder(f.ctx, ids[r.IntN(len(ids))], 1+r.IntN(2))
		case op == 3:
			f.svc.Orders.CancelOrder(f.ctx, ids[r.IntN(len(ids))])
		default:
			if _, err := f.svc.Billing.Credit(f.ctx, entA, billing.KindTopUp, int64(1+r.IntN(9999)), []string{"CNY", "USD"}[r.IntN(2)], "", 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	sums := map[string]int64{}
	for m := billing.MonthOf(at(0)); m <= f.month(); m = billing.MonthOf(billing.MonthEnd(m)) {
		lines, err := f.s.FindLines(f.ctx, entA, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if l.Month != m {
				t.Errorf("line of month %d in month %d", l.Month, m)
			}
			sums[l.Currency] += l.AmountMinor
		}
	}
	bs, err := f.s.FindBalances(f.ctx, entA)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != len(sums) {
		t.Errorf("balances %+v, sums %v", bs, sums)
	}
	for _, b := range bs {
		if sums[b.Currency] != b.AmountMinor {
			t.Errorf("%s: running balance %d, sum of lines %d", b.Currency, b.AmountMinor, sums[b.Currency])
		}
	}
	if m, err := f.s.VerifyLedger(f.ctx); err != nil || len(m) != 0 {
		t.Errorf("VerifyLedger = %+v, %v; want none", m, err)
	}
}

// testLedgerConcurrent: concurrent prepaid orders, through two services
// over the store (two nodes), never take the balance below its limit.
func testLedgerConcurrent(t *testing.T, open func(*testing.T) service.Store) {
	f := newBillingFixture(t, open)
	other := service.New(f.s, opencube.ClockFunc(func() time.Time { return time.UnixMicro(f.now.Load()).UTC() }), service.NewIDGenerator(8))
	if _, err := f.svc.Billing.PutAccount(f.ctx, &billing.Account{Enterprise: entA, Mode: billing.Prepaid, Currency: "CNY", CreditLimitMinor: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Billing.Credit(f.ctx, entA, billing.KindTopUp, 5*1999, "CNY", "", 0); err != nil {
		t.Fatal(err)
	}
	p := f.plans["P1"]
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			orders := f.svc.Orders
			if i%2 == 1 {
				orders = other.Orders
			}
			_, err := orders.OrderPlan(f.ctx, opencube.OrderRequest{ICCID: f.sims[1+i%5].ICCID, PlanCode: p.Code, PlanName: p.Name,
				PlanType: p.Type, OrderPeriod: 1, PayRst: "1"})
			switch opencube.ErrorKind(err) {
			case "":
				ok.Add(1)
			case opencube.KindQuota:
				refused.Add(1)
			default:
				t.Errorf("order %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 5 || refused.Load() != 7 {
		t.Errorf("%d orders placed, %d refused; want 5 and 7", ok.Load(), refused.Load())
	}
	if got := f.balance(t, "CNY"); got != 0 {
		t.Errorf("balance = %d, want 0", got)
	}
}
