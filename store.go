package opencube

import (
	"context"
	"time"
)

// Store is what the protocols keep (service.Store adds what the operator and
// the server machinery keep). The sqlite and postgres packages
// implement it; storetest holds the conformance suite both pass.
type Store interface {
	EnterpriseStore
	SIMStore
	PlanStore
	OrderStore
	ReplayStore
	NotifyStore
	UsageStore
	SMSStore
	// Close releases the store's resources.
	Close() error
}

// EnterpriseStore keeps enterprises and their secrets.
type EnterpriseStore interface {
	// CreateEnterprise inserts e; KindConflict when the access code exists.
	CreateEnterprise(ctx context.Context, e *Enterprise) error
	// FindEnterprise returns the enterprise; KindUnauthenticated when unknown.
	FindEnterprise(ctx context.Context, accessCode string) (*Enterprise, error)
	// UpdateSecrets replaces the enterprise's secrets and when each was
	// added (Enterprise.SecretsAdded, in the order of secrets).
	UpdateSecrets(ctx context.Context, accessCode string, secrets []string, added []time.Time) error
	// UpdateRateLimit sets the enterprise's own rate limit, or removes it
	// when l is nil; KindUnauthenticated when the enterprise is unknown.
	UpdateRateLimit(ctx context.Context, accessCode string, l *RateLimit) error
}

// SIMStore keeps the SIM inventory.
type SIMStore interface {
	// CreateSIMs inserts every SIM (with its Auth, when set) and the jobs
	// their import causes, or none; KindConflict when an ICCID or IMSI
	// exists, KindUnauthenticated when an enterprise is unknown.
	CreateSIMs(ctx context.Context, sims []*SIM, jobs ...*Job) error
	// FindSIMs returns the enterprise's SIMs, ICCID order, and their total.
	FindSIMs(ctx context.Context, f SIMFilter) ([]*SIM, int, error)
}

// PlanStore keeps the plan catalog and what each enterprise may order.
type PlanStore interface {
	// CreatePlan inserts p; KindConflict when the code exists.
	CreatePlan(ctx context.Context, p *Plan) error
	// GrantPlan makes a plan orderable by an enterprise (idempotent).
	GrantPlan(ctx context.Context, accessCode, planCode string) error
	// FindPlans returns the plans orderable by f.Enterprise (granted and
	// not retired), code order, and their total.
	FindPlans(ctx context.Context, f PlanFilter) ([]*Plan, int, error)
}

// OrderStore keeps orders and the events their changes cause.
type OrderStore interface {
	// UpdateOrders runs fn in one transaction and commits what it wrote, or
	// nothing when fn returns an error.
	UpdateOrders(ctx context.Context, fn func(tx OrderTx) error) error
	// UpdateOrdersClaiming is UpdateOrders that also records a pending
	// claim's entries, with the answer fn gave it, in the transaction and
	// sets its Recorded on commit (ReplayClaim). When an entry exists it
	// sets the claim's Prior and returns ErrReplayed, writing nothing. A
	// nil or settled claim makes it UpdateOrders.
	UpdateOrdersClaiming(ctx context.Context, claim *ReplayClaim, fn func(tx OrderTx) error) error
	// FindOrders returns orders newest first (order time, then id) and their total.
	FindOrders(ctx context.Context, f OrderFilter) ([]*Order, int, error)
	// FindEvents returns an enterprise's events, oldest first.
	FindEvents(ctx context.Context, accessCode string) ([]*Event, error)
}

// OrderTx is the order book inside one store transaction. Reads of orders
// lock them for the rest of the transaction where the store supports it.
type OrderTx interface {
	// SIM returns an enterprise's SIM; KindDeviceNotFound when unknown.
	SIM(ctx context.Context, accessCode, iccid string) (*SIM, error)
	// Plan returns a plan orderable by the enterprise; KindPlanNotOrderable
	// when unknown, not granted or retired.
	Plan(ctx context.Context, accessCode, code string) (*Plan, error)
	// Order returns an enterprise's order; KindOrderNotFound when unknown.
	Order(ctx context.Context, accessCode, id string) (*Order, error)
	// OrderByID returns any enterprise's order; KindOrderNotFound when unknown.
	OrderByID(ctx context.Context, id string) (*Order, error)
	// ActiveOrder returns the SIM's in-use or suspended order, or nil.
	ActiveOrder(ctx context.Context, iccid string) (*Order, error)
	// NextOrder returns the SIM's oldest not-enabled order, or nil.
	NextOrder(ctx context.Context, iccid string) (*Order, error)
	// InsertOrder inserts a new order.
	InsertOrder(ctx context.Context, o *Order) error
	// UpdateOrder writes o's mutable fields; KindOrderState when another
	// active order holds the SIM.
	UpdateOrder(ctx context.Context, o *Order) error
	// InsertEvent appends an event to the outbox.
	InsertEvent(ctx context.Context, e *Event) error
	// InsertJob adds a background job unless one with the same kind and
	// key is pending; then it replaces that job's RunAt and Payload.
	InsertJob(ctx context.Context, j *Job) error
	// SIMLocked returns the id of the SIM's processing asynchronous
	// request (operator.SIMRequest), "" when none.
	SIMLocked(ctx context.Context, iccid string) (string, error)
}

// Replay is the remembered outcome of one signed request (D5): the first
// response to a (access code, key) pair is returned again for every repeat.
// An entry is written with its response, never before it (D28): a request
// that dies leaves no entry, and its retry runs.
type Replay struct {
	AccessCode string
	Key        string // the request's timestamp and sign, or its Idempotency-Key
	// Fingerprint identifies the request behind the key: the path of a
	// sign (D25), or the path and body behind an Idempotency-Key.
	Fingerprint string
	Response    []byte // the first response
	ExpiresAt   time.Time
}

// ReplayStore remembers the answers of signed requests for the replay
// guarantee (D5, D25, D28).
type ReplayStore interface {
	// ClaimReplay records r, with its Response, unless an unexpired entry
	// with the same access code and key exists; then it returns that entry
	// and false. An entry without a response (left by an earlier version
	// whose request died) counts as absent.
	ClaimReplay(ctx context.Context, r *Replay, now time.Time) (*Replay, bool, error)
}
