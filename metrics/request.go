package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
)

// Protocols: the front doors of the HTTP listener (SetRoute).
const (
	ProtocolCSSS    = "csss"
	ProtocolMall    = "mall"
	ProtocolFMS     = "fms" // the eSIM QR Mall
	ProtocolAdmin   = "admin"
	ProtocolKannel  = "kannel"  // Kannel's callbacks
	ProtocolConsole = "console" // the web console
	ProtocolCubeV4  = "cubev4"  // the Cube v4 REST API
)

// Label values of what no front door named.
const (
	// Unmatched is the route of a request whose path is in no route table.
	Unmatched = "unmatched"
	// ProtocolOther is the protocol of a request no front door claimed
	// (health, /metrics, documents).
	ProtocolOther = "other"
	// NoCode is the code of an answer without a business code.
	NoCode = "none"
)

// HeaderRequestID is the request and response header of the request id.
const HeaderRequestID = "X-Request-Id"

// ctxKey finds a request's recorder in its context.
type ctxKey struct{}

// recorder is one request as the middleware follows it: the answer's
// writer, counting what is written, and what the front door said of it.
// The front door's goroutine sets it; the middleware reads it once the
// handler returned.
type recorder struct {
	w      http.ResponseWriter
	status int
	bytes  int64

	protocol, route, code, accessCode string

	id     string
	base   *slog.Logger                // the listener's logger
	logger atomic.Pointer[slog.Logger] // base with the request id, made on first use
}

// Header implements http.ResponseWriter.
func (r *recorder) Header() http.Header { return r.w.Header() }

// WriteHeader implements http.ResponseWriter.
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 && status >= 200 {
		r.status = status
	}
	r.w.WriteHeader(status)
}

// Write implements http.ResponseWriter.
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.w.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Flush implements http.Flusher.
func (r *recorder) Flush() { http.NewResponseController(r.w).Flush() }

// Unwrap returns the writer underneath, for http.ResponseController.
func (r *recorder) Unwrap() http.ResponseWriter { return r.w }

// recorderOf finds the recorder under w, through writers that unwrap.
func recorderOf(w http.ResponseWriter) *recorder {
	for {
		switch x := w.(type) {
		case *recorder:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}

// fromContext returns the recorder of the request ctx belongs to, or nil.
func fromContext(ctx context.Context) *recorder {
	if ctx == nil {
		return nil
	}
	r, _ := ctx.Value(ctxKey{}).(*recorder)
	return r
}

// SetRoute says which protocol and route of its route table answered the
// request of w (a fixed set: never the raw path). Without a middleware it
// does nothing.
func SetRoute(w http.ResponseWriter, protocol, route string) {
	if r := recorderOf(w); r != nil {
		r.protocol, r.route = protocol, route
	}
}

// SetCode says which business code the answer written to w carries: the
// protocol's own code (a fixed set). Without a middleware it does nothing.
func SetCode(w http.ResponseWriter, code string) {
	if r := recorderOf(w); r != nil {
		r.code = code
	}
}

// SetAccessCode names the enterprise of the request ctx belongs to, once it
// is authenticated, for the access log. Without a middleware it does
// nothing.
func SetAccessCode(ctx context.Context, accessCode string) {
	if r := fromContext(ctx); r != nil {
		r.accessCode = accessCode
	}
}

// RequestID returns the id of the request ctx belongs to, "" outside one.
func RequestID(ctx context.Context) string {
	if r := fromContext(ctx); r != nil {
		return r.id
	}
	return ""
}

// FromContext returns the logger of the request ctx belongs to: the
// listener's logger, adding request_id to every line. Outside a request it
// returns slog.Default().
func FromContext(ctx context.Context) *slog.Logger {
	r := fromContext(ctx)
	if r == nil {
		return slog.Default()
	}
	if l := r.logger.Load(); l != nil {
		return l
	}
	h := r.base.Handler()
	if lh, ok := h.(*logHandler); ok {
		h = lh.next
	}
	r.logger.CompareAndSwap(nil, slog.New(&logHandler{next: h, bound: r}))
	return r.logger.Load()
}

// LogHandler returns h adding the request_id of the request a record's
// context belongs to, so that every line a request logs with its context
// (Logger.InfoContext, Logger.Log) carries it, whatever the logger.
func LogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(*logHandler); ok {
		return h
	}
	return &logHandler{next: h}
}

// logHandler adds request_id to the records of a request: the one it is
// bound to (FromContext), else the one of the record's context.
type logHandler struct {
	next  slog.Handler
	bound *recorder
}

// Enabled implements slog.Handler.
func (h *logHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle implements slog.Handler.
func (h *logHandler) Handle(ctx context.Context, rec slog.Record) error {
	r := h.bound
	if r == nil {
		r = fromContext(ctx)
	}
	if r != nil {
		rec.AddAttrs(slog.String("request_id", r.id))
	}
	return h.next.Handle(ctx, rec)
}

// WithAttrs implements slog.Handler.
func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logHandler{next: h.next.WithAttrs(attrs), bound: h.bound}
}

// WithGroup implements slog.Handler.
func (h *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{next: h.next.WithGroup(name), bound: h.bound}
}
