package service_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube/service"
)

// TestSandboxClock: the clock moves forward only, and follows its base.
func TestSandboxClock(t *testing.T) {
	ctx := t.Context()
	base := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := service.NewSandboxClock(base, nil)
	if !c.Now().Equal(base.now) || c.Offset() != 0 {
		t.Fatalf("new clock at %v, offset %s", c.Now(), c.Offset())
	}
	if err := c.Load(ctx); err != nil || c.Offset() != 0 {
		t.Fatalf("Load without a store: %v, offset %s", err, c.Offset())
	}
	c.Set(ctx, base.now.Add(time.Hour))
	c.Set(ctx, base.now.Add(time.Minute)) // never backwards
	if c.Offset() != time.Hour {
		t.Errorf("offset %s, want 1h", c.Offset())
	}
	base.now = base.now.Add(time.Second)
	if want := base.now.Add(time.Hour); !c.Now().Equal(want) {
		t.Errorf("now %v, want %v", c.Now(), want)
	}
	c.SetOffset(ctx, 30*time.Minute) // less: no change
	c.SetOffset(ctx, 2*time.Hour)
	if c.Offset() != 2*time.Hour {
		t.Errorf("offset %s, want 2h", c.Offset())
	}
}

// memClockStore is an operator.ClockStore in memory, shared by the clocks
// of several nodes; fail makes its calls fail.
type memClockStore struct {
	mu     sync.Mutex
	offset time.Duration
	fail   bool
}

var errStoreDown = errors.New("store down")

func (s *memClockStore) ClockOffset(context.Context) (time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return 0, errStoreDown
	}
	return s.offset, nil
}

func (s *memClockStore) AdvanceClockOffset(_ context.Context, d time.Duration) (time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return 0, errStoreDown
	}
	s.offset = max(s.offset, d)
	return s.offset, nil
}

// TestSandboxClockStored: with a store, the offset is the stored one: a
// clock made later (a restart) loads it, a move on one node reaches the
// others at their next Load or tick of Run, a node moving it less than
// another already did takes the larger offset, and a move the store
// refuses does not move the clock.
func TestSandboxClockStored(t *testing.T) {
	ctx := t.Context()
	base := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	store := &memClockStore{}
	a, b := service.NewSandboxClock(base, store), service.NewSandboxClock(base, store)
	if err := a.SetOffset(ctx, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if store.offset != 24*time.Hour || a.Offset() != 24*time.Hour {
		t.Fatalf("stored %s, clock %s; want 24h", store.offset, a.Offset())
	}
	if b.Offset() != 0 {
		t.Fatalf("the other node moved before reading the store: %s", b.Offset())
	}
	if err := b.Load(ctx); err != nil || b.Offset() != 24*time.Hour {
		t.Fatalf("the other node after Load: %s, %v; want 24h", b.Offset(), err)
	}
	// b moves it less than a did: it takes a's offset, not its own.
	if err := b.Set(ctx, base.now.Add(time.Hour)); err != nil || b.Offset() != 24*time.Hour {
		t.Errorf("smaller move: offset %s, %v; want 24h", b.Offset(), err)
	}
	restarted := service.NewSandboxClock(base, store)
	if err := restarted.Load(ctx); err != nil || !restarted.Now().Equal(base.now.Add(24*time.Hour)) {
		t.Errorf("a clock made again: now %v, %v; want a day ahead", restarted.Now(), err)
	}

	// Run picks up a move made elsewhere within a tick.
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); b.Run(runCtx, time.Millisecond) }()
	if err := a.SetOffset(ctx, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.Offset() != 48*time.Hour && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	stop()
	<-done
	if b.Offset() != 48*time.Hour {
		t.Errorf("the running node's offset %s, want 48h", b.Offset())
	}

	store.fail = true
	if err := a.SetOffset(ctx, 72*time.Hour); !errors.Is(err, errStoreDown) || a.Offset() != 48*time.Hour {
		t.Errorf("move the store refused: %v, offset %s; want the error and 48h", err, a.Offset())
	}
	if err := a.Load(ctx); !errors.Is(err, errStoreDown) || a.Offset() != 48*time.Hour {
		t.Errorf("Load the store refused: %v, offset %s; want the error and 48h", err, a.Offset())
	}
}
