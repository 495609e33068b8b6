package opencube_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/opencube/opencube"
)

// TestReduce: renewals go first, then ordered periods (an OTA order's days
// in proportion); at least one period stays; a started order's expiry
// moves earlier; orders that are over are refused; 1010 in every state.
func TestReduce(t *testing.T) {
	start := time.Date(2024, 1, 31, 10, 0, 0, 0, opencube.BusinessZone)
	for _, tt := range []struct {
		name                 string
		order                opencube.Order
		periods              int
		kind                 opencube.Kind
		wantOrder, wantRenew int
		wantDays             int
		wantExpiry           string
	}{
		{name: "a renewal first", order: opencube.Order{Status: opencube.OrderInUse, PlanType: opencube.PlanMonthly, OrderPeriod: 2, RenewPeriod: 1},
			periods: 1, wantOrder: 2, wantRenew: 0, wantExpiry: "2024-03-30 23:59:59"},
		{name: "renewals, then ordered periods", order: opencube.Order{Status: opencube.OrderInUse, PlanType: opencube.PlanMonthly, OrderPeriod: 2, RenewPeriod: 1},
			periods: 2, wantOrder: 1, wantRenew: 0, wantExpiry: "2024-02-28 23:59:59"},
		{name: "not enabled: no expiry yet", order: opencube.Order{Status: opencube.OrderNotEnabled, PlanType: opencube.PlanDaily, OrderPeriod: 3},
			periods: 2, wantOrder: 1},
		{name: "suspended", order: opencube.Order{Status: opencube.OrderSuspended, PlanType: opencube.PlanDaily, OrderPeriod: 3},
			periods: 1, wantOrder: 2, wantExpiry: "2024-02-01 23:59:59"},
		{name: "OTA days shrink with the periods", order: opencube.Order{Status: opencube.OrderInUse, OrderPeriod: 2, Days: 60, OTA: true},
			periods: 1, wantOrder: 1, wantDays: 30, wantExpiry: "2024-02-29 23:59:59"},
		{name: "one period stays", order: opencube.Order{Status: opencube.OrderInUse, PlanType: opencube.PlanDaily, OrderPeriod: 1, RenewPeriod: 1},
			periods: 2, kind: opencube.KindInvalid},
		{name: "zero periods", order: opencube.Order{Status: opencube.OrderInUse, PlanType: opencube.PlanDaily, OrderPeriod: 2},
			periods: 0, kind: opencube.KindInvalid},
		{name: "expired", order: opencube.Order{Status: opencube.OrderExpired, PlanType: opencube.PlanDaily, OrderPeriod: 2},
			periods: 1, kind: opencube.KindOrderState},
		{name: "cancelled", order: opencube.Order{Status: opencube.OrderCancelled, PlanType: opencube.PlanDaily, OrderPeriod: 2},
			periods: 1, kind: opencube.KindOrderState},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.order
			if o.Status != opencube.OrderNotEnabled {
				exp := o.ExpiryFor(start)
				o.StartedAt, o.ExpiresAt = &start, &exp
			}
			before := o
			ev, err := o.Reduce(tt.periods, start.Add(time.Hour))
			if tt.kind != "" {
				if opencube.ErrorKind(err) != tt.kind {
					t.Fatalf("Reduce = %v, want kind %s", err, tt.kind)
				}
				if fmt.Sprint(o) != fmt.Sprint(before) {
					t.Fatalf("a refused reduction changed the order: %+v", o)
				}
				return
			}
			if err != nil || ev != opencube.EventReduceCycle {
				t.Fatalf("Reduce = %q, %v; want 1010", ev, err)
			}
			if o.OrderPeriod != tt.wantOrder || o.RenewPeriod != tt.wantRenew || o.Days != tt.wantDays {
				t.Errorf("periods %d + %d, days %d; want %d + %d, %d", o.OrderPeriod, o.RenewPeriod, o.Days, tt.wantOrder, tt.wantRenew, tt.wantDays)
			}
			got := ""
			if o.ExpiresAt != nil {
				got = o.ExpiresAt.In(opencube.BusinessZone).Format(time.DateTime)
			}
			if got != tt.wantExpiry {
				t.Errorf("expiry %q, want %q", got, tt.wantExpiry)
			}
		})
	}
}
