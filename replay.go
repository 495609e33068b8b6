package opencube

import "time"

// ReplayClaim asks a store to record a signed request's replay entries
// (D5), with its answer, in the transaction of the change the request
// makes: an identical request running at the same time then fails that
// transaction instead of repeating the change, a request that dies before
// its change commits leaves no entry, so its retry runs (D28), and the
// entries cost no write of their own.
//
// A front door hands the claim to a service (Replaying), which passes it
// to each transaction it runs (UpdateOrdersClaiming, UpdateSMSClaiming) and
// calls AnswerOrder, AnswerOrders or AnswerSMS last in the transaction's
// function. The first transaction that answers records the entries; one
// that does not (a read before the change) records nothing.
type ReplayClaim struct {
	// Replays are the entries to record: the request's sign, and its
	// Idempotency-Key when it has one.
	Replays []*Replay
	Now     time.Time
	// RenderOrder, RenderOrders and RenderSMS render the request's answer
	// from the result of its change, so that a repeat finds the answer as
	// soon as the change is visible.
	RenderOrder  func(*Order) []byte
	RenderOrders func([]*Order) []byte
	RenderSMS    func(*SMS) []byte
	// Response is the answer rendered by AnswerOrder, AnswerOrders or
	// AnswerSMS; it is recorded only when the function that rendered it
	// succeeds.
	Response []byte
	// Recorded is set by the store once the entries were committed with a
	// change, with Response.
	Recorded bool
	// Prior is set by the store, with ErrReplayed, when an unexpired entry
	// with one of the keys exists: the request was seen before.
	Prior *Replay
}

// ErrReplayed is what UpdateOrdersClaiming and UpdateSMSClaiming return,
// with nothing written, when the claim finds the request was seen before
// (ahead of running the function, or after it, undoing its writes).
var ErrReplayed = &Error{Kind: KindConflict, Message: "the request was seen before"}

// Pending reports whether c is a claim still to be recorded: not nil, not
// recorded, not found to be a repeat.
func (c *ReplayClaim) Pending() bool {
	return c != nil && !c.Recorded && c.Prior == nil
}

// AnswerOrder gives a pending claim that renders order answers the result
// of the request's change. A service calls it last in the function it
// passes to UpdateOrdersClaiming: nothing may fail after it. It does
// nothing on a nil or settled claim.
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

// AnswerWith gives a pending claim an answer its caller rendered (an
// answer known before the change, as an asynchronous request's id, or
// made from several results). Like AnswerOrder it comes last in the
// transaction's function. It does nothing on a nil or settled claim.
func (c *ReplayClaim) AnswerWith(b []byte) {
	if c.Pending() {
		c.Response = b
	}
}

// AnswerSMS is AnswerOrder for a change that queues a message.
func (c *ReplayClaim) AnswerSMS(m *SMS) {
	if c.Pending() && c.RenderSMS != nil {
		c.Response = c.RenderSMS(m)
	}
}
