package main

// Webhook deliveries end to end: a real receiver on loopback, every event
// of an order's life, verified by independent means (the Standard Webhooks
// library, the CSSS sign recomputed, MD5).

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/seal"
)

// received is one request a receiver got.
type received struct {
	header  http.Header
	body    []byte
	payload map[string]any
}

// receiver is a webhook endpoint on loopback. It answers 500 to the first
// failFirst requests of each delivery id, then 200 with code 0000.
type receiver struct {
	srv       *httptest.Server
	got       chan received
	mu        sync.Mutex
	failFirst int
	seen      map[string]int
}

func newReceiver(t *testing.T, failFirst int) *receiver {
	r := &receiver{got: make(chan received, 1000), failFirst: failFirst, seen: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var p map[string]any
		json.Unmarshal(body, &p)
		r.got <- received{header: req.Header.Clone(), body: body, payload: p}
		r.mu.Lock()
		r.seen[req.Header.Get("x-lf-delivery")]++
		n := r.seen[req.Header.Get("x-lf-delivery")]
		r.mu.Unlock()
		if n <= r.failFirst {
			http.Error(w, "not yet", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, `{"code":"0000"}`)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// next returns the next request, failing the test after a while without one.
func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case got := <-r.got:
		return got
	case <-time.After(20 * time.Second):
		t.Fatal("no delivery arrived")
		return received{}
	}
}

// none reports a request that arrives although none should have.
func (r *receiver) none(t *testing.T) {
	t.Helper()
	select {
	case got := <-r.got:
		t.Fatalf("unexpected delivery %s", got.body)
	default:
	}
}

// verify checks a delivery as an independent receiver would: the Standard
// Webhooks library with the endpoint secret, the CSSS sign with the
// enterprise secret, the MD5 header, and the timestamp against the server
// clock.
func verify(t *testing.T, got received, endpointSecret, entSecret string, now time.Time) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(endpointSecret)
	if err != nil {
		t.Fatal(err)
	}
	// The server clock is a test clock: check the timestamp ourselves.
	if err := wh.VerifyIgnoringTimestamp(got.body, got.header); err != nil {
		t.Errorf("Standard Webhooks verification: %v (%s)", err, got.header.Get("webhook-signature"))
	}
	if ts := got.header.Get("webhook-timestamp"); ts != strconv.FormatInt(now.Unix(), 10) {
		t.Errorf("webhook-timestamp %s, want %d", ts, now.Unix())
	}
	sum := md5.Sum(got.body)
	if h := got.header.Get("x-lf-md5"); h != hex.EncodeToString(sum[:]) {
		t.Errorf("x-lf-md5 %s, want %x", h, sum)
	}
	if id := got.header.Get("x-lf-delivery"); id == "" || id != got.header.Get("webhook-id") {
		t.Errorf("x-lf-delivery %q, webhook-id %q", id, got.header.Get("webhook-id"))
	}
	sign, _ := got.payload["sign"].(string)
	if _, ok := csss.Verify(got.body, sign, []string{entSecret}); !ok {
		t.Errorf("CSSS sign %q does not verify: %s", sign, got.body)
	}
}

// startNotifyServer is startServer with the admin API on (token "t").
func startNotifyServer(t *testing.T, db string, clock *e2eClock) *e2eServer {
	t.Helper()
	s, _ := startClockNode(t, db, clock, nil)
	return s
}

func (s *e2eServer) admin() *client.Admin { return client.NewAdmin(s.m.URL(), "t") }

