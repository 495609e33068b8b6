package service_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/opencube/opencube"
)

// TestPurgeDeliveries: the purge job deletes every delivery finished before
// the retention, over more than one batch, keeps later and pending ones, and
// schedules itself again.
func TestPurgeDeliveries(t *testing.T) {
	f := newRatingFixture(t)
	store := f.store
	if _, err := store.PutWebhook(t.Context(), &opencube.Webhook{EnterpriseCode: "ENT", URL: "https://example.com/hook",
		Events: []opencube.EventType{}, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedAt: f.now, UpdatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	const old = 1001 // more than one purge transaction's worth
	id := func(i int) string { return fmt.Sprintf("ev%04d", i) }
	err := store.UpdateOrders(t.Context(), func(tx opencube.OrderTx) error {
		for i := range old + 2 {
			e := &opencube.Event{ID: id(i), EnterpriseCode: "ENT", Type: opencube.EventCreateOrder, OrderID: "o", ICCID: f.sim.ICCID,
				Status: opencube.OrderNotEnabled, CreatedAt: f.now.Add(-50 * 24 * time.Hour)}
			if err := tx.InsertEvent(t.Context(), e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	record := func(i int, ago time.Duration, state opencube.DeliveryState) {
		t.Helper()
		a := opencube.Attempt{At: f.now.Add(-ago), StatusCode: 204, OK: state == opencube.DeliveryDelivered}
		if err := store.RecordAttempt(t.Context(), id(i), a, state); err != nil {
			t.Fatal(err)
		}
	}
	for i := range old {
		record(i, 40*24*time.Hour, opencube.DeliveryDelivered)
	}
	record(old, 24*time.Hour, opencube.DeliveryDelivered)    // recent
	record(old+1, 40*24*time.Hour, opencube.DeliveryPending) // old, still being tried

	if err := f.svc.Notify.PurgeDeliveries(30*24*time.Hour, time.Hour)(t.Context(), &opencube.Job{}); err != nil {
		t.Fatal(err)
	}
	left, err := store.FindDeliveries(t.Context(), opencube.DeliveryFilter{Enterprise: "ENT", Limit: 2 * old})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range left {
		ids = append(ids, d.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{id(old), id(old + 1)}) {
		t.Errorf("deliveries left %v; want only %s (recent) and %s (pending)", ids, id(old), id(old+1))
	}
	jobs, err := store.FindJobs(t.Context(), opencube.JobPurgeDeliveries)
	if err != nil || len(jobs) != 1 || !jobs[0].RunAt.Equal(f.now.Add(time.Hour)) {
		t.Errorf("purge jobs %v, %v; want one due in an hour", jobs, err)
	}
}
