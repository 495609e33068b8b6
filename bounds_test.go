package opencube_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/opencube/opencube"
	"github.com/opencube/opencube/shop"
)

// wantInvalid fails t unless err is KindInvalid naming field.
func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := err.(*opencube.Error)
	if !ok || e.Kind != opencube.KindInvalid || e.Field != field {
		t.Fatalf("err = %v, want KindInvalid naming %s", err, field)
	}
}

// TestOrderRequestBounds sends the edges of every bounded field of an
// order request (D26): the lowest and highest allowed values pass, one
// below and one above are refused naming the field.
func TestOrderRequestBounds(t *testing.T) {
	base := func(mod func(r *opencube.OrderRequest)) opencube.OrderRequest {
		r := opencube.OrderRequest{ICCID: "89852022018041800192", PlanCode: "P", PlanName: "P", PlanType: opencube.PlanMonthly,
			OrderPeriod: 1, PayRst: "1", TestFlow: "0", TestFlowFlag: "0"}
		mod(&r)
		return r
	}
	for _, tt := range []struct {
		name  string
		mod   func(r *opencube.OrderRequest)
		field string // "" when valid
	}{
		{"order_period 1", func(r *opencube.OrderRequest) { r.OrderPeriod = 1 }, ""},
		{"order_period 1200 monthly", func(r *opencube.OrderRequest) { r.OrderPeriod = 1200 }, ""},
		{"order_period 0", func(r *opencube.OrderRequest) { r.OrderPeriod = 0 }, "order_period"},
		{"order_period 1201", func(r *opencube.OrderRequest) { r.OrderPeriod = 1201 }, "order_period"},
		{"order_period 1200 daily", func(r *opencube.OrderRequest) { r.PlanType, r.OrderPeriod = opencube.PlanDaily, 1200 }, ""},
		{"order_period 1200 unlimited daily", func(r *opencube.OrderRequest) { r.PlanType, r.OrderPeriod = opencube.PlanUnlimitedDaily, 1200 }, ""},
		{"order_period 400 quarterly", func(r *opencube.OrderRequest) { r.PlanType, r.OrderPeriod = opencube.PlanQuarterly, 400 }, ""},
		{"order_period 401 quarterly: past 100 years", func(r *opencube.OrderRequest) { r.PlanType, r.OrderPeriod = opencube.PlanQuarterly, 401 }, "order_period"},
		{"order_period 200 half-yearly", func(r *opencube.OrderRequest) { r.PlanType, r.OrderPeriod = opencube.PlanHalfYearly, 200 }, ""},
		{"order_period 201 half-yearly: past 100 years", func(r *opencube.OrderRequest) { r.PlanType, r.OrderPeriod = opencube.PlanHalfYearly, 201 }, "order_period"},
		{"order_period 100 yearly", func(r *opencube.OrderRequest) { r.PlanType, r.OrderPeriod = opencube.PlanYearly, 100 }, ""},
		{"order_period 101 yearly: past 100 years", func(r *opencube.OrderRequest) { r.PlanType, r.OrderPeriod = opencube.PlanYearly, 101 }, "order_period"},
		{"order_period 1200 yearly: past 100 years", func(r *opencube.OrderRequest) { r.PlanType, r.OrderPeriod = opencube.PlanYearly, 1200 }, "order_period"},
		{"days 1", func(r *opencube.OrderRequest) { r.Days, r.TimingType = 1, opencube.TimingFirstAttach }, ""},
		{"days 1200", func(r *opencube.OrderRequest) { r.Days, r.TimingType = 1200, opencube.TimingFirstAttach }, ""},
		{"days 1200 of a yearly plan", func(r *opencube.OrderRequest) {
			r.PlanType, r.OrderPeriod, r.Days, r.TimingType = opencube.PlanYearly, 1200, 1200, opencube.TimingOrderTime
		}, ""},
		{"days -1", func(r *opencube.OrderRequest) { r.Days = -1 }, "days"},
		{"days 1201", func(r *opencube.OrderRequest) { r.Days, r.TimingType = 1201, opencube.TimingFirstAttach }, "days"},
		{"timing_type 2", func(r *opencube.OrderRequest) { r.Days, r.TimingType = 7, opencube.TimingOrderTime }, ""},
		{"timing_type -1", func(r *opencube.OrderRequest) { r.Days, r.TimingType = 7, -1 }, "timing_type"},
		{"timing_type 3", func(r *opencube.OrderRequest) { r.Days, r.TimingType = 7, 3 }, "timing_type"},
		{"test_flow 0", func(r *opencube.OrderRequest) { r.TestFlow = "0" }, ""},
		{"test_flow 1048576", func(r *opencube.OrderRequest) { r.TestFlow = "1048576" }, ""},
		{"test_flow -0.01", func(r *opencube.OrderRequest) { r.TestFlow = "-0.01" }, "test_flow"},
		{"test_flow 1048576.01", func(r *opencube.OrderRequest) { r.TestFlow = "1048576.01" }, "test_flow"},
		{"test_flow NaN", func(r *opencube.OrderRequest) { r.TestFlow = "NaN" }, "test_flow"},
		{"test_flow Inf", func(r *opencube.OrderRequest) { r.TestFlow = "Inf" }, "test_flow"},
		{"mcc 000", func(r *opencube.OrderRequest) { r.MCC = "000" }, ""},
		{"mcc 999", func(r *opencube.OrderRequest) { r.MCC = "999" }, ""},
		{"mcc 46", func(r *opencube.OrderRequest) { r.MCC = "46" }, "mcc"},
		{"mcc 4600", func(r *opencube.OrderRequest) { r.MCC = "4600" }, "mcc"},
		{"pay_amount -1", func(r *opencube.OrderRequest) { r.PayAmountMinor = -1 }, "pay_amount"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := base(tt.mod)
			err := r.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			wantInvalid(t, err, tt.field)
		})
	}
}

