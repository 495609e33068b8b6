package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// testNotify is the conformance test of opencube.NotifyStore, the outbox
// fan-out of OrderTx.InsertEvent and opencube.AlertTx.
func testNotify(t *testing.T, open func(*testing.T) service.Store) {
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"Webhooks", testWebhooks},
		{"FanOut", testFanOut},
		{"Attempts", testAttempts},
		{"FinishDeliveries", testFinishDeliveries},
		{"FinishDeliveriesConcurrently", testFinishConcurrently},
		{"Redeliver", testRedeliver},
		{"PurgeDeliveries", testPurgeDeliveries},
		{"Alerts", testAlerts},
		{"ConcurrentSeq", testConcurrentSeq},
		{"Backlog", testBacklog},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, seed(t, open(t), true))
		})
	}
}

func newWebhook(ent string, events ...opencube.EventType) *opencube.Webhook {
	if events == nil {
		events = []opencube.EventType{}
	}
	return &opencube.Webhook{
		EnterpriseCode: ent, URL: "https://example.com/hook/" + ent, Events: events,
		Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedAt: base, UpdatedAt: base, Format: opencube.WebhookCSSS,
	}
}

func (f *fixture) putWebhook(t *testing.T, w *opencube.Webhook) {
	t.Helper()
	if _, err := f.s.PutWebhook(f.ctx, w); err != nil {
		t.Fatalf("PutWebhook: %v", err)
	}
}

