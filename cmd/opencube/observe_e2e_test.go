package main

// End-to-end tests of what an operator sees: /metrics, the JSON access
// log with its request ids, and the bound on the series a scanner can make.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
)

// syncBuffer is a log sink the server's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// jsonLines returns the JSON log lines written so far.
func (s *syncBuffer) jsonLines(t *testing.T) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.String()), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		lines = append(lines, v)
	}
	return lines
}

// testAdminToken is the admin token of the servers of these tests.
const testAdminToken = "observe-admin-token-4f1c9a"

// startObservedServer is startServer with an admin token and the log, in
// JSON, written to the returned buffer.
func startObservedServer(t *testing.T, configure func(m *Main)) (*e2eServer, *syncBuffer) {
	t.Helper()
	log := &syncBuffer{}
	s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
		m.Stderr, m.LogFormat, m.AdminToken = log, "json", testAdminToken
		if configure != nil {
			configure(m)
		}
	})
	return s, log
}

// scrape returns the metric families of the server, parsed as Prometheus
// parses them.
func scrape(t *testing.T, s *e2eServer) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(s.m.MetricsURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// sum adds up the series of family name whose labels include the given
// pairs: counter and gauge values, a histogram's sample counts.
func sum(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	var total float64
	f := fams[name]
	if f == nil {
		return 0
	}
series:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue series
			}
		}
		switch {
		case m.Counter != nil:
			total += m.GetCounter().GetValue()
		case m.Gauge != nil:
			total += m.GetGauge().GetValue()
		case m.Histogram != nil:
			total += float64(m.GetHistogram().GetSampleCount())
		case m.Untyped != nil:
			total += m.GetUntyped().GetValue()
		}
	}
	return total
}