// TestMaxValidity checks D26's 100 years in the unit of each plan type:
// the longest validity passes and one unit more is refused, for every
// start, and the last day of the longest lies before start + 100 years.
func TestMaxValidity(t *testing.T) {
	starts := []time.Time{
		time.Date(2024, 2, 29, 9, 0, 0, 0, opencube.BusinessZone), // a leap day
		time.Date(2099, 3, 1, 0, 0, 0, 0, opencube.BusinessZone),  // a century of 24 leap days
		time.Date(2000, 1, 1, 0, 0, 0, 0, opencube.BusinessZone),  // one of 25
		time.Date(2031, 1, 31, 23, 59, 59, 0, opencube.BusinessZone),
	}
	for _, tt := range []struct {
		name string
		o    opencube.Order
	}{
		{"monthly: 1200 months", opencube.Order{PlanType: opencube.PlanMonthly, OrderPeriod: 1, RenewPeriod: 1199}},
		{"quarterly: 400 quarters", opencube.Order{PlanType: opencube.PlanQuarterly, OrderPeriod: 400}},
		{"half-yearly: 200 halves", opencube.Order{PlanType: opencube.PlanHalfYearly, OrderPeriod: 2, RenewPeriod: 198}},
		{"yearly: 100 years", opencube.Order{PlanType: opencube.PlanYearly, OrderPeriod: 100}},
		{"daily: 36524 days", opencube.Order{PlanType: opencube.PlanDaily, OrderPeriod: 1200, RenewPeriod: 35324}},
		{"unlimited daily: 36524 days", opencube.Order{PlanType: opencube.PlanUnlimitedDaily, OrderPeriod: 1, RenewPeriod: 36523}},
		{"OTA: 30 x 1200 days", opencube.Order{PlanType: opencube.PlanYearly, OrderPeriod: 1, RenewPeriod: 29, Days: 1200, OTA: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			longest := tt.o
			if !longest.WithinMaxValidity() || longest.CheckValidity("order_period") != nil {
				t.Fatalf("the longest validity is refused: %+v", longest)
			}
			for _, start := range starts {
				limit := start.AddDate(opencube.MaxValidityYears, 0, 0)
				if exp := longest.ExpiryFor(start); !exp.Before(limit) {
					t.Errorf("from %s it expires %s, not before %s", start, exp, limit)
				}
			}
			more := tt.o
			more.RenewPeriod++ // one period (of an OTA order: 1200 days) more
			if more.WithinMaxValidity() {
				t.Fatalf("one period more is within 100 years: %+v", more)
			}
			wantInvalid(t, more.CheckValidity("renew_period"), "renew_period")
		})
	}
}

