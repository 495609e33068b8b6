package postgres

import (
	"context"
	"testing"
	"time"
)

// TestClockOffsetShared: two nodes on one database see one sandbox clock:
// an advance on either is read by the other, and neither can move it back.
func TestClockOffsetShared(t *testing.T) {
	ctx := context.Background()
	u := newSchema(t)
	a, b := openURL(t, u, Options{MaxConns: 2}), openURL(t, u, Options{MaxConns: 2})
	if _, err := a.AdvanceClockOffset(ctx, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if d, err := b.ClockOffset(ctx); err != nil || d != 24*time.Hour {
		t.Fatalf("the other node reads %s, %v; want 24h", d, err)
	}
	if d, err := b.AdvanceClockOffset(ctx, time.Hour); err != nil || d != 24*time.Hour {
		t.Errorf("a smaller advance on the other node = %s, %v; want 24h kept", d, err)
	}
	if d, err := b.AdvanceClockOffset(ctx, 48*time.Hour); err != nil || d != 48*time.Hour {
		t.Errorf("a larger advance on the other node = %s, %v; want 48h", d, err)
	}
	if d, err := a.ClockOffset(ctx); err != nil || d != 48*time.Hour {
		t.Errorf("the first node reads %s, %v; want 48h", d, err)
	}
	// A new connection (a node started later) finds it too.
	a.Close()
	c := openURL(t, u, Options{MaxConns: 2})
	if d, err := c.ClockOffset(ctx); err != nil || d != 48*time.Hour {
		t.Errorf("a node started later reads %s, %v; want 48h", d, err)
	}
}
