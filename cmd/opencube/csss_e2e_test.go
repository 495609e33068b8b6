package main

// End-to-end tests of the CSSS Plan API: the real Main on 127.0.0.1:0 with a
// temporary SQLite file and the demo data, a fake clock, and the client
// package on the other side. The harness lives in this file; the other
// csss_*_e2e_test.go files hold the cases.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// The -update flag rewrites the golden files under testdata/. It is
// defined here unless another file of the package defines it first (as a
// package variable); read it with updateGolden.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

// updateGolden reports whether -update is set.
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// e2eClock is a settable opencube.Clock. Nothing sleeps: tests move it.
type e2eClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *e2eClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *e2eClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d.
func (c *e2eClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// clockStart is where every test's clock starts: 2024-01-31 10:00 UTC+8.
var clockStart = time.Date(2024, 1, 31, 10, 0, 0, 0, opencube.BusinessZone)

// Demo data (service.NewDemo).
const (
	entP       = "P000270"
	entQ       = "QY-000001"
	demoSecret = service.DemoSecret
)

// simP returns the i-th non-OTA demo SIM of P000270 (0-9).
func simP(i int) string { return fmt.Sprintf("89852022018041800%03d", 192+i) }

// simQ returns the i-th OTA demo SIM of QY-000001 (0-9).
func simQ(i int) string { return fmt.Sprintf("89852022018041800%03d", 300+i) }

// imsiOf is the demo IMSI of a demo ICCID.
func imsiOf(iccid string) string { return "45400" + iccid[len(iccid)-10:] }

// demoPlan is a demo plan as a request names it.
type demoPlan struct{ code, name, typ string }

var (
	planMonthly   = demoPlan{"DP20190726001274", "C_M_0_P_中国20M不限速月套餐", "2"}
	planDaily     = demoPlan{"DP20190726000001", "C_D_1_P_中国1G日套餐", "1"}
	planUnlimited = demoPlan{"DP20190726000002", "C_U_0_P_中国不限量日套餐", "0"}
	planOTA       = demoPlan{"DP20201218003915", "T_T_T_0_P_S_中国100G/365天套餐", "1"}
)

// order returns the body of an orderPackage request for iccid, as in the
// documentation's example.
func (p demoPlan) order(iccid string, open bool) map[string]any {
	isOpen := "0"
	if open {
		isOpen = "1"
	}
	return map[string]any{
		"device_id": iccid, "global_order": "0", "is_open": isOpen, "order_period": "1",
		"package_code": p.code, "package_name": p.name, "package_type": p.typ,
		"pay_amount": "0", "pay_rst": "1", "pay_type": "2", "test_flow": "0", "test_flow_flag": "0",
	}
}

// ota returns the body of a createOtaOrder request, as in the documentation's
// example.
func (p demoPlan) ota(iccid string) map[string]any {
	return withParams(p.order(iccid, false), "mcc", "", "days", 364, "timing_type", "1")
}

// withParams returns a copy of params with the key/value pairs set; a nil value
// deletes the key.
func withParams(params map[string]any, kv ...any) map[string]any {
	out := maps.Clone(params)
	if out == nil {
		out = map[string]any{}
	}
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
		} else {
			out[k] = kv[i+1]
		}
	}
	return out
}

// e2eServer is one running opencube with its clock and a client per demo
// enterprise.
type e2eServer struct {
	m     *Main
	clock *e2eClock
	p, q  *client.Client
}

// startServer runs the whole server on 127.0.0.1:0 with a fresh SQLite file and
// the demo data, its clock at clockStart.
func startServer(t *testing.T) *e2eServer {
	t.Helper()
	return startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, nil)
}

// startServerWith runs the whole server on 127.0.0.1:0 over db with the demo
// data and clock, after configure (when not nil) has set what the test needs.
// Background jobs do not run on their own: tests run them (Worker.RunOnce).
func startServerWith(t *testing.T, db string, clock *e2eClock, configure func(m *Main)) *e2eServer {
	t.Helper()
	s, _ := startStoppable(t, db, clock, configure)
	return s
}