// TestRenewBounds: renew_period is 1-1200, and no renewal takes an order
// past 100 years (it answers KindInvalid naming renew_period and leaves the
// order as it was). The 3,000 renewals of 1,200 months stop at the
// first.
func TestRenewBounds(t *testing.T) {
	start := time.Date(2024, 1, 31, 10, 0, 0, 0, opencube.BusinessZone)
	now := start.Add(time.Hour)
	started := func(o opencube.Order) *opencube.Order {
		exp := o.ExpiryFor(start)
		o.Status, o.StartedAt, o.ExpiresAt = opencube.OrderInUse, &start, &exp
		return &o
	}
	daily := opencube.Order{PlanType: opencube.PlanDaily, OrderPeriod: 1}
	for _, tt := range []struct {
		name    string
		o       *opencube.Order
		periods int
		ok      bool
		expiry  string
	}{
		{"1", started(daily), 1, true, "2024-02-01 23:59:59"},
		{"1200", started(daily), 1200, true, "2027-05-15 23:59:59"},
		{"0", started(daily), 0, false, ""},
		{"1201", started(daily), 1201, false, ""},
		{"-1", started(daily), -1, false, ""},
		{"monthly to 1200 months", started(opencube.Order{PlanType: opencube.PlanMonthly, OrderPeriod: 1}), 1199, true, "2124-01-30 23:59:59"},
		{"monthly past 1200 months", started(opencube.Order{PlanType: opencube.PlanMonthly, OrderPeriod: 1200}), 1, false, ""},
		{"yearly past 100 years", started(opencube.Order{PlanType: opencube.PlanYearly, OrderPeriod: 100}), 1, false, ""},
		{"not enabled, past 100 years", &opencube.Order{Status: opencube.OrderNotEnabled, PlanType: opencube.PlanYearly, OrderPeriod: 60}, 41, false, ""},
		{"daily to 36524 days", started(opencube.Order{PlanType: opencube.PlanDaily, OrderPeriod: 1200, RenewPeriod: 34200}), 1124, true, "2124-01-30 23:59:59"},
		{"daily past 36524 days", started(opencube.Order{PlanType: opencube.PlanDaily, OrderPeriod: 1200, RenewPeriod: 35324}), 1, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := *tt.o
			ev, err := tt.o.Renew(tt.periods, now)
			if !tt.ok {
				wantInvalid(t, err, "renew_period")
				if diff := cmp.Diff(before, *tt.o); diff != "" {
					t.Fatalf("a refused renewal changed the order (-before +after):\n%s", diff)
				}
				return
			}
			if err != nil || ev != opencube.EventRenewOrder {
				t.Fatalf("Renew = %q, %v", ev, err)
			}
			if got := tt.o.ExpiresAt.In(opencube.BusinessZone).Format(time.DateTime); got != tt.expiry {
				t.Errorf("expires %s, want %s", got, tt.expiry)
			}
		})
	}
	t.Run("3000 renewals of 1200 months", func(t *testing.T) {
		o := started(opencube.Order{PlanType: opencube.PlanMonthly, OrderPeriod: 1})
		accepted := 0
		for range 3000 {
			if _, err := o.Renew(1200, now); err == nil {
				accepted++
			}
		}
		if accepted != 0 || o.RenewPeriod != 0 || o.ExpiresAt.In(opencube.BusinessZone).Format(time.DateOnly) != "2024-02-28" {
			t.Fatalf("%d renewals accepted; renew_period %d, expiry %s", accepted, o.RenewPeriod, o.ExpiresAt)
		}
	})
}

