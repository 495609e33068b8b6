package opencube_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/opencube/opencube"
)

// TestOrderMoves checks every move from every state: the allowed moves of
// D12 lead where they should and emit their event, every other is refused
// with KindOrderState and leaves the order untouched.
func TestOrderMoves(t *testing.T) {
	type want struct {
		to opencube.OrderStatus
		ev opencube.EventType
	}
	allowed := map[opencube.OrderStatus]map[opencube.Move]want{
		opencube.OrderNotEnabled: {
			opencube.MoveEnable: {opencube.OrderInUse, opencube.EventStartOrder},
			opencube.MoveCancel: {opencube.OrderCancelled, opencube.EventCancelOrder},
		},
		opencube.OrderInUse: {
			opencube.MoveSuspend: {opencube.OrderSuspended, opencube.EventPauseOrder},
			opencube.MoveEnd:     {opencube.OrderEnded, opencube.EventEndOrder},
			opencube.MoveExpire:  {opencube.OrderExpired, opencube.EventExpireOrder},
		},
		opencube.OrderSuspended: {
			opencube.MoveResume: {opencube.OrderInUse, opencube.EventResumeOrder},
			opencube.MoveEnd:    {opencube.OrderEnded, opencube.EventEndOrder},
		},
	}
	moves := []opencube.Move{opencube.MoveEnable, opencube.MoveCancel, opencube.MoveSuspend, opencube.MoveResume, opencube.MoveEnd, opencube.MoveExpire}
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, opencube.BusinessZone)
	for from := opencube.OrderNotEnabled; from <= opencube.OrderCancelled; from++ {
		for _, move := range moves {
			t.Run(fmt.Sprintf("%d/%s", from, move), func(t *testing.T) {
				o := &opencube.Order{ID: "ORDER_1", Status: from, PlanType: opencube.PlanDaily, OrderPeriod: 1}
				before := *o
				ev, err := o.Apply(move, now)
				w, ok := allowed[from][move]
				if !ok {
					if opencube.ErrorKind(err) != opencube.KindOrderState {
						t.Fatalf("Apply = %v, want a KindOrderState refusal", err)
					}
					if diff := cmp.Diff(before, *o); diff != "" {
						t.Fatalf("refused move changed the order (-before +after):\n%s", diff)
					}
					return
				}
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
				if o.Status != w.to || ev != w.ev {
					t.Fatalf("got state %d event %s, want %d %s", o.Status, ev, w.to, w.ev)
				}
			})
		}
	}
}

func TestEnableOTAEmits1007(t *testing.T) {
	o := &opencube.Order{Status: opencube.OrderNotEnabled, OTA: true, PlanType: opencube.PlanDaily, OrderPeriod: 1}
	ev, err := o.Apply(opencube.MoveEnable, time.Now())
	if err != nil || ev != opencube.EventStartOTAOrder {
		t.Fatalf("Apply = %q, %v; want 1007", ev, err)
	}
}

// TestValidity checks D11's arithmetic, month-end clamping included, and
// that expiry is 23:59:59 UTC+8 on the last day.
func TestValidity(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time {
		return time.Date(y, m, d, 9, 30, 0, 0, opencube.BusinessZone)
	}
	tests := []struct {
		name          string
		typ           opencube.PlanType
		period, renew int
		days          int
		start         time.Time
		wantLast      string
	}{
		{"daily one day", opencube.PlanDaily, 1, 0, 0, day(2024, 1, 31), "2024-01-31"},
		{"daily three days", opencube.PlanDaily, 3, 0, 0, day(2024, 1, 31), "2024-02-02"},
		{"unlimited daily renewed", opencube.PlanUnlimitedDaily, 1, 2, 0, day(2024, 2, 28), "2024-03-01"},
		{"monthly from 31 Jan leap", opencube.PlanMonthly, 1, 0, 0, day(2024, 1, 31), "2024-02-28"},
		{"monthly from 31 Jan", opencube.PlanMonthly, 1, 0, 0, day(2023, 1, 31), "2023-02-27"},
		{"monthly two from 31 Jan", opencube.PlanMonthly, 1, 1, 0, day(2023, 1, 31), "2023-03-30"},
		{"monthly mid month", opencube.PlanMonthly, 1, 0, 0, day(2024, 5, 15), "2024-06-14"},
		{"quarterly", opencube.PlanQuarterly, 1, 0, 0, day(2024, 11, 30), "2025-02-27"},
		{"half-yearly twice", opencube.PlanHalfYearly, 2, 0, 0, day(2024, 1, 1), "2024-12-31"},
		{"yearly from 29 Feb", opencube.PlanYearly, 1, 0, 0, day(2024, 2, 29), "2025-02-27"},
		{"ota days override the type", opencube.PlanMonthly, 1, 0, 364, day(2024, 1, 1), "2024-12-29"},
		{"start late UTC counts in UTC+8", opencube.PlanDaily, 1, 0, 0, time.Date(2024, 1, 31, 17, 0, 0, 0, time.UTC), "2024-02-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &opencube.Order{PlanType: tt.typ, OrderPeriod: tt.period, RenewPeriod: tt.renew, Days: tt.days}
			if got := o.LastDay(tt.start).Format(time.DateOnly); got != tt.wantLast {
				t.Errorf("LastDay = %s, want %s", got, tt.wantLast)
			}
			exp := o.ExpiryFor(tt.start)
			if got := exp.In(opencube.BusinessZone).Format(time.DateTime); got != tt.wantLast+" 23:59:59" {
				t.Errorf("ExpiryFor = %s, want %s 23:59:59 UTC+8", got, tt.wantLast)
			}
		})
	}
}

func TestRenew(t *testing.T) {
	start := time.Date(2024, 1, 31, 10, 0, 0, 0, opencube.BusinessZone)
	for _, tt := range []struct {
		status opencube.OrderStatus
		ev     opencube.EventType
		ok     bool
	}{
		{opencube.OrderNotEnabled, "", true},
		{opencube.OrderInUse, opencube.EventRenewOrder, true},
		{opencube.OrderSuspended, "", true},
		{opencube.OrderExpired, "", false},
		{opencube.OrderEnded, "", false},
		{opencube.OrderCancelled, "", false},
	} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			o := &opencube.Order{Status: tt.status, PlanType: opencube.PlanMonthly, OrderPeriod: 1}
			if tt.status != opencube.OrderNotEnabled {
				exp := o.ExpiryFor(start)
				o.StartedAt, o.ExpiresAt = &start, &exp
			}
			ev, err := o.Renew(1, start)
			if !tt.ok {
				if opencube.ErrorKind(err) != opencube.KindOrderState {
					t.Fatalf("Renew = %v, want KindOrderState", err)
				}
				return
			}
			if err != nil || ev != tt.ev {
				t.Fatalf("Renew = %q, %v; want %q", ev, err, tt.ev)
			}
			if o.RenewPeriod != 1 || o.BuyType != opencube.BuyRenewal {
				t.Fatalf("renew_period %d buy type %d", o.RenewPeriod, o.BuyType)
			}
			if o.ExpiresAt != nil {
				if got := o.ExpiresAt.In(opencube.BusinessZone).Format(time.DateTime); got != "2024-03-30 23:59:59" {
					t.Fatalf("expiry after renewal = %s", got)
				}
			}
		})
	}
	o := &opencube.Order{Status: opencube.OrderInUse, OrderPeriod: 1}
	if _, err := o.Renew(0, start); opencube.ErrorKind(err) != opencube.KindInvalid {
		t.Fatalf("Renew(0) = %v, want KindInvalid", err)
	}
}