// startStoppable is startServerWith that returns stop too, which closes the
// server; the test's end does too, once.
func startStoppable(t *testing.T, db string, clock *e2eClock, configure func(m *Main)) (s *e2eServer, stop func()) {
	t.Helper()
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr = "127.0.0.1:0"
	m.DB = db
	m.Demo = true
	m.Clock = clock
	m.Stderr = io.Discard
	m.JobInterval = 0
	m.Notify.Retention = 0 // tests that count the jobs they run want none of their own
	if configure != nil {
		configure(m)
	}
	if err := m.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { closeMain(t, m) }) }
	t.Cleanup(stop)
	s = &e2eServer{m: m, clock: clock}
	s.p = s.client(entP, demoSecret)
	s.q = s.client(entQ, demoSecret)
	return s, stop
}

// e2eDatabase returns a fresh database for one test: a SQLite file, or,
// when OPENCUBE_E2E_STORE=postgres, a schema of its own in the PostgreSQL
// database of OPENCUBE_TEST_POSTGRES. The test script runs the end-to-end
// tests on both.
func e2eDatabase(t *testing.T) string {
	t.Helper()
	switch store := os.Getenv("OPENCUBE_E2E_STORE"); store {
	case "", "sqlite":
		return filepath.Join(t.TempDir(), "db")
	case "postgres":
		return pgtest.Schema(t)
	default:
		t.Fatalf("OPENCUBE_E2E_STORE=%q: want sqlite or postgres", store)
		return ""
	}
}

// closeMain stops m. The clients' idle connections go first: a connection
// the transport dialled but never used would hold up the server's Shutdown.
func closeMain(t *testing.T, m *Main) {
	t.Helper()
	http.DefaultClient.CloseIdleConnections()
	if err := m.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// client returns a client of the server whose timestamps follow its clock.
func (s *e2eServer) client(accessCode, secret string) *client.Client {
	c := client.New(s.m.URL(), accessCode, secret)
	c.Now = s.clock.Now
	return c
}

// importSIMs adds SIMs behind the API's back, for states the demo lacks.
func (s *e2eServer) importSIMs(t *testing.T, sims ...*opencube.SIM) {
	t.Helper()
	if err := s.m.Services.Admin.ImportSIMs(t.Context(), sims); err != nil {
		t.Fatalf("ImportSIMs: %v", err)
	}
}

// do signs and sends a request, one millisecond after the previous one (so
// that no two requests share a sign unless a test means them to), and
// returns the envelope whatever its code.
func (s *e2eServer) do(t *testing.T, c *client.Client, path string, params map[string]any, header http.Header) *client.Response {
	t.Helper()
	s.clock.Advance(time.Millisecond)
	resp, err := c.Do(t.Context(), path, params, header)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return resp
}

// of returns the client of enterprise ent: entQ's, or entP's for any other.
func (s *e2eServer) of(ent string) *client.Client {
	if ent == entQ {
		return s.q
	}
	return s.p
}

// dataCase is a request of one enterprise that must succeed with data.
type dataCase struct {
	name   string
	ent    string // entQ, or entP's for any other
	params map[string]any
	want   string // the answer's data without its sign
}

// checkData sends each case's params to path as its enterprise, a subtest
// each: the request succeeds and its signed data is the case's.
func (s *e2eServer) checkData(t *testing.T, path string, tests []dataCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.do(t, s.of(tt.ent), path, tt.params, nil)
			wantCode(t, resp, csss.CodeOK)
			diffJSON(t, "data", signedData(t, resp), tt.want)
		})
	}
}

// ok sends a request that must succeed and returns its data as a map.
func (s *e2eServer) ok(t *testing.T, c *client.Client, path string, params map[string]any) map[string]any {
	t.Helper()
	resp := s.do(t, c, path, params, nil)
	wantCode(t, resp, csss.CodeOK)
	return dataOf(t, resp)
}

// mustOrder orders and returns the new order's id.
func (s *e2eServer) mustOrder(t *testing.T, c *client.Client, params map[string]any) string {
	t.Helper()
	return s.ok(t, c, "/package/orderPackage", params)["order_id"].(string)
}