// TestMetricsCountRequests: a good request, one with a bad sign and one
// refused by a business rule move the request counters by exactly those
// three, each under its route, status and code; the other families are
// there.
func TestMetricsCountRequests(t *testing.T) {
	s, _ := startObservedServer(t, nil)
	before := scrape(t, s)
	s.ok(t, s.p, "/package/orderPackage", planMonthly.order(simP(0), false))
	bad := s.client(entP, "not-the-secret")
	wantCode(t, s.do(t, bad, "/package/orderPackage", planMonthly.order(simP(1), false), nil), csss.CodeSignature)
	wantCode(t, s.do(t, s.p, "/package/openOrder", map[string]any{"order_id": "ORDER_1"}, nil), csss.CodeOrderNotFound)
	after := scrape(t, s)

	const requests = "opencube_http_requests_total"
	for _, tt := range []struct {
		route, code string
	}{
		{"/package/orderPackage", csss.CodeOK},
		{"/package/orderPackage", csss.CodeSignature},
		{"/package/openOrder", csss.CodeOrderNotFound},
	} {
		labels := []string{"protocol", "csss", "route", tt.route, "status", "200", "code", tt.code}
		if d := sum(after, requests, labels...) - sum(before, requests, labels...); d != 1 {
			t.Errorf("%s %s counted %v more, want 1", tt.route, tt.code, d)
		}
	}
	if d := sum(after, requests, "protocol", "csss") - sum(before, requests, "protocol", "csss"); d != 3 {
		t.Errorf("CSSS requests counted %v more, want 3", d)
	}
	const latency = "opencube_http_request_duration_seconds"
	if d := sum(after, latency, "protocol", "csss") - sum(before, latency, "protocol", "csss"); d != 3 {
		t.Errorf("CSSS latencies observed %v more, want 3", d)
	}
	// The first scrape is counted by the second.
	if got := sum(after, requests, "protocol", "other", "route", "/metrics", "status", "200"); got < 1 {
		t.Errorf("/metrics scrapes counted %v", got)
	}
	for _, name := range []string{"opencube_build_info", "opencube_backlog_up", "go_goroutines", "process_cpu_seconds_total",
		"opencube_http_requests_in_flight"} {
		if after[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if got := sum(after, "opencube_backlog_up"); got != 1 {
		t.Errorf("opencube_backlog_up = %v, want 1", got)
	}
	if f := after["opencube_jobs_lag_seconds"]; f == nil || len(f.GetMetric()) < 10 {
		t.Errorf("opencube_jobs_lag_seconds: %v, want a series per job kind", f)
	}
	// The order's transaction went through the store: the SQLite
	// writer, or the PostgreSQL pool.
	store := "opencube_sqlite_batch_writes"
	if isPostgres(s.m.DB) {
		store = "opencube_postgres_pool_acquires_total"
	}
	if got := sum(after, store) - sum(before, store); got < 1 {
		t.Errorf("%s moved by %v, want some", store, got)
	}
}

// TestRequestIDAccessLog: a sane X-Request-Id comes back and names the
// request's access-log line; an insane one is replaced; error answers log
// their cause with the id; no secret, sign or token reaches the log.
func TestRequestIDAccessLog(t *testing.T) {
	s, log := startObservedServer(t, nil)
	body, err := s.p.Body(planMonthly.order(simP(0), false))
	if err != nil {
		t.Fatal(err)
	}
	var sent struct{ Sign string }
	json.Unmarshal(body, &sent)
	resp, err := s.p.Post(t.Context(), "/package/orderPackage", body, http.Header{"X-Request-Id": {"e2e.req-1"}})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, resp, csss.CodeOK)
	if got := resp.Header.Get("X-Request-Id"); got != "e2e.req-1" {
		t.Errorf("X-Request-Id = %q, want e2e.req-1", got)
	}
	// An id that could forge a log line is replaced.
	bad := s.do(t, s.client(entP, "wrong-secret-77"), "/package/queryOrder", map[string]any{"page_no": 1, "page_size": 10},
		http.Header{"X-Request-Id": {"x\" forged=1"}})
	madeID := bad.Header.Get("X-Request-Id")
	if madeID == "" || strings.ContainsAny(madeID, "\" =") {
		t.Errorf("X-Request-Id of an insane one = %q", madeID)
	}
	// Admin errors: a wrong token, an invalid request.
	admin := func(token, id, body string) int {
		req, _ := http.NewRequest("POST", s.m.URL()+"/admin/v1/enterprises", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Request-Id", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := admin("wrong-admin-token-31", "adm-1", `{}`); got != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", got)
	}
	if got := admin(testAdminToken, "adm-2", `{"access_code":"P9","secret":"short"}`); got != http.StatusBadRequest {
		t.Errorf("short secret: %d", got)
	}

	lines := log.jsonLines(t)
	find := func(msg, id string) map[string]any {
		for _, l := range lines {
			if l["msg"] == msg && l["request_id"] == id {
				return l
			}
		}
		t.Errorf("no %q line with request_id %s in the log:\n%s", msg, id, log)
		return nil
	}
	if l := find("request", "e2e.req-1"); l != nil {
		want := map[string]any{"level": "INFO", "method": "POST", "path": "/package/orderPackage", "status": 200.0, "code": "0000",
			"access_code": entP, "bytes": float64(len(resp.Body))}
		for k, v := range want {
			if l[k] != v {
				t.Errorf("access log %s = %v, want %v", k, l[k], v)
			}
		}
		if d, ok := l["duration_ms"].(float64); !ok || d <= 0 {
			t.Errorf("access log duration_ms = %v", l["duration_ms"])
		}
	}
	// Refused before authentication: no access code.
	if l := find("request", madeID); l != nil && (l["code"] != csss.CodeSignature || l["access_code"] != "") {
		t.Errorf("access log of a bad sign: %v", l)
	}
	for _, id := range []string{"adm-1", "adm-2"} {
		if l := find("admin error answer", id); l != nil && l["level"] != "INFO" {
			t.Errorf("admin error answer %s logged at %v, want INFO", id, l["level"])
		}
		if l := find("request", id); l != nil && l["code"] == "none" {
			t.Errorf("admin error answer %s without its kind: %v", id, l)
		}
	}
	for _, secret := range []string{demoSecret, sent.Sign, "wrong-secret-77", testAdminToken, "wrong-admin-token-31", `"short"`} {
		if secret != "" && strings.Contains(log.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, log)
		}
	}
}

