package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// testBacklog is the conformance test of operator.BacklogStore: due,
// running and retrying jobs by kind, pending deliveries and failing
// endpoints.
func testBacklog(t *testing.T, f *fixture) {
	backlog := func(now time.Time) *operator.Backlog {
		t.Helper()
		b, err := f.s.Backlog(f.ctx, now)
		if err != nil {
			t.Fatalf("Backlog: %v", err)
		}
		return b
	}
	if diff := cmp.Diff(&operator.Backlog{}, backlog(base), opts); diff != "" {
		t.Errorf("empty store (-want +got):\n%s", diff)
	}

	f.putWebhook(t, newWebhook(entA))
	o1 := f.newOrder(1, f.sims[1], "P1", base)
	f.insert(t, o1)
	f.insertEvents(t, orderEvent("e1", o1, opencube.EventCreateOrder, at(0)), orderEvent("e2", o1, opencube.EventCancelOrder, at(time.Minute)))
	j1, j2, j3 := newJob("j1", kindA, "k1", at(0)), newJob("j2", kindA, "k2", at(time.Second)), newJob("j3", kindA, "k3", at(time.Hour))
	insertJobs(t, f.s, j1, j2, j3, newJob("j4", kindB, "k4", at(2*time.Second)))
	// j1 runs; j2 ran, failed, and is due again at 3 s.
	for _, id := range []string{"j1", "j2"} {
		got, err := f.s.ClaimJobs(f.ctx, "n1", []string{kindA}, 1, at(2*time.Second), lease)
		if err != nil || len(got) != 1 || got[0].ID != id {
			t.Fatalf("ClaimJobs = %v, %v; want %s", got, err, id)
		}
	}
	if err := f.s.RetryJob(f.ctx, "j2", "n1", at(3*time.Second), "boom"); err != nil {
		t.Fatal(err)
	}
	want := &operator.Backlog{
		Jobs: []operator.JobBacklog{
			{Kind: opencube.JobDeliver, Due: 1, OldestDue: at(0)}, // e2's is due at 1 min
			{Kind: kindA, Due: 1, Running: 1, Retrying: 1, OldestDue: at(3 * time.Second)},
			{Kind: kindB, Due: 1, OldestDue: at(2 * time.Second)},
		},
		PendingDeliveries: 2, OldestDelivery: at(0),
	}
	if diff := cmp.Diff(want, backlog(at(10*time.Second)), opts); diff != "" {
		t.Errorf("at 10 s (-want +got):\n%s", diff)
	}

	// e1 is delivered (its job not completed yet), e2 keeps failing: the
	// endpoint is failing.
	if err := f.s.RecordAttempt(f.ctx, "e1", opencube.Attempt{At: at(time.Hour), StatusCode: 204, OK: true}, opencube.DeliveryDelivered); err != nil {
		t.Fatal(err)
	}
	for i := range opencube.FailingAfter {
		a := opencube.Attempt{At: at(time.Hour + time.Duration(i)*time.Second), StatusCode: 500, Error: "HTTP 500"}
		if err := f.s.RecordAttempt(f.ctx, "e2", a, opencube.DeliveryPending); err != nil {
			t.Fatal(err)
		}
	}
	b := backlog(at(2 * time.Hour))
	if b.PendingDeliveries != 1 || !b.OldestDelivery.Equal(at(time.Minute)) || b.FailingEndpoints != 1 {
		t.Errorf("at 2 h: %d pending, oldest %v, %d failing; want 1, %v, 1", b.PendingDeliveries, b.OldestDelivery, b.FailingEndpoints, at(time.Minute))
	}
	// j1's lease ran out: it is due again, not running.
	for _, j := range b.Jobs {
		if j.Kind == kindA && (j.Due != 3 || j.Running != 0 || !j.OldestDue.Equal(at(0))) {
			t.Errorf("at 2 h, %s: %+v; want 3 due (j1, j2, j3), none running, the oldest at 0", kindA, j)
		}
	}
}
