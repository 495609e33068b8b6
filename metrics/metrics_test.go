package metrics_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/opencube/opencube/metrics"
)

// serve sends one request through the middleware over h and returns the
// answer and the JSON log lines.
func serve(t *testing.T, m *metrics.Metrics, h http.HandlerFunc, req *http.Request) (*httptest.ResponseRecorder, []map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	w := httptest.NewRecorder()
	m.Wrap(h, metrics.Options{Logger: logger, AccessLog: true}).ServeHTTP(w, req)
	var lines []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var v map[string]any
		if err := json.Unmarshal(l, &v); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, v)
	}
	return w, lines
}

func TestWrap(t *testing.T) {
	m := metrics.New("test")
	var other bytes.Buffer
	h := func(w http.ResponseWriter, r *http.Request) {
		metrics.SetRoute(w, metrics.ProtocolCSSS, "/package/orderPackage")
		metrics.SetAccessCode(r.Context(), "P000270")
		// The request's logger, also given the request's context: one
		// request_id.
		metrics.FromContext(r.Context()).InfoContext(r.Context(), "inside", "n", 1)
		// Any logger behind LogHandler, given the request's context.
		slog.New(metrics.LogHandler(slog.NewTextHandler(&other, nil))).With("a", 1).InfoContext(r.Context(), "elsewhere")
		metrics.SetCode(w, "2004")
		w.Write([]byte(`{"code":"2004"}`))
	}
	req := httptest.NewRequest("POST", "/package/orderPackage?token=secret-in-query", nil)
	req.Header.Set(metrics.HeaderRequestID, "abc.DEF_1-2")
	w, lines := serve(t, m, h, req)
	if got := w.Header().Get(metrics.HeaderRequestID); got != "abc.DEF_1-2" {
		t.Errorf("X-Request-Id = %q, want the client's", got)
	}
	if len(lines) != 2 {
		t.Fatalf("log lines %v, want the handler's and the access log's", lines)
	}
	if lines[0]["msg"] != "inside" || lines[0]["request_id"] != "abc.DEF_1-2" {
		t.Errorf("handler's line %v, want its request_id", lines[0])
	}
	if got := other.String(); !strings.Contains(got, "a=1 request_id=abc.DEF_1-2") || strings.Count(got, "request_id") != 1 {
		t.Errorf("other logger's line %q, want one request_id", got)
	}
	want := map[string]any{"msg": "request", "method": "POST", "path": "/package/orderPackage", "status": 200.0,
		"code": "2004", "access_code": "P000270", "bytes": 15.0, "request_id": "abc.DEF_1-2"}
	for k, v := range want {
		if lines[1][k] != v {
			t.Errorf("access log %s = %v, want %v (%v)", k, lines[1][k], v, lines[1])
		}
	}
	if _, ok := lines[1]["duration_ms"].(float64); !ok {
		t.Errorf("access log without duration_ms: %v", lines[1])
	}
	if got := value(t, m, "opencube_http_requests_total", "protocol", "csss", "route", "/package/orderPackage", "status", "200", "code", "2004"); got != 1 {
		t.Errorf("requests counted %v, want 1", got)
	}
}

// value returns the value of the series of family name with the labels
// (name, value pairs; a histogram's sample count), or -1 when none.
func value(t *testing.T, m *metrics.Metrics, name string, labels ...string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	series:
		for _, s := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range s.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue series
				}
			}
			switch {
			case s.Counter != nil:
				return s.GetCounter().GetValue()
			case s.Gauge != nil:
				return s.GetGauge().GetValue()
			case s.Histogram != nil:
				return float64(s.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

// TestUnclaimed: a request no front door claims is counted under "other"
// by the pattern its mux matched, or as unmatched.
func TestUnclaimed(t *testing.T) {
	m := metrics.New("test")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	h := m.Wrap(mux, metrics.Options{Logger: slog.New(slog.DiscardHandler)})
	for _, path := range []string{"/healthz", "/nowhere", "/else/where"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	if got := value(t, m, "opencube_http_requests_total", "protocol", "other", "route", "/healthz", "status", "200", "code", "none"); got != 1 {
		t.Errorf("/healthz counted %v, want 1", got)
	}
	if got := value(t, m, "opencube_http_requests_total", "protocol", "other", "route", "unmatched", "status", "404", "code", "none"); got != 2 {
		t.Errorf("unmatched counted %v, want 2", got)
	}
	if got := value(t, m, "opencube_http_request_duration_seconds", "protocol", "other", "route", "unmatched"); got != 2 {
		t.Errorf("unmatched latencies %v, want 2", got)
	}
}

func TestRequestID(t *testing.T) {
	m := metrics.New("test")
	var seen string
	h := func(w http.ResponseWriter, r *http.Request) { seen = metrics.RequestID(r.Context()) }
	ids := map[string]bool{}
	for _, sent := range []string{"", "has space", "new\nline", strings.Repeat("a", 65), "é", "ok-id", strings.Repeat("b", 64)} {
		req := httptest.NewRequest("GET", "/", nil)
		if sent != "" {
			req.Header.Set(metrics.HeaderRequestID, sent)
		}
		w, lines := serve(t, m, h, req)
		got := w.Header().Get(metrics.HeaderRequestID)
		if got != seen || lines[0]["request_id"] != got {
			t.Errorf("sent %q: header %q, handler saw %q, logged %v", sent, got, seen, lines[0]["request_id"])
		}
		sane := sent == "ok-id" || sent == strings.Repeat("b", 64)
		if sane != (got == sent) {
			t.Errorf("sent %q, got %q", sent, got)
		}
		if !sane && (len(got) < 8 || strings.ContainsAny(got, " \n")) {
			t.Errorf("sent %q: made %q", sent, got)
		}
		if ids[got] {
			t.Errorf("id %q twice", got)
		}
		ids[got] = true
	}
	if metrics.RequestID(t.Context()) != "" {
		t.Error("a request id outside a request")
	}
	if metrics.FromContext(t.Context()) != slog.Default() {
		t.Error("FromContext outside a request is not slog.Default()")
	}
}