// orders returns the enterprise's orders matching filter (queryOrder items
// by order id).
func (s *e2eServer) orders(t *testing.T, c *client.Client, filter map[string]any) []map[string]string {
	t.Helper()
	resp := s.do(t, c, "/package/queryOrder", withParams(filter, "page_no", 1, "page_size", 100), nil)
	wantCode(t, resp, csss.CodeOK)
	var d struct {
		Page         map[string]int      `json:"page"`
		PackageOrder []map[string]string `json:"package_order"`
	}
	if err := json.Unmarshal(resp.Data, &d); err != nil {
		t.Fatalf("queryOrder data: %v", err)
	}
	return d.PackageOrder
}

// order returns one order's queryOrder item.
func (s *e2eServer) order(t *testing.T, c *client.Client, id string) map[string]string {
	t.Helper()
	items := s.orders(t, c, map[string]any{"order_id": id})
	if len(items) != 1 {
		t.Fatalf("queryOrder order_id=%s: %d items, want 1", id, len(items))
	}
	return items[0]
}

// wantCode checks an envelope: HTTP 200, the code, success iff 0000.
func wantCode(t *testing.T, resp *client.Response, code string) {
	t.Helper()
	if resp.Code != code || resp.Status != http.StatusOK || resp.Success != (code == csss.CodeOK) {
		t.Fatalf("answer HTTP %d code %s success %v, want HTTP 200 code %s; body %s",
			resp.Status, resp.Code, resp.Success, code, resp.Body)
	}
}

// dataOf decodes data (numbers as json.Number).
func dataOf(t *testing.T, resp *client.Response) map[string]any {
	t.Helper()
	var d map[string]any
	dec := json.NewDecoder(bytes.NewReader(resp.Data))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("data of %s: %v", resp.Body, err)
	}
	return d
}

// checkDataSign recomputes data.sign (D8): HMAC-SHA1 of the canonical form
// of data minus sign, with secret.
func checkDataSign(t *testing.T, resp *client.Response, secret string) {
	t.Helper()
	var d map[string]json.RawMessage
	if err := json.Unmarshal(resp.Data, &d); err != nil {
		t.Fatalf("data of %s: %v", resp.Body, err)
	}
	var got string
	if err := json.Unmarshal(d["sign"], &got); err != nil || got == "" {
		t.Fatalf("data.sign = %s, want a string; body %s", d["sign"], resp.Body)
	}
	delete(d, "sign")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		t.Fatal(err)
	}
	canonical, err := csss.Canonical(bytes.TrimSpace(buf.Bytes()))
	if err != nil {
		t.Fatalf("Canonical: %v", err)
	}
	if want := csss.Sign(canonical, secret); got != want {
		t.Errorf("data.sign = %s, want %s (HMAC of %s)", got, want, canonical)
	}
}

// unsignedBody encodes params as they are, without a sign.
func unsignedBody(t *testing.T, params map[string]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(params); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(buf.Bytes())
}

var orderIDRE = regexp.MustCompile(`^ORDER_[0-9]{17}$`)

// checkOrderID checks D14's form.
func checkOrderID(t *testing.T, id string) {
	t.Helper()
	if !orderIDRE.MatchString(id) {
		t.Errorf("order_id %q is not ORDER_ and 17 digits", id)
	}
}

// langHeader returns an Accept-Language header.
func langHeader(tag string) http.Header {
	if tag == "" {
		return nil
	}
	return http.Header{"Accept-Language": {tag}}
}

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updateGolden() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got), run go test -update if the change is meant:\n%s", path, diff)
	}
}

// diffJSON compares JSON documents by value (numbers by their literal).
func diffJSON(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	decode := func(b []byte) any {
		var v any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v in %s", what, err, b)
		}
		return v
	}
	if diff := cmp.Diff(decode([]byte(want)), decode(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// signedData checks data.sign (D8) and returns data without it.
func signedData(t *testing.T, resp *client.Response) []byte {
	t.Helper()
	checkDataSign(t, resp, demoSecret)
	var d map[string]json.RawMessage
	if err := json.Unmarshal(resp.Data, &d); err != nil {
		t.Fatal(err)
	}
	delete(d, "sign")
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
