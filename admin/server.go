package admin

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/operator"
)

// Server serves the admin API over an opencube.AdminService.
type Server struct {
	// Logger receives internal errors; slog.Default() when nil.
	Logger *slog.Logger
	// Access authenticates users' tokens, scopes enterprise users and
	// writes the audit trail; without it only the bootstrap token is
	// accepted, and changes are not audited.
	Access Access
	// OnAudit, when set, is told of every change written to the audit
	// trail (metrics).
	OnAudit func(e *operator.AuditEntry)
	// Users serves the user, token and audit routes; they answer 404 when
	// it is nil.
	Users Users
	// ESIM serves the eSIM routes (profiles, eSIM plans, sandbox codes);
	// nil answers them 404.
	ESIM ESIMService
	// Notify serves the webhook, delivery and alert routes; they answer
	// 404 when it is nil.
	Notify opencube.NotifyService
	// Sandbox serves the clock routes; they answer 404 when it is nil (the
	// server is not in sandbox mode).
	Sandbox Sandbox
	// SMS serves the MO injection route (sms.go); it answers 404 when nil.
	SMS SMSAdmin
	// SIMs serves the SIM state routes (sim.go); Orders the order
	// corrections (order.go). Either answers 500 when nil.
	SIMs   opencube.SIMAdminService
	Orders opencube.OrderAdminService
	// Lists serves the operator's lists and detail pages (list.go); they
	// answer 404 when it is nil, and an enterprise's page shows less.
	Lists Lists
	// Changes serves the operator's changes (plans, grants, enterprise
	// states and secrets, SIM moves and bulk changes) and the order and
	// SMS routes; they answer 404 when it is nil.
	Changes Changes
	// HLR serves the subscriber register's status and reconciliation
	// (hlr.go); nil when provisioning is off.
	HLR HLRAdmin
	// Keys serves the enterprises' Cube v4 public keys (key.go); they
	// answer 404 when it is nil.
	Keys Keys
	// MasterKeys re-seals the data keys under the server's first master
	// key (masterkey.go); its route answers 404 when it is nil.
	MasterKeys MasterKeys
	// Billing serves the billing routes (billing.go); they answer 404
	// when it is nil.
	Billing Billing

	svc     opencube.AdminService
	access  access
	muxOnce sync.Once
	mux     *http.ServeMux
}

// NewServer returns a server whose requests must carry a bearer token:
// token (the bootstrap operator, none when empty) or a user's (Access).
// Without either, every request is refused with 403.
func NewServer(svc opencube.AdminService, token string) *Server {
	return &Server{svc: svc, access: access{hasToken: token != "", token: sha256.Sum256([]byte(token))}}
}

// Handler returns the HTTP handler of every route, at its full path under
// Prefix, behind the token check.
func (s *Server) Handler() http.Handler { return s.handler(s.authenticate) }

// As returns the handler of every route for requests made as a, who is
// not asked for a token: how the console, which signs its users in
// itself, calls the API in-process, through the same authorization and
// audit trail.
func (s *Server) As(a *operator.Actor) http.Handler {
	return s.handler(func(*http.Request) (*operator.Actor, error) { return a, nil })
}

func (s *Server) handler(authenticate func(*http.Request) (*operator.Actor, error)) http.Handler {
	s.muxOnce.Do(func() {
		s.mux = http.NewServeMux()
		for i := range Routes {
			rt := &Routes[i]
			s.mux.HandleFunc(rt.Pattern, func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, rt) })
		}
		s.mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, &opencube.Error{Kind: KindNoRoute, Message: fmt.Sprintf("no admin endpoint %s %s", r.Method, r.URL.Path)})
		})
	})
	mux := s.mux
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The route is known before the token is checked, so that refusals
		// are counted by route too.
		route := metrics.Unmatched
		if _, p := mux.Handler(r); p != "" && p != Prefix {
			route = p
		}
		metrics.SetRoute(w, metrics.ProtocolAdmin, route)
		a, err := authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		mux.ServeHTTP(w, r.WithContext(operator.NewContext(r.Context(), a)))
	})
}

// serve runs one route: authorize, limit the body, call the handler with
// the change's audit entry, encode its answer.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt *Route) {
	a := operator.ActorFrom(r.Context())
	owner, err := s.authorize(r, rt, a)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.ContentLength > rt.MaxBody {
		// Refused unread; the connection closes after the answer.
		w.Header().Set("Connection", "close")
		s.writeError(w, r, &http.MaxBytesError{Limit: rt.MaxBody})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, rt.MaxBody)
	var entry *operator.AuditEntry
	if r.Method != http.MethodGet && s.Access != nil {
		entry = s.auditEntry(r, rt, a, owner)
		r = r.WithContext(operator.WithAudit(r.Context(), entry))
	}
	status, body, err := rt.handle(s, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if entry != nil && !entry.Recorded() {
		// A change no store transaction wrote (the sandbox's SMS device).
		if err := s.Access.AppendAudit(r.Context(), entry); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if entry != nil && s.OnAudit != nil {
		s.OnAudit(entry)
	}
	if body == nil {
		w.WriteHeader(status)
		return
	}
	if l, ok := body.(interface{ Stamp(time.Time) }); ok {
		// A list says how current it is: a replica's page carries its
		// replay time already.
		l.Stamp(time.Now())
	}
	if d, ok := body.(*Download); ok {
		s.writeDownload(w, r, status, d)
		return
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"kind":"internal","message":"cannot encode the answer"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