// TestWebhookOrderLife: every event of orders' lives, and usage alerts,
// reach the enterprise's endpoint, signed so that independent verifiers
// accept them, each with its SIM's event number.
func TestWebhookOrderLife(t *testing.T) {
	s := startNotifyServer(t, e2eDatabase(t), &e2eClock{now: clockStart})
	rp, rq := newReceiver(t, 0), newReceiver(t, 0)
	ctx := t.Context()
	ad := s.admin()
	wp, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: rp.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	wq, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entQ, URL: rq.srv.URL, Events: []opencube.EventType{"1000", "1007"}})
	if err != nil {
		t.Fatal(err)
	}
	if wp.Secret == "" || wq.Secret == "" {
		t.Fatal("a new endpoint's secret is not shown")
	}
	if again, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: rp.srv.URL}); err != nil || again.Secret != "" {
		t.Fatalf("updated endpoint shows secret %q (%v)", again.Secret, err)
	}

	type ev struct{ Type, Order string }
	var got []ev
	expect := func(r *receiver, secret string, want ...ev) {
		t.Helper()
		for range want {
			d := r.next(t)
			verify(t, d, secret, demoSecret, s.clock.Now())
			got = append(got, ev{d.payload["type"].(string), d.payload["order_id"].(string)})
		}
		if diff := cmpSet(want, got); diff != "" {
			t.Errorf("events: %s", diff)
		}
		got = got[:0]
	}
	// 1000, 1005, 1003, 1004, 1009, 1001.
	a := s.mustOrder(t, s.p, planMonthly.order(simP(0), false))
	expect(rp, wp.Secret, ev{"1000", a})
	s.ok(t, s.p, "/package/openOrder", map[string]any{"order_id": a})
	expect(rp, wp.Secret, ev{"1005", a})
	s.ok(t, s.p, "/device/pauseService", map[string]any{"device_id": simP(0)})
	expect(rp, wp.Secret, ev{"1003", a})
	s.ok(t, s.p, "/device/resumeService", map[string]any{"device_id": simP(0)})
	expect(rp, wp.Secret, ev{"1004", a})
	s.ok(t, s.p, "/package/renewPackage", map[string]any{"order_id": a, "renew_period": 1})
	expect(rp, wp.Secret, ev{"1009", a})
	s.ok(t, s.p, "/package/endOrder", map[string]any{"order_id": a})
	expect(rp, wp.Secret, ev{"1001", a})
	// 1002.
	b := s.mustOrder(t, s.p, planMonthly.order(simP(1), false))
	s.ok(t, s.p, "/package/cancelOrder", map[string]any{"order_id": b})
	expect(rp, wp.Secret, ev{"1000", b}, ev{"1002", b})
	// 1007, on Q's endpoint, which wants 1000 and 1007 only.
	o := s.ok(t, s.q, "/package/createOtaOrder", planOTA.ota(simQ(0)))["order_id"].(string)
	s.ok(t, s.q, "/package/openOrder", map[string]any{"order_id": o})
	expect(rq, wq.Secret, ev{"1000", o}, ev{"1007", o})

	// Usage alerts at 80 % and 100 % of the 20 MB monthly plan, once each.
	c := s.mustOrder(t, s.p, planMonthly.order(simP(3), true))
	expect(rp, wp.Secret, ev{"1000", c}, ev{"1005", c})
	imsi := imsiOf(simP(3))
	book := func(typ opencube.AcctType, mb int64) {
		t.Helper()
		s.clock.Advance(time.Second)
		_, err := s.m.Services.SIMs.BookUsage(ctx, []*opencube.UsageRecord{{
			Type: typ, IMSI: imsi, NAS: "nas", SessionID: "s1", OutputBytes: mb * opencube.MB, Time: s.clock.Now(),
		}})
		if err != nil {
			t.Fatalf("BookUsage: %v", err)
		}
	}
	book(opencube.AcctStart, 0)
	book(opencube.AcctInterim, 17)
	alert := rp.next(t)
	verify(t, alert, wp.Secret, demoSecret, s.clock.Now())
	if alert.payload["type"] != "flow_alert" || alert.payload["threshold"] != "80%" || alert.payload["used_flow"] != "17" || alert.payload["total_flow"] != "20" {
		t.Errorf("80%% alert %s", alert.body)
	}
	book(opencube.AcctInterim, 18) // still past 80 %: nothing new
	book(opencube.AcctInterim, 21)
	alert = rp.next(t)
	if alert.payload["threshold"] != "100%" || alert.payload["order_id"] != c {
		t.Errorf("100%% alert %s", alert.body)
	}

	// 1008 through the sandbox clock: a daily order enabled today expires at
	// 23:59:59 UTC+8; advancing two days delivers it with the event time it
	// would have had.
	s.ok(t, s.p, "/package/endOrder", map[string]any{"order_id": c})
	expect(rp, wp.Secret, ev{"1001", c})
	d := s.mustOrder(t, s.p, planDaily.order(simP(4), true))
	expect(rp, wp.Secret, ev{"1000", d}, ev{"1005", d})
	st, err := ad.AdvanceClock(ctx, 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if st.Ran < 2 || st.OffsetSeconds != 48*3600 {
		t.Errorf("advance: %+v", st)
	}
	// First the days-before-expiry alert (the daily order is within 3 days
	// of its expiry from its start; due at once, it runs with the first
	// step), then the expiry at the first second after the last day.
	alert = rp.next(t)
	verify(t, alert, wp.Secret, demoSecret, s.clock.Now())
	if alert.payload["type"] != "flow_alert" || alert.payload["threshold"] != "3d" || alert.payload["order_id"] != d {
		t.Errorf("expiry alert %s", alert.body)
	}
	exp := rp.next(t)
	if exp.payload["type"] != "1008" || exp.payload["order_id"] != d || exp.payload["order_status"] != "4" {
		t.Fatalf("after advance: %s", exp.body)
	}
	wantTime := time.Date(2024, 2, 1, 0, 0, 0, 0, opencube.BusinessZone)
	// webhook-timestamp is the wall clock, which receivers check theirs
	// against; the sandbox moved only the service clock.
	verify(t, exp, wp.Secret, demoSecret, s.clock.Now())
	if exp.payload["event_time"] != strconv.FormatInt(wantTime.UnixMilli(), 10) {
		t.Errorf("1008 event_time %v, want %d (the first second after the last day)", exp.payload["event_time"], wantTime.UnixMilli())
	}
	rp.none(t)
	rq.none(t)

	// Every delivery is logged as delivered, with one attempt.
	ds, err := ad.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 17 {
		t.Errorf("%d deliveries logged, want 17", len(ds))
	}
	// Each SIM's events are numbered 1, 2, 3... in the order they happened.
	seqs := map[string][]int64{}
	slices.Reverse(ds) // oldest first
	for _, d := range ds {
		if d.State != opencube.DeliveryDelivered || len(d.Attempts) != 1 || d.Attempts[0].StatusCode != 200 {
			t.Errorf("delivery %s: %s, %+v", d.ID, d.State, d.Attempts)
		}
		seqs[d.Event.ICCID] = append(seqs[d.Event.ICCID], d.Event.Seq)
	}
	for iccid, l := range seqs {
		for i, n := range l {
			if n != int64(i+1) {
				t.Errorf("SIM %s event numbers %v, want 1, 2, 3...", iccid, l)
				break
			}
		}
	}
}

