package main

// Request limits through the real server: per tenant across CSSS and the
// Mall, an enterprise's own limit set through the admin API, and per
// source address for failed requests.

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/seal"
)

// limitClock is the guard's clock in these tests: it moves only when told.
type limitClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *limitClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *limitClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startLimitServer runs the server with limits set as by these flags, its
// guard on a clock of the test's, and the admin API on (token "t").
func startLimitServer(t *testing.T, flags ...string) (*shopServer, *limitClock) {
	t.Helper()
	probe := NewMain()
	probe.Masters = seal.Demo() // the published demo key: tests only
	fs := newFlagSet("test", io.Discard)
	probe.Limits.define(fs)
	probe.Listen.define(fs)
	if err := fs.Parse(flags); err != nil {
		t.Fatal(err)
	}
	if err := probe.Limits.check(); err != nil {
		t.Fatal(err)
	}
	if err := probe.Listen.check(); err != nil {
		t.Fatal(err)
	}
	s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
		m.AdminToken = "t"
		m.Limits = probe.Limits
		m.Listen = probe.Listen
		m.Shop.SMTPAddr = ""
	})
	lc := &limitClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	s.m.Limits.Guard.SetClock(lc.now)
	return &shopServer{e2eServer: s}, lc
}

// query sends a CSSS read as c and returns the answer.
func (s *shopServer) query(t *testing.T, c *client.Client) *client.Response {
	t.Helper()
	return s.do(t, c, "/device/queryDeviceList", map[string]any{"page_no": 1, "page_size": 1}, nil)
}

// wantTooFrequent checks a 1006 answer: HTTP 200, the envelope, and
// Retry-After.
func wantTooFrequent(t *testing.T, what string, status int, header http.Header, code string, retryAfter string) {
	t.Helper()
	if status != http.StatusOK || code != csss.CodeTooFrequent {
		t.Errorf("%s: HTTP %d code %s, want 200 and 1006", what, status, code)
	}
	if got := header.Get("Retry-After"); got != retryAfter {
		t.Errorf("%s: Retry-After %q, want %q", what, got, retryAfter)
	}
}

// mallQuery sends a signed Mall read as P (its secret, or another) and
// returns the HTTP answer's status, header and code.
func (s *shopServer) mallQuery(t *testing.T, secret string) (int, http.Header, string) {
	t.Helper()
	s.clock.Advance(time.Millisecond)
	body := s.mallBody(t, "queryActivePendingOrder", false, "deviceCode", simP(0))
	if secret != demoSecret {
		var m map[string]any
		json.Unmarshal(body, &m)
		m["sign"] = "0123456789abcdef0123456789abcdef"
		body, _ = json.Marshal(m)
	}
	resp := s.post(t, "/vshop/queryActivePendingOrder", nil, body)
	defer resp.Body.Close()
	var r mallReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, r.Code
}

// TestTenantLimit: P over its budget gets 1006 with Retry-After, Q does
// not; the budget comes back with time; requests with a forged sign never
// spend it.
func TestTenantLimit(t *testing.T) {
	s, lc := startLimitServer(t, "--rate-limit", "0.5", "--rate-burst", "3")
	for range 3 {
		wantCode(t, s.query(t, s.p), csss.CodeOK)
	}
	r := s.query(t, s.p)
	wantTooFrequent(t, "P's fourth request", r.Status, r.Header, r.Code, "2")
	if r.Message != "请求过于频繁" {
		t.Errorf("1006 message %q", r.Message)
	}
	for range 3 { // Q's own budget, untouched by P's
		wantCode(t, s.query(t, s.q), csss.CodeOK)
	}
	// A refused request is not remembered: sent again once the budget is
	// back, the same bytes run.
	body, err := s.p.Body(map[string]any{"page_no": 1, "page_size": 1})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.p.Post(t.Context(), "/device/queryDeviceList", body, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantTooFrequent(t, "P still over", again.Status, again.Header, again.Code, "2")
	lc.add(2 * time.Second)
	again, err = s.p.Post(t.Context(), "/device/queryDeviceList", body, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, again, csss.CodeOK)

	// Forged requests in P's name (a wrong secret) answer 1002 and leave
	// P's budget alone.
	lc.add(time.Hour)
	forger := s.client(entP, "not-the-secret")
	for range 20 {
		wantCode(t, s.query(t, forger), csss.CodeSignature)
	}
	for range 3 {
		wantCode(t, s.query(t, s.p), csss.CodeOK)
	}
	// Over its budget, P is refused before its sign is checked: a forger
	// learns nothing more than 1006.
	r = s.query(t, forger)
	wantTooFrequent(t, "forged request while P is over", r.Status, r.Header, r.Code, "2")

	// A stale copy of one of P's requests (someone who saw it replays it
	// later) answers 1003 and leaves P's budget alone.
	lc.add(time.Hour)
	stale, err := s.p.Body(map[string]any{"page_no": 1, "page_size": 1})
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Hour)
	for range 20 {
		again, err := s.p.Post(t.Context(), "/device/queryDeviceList", stale, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, again, csss.CodeTimestamp)
	}
	for range 3 {
		wantCode(t, s.query(t, s.p), csss.CodeOK)
	}
}

