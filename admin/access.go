package admin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/operator"
)

// KindForbidden is the admin kind of a request its user's role may not
// make: a support user's change, an enterprise user's operator route.
const KindForbidden opencube.Kind = "forbidden"

// Scope says whether an enterprise user may call a route, and how the
// server finds the enterprise of the object it acts on. An enterprise
// user's request for another enterprise's object is answered as the
// object's absence (404), never as forbidden.
type Scope int

// Scopes.
const (
	// ScopeOperator routes are for operator and support users only: an
	// enterprise user is answered 403.
	ScopeOperator Scope = iota
	// ScopeOwn routes act on no object of the path: their handler confines
	// them to the actor's enterprise (Server.Confine), as a list does.
	ScopeOwn
	// ScopeCode routes act on the enterprise of the {code} path value.
	ScopeCode
	// ScopeSIM routes act on the SIM of the {iccid} path value.
	ScopeSIM
	// ScopeOrder routes act on the order of the {id} path value.
	ScopeOrder
	// ScopeUser routes act on the user of the {username} path value.
	ScopeUser
	// ScopeDelivery routes act on the webhook delivery of the {id} path
	// value.
	ScopeDelivery
)

// Owners finds the enterprise an object belongs to, for scoping enterprise
// users. Each returns the error an unknown object answers.
type Owners interface {
	// SIMOwner returns the access code of the SIM's enterprise.
	SIMOwner(ctx context.Context, iccid string) (string, error)
	// OrderOwner returns the access code of the order's enterprise.
	OrderOwner(ctx context.Context, id string) (string, error)
	// UserOwner returns the access code of an enterprise user's
	// enterprise, "" for other users.
	UserOwner(ctx context.Context, username string) (string, error)
	// DeliveryOwner returns the access code of the delivery's enterprise.
	DeliveryOwner(ctx context.Context, id string) (string, error)
}

// Access authenticates the users of the operator API and keeps its audit
// trail.
type Access interface {
	Owners
	// Authenticate returns the actor of a user's API token;
	// KindUnauthenticated for an unknown, revoked or disabled one.
	Authenticate(ctx context.Context, token string) (*operator.Actor, error)
	// HasUsers reports whether any user exists.
	HasUsers(ctx context.Context) (bool, error)
	// AppendAudit writes an entry no store change wrote.
	AppendAudit(ctx context.Context, e *operator.AuditEntry) error
}

// access is the state of a server's authentication.
type access struct {
	token    [sha256.Size]byte // of the bootstrap --admin-token
	hasToken bool
	hasUsers atomic.Bool // once true, stays true
}

// disabledMessage answers every request of a server without a token or a
// user.
const disabledMessage = "admin API disabled: start the server with --admin-token, or create a user (opencube admin user create)"

// authenticate returns the actor of a request's bearer token: the
// bootstrap operator of --admin-token, or a user's token.
func (s *Server) authenticate(r *http.Request) (*operator.Actor, error) {
	if !s.enabled(r.Context()) {
		return nil, &opencube.Error{Kind: KindDisabled, Message: disabledMessage}
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, &opencube.Error{Kind: KindUnauthorized, Message: "missing Authorization: Bearer <token>"}
	}
	if s.access.hasToken {
		sum := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(sum[:], s.access.token[:]) == 1 {
			return &operator.Actor{Kind: operator.ActorBootstrap, Role: operator.RoleOperator}, nil
		}
	}
	if s.Access == nil {
		return nil, &opencube.Error{Kind: KindUnauthorized, Message: "wrong admin token"}
	}
	a, err := s.Access.Authenticate(r.Context(), token)
	if opencube.ErrorKind(err) == opencube.KindUnauthenticated {
		return nil, &opencube.Error{Kind: KindUnauthorized, Message: "wrong admin token: neither the server's --admin-token nor a valid user API token"}
	}
	return a, err
}

// enabled reports whether the API is on: a bootstrap token is set or a
// user exists.
func (s *Server) enabled(ctx context.Context) bool {
	if s.access.hasToken || s.access.hasUsers.Load() {
		return true
	}
	if s.Access == nil {
		return false
	}
	ok, err := s.Access.HasUsers(ctx)
	if err == nil && ok {
		s.access.hasUsers.Store(true)
	}
	return ok
}

// authorize decides whether a may call rt for r: 403 for a support user's
// change or an enterprise user's operator route, the object's own 404 for
// an enterprise user and another enterprise's object. It returns the
// enterprise of the route's object, when it has one and it was looked up:
// always for an enterprise user, for a change by the others (the audit
// trail's), "" when unknown.
func (s *Server) authorize(r *http.Request, rt *Route, a *operator.Actor) (string, error) {
	if r.Method != http.MethodGet && !a.CanWrite() {
		return "", &opencube.Error{Kind: KindForbidden, Message: "a support user changes nothing"}
	}
	if a.Role != operator.RoleEnterprise {
		if r.Method == http.MethodGet || s.Access == nil {
			return "", nil
		}
		owner, _ := s.owner(r, rt)
		return owner, nil
	}
	switch rt.Scope {
	case ScopeOperator:
		return "", &opencube.Error{Kind: KindForbidden, Message: "an enterprise user may not " + rt.Pattern}
	case ScopeOwn:
		return a.Enterprise, nil
	}
	owner, err := s.owner(r, rt)
	if err != nil {
		return "", err
	}
	if owner != a.Enterprise {
		return "", s.missing(r, rt)
	}
	return owner, nil
}

