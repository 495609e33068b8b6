package storetest

import (
	"context"
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
	if err := s.CreateSIMRequest(ctx, r, job("req-1")); err != nil {
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
	err = s.CreateSIMRequest(ctx, second, job("req-2"))
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
	if err := s.CreateSIMRequest(ctx, second, job("req-2")); err != nil {
		t.Errorf("a request after the first finished: %v", err)
	}
}