// TestTenantLimitMall: the Mall's requests spend the same budget as CSSS's,
// and a Mall request over it gets 1006 in the Mall's envelope.
func TestTenantLimitMall(t *testing.T) {
	s, lc := startLimitServer(t, "--rate-limit", "1", "--rate-burst", "4")
	wantCode(t, s.query(t, s.p), csss.CodeOK)
	for i := range 2 {
		if status, _, code := s.mallQuery(t, demoSecret); status != 200 || code != csss.CodeOK {
			t.Fatalf("Mall request %d: HTTP %d code %s", i+1, status, code)
		}
	}
	wantCode(t, s.query(t, s.p), csss.CodeOK)
	// Four spent: two through each door.
	status, header, code := s.mallQuery(t, demoSecret)
	wantTooFrequent(t, "Mall request over the budget", status, header, code, "1")
	r := s.query(t, s.p)
	wantTooFrequent(t, "CSSS request over the budget", r.Status, r.Header, r.Code, "1")
	// A bad Mall sign spends nothing either.
	lc.add(time.Minute)
	for range 10 {
		if _, _, code := s.mallQuery(t, "wrong"); code != csss.CodeSignature {
			t.Fatalf("bad Mall sign: code %s, want 1002", code)
		}
	}
	for range 4 {
		wantCode(t, s.query(t, s.p), csss.CodeOK)
	}
}

// TestTenantLimitOverride: an enterprise's own limit, set through the admin
// API, replaces the server's, also with the server's off, and is removed
// again.
func TestTenantLimitOverride(t *testing.T) {
	s, lc := startLimitServer(t, "--rate-limit", "1", "--rate-burst", "2")
	s.m.CSSS.EnterpriseTTL = 0 // read every request's enterprise afresh
	adm := client.NewAdmin(s.m.URL(), "t")
	e, err := adm.RateLimit(t.Context(), entP, &opencube.RateLimit{Rate: 0.25, Burst: 5})
	if err != nil {
		t.Fatal(err)
	}
	if e.RateLimit == nil || *e.RateLimit != (opencube.RateLimit{Rate: 0.25, Burst: 5}) {
		t.Errorf("admin view after PUT: %+v", e.RateLimit)
	}
	if shown, err := adm.Enterprise(t.Context(), entP); err != nil || shown.RateLimit == nil || shown.RateLimit.Burst != 5 {
		t.Errorf("admin view of P: %+v, %v", shown, err)
	}
	for range 5 {
		wantCode(t, s.query(t, s.p), csss.CodeOK)
	}
	r := s.query(t, s.p)
	wantTooFrequent(t, "P over its own limit", r.Status, r.Header, r.Code, "4")
	for range 2 {
		wantCode(t, s.query(t, s.q), csss.CodeOK)
	}
	r = s.query(t, s.q)
	wantTooFrequent(t, "Q over the server's limit", r.Status, r.Header, r.Code, "1")

	// Removed: P is back under the server's limit, at once.
	if _, err := adm.RateLimit(t.Context(), entP, nil); err != nil {
		t.Fatal(err)
	}
	lc.add(time.Hour)
	for range 2 {
		wantCode(t, s.query(t, s.p), csss.CodeOK)
	}
	r = s.query(t, s.p)
	wantTooFrequent(t, "P back under the server's limit", r.Status, r.Header, r.Code, "1")

	// With no server limit, only the enterprise with its own is limited.
	s2, _ := startLimitServer(t)
	adm2 := client.NewAdmin(s2.m.URL(), "t")
	if _, err := adm2.RateLimit(t.Context(), entQ, &opencube.RateLimit{Rate: 1, Burst: 2}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		wantCode(t, s2.query(t, s2.q), csss.CodeOK)
	}
	r = s2.query(t, s2.q)
	wantTooFrequent(t, "Q over its own limit, no server limit", r.Status, r.Header, r.Code, "1")
	for range 20 {
		wantCode(t, s2.query(t, s2.p), csss.CodeOK)
	}
}

// countingFinder counts enterprise look-ups: each verification needs one
// (the secret), so none means no sign was computed.
type countingFinder struct {
	opencube.EnterpriseFinder
	n atomic.Int64
}

func (f *countingFinder) FindEnterprise(ctx context.Context, code string) (*opencube.Enterprise, error) {
	f.n.Add(1)
	return f.EnterpriseFinder.FindEnterprise(ctx, code)
}

// from returns a copy of c whose connections come from the address ip of
// the loopback network.
func from(c *client.Client, ip string) *client.Client {
	d := *c
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	d.HTTP = &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	return &d
}

