package admin

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/metrics"
)

// Server serves the admin API over an opencube.AdminService.
type Server struct {
	// Logger receives internal errors; slog.Default() when nil.
	Logger *slog.Logger
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

	svc     opencube.AdminService
	enabled bool
	token   [sha256.Size]byte
}

// NewServer returns a server whose requests must carry token as a bearer
// token; with an empty token every request is refused with 403.
func NewServer(svc opencube.AdminService, token string) *Server {
	return &Server{svc: svc, enabled: token != "", token: sha256.Sum256([]byte(token))}
}

// Handler returns the HTTP handler of every route, at its full path under
// Prefix, behind the token check.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for i := range Routes {
		rt := &Routes[i]
		mux.HandleFunc(rt.Pattern, func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, rt) })
	}
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &opencube.Error{Kind: KindNoRoute, Message: fmt.Sprintf("no admin endpoint %s %s", r.Method, r.URL.Path)})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The route is known before the token is checked, so that refusals
		// are counted by route too.
		route := metrics.Unmatched
		if _, p := mux.Handler(r); p != "" && p != Prefix {
			route = p
		}
		metrics.SetRoute(w, metrics.ProtocolAdmin, route)
		if err := s.authorize(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// disabledMessage answers every request of a server built without a token.
const disabledMessage = "admin API disabled: start the server with --admin-token"

// authorize checks the bearer token in constant time.
func (s *Server) authorize(r *http.Request) error {
	if !s.enabled {
		return &opencube.Error{Kind: KindDisabled, Message: disabledMessage}
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return &opencube.Error{Kind: KindUnauthorized, Message: "missing Authorization: Bearer <admin token>"}
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if subtle.ConstantTimeCompare(sum[:], s.token[:]) != 1 {
		return &opencube.Error{Kind: KindUnauthorized, Message: "wrong admin token"}
	}
	return nil
}

// serve runs one route: limit the body, call the handler, encode its answer.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt *Route) {
	if r.ContentLength > rt.MaxBody {
		// Refused unread; the connection closes after the answer.
		w.Header().Set("Connection", "close")
		s.writeError(w, r, &http.MaxBytesError{Limit: rt.MaxBody})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, rt.MaxBody)
	status, body, err := rt.handle(s, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if body == nil {
		w.WriteHeader(status)
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
