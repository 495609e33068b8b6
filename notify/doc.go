// Package notify delivers notification events to customers' webhook
// endpoints: the Notification section of the CSSS API (docs/csss.md, notifications,
// D18).
//
// Events are written by the domain services in the transaction of the
// change that caused them (the outbox, opencube.OrderTx.InsertEvent); the
// store writes, in that same transaction, a delivery row and a job of kind
// opencube.JobDeliver when the enterprise's endpoint subscribes to the
// event's type. A Notifier is the handler of those jobs: it builds the
// payload (signed with the enterprise secret like a CSSS request), adds the
// x-lf-md5 and x-lf-delivery headers and the Standard Webhooks headers
// (webhook-id, webhook-timestamp, webhook-signature with every endpoint
// secret that signs at the time), posts it with a timeout, records the
// attempt, and asks the worker to retry later with exponential back-off and
// jitter until the receiver answers 2xx (or a body code "0000") or the
// retries run out. Delivery is at least once: a receiver must deduplicate by
// x-lf-delivery (or by the per-SIM seq of the payload).
//
// On a store that can, the deliveries the worker claims together are read
// together before they run (Notifier.Prepare, one round trip for them all),
// and the outcomes of those that end together are recorded together
// (FinishDeliveries, one transaction).
package notify