// TestDateArithmeticSaturates: whatever periods an order holds (one stored
// before D26, say), its dates are computed without overflow and never pass
// MaxTime.
func TestDateArithmeticSaturates(t *testing.T) {
	start := time.Date(2024, 1, 31, 10, 0, 0, 0, opencube.BusinessZone)
	for _, o := range []opencube.Order{
		{PlanType: opencube.PlanMonthly, OrderPeriod: 1, RenewPeriod: 3000 * 1200},
		{PlanType: opencube.PlanYearly, OrderPeriod: 1 << 40, RenewPeriod: 1 << 40},
		{PlanType: opencube.PlanDaily, OrderPeriod: 1<<62 - 1, RenewPeriod: 1<<62 - 1},
		{PlanType: opencube.PlanDaily, OrderPeriod: 1, RenewPeriod: 1 << 50, Days: 1 << 50},
		{PlanType: opencube.PlanDaily, OrderPeriod: -5, RenewPeriod: -7},
	} {
		exp := o.ExpiryFor(start)
		if exp.Year() < start.Year()-1 || exp.After(opencube.MaxTime) {
			t.Errorf("%+v: expiry %s, want within %d-%s", o, exp, start.Year()-1, opencube.MaxTime)
		}
		if last := o.LastDay(start); last.Year() < start.Year()-1 {
			t.Errorf("%+v: last day %s overflowed", o, last)
		}
		if n, _ := o.Validity(); n < 0 {
			t.Errorf("%+v: validity %d", o, n)
		}
	}
	// An order enabled within 100 years of MaxTime ends there; renewing a
	// started one past it is refused.
	late := time.Date(9990, 6, 1, 0, 0, 0, 0, opencube.BusinessZone)
	o := opencube.Order{Status: opencube.OrderNotEnabled, PlanType: opencube.PlanYearly, OrderPeriod: 20}
	if _, err := o.Apply(opencube.MoveEnable, late); err != nil || !o.ExpiresAt.Equal(opencube.MaxTime) {
		t.Fatalf("enabled in 9990 for 20 years: %v, expires %s", err, o.ExpiresAt)
	}
	o2 := opencube.Order{Status: opencube.OrderNotEnabled, PlanType: opencube.PlanYearly, OrderPeriod: 1}
	o2.Apply(opencube.MoveEnable, late)
	wantInvalid(t, func() error { _, err := o2.Renew(10, late); return err }(), "renew_period")
}

// TestStorableTime: the edges of years 2000-9999.
func TestStorableTime(t *testing.T) {
	for _, tt := range []struct {
		t  time.Time
		ok bool
	}{
		{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC), false},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, opencube.BusinessZone), true},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, opencube.BusinessZone).Add(time.Second), false},
		{time.Time{}, false},
	} {
		if got := opencube.StorableTime(tt.t); got != tt.ok {
			t.Errorf("StorableTime(%s) = %v", tt.t, got)
		}
		if err := opencube.CheckTime("time", tt.t); (err == nil) != tt.ok {
			t.Errorf("CheckTime(%s) = %v", tt.t, err)
		}
	}
}

