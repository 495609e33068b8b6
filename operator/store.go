package operator

import (
	"context"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/shop"
)

// Store is what the operator API reads and writes beyond opencube.Store:
// the lists of everything, users, tokens and the audit trail. The sqlite
// and postgres packages implement it. A write made under a context that
// carries a pending audit entry (WithAudit) writes that entry in its own
// transaction.
type Store interface {
	ListStore
	UserStore
	AuditStore
	ChangeStore
}

// ListStore answers the operator's lists, each a page in the order its
// query names, on indexed columns (keyset pagination).
type ListStore interface {
	// ListEnterprises returns the enterprises q selects.
	ListEnterprises(ctx context.Context, q EnterpriseQuery) (*List[*opencube.Enterprise], error)
	// EnterpriseCounts returns how many SIMs, orders in use and users an
	// enterprise has.
	EnterpriseCounts(ctx context.Context, code string) (*Counts, error)
	// ListSIMs returns the SIMs q selects.
	ListSIMs(ctx context.Context, q SIMQuery) (*List[*opencube.SIM], error)
	// FindSIM returns any enterprise's SIM; KindDeviceNotFound when unknown.
	FindSIM(ctx context.Context, iccid string) (*opencube.SIM, error)
	// ListOrders returns the orders q selects.
	ListOrders(ctx context.Context, q OrderQuery) (*List[*opencube.Order], error)
	// FindOrder returns any enterprise's order and its events, oldest
	// first; KindOrderNotFound when unknown.
	FindOrder(ctx context.Context, id string) (*opencube.Order, []*opencube.Event, error)
	// ListPlans returns the catalog plans q selects.
	ListPlans(ctx context.Context, q PlanQuery) (*List[*opencube.Plan], error)
	// FindPlan returns a catalog plan and the enterprises it is granted
	// to; KindPlanNotOrderable when unknown.
	FindPlan(ctx context.Context, code string) (*opencube.Plan, []string, error)
	// Usage returns the usage q selects, one point a period with data,
	// oldest first.
	Usage(ctx context.Context, q UsageQuery) ([]UsagePoint, error)
	// ListSessions returns the open data sessions q selects.
	ListSessions(ctx context.Context, q SessionQuery) (*List[*opencube.DataSession], error)
	// ListSMS returns the messages q selects.
	ListSMS(ctx context.Context, q SMSQuery) (*List[*opencube.SMS], error)
	// ListJobs returns the jobs q selects, their states as of now.
	ListJobs(ctx context.Context, q JobQuery, now time.Time) (*List[*JobView], error)
	// ListMallOrders returns the Mall orders q selects.
	ListMallOrders(ctx context.Context, q MallOrderQuery) (*List[*shop.MallOrder], error)
	// ListESIMOrders returns the eSIM QR Mall orders q selects.
	ListESIMOrders(ctx context.Context, q ESIMOrderQuery) (*List[*shop.ESIMOrder], error)
	// ListPayments returns the shop payments q selects.
	ListPayments(ctx context.Context, q PaymentQuery) (*List[*Payment], error)
	// ListGroups returns the Mall bundle groups q selects, with their SIM
	// counts.
	ListGroups(ctx context.Context, q GroupQuery) (*List[*shop.BundleGroup], error)
}

// Counts are an enterprise's numbers on its detail page.
type Counts struct {
	SIMs        int `json:"sims"`
	OrdersInUse int `json:"orders_in_use"`
	Users       int `json:"users"`
}

