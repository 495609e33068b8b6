package opencube

import (
	"context"
	"time"
)

// Job is a unit of background work that exactly one node performs (a
// scheduled order move, a notification delivery). Jobs are written in the
// transaction of the change that causes them and claimed with a lease, so
// that the work of a node that dies mid-job is picked up by another once
// the lease runs out.
type Job struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Key names the job's subject within its kind (an order id, an event
	// id); a kind and key pair is pending at most once.
	Key          string    `json:"key"`
	Payload      []byte    `json:"payload,omitempty"`
	RunAt        time.Time `json:"run_at"`
	Attempts     int       `json:"attempts"`
	LastError    string    `json:"last_error,omitempty"` // of the last failed attempt
	ClaimedBy    string    `json:"claimed_by,omitempty"` // with ClaimedUntil, the current lease, if any
	ClaimedUntil time.Time `json:"claimed_until,omitzero"`
}

// Job kinds. A periodic job reschedules itself.
const (
	// JobExpireOrder moves an in-use order (the key) to expired (state 4,
	// event 1008) once its validity has run out (D11, D12).
	JobExpireOrder = "order.expire"
	// JobExpiryAlert raises the days-before-expiry alert of an in-use
	// order (the key).
	JobExpiryAlert = "order.expiry_alert"
	// JobSessionSweep periodically closes the sessions without a record
	// for longer than the session timeout (a lost Stop).
	JobSessionSweep = "usage.session_sweep"
	// JobDeliver delivers an event (the key) to its enterprise's webhook
	// endpoint; InsertEvent writes it when the endpoint subscribes to the
	// event's type.
	JobDeliver = "notify.deliver"
	// JobPurgeDeliveries periodically deletes the webhook deliveries that
	// finished (delivered, or failed for good) longer ago than the
	// retention, with their attempts.
	JobPurgeDeliveries = "notify.purge_deliveries"
	// JobSendSMS hands an MT message (the key) to the gateway.
	JobSendSMS = "sms.send"
	// JobExpireSMS expires a message (the key) still queued or sent at its
	// RunAt.
	JobExpireSMS = "sms.expire"
	// JobSandboxSMS is the sandbox device's delivery of a message (the
	// key); its payload is the outcome, "delivered" or "failed".
	JobSandboxSMS = "sms.sandbox"
	// JobESIMPreOrderTimeout cancels an eSIM order (the key) not paid in
	// time and releases its profile.
	JobESIMPreOrderTimeout = "esim.preorder_timeout"
	// JobESIMInstallMail e-mails the install material of a paid eSIM order
	// (the key) to its buyer.
	JobESIMInstallMail = "esim.install_mail"
)

// JobKinds lists every job kind above: what metrics label by kind.
var JobKinds = []string{
	JobExpireOrder, JobExpiryAlert, JobSessionSweep, JobDeliver, JobPurgeDeliveries,
	JobSendSMS, JobExpireSMS, JobSandboxSMS, JobESIMPreOrderTimeout, JobESIMInstallMail, JobSIMRequest,
	JobHLRSync, JobHLRDelete, JobHLRReconcile,
}

// Backlog is the work waiting in a store at a moment, as an operator
// watches it: due jobs, pending webhook deliveries, failing endpoints.
type Backlog struct {
	// Jobs are the jobs whose RunAt has come, one entry a kind that has
	// any.
	Jobs []JobBacklog
	// PendingDeliveries counts the webhook deliveries neither delivered
	// nor failed for good; OldestDelivery is when the oldest of them was
	// made (zero when there is none).
	PendingDeliveries int
	OldestDelivery    time.Time
	// FailingEndpoints counts the webhook endpoints that failed
	// FailingAfter or more times in a row (Webhook.Failing).
	FailingEndpoints int
}

// JobBacklog is the jobs of one kind whose RunAt has come.
type JobBacklog struct {
	Kind string
	// Due counts the jobs waiting for a worker: not leased, or whose
	// lease ran out.
	Due int
	// Running counts the jobs a worker holds a live lease on.
	Running int
	// Retrying counts the due or running jobs whose last attempt failed.
	Retrying int
	// OldestDue is the RunAt of the earliest job waiting for a worker;
	// zero when none is.
	OldestDue time.Time
}

// BacklogStore reports the work waiting in the store.
type BacklogStore interface {
	// Backlog reads the backlog at now. It reads through indexes, so that
	// its cost follows the size of the backlog, not of the history.
	Backlog(ctx context.Context, now time.Time) (*Backlog, error)
}

// JobStore keeps the background jobs; OrderTx.InsertJob adds them.
type JobStore interface {
	// ClaimJobs leases to owner, until now+lease, up to limit jobs of kinds
	// that are due (RunAt <= now) and not leased (or whose lease ran out),
	// earliest RunAt first, and counts an attempt on each. Two concurrent
	// claimers never receive the same job.
	ClaimJobs(ctx context.Context, owner string, kinds []string, limit int, now time.Time, lease time.Duration) ([]*Job, error)
	// CompleteJob removes a job owner holds; KindConflict, leaving it
	// alone, when owner's lease was lost.
	CompleteJob(ctx context.Context, id, owner string) error
	// RetryJob releases a job owner holds, to run again at runAt, recording
	// errText; KindConflict when the lease was lost.
	RetryJob(ctx context.Context, id, owner string, runAt time.Time, errText string) error
	// FindJobs lists pending jobs of a kind (any when empty), earliest
	// RunAt first.
	FindJobs(ctx context.Context, kind string) ([]*Job, error)
}

// MaxNodes is how many node numbers there are.
const MaxNodes = 64

// NodeStore hands out node numbers (0-63) to the server nodes sharing a
// database, so that order ids, unique per node, are unique overall.
type NodeStore interface {
	// ClaimNode leases to owner the lowest node number no live lease holds;
	// KindConflict when all MaxNodes are held.
	ClaimNode(ctx context.Context, owner string, now time.Time, lease time.Duration) (int, error)
	// RenewNode extends owner's lease of node; KindConflict when it was lost.
	RenewNode(ctx context.Context, node int, owner string, now time.Time, lease time.Duration) error
	// ReleaseNode frees owner's node number.
	ReleaseNode(ctx context.Context, node int, owner string) error
}

// ClockStore keeps the offset of the sandbox clock (D27), how far business
// time runs ahead of real time in sandbox mode: one value for the whole
// database, shared by its nodes, kept across restarts, only growing.
type ClockStore interface {
	// ClockOffset returns the stored offset; 0 until the clock is moved.
	ClockOffset(ctx context.Context) (time.Duration, error)
	// AdvanceClockOffset raises the stored offset to d in one conditional
	// update (offset = max(offset, d)), so that concurrent advances never
	// move it back, and returns the offset stored after it.
	AdvanceClockOffset(ctx context.Context, d time.Duration) (time.Duration, error)
}
