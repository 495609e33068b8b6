package main

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// sandbox moves the clock of a sandbox server forward, running every job
// due on the way at its own time (admin.Sandbox).
type sandbox struct {
	clock   *service.SandboxClock
	store   operator.JobStore
	workers []*service.Worker

	mu sync.Mutex // one advance at a time
}

// Now implements admin.Sandbox.
func (s *sandbox) Now() time.Time { return s.clock.Now() }

// Offset implements admin.Sandbox.
func (s *sandbox) Offset() time.Duration { return s.clock.Offset() }

// maxSteps bounds the jobs one advance runs, against a job that keeps
// rescheduling itself at the same instant.
const maxSteps = 1_000_000

// Advance implements admin.Sandbox: it steps the clock to the due time of
// each job in turn, earliest first, and runs everything due then, so that
// each job (and every event it writes) carries the time it would have had;
// then it sets the clock to now+d and runs what is due at that time. It
// starts from the stored offset (another node may have moved the clock
// since this one last read it) and stores every step, so that the other
// nodes follow within their refresh; two advances on two nodes at once do
// not add up, each leaves the clock at least d past where it found it.
func (s *sandbox) Advance(ctx context.Context, d time.Duration) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.clock.Load(ctx); err != nil {
		return 0, err
	}
	if s.clock.Offset()+d > service.MaxSandboxOffset {
		return 0, opencube.Invalid("seconds", "the sandbox clock runs at most %d years ahead of real time", service.MaxSandboxOffset/(366*24*time.Hour))
	}
	target := s.clock.Now().Add(d)
	offset := s.clock.Offset() + d
	var kinds []string
	for _, w := range s.workers {
		for k := range w.Handlers {
			kinds = append(kinds, k)
		}
	}
	ran := 0
	for range maxSteps {
		n, err := s.runDue(ctx)
		ran += n
		if err != nil {
			return ran, err
		}
		jobs, err := s.store.FindJobs(ctx, "")
		if err != nil {
			return ran, err
		}
		now := s.clock.Now()
		var next *opencube.Job
		busy := false
		for _, j := range jobs {
			if !slices.Contains(kinds, j.Kind) {
				continue
			}
			if !j.RunAt.After(now) {
				// Due but leased: another loop of this node (or another
				// node) runs it; wait for it before time moves on.
				busy = true
				break
			}
			if j.RunAt.After(target) {
				break
			}
			next = j
			break
		}
		if busy {
			select {
			case <-ctx.Done():
				return ran, ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		if next == nil {
			break
		}
		if err := s.clock.Set(ctx, next.RunAt); err != nil {
			return ran, err
		}
	}
	// Exactly d later, as the base clock goes.
	if err := s.clock.SetOffset(ctx, offset); err != nil {
		return ran, err
	}
	n, err := s.runDue(ctx)
	return ran + n, err
}

// runDue runs every job due at the current time, until none is left.
func (s *sandbox) runDue(ctx context.Context) (int, error) {
	ran := 0
	for {
		n := 0
		for _, w := range s.workers {
			k, err := w.RunOnce(ctx)
			n += k
			if err != nil {
				return ran + n, err
			}
		}
		ran += n
		if n == 0 {
			return ran, nil
		}
	}
}