// UserStore keeps users and their tokens.
type UserStore interface {
	// CreateUser inserts u and its first token t (when not nil) together;
	// KindConflict when the username exists, KindUnauthenticated when an
	// enterprise user's enterprise is unknown.
	CreateUser(ctx context.Context, u *User, t *Token) error
	// FindUser returns a user; KindNotFound when unknown.
	FindUser(ctx context.Context, username string) (*User, error)
	// ListUsers returns the users q selects.
	ListUsers(ctx context.Context, q UserQuery) (*List[*User], error)
	// CountUsers returns how many users there are.
	CountUsers(ctx context.Context) (int, error)
	// UpdateUser sets a user's disabled flag (when not nil) and password
	// hash (when not empty), leaving the other alone; KindNotFound when the
	// user is unknown.
	UpdateUser(ctx context.Context, username string, disabled *bool, passwordHash string) error
	// CreateToken inserts a token of an existing user; KindNotFound when
	// the user is unknown.
	CreateToken(ctx context.Context, t *Token) error
	// FindTokens returns a user's tokens, newest first.
	FindTokens(ctx context.Context, username string) ([]*Token, error)
	// TokenByHash returns the token of a secret's hash with its user;
	// KindNotFound when unknown.
	TokenByHash(ctx context.Context, hash string) (*Token, *User, error)
	// RevokeToken marks a user's token revoked at now; KindNotFound when
	// the user has no such token.
	RevokeToken(ctx context.Context, username, id string, now time.Time) error
	// TouchToken records that a token was used at now.
	TouchToken(ctx context.Context, id string, now time.Time) error
}

// SessionStore keeps the console's sessions, shared by every node.
type SessionStore interface {
	// PutConsoleSession records a new session.
	PutConsoleSession(ctx context.Context, s *ConsoleSession) error
	// FindConsoleSession returns the session of a secret's hash; KindNotFound
	// when unknown or expired at now (absolute expiry).
	FindConsoleSession(ctx context.Context, hash string, now time.Time) (*ConsoleSession, error)
	// TouchConsoleSession records a session's request at now.
	TouchConsoleSession(ctx context.Context, hash string, now time.Time) error
	// EndUserSessions ends every session of a user (its password
	// changed).
	EndUserSessions(ctx context.Context, username string) error
	// DeleteConsoleSession ends a session (sign-out), and every session that
	// expired before now.
	DeleteConsoleSession(ctx context.Context, hash string, now time.Time) error
}

// AuditStore keeps the audit trail.
type AuditStore interface {
	// AppendAudit writes e in its own transaction, unless a change
	// already wrote it.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// ListAudit returns the entries q selects.
	ListAudit(ctx context.Context, q AuditQuery) (*List[*AuditEntry], error)
}

// ChangeStore makes the operator's changes that no protocol makes.
type ChangeStore interface {
	// UpdatePlan runs fn on a catalog plan, locked, and writes what fn
	// leaves in its name, volume, price, currency, throttle, countries and
	// status; KindPlanNotOrderable when unknown.
	UpdatePlan(ctx context.Context, code string, fn func(p *opencube.Plan) error) (*opencube.Plan, error)
	// RevokeGrant makes a plan no longer orderable by an enterprise;
	// KindNotFound when it was not granted.
	RevokeGrant(ctx context.Context, accessCode, planCode string) error
	// UpdateEnterprise runs fn on an enterprise, locked, and writes its
	// status, secrets and their ages; KindUnauthenticated when unknown.
	// When fn enables a disabled enterprise, the work held while it was
	// disabled (the jobs of its pending webhook deliveries and of its
	// queued MT messages) becomes due at now, in the same transaction.
	UpdateEnterprise(ctx context.Context, accessCode string, now time.Time, fn func(e *opencube.Enterprise) error) (*opencube.Enterprise, error)
	// MoveSIMTo gives a SIM without an order not over (in use, suspended
	// or not enabled) to another enterprise; KindDeviceNotFound when the
	// SIM is unknown, KindUnauthenticated when the enterprise is,
	// KindOrderState (CauseSIMHasOrder) when an order holds the SIM.
	MoveSIMTo(ctx context.Context, iccid, accessCode string) (*opencube.SIM, error)
	// FindSIMsByICCID returns the SIMs, of any enterprise, among iccids,
	// ICCID order; unknown ICCIDs are left out.
	FindSIMsByICCID(ctx context.Context, iccids []string) ([]*opencube.SIM, error)
}
