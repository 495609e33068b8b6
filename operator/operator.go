package operator

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/opencube/opencube"
)

// Role is what a user may do.
type Role string

// Roles.
const (
	// RoleOperator reads and changes everything.
	RoleOperator Role = "operator"
	// RoleSupport reads everything and changes nothing.
	RoleSupport Role = "support"
	// RoleEnterprise reads and changes one enterprise's SIMs, orders, SMS,
	// webhook endpoint, alerts, secrets and users, and reads the plans
	// granted to it.
	RoleEnterprise Role = "enterprise"
)

// Valid reports whether r is one of the roles above.
func (r Role) Valid() bool {
	return r == RoleOperator || r == RoleSupport || r == RoleEnterprise
}

// User is a person or program that signs in to the operator API and the
// console.
type User struct {
	Username string `json:"username"`
	Role     Role   `json:"role"`
	// Enterprise is the access code of an enterprise user's enterprise;
	// empty for the other roles.
	Enterprise string `json:"enterprise,omitempty"`
	Disabled   bool   `json:"disabled"`
	// PasswordHash is the argon2id hash of the console password, in the
	// PHC string format; empty when the user has no password.
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// Validate reports whether u can be stored.
func (u *User) Validate() error {
	if !validName(u.Username) {
		return opencube.Invalid("username", "username %q must be 1-64 letters, digits, '.', '-', '_' or '@'", u.Username)
	}
	if !u.Role.Valid() {
		return opencube.MustBe("role", "operator, support or enterprise")
	}
	if (u.Role == RoleEnterprise) != (u.Enterprise != "") {
		return opencube.Invalid("enterprise", "an enterprise user names its enterprise, and only an enterprise user does")
	}
	return nil
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_', c == '@':
		default:
			return false
		}
	}
	return true
}

// Token is one API token of a user, as the API shows it: its secret is
// shown once, when it is made, and stored only as a hash.
type Token struct {
	ID         string     `json:"id"`
	Username   string     `json:"username"`
	Name       string     `json:"name,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	// Hash is the SHA-256 of the token's secret, hex.
	Hash string `json:"-"`
}

// ActorKind says how a request was authenticated.
type ActorKind string

// Actor kinds.
const (
	// ActorBootstrap is the server's --admin-token: an operator without a
	// user.
	ActorBootstrap ActorKind = "bootstrap"
	// ActorToken is a user's API token.
	ActorToken ActorKind = "token"
	// ActorSession is a user signed in to the console.
	ActorSession ActorKind = "session"
)

// Actor is who makes a request of the operator API or the console.
type Actor struct {
	Kind     ActorKind
	Username string // empty for ActorBootstrap
	TokenID  string // the token of an ActorToken
	Role     Role
	// Enterprise scopes an enterprise user.
	Enterprise string
}

// Name is how the audit trail names a: the username, or "bootstrap".
func (a *Actor) Name() string {
	if a.Kind == ActorBootstrap {
		return string(ActorBootstrap)
	}
	return a.Username
}

// CanWrite reports whether a may change anything.
func (a *Actor) CanWrite() bool { return a.Role != RoleSupport }

// Sees reports whether a may see the objects of enterprise code: every
// enterprise for operators and support, its own for an enterprise user.
func (a *Actor) Sees(code string) bool {
	return a.Role != RoleEnterprise || a.Enterprise == code
}

// AuditEntry is one change made through the operator API or the console,
// written in the change's own transaction. Entries are never updated or
// deleted by the API.
type AuditEntry struct {
	ID int64     `json:"id"` // increasing
	At time.Time `json:"at"`
	// Actor is the user's name, or "bootstrap" for the --admin-token.
	Actor     string    `json:"actor"`
	ActorKind ActorKind `json:"actor_kind"`
	TokenID   string    `json:"token_id,omitempty"`
	// Route is the endpoint's pattern ("POST /admin/v1/plans").
	Route string `json:"route"`
	// Object names what changed: "enterprise:P000270", "sim:8986...",
	// "plan:CODE", "order:ID", "user:NAME".
	Object    string `json:"object"`
	RequestID string `json:"request_id,omitempty"`
	// Summary says what the change was, in a line (never a secret).
	Summary string `json:"summary"`
	// Enterprise is the enterprise the object belongs to, when one does:
	// what an enterprise user's view of the trail is filtered by.
	Enterprise string `json:"enterprise,omitempty"`
	// Source is the address the change came from: the client's, behind a
	// trusted proxy (--trusted-proxies); empty for the server's own.
	Source string `json:"source,omitempty"`

	recorded atomic.Bool
}

// Recorded reports whether a store wrote the entry in a committed
// transaction.
func (e *AuditEntry) Recorded() bool { return e.recorded.Load() }

// Claim reports whether the entry is still to be written, and marks it
// written: a store calls it in the transaction it writes the entry in, and
// Unclaim when that transaction does not commit.
func (e *AuditEntry) Claim() bool { return e != nil && e.recorded.CompareAndSwap(false, true) }

// Unclaim marks a claimed entry as not written.
func (e *AuditEntry) Unclaim() { e.recorded.Store(false) }

type (
	actorKey struct{}
	auditKey struct{}
)

// NewContext returns ctx carrying the actor of a request.
func NewContext(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor ctx carries, or nil.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// WithAudit returns ctx carrying the audit entry of the change a request
// makes. The first store transaction that commits under ctx writes it;
// the front door writes it itself (Store.AppendAudit) when the change
// wrote nothing in a store. An audit entry is a context value, unlike a
// replay claim, because every write of every store carries it: threading it
// through each service method would double them all.
func WithAudit(ctx context.Context, e *AuditEntry) context.Context {
	return context.WithValue(ctx, auditKey{}, e)
}

// AuditFrom returns the pending audit entry ctx carries, or nil when it
// carries none or its entry is written.
func AuditFrom(ctx context.Context) *AuditEntry {
	e, _ := ctx.Value(auditKey{}).(*AuditEntry)
	if e == nil || e.Recorded() {
		return nil
	}
	return e
}

// ConsoleSession is a user signed in to the console. The cookie holds its
// secret; the store keeps only the secret's hash.
type ConsoleSession struct {
	// Hash is the SHA-256 of the cookie's secret, hex.
	Hash     string
	Username string
	// CSRF is the token every form of the session carries.
	CSRF      string
	CreatedAt time.Time
	// SeenAt is the session's last request, for its idle expiry.
	SeenAt time.Time
	// ExpiresAt is its absolute expiry.
	ExpiresAt time.Time
}
