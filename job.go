package opencube

import (
	"context"
	"time"
)

// Job is a unit of background work that exactly one node performs: a
// scheduled order transition, a notification delivery. Jobs live in the
// database, are written in the same transaction as the change that causes
// them, and are claimed with a lease, so that a node that dies mid-job has
// its work picked up by another once the lease runs out.
type Job struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Key identifies the job's subject within its kind (an order id, an
	// event id); a kind and key pair is pending at most once.
	Key      string    `json:"key"`
	Payload  []byte    `json:"payload,omitempty"`
	RunAt    time.Time `json:"run_at"`
	Attempts int       `json:"attempts"`
	// LastError is the error of the last failed attempt.
	LastError string `json:"last_error,omitempty"`
	// ClaimedBy and ClaimedUntil are the current lease, if any.
	ClaimedBy    string    `json:"claimed_by,omitempty"`
	ClaimedUntil time.Time `json:"claimed_until,omitzero"`
}

// JobStore keeps the background jobs. Jobs are added through
// OrderTx.InsertJob, in the transaction of the change that causes them.
type JobStore interface {
	// ClaimJobs leases to owner, until now+lease, up to limit jobs of the
	// given kinds that are due (RunAt <= now) and not leased (or whose lease
	// ran out), earliest RunAt first, and counts an attempt on each. Two
	// concurrent claimers never receive the same job.
	ClaimJobs(ctx context.Context, owner string, kinds []string, limit int, now time.Time, lease time.Duration) ([]*Job, error)
	// CompleteJob removes a job owner holds; KindConflict when owner's lease
	// was lost to another claimer (the job is then left alone).
	CompleteJob(ctx context.Context, id, owner string) error
	// RetryJob releases a job owner holds, to run again at runAt, recording
	// errText; KindConflict when the lease was lost.
	RetryJob(ctx context.Context, id, owner string, runAt time.Time, errText string) error
	// FindJobs lists pending jobs of a kind, earliest RunAt first (all kinds
	// when kind is empty).
	FindJobs(ctx context.Context, kind string) ([]*Job, error)
}

// NodeStore hands out node numbers (0-63) to the server nodes that share a
// database, so that order ids, unique per node, are unique overall.
type NodeStore interface {
	// ClaimNode leases to owner the lowest node number that no live node
	// holds (a lease that ran out is free again); KindConflict when all 64
	// are held.
	ClaimNode(ctx context.Context, owner string, now time.Time, lease time.Duration) (int, error)
	// RenewNode extends owner's lease of node; KindConflict when it was lost.
	RenewNode(ctx context.Context, node int, owner string, now time.Time, lease time.Duration) error
	// ReleaseNode frees owner's node number.
	ReleaseNode(ctx context.Context, node int, owner string) error
}

// ClockStore keeps the offset of the sandbox clock (D27): how far business
// time runs ahead of real time in sandbox mode. It is one value for the
// whole database, so every node that shares it runs on the same sandbox
// time, and it survives restarts. It only grows.
type ClockStore interface {
	// ClockOffset returns the stored offset; 0 until the clock is moved.
	ClockOffset(ctx context.Context) (time.Duration, error)
	// AdvanceClockOffset raises the stored offset to d in one conditional
	// update (offset = max(offset, d)), so that concurrent advances from
	// several nodes never move it back, and returns the offset stored
	// after it: d, or a larger one another advance wrote.
	AdvanceClockOffset(ctx context.Context, d time.Duration) (time.Duration, error)
}

// MaxNodes is how many node numbers there are.
const MaxNodes = 64

// RetryLater is an error a handler returns to run its job again at At
// instead of after the Worker's Backoff.
type RetryLater struct {
	At  time.Time
	Err error
}

// Error returns the underlying error's text.
func (e *RetryLater) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *RetryLater) Unwrap() error { return e.Err }
