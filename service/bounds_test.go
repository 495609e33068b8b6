package service_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/shop"
)

// snapshot is everything an order, Mall or usage write could change: the
// enterprise's orders, events, Mall orders and usage.
func (f *ratingFixture) snapshot(t *testing.T) string {
	t.Helper()
	orders, _, err := f.store.FindOrders(f.ctx, opencube.OrderFilter{Enterprise: "ENT"})
	if err != nil {
		t.Fatal(err)
	}
	events, err := f.store.FindEvents(f.ctx, "ENT")
	if err != nil {
		t.Fatal(err)
	}
	malls, err := f.store.FindMallOrders(f.ctx, shop.MallOrderFilter{Enterprise: "ENT"})
	if err != nil {
		t.Fatal(err)
	}
	usage, asOf, err := f.svc.SIMs.DailyUsage(f.ctx, f.sim.ICCID, 20000101, 99991231)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal([]any{orders, events, malls, usage, asOf})
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// wantRefused fails t unless err is KindInvalid naming field and the
// store is as before.
func (f *ratingFixture) wantRefused(t *testing.T, err error, field, before string) {
	t.Helper()
	var e *opencube.Error
	if !errors.As(err, &e) || e.Kind != opencube.KindInvalid || e.Field != field {
		t.Fatalf("err = %v, want KindInvalid naming %s", err, field)
	}
	if after := f.snapshot(t); after != before {
		t.Fatalf("a refused request wrote:\nbefore %s\nafter  %s", before, after)
	}
}

// pricedPlan creates and grants a plan of type typ priced 10.00 CNY.
func (f *ratingFixture) pricedPlan(t *testing.T, code string, typ opencube.PlanType) *opencube.Plan {
	t.Helper()
	p := &opencube.Plan{Code: code, Name: code, Type: typ, VolumeBytes: opencube.MB, PriceMinor: 1000, Currency: "CNY"}
	if err := f.svc.Admin.CreatePlan(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Admin.GrantPlan(t.Context(), "ENT", code); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOrderBoundsBeforeWrite: the order service refuses D26's bounds before
// anything is written, naming order_period or renew_period.
func TestOrderBoundsBeforeWrite(t *testing.T) {
	f := newRatingFixture(t)
	yearly := f.pricedPlan(t, "YEARLY", opencube.PlanYearly)
	monthly := f.pricedPlan(t, "MONTHLY", opencube.PlanMonthly)
	order := func(p *opencube.Plan, periods int) (*opencube.Order, error) {
		return f.svc.Orders.OrderPlan(f.ctx, opencube.OrderRequest{ICCID: f.sim.ICCID, PlanCode: p.Code, PlanName: p.Name, PlanType: p.Type,
			OrderPeriod: periods, PayRst: "1", TestFlow: "0", TestFlowFlag: "0"})
	}
	for _, tt := range []struct {
		name    string
		plan    *opencube.Plan
		periods int
		ok      bool
	}{
		{"yearly 1", yearly, 1, true},
		{"yearly 100", yearly, 100, true},
		{"yearly 101", yearly, 101, false},
		{"yearly 1200", yearly, 1200, false},
		{"monthly 1200", monthly, 1200, true},
		{"monthly 0", monthly, 0, false},
		{"monthly 1201", monthly, 1201, false},
	} {
		t.Run("order "+tt.name, func(t *testing.T) {
			before := f.snapshot(t)
			_, err := order(tt.plan, tt.periods)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			f.wantRefused(t, err, "order_period", before)
		})
	}

	o, err := order(monthly, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Orders.EnableOrder(f.ctx, o.ID, ""); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		periods int
		ok      bool
	}{
		{"renew 0", 0, false},
		{"renew 1201", 1201, false},
		{"renew 1", 1, true},
		{"renew 1198: 1200 months", 1198, true},
		{"renew 1: past 100 years", 1, false},
		{"renew 1200: past 100 years", 1200, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot(t)
			got, err := f.svc.Orders.RenewOrder(f.ctx, o.ID, tt.periods)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if got.ExpiresAt.After(got.StartedAt.AddDate(opencube.MaxValidityYears, 0, 0)) {
					t.Fatalf("expires %s, more than 100 years after %s", got.ExpiresAt, got.StartedAt)
				}
				return
			}
			f.wantRefused(t, err, "renew_period", before)
		})
	}
}

// TestMallBoundsBeforeWrite: orderPeriod is 1-120, and 101 years of a
// yearly plan are refused naming orderPeriod; nothing is written.
func TestMallBoundsBeforeWrite(t *testing.T) {
	f := newRatingFixture(t)
	yearly := f.pricedPlan(t, "YEARLY", opencube.PlanYearly)
	monthly := f.pricedPlan(t, "MONTHLY", opencube.PlanMonthly)
	n := 0
	buy := func(p *opencube.Plan, periods int) error {
		n++
		_, _, err := f.svc.Mall.Order(f.ctx, opencube.MallOrderRequest{OrderNo: "NO" + string(rune('A'+n)), ICCID: f.sim.ICCID, PackageCode: p.Code,
			OrderPeriod: periods, PayAmountMinor: p.PriceMinor * int64(periods), PayCurrency: "CNY", PayID: "pay", Paid: true})
		return err
	}
	for _, tt := range []struct {
		name    string
		plan    *opencube.Plan
		periods int
		ok      bool
	}{
		{"monthly 1", monthly, 1, true},
		{"monthly 120", monthly, 120, true},
		{"monthly 0", monthly, 0, false},
		{"monthly 121", monthly, 121, false},
		{"yearly 100", yearly, 100, true},
		{"yearly 101: past 100 years", yearly, 101, false},
		{"yearly 120: past 100 years", yearly, 120, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot(t)
			err := buy(tt.plan, tt.periods)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			f.wantRefused(t, err, "orderPeriod", before)
		})
	}
}

