package service_test

import (
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
	"github.com/opencube/opencube/service"
)

// addOnPlans creates and grants a monthly basic plan of volume bytes that
// allows add-ons, and an add-on plan of addOn bytes.
func (f *ratingFixture) addOnPlans(t *testing.T, volume, addOn int64) (basic, extra *opencube.Plan) {
	t.Helper()
	basic = &opencube.Plan{Code: "PBASIC", Name: "basic", Type: opencube.PlanMonthly, VolumeBytes: volume, AllowAddOn: true}
	extra = &opencube.Plan{Code: "PEXTRA", Name: "extra", Type: opencube.PlanMonthly, VolumeBytes: addOn, AddOn: true}
	for _, p := range []*opencube.Plan{basic, extra} {
		if err := f.svc.Admin.CreatePlan(t.Context(), p); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Admin.GrantPlan(t.Context(), "ENT", p.Code); err != nil {
			t.Fatal(err)
		}
	}
	return basic, extra
}

// causeOf returns err's cause.
func causeOf(err error) opencube.Cause {
	if e, ok := err.(*opencube.Error); ok {
		return e.Cause
	}
	return ""
}

// TestAddOnRating: an add-on needs an order in use of a plan that allows
// add-ons; usage beyond the order's volume is spent from it; RADIUS
// authorization and the remaining volume count it; once it is spent the
// session is ended.
func TestAddOnRating(t *testing.T) {
	f := newRatingFixture(t)
	basic, extra := f.addOnPlans(t, 1000, 500)
	_, err := f.svc.AddOns.Add(f.ctx, f.sim.ICCID, extra.Code, nil, nil)
	if causeOf(err) != opencube.CauseNoOrderInUse {
		t.Errorf("an add-on without an order in use: %v, want %s", err, opencube.CauseNoOrderInUse)
	}
	_, err = f.svc.Orders.OrderPlan(f.ctx, opencube.OrderRequest{ICCID: f.sim.ICCID, PlanCode: extra.Code, PlanName: extra.Name, PlanType: extra.Type, OrderPeriod: 1, PayRst: "1"})
	if causeOf(err) != addon.CauseAddOnPlan {
		t.Errorf("ordering an add-on plan: %v, want %s", err, addon.CauseAddOnPlan)
	}
	o, err := f.svc.Orders.OrderPlan(f.ctx, opencube.OrderRequest{ICCID: f.sim.ICCID, PlanCode: basic.Code, PlanName: basic.Name, PlanType: basic.Type, OrderPeriod: 3, Open: true, PayRst: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddOns.Add(f.ctx, f.sim.ICCID, basic.Code, nil, nil); causeOf(err) != addon.CauseNotAddOn {
		t.Errorf("a basic plan as an add-on: %v, want %s", err, addon.CauseNotAddOn)
	}
	f.now = ratingT0.Add(time.Minute)
	a, err := f.svc.AddOns.Add(f.ctx, f.sim.ICCID, extra.Code, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.OrderID != o.ID || a.VolumeBytes != 500 || a.Status != addon.Live || !a.EndsAt.Equal(time.Date(2024, 4, 1, 0, 0, 0, 0, opencube.BusinessZone)) {
		t.Errorf("add-on %+v: want 500 bytes on order %s, live until the end of its first month", a, o.ID)
	}
	f.book(t, rec(opencube.AcctStart, time.Minute, 0, 0), rec(opencube.AcctInterim, 2*time.Minute, 800, 0))
	remaining := func() int64 {
		t.Helper()
		us, err := f.svc.SIMs.DeviceUsage(f.ctx, []string{f.sim.ICCID})
		if err != nil {
			t.Fatal(err)
		}
		return us[0].RemainingBytes
	}
	if got := remaining(); got != 200+500 {
		t.Errorf("remaining with 800 of 1000 used: %d, want 700 (the add-on's 500 included)", got)
	}
	// 400 more: 200 from the order, 200 from the add-on.
	res := f.book(t, rec(opencube.AcctInterim, 3*time.Minute, 1200, 0))
	if res[0].Disconnect != nil {
		t.Errorf("a session with add-on volume left was ended")
	}
	if got := remaining(); got != 300 {
		t.Errorf("remaining with the order's volume spent: %d, want 300", got)
	}
	d, err := f.svc.SIMs.Authorize(t.Context(), f.sim.IMSI)
	if err != nil || !d.Accept {
		t.Errorf("authorize with add-on volume left: %+v, %v; want accepted", d, err)
	}
	as, _ := f.store.FindAddOns(t.Context(), f.sim.ICCID)
	if len(as) != 1 || as[0].UsedBytes != 200 {
		t.Errorf("add-ons after 200 bytes beyond the order: %+v", as)
	}
	// 400 more: the add-on's last 300 are spent, the session is ended.
	res = f.book(t, rec(opencube.AcctInterim, 4*time.Minute, 1600, 0))
	if res[0].Disconnect == nil {
		t.Errorf("a session whose add-on is spent was not ended")
	}
	if got := remaining(); got != 0 {
		t.Errorf("remaining with everything spent: %d", got)
	}
	if d, _ := f.svc.SIMs.Authorize(t.Context(), f.sim.IMSI); d.Accept || d.Reason != opencube.RejectQuota {
		t.Errorf("authorize with everything spent: %+v, want %s", d, opencube.RejectQuota)
	}

	// A new add-on carries on; suspending the order ends it for good.
	if _, err := f.svc.AddOns.Add(f.ctx, f.sim.ICCID, extra.Code, nil, nil); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.svc.SIMs.Authorize(t.Context(), f.sim.IMSI); !d.Accept {
		t.Errorf("authorize with a new add-on: %+v", d)
	}
	if _, err := f.svc.Orders.SuspendOrder(f.ctx, f.sim.ICCID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Orders.ResumeOrder(f.ctx, f.sim.ICCID, ""); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.svc.SIMs.Authorize(t.Context(), f.sim.IMSI); d.Accept {
		t.Errorf("authorize after suspend and resume: %+v, want refused (the add-on is not restored)", d)
	}
	if got := remaining(); got != 0 {
		t.Errorf("remaining after suspend and resume: %d, want 0", got)
	}
}

// TestCycleEnd: an add-on ends with the period of its order current when
// it is added: the UTC+8 day of a daily plan, the month (from the order's
// start) of a monthly one, never after the order.
func TestCycleEnd(t *testing.T) {
	day := func(y int, m time.Month, d, h int) time.Time {
		return time.Date(y, m, d, h, 0, 0, 0, opencube.BusinessZone)
	}
	start := day(2024, 1, 31, 10)
	order := func(typ opencube.PlanType, periods int) *opencube.Order {
		o := &opencube.Order{PlanType: typ, OrderPeriod: periods}
		o.StartedAt = &start
		exp := o.ExpiryFor(start)
		o.ExpiresAt = &exp
		return o
	}
	for _, tt := range []struct {
		name string
		o    *opencube.Order
		now  time.Time
		want time.Time
	}{
		{"daily", order(opencube.PlanDaily, 5), day(2024, 2, 2, 13), day(2024, 2, 3, 0)},
		{"unlimited daily", order(opencube.PlanUnlimitedDaily, 5), day(2024, 2, 2, 0), day(2024, 2, 3, 0)},
		{"first month, clamped to February's end", order(opencube.PlanMonthly, 3), day(2024, 2, 10, 8), day(2024, 2, 29, 0)},
		{"second month", order(opencube.PlanMonthly, 3), day(2024, 2, 29, 8), day(2024, 3, 31, 0)},
		{"last quarter, the order's end", order(opencube.PlanQuarterly, 2), day(2024, 6, 1, 8), day(2024, 7, 31, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := service.CycleEnd(tt.o, tt.now); !got.Equal(tt.want) {
				t.Errorf("CycleEnd at %v = %v, want %v", tt.now, got.In(opencube.BusinessZone), tt.want)
			}
		})
	}
}
