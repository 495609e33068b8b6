package cubev4

import (
	"testing"
	"time"

	"github.com/opencube/opencube/throttle"
)

// TestLimitsConcurrent: a source has at most Concurrent requests at once;
// another source is not held up; an ended request frees its place.
func TestLimitsConcurrent(t *testing.T) {
	now := time.Date(2025, 1, 1, 23, 59, 0, 0, time.UTC)
	l := &Limits{Concurrent: 3, Rate: throttle.Rate{PerSecond: 100, Burst: 100}, Daily: 4, Now: func() time.Time { return now }}
	var done []func()
	for i := range 3 {
		d, limit, _ := l.enter("10.0.0.1:1000")
		if limit != "" {
			t.Fatalf("request %d: %s", i, limit)
		}
		done = append(done, d)
	}
	if _, limit, _ := l.enter("10.0.0.1:1001"); limit != "concurrent" {
		t.Errorf("a fourth at once: %q", limit)
	}
	if d, limit, _ := l.enter("10.0.0.2:1000"); limit != "" {
		t.Errorf("another source: %q", limit)
	} else {
		d()
	}
	done[0]()
	d, limit, _ := l.enter("10.0.0.1:1002")
	if limit != "" {
		t.Errorf("after one ended: %q", limit)
	}
	d()
	if _, limit, wait := l.enter("10.0.0.1:1003"); limit != "daily" || wait != time.Minute {
		t.Errorf("the fifth of the day: %q, wait %s", limit, wait)
	}
	now = now.Add(time.Minute)
	if _, limit, _ := l.enter("10.0.0.1:1004"); limit != "" {
		t.Errorf("a new day, a third at once: %q", limit)
	}
	if _, limit, _ := l.enter("10.0.0.1:1005"); limit != "concurrent" {
		t.Errorf("a new day, a fourth at once: %q", limit)
	}
	var nilLimits *Limits
	if d, limit, _ := nilLimits.enter("10.0.0.1:1"); limit != "" || d == nil {
		t.Error("nil Limits limit")
	}
}