// TestMetricsSeriesBound: a scanner sending random paths and methods to
// every front door makes at most a few series (each protocol's unmatched
// route with its refusal), and a second scan makes none.
func TestMetricsSeriesBound(t *testing.T) {
	s, _ := startObservedServer(t, nil)
	series := func() int {
		n := 0
		for name, f := range scrape(t, s) {
			if strings.HasPrefix(name, "opencube_http_") {
				n += len(f.GetMetric())
			}
		}
		return n
	}
	prefixes := []string{"/", "/cube/v4/", "/package/", "/admin/v1/", "/vshop/", "/payment/", "/topup/", "/fms/", "/fms/v1.1/", "/kannel/"}
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"}
	scan := func() {
		for i := range 100 {
			var b [8]byte
			rand.Read(b[:])
			req, _ := http.NewRequest(methods[i%len(methods)], s.m.URL()+prefixes[i%len(prefixes)]+hex.EncodeToString(b[:]), strings.NewReader("{}"))
			req.Header.Set("X-Request-Id", hex.EncodeToString(b[:4]))
			if i%3 == 0 {
				req.Header.Set("Authorization", "Bearer "+testAdminToken)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	start := series()
	scan()
	first := series()
	t.Logf("100 random paths: %d series before, %d after", start, first)
	// At most: each protocol's unmatched route with a few status and
	// code pairs, two series each (counter, latency).
	if first-start > 24 {
		t.Errorf("100 random paths made %d series, want at most 24", first-start)
	}
	scan()
	if second := series(); second != first {
		t.Errorf("another 100 random paths made %d series, want none", second-first)
	}
}

// TestMetricsAddr: with --metrics-addr, /metrics and /debug/pprof/ are on
// their own listener, and not on the API's.
func TestMetricsAddr(t *testing.T) {
	s, _ := startObservedServer(t, func(m *Main) { m.MetricsAddr = "127.0.0.1:0" })
	if s.m.MetricsURL() == s.m.URL() {
		t.Fatal("no listener of its own")
	}
	if fams := scrape(t, s); fams["opencube_build_info"] == nil {
		t.Error("no opencube_build_info")
	}
	for url, want := range map[string]int{
		s.m.MetricsURL() + "/debug/pprof/": http.StatusOK,
		s.m.URL() + "/metrics":             http.StatusNotFound,
		s.m.URL() + "/debug/pprof/":        http.StatusNotFound,
	} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", url, resp.StatusCode, want)
		}
	}
}

// TestLogFormatFlag: --log-format takes text or json.
func TestLogFormatFlag(t *testing.T) {
	for _, tt := range []struct {
		format string
		ok     bool
	}{{"text", true}, {"json", true}, {"xml", false}} {
		m := NewMain()
		m.Masters = seal.Demo() // the published demo key: tests only
		m.Stderr = io.Discard
		err := m.ParseFlags([]string{"--sandbox", "--log-format", tt.format})
		if (err == nil) != tt.ok {
			t.Errorf("--log-format %s: %v", tt.format, err)
		}
	}
}

// TestRADIUSMetrics: accounting records by type and outcome, batches and
// Access-Requests by reason are counted.
func TestRADIUSMetrics(t *testing.T) {
	s, _ := startObservedServer(t, func(m *Main) {
		m.RADIUS = radiusConfig{AcctAddr: "127.0.0.1:0", AuthAddr: "127.0.0.1:0", Secret: radiusSecret, SessionTimeout: time.Hour}
	})
	exchange := func(addr string, p *radius.Packet) radius.Code {
		t.Helper()
		resp, err := radius.Exchange(t.Context(), p, addr)
		if err != nil {
			t.Fatalf("RADIUS exchange: %v", err)
		}
		return resp.Code
	}
	start := func(imsi string) radius.Code {
		p := radius.New(radius.CodeAccountingRequest, []byte(radiusSecret))
		rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Start)
		rfc2865.UserName_SetString(p, imsi)
		rfc2866.AcctSessionID_SetString(p, "s-"+imsi)
		rfc2865.NASIPAddress_Set(p, net.IPv4(127, 0, 0, 1))
		rfc2869.EventTimestamp_Set(p, clockStart)
		return exchange(s.m.AcctAddr(), p)
	}
	access := func(imsi string) radius.Code {
		p := radius.New(radius.CodeAccessRequest, []byte(radiusSecret))
		rfc2865.UserName_SetString(p, imsi)
		return exchange(s.m.AuthAddr(), p)
	}
	known := imsiOf(simP(0))
	for _, imsi := range []string{known, known, "454009999999999"} {
		if got := start(imsi); got != radius.CodeAccountingResponse {
			t.Fatalf("Start of %s: %v", imsi, got)
		}
	}
	for _, imsi := range []string{known, "454009999999999"} {
		if got := access(imsi); got != radius.CodeAccessReject {
			t.Fatalf("Access-Request of %s: %v", imsi, got)
		}
	}
	fams := scrape(t, s)
	for _, tt := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"opencube_radius_records_total", []string{"type", "start", "outcome", "booked"}, 1},
		{"opencube_radius_records_total", []string{"type", "start", "outcome", "duplicate"}, 1},
		{"opencube_radius_records_total", []string{"type", "start", "outcome", "unknown_sim"}, 1},
		{"opencube_radius_batch_seconds", nil, 3},
		{"opencube_radius_access_requests_total", []string{"result", "reject", "reason", "no_plan"}, 1},
		{"opencube_radius_access_requests_total", []string{"result", "reject", "reason", "unknown_sim"}, 1},
	} {
		if got := sum(fams, tt.name, tt.labels...); got != tt.want {
			t.Errorf("%s %v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
}

// TestMetricsBackgroundWork: a webhook delivery and a short message show
// in the backlog while due, then as job runs, an attempt and SMS states.
func TestMetricsBackgroundWork(t *testing.T) {
	s, _ := startObservedServer(t, func(m *Main) { m.Notify.Interval = 0 })
	ctx := t.Context()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(hook.Close)
	if _, err := client.NewAdmin(s.m.URL(), testAdminToken).PutWebhook(ctx,
		&opencube.Webhook{EnterpriseCode: entP, URL: hook.URL, Events: []opencube.EventType{"1000"}}); err != nil {
		t.Fatal(err)
	}
	s.mustOrder(t, s.p, planMonthly.order(simP(0), false))
	if _, err := s.p.SendSMS(ctx, opencube.SendSMSRequest{ICCID: simP(1), Content: "hello"}); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	due := scrape(t, s)
	s.runDue(t)
	done := scrape(t, s)
	for _, tt := range []struct {
		fams   map[string]*dto.MetricFamily
		name   string
		labels []string
		want   float64
	}{
		{due, "opencube_webhook_deliveries_pending", nil, 1},
		{due, "opencube_jobs_due", []string{"kind", opencube.JobDeliver}, 1},
		{due, "opencube_jobs_due", []string{"kind", opencube.JobSendSMS}, 1},
		{due, "opencube_sms_total", []string{"gateway", "sandbox", "direction", "mt", "state", "queued"}, 1},
		{done, "opencube_webhook_deliveries_pending", nil, 0},
		{done, "opencube_webhook_oldest_pending_seconds", nil, 0},
		{done, "opencube_jobs_due", []string{"kind", opencube.JobDeliver}, 0},
		{done, "opencube_jobs_due", []string{"kind", opencube.JobSendSMS}, 0},
		{done, "opencube_webhook_attempts_total", []string{"outcome", "delivered"}, 1},
		{done, "opencube_job_runs_total", []string{"kind", opencube.JobDeliver, "outcome", "ok"}, 1},
		{done, "opencube_job_runs_total", []string{"kind", opencube.JobSendSMS, "outcome", "ok"}, 1},
		{done, "opencube_sms_total", []string{"gateway", "sandbox", "direction", "mt", "state", "sent"}, 1},
	} {
		if got := sum(tt.fams, tt.name, tt.labels...); got != tt.want {
			t.Errorf("%s %v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	if got := sum(due, "opencube_jobs_lag_seconds", "kind", opencube.JobSendSMS); got < 1 {
		t.Errorf("the SMS hand-over waited %v s, want at least 1", got)
	}
}

// TestMetricsOperator: changes through the admin API count in the audit
// metric by the kind of their actor; console sign-ins by their result.
func TestMetricsOperator(t *testing.T) {
	s, _ := startObservedServer(t, nil)
	ctx := t.Context()
	boot := client.NewAdmin(s.m.URL(), testAdminToken)
	u, err := boot.CreateUser(ctx, admin.UserRequest{Username: "metered", Role: operator.RoleOperator})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.NewAdmin(s.m.URL(), u.Token).CreateToken(ctx, "metered", "second"); err != nil {
		t.Fatal(err)
	}
	if _, err := boot.Me(ctx); err != nil { // a read: not audited
		t.Fatal(err)
	}
	// A refused sign-in (no form token), then a wrong password.
	form := url.Values{"username": {"admin"}, "password": {"wrong"}}
	resp, err := http.PostForm(s.m.URL()+"/console/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	fams := scrape(t, s)
	for _, tt := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"opencube_audit_entries_total", []string{"actor_kind", "bootstrap"}, 1},
		{"opencube_audit_entries_total", []string{"actor_kind", "token"}, 1},
		{"opencube_audit_entries_total", []string{"actor_kind", "session"}, 0},
		{"opencube_console_signins_total", []string{"result", "refused"}, 1},
		{"opencube_console_signins_total", []string{"result", "ok"}, 0},
	} {
		if got := sum(fams, tt.name, tt.labels...); got != tt.want {
			t.Errorf("%s %v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
}