// owner returns the enterprise of the object of r's route.
func (s *Server) owner(r *http.Request, rt *Route) (string, error) {
	ctx := r.Context()
	switch rt.Scope {
	case ScopeCode:
		return r.PathValue("code"), nil
	case ScopeSIM:
		return s.Access.SIMOwner(ctx, r.PathValue("iccid"))
	case ScopeOrder:
		return s.Access.OrderOwner(ctx, r.PathValue("id"))
	case ScopeUser:
		return s.Access.UserOwner(ctx, r.PathValue("username"))
	case ScopeDelivery:
		return s.Access.DeliveryOwner(ctx, r.PathValue("id"))
	}
	return "", nil
}

// missing is the answer to an enterprise user's request for another
// enterprise's object: the answer its absence would have.
func (s *Server) missing(r *http.Request, rt *Route) error {
	switch rt.Scope {
	case ScopeSIM:
		return opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", r.PathValue("iccid"))
	case ScopeOrder:
		return opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", r.PathValue("id"))
	case ScopeUser:
		return opencube.Errorf(opencube.KindNotFound, "user %s not found", r.PathValue("username"))
	case ScopeDelivery:
		return opencube.Errorf(opencube.KindNotFound, "delivery %s not found", r.PathValue("id"))
	}
	return opencube.Errorf(opencube.KindUnauthenticated, "enterprise %s not found", r.PathValue("code"))
}

// SetAudit lets a handler say what its change was, in place of the
// request's body, and to which enterprise's objects it belongs when its
// route does not say.
func SetAudit(r *http.Request, object, enterprise, summary string) {
	e := operator.AuditFrom(r.Context())
	if e == nil {
		return
	}
	if object != "" {
		e.Object = object
	}
	if enterprise != "" {
		e.Enterprise = enterprise
	}
	if summary != "" {
		e.Summary = summary
	}
}

// Confine returns the enterprise a list or a create of r acts on: the
// enterprise user's own (an error as its absence when code names another),
// or code for the other roles.
func Confine(r *http.Request, code string) (string, error) {
	a := operator.ActorFrom(r.Context())
	if a == nil || a.Role != operator.RoleEnterprise {
		return code, nil
	}
	if code != "" && code != a.Enterprise {
		return "", opencube.Errorf(opencube.KindUnauthenticated, "enterprise %s not found", code)
	}
	return a.Enterprise, nil
}

// Visible returns notFound when r's actor may not see the objects of
// enterprise owner, and nil when it may.
func Visible(r *http.Request, owner string, notFound error) error {
	if a := operator.ActorFrom(r.Context()); a != nil && !a.Sees(owner) {
		return notFound
	}
	return nil
}

// auditEntry starts the audit entry of a change r makes through rt: who,
// when the store writes it, which route and object, and a summary (the
// request body with secrets masked) a handler may replace (Summarize).
func (s *Server) auditEntry(r *http.Request, rt *Route, a *operator.Actor, owner string) *operator.AuditEntry {
	e := &operator.AuditEntry{
		At:    time.Now().UTC(),
		Actor: a.Name(), ActorKind: a.Kind, TokenID: a.TokenID,
		Route: rt.Pattern, Object: objectOf(r, rt), RequestID: metrics.RequestID(r.Context()),
		Enterprise: owner, Source: sourceOf(r.RemoteAddr),
	}
	e.Summary = summarize(r, rt)
	return e
}

// objectOf names what r changes: the most specific path value of its
// route.
func objectOf(r *http.Request, rt *Route) string {
	path := strings.TrimPrefix(strings.SplitN(rt.Pattern, " ", 2)[1], Prefix)
	kind := strings.TrimSuffix(strings.SplitN(path, "/", 2)[0], "s")
	for _, v := range []struct{ name, kind string }{
		{"iccid", "sim"}, {"username", "user"}, {"plan", "plan"}, {"id", kind}, {"code", kind},
	} {
		if val := r.PathValue(v.name); val != "" {
			k := v.kind
			if v.name == "id" && kind == "enterprise" {
				k = "delivery"
			}
			return k + ":" + val
		}
	}
	return kind
}

// maxSummary bounds an audit summary.
const maxSummary = 1000

// secretFields are the request fields whose values never reach the trail.
var secretFields = []string{"secret", "password", "token", "ki", "opc", "private_key"}

// summarize renders r's body for the trail: JSON with its secret fields
// masked, or the size of anything else (an import).
func summarize(r *http.Request, rt *Route) string {
	if r.Body == nil || r.Method == http.MethodDelete {
		return rt.Pattern
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") && r.Header.Get("Content-Type") != "" {
		return fmt.Sprintf("%s body of %d bytes", r.Header.Get("Content-Type"), r.ContentLength)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		// The handler meets the error (a body over its limit) as it would
		// have.
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		return ""
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return fmt.Sprintf("body of %d bytes", len(body))
	}
	mask(v)
	out, _ := json.Marshal(v)
	if len(out) > maxSummary {
		out = append(out[:maxSummary-3], "..."...)
	}
	return string(out)
}

// mask replaces the values of secret fields, at any depth.
func mask(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if isSecret(k) {
				v[k] = "***"
				continue
			}
			mask(x)
		}
	case []any:
		for _, x := range v {
			mask(x)
		}
	}
}

func isSecret(field string) bool {
	f := asciiFold(field)
	for _, s := range secretFields {
		if strings.Contains(f, s) {
			return true
		}
	}
	return false
}

// errReader fails every read with its error.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// asciiFold lower-cases s as JSON field matching does (encoding/json folds
// case the Unicode way, so "ſ" matches "s"): each letter becomes the ASCII
// letter of its case-folding orbit, when it has one.
func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range s {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8.RuneSelf {
				r = f
				break
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// sourceOf is the address of a request's client without its port: behind
// a trusted proxy, the client's (package forwarded rewrote RemoteAddr).
func sourceOf(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}
