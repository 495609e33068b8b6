package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube/service"
)

// testClockOffset: the sandbox clock's offset starts at 0 and only grows
// (a smaller advance leaves it; of concurrent ones the largest stays), and
// it keeps nanoseconds and offsets of a century.
func testClockOffset(t *testing.T, open func(*testing.T) service.Store) {
	s, ctx := open(t), context.Background()
	if d, err := s.ClockOffset(ctx); err != nil || d != 0 {
		t.Fatalf("ClockOffset of a new store = %s, %v; want 0", d, err)
	}
	steps := []struct {
		name          string
		advance, want time.Duration
	}{
		{"first advance", time.Hour, time.Hour},
		{"a smaller one leaves it", 30 * time.Minute, time.Hour},
		{"a negative one leaves it", -time.Hour, time.Hour},
		{"the same one", time.Hour, time.Hour},
		{"nanoseconds are kept", 2*time.Hour + time.Nanosecond, 2*time.Hour + time.Nanosecond},
		{"a century", 100 * 366 * 24 * time.Hour, 100 * 366 * 24 * time.Hour},
	}
	for _, st := range steps {
		got, err := s.AdvanceClockOffset(ctx, st.advance)
		if err != nil || got != st.want {
			t.Errorf("%s: AdvanceClockOffset(%s) = %s, %v; want %s", st.name, st.advance, got, err, st.want)
		}
		if got, err := s.ClockOffset(ctx); err != nil || got != st.want {
			t.Errorf("%s: ClockOffset = %s, %v; want %s", st.name, got, err, st.want)
		}
	}

	// Advances side by side, in no particular order: each returns at least
	// its own offset, and the largest is what stays.
	s = open(t)
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		d := time.Duration((i*7)%n+1) * time.Minute
		wg.Go(func() {
			got, err := s.AdvanceClockOffset(ctx, d)
			if err != nil || got < d {
				t.Errorf("AdvanceClockOffset(%s) = %s, %v; want at least %s", d, got, err, d)
			}
		})
	}
	wg.Wait()
	if got, err := s.ClockOffset(ctx); err != nil || got != n*time.Minute {
		t.Errorf("after concurrent advances ClockOffset = %s, %v; want %s", got, err, n*time.Minute)
	}
}
