package opencube

import (
	"time"
)

// ReplayClaim asks the store to record a signed request's replay entry (D5)
// in the transaction of the change the request makes, rather than in one of
// its own before it: an identical request running at the same time then
// fails that transaction instead of repeating the change, and the entry
// costs no write of its own.
//
// A front door makes the claim and hands it to a service
// (ReplayingPlanService.Replaying); the service passes it to each
// transaction it runs (OrderStore.UpdateOrdersClaiming), and calls
// AnswerOrder or AnswerOrders last in the transaction's function with what
// it will return. The store records the entry once per request: the first
// transaction that commits records it, later ones of the same request do
// not try again.
type ReplayClaim struct {
	Replay *Replay
	Now    time.Time
	// RenderOrder and RenderOrders, when set, render the request's answer
	// from the result of its change, so that the store records the answer
	// in the entry in the same transaction: the request then costs no write
	// after its change, and a repeat finds the answer as soon as the change
	// is visible.
	RenderOrder  func(*Order) []byte
	RenderOrders func([]*Order) []byte
	// Response is the answer rendered by AnswerOrder or AnswerOrders; the
	// store records it only when the function that rendered it succeeds.
	Response []byte
	// Recorded is set by the store once the entry was committed with a
	// change; Response is then nil or the answer recorded with it.
	Recorded bool
	// Prior is set by the store, with ErrReplayed, when an unexpired entry
	// with the same key exists: the request was seen before.
	Prior *Replay
}

// ErrReplayed is what OrderStore.UpdateOrdersClaiming returns, with nothing
// written, when the request's ReplayClaim finds the request was seen
// before. A store may find out before running the function or after (its
// writes are then undone).
var ErrReplayed = &Error{Kind: KindConflict, Message: "the request was seen before"}

// Pending reports whether c is a claim still to be recorded: not nil, not
// recorded, not found to be a repeat.
func (c *ReplayClaim) Pending() bool {
	return c != nil && !c.Recorded && c.Prior == nil
}

// AnswerOrder gives a pending claim that renders order answers the result
// of the request's change. A service calls it last in the function it
// passes to UpdateOrdersClaiming, with what it will return: nothing may
// fail after it. It does nothing on a nil or settled claim.
func (c *ReplayClaim) AnswerOrder(o *Order) {
	if c.Pending() && c.RenderOrder != nil {
		c.Response = c.RenderOrder(o)
	}
}

// AnswerOrders is AnswerOrder for a change that makes several orders.
func (c *ReplayClaim) AnswerOrders(orders []*Order) {
	if c.Pending() && c.RenderOrders != nil {
		c.Response = c.RenderOrders(orders)
	}
}
