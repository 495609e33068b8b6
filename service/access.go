package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// Access is who may use the operator API and the console: users, their
// roles, API tokens and passwords, and the audit trail of what they did.
type Access struct {
	Store AccessStore
	Clock opencube.Clock
}

// AccessStore is what Access reads and writes.
type AccessStore interface {
	operator.UserStore
	operator.AuditStore
	operator.SessionStore
	// FindSIM, FindOrder and FindDelivery name the enterprise an object
	// belongs to.
	FindSIM(ctx context.Context, iccid string) (*opencube.SIM, error)
	FindOrder(ctx context.Context, id string) (*opencube.Order, []*opencube.Event, error)
	FindDelivery(ctx context.Context, id string) (*opencube.Delivery, error)
}

// TokenPrefix starts every user API token, so that a leaked one is
// recognisable (secret scanners) and cannot be mistaken for a password.
const TokenPrefix = "ocu_"

// touchEvery is how stale a token's last-used time may get: a token used
// more often is written at most once in this time.
const touchEvery = time.Minute

// CreateUser adds a user with its first API token, whose secret it returns
// (shown once). An empty password leaves the user without console sign-in.
func (s *Access) CreateUser(ctx context.Context, u *operator.User, password string) (string, *operator.Token, error) {
	if err := u.Validate(); err != nil {
		return "", nil, err
	}
	if password != "" {
		hash, err := HashPassword(password)
		if err != nil {
			return "", nil, err
		}
		u.PasswordHash = hash
	}
	u.CreatedAt = s.now()
	secret, tok := s.newToken(u.Username, "first")
	if err := s.Store.CreateUser(ctx, u, tok); err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// CreateToken makes another API token for a user and returns its secret
// (shown once); KindNotFound when the user is unknown.
func (s *Access) CreateToken(ctx context.Context, username, name string) (string, *operator.Token, error) {
	if len(name) > 64 {
		return "", nil, opencube.Invalid("name", "a token name is at most 64 characters")
	}
	secret, tok := s.newToken(username, name)
	if err := s.Store.CreateToken(ctx, tok); err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

func (s *Access) newToken(username, name string) (string, *operator.Token) {
	secret := TokenPrefix + randomToken()
	id := make([]byte, 8)
	rand.Read(id)
	return secret, &operator.Token{
		ID: hex.EncodeToString(id), Username: username, Name: name,
		CreatedAt: s.now(), Hash: hashToken(secret),
	}
}

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// FindUser returns a user; KindNotFound when unknown.
func (s *Access) FindUser(ctx context.Context, username string) (*operator.User, error) {
	return s.Store.FindUser(ctx, username)
}

// ListUsers returns the users q selects.
func (s *Access) ListUsers(ctx context.Context, q operator.UserQuery) (*operator.List[*operator.User], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	return s.Store.ListUsers(ctx, q)
}

// FindTokens returns a user's tokens, newest first; KindNotFound when the
// user is unknown.
func (s *Access) FindTokens(ctx context.Context, username string) ([]*operator.Token, error) {
	if _, err := s.Store.FindUser(ctx, username); err != nil {
		return nil, err
	}
	return s.Store.FindTokens(ctx, username)
}

// RevokeToken revokes one of a user's tokens.
func (s *Access) RevokeToken(ctx context.Context, username, id string) error {
	return s.Store.RevokeToken(ctx, username, id, s.now())
}

// SetUser disables or enables a user and, when password is not empty, sets
// its console password.
func (s *Access) SetUser(ctx context.Context, username string, disabled *bool, password string) (*operator.User, error) {
	hash := ""
	if password != "" {
		var err error
		if hash, err = HashPassword(password); err != nil {
			return nil, err
		}
	}
	// Only what changes is written: a password set while another request
	// disables the user leaves it disabled.
	if err := s.Store.UpdateUser(ctx, username, disabled, hash); err != nil {
		return nil, err
	}
	if hash != "" {
		// Whoever signed in with the old password is signed out.
		if err := s.Store.EndUserSessions(ctx, username); err != nil {
			return nil, err
		}
	}
	return s.Store.FindUser(ctx, username)
}

// Authenticate returns the actor of an API token; KindUnauthenticated for
// an unknown or revoked token, or a disabled user's.
func (s *Access) Authenticate(ctx context.Context, token string) (*operator.Actor, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return nil, opencube.Errorf(opencube.KindUnauthenticated, "not a user token")
	}
	tok, u, err := s.Store.TokenByHash(ctx, hashToken(token))
	if opencube.ErrorKind(err) == opencube.KindNotFound {
		return nil, opencube.Errorf(opencube.KindUnauthenticated, "unknown token")
	}
	if err != nil {
		return nil, err
	}
	if tok.RevokedAt != nil || u.Disabled {
		return nil, opencube.Errorf(opencube.KindUnauthenticated, "revoked token or disabled user")
	}
	now := s.now()
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= touchEvery {
		if err := s.Store.TouchToken(ctx, tok.ID, now); err != nil {
			return nil, err
		}
	}
	return &operator.Actor{Kind: operator.ActorToken, Username: u.Username, TokenID: tok.ID, Role: u.Role, Enterprise: u.Enterprise}, nil
}

// SignIn checks a user's console password and returns its actor;
// KindUnauthenticated, the same for every cause, when it does not hold.
func (s *Access) SignIn(ctx context.Context, username, password string) (*operator.Actor, error) {
	refused := opencube.Errorf(opencube.KindUnauthenticated, "wrong username or password")
	u, err := s.Store.FindUser(ctx, username)
	if opencube.ErrorKind(err) == opencube.KindNotFound {
		// Spend the time a known user's check takes.
		CheckPassword(dummyHash(), password)
		return nil, refused
	}
	if err != nil {
		return nil, err
	}
	if !CheckPassword(u.PasswordHash, password) || u.Disabled {
		return nil, refused
	}
	return &operator.Actor{Kind: operator.ActorSession, Username: u.Username, Role: u.Role, Enterprise: u.Enterprise}, nil
}

// Console session lifetimes: a session ends after SessionIdle without a
// request, and SessionMax after it began whatever happens.
const (
	SessionIdle = 30 * time.Minute
	SessionMax  = 12 * time.Hour
)

// StartSession begins a console session for a signed-in actor and returns
// the cookie's secret with the session.
func (s *Access) StartSession(ctx context.Context, a *operator.Actor) (string, *operator.ConsoleSession, error) {
	secret, csrf := randomToken(), randomToken()
	now := s.now()
	cs := &operator.ConsoleSession{Hash: hashToken(secret), Username: a.Username, CSRF: csrf,
		CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(SessionMax)}
	if err := s.Store.PutConsoleSession(ctx, cs); err != nil {
		return "", nil, err
	}
	return secret, cs, nil
}

// Session returns the actor and session of a cookie's secret;
// KindUnauthenticated when it is unknown, idle or expired, or its user is
// disabled.
func (s *Access) Session(ctx context.Context, secret string) (*operator.Actor, *operator.ConsoleSession, error) {
	now := s.now()
	cs, err := s.Store.FindConsoleSession(ctx, hashToken(secret), now)
	if opencube.ErrorKind(err) == opencube.KindNotFound || err == nil && now.Sub(cs.SeenAt) > SessionIdle {
		return nil, nil, opencube.Errorf(opencube.KindUnauthenticated, "no session, or it expired")
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := s.Store.FindUser(ctx, cs.Username)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, opencube.Errorf(opencube.KindUnauthenticated, "the user is disabled")
	}
	if now.Sub(cs.SeenAt) >= touchEvery {
		if err := s.Store.TouchConsoleSession(ctx, cs.Hash, now); err != nil {
			return nil, nil, err
		}
	}
	return &operator.Actor{Kind: operator.ActorSession, Username: u.Username, Role: u.Role, Enterprise: u.Enterprise}, cs, nil
}

// EndSession signs a console session out (and forgets every expired one).
func (s *Access) EndSession(ctx context.Context, secret string) error {
	return s.Store.DeleteConsoleSession(ctx, hashToken(secret), s.now())
}

// randomToken returns 32 random bytes, URL-safe base64.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HasUsers reports whether a user exists.
func (s *Access) HasUsers(ctx context.Context) (bool, error) {
	n, err := s.Store.CountUsers(ctx)
	return n > 0, err
}

// SIMOwner returns the access code of a SIM's enterprise.
func (s *Access) SIMOwner(ctx context.Context, iccid string) (string, error) {
	sim, err := s.Store.FindSIM(ctx, iccid)
	if err != nil {
		return "", err
	}
	return sim.EnterpriseCode, nil
}

// OrderOwner returns the access code of an order's enterprise.
func (s *Access) OrderOwner(ctx context.Context, id string) (string, error) {
	o, _, err := s.Store.FindOrder(ctx, id)
	if err != nil {
		return "", err
	}
	return o.EnterpriseCode, nil
}

// UserOwner returns the access code of an enterprise user's enterprise,
// "" for another user.
func (s *Access) UserOwner(ctx context.Context, username string) (string, error) {
	u, err := s.Store.FindUser(ctx, username)
	if err != nil {
		return "", err
	}
	return u.Enterprise, nil
}

// DeliveryOwner returns the access code of a webhook delivery's
// enterprise.
func (s *Access) DeliveryOwner(ctx context.Context, id string) (string, error) {
	d, err := s.Store.FindDelivery(ctx, id)
	if err != nil {
		return "", err
	}
	return d.EnterpriseCode, nil
}

// AppendAudit writes an audit entry no change wrote.
func (s *Access) AppendAudit(ctx context.Context, e *operator.AuditEntry) error {
	return s.Store.AppendAudit(ctx, e)
}

// ListAudit returns the audit entries q selects.
func (s *Access) ListAudit(ctx context.Context, q operator.AuditQuery) (*operator.List[*operator.AuditEntry], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	return s.Store.ListAudit(ctx, q)
}

func (s *Access) now() time.Time {
	if s.Clock == nil {
		return time.Now().UTC()
	}
	return s.Clock.Now()
}

// The argon2id parameters of a password hash: RFC 9106's second
// recommended option (64 MiB, 3 passes), on 2 lanes.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 2
	argonKeyLen  = 32
	// MinPassword is the shortest password accepted.
	MinPassword = 8
)

// hashing bounds the argon2id hashes computed at once: each takes
// argonMemory, so a burst of sign-ins queues instead of taking the
// server's memory.
var hashing = make(chan struct{}, 4)

// argonKey computes an argon2id key within the bound of hashing.
func argonKey(password string, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey([]byte(password), salt, passes, memory, threads, keyLen)
}

// dummyHash is checked against when a username is unknown.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("opencube-no-such-user")
	return h
})

// HashPassword returns the argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=65536,t=3,p=2$salt$hash).
func HashPassword(password string) (string, error) {
	if len(password) < MinPassword {
		return "", opencube.Invalid("password", "a password is at least %d characters", MinPassword)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argonKey(password, salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches an argon2id hash made by
// HashPassword (with any parameters); false for an empty or malformed
// hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var (
		version        int
		memory, passes uint32
		threads        uint8
	)
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	if memory > 4*argonMemory || passes > 16 || len(want) > 64 {
		return false // not a hash this server makes: refuse to spend on it
	}
	got := argonKey(password, salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
