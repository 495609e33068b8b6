package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/opencube/opencube"
)

// testPurgeDeliveries: finished deliveries last updated before the cut go,
// oldest first and at most the limit a call, with their attempts; pending
// ones and later ones stay. A redelivery of a purged delivery's event starts
// it afresh, without the old attempts.
func testPurgeDeliveries(t *testing.T, f *fixture) {
	f.putWebhook(t, newWebhook(entA))
	o := f.newOrder(1, f.sims[1], "P1", base)
	f.insert(t, o)
	f.insertEvents(t,
		orderEvent("d1", o, opencube.EventCreateOrder, at(0)),
		orderEvent("d2", o, opencube.EventStartOrder, at(time.Second)),
		orderEvent("d3", o, opencube.EventPauseOrder, at(2*time.Second)),
		orderEvent("d4", o, opencube.EventResumeOrder, at(3*time.Second)))
	attempt := func(id string, after time.Duration, state opencube.DeliveryState) {
		t.Helper()
		a := opencube.Attempt{At: at(after), StatusCode: 500, Error: "HTTP 500"}
		if state == opencube.DeliveryDelivered {
			a = opencube.Attempt{At: at(after), StatusCode: 204, OK: true}
		}
		if err := f.s.RecordAttempt(f.ctx, id, a, state); err != nil {
			t.Fatalf("RecordAttempt(%s): %v", id, err)
		}
	}
	attempt("d1", time.Hour, opencube.DeliveryDelivered)
	attempt("d2", 2*time.Hour, opencube.DeliveryFailed)
	attempt("d3", 5*time.Hour, opencube.DeliveryDelivered)
	attempt("d4", time.Hour, opencube.DeliveryPending) // old, but still being tried
	purge := func(limit, want int) {
		t.Helper()
		n, err := f.s.PurgeDeliveries(f.ctx, at(3*time.Hour), limit)
		if err != nil || n != want {
			t.Fatalf("PurgeDeliveries(limit %d) = %d, %v; want %d", limit, n, err, want)
		}
	}
	present := func(want ...string) {
		t.Helper()
		for _, id := range []string{"d1", "d2", "d3", "d4"} {
			_, err := f.s.FindDelivery(f.ctx, id)
			kept := false
			for _, w := range want {
				kept = kept || w == id
			}
			switch {
			case kept && err != nil:
				t.Errorf("delivery %s: %v; want it kept", id, err)
			case !kept && opencube.ErrorKind(err) != opencube.KindNotFound:
				t.Errorf("delivery %s: err %v; want it purged", id, err)
			}
		}
	}
	purge(1, 1)
	present("d2", "d3", "d4")
	purge(10, 1)
	present("d3", "d4")
	purge(10, 0)
	for _, id := range []string{"d3", "d4"} {
		if d, err := f.s.FindDelivery(f.ctx, id); err != nil || len(d.Attempts) != 1 {
			t.Errorf("kept delivery %s = %+v, %v; want its attempt", id, d, err)
		}
	}

	n, err := f.s.Redeliver(f.ctx, entA, "", at(0), at(2*time.Second), at(6*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("Redeliver of the purged deliveries' events = %d, %v; want 2", n, err)
	}
	for _, id := range []string{"d1", "d2"} {
		d, err := f.s.FindDelivery(f.ctx, id)
		if err != nil || d.State != opencube.DeliveryPending || len(d.Attempts) != 0 {
			t.Errorf("redelivered %s = %+v, %v; want pending without attempts", id, d, err)
		}
	}
}

// ReplayPurger is a replay store that deletes expired entries, as both
// stores are.
type ReplayPurger interface {
	opencube.ReplayStore
	PurgeReplays(ctx context.Context, now time.Time) (int64, error)
}

// ReplayPurge checks s's PurgeReplays on an empty store: expired entries go,
// the others stay; an entry without a response counts as absent (D28).
// dropResponse sets the response of the entry of access code "ent" and key
// to NULL behind the store's back, as an earlier version whose request died
// left it.
func ReplayPurge(t *testing.T, s ReplayPurger, dropResponse func(key string) error) {
	ctx := context.Background()
	base := SeedBase
	for i := range 10 {
		r := &opencube.Replay{AccessCode: "ent", Key: fmt.Sprint(i), Fingerprint: "fp", ExpiresAt: base.Add(time.Duration(i) * time.Minute)}
		if _, ok, err := s.ClaimReplay(ctx, r, base); err != nil || !ok {
			t.Fatalf("ClaimReplay %d = %v, %v", i, ok, err)
		}
	}
	n, err := s.PurgeReplays(ctx, base.Add(4*time.Minute))
	if err != nil || n != 5 {
		t.Fatalf("PurgeReplays = %d, %v; want 5", n, err)
	}
	// An unexpired entry stays; an empty response is a response.
	r := &opencube.Replay{AccessCode: "ent", Key: "5", Fingerprint: "other", ExpiresAt: base.Add(time.Hour)}
	existing, ok, err := s.ClaimReplay(ctx, r, base.Add(4*time.Minute))
	if err != nil || ok || existing.Fingerprint != "fp" || existing.Response == nil {
		t.Errorf("ClaimReplay of a kept entry = %+v, %v, %v", existing, ok, err)
	}
	// An entry without a response, left by an earlier version whose
	// request died, counts as absent (D28).
	if err := dropResponse("6"); err != nil {
		t.Fatal(err)
	}
	r = &opencube.Replay{AccessCode: "ent", Key: "6", Fingerprint: "retry", Response: []byte("answer"), ExpiresAt: base.Add(time.Hour)}
	if existing, ok, err := s.ClaimReplay(ctx, r, base.Add(4*time.Minute)); err != nil || !ok {
		t.Errorf("ClaimReplay over an entry without a response = %+v, %v, %v", existing, ok, err)
	}
	existing, ok, err = s.ClaimReplay(ctx, &opencube.Replay{AccessCode: "ent", Key: "6", ExpiresAt: base.Add(time.Hour)}, base.Add(4*time.Minute))
	if err != nil || ok || string(existing.Response) != "answer" {
		t.Errorf("the retry's entry = %+v, %v, %v", existing, ok, err)
	}
}