// TestUsageRecordBounds sends the edges of a usage record's time, session
// time and octets.
func TestUsageRecordBounds(t *testing.T) {
	t2000 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name  string
		r     opencube.UsageRecord
		field string
	}{
		{"time 2000", opencube.UsageRecord{Time: t2000}, ""},
		{"time 9999", opencube.UsageRecord{Time: opencube.MaxTime}, ""},
		{"time 1999", opencube.UsageRecord{Time: t2000.Add(-time.Second)}, "time"},
		{"time past 9999", opencube.UsageRecord{Time: opencube.MaxTime.Add(time.Second)}, "time"},
		{"time 1970", opencube.UsageRecord{Time: time.Unix(1, 0)}, "time"},
		{"session from 2000", opencube.UsageRecord{Time: t2000.Add(time.Hour), SessionTime: time.Hour}, ""},
		{"session from 1999", opencube.UsageRecord{Time: t2000.Add(time.Hour), SessionTime: time.Hour + time.Second}, "session_time"},
		{"negative session time", opencube.UsageRecord{Time: t2000, SessionTime: -time.Second}, "session_time"},
		{"octets 0", opencube.UsageRecord{Time: t2000}, ""},
		{"input octets max", opencube.UsageRecord{Time: t2000, InputBytes: opencube.MaxSessionBytes}, ""},
		{"input octets max+1", opencube.UsageRecord{Time: t2000, InputBytes: opencube.MaxSessionBytes + 1}, "input_bytes"},
		{"input octets -1", opencube.UsageRecord{Time: t2000, InputBytes: -1}, "input_bytes"},
		{"output octets max", opencube.UsageRecord{Time: t2000, OutputBytes: opencube.MaxSessionBytes}, ""},
		{"output octets max+1", opencube.UsageRecord{Time: t2000, OutputBytes: opencube.MaxSessionBytes + 1}, "output_bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantInvalid(t, err, tt.field)
		})
	}
}

