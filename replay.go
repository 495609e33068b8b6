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
	// Answer, when set, renders the request's answer from the result of
	// its change. The service passes the result (Answered) at the end of
	// the change's function, and the store records the answer in the
	// entry in the same transaction: the request then costs no write after
	// its change, and a repeat finds the answer as soon as the change is
	// visible.
	Answer func(result any) []byte
	// Response is the answer rendered by Answered; the store records it
	// only when the function that rendered it succeeds.
	Response []byte
	// Recorded is set by the store once the entry was committed with a
	// change; Response is then nil or the answer recorded with it.
	Recorded bool
	// Prior is set by the store, with ErrReplayed, when an unexpired entry
	// with the same key exists: the request was seen before.
	Prior *Replay
}

// ErrReplayed is what UpdateOrders returns, with nothing written, when the
// request's ReplayClaim finds the request was seen before. A store may find
// out before running the function or after (its writes are then undone).
var ErrReplayed = &Error{Kind: KindConflict, Message: "the request was seen before"}

type replayKey struct{}

// WithReplayClaim returns a context carrying c to the store.
func WithReplayClaim(ctx context.Context, c *ReplayClaim) context.Context {
	return context.WithValue(ctx, replayKey{}, c)
}

// ReplayClaimFrom returns the claim ctx carries, settled or not, or nil.
func ReplayClaimFrom(ctx context.Context) *ReplayClaim {
	c, _ := ctx.Value(replayKey{}).(*ReplayClaim)
	return c
}

// Answered gives the pending claim of ctx, if it wants one, the result of
// the request's change. A service calls it last in the function it passes
// to OrderStore.UpdateOrders, with what it will return: nothing may fail
// after it.
func Answered(ctx context.Context, result any) {
	if c := PendingReplayClaim(ctx); c != nil && c.Answer != nil {
		c.Response = c.Answer(result)
	}
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