// TestSourceLimit: a flood of bad signs from one address is cut, after its
// budget of failures, before any look-up or sign: with 1006 for every
// request from it, good ones too, until the budget comes back. Other
// addresses are served, and good requests never spend an address's budget.
func TestSourceLimit(t *testing.T) {
	s, lc := startLimitServer(t, "--ip-rate-limit", "0.2", "--ip-rate-burst", "5")
	finder := &countingFinder{EnterpriseFinder: s.m.CSSS.Enterprises}
	s.m.CSSS.Enterprises, s.m.CSSS.EnterpriseTTL = finder, 0

	// Good requests from one address: any number.
	for range 30 {
		wantCode(t, s.query(t, s.p), csss.CodeOK)
	}
	// Bad ones: five answered, then cut.
	forger := s.client(entP, "not-the-secret")
	for range 4 {
		wantCode(t, s.query(t, forger), csss.CodeSignature)
	}
	// A failure through the Mall counts too.
	if _, _, code := s.mallQuery(t, "wrong"); code != csss.CodeSignature {
		t.Fatalf("bad Mall sign: %s", code)
	}
	before := finder.n.Load()
	for range 100 {
		r := s.query(t, forger)
		wantTooFrequent(t, "bad sign over the address's budget", r.Status, r.Header, r.Code, "5")
		if t.Failed() {
			break
		}
	}
	if n := finder.n.Load() - before; n != 0 {
		t.Errorf("%d enterprise look-ups (and signs) for requests refused by address", n)
	}
	// Everything from that address waits, good requests and the Mall too.
	r := s.query(t, s.p)
	wantTooFrequent(t, "good request from the flooding address", r.Status, r.Header, r.Code, "5")
	status, header, code := s.mallQuery(t, demoSecret)
	wantTooFrequent(t, "Mall request from the flooding address", status, header, code, "5")
	// Another address is served.
	wantCode(t, s.query(t, from(s.p, "127.0.0.2")), csss.CodeOK)
	wantCode(t, s.query(t, from(forger, "127.0.0.2")), csss.CodeSignature)
	// An unknown access code and an unreadable body are failures too.
	other := from(s.client("NOBODY", "whatever-secret"), "127.0.0.3")
	for range 5 {
		wantCode(t, s.query(t, other), csss.CodeAccessCode)
	}
	wantCode(t, s.query(t, other), csss.CodeTooFrequent)

	// Five seconds on, one failure is allowed again.
	lc.add(5 * time.Second)
	wantCode(t, s.query(t, s.p), csss.CodeOK)
	wantCode(t, s.query(t, forger), csss.CodeSignature)
	wantCode(t, s.query(t, s.p), csss.CodeTooFrequent)
}

// TestSourceLimitBehindProxy: behind a trusted proxy, failed requests
// are counted by the client's address that the proxy forwards, not the
// proxy's; a forwarded address from a peer that is not trusted is ignored.
func TestSourceLimitBehindProxy(t *testing.T) {
	for _, tt := range []struct {
		name, proxies string
		perClient     bool // the clients' budgets are their own
	}{
		{"trusted", "127.0.0.1/32", true},
		{"not trusted", "10.0.0.0/8", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := startLimitServer(t, "--ip-rate-limit", "0.2", "--ip-rate-burst", "3", "--trusted-proxies", tt.proxies)
			forger := s.client(entP, "not-the-secret")
			via := func(c *client.Client, addr string) *client.Response {
				t.Helper()
				s.clock.Advance(time.Millisecond)
				resp, err := c.Do(t.Context(), "/device/queryDeviceList", map[string]any{"page_no": 1, "page_size": 1},
					http.Header{"X-Forwarded-For": {addr}})
				if err != nil {
					t.Fatal(err)
				}
				return resp
			}
			for range 3 {
				wantCode(t, via(forger, "198.51.100.1"), csss.CodeSignature)
			}
			wantCode(t, via(s.p, "198.51.100.1"), csss.CodeTooFrequent)
			want := csss.CodeTooFrequent
			if tt.perClient {
				want = csss.CodeOK
			}
			wantCode(t, via(s.p, "198.51.100.2"), want)
		})
	}
}

// TestLimitFlags: the limit flags' ranges.
func TestLimitFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"--rate-limit", "5"}, true},
		{[]string{"--rate-limit", "0.5", "--rate-burst", "10", "--ip-rate-limit", "2", "--ip-rate-burst", "20"}, true},
		{[]string{"--rate-limit", "-1"}, false},
		{[]string{"--rate-limit", "NaN"}, false},
		{[]string{"--rate-limit", "0.0001"}, false},
		{[]string{"--rate-limit", "2000000"}, false},
		{[]string{"--rate-burst", "5"}, false},
		{[]string{"--rate-limit", "1", "--rate-burst", "-1"}, false},
		{[]string{"--ip-rate-burst", "5"}, false},
		{[]string{"--ip-rate-limit", "-0.5"}, false},
	} {
		m := NewMain()
		m.Masters = seal.Demo() // the published demo key: tests only
		m.Stderr = io.Discard
		err := m.ParseFlags(append([]string{"--demo"}, tt.args...))
		if (err == nil) != tt.ok {
			t.Errorf("%q: %v, want ok %v", tt.args, err, tt.ok)
		}
	}
	if got := rate(2.5, 0); got.Burst != 3 {
		t.Errorf("burst of --rate-limit 2.5 alone: %d, want 3", got.Burst)
	}
}
