package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// JobHandler performs one job. An error makes the job run again later.
type JobHandler func(ctx context.Context, j *opencube.Job) error

// Worker runs background jobs on one node: it claims due jobs from the
// store with a lease and runs each with the handler of its kind. Any number
// of nodes may run a Worker on one database; each job runs on one of them.
type Worker struct {
	Store    operator.JobStore
	Clock    opencube.Clock
	Owner    string        // this node's name, unique among live nodes
	Lease    time.Duration // how long a claim holds before another node may take the job
	Batch    int           // jobs claimed at once
	Handlers map[string]JobHandler
	// Prepare, when it has a function for a kind, is called with the jobs
	// of that kind of each claim before they run, so that it may read what
	// they need in one go rather than each on its own (the deliveries'
	// reads, notify.Notifier.Prepare). The handlers must still do their
	// work without it.
	Prepare map[string]func(ctx context.Context, jobs []*opencube.Job)
	// Backoff is the delay before attempt n+1 after n failed attempts.
	Backoff func(attempts int) time.Duration
	Logger  *slog.Logger
	// Concurrency is how many jobs run at once; 0 or 1 runs them one after
	// the other. With more, Run keeps up to Concurrency jobs running and
	// claims more as each ends, so that a slow job never holds up the others.
	Concurrency int
	// Observe, when set, is told of every run of a job that ended on its
	// own (not cut by a shutdown): its kind, its handler's error, and how
	// long it took (metrics).
	Observe func(kind string, err error, took time.Duration)

	wake chan struct{}
}

// minWakeGap is the least time between two claims that wake-ups cause, so
// that a stream of changes costs a busy store at most a few hundred claims
// a second.
const minWakeGap = 5 * time.Millisecond

// Wake tells a running pool (Concurrency > 1) that jobs may have become
// due, so that it claims them without waiting for its interval. It never
// blocks; it does nothing for a Worker not made by NewWorker.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// NewWorker returns a Worker with a one-minute lease and exponential backoff.
func NewWorker(store operator.JobStore, clock opencube.Clock, owner string) *Worker {
	return &Worker{
		Store: store, Clock: clock, Owner: owner, Lease: time.Minute, Batch: 32,
		Handlers: map[string]JobHandler{}, Prepare: map[string]func(context.Context, []*opencube.Job){},
		Logger: slog.Default(), wake: make(chan struct{}, 1),
		Backoff: func(n int) time.Duration { return min(time.Duration(1<<min(n, 12))*time.Second, time.Hour) },
	}
}

// RunOnce claims one batch of due jobs and runs them; it returns how many
// ran (successfully or not).
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	kinds := w.kinds()
	if len(kinds) == 0 {
		return 0, nil
	}
	jobs, err := w.Store.ClaimJobs(ctx, w.Owner, kinds, w.Batch, w.Clock.Now(), w.Lease)
	if err != nil {
		return 0, err
	}
	w.prepare(ctx, jobs)
	if w.Concurrency <= 1 {
		// Every claimed job runs: one whose outcome could not be recorded
		// does not leave the others waiting for their leases to run out.
		var errs []error
		for _, j := range jobs {
			errs = append(errs, w.finish(ctx, j))
		}
		return len(jobs), errors.Join(errs...)
	}
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, w.Concurrency)
	var wg sync.WaitGroup
	for i, j := range jobs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = w.finish(ctx, j)
		})
	}
	wg.Wait()
	return len(jobs), errors.Join(errs...)
}

// kinds returns the job kinds the worker has handlers for.
func (w *Worker) kinds() []string {
	kinds := make([]string, 0, len(w.Handlers))
	for k := range w.Handlers {
		kinds = append(kinds, k)
	}
	return kinds
}

// prepare calls the Prepare function of each kind with the claimed jobs
// of that kind.
func (w *Worker) prepare(ctx context.Context, jobs []*opencube.Job) {
	if len(w.Prepare) == 0 || len(jobs) == 0 {
		return
	}
	byKind := map[string][]*opencube.Job{}
	for _, j := range jobs {
		if w.Prepare[j.Kind] != nil {
			byKind[j.Kind] = append(byKind[j.Kind], j)
		}
	}
	for kind, js := range byKind {
		w.Prepare[kind](ctx, js)
	}
}

