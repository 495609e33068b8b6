package service

import (
	"sync"
	"time"

	"github.com/opencube/opencube"
)

// SandboxClock is the clock of a sandbox server: the base clock moved
// forward by an offset that only grows, so that an operator can make time
// pass (Set) and watch what it brings.
type SandboxClock struct {
	Base opencube.Clock

	mu     sync.Mutex
	offset time.Duration
}

// NewSandboxClock returns a SandboxClock over base, not yet moved.
func NewSandboxClock(base opencube.Clock) *SandboxClock { return &SandboxClock{Base: base} }

// Now implements opencube.Clock.
func (c *SandboxClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Base.Now().Add(c.offset)
}

// Set moves the clock forward to t; a t in the past leaves it alone, so
// time never runs backwards.
func (c *SandboxClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := t.Sub(c.Base.Now()); d > c.offset {
		c.offset = d
	}
}

// Offset returns how far the clock runs ahead of its base.
func (c *SandboxClock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// SetOffset makes the clock run d ahead of its base, unless it already
// runs further ahead.
func (c *SandboxClock) SetOffset(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = max(c.offset, d)
}