func testWebhooks(t *testing.T, f *fixture) {
	_, err := f.s.FindWebhook(f.ctx, entA)
	checkKind(t, "FindWebhook of none", err, opencube.KindNotFound, false)
	checkKind(t, "Rotate of none", f.s.RotateWebhookSecret(f.ctx, entA, "whsec_x", at(time.Hour)), opencube.KindNotFound, false)
	_, err = f.s.PutWebhook(f.ctx, newWebhook("nobody"))
	checkKind(t, "PutWebhook of unknown enterprise", err, opencube.KindUnauthenticated, false)

	w := newWebhook(entA, opencube.EventCreateOrder, opencube.EventExpireOrder)
	created, err := f.s.PutWebhook(f.ctx, w)
	if err != nil || !created {
		t.Fatalf("PutWebhook = %v, %v; want created", created, err)
	}
	got, err := f.s.FindWebhook(f.ctx, entA)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w, got, opts); diff != "" {
		t.Errorf("FindWebhook (-want +got):\n%s", diff)
	}
	// An update keeps the secret and the creation time.
	upd := newWebhook(entA)
	upd.URL, upd.Secret, upd.CreatedAt, upd.UpdatedAt = "http://127.0.0.1:9/x", "whsec_other", at(time.Hour), at(time.Hour)
	if created, err := f.s.PutWebhook(f.ctx, upd); err != nil || created {
		t.Fatalf("PutWebhook again = %v, %v; want updated", created, err)
	}
	got, _ = f.s.FindWebhook(f.ctx, entA)
	want := *w
	want.URL, want.Events, want.UpdatedAt = upd.URL, []opencube.EventType{}, at(time.Hour)
	if diff := cmp.Diff(&want, got, opts); diff != "" {
		t.Errorf("FindWebhook after update (-want +got):\n%s", diff)
	}
	// The v4 format: its Notification Key is kept once made.
	v4 := *upd
	v4.Format, v4.NotificationKeyID, v4.NotificationKey = opencube.WebhookV4, "kid-1", "00ff"
	if _, err := f.s.PutWebhook(f.ctx, &v4); err != nil {
		t.Fatal(err)
	}
	v4.NotificationKeyID, v4.NotificationKey = "kid-2", "11ee"
	if _, err := f.s.PutWebhook(f.ctx, &v4); err != nil {
		t.Fatal(err)
	}
	got, _ = f.s.FindWebhook(f.ctx, entA)
	if got.Format != opencube.WebhookV4 || got.NotificationKeyID != "kid-1" || got.NotificationKey != "00ff" {
		t.Errorf("FindWebhook v4: format %q key %q %q; want v4 kid-1 00ff", got.Format, got.NotificationKeyID, got.NotificationKey)
	}
	v4.Format = opencube.WebhookCSSS
	if _, err := f.s.PutWebhook(f.ctx, &v4); err != nil {
		t.Fatal(err)
	}
	// Rotation: the old secret signs until its time.
	if err := f.s.RotateWebhookSecret(f.ctx, entA, "whsec_new", at(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ = f.s.FindWebhook(f.ctx, entA)
	if got.Secret != "whsec_new" || got.OldSecret != w.Secret || got.OldSecretUntil == nil || !got.OldSecretUntil.Equal(at(24*time.Hour)) {
		t.Errorf("after rotation: secret %q, old %q until %v", got.Secret, got.OldSecret, got.OldSecretUntil)
	}
	if s := got.Secrets(at(time.Hour)); len(s) != 2 {
		t.Errorf("Secrets during grace = %q, want both", s)
	}
	if s := got.Secrets(at(25 * time.Hour)); len(s) != 1 || s[0] != "whsec_new" {
		t.Errorf("Secrets after grace = %q, want the new one", s)
	}
}

// orderEvent returns an event of o with every field set.
func orderEvent(id string, o *opencube.Order, typ opencube.EventType, created time.Time) *opencube.Event {
	return &opencube.Event{
		ID: id, EnterpriseCode: o.EnterpriseCode, Type: typ, OrderID: o.ID, ICCID: o.ICCID, Status: o.Status,
		CreatedAt: created, IMSI: o.IMSI, PlanCode: o.PlanCode, StartedAt: o.StartedAt, ExpiresAt: o.ExpiresAt,
	}
}

func (f *fixture) insertEvents(t *testing.T, events ...*opencube.Event) {
	t.Helper()
	f.update(t, func(tx opencube.OrderTx) error {
		for _, e := range events {
			if err := tx.InsertEvent(f.ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func (f *fixture) deliverJobs(t *testing.T) []string {
	t.Helper()
	jobs, err := f.s.FindJobs(f.ctx, opencube.JobDeliver)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, j := range jobs {
		keys = append(keys, j.Key)
	}
	return keys
}

func testFanOut(t *testing.T, f *fixture) {
	f.putWebhook(t, newWebhook(entA, opencube.EventCreateOrder, opencube.EventStartOrder))
	o1 := withStatus(f.newOrder(1, f.sims[1], "P1", base), opencube.OrderInUse)
	o2 := f.newOrder(2, f.sims[2], "P1", base)
	o6 := f.newOrder(6, f.sims[6], "P2", base)
	f.insert(t, o1, o2, o6)
	e1 := orderEvent("e1", o1, opencube.EventCreateOrder, at(0))
	e2 := orderEvent("e2", o1, opencube.EventStartOrder, at(time.Second))
	e3 := orderEvent("e3", o1, opencube.EventPauseOrder, at(2*time.Second)) // not subscribed
	e4 := orderEvent("e4", o2, opencube.EventCreateOrder, at(3*time.Second))
	e6 := orderEvent("e6", o6, opencube.EventCreateOrder, at(0)) // B has no endpoint
	f.insertEvents(t, e1, e2)
	f.insertEvents(t, e3, e4, e6)
	// A rolled-back transaction leaves no event, delivery or job.
	boom := errors.New("boom")
	err := f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error {
		if err := tx.InsertEvent(f.ctx, orderEvent("e-gone", o1, opencube.EventCreateOrder, at(4*time.Second))); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("UpdateOrders = %v, want boom", err)
	}
	if diff := cmp.Diff([]string{"e1", "e2", "e4"}, f.deliverJobs(t)); diff != "" {
		t.Errorf("delivery jobs (-want +got):\n%s", diff)
	}
	for _, id := range []string{"e3", "e6", "e-gone"} {
		_, err := f.s.FindDelivery(f.ctx, id)
		checkKind(t, "FindDelivery("+id+")", err, opencube.KindNotFound, false)
	}
	// The delivery carries the event with the order's snapshot and the
	// SIM's event number (e3, undelivered, still took number 3 of SIM 1).
	d, err := f.s.FindDelivery(f.ctx, "e2")
	if err != nil {
		t.Fatal(err)
	}
	want := *e2
	want.Seq = 2
	if diff := cmp.Diff(&want, d.Event, opts); diff != "" {
		t.Errorf("delivery event (-want +got):\n%s", diff)
	}
	if d.State != opencube.DeliveryPending || d.Type != opencube.EventStartOrder || d.EnterpriseCode != entA || !d.CreatedAt.Equal(at(time.Second)) {
		t.Errorf("delivery = %+v", d)
	}
	d4, _ := f.s.FindDelivery(f.ctx, "e4")
	if d4.Event.Seq != 1 {
		t.Errorf("first event of SIM 2 has seq %d, want 1", d4.Event.Seq)
	}
	// A delivery of the same event twice is a conflict, as before.
	err = f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error { return tx.InsertEvent(f.ctx, e1) })
	checkKind(t, "InsertEvent again", err, opencube.KindConflict, true)
}

func testAttempts(t *testing.T, f *fixture) {
	f.putWebhook(t, newWebhook(entA))
	o1 := f.newOrder(1, f.sims[1], "P1", base)
	f.insert(t, o1)
	f.insertEvents(t, orderEvent("e1", o1, opencube.EventCreateOrder, at(0)), orderEvent("e2", o1, opencube.EventCancelOrder, at(time.Minute)))
	fail := opencube.Attempt{At: at(time.Second), StatusCode: 500, Latency: 3 * time.Millisecond, Error: "HTTP 500"}
	for i := range opencube.FailingAfter {
		fail.At = at(time.Duration(i+1) * time.Second)
		if err := f.s.RecordAttempt(f.ctx, "e1", fail, opencube.DeliveryPending); err != nil {
			t.Fatal(err)
		}
	}
	checkKind(t, "RecordAttempt of unknown", f.s.RecordAttempt(f.ctx, "nope", fail, opencube.DeliveryPending), opencube.KindNotFound, false)
	w, _ := f.s.FindWebhook(f.ctx, entA)
	if !w.Failing || w.Failures != opencube.FailingAfter {
		t.Errorf("after %d failures: failing %v, failures %d", opencube.FailingAfter, w.Failing, w.Failures)
	}
	ok := opencube.Attempt{At: at(10 * time.Second), StatusCode: 204, Latency: time.Millisecond, OK: true}
	if err := f.s.RecordAttempt(f.ctx, "e1", ok, opencube.DeliveryDelivered); err != nil {
		t.Fatal(err)
	}
	w, _ = f.s.FindWebhook(f.ctx, entA)
	if w.Failing || w.Failures != 0 {
		t.Errorf("after a success: failing %v, failures %d", w.Failing, w.Failures)
	}
	d, _ := f.s.FindDelivery(f.ctx, "e1")
	if len(d.Attempts) != opencube.FailingAfter+1 || d.State != opencube.DeliveryDelivered || d.DeliveredAt == nil || !d.DeliveredAt.Equal(ok.At) {
		t.Fatalf("delivery = %+v", d)
	}
	ok.N = opencube.FailingAfter + 1
	if diff := cmp.Diff(ok, d.Attempts[len(d.Attempts)-1], opts); diff != "" {
		t.Errorf("last attempt (-want +got):\n%s", diff)
	}
	fail.N = 1
	fail.At = at(time.Second)
	if diff := cmp.Diff(fail, d.Attempts[0], opts); diff != "" {
		t.Errorf("first attempt (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		name string
		f    opencube.DeliveryFilter
		want []string
	}{
		{"all, newest first", opencube.DeliveryFilter{Enterprise: entA}, []string{"e2", "e1"}},
		{"by state", opencube.DeliveryFilter{Enterprise: entA, State: opencube.DeliveryPending}, []string{"e2"}},
		{"by event", opencube.DeliveryFilter{Enterprise: entA, Type: opencube.EventCreateOrder}, []string{"e1"}},
		{"since", opencube.DeliveryFilter{Enterprise: entA, Since: at(time.Second)}, []string{"e2"}},
		{"until", opencube.DeliveryFilter{Enterprise: entA, Until: at(time.Second)}, []string{"e1"}},
		{"limit", opencube.DeliveryFilter{Enterprise: entA, Limit: 1}, []string{"e2"}},
		{"other enterprise", opencube.DeliveryFilter{Enterprise: entB}, nil},
	} {
		ds, err := f.s.FindDeliveries(f.ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, d.ID)
		}
		if diff := cmp.Diff(tt.want, got, opts); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// claimDeliveries claims every due delivery job as owner, by delivery.
func (f *fixture) claimDeliveries(t *testing.T, owner string, now time.Time) map[string]*opencube.Job {
	t.Helper()
	jobs, err := f.s.ClaimJobs(f.ctx, owner, []string{opencube.JobDeliver}, 100, now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]*opencube.Job{}
	for _, j := range jobs {
		byKey[j.Key] = j
	}
	return byKey
}

// testFinishDeliveries: attempts recorded with their jobs settled in one
// transaction, several deliveries at once.
func testFinishDeliveries(t *testing.T, f *fixture) {
	f.putWebhook(t, newWebhook(entA))
	o1 := f.newOrder(1, f.sims[1], "P1", base)
	f.insert(t, o1)
	f.insertEvents(t, orderEvent("e1", o1, opencube.EventCreateOrder, at(0)), orderEvent("e2", o1, opencube.EventCancelOrder, at(time.Second)),
		orderEvent("e3", o1, opencube.EventStartOrder, at(2*time.Second)))
	f.checkOutgoing(t, "e1")
	_, err := f.s.FindOutgoing(f.ctx, "nope")
	checkKind(t, "FindOutgoing of unknown", err, opencube.KindNotFound, false)
	jobs := f.claimDeliveries(t, "w", at(time.Minute))
	if len(jobs) != 3 {
		t.Fatalf("claimed %d jobs, want 3", len(jobs))
	}
	fail := func(sec int) opencube.Attempt {
		return opencube.Attempt{At: at(time.Duration(sec) * time.Second), StatusCode: 503, Latency: time.Millisecond, Error: "HTTP 503"}
	}
	retryAt := at(time.Hour)
	// Two failures to retry; e3's outcome from a node that no longer
	// holds its job; a delivery that is gone.
	err = f.s.FinishDeliveries(f.ctx, []opencube.DeliveryOutcome{
		{ID: "e1", Attempt: fail(61), State: opencube.DeliveryPending, JobID: jobs["e1"].ID, Owner: "w", RetryAt: retryAt, Error: "e1 attempt 1"},
		{ID: "e2", Attempt: fail(62), State: opencube.DeliveryPending, JobID: jobs["e2"].ID, Owner: "w", RetryAt: retryAt, Error: "e2 attempt 1"},
		{ID: "e3", Attempt: fail(63), State: opencube.DeliveryPending, JobID: jobs["e3"].ID, Owner: "other", RetryAt: retryAt, Error: "e3 attempt 1"},
		{ID: "gone", Attempt: fail(64), State: opencube.DeliveryPending, JobID: "no-job", Owner: "w", RetryAt: retryAt},
	})
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := f.s.FindWebhook(f.ctx, entA); w.Failures != 3 {
		t.Errorf("after 3 failures: failures %d", w.Failures)
	}
	for _, id := range []string{"e1", "e2", "e3"} {
		d, err := f.s.FindDelivery(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.State != opencube.DeliveryPending || len(d.Attempts) != 1 || d.Attempts[0].N != 1 || d.Attempts[0].StatusCode != 503 {
			t.Errorf("%s: %s, attempts %+v", id, d.State, d.Attempts)
		}
	}
	pending, err := f.s.FindJobs(f.ctx, opencube.JobDeliver)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range pending {
		switch j.Key {
		case "e1", "e2":
			if !j.RunAt.Equal(retryAt) || j.ClaimedBy != "" || j.LastError != j.Key+" attempt 1" {
				t.Errorf("released job %s: %+v", j.Key, j)
			}
		case "e3":
			if j.ClaimedBy != "w" || j.LastError != "" {
				t.Errorf("job of another node's outcome: %+v, want left alone", j)
			}
		}
	}
	if len(pending) != 3 {
		t.Errorf("%d jobs pending, want 3", len(pending))
	}
	// A success then two failures of one delivery in one batch: the
	// endpoint counts the two failures after the success; the attempts
	// take the next numbers in order, and the done jobs are gone.
	jobs = f.claimDeliveries(t, "w2", at(2*time.Hour))
	ok := opencube.Attempt{At: at(2*time.Hour + time.Second), StatusCode: 200, Latency: time.Millisecond, OK: true}
	err = f.s.FinishDeliveries(f.ctx, []opencube.DeliveryOutcome{
		{ID: "e1", Attempt: ok, State: opencube.DeliveryDelivered, JobID: jobs["e1"].ID, Owner: "w2"},
		// An earlier run of e2 whose node lost its lease, ending now.
		{ID: "e2", Attempt: fail(7202), State: opencube.DeliveryPending, JobID: jobs["e2"].ID, Owner: "w", RetryAt: retryAt},
		{ID: "e2", Attempt: fail(7203), State: opencube.DeliveryFailed, JobID: jobs["e2"].ID, Owner: "w2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := f.s.FindWebhook(f.ctx, entA); w.Failures != 2 || w.Failing {
		t.Errorf("after a success and 2 failures: failures %d, failing %v", w.Failures, w.Failing)
	}
	d1, _ := f.s.FindDelivery(f.ctx, "e1")
	ok.N = 2
	if d1.State != opencube.DeliveryDelivered || d1.DeliveredAt == nil || !d1.DeliveredAt.Equal(ok.At) || len(d1.Attempts) != 2 {
		t.Fatalf("e1 = %+v", d1)
	}
	if diff := cmp.Diff(ok, d1.Attempts[1], opts); diff != "" {
		t.Errorf("e1's last attempt (-want +got):\n%s", diff)
	}
	d2, _ := f.s.FindDelivery(f.ctx, "e2")
	var ns []int
	for _, a := range d2.Attempts {
		ns = append(ns, a.N)
	}
	if d2.State != opencube.DeliveryFailed || d2.DeliveredAt != nil || !slices.Equal(ns, []int{1, 2, 3}) || !d2.Attempts[2].At.Equal(fail(7203).At) {
		t.Errorf("e2 = %s, attempts %+v", d2.State, d2.Attempts)
	}
	f.checkOutgoing(t, "e2")
	f.checkOutgoings(t, "e1", "e2", "e3", "nope")
	pending, _ = f.s.FindJobs(f.ctx, opencube.JobDeliver)
	if len(pending) != 1 || pending[0].Key != "e3" {
		t.Errorf("jobs pending: %+v, want e3's alone", pending)
	}
	// Nothing to record writes nothing.
	if err := f.s.FinishDeliveries(f.ctx, nil); err != nil {
		t.Errorf("FinishDeliveries(nil) = %v", err)
	}
}

// checkOutgoing checks that FindOutgoing reads what FindDelivery,
// FindEnterprise and FindWebhook read.
func (f *fixture) checkOutgoing(t *testing.T, id string) {
	t.Helper()
	got, err := f.s.FindOutgoing(f.ctx, id)
	if err != nil {
		t.Fatalf("FindOutgoing(%s): %v", id, err)
	}
	d, err := f.s.FindDelivery(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.s.FindEnterprise(f.ctx, d.EnterpriseCode)
	if err != nil {
		t.Fatal(err)
	}
	w, err := f.s.FindWebhook(f.ctx, d.EnterpriseCode)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&opencube.Outgoing{Delivery: d, Enterprise: e, Webhook: w}, got, opts); diff != "" {
		t.Errorf("FindOutgoing(%s) (-want +got):\n%s", id, diff)
	}
}

// outgoingsStore is a store that reads several deliveries at once, with
// their enterprises and endpoints (notify.OutgoingsStore).
type outgoingsStore interface {
	FindOutgoings(ctx context.Context, ids []string) (map[string]*opencube.Outgoing, error)
}

// checkOutgoings checks, on a store that reads several deliveries at once,
// that it reads each as FindOutgoing does, and leaves out those FindOutgoing
// does not find.
func (f *fixture) checkOutgoings(t *testing.T, ids ...string) {
	t.Helper()
	st, ok := f.s.(outgoingsStore)
	if !ok {
		return
	}
	got, err := st.FindOutgoings(f.ctx, ids)
	if err != nil {
		t.Fatalf("FindOutgoings(%v): %v", ids, err)
	}
	want := map[string]*opencube.Outgoing{}
	for _, id := range ids {
		out, err := f.s.FindOutgoing(f.ctx, id)
		if opencube.ErrorKind(err) == opencube.KindNotFound {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		want[id] = out
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("FindOutgoings(%v) (-want +got):\n%s", ids, diff)
	}
}

// testFinishConcurrently: batches of the same deliveries, in different
// orders, from several nodes at once, all commit, every attempt numbered
// once.
func testFinishConcurrently(t *testing.T, f *fixture) {
	f.putWebhook(t, newWebhook(entA))
	o1 := f.newOrder(1, f.sims[1], "P1", base)
	f.insert(t, o1)
	ids := []string{"e1", "e2", "e3", "e4"}
	var events []*opencube.Event
	for i, id := range ids {
		events = append(events, orderEvent(id, o1, opencube.EventCreateOrder, at(time.Duration(i)*time.Second)))
	}
	f.insertEvents(t, events...)
	const nodes, batches = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, nodes*batches)
	for n := range nodes {
		wg.Go(func() {
			for b := range batches {
				var outs []opencube.DeliveryOutcome
				for k := range ids {
					id := ids[(k+n+b)%len(ids)]
					if n%2 == 1 {
						id = ids[len(ids)-1-(k+b)%len(ids)]
					}
					a := opencube.Attempt{At: at(time.Minute), StatusCode: 500, Error: "HTTP 500"}
					outs = append(outs, opencube.DeliveryOutcome{ID: id, Attempt: a, State: opencube.DeliveryPending,
						JobID: "job-" + id, Owner: fmt.Sprintf("node%d", n), RetryAt: at(time.Hour)})
				}
				if err := f.s.FinishDeliveries(f.ctx, outs); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, id := range ids {
		d, err := f.s.FindDelivery(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Attempts) != nodes*batches {
			t.Errorf("%s: %d attempts, want %d", id, len(d.Attempts), nodes*batches)
		}
		for i, a := range d.Attempts {
			if a.N != i+1 {
				t.Errorf("%s: attempt %d numbered %d", id, i+1, a.N)
				break
			}
		}
	}
	if w, _ := f.s.FindWebhook(f.ctx, entA); w.Failures != nodes*batches*len(ids) {
		t.Errorf("failures %d, want %d", w.Failures, nodes*batches*len(ids))
	}
}

func testRedeliver(t *testing.T, f *fixture) {
	o1 := f.newOrder(1, f.sims[1], "P1", base)
	f.insert(t, o1)
	// Events before the endpoint existed have no delivery.
	f.insertEvents(t, orderEvent("e0", o1, opencube.EventCreateOrder, at(0)))
	_, err := f.s.Redeliver(f.ctx, entA, "", at(0), at(time.Hour), at(time.Hour))
	checkKind(t, "Redeliver without endpoint", err, opencube.KindNotFound, false)
	f.putWebhook(t, newWebhook(entA, opencube.EventCreateOrder, opencube.EventCancelOrder))
	f.insertEvents(t, orderEvent("e1", o1, opencube.EventCancelOrder, at(time.Minute)),
		orderEvent("e2", o1, opencube.EventPauseOrder, at(2*time.Minute))) // e2 not subscribed
	// Deliver e1, then run its job as the worker would.
	if err := f.s.RecordAttempt(f.ctx, "e1", opencube.Attempt{At: at(time.Minute), StatusCode: 200, OK: true}, opencube.DeliveryDelivered); err != nil {
		t.Fatal(err)
	}
	jobs, err := f.s.ClaimJobs(f.ctx, "w", []string{opencube.JobDeliver}, 10, at(time.Hour), time.Minute)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("ClaimJobs = %d jobs, %v", len(jobs), err)
	}
	if err := f.s.CompleteJob(f.ctx, jobs[0].ID, "w"); err != nil {
		t.Fatal(err)
	}
	// One delivery again.
	if n, err := f.s.Redeliver(f.ctx, entA, "e1", time.Time{}, time.Time{}, at(2*time.Hour)); err != nil || n != 1 {
		t.Fatalf("Redeliver(e1) = %d, %v", n, err)
	}
	d, _ := f.s.FindDelivery(f.ctx, "e1")
	if d.State != opencube.DeliveryPending || len(d.Attempts) != 1 {
		t.Errorf("redelivered: state %s, %d attempts", d.State, len(d.Attempts))
	}
	if diff := cmp.Diff([]string{"e1"}, f.deliverJobs(t)); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
	_, err = f.s.Redeliver(f.ctx, entA, "nope", time.Time{}, time.Time{}, at(2*time.Hour))
	checkKind(t, "Redeliver(unknown)", err, opencube.KindNotFound, false)
	// Everything since: the subscribed events in the range, including e0
	// from before the endpoint, never twice pending.
	n, err := f.s.Redeliver(f.ctx, entA, "", at(0), at(2*time.Minute), at(3*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("Redeliver since = %d, %v; want 2", n, err)
	}
	if diff := cmp.Diff([]string{"e0", "e1"}, sortedKeys(f.deliverJobs(t))); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
	d, _ = f.s.FindDelivery(f.ctx, "e0")
	if d.State != opencube.DeliveryPending || d.Event.Type != opencube.EventCreateOrder {
		t.Errorf("e0 delivery = %+v", d)
	}
}

func sortedKeys(l []string) []string {
	out := append([]string(nil), l...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func testAlerts(t *testing.T, f *fixture) {
	got, err := f.s.FindAlertSettings(f.ctx, entA)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(opencube.DefaultAlertSettings(entA), got, opts); diff != "" {
		t.Errorf("default settings (-want +got):\n%s", diff)
	}
	_, err = f.s.FindAlertSettings(f.ctx, "nobody")
	checkKind(t, "FindAlertSettings(nobody)", err, opencube.KindUnauthenticated, false)
	checkKind(t, "PutAlertSettings(nobody)", f.s.PutAlertSettings(f.ctx, &opencube.AlertSettings{EnterpriseCode: "nobody"}), opencube.KindUnauthenticated, false)
	set := &opencube.AlertSettings{EnterpriseCode: entA, Percents: []int{50, 90}, DaysBeforeExpiry: 7}
	if err := f.s.PutAlertSettings(f.ctx, set); err != nil {
		t.Fatal(err)
	}
	set.Percents = []int{50, 75, 90}
	if err := f.s.PutAlertSettings(f.ctx, set); err != nil {
		t.Fatal(err)
	}
	got, _ = f.s.FindAlertSettings(f.ctx, entA)
	if diff := cmp.Diff(set, got, opts); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	f.update(t, func(tx opencube.OrderTx) error {
		atx, ok := tx.(opencube.AlertTx)
		if !ok {
			t.Fatalf("%T does not implement opencube.AlertTx", tx)
		}
		in, err := atx.AlertSettings(f.ctx, entA)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(set, in, opts); diff != "" {
			t.Errorf("settings in tx (-want +got):\n%s", diff)
		}
		if in, _ = atx.AlertSettings(f.ctx, entB); in.DaysBeforeExpiry != opencube.DefaultAlertDays {
			t.Errorf("B's settings in tx = %+v, want defaults", in)
		}
		for i, want := range []bool{true, false} {
			fresh, err := atx.MarkAlert(f.ctx, orderID(1), "80%")
			if err != nil {
				return err
			}
			if fresh != want {
				t.Errorf("MarkAlert #%d = %v, want %v", i+1, fresh, want)
			}
		}
		fresh, err := atx.MarkAlert(f.ctx, orderID(1), "100%")
		if err != nil || !fresh {
			t.Errorf("MarkAlert(100%%) = %v, %v", fresh, err)
		}
		return nil
	})
}

// testConcurrentSeq: events of one SIM written by concurrent transactions
// get the numbers 1..n, each once.
func testConcurrentSeq(t *testing.T, f *fixture) {
	f.putWebhook(t, newWebhook(entA))
	o := f.newOrder(1, f.sims[1], "P1", base)
	f.insert(t, o)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error {
				return tx.InsertEvent(f.ctx, orderEvent(fmt.Sprintf("c%02d", i), o, opencube.EventRenewOrder, at(time.Duration(i)*time.Millisecond)))
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int64]bool{}
	for i := range n {
		d, err := f.s.FindDelivery(f.ctx, fmt.Sprintf("c%02d", i))
		if err != nil {
			t.Fatal(err)
		}
		if d.Event.Seq < 1 || d.Event.Seq > n || seen[d.Event.Seq] {
			t.Errorf("event c%02d has seq %d (seen: %v)", i, d.Event.Seq, seen[d.Event.Seq])
		}
		seen[d.Event.Seq] = true
	}
}
