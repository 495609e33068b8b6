package service

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// SandboxClock is the clock of a sandbox server: the base (real) clock
// moved forward by an offset that only grows, so that an operator can make
// time pass (Set) and watch what it brings, and time never runs backwards.
//
// With a Store the offset lives in the database (D27): it survives
// restarts and is shared by every node on that database. Load reads it (a
// server loads it once before it serves), Set and SetOffset raise it there
// with a conditional update (offset = max(offset, new)) and take the
// offset the store then holds, and Run reads it again at every tick, so a
// move made on another node is seen here within one tick. Now never waits
// for the database: it adds the last offset read to the base clock.
type SandboxClock struct {
	// Base is the real clock.
	Base opencube.Clock
	// Store keeps the shared offset; nil keeps it in this process only.
	Store operator.ClockStore
	// Logger reports the re-reads of Run that fail; nil logs nothing.
	Logger *slog.Logger

	offset atomic.Int64 // nanoseconds
}

// MaxSandboxOffset is how far a sandbox clock may run ahead of real time:
// a century, far below what a time.Duration holds, and short of the dates
// no order may reach (D26).
const MaxSandboxOffset = 100 * 366 * 24 * time.Hour

// NewSandboxClock returns a SandboxClock over base whose offset is kept by
// store (nil: in memory). It starts at offset 0: call Load to take the
// stored one.
func NewSandboxClock(base opencube.Clock, store operator.ClockStore) *SandboxClock {
	return &SandboxClock{Base: base, Store: store}
}

// Now implements opencube.Clock.
func (c *SandboxClock) Now() time.Time { return c.Base.Now().Add(c.Offset()) }

// Offset returns how far the clock runs ahead of its base.
func (c *SandboxClock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// raise makes the offset d unless it is already larger.
func (c *SandboxClock) raise(d time.Duration) {
	for {
		cur := c.offset.Load()
		if int64(d) <= cur || c.offset.CompareAndSwap(cur, int64(d)) {
			return
		}
	}
}

// Load reads the stored offset: the clock takes it when it runs further
// ahead than the clock does (another node moved it).
func (c *SandboxClock) Load(ctx context.Context) error {
	if c.Store == nil {
		return nil
	}
	d, err := c.Store.ClockOffset(ctx)
	if err != nil {
		return err
	}
	c.raise(d)
	return nil
}

// Set moves the clock forward to t; a t in the past leaves it alone, so
// time never runs backwards.
func (c *SandboxClock) Set(ctx context.Context, t time.Time) error {
	return c.SetOffset(ctx, t.Sub(c.Base.Now()))
}

// SetOffset makes the clock run d ahead of its base, unless it already
// runs further ahead (here or, with a Store, on another node). The stored
// offset is raised first: on an error the clock has not moved.
func (c *SandboxClock) SetOffset(ctx context.Context, d time.Duration) error {
	if c.Store != nil {
		stored, err := c.Store.AdvanceClockOffset(ctx, d)
		if err != nil {
			return err
		}
		d = max(d, stored)
	}
	c.raise(d)
	return nil
}

// DefaultClockRefresh is how often a node reads the stored offset again.
const DefaultClockRefresh = time.Second

// Run reads the stored offset every interval (DefaultClockRefresh when not
// positive) until ctx ends, so that moves made on other nodes reach this
// one.
func (c *SandboxClock) Run(ctx context.Context, every time.Duration) {
	if c.Store == nil {
		return
	}
	if every <= 0 {
		every = DefaultClockRefresh
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := c.Load(ctx); err != nil && ctx.Err() == nil && c.Logger != nil {
			c.Logger.Error("read the sandbox clock", "err", err)
		}
	}
}
