package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// testSIMRequests: an asynchronous SIM operation is stored with its job in
// one transaction, locks its SIM (a second one is refused, and an order
// transaction sees the lock) until it is finished, once, and is found only
// by its enterprise.
func testSIMRequests(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	s, ctx := f.s, context.Background()
	sim := f.sims[1].ICCID
	r := &operator.SIMRequest{ID: "req-1", Enterprise: entA, ICCID: sim, Operation: "suspend", OrderID: "O1", KeepAlive: true, CreatedAt: at(time.Minute)}
	job := func(id string) *opencube.Job {
		return &opencube.Job{ID: "job-" + id, Kind: opencube.JobSIMRequest, Key: id, Payload: []byte(entA), RunAt: at(time.Minute)}
	}
	create := func(r *operator.SIMRequest, j *opencube.Job) error {
		return s.CreateSIMRequest(ctx, nil, func(opencube.OrderTx) (*operator.SIMRequest, *opencube.Job, error) { return r, j, nil })
	}
	if err := create(r, job("req-1")); err != nil {
		t.Fatalf("CreateSIMRequest: %v", err)
	}
	got, err := s.FindSIMRequest(ctx, entA, "req-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got, opts); diff != "" {
		t.Errorf("FindSIMRequest (-want +got):\n%s", diff)
	}
	_, err = s.FindSIMRequest(ctx, entB, "req-1")
	checkKind(t, "another enterprise's request", err, opencube.KindNotFound, false)
	jobs, err := s.FindJobs(ctx, opencube.JobSIMRequest)
	if err != nil || len(jobs) != 1 || jobs[0].Key != "req-1" {
		t.Errorf("the request's job: %+v, %v", jobs, err)
	}
	second := &operator.SIMRequest{ID: "req-2", Enterprise: entA, ICCID: sim, Operation: "resume", CreatedAt: at(time.Minute)}
	err = create(second, job("req-2"))
	checkKind(t, "a second request on the SIM", err, opencube.KindSIMState, false)
	if e, ok := err.(*opencube.Error); !ok || e.Cause != opencube.CauseSIMLocked {
		t.Errorf("a second request: %v, want CauseSIMLocked", err)
	}
	if jobs, _ := s.FindJobs(ctx, opencube.JobSIMRequest); len(jobs) != 1 {
		t.Errorf("the refused request left a job: %d jobs", len(jobs))
	}
	if id, err := s.SIMLocked(ctx, sim); err != nil || id != "req-1" {
		t.Errorf("SIMLocked: %q, %v", id, err)
	}
	err = s.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		id, err := tx.SIMLocked(ctx, sim)
		if err == nil && id != "req-1" {
			t.Errorf("OrderTx.SIMLocked: %q", id)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	done := *got
	done.Status, done.ErrorKind, done.ErrorCause, done.ErrorMessage, done.FinishedAt = operator.SIMRequestFailed, opencube.KindOrderState, opencube.CauseNoActiveOrder, "no order", ptr(at(2*time.Minute))
	event := func(id string) *opencube.Event {
		return &opencube.Event{ID: id, EnterpriseCode: entA, Type: opencube.EventSIMAsyncResult, ICCID: sim, CreatedAt: at(2 * time.Minute),
			Data: `{"request_id":"req-1","status":2}`}
	}
	if err := s.FinishSIMRequest(ctx, &done, event("ev-1")); err != nil {
		t.Fatal(err)
	}
	again := done
	again.Status, again.FinishedAt = operator.SIMRequestSucceeded, ptr(at(3*time.Minute))
	if err := s.FinishSIMRequest(ctx, &again, event("ev-2")); err != nil {
		t.Fatal(err)
	}
	evs, err := s.FindEvents(ctx, entA)
	if err != nil {
		t.Fatal(err)
	}
	var results []string
	for _, e := range evs {
		if e.Type == opencube.EventSIMAsyncResult {
			results = append(results, e.ID+" "+e.Data)
		}
	}
	if want := []string{`ev-1 {"request_id":"req-1","status":2}`}; !cmp.Equal(results, want) {
		t.Errorf("async result events %q, want %q (once, with the first finish)", results, want)
	}
	got, err = s.FindSIMRequest(ctx, entA, "req-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&done, got, opts); diff != "" {
		t.Errorf("finished once (-want +got):\n%s", diff)
	}
	if id, err := s.SIMLocked(ctx, sim); err != nil || id != "" {
		t.Errorf("SIMLocked after finishing: %q, %v", id, err)
	}
	if err := create(second, job("req-2")); err != nil {
		t.Errorf("a request after the first finished: %v", err)
	}
}

// testSIMRequestClaim: the replay entry of an asynchronous operation is
// recorded in the transaction that writes the request and its job (D28):
// a transaction that fails leaves no request, job or entry; a refused
// (locked) request records no entry; the same request again finds the
// first entry and writes nothing.
func testSIMRequestClaim(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	s, ctx := f.s, context.Background()
	sim := f.sims[1].ICCID
	entry := func(key string) *opencube.Replay {
		return &opencube.Replay{AccessCode: entA, Key: key, Fingerprint: "PUT /sims/x/suspend", ExpiresAt: at(30 * time.Minute)}
	}
	absent := func(key string) {
		t.Helper()
		if _, ok, err := s.ClaimReplay(ctx, entry(key), at(time.Minute)); err != nil || !ok {
			t.Fatalf("entry %s was recorded: ok %v, err %v", key, ok, err)
		}
	}
	other := f.sims[2].ICCID
	request := func(id string) *operator.SIMRequest {
		iccid := sim
		if id == "req-2" {
			iccid = other // not locked: the repeat reaches its entry
		}
		return &operator.SIMRequest{ID: id, Enterprise: entA, ICCID: iccid, Operation: "suspend", CreatedAt: at(time.Minute)}
	}
	job := func(id string) *opencube.Job {
		return &opencube.Job{ID: "job-" + id, Kind: opencube.JobSIMRequest, Key: id, Payload: []byte(entA), RunAt: at(time.Minute)}
	}
	start := func(claim *opencube.ReplayClaim, id string, fail error) error {
		return s.CreateSIMRequest(ctx, claim, func(tx opencube.OrderTx) (*operator.SIMRequest, *opencube.Job, error) {
			claim.AnswerWith([]byte(`{"request_id":"` + id + `"}`))
			if err := tx.InsertEvent(ctx, &opencube.Event{ID: "ev-" + id, EnterpriseCode: entA, Type: opencube.EventCreateOrder,
				OrderID: "o", ICCID: sim, Status: opencube.OrderNotEnabled, CreatedAt: base}); err != nil {
				return nil, nil, err
			}
			return request(id), job(id), fail
		})
	}
	nothing := func(what string) {
		t.Helper()
		if jobs, _ := s.FindJobs(ctx, opencube.JobSIMRequest); len(jobs) != 1 {
			t.Errorf("%s: %d jobs, want the first request's only", what, len(jobs))
		}
		if evs, _ := s.FindEvents(ctx, entA); len(evs) != 1 {
			t.Errorf("%s: %d events, want the first request's only", what, len(evs))
		}
	}

	// A transaction that fails (the server died before committing)
	// leaves nothing: the retry runs.
	boom := errors.New("boom")
	died := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("k1")}, Now: base}
	if err := start(died, "req-0", boom); !errors.Is(err, boom) {
		t.Fatalf("a failing transaction: %v", err)
	}
	if died.Recorded {
		t.Fatalf("a failed transaction's claim is recorded: %+v", died)
	}
	if _, err := s.FindSIMRequest(ctx, entA, "req-0"); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Fatalf("a failed transaction left its request: %v", err)
	}
	if id, err := s.SIMLocked(ctx, sim); err != nil || id != "" {
		t.Fatalf("a failed transaction locked the SIM: %q, %v", id, err)
	}
	absent("k1")

	// The retry commits the request, its job and its entry together.
	first := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("k2")}, Now: base}
	if err := start(first, "req-1", nil); err != nil {
		t.Fatal(err)
	}
	if !first.Recorded || string(first.Response) != `{"request_id":"req-1"}` {
		t.Fatalf("claim %+v not recorded with the request", first)
	}
	if id, err := s.SIMLocked(ctx, sim); err != nil || id != "req-1" {
		t.Fatalf("SIMLocked: %q, %v", id, err)
	}

	// The same request again finds the first entry: nothing written.
	again := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("k2")}, Now: base}
	err := start(again, "req-2", nil)
	if !errors.Is(err, opencube.ErrReplayed) || again.Prior == nil || string(again.Prior.Response) != `{"request_id":"req-1"}` {
		t.Fatalf("the same request again: %v, claim %+v", err, again)
	}
	nothing("the same request again")
	if id, err := s.SIMLocked(ctx, other); err != nil || id != "" {
		t.Fatalf("a repeat locked its SIM: %q, %v", id, err)
	}

	// Another request on the locked SIM is refused and records no entry.
	locked := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("k3")}, Now: base}
	err = start(locked, "req-3", nil)
	if e, ok := err.(*opencube.Error); !ok || e.Cause != opencube.CauseSIMLocked {
		t.Fatalf("a request on the locked SIM: %v", err)
	}
	nothing("a refused request")
	absent("k3")
}
