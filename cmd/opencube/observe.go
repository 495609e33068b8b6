package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/postgres"
	"github.com/opencube/opencube/sqlite"
)

// backlogTimeout bounds the store read of a scrape (jobs, deliveries):
// a database too slow for it shows as opencube_backlog_up 0, not as a
// scrape that hangs.
const backlogTimeout = time.Second

// newLogger returns the server's logger: text or JSON on w at level, adding
// the request id to the lines a request logs (metrics.LogHandler).
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("serve: --log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: l}
	var h slog.Handler
	switch format {
	case "", "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, errLogFormat
	}
	return slog.New(metrics.LogHandler(h)), nil
}

// errLogFormat refuses a --log-format other than text and json.
var errLogFormat = errors.New("serve: --log-format must be text or json")

// observe wires the metrics into the parts Run built: the job workers,
// the webhook notifier, the SMS service, the RADIUS server and the store.
func (m *Main) observe() {
	mt := m.Metrics
	m.Worker.Observe = mt.JobRun
	if w := m.Notify.Worker; w != nil {
		w.Observe = mt.JobRun
	}
	if n := m.Notify.Notifier; n != nil {
		n.Observe = mt.WebhookAttempt
	}
	if w := m.SMS.Worker; w != nil {
		w.Observe = mt.JobRun
	}
	if s := m.SMS.Service; s != nil {
		s.Observe = mt.SMSObserver(m.SMS.Gateway)
	}
	if sv := m.Services; sv != nil {
		sv.Mall.Observe, sv.ESIM.Observe = mt.ShopPayment, mt.ShopPayment
	}
	if s := m.RADIUS.Server; s != nil {
		s.Observer = mt.RADIUS
	}
	mt.WatchBacklog(m.Store, m.Clock, backlogTimeout)
	switch db := m.Store.(type) {
	case *sqlite.DB:
		mt.WatchSQLite(db)
	case *postgres.DB:
		mt.WatchPool(db)
		mt.WatchSharedCommits(db)
	}
}

// observed returns h behind the metrics middleware: request id, metrics,
// access log.
func (m *Main) observed(h http.Handler) http.Handler {
	return m.Metrics.Wrap(h, metrics.Options{Logger: m.Logger, AccessLog: m.AccessLog})
}

// serveMetrics starts the listener of --metrics-addr: /metrics and
// /debug/pprof/. Without it, /metrics is on the main listener (Handler).
func (m *Main) serveMetrics() error {
	if m.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", m.MetricsAddr)
	if err != nil {
		return fmt.Errorf("serve: --metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Metrics.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	// No /debug/pprof/cmdline: the command line holds the flags, secrets
	// among them. The main listener's timeouts: a profile or trace of up
	// to the write timeout (60 s by default) fits.
	m.metricsServer = m.HTTP.server(mux)
	m.metricsLn = ln
	go m.metricsServer.Serve(ln)
	m.Logger.Info("metrics serving", "addr", ln.Addr().String())
	return nil
}

// MetricsURL is the base URL of the metrics listener once it runs: that of
// --metrics-addr, else the main listener's.
func (m *Main) MetricsURL() string {
	if m.metricsLn != nil {
		return "http://" + m.metricsLn.Addr().String()
	}
	return m.URL()
}
