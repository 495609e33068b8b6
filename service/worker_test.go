package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/storetest"
)

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

// seedJob writes one job through an order transaction, as services do.
func seedJob(t *testing.T, store opencube.Store, j *opencube.Job) {
	t.Helper()
	if err := store.UpdateOrders(t.Context(), func(tx opencube.OrderTx) error { return tx.InsertJob(t.Context(), j) }); err != nil {
		t.Fatal(err)
	}
}

// TestWorker: a job runs once when due; a failure (error or panic) makes it
// run again after the backoff with the error recorded; two workers on one
// store never run the same job twice.
func TestWorker(t *testing.T) {
	store := storetest.SQLite(t)
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	runs := map[string]int{}
	fail := map[string]error{"bad": errors.New("boom")}
	handler := func(ctx context.Context, j *opencube.Job) error {
		runs[j.Key]++
		if j.Key == "panics" && runs[j.Key] == 1 {
			panic("first attempt panics")
		}
		return fail[j.Key]
	}
	w1 := service.NewWorker(store, clock, "node-1")
	w2 := service.NewWorker(store, clock, "node-2")
	for _, w := range []*service.Worker{w1, w2} {
		w.Handlers["test"] = handler
		w.Backoff = func(int) time.Duration { return time.Minute }
	}
	for _, key := range []string{"ok", "bad", "panics", "later"} {
		runAt := clock.now
		if key == "later" {
			runAt = runAt.Add(time.Hour)
		}
		seedJob(t, store, &opencube.Job{ID: opencube.NewUUID(), Kind: "test", Key: key, RunAt: runAt})
	}
	n1, err := w1.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n2, err := w2.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n1+n2 != 3 || runs["ok"] != 1 || runs["bad"] != 1 || runs["panics"] != 1 || runs["later"] != 0 {
		t.Fatalf("ran %d+%d jobs: %v", n1, n2, runs)
	}
	jobs, err := store.FindJobs(t.Context(), "test")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, j := range jobs {
		got[j.Key] = j.LastError
	}
	if _, done := got["ok"]; done || got["bad"] != "boom" || got["panics"] == "" || len(got) != 3 {
		t.Fatalf("pending jobs after one round: %v", got)
	}
	// Nothing is due until the backoff has passed.
	if n, _ := w2.RunOnce(t.Context()); n != 0 {
		t.Fatalf("%d jobs ran before their retry time", n)
	}
	clock.now = clock.now.Add(time.Minute)
	if n, _ := w2.RunOnce(t.Context()); n != 2 || runs["panics"] != 2 || runs["bad"] != 2 {
		t.Fatalf("retry round ran %d: %v", n, runs)
	}
}

// TestWorkerRetryLaterAndConcurrency: a handler's RetryLater sets when its
// job runs again; with Concurrency, a batch's jobs run at once.
func TestWorkerRetryLaterAndConcurrency(t *testing.T) {
	store := storetest.SQLite(t)
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, key := range []string{"a", "b", "c"} {
		seedJob(t, store, &opencube.Job{ID: key, Kind: "k", Key: key, RunAt: clock.now})
	}
	later := clock.now.Add(42 * time.Minute)
	started := make(chan string, 3)
	release := make(chan struct{})
	w := service.NewWorker(store, clock, "w")
	w.Concurrency = 3
	w.Handlers["k"] = func(ctx context.Context, j *opencube.Job) error {
		started <- j.Key
		<-release // all three must be running at once to get here
		if j.Key == "a" {
			return &service.RetryLater{At: later, Err: errors.New("not yet")}
		}
		return nil
	}
	done := make(chan error)
	go func() {
		_, err := w.RunOnce(t.Context())
		done <- err
	}()
	for range 3 {
		<-started
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	jobs, err := store.FindJobs(t.Context(), "k")
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Key != "a" || !jobs[0].RunAt.Equal(later) || jobs[0].LastError != "not yet" {
		t.Fatalf("jobs left: %+v", jobs)
	}
}