// cmpSet reports the difference between two event lists as multisets.
func cmpSet[T comparable](want, got []T) string {
	count := map[T]int{}
	for _, w := range want {
		count[w]++
	}
	for _, g := range got {
		count[g]--
	}
	var bad []T
	for k, n := range count {
		if n != 0 {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	b, _ := json.Marshal(map[string]any{"want": want, "got": got})
	return string(b)
}

// TestWebhookRetries: a receiver failing its first attempts gets the event
// later, with the same x-lf-delivery, after the back-off; the log shows each
// attempt; a receiver that keeps failing is marked failing and still gets
// every delivery; redelivery sends a delivered event again.
func TestWebhookRetries(t *testing.T) {
	s := startNotifyServer(t, e2eDatabase(t), &e2eClock{now: clockStart})
	r := newReceiver(t, 2)
	ctx := t.Context()
	ad := s.admin()
	w, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: r.srv.URL, Events: []opencube.EventType{"1000"}})
	if err != nil {
		t.Fatal(err)
	}
	id := s.mustOrder(t, s.p, planMonthly.order(simP(0), false))
	first := r.next(t)
	verify(t, first, w.Secret, demoSecret, s.clock.Now())
	delivery := first.header.Get("x-lf-delivery")
	waitState := func(want opencube.DeliveryState, attempts int) *opencube.Delivery {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			ds, err := ad.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) == 1 && ds[0].State == want && len(ds[0].Attempts) == attempts {
				return ds[0]
			}
			if time.Now().After(deadline) {
				t.Fatalf("deliveries %+v, want one %s with %d attempts", ds, want, attempts)
			}
			runtimeGosched()
		}
	}
	waitState(opencube.DeliveryPending, 1)
	// Not due before its back-off (30 s, jittered by at most 20 %).
	s.clock.Advance(20 * time.Second)
	r.none(t)
	s.clock.Advance(20 * time.Second)
	second := r.next(t)
	if second.header.Get("x-lf-delivery") != delivery || string(second.body) != string(first.body) {
		t.Errorf("retry: delivery %s body %s; want %s %s", second.header.Get("x-lf-delivery"), second.body, delivery, first.body)
	}
	verify(t, second, w.Secret, demoSecret, s.clock.Now())
	waitState(opencube.DeliveryPending, 2)
	s.clock.Advance(2 * time.Minute)
	third := r.next(t)
	if third.header.Get("x-lf-delivery") != delivery {
		t.Errorf("third attempt delivery id %s", third.header.Get("x-lf-delivery"))
	}
	d := waitState(opencube.DeliveryDelivered, 3)
	if d.Attempts[0].StatusCode != 500 || d.Attempts[0].Error == "" || d.Attempts[2].StatusCode != 200 || d.Event.OrderID != id {
		t.Errorf("log: %+v", d)
	}

	// Rotation: both secrets sign during the grace period.
	rot, err := ad.RotateWebhookSecret(ctx, entP, time.Hour)
	if err != nil || rot.Secret == "" || rot.Secret == w.Secret {
		t.Fatalf("rotate: %+v, %v", rot, err)
	}
	if _, err := ad.Redeliver(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	again := r.next(t)
	if again.header.Get("x-lf-delivery") != delivery {
		t.Errorf("redelivery id %s, want %s", again.header.Get("x-lf-delivery"), delivery)
	}
	verify(t, again, w.Secret, demoSecret, s.clock.Now())
	verify(t, again, rot.Secret, demoSecret, s.clock.Now())
	waitState(opencube.DeliveryDelivered, 4)

	// Redeliver-since finds the event too.
	if n, err := ad.RedeliverSince(ctx, entP, clockStart, time.Time{}); err != nil || n != 1 {
		t.Fatalf("RedeliverSince = %d, %v", n, err)
	}
	r.next(t)
	waitState(opencube.DeliveryDelivered, 5)
	s.clock.Advance(2 * time.Hour) // grace over: only the new secret signs
	if _, err := ad.Redeliver(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	last := r.next(t)
	if sigs := last.header.Get("webhook-signature"); len(strings.Fields(sigs)) != 1 {
		t.Errorf("after the grace period: signatures %q", sigs)
	}
	verify(t, last, rot.Secret, demoSecret, s.clock.Now())
	waitState(opencube.DeliveryDelivered, 6)

	// The delivery log filters.
	for _, f := range []opencube.DeliveryFilter{
		{Enterprise: entP, State: opencube.DeliveryPending},
		{Enterprise: entP, Type: "1001"},
		{Enterprise: entP, Since: s.clock.Now()},
	} {
		if ds, err := ad.FindDeliveries(ctx, f); err != nil || len(ds) != 0 {
			t.Errorf("FindDeliveries(%+v) = %d, %v; want none", f, len(ds), err)
		}
	}
	// Errors: unknown delivery, no endpoint, not sandbox route is there.
	if _, err := ad.Redeliver(ctx, "nope"); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("Redeliver(nope) = %v", err)
	}
	if _, err := ad.FindWebhook(ctx, entQ); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("FindWebhook(Q) = %v", err)
	}
	if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entQ, URL: "ftp://x"}); opencube.ErrorKind(err) != opencube.KindInvalid {
		t.Errorf("PutWebhook(ftp) = %v", err)
	}
	if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entQ, URL: "http://x", Events: []opencube.EventType{"1006"}}); opencube.ErrorKind(err) != opencube.KindInvalid {
		t.Errorf("PutWebhook(1006) = %v", err)
	}
}