// TestUsageBoundsBeforeWrite: a batch holding a record dated outside
// 2000-9999, or with octets beyond MaxSessionBytes, books nothing.
func TestUsageBoundsBeforeWrite(t *testing.T) {
	f := newRatingFixture(t)
	f.order(t, f.sim, opencube.PlanMonthly, 1<<30, nil)
	good := rec(opencube.AcctInterim, 0, 100, 100)
	for _, tt := range []struct {
		name  string
		bad   func(r *opencube.UsageRecord)
		field string
	}{
		{"before 2000", func(r *opencube.UsageRecord) { r.Time = time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC) }, "time"},
		{"after 9999", func(r *opencube.UsageRecord) { r.Time = opencube.MaxTime.Add(time.Second) }, "time"},
		{"session from 1999", func(r *opencube.UsageRecord) { r.SessionTime = r.Time.Sub(opencube.MinTime) + time.Second }, "session_time"},
		{"octets beyond", func(r *opencube.UsageRecord) { r.InputBytes = opencube.MaxSessionBytes + 1 }, "input_bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot(t)
			bad := *rec(opencube.AcctInterim, time.Minute, 200, 200)
			bad.SessionID = "s2"
			tt.bad(&bad)
			_, err := f.svc.SIMs.BookUsage(f.ctx, []*opencube.UsageRecord{good, &bad})
			f.wantRefused(t, err, tt.field, before)
		})
	}
	edge := *good
	edge.SessionTime = edge.Time.Sub(opencube.MinTime) // the session starts at 2000-01-01
	if _, err := f.svc.SIMs.BookUsage(f.ctx, []*opencube.UsageRecord{&edge}); err != nil {
		t.Fatalf("a session from 2000-01-01: %v", err)
	}
}

// TestWebhookGraceBounds: grace is 0-30 days.
func TestWebhookGraceBounds(t *testing.T) {
	f := newRatingFixture(t)
	if _, err := f.svc.Notify.PutWebhook(f.ctx, &opencube.Webhook{EnterpriseCode: "ENT", URL: "https://example.com/hook"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		grace time.Duration
		ok    bool
	}{{0, true}, {opencube.MaxSecretGrace, true}, {-time.Second, false}, {opencube.MaxSecretGrace + time.Second, false}} {
		_, err := f.svc.Notify.RotateWebhookSecret(f.ctx, "ENT", tt.grace)
		if (err == nil) != tt.ok || (err != nil && opencube.ErrorKind(err) != opencube.KindInvalid) {
			t.Errorf("grace %s: %v", tt.grace, err)
		}
	}
}
