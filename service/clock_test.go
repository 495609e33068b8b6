package service_test

import (
	"testing"
	"time"

	"github.com/opencube/opencube/service"
)

// TestSandboxClock: the clock moves forward only, and follows its base.
func TestSandboxClock(t *testing.T) {
	base := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := service.NewSandboxClock(base)
	if !c.Now().Equal(base.now) || c.Offset() != 0 {
		t.Fatalf("new clock at %v, offset %s", c.Now(), c.Offset())
	}
	c.Set(base.now.Add(time.Hour))
	c.Set(base.now.Add(time.Minute)) // never backwards
	if c.Offset() != time.Hour {
		t.Errorf("offset %s, want 1h", c.Offset())
	}
	base.now = base.now.Add(time.Second)
	if want := base.now.Add(time.Hour); !c.Now().Equal(want) {
		t.Errorf("now %v, want %v", c.Now(), want)
	}
	c.SetOffset(30 * time.Minute) // less: no change
	c.SetOffset(2 * time.Hour)
	if c.Offset() != 2*time.Hour {
		t.Errorf("offset %s, want 2h", c.Offset())
	}
}