// TestWebhookFailingReceiver: a receiver that keeps failing is marked
// failing, still gets each new delivery, and a delivery whose attempts run
// out is marked failed, not dropped: it can be redelivered.
func TestWebhookFailingReceiver(t *testing.T) {
	s := startNotifyServer(t, e2eDatabase(t), &e2eClock{now: clockStart})
	r := newReceiver(t, 1_000_000)
	ctx := t.Context()
	ad := s.admin()
	if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: r.srv.URL}); err != nil {
		t.Fatal(err)
	}
	s.m.Notify.Notifier.MaxAttempts = 6
	s.mustOrder(t, s.p, planMonthly.order(simP(0), false))
	for i := range 6 {
		r.next(t)
		if i < 5 {
			// Wait for the attempt to be logged, then pass its back-off.
			for {
				ds, _ := ad.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP})
				if len(ds) == 1 && len(ds[0].Attempts) == i+1 {
					break
				}
				runtimeGosched()
			}
			s.clock.Advance(10 * time.Hour)
		}
	}
	var ds []*opencube.Delivery
	for {
		ds, _ = ad.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP, State: opencube.DeliveryFailed})
		if len(ds) == 1 {
			break
		}
		runtimeGosched()
	}
	w, err := ad.FindWebhook(ctx, entP)
	if err != nil || !w.Failing {
		t.Fatalf("endpoint after 6 failures: %+v, %v", w, err)
	}
	// Still delivered to: a new event goes out.
	s.mustOrder(t, s.p, planMonthly.order(simP(1), false))
	r.next(t)
	// And the failed one can be sent again.
	if _, err := ad.Redeliver(ctx, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := r.next(t); got.header.Get("x-lf-delivery") != ds[0].ID {
		t.Errorf("redelivered %s, want %s", got.header.Get("x-lf-delivery"), ds[0].ID)
	}
}

