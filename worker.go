package opencube

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// JobHandler performs one job. An error makes the job run again later.
type JobHandler func(ctx context.Context, j *Job) error

// Worker runs background jobs on one node: it claims due jobs from the
// store with a lease and runs each with the handler of its kind. Any number
// of nodes may run a Worker on one database; each job runs on one of them.
type Worker struct {
	Store    JobStore
	Clock    Clock
	Owner    string        // this node's name, unique among live nodes
	Lease    time.Duration // how long a claim holds before another node may take the job
	Batch    int           // jobs claimed at once
	Handlers map[string]JobHandler
	// Backoff is the delay before attempt n+1 after n failed attempts.
	Backoff func(attempts int) time.Duration
	Logger  *slog.Logger
}

// NewWorker returns a Worker with a one-minute lease and exponential backoff.
func NewWorker(store JobStore, clock Clock, owner string) *Worker {
	return &Worker{
		Store: store, Clock: clock, Owner: owner, Lease: time.Minute, Batch: 32,
		Handlers: map[string]JobHandler{}, Logger: slog.Default(),
		Backoff: func(n int) time.Duration { return min(time.Duration(1<<min(n, 12))*time.Second, time.Hour) },
	}
}

// RunOnce claims one batch of due jobs and runs them; it returns how many
// ran (successfully or not).
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	kinds := make([]string, 0, len(w.Handlers))
	for k := range w.Handlers {
		kinds = append(kinds, k)
	}
	if len(kinds) == 0 {
		return 0, nil
	}
	jobs, err := w.Store.ClaimJobs(ctx, w.Owner, kinds, w.Batch, w.Clock.Now(), w.Lease)
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		err := w.run(ctx, j)
		if err == nil {
			err = w.Store.CompleteJob(ctx, j.ID, w.Owner)
		} else {
			w.Logger.Warn("job failed", "kind", j.Kind, "key", j.Key, "attempt", j.Attempts, "err", err)
			err = w.Store.RetryJob(ctx, j.ID, w.Owner, w.Clock.Now().Add(w.Backoff(j.Attempts)), err.Error())
		}
		if err != nil && ErrorKind(err) != KindConflict {
			return len(jobs), err
		}
	}
	return len(jobs), nil
}

// run calls the job's handler, turning a panic into an error.
func (w *Worker) run(ctx context.Context, j *Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job %s panicked: %v", j.Kind, r)
		}
	}()
	h := w.Handlers[j.Kind]
	if h == nil {
		return errors.New("no handler for job kind " + j.Kind)
	}
	return h(ctx, j)
}

// Run runs batches until ctx ends, waiting interval whenever no job is due.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.Logger.Error("background jobs", "err", err)
		}
		if n >= w.Batch && err == nil {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
