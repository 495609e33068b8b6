package operator

import (
	"context"
	"time"

	"github.com/opencube/opencube"
)

// What a server runs on, beside the protocols' vocabulary: background
// jobs, node numbers, the sandbox clock, readiness, and the backlog an
// operator watches.

// HealthStore answers a server's readiness check (GET /readyz).
type HealthStore interface {
	// Ping reports whether the database answers a trivial query before ctx
	// ends.
	Ping(ctx context.Context) error
	// SchemaVersion returns the database's schema version (the last
	// migration applied) and the latest one this binary knows. They differ
	// when another binary migrated the database after this one opened it,
	// or when it was restored from an older copy.
	SchemaVersion(ctx context.Context) (current, known int64, err error)
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
	// opencube.FailingAfter or more times in a row (opencube.Webhook.Failing).
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

// JobStore keeps the background jobs; opencube.OrderTx.InsertJob adds them.
type JobStore interface {
	// ClaimJobs leases to owner, until now+lease, up to limit jobs of kinds
	// that are due (RunAt <= now) and not leased (or whose lease ran out),
	// earliest RunAt first, and counts an attempt on each. Two concurrent
	// claimers never receive the same job.
	ClaimJobs(ctx context.Context, owner string, kinds []string, limit int, now time.Time, lease time.Duration) ([]*opencube.Job, error)
	// CompleteJob removes a job owner holds; opencube.KindConflict, leaving it
	// alone, when owner's lease was lost.
	CompleteJob(ctx context.Context, id, owner string) error
	// RetryJob releases a job owner holds, to run again at runAt, recording
	// errText; opencube.KindConflict when the lease was lost.
	RetryJob(ctx context.Context, id, owner string, runAt time.Time, errText string) error
	// FindJobs lists pending jobs of a kind (any when empty), earliest
	// RunAt first.
	FindJobs(ctx context.Context, kind string) ([]*opencube.Job, error)
}

// MaxNodes is how many node numbers there are.
const MaxNodes = 64

// NodeStore hands out node numbers (0-63) to the server nodes sharing a
// database, so that order ids, unique per node, are unique overall.
type NodeStore interface {
	// ClaimNode leases to owner the lowest node number no live lease holds;
	// opencube.KindConflict when all MaxNodes are held.
	ClaimNode(ctx context.Context, owner string, now time.Time, lease time.Duration) (int, error)
	// RenewNode extends owner's lease of node; opencube.KindConflict when it was lost.
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