// TestWebhookRetention: finished deliveries older than --delivery-retention
// leave the log when the purge job runs; later ones stay.
func TestWebhookRetention(t *testing.T) {
	s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
		m.AdminToken = "t"
		m.Notify.Retention = 24 * time.Hour
	})
	r := newReceiver(t, 0)
	ctx := t.Context()
	ad := s.admin()
	if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: r.srv.URL}); err != nil {
		t.Fatal(err)
	}
	delivered := func(n int) []*opencube.Delivery {
		t.Helper()
		for {
			ds, err := ad.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP, State: opencube.DeliveryDelivered})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) == n {
				return ds
			}
			runtimeGosched()
		}
	}
	s.mustOrder(t, s.p, planMonthly.order(simP(0), false))
	r.next(t)
	first := delivered(1)[0]
	s.clock.Advance(25 * time.Hour)
	s.mustOrder(t, s.p, planMonthly.order(simP(1), false))
	r.next(t)
	delivered(2)
	s.runJobs(t)
	ds, err := ad.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].ID == first.ID {
		t.Fatalf("deliveries after the purge: %d, first %s; want the later one only", len(ds), first.ID)
	}
}

// TestSandboxClockOff: without sandbox mode the clock routes do not exist.
func TestSandboxClockOff(t *testing.T) {
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr = "127.0.0.1:0"
	m.DB = e2eDatabase(t)
	m.AdminToken = "t"
	m.SMS.Gateway = "sandbox" // outside sandbox mode the gateway is named
	m.Stderr = io.Discard
	m.JobInterval = 0
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeMain(t, m) })
	_, err := client.NewAdmin(m.URL(), "t").AdvanceClock(t.Context(), time.Hour)
	if opencube.ErrorKind(err) != admin.KindNoRoute {
		t.Fatalf("AdvanceClock outside sandbox = %v, want %s", err, admin.KindNoRoute)
	}
}

// runtimeGosched lets the server's goroutines run while a test polls.
func runtimeGosched() { runtime.Gosched() }
