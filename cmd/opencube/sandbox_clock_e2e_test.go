package main

// One sandbox time (D27): the clock's offset is stored in the database, so
// that it survives a restart and every node on the database runs on it;
// business times follow it, signed timestamps keep to the real clock, and
// the RADIUS simulator stamps its records with it.

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/esim"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/stripepay"
)

// startClockNode runs a demo server in sandbox mode over db, on the base
// clock clock, with the admin API on (token "t"). stop closes it; the test's
// end does too, once.
func startClockNode(t *testing.T, db string, clock *e2eClock, configure func(m *Main)) (s *e2eServer, stop func()) {
	t.Helper()
	return startStoppable(t, db, clock, func(m *Main) {
		m.AdminToken = "t"
		if configure != nil {
			configure(m)
		}
	})
}

// clockOf returns a server's sandbox clock as its admin API shows it.
func clockOf(t *testing.T, s *e2eServer) (time.Time, time.Duration) {
	t.Helper()
	st, err := s.admin().Clock(t.Context())
	if err != nil {
		t.Fatalf("GET clock: %v", err)
	}
	return st.Now, time.Duration(st.OffsetSeconds) * time.Second
}

// advance moves a server's sandbox clock forward through its admin API.
func advance(t *testing.T, s *e2eServer, d time.Duration) {
	t.Helper()
	if _, err := s.admin().AdvanceClock(t.Context(), d); err != nil {
		t.Fatalf("advance %s: %v", d, err)
	}
}

// businessTime formats t as list items and query_time show it (D10).
func businessTime(t time.Time) string { return t.In(opencube.BusinessZone).Format(time.DateTime) }