// finish runs a claimed job and completes it, or schedules its retry.
func (w *Worker) finish(ctx context.Context, j *opencube.Job) error {
	start := time.Now()
	err := w.run(ctx, j)
	var settled *Settled
	if errors.As(err, &settled) {
		// The handler completed or released the job itself, with its
		// outcome: nothing more to write.
		err = settled.Err
		if w.Observe != nil {
			w.Observe(j.Kind, err, time.Since(start))
		}
		if err != nil {
			w.Logger.Warn("job failed", "kind", j.Kind, "key", j.Key, "attempt", j.Attempts, "err", err)
		}
		return nil
	}
	var later *RetryLater
	held := errors.As(err, &later) && later.Held
	if w.Observe != nil && (err == nil || ctx.Err() == nil) {
		if held {
			w.Observe(j.Kind, nil, time.Since(start)) // it waits; it did not fail
		} else {
			w.Observe(j.Kind, err, time.Since(start))
		}
	}
	// Record the outcome even when ctx ended meanwhile (a shutdown): a done
	// job must not run again, and an interrupted one is free at once.
	done := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		err = w.Store.CompleteJob(done, j.ID, w.Owner)
	case ctx.Err() != nil:
		err = w.Store.RetryJob(done, j.ID, w.Owner, w.Clock.Now(), "interrupted: "+err.Error())
	default:
		at := w.Clock.Now().Add(w.Backoff(j.Attempts))
		if later != nil {
			at = later.At
		}
		why := err.Error()
		if held {
			// Not a failure: the job waits, with no error to show as one.
			w.Logger.Debug("job held", "kind", j.Kind, "key", j.Key, "until", at, "why", err)
			why = ""
		} else {
			w.Logger.Warn("job failed", "kind", j.Kind, "key", j.Key, "attempt", j.Attempts, "err", err)
		}
		err = w.Store.RetryJob(done, j.ID, w.Owner, at, why)
	}
	if err != nil && opencube.ErrorKind(err) != opencube.KindConflict {
		return err
	}
	return nil
}

// run calls the job's handler, turning a panic into an error.
func (w *Worker) run(ctx context.Context, j *opencube.Job) (err error) {
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
	if w.Concurrency > 1 {
		w.runPool(ctx, interval)
		return
	}
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

// runPool is Run with up to Concurrency jobs running at once: it claims as
// many due jobs as there are free slots, and claims again whenever a job
// ends, or after interval when none was due.
func (w *Worker) runPool(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	sem := make(chan struct{}, w.Concurrency)
	ended := make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	kinds := w.kinds()
	// Claim when a quarter of the slots are free (or none is busy), so
	// that a busy pool claims in batches rather than one job per ending.
	least := max(1, w.Concurrency/4)
	for {
		free := min(w.Concurrency-len(sem), w.Batch)
		claimed := 0
		if (free >= least || len(sem) == 0) && free > 0 && len(kinds) > 0 {
			jobs, err := w.Store.ClaimJobs(ctx, w.Owner, kinds, free, w.Clock.Now(), w.Lease)
			if err != nil && ctx.Err() == nil {
				w.Logger.Error("background jobs", "err", err)
			}
			claimed = len(jobs)
			w.prepare(ctx, jobs)
			for _, j := range jobs {
				sem <- struct{}{}
				wg.Go(func() {
					defer func() {
						<-sem
						select {
						case ended <- struct{}{}:
						default:
						}
					}()
					if err := w.finish(ctx, j); err != nil && ctx.Err() == nil {
						w.Logger.Error("background jobs", "err", err)
					}
				})
			}
		}
		if claimed > 0 && claimed == free && ctx.Err() == nil {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-ended:
		case <-t.C:
		case <-w.wake:
			gap := time.NewTimer(minWakeGap)
			select {
			case <-ctx.Done():
				gap.Stop()
				return
			case <-gap.C:
			}
		}
	}
}

// Settled is what a job handler returns when it has itself completed its
// job, or released it to run again, in the transaction that recorded the
// job's outcome (opencube.NotifyStore.FinishDeliveries): the Worker writes
// nothing more for that run. Err, nil or the error (a *RetryLater) the run
// ended with, is what the run is observed and logged as.
type Settled struct{ Err error }

// Error returns the run's error's text, or says the job was settled.
func (e *Settled) Error() string {
	if e.Err == nil {
		return "job settled by its handler"
	}
	return e.Err.Error()
}

// Unwrap returns the run's error.
func (e *Settled) Unwrap() error { return e.Err }

// RetryLater is an error a job handler returns to run its job again at At
// rather than after the Worker's Backoff.
type RetryLater struct {
	At  time.Time
	Err error
	// Held says the job did not fail but waits, its enterprise disabled:
	// it is not logged as a failure.
	Held bool
}

// HoldRecheck is how long the work of a disabled enterprise (a webhook
// delivery, an MT message) waits before it looks again whether it may go.
// Enabling the enterprise makes it due at once
// (operator.ChangeStore.UpdateEnterprise), so this only bounds the wait
// when that did not reach it.
const HoldRecheck = 10 * time.Minute

// held is the RetryLater of work held while its enterprise is disabled.
func held(now time.Time, format string, args ...any) *RetryLater {
	return &RetryLater{At: now.Add(HoldRecheck), Err: fmt.Errorf(format, args...), Held: true}
}

// Held returns the error a job handler returns for work of a disabled
// enterprise: it waits, unfailed, for HoldRecheck.
func Held(now time.Time, format string, args ...any) error { return held(now, format, args...) }

// Error returns the underlying error's text.
func (e *RetryLater) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *RetryLater) Unwrap() error { return e.Err }
