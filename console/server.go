package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/internal/forwarded"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/operator"
)

// Prefix is the path under which the console is served.
const Prefix = "/console/"

//go:embed templates static
var files embed.FS

// Access signs users in and keeps their sessions.
type Access interface {
	// SignIn checks a user's password; KindUnauthenticated when it does
	// not hold.
	SignIn(ctx context.Context, username, password string) (*operator.Actor, error)
	// StartSession begins a session and returns its cookie secret.
	StartSession(ctx context.Context, a *operator.Actor) (string, *operator.ConsoleSession, error)
	// Session returns the actor of a cookie secret; KindUnauthenticated
	// when there is no live session.
	Session(ctx context.Context, secret string) (*operator.Actor, *operator.ConsoleSession, error)
	// EndSession signs a session out.
	EndSession(ctx context.Context, secret string) error
}

// Server serves the console: server-rendered pages over the operator API,
// which it calls in-process as the signed-in user, so that every page and
// action goes through the API's authorization and audit trail.
type Server struct {
	Access Access
	// Admin is the operator API the pages call.
	Admin *admin.Server
	// Logger receives internal errors; slog.Default() when nil.
	Logger *slog.Logger
	// Secure marks the cookies Secure: the console is served over HTTPS
	// (behind a proxy that ends TLS). A request over TLS, or that a
	// trusted proxy says came over HTTPS (package forwarded), gets them
	// anyway.
	Secure bool
	// TrustProxy takes a sign-in's address from X-Forwarded-For (the
	// last address in it, the one the proxy in front saw) for the
	// throttle of failed sign-ins: behind a proxy, every visitor would
	// otherwise share the proxy's address.
	TrustProxy bool
	// Sandbox shows the sandbox clock and its advance button.
	Sandbox bool
	// Now is the wall clock of sessions and throttles; time.Now when nil.
	Now func() time.Time
	// OnSignIn, when set, is told of every sign-in's result: ok, refused
	// or throttled (metrics).
	OnSignIn func(result string)

	once     sync.Once
	pages    map[string]*template.Template
	throttle *throttle
}

// page is one route of the console.
type page struct {
	pattern string
	// public pages need no session.
	public bool
	handle func(s *Server, rq *request) error
}

// request is one console request: its writer, request, signed-in actor
// and session, language, and a client of the operator API acting as the
// actor.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	actor   *operator.Actor
	session *operator.ConsoleSession
	secret  string
	lang    *Lang
	api     *client.Admin
}

// Handler returns the console's handler, for every path under Prefix.
func (s *Server) Handler() http.Handler {
	s.once.Do(s.init)
	mux := http.NewServeMux()
	static, _ := fs.Sub(files, "static")
	assets := http.StripPrefix(Prefix+"static/", http.FileServerFS(static))
	mux.Handle("GET "+Prefix+"static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		metrics.SetRoute(w, metrics.ProtocolConsole, "GET "+Prefix+"static/")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		assets.ServeHTTP(w, r)
	}))
	for i := range pages {
		p := &pages[i]
		mux.HandleFunc(p.pattern, func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, p) })
	}
	// Anything else: the sign-in page for a signed-out visitor (who
	// returns there after), a page saying so for the others.
	missing := &page{pattern: metrics.Unmatched, handle: func(s *Server, rq *request) error {
		return s.renderStatus(rq, http.StatusNotFound, "error", view{Title: rq.lang.T("error.notfound")})
	}}
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, missing) })
	return securityHeaders(mux)
}

func (s *Server) init() {
	s.throttle = newThrottle(s.now)
	s.pages = map[string]*template.Template{}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html"))
	names, _ := fs.Glob(files, "templates/*.html")
	for _, name := range names {
		short := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if short == "layout" {
			continue
		}
		s.pages[short] = template.Must(template.Must(base.Clone()).ParseFS(files, name))
	}
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// securityHeaders sets the headers of every console answer: a content
// security policy without inline scripts, no framing, no sniffing; and,
// over HTTPS (the server's own TLS, or a trusted proxy's), HSTS, so that
// browsers never come back over plain HTTP.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		if forwarded.Secure(r) {
			hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

// serve runs one page: the session (or the sign-in page), the form token
// of a change, the page's handler, and its error page.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, p *page) {
	metrics.SetRoute(w, metrics.ProtocolConsole, p.pattern)
	rq := &request{w: w, r: r, lang: language(r)}
	if !p.public {
		ok, err := s.loadSession(rq)
		if err != nil {
			s.fail(rq, err)
			return
		}
		if !ok {
			target := Prefix + "login"
			if r.Method == http.MethodGet && r.URL.Path != Prefix {
				target += "?next=" + urlQueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !s.validCSRF(rq) {
			s.renderStatus(rq, http.StatusForbidden, "error", view{Title: rq.lang.T("error.csrf")})
			return
		}
		rq.api = s.apiAs(r.Context(), rq.actor)
	}
	if err := p.handle(s, rq); err != nil {
		s.fail(rq, err)
	}
}

// fail answers an error a page could not show on its own: the API's
// refusals with their status, anything else as an internal error.
func (s *Server) fail(rq *request, err error) {
	var e *opencube.Error
	status := http.StatusInternalServerError
	msg := rq.lang.T("error.internal")
	if errors.As(err, &e) && e.Kind != opencube.KindInternal && e.Kind != "" {
		status = admin.HTTPStatus(e.Kind)
		msg = e.Message
		if e.Kind == admin.KindForbidden {
			msg = rq.lang.T("refused.forbidden")
		}
		s.logger().InfoContext(rq.r.Context(), "console refusal", "path", rq.r.URL.Path, "status", status, "kind", string(e.Kind), "message", e.Message)
	} else {
		s.logger().ErrorContext(rq.r.Context(), "console page failed", "path", rq.r.URL.Path, "err", err)
	}
	s.renderStatus(rq, status, "error", view{Title: msg})
}

// apiAs returns a client of the operator API acting as a, in-process.
func (s *Server) apiAs(ctx context.Context, a *operator.Actor) *client.Admin {
	c := client.NewAdmin("http://console.invalid", "")
	c.HTTP = &http.Client{Transport: inProcess{h: s.Admin.As(a)}}
	return c
}

// inProcess is a transport that hands requests to a handler.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	// A server's request always has a body, if empty.
	if req.Body == nil {
		req.Body = http.NoBody
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	if req.Body == nil {
		req.Body = http.NoBody // as a server's request has
	}
	t.h.ServeHTTP(rec, req)
	return &http.Response{
		StatusCode: rec.status, Status: http.StatusText(rec.status), Header: rec.header,
		Body: io.NopCloser(bytes.NewReader(rec.body.Bytes())), ContentLength: int64(rec.body.Len()),
		Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}, nil
}

// recorder is the ResponseWriter of an in-process call.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
