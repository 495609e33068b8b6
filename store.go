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
	ShopStore
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

// ShopStore keeps what the consumer shops add to the order book: the eSIM
// QR Mall's catalog, profile inventory, consumers, sessions, verification
// codes and orders, and the Mall's orders.
type ShopStore interface {
	// CreateESIMPlan inserts p; KindConflict when its id exists.
	CreateESIMPlan(ctx context.Context, p *ESIMPlan) error
	// FindESIMPlans returns the plans f selects, id order.
	FindESIMPlans(ctx context.Context, f ESIMPlanFilter) ([]*ESIMPlan, error)

	// ImportProfiles inserts every profile or none; KindConflict when an
	// ICCID exists.
	ImportProfiles(ctx context.Context, ps []*Profile) error
	// FindProfiles returns the profiles f selects, ICCID order.
	FindProfiles(ctx context.Context, f ProfileFilter) ([]*Profile, error)
	// UpdateProfile runs fn on the enterprise's profile, locked, and writes
	// what fn leaves in it; KindDeviceNotFound when unknown.
	UpdateProfile(ctx context.Context, accessCode, iccid string, fn func(p *Profile) error) (*Profile, error)

	// CreateShopUser inserts u; KindConflict when the e-mail is taken.
	CreateShopUser(ctx context.Context, u *ShopUser) error
	// FindShopUser returns a consumer; KindUnauthenticated when unknown.
	FindShopUser(ctx context.Context, accessCode, email string) (*ShopUser, error)
	// PutSession records a login.
	PutSession(ctx context.Context, s *Session) error
	// FindSession returns the session of a token hash; KindTokenExpired
	// when unknown.
	FindSession(ctx context.Context, tokenHash string) (*Session, error)
	// PutVerificationCode replaces the address's verification code.
	PutVerificationCode(ctx context.Context, v *VerificationCode) error
	// FindVerificationCode returns the address's code (the latest of any
	// enterprise when accessCode is empty); KindInvalid when none was sent.
	FindVerificationCode(ctx context.Context, accessCode, email string) (*VerificationCode, error)

	// CreateESIMOrder inserts o and jobs in one transaction. With reserve,
	// it first claims one available profile of o's enterprise for o
	// (setting o.ICCID), so that concurrent claimers, on any node, never
	// get the same profile; KindSoldOut when none is available.
	CreateESIMOrder(ctx context.Context, o *ESIMOrder, reserve bool, jobs []*Job) error
	// UpdateESIMOrder runs fn on the order and its profile (nil when it has
	// none), both locked, and writes both and the jobs fn returns, or
	// nothing when fn fails; KindOrderNotFound when unknown.
	UpdateESIMOrder(ctx context.Context, id string, fn func(o *ESIMOrder, p *Profile) ([]*Job, error)) error
	// FindESIMOrder returns an order and its profile (nil when none);
	// KindOrderNotFound when unknown.
	FindESIMOrder(ctx context.Context, id string) (*ESIMOrder, *Profile, error)

	// UpdateMall runs fn in one order-book transaction that also reaches
	// the Mall's orders; see OrderStore.UpdateOrders.
	UpdateMall(ctx context.Context, fn func(tx MallTx) error) error
	// FindMallOrders returns the Mall orders f selects, newest first.
	FindMallOrders(ctx context.Context, f MallOrderFilter) ([]*MallOrder, error)
}

// MallTx is the order book inside one transaction, with the Mall's orders.
type MallTx interface {
	OrderTx
	// MallOrder returns the enterprise's Mall order, or nil when unknown.
	MallOrder(ctx context.Context, accessCode, orderNo string) (*MallOrder, error)
	// PutMallOrder inserts or replaces a Mall order.
	PutMallOrder(ctx context.Context, m *MallOrder) error
}