// TestSandboxClockSurvivesRestart: a server started again on the same
// database finds its sandbox clock where it was left, so that "now" does not
// jump back behind the orders made under the advanced clock; business times
// (order times, query_time) follow it and request timestamps keep to the
// real clock.
func TestSandboxClockSurvivesRestart(t *testing.T) {
	db := e2eDatabase(t)
	s, stop := startClockNode(t, db, &e2eClock{now: clockStart}, nil)
	advance(t, s, 48*time.Hour)
	sandbox := clockStart.Add(48 * time.Hour)
	if now, off := clockOf(t, s); !now.Equal(sandbox) || off != 48*time.Hour {
		t.Fatalf("after the advance: clock %v, offset %s; want %v, 48h", now, off, sandbox)
	}
	// The client signs with the real (base) clock: accepted.
	before := s.mustOrder(t, s.p, planMonthly.order(simP(5), true))
	if got := s.order(t, s.p, before)["orderDate"]; got != businessTime(sandbox) {
		t.Errorf("order time %s, want the sandbox time %s", got, businessTime(sandbox))
	}
	info := s.ok(t, s.p, "/flow/getInfoByDeviceId", map[string]any{"device_id": simP(5)})
	if info["query_time"] != businessTime(sandbox) {
		t.Errorf("query_time %v, want the sandbox time %s", info["query_time"], businessTime(sandbox))
	}
	// A request signed with the sandbox time is two days off the real
	// clock: refused (D4 checks against the real clock).
	late := client.New(s.m.URL(), entP, demoSecret)
	late.Now = func() time.Time { return sandbox }
	resp, err := late.Do(t.Context(), "/package/queryOrder", map[string]any{"page_no": 1, "page_size": 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, resp, csss.CodeTimestamp)
	stop()

	// An hour of real time later, started again on the same database.
	s, _ = startClockNode(t, db, &e2eClock{now: clockStart.Add(time.Hour)}, nil)
	want := sandbox.Add(time.Hour)
	if now, off := clockOf(t, s); !now.Equal(want) || off != 48*time.Hour {
		t.Fatalf("after the restart: clock %v, offset %s; want %v, 48h", now, off, want)
	}
	after := s.mustOrder(t, s.p, planMonthly.order(simP(6), false))
	if got := s.order(t, s.p, after)["orderDate"]; got != businessTime(want) {
		t.Errorf("order time after the restart %s, want %s", got, businessTime(want))
	}
	// Moving it again goes on from there.
	advance(t, s, 24*time.Hour)
	if _, off := clockOf(t, s); off != 72*time.Hour {
		t.Errorf("offset after another advance %s, want 72h", off)
	}
}

// TestSandboxClockTwoNodes: two nodes on one PostgreSQL database run on
// one sandbox clock: a move on either reaches the other within its refresh
// (here 20 ms; 1 s by default), at once on the node that moved it, and
// business times on the other node follow it.
func TestSandboxClockTwoNodes(t *testing.T) {
	url := pgtest.Schema(t)
	base := &e2eClock{now: clockStart} // one real time for both nodes
	fast := func(m *Main) { m.Notify.ClockRefresh = 20 * time.Millisecond }
	a, _ := startClockNode(t, url, base, fast)
	b, _ := startClockNode(t, url, base, func(m *Main) { fast(m); m.Demo = false; m.Notify.Sandbox = true })
	if a.m.node == b.m.node {
		t.Fatalf("both nodes leased number %d", a.m.node)
	}

	// waitFor polls a node's clock until it runs off ahead.
	waitFor := func(s *e2eServer, off time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			if _, got := clockOf(t, s); got == off {
				return time.Since(start)
			}
			if time.Since(start) > 10*time.Second {
				_, got := clockOf(t, s)
				t.Fatalf("the other node's offset is %s after 10 s, want %s", got, off)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	advance(t, a, 24*time.Hour)
	if _, off := clockOf(t, a); off != 24*time.Hour {
		t.Fatalf("the moving node's offset %s, want 24h at once", off)
	}
	t.Logf("node b saw the move of node a after %s", waitFor(b, 24*time.Hour))
	advance(t, b, time.Hour)
	if _, off := clockOf(t, b); off != 25*time.Hour {
		t.Fatalf("the moving node's offset %s, want 25h at once", off)
	}
	t.Logf("node a saw the move of node b after %s", waitFor(a, 25*time.Hour))

	// An order on each node carries the shared sandbox time.
	want := businessTime(clockStart.Add(25 * time.Hour))
	for _, s := range []*e2eServer{a, b} {
		id := s.mustOrder(t, s.p, planMonthly.order(simP(7), false))
		if got := s.order(t, s.p, id)["orderDate"]; got != want {
			t.Errorf("node %d: order time %s, want %s", s.m.node, got, want)
		}
	}
	// Neither node can move the clock back: its offset only grows.
	if err := a.m.Notify.Clock.SetOffset(t.Context(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, off := clockOf(t, a); off != 25*time.Hour {
		t.Errorf("offset after a smaller SetOffset %s, want 25h", off)
	}
}

// TestSandboxShopsRealTime: with the clock moved a day, a Mall request
// whose tradeTime is the real time is accepted and one stamped with the
// sandbox time refused (1003); a Stripe-Signature made at the real time
// pays an eSIM order and one made at the sandbox time is refused. The
// orders themselves carry the sandbox time.
func TestSandboxShopsRealTime(t *testing.T) {
	s := startShopServer(t)
	if _, err := client.NewAdmin(s.m.URL(), shopAdminToken).AdvanceClock(t.Context(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	sandbox := s.clock.Now().Add(24 * time.Hour)
	sim := simP(3)
	s.mallOK(t, "/vshop/singleVerify", s.mallBody(t, "singleVerify", false, "deviceCode", sim), nil)
	stale := s.mallBody(t, "singleVerify", false, "deviceCode", sim, "tradeTime", strconv.FormatInt(sandbox.UnixMilli(), 10))
	if r := s.mall(t, "/vshop/singleVerify", stale); r.Code != csss.CodeTimestamp {
		t.Errorf("tradeTime at the sandbox time: %s, want 1003", r.Code)
	}
	var od struct{ OrderID string }
	s.mallOK(t, "/vshop/singleOrder", s.mallBody(t, "singleOrder", false, "autoRenewal", "0", "deviceCode", sim,
		"orderNo", "NO2024020100001", "orderPeriod", "1", "packageCode", "DP20190726001274", "payAmount", "10.00",
		"payCurrency", "CNY", "payId", "pi_1"), &od)
	paid := intentEvent("payment_intent.succeeded", "mall", "NO2024020100001", "pi_1", 1000, "cny")
	if r, _ := s.mallStripe(t, paid, s.stripeSign(paid)); r.Code != csss.CodeOK {
		t.Fatalf("Stripe payment: %s %s", r.Code, r.Message)
	}
	s.mallOK(t, "/payment/queryPayResult", s.mallBody(t, "queryPayResult", false, "orderNo", "NO2024020100001"), &od)
	if got, want := s.order(t, s.p, od.OrderID)["orderDate"], businessTime(sandbox); got != want {
		t.Errorf("Mall order time %s, want the sandbox time %s", got, want)
	}

	token := s.consumer(t, "sandbox@example.com")
	id := s.preOrder(t, token, 1001, "4.99", "USD")
	body := stripeBody(id, 499, "usd", "payment_intent.succeeded")
	wantFMS(t, s.stripe(t, body, stripepay.Sign(body, service.DemoStripeWebhookSecret, sandbox)), esim.CodeBadParams)
	wantFMS(t, s.stripe(t, body, stripepay.Sign(body, service.DemoStripeWebhookSecret, s.clock.Now())), 0)
	if st := s.status(t, token, id); st.OrderPayStatus != 1 {
		t.Errorf("after the Stripe payment: %+v, want paid", st)
	}
}

// TestSimulateSandboxTime: `opencube simulate` stamps its records with the
// server's sandbox time, read from the admin API (--admin-url) or given
// (--time-offset), so that usage is booked to the sandbox day and to the
// order in use then.
func TestSimulateSandboxTime(t *testing.T) {
	s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
		m.RADIUS = radiusConfig{AcctAddr: "127.0.0.1:0", AuthAddr: "127.0.0.1:0", Secret: radiusSecret, SessionTimeout: time.Hour}
		m.AdminToken = "t"
	})
	advance(t, s, 48*time.Hour)
	sandbox := clockStart.Add(48 * time.Hour) // 2024-02-02 10:00 UTC+8
	offset := sandbox.Sub(time.Now())
	for i, how := range [][]string{
		{"--admin-url", s.m.URL(), "--admin-token", "t"},
		{"--time-offset", offset.String()},
	} {
		iccid := simP(i)
		s.mustOrder(t, s.p, planMonthly.order(iccid, true)) // starts on the sandbox day
		var out, errOut strings.Builder
		args := append([]string{"simulate", "--server", s.m.AcctAddr(), "--secret", radiusSecret, "--coa-port", "0", "--sims", "1",
			"--imsi-start", imsiOf(iccid), "--rate", "50", "--duration", "300ms", "--interims", "2"}, how...)
		if err := dispatch(t.Context(), args, nil, &out, &errOut); err != nil {
			t.Fatalf("simulate %s: %v\n%s%s", how[0], err, out.String(), errOut.String())
		}
		days, err := s.m.Store.FindDailyUsage(t.Context(), iccid, 20000101, 99991231)
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 1 || days[0].Day != opencube.Day(sandbox) || days[0].Bytes == 0 {
			t.Errorf("simulate %s: daily usage %v, want all of it on %d", how[0], days, opencube.Day(sandbox))
		}
		u := s.ok(t, s.p, "/flow/queryDeviceFlowUsage", map[string]any{"device_id": iccid})
		if u["order_used_flow"] == "0" || u["order_used_flow"] == nil {
			t.Errorf("simulate %s: the order in use booked nothing: %v", how[0], u)
		}
	}
	var errOut strings.Builder
	err := dispatch(t.Context(), []string{"simulate", "--server", s.m.AcctAddr(), "--secret", radiusSecret, "--coa-port", "0",
		"--admin-url", s.m.URL(), "--time-offset", "1h"}, nil, io.Discard, &errOut)
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("--admin-url with --time-offset: %v, want refused", err)
	}
}
