package metrics

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Options are the middleware's settings.
type Options struct {
	// Logger is the listener's logger: request logs (FromContext) and the
	// access log go to it; slog.Default() when nil.
	Logger *slog.Logger
	// AccessLog writes one line a request, at info level.
	AccessLog bool
}

// Wrap returns next behind the middleware: the request id, the HTTP
// metrics and, with o.AccessLog, the access log (see the package comment).
func (m *Metrics) Wrap(next http.Handler, o Options) http.Handler {
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger = slog.New(LogHandler(logger.Handler()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(HeaderRequestID)
		if !saneID(id) {
			id = m.ids.next()
		}
		w.Header().Set(HeaderRequestID, id)
		rec := &recorder{w: w, id: id, base: logger}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, rec))
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		next.ServeHTTP(rec, r)

		took := time.Since(start)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		protocol, route := rec.protocol, rec.route
		if protocol == "" {
			// No front door claimed it: the listener's own routes
			// (health, /metrics, documents), by the pattern its mux
			// matched, a fixed set.
			protocol, route = ProtocolOther, patternRoute(r.Pattern)
		}
		if route == "" {
			route = Unmatched
		}
		code := rec.code
		if code == "" || len(code) > maxCodeLen {
			code = NoCode
		}
		m.requests.WithLabelValues(protocol, route, statusLabel(status), code).Inc()
		m.duration.WithLabelValues(protocol, route).Observe(took.Seconds())
		if o.AccessLog && logger.Enabled(r.Context(), slog.LevelInfo) {
			path := r.URL.Path
			if len(path) > maxLoggedPath {
				path = path[:maxLoggedPath] + "..."
			}
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("path", path), slog.String("remote", remoteHost(r.RemoteAddr)), slog.Int("status", status),
				slog.String("code", rec.code), slog.String("access_code", rec.accessCode),
				slog.Float64("duration_ms", float64(took.Microseconds())/1000), slog.Int64("bytes", rec.bytes))
		}
	})
}

// maxCodeLen bounds a business code label; a longer one is a mistake of
// the front door, counted as NoCode.
const maxCodeLen = 32

// maxLoggedPath bounds the path of an access-log line: a query string is
// never logged (a Kannel callback carries its token there), and a long
// path is cut.
const maxLoggedPath = 256

// patternRoute is the route of a ServeMux pattern: its path, without the
// method ("GET /healthz" is "/healthz"); "" for none.
func patternRoute(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// statusLabels are the label values of HTTP statuses 100-599.
var statusLabels = func() (s [600]string) {
	for i := 100; i < len(s); i++ {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

// statusLabel is the label of an HTTP status.
func statusLabel(status int) string {
	if status >= 100 && status < len(statusLabels) {
		return statusLabels[status]
	}
	return "other"
}

// saneID reports whether a request id sent by a client may be used: 1-64
// of A-Z a-z 0-9 . _ -, so that a log line cannot be forged through it.
func saneID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// idGenerator makes request ids: a prefix drawn at random when the process
// starts, and a counter, so that ids are unique across restarts and nodes
// (48 random bits) and cost no system call.
type idGenerator struct {
	prefix string
	n      atomic.Uint64
}

func newIDGenerator() *idGenerator {
	var b [6]byte
	rand.Read(b[:])
	return &idGenerator{prefix: hex.EncodeToString(b[:]) + "-"}
}

// next returns a new request id.
func (g *idGenerator) next() string {
	return g.prefix + strconv.FormatUint(g.n.Add(1), 36)
}

// remoteHost is the address of a request's client, without its port (the
// client's own behind a trusted proxy: package forwarded).
func remoteHost(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}
