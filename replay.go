package opencube

import (
	"context"
	"time"
)

// ReplayClaim asks the store to record a signed request's replay entry (D5)
// in the transaction of the change the request makes, rather than in one of
// its own before it: an identical request running at the same time then
// fails that transaction instead of repeating the change, and the entry
// costs no write of its own. OrderStore.UpdateOrders honours it once per
// request: the first transaction records the entry, later ones of the same
// request do not try again.
type ReplayClaim struct {
	Replay *Replay
	Now    time.Time
	// Recorded is set by the store once the entry was committed with a
	// change.
	Recorded bool
	// Prior is set by the store, with ErrReplayed, when an unexpired entry
	// with the same key exists: the request was seen before.
	Prior *Replay
}

// ErrReplayed is what UpdateOrders returns, without running its function,
// when the request's ReplayClaim finds the request was seen before.
var ErrReplayed = &Error{Kind: KindConflict, Message: "the request was seen before"}

type replayKey struct{}

// WithReplayClaim returns a context carrying c to the store.
func WithReplayClaim(ctx context.Context, c *ReplayClaim) context.Context {
	return context.WithValue(ctx, replayKey{}, c)
}

// PendingReplayClaim returns the claim ctx carries, or nil when there is
// none or it has been settled (recorded, or found to be a repeat).
func PendingReplayClaim(ctx context.Context) *ReplayClaim {
	c, _ := ctx.Value(replayKey{}).(*ReplayClaim)
	if c == nil || c.Recorded || c.Prior != nil {
		return nil
	}
	return c
}