// TestCatalogBounds sends the edges of the numbers of a plan, an eSIM plan
// and alert settings.
func TestCatalogBounds(t *testing.T) {
	plan := func(mod func(*opencube.Plan)) error {
		p := opencube.Plan{Code: "P", Name: "P", Type: opencube.PlanMonthly}
		mod(&p)
		return p.Validate()
	}
	esimPlan := func(mod func(*shop.ESIMPlan)) error {
		p := shop.ESIMPlan{ID: 1, EnterpriseCode: "E", PackageCode: "P", Name: "P", MCCs: []string{"460"}, PeriodDays: 1,
			Prices: []shop.Price{{Currency: "USD", AmountMinor: 1}}, PlanCode: "CORE"}
		mod(&p)
		return p.Validate()
	}
	alerts := func(percents []int, days int) error {
		return (&opencube.AlertSettings{Percents: percents, DaysBeforeExpiry: days}).Validate()
	}
	for _, tt := range []struct {
		name  string
		err   error
		field string
	}{
		{"plan volume 0", plan(func(p *opencube.Plan) { p.VolumeBytes = 0 }), ""},
		{"plan volume 1 PiB", plan(func(p *opencube.Plan) { p.VolumeBytes = opencube.MaxVolumeBytes }), ""},
		{"plan volume -1", plan(func(p *opencube.Plan) { p.VolumeBytes = -1 }), "volume"},
		{"plan volume 1 PiB + 1", plan(func(p *opencube.Plan) { p.VolumeBytes = opencube.MaxVolumeBytes + 1 }), "volume"},
		{"plan price 0", plan(func(p *opencube.Plan) { p.PriceMinor = 0 }), ""},
		{"plan price max", plan(func(p *opencube.Plan) { p.PriceMinor = opencube.MaxAmountMinor }), ""},
		{"plan price -1", plan(func(p *opencube.Plan) { p.PriceMinor = -1 }), "price"},
		{"plan price max+1", plan(func(p *opencube.Plan) { p.PriceMinor = opencube.MaxAmountMinor + 1 }), "price"},
		{"plan throttle 0", plan(func(p *opencube.Plan) { p.ThrottleKbps = 0 }), ""},
		{"plan throttle max", plan(func(p *opencube.Plan) { p.ThrottleKbps = opencube.MaxThrottleKbps }), ""},
		{"plan throttle -1", plan(func(p *opencube.Plan) { p.ThrottleKbps = -1 }), "throttle_kbps"},
		{"plan throttle max+1", plan(func(p *opencube.Plan) { p.ThrottleKbps = opencube.MaxThrottleKbps + 1 }), "throttle_kbps"},
		{"eSIM plan id 1", esimPlan(func(p *shop.ESIMPlan) { p.ID = 1 }), ""},
		{"eSIM plan id 2^53-1", esimPlan(func(p *shop.ESIMPlan) { p.ID = opencube.MaxCatalogID }), ""},
		{"eSIM plan id 0", esimPlan(func(p *shop.ESIMPlan) { p.ID = 0 }), "id"},
		{"eSIM plan id 2^53", esimPlan(func(p *shop.ESIMPlan) { p.ID = opencube.MaxCatalogID + 1 }), "id"},
		{"eSIM plan period_days 1200", esimPlan(func(p *shop.ESIMPlan) { p.PeriodDays = 1200 }), ""},
		{"eSIM plan period_days 0", esimPlan(func(p *shop.ESIMPlan) { p.PeriodDays = 0 }), "period_days"},
		{"eSIM plan period_days 1201", esimPlan(func(p *shop.ESIMPlan) { p.PeriodDays = 1201 }), "period_days"},
		{"eSIM plan volume 1 PiB", esimPlan(func(p *shop.ESIMPlan) { p.VolumeBytes = opencube.MaxVolumeBytes }), ""},
		{"eSIM plan volume -1", esimPlan(func(p *shop.ESIMPlan) { p.VolumeBytes = -1 }), "volume_bytes"},
		{"eSIM plan volume 1 PiB + 1", esimPlan(func(p *shop.ESIMPlan) { p.VolumeBytes = opencube.MaxVolumeBytes + 1 }), "volume_bytes"},
		{"eSIM plan price 0", esimPlan(func(p *shop.ESIMPlan) { p.Prices[0].AmountMinor = 0 }), ""},
		{"eSIM plan price max", esimPlan(func(p *shop.ESIMPlan) { p.Prices[0].AmountMinor = opencube.MaxAmountMinor }), ""},
		{"eSIM plan price -1", esimPlan(func(p *shop.ESIMPlan) { p.Prices[0].AmountMinor = -1 }), "prices"},
		{"eSIM plan price max+1", esimPlan(func(p *shop.ESIMPlan) { p.Prices[0].AmountMinor = opencube.MaxAmountMinor + 1 }), "prices"},
		{"alert percents 1 and 100", alerts([]int{1, 100}, 0), ""},
		{"alert percent 0", alerts([]int{0}, 0), "percents"},
		{"alert percent 101", alerts([]int{101}, 0), "percents"},
		{"alert days 366", alerts(nil, 366), ""},
		{"alert days -1", alerts(nil, -1), "days_before_expiry"},
		{"alert days 367", alerts(nil, 367), "days_before_expiry"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.field == "" {
				if tt.err != nil {
					t.Fatal(tt.err)
				}
				return
			}
			wantInvalid(t, tt.err, tt.field)
		})
	}
}

// TestOutOfRange: the range is stated in the message and in Range.
func TestOutOfRange(t *testing.T) {
	e := opencube.OutOfRange("page_size", 1, 100)
	if e.Kind != opencube.KindInvalid || e.Field != "page_size" || e.Range != "1-100" || e.Message != "page_size must be 1-100" {
		t.Fatalf("OutOfRange = %+v", e)
	}
	if err := opencube.CheckRange("n", 1200, 1, 1200); err != nil {
		t.Fatal(err)
	}
	if err := opencube.CheckRange("n", 1201, 1, 1200); opencube.ErrorKind(err) != opencube.KindInvalid {
		t.Fatal(err)
	}
}
