package service_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/storetest"
)

// TestUsageAlerts books synthetic usage through Service.AfterUsage, as
// rating does inside its booking transaction: each threshold fires once
// per order, when a booking crosses it, including the first booking of a
// daily plan's new day; per-enterprise settings replace the defaults.
func TestUsageAlerts(t *testing.T) {
	ctx := t.Context()
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	store, svc := storetest.Services(t, clock)
	if err := svc.Admin.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "E", Secrets: []string{"secret-e-1"}}); err != nil {
		t.Fatal(err)
	}
	o := &opencube.Order{ID: "ORDER_1", EnterpriseCode: "E", ICCID: "8986", VolumeBytes: 100, Status: opencube.OrderInUse, UpdatedAt: clock.now}
	book := func(used int64) {
		t.Helper()
		err := store.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
			before := o.UsedBytes
			o.UsedBytes = used
			return svc.SIMs.AfterUsage(ctx, tx, o, before)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	alerts := func() []string {
		t.Helper()
		events, err := store.FindEvents(ctx, "E")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range events {
			var d opencube.AlertData
			json.Unmarshal([]byte(e.Data), &d)
			out = append(out, d.Threshold)
		}
		return out
	}
	for _, step := range []struct {
		used int64
		want []string
	}{
		{50, nil},
		{79, nil},
		{80, []string{"80%"}},
		{90, []string{"80%"}},
		{120, []string{"80%", "100%"}},
		{10, []string{"80%", "100%"}},  // a new day (daily plan)
		{100, []string{"80%", "100%"}}, // already fired for this order
	} {
		book(step.used)
		if got := alerts(); !equal(got, step.want) {
			t.Fatalf("after %d bytes: alerts %v, want %v", step.used, got, step.want)
		}
	}
	// Settings of their own: 50 % only.
	if err := svc.Notify.PutAlertSettings(ctx, &opencube.AlertSettings{EnterpriseCode: "E", Percents: []int{50}}); err != nil {
		t.Fatal(err)
	}
	o = &opencube.Order{ID: "ORDER_2", EnterpriseCode: "E", ICCID: "8986", VolumeBytes: 100, Status: opencube.OrderInUse, UpdatedAt: clock.now}
	book(99)
	if got := alerts(); !equal(got, []string{"80%", "100%", "50%"}) {
		t.Fatalf("with settings: alerts %v", got)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
