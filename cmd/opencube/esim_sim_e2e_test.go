package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/esim"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/stripepay"
)

// startESIMRADIUS is startShopServer with the RADIUS listeners.
func startESIMRADIUS(t *testing.T) *shopServer {
	t.Helper()
	return startShopServer(t, func(m *Main) {
		m.RADIUS = radiusConfig{AcctAddr: "127.0.0.1:0", AuthAddr: "127.0.0.1:0", Secret: radiusSecret, SessionTimeout: time.Hour}
	})
}

// TestESIMBecomesSIM buys an eSIM (plan 1001, whose order starts on the
// first data session), finds its ICCID among the enterprise's SIMs with
// the order, books RADIUS usage of its IMSI against that order, tops it
// up (a renewal of the same order), and lets it expire on the sandbox
// clock.
func TestESIMBecomesSIM(t *testing.T) {
	needRadclient(t)
	s := startESIMRADIUS(t)
	ctx := t.Context()
	token := s.consumer(t, "sim@example.com")
	id := s.preOrder(t, token, 1001, "4.99", "USD")
	o, prof, err := s.m.Store.FindESIMOrder(ctx, id)
	if err != nil || prof == nil {
		t.Fatalf("pre-order: %v %v", o, err)
	}
	iccid, imsi := prof.ICCID, prof.IMSI
	// Not paid: no SIM yet.
	resp := s.do(t, s.p, "/device/queryDeviceInfo", map[string]any{"device_id": iccid}, nil)
	wantCode(t, resp, csss.CodeDeviceNotFound)

	// Forged, unsigned or stale Stripe events change nothing.
	ev := intentEvent(stripepay.PaymentSucceeded, stripepay.MetaShopESIM, id, "pi_"+id, 499, "usd")
	for _, sig := range []string{"", stripepay.Sign(ev, "whsec_forged", s.clock.Now()),
		stripepay.Sign(ev, service.DemoStripeWebhookSecret, s.clock.Now().Add(-time.Hour))} {
		wantFMS(t, s.stripe(t, ev, sig), esim.CodeBadParams)
	}
	if o, _, _ := s.m.Store.FindESIMOrder(ctx, id); o.Status != shop.ESIMWaiting {
		t.Fatalf("a forged payment settled the order: %+v", o)
	}
	wantCode(t, s.do(t, s.p, "/device/queryDeviceInfo", map[string]any{"device_id": iccid}, nil), csss.CodeDeviceNotFound)

	s.payStripe(t, id, 499, "usd")
	o, _, err = s.m.Store.FindESIMOrder(ctx, id)
	if err != nil || o.Status != shop.ESIMPaid || o.SIMOrderID == "" {
		t.Fatalf("paid order: %+v %v", o, err)
	}
	info := s.ok(t, s.p, "/device/queryDeviceInfo", map[string]any{"device_id": iccid})
	if info["imsi"] != imsi || info["status"] != "2" {
		t.Errorf("queryDeviceInfo of the sold eSIM = %v", info)
	}
	orders := s.orders(t, s.p, map[string]any{"device_id": iccid})
	if len(orders) != 1 || orders[0]["orderId"] != o.SIMOrderID || orders[0]["packageCode"] != "ESIM-CORE-CN-1G" ||
		orders[0]["orderStatus"] != "1" {
		t.Fatalf("queryOrder of the sold eSIM = %v; want order %s of ESIM-CORE-CN-1G not enabled", orders, o.SIMOrderID)
	}

	// The first data session starts the order; its usage is booked on it.
	t0 := clockStart.Add(time.Minute)
	acct(t, s.e2eServer, "Start", imsi, "esim-1", t0, 0, 0)
	acct(t, s.e2eServer, "Stop", imsi, "esim-1", t0.Add(10*time.Minute), 300_000, 700_000)
	orders = s.orders(t, s.p, map[string]any{"device_id": iccid})
	if orders[0]["orderStatus"] != "2" || orders[0]["usedFlow"] != csss.FormatMB(1_000_000) {
		t.Fatalf("after the session: %v; want in use with %s MB used", orders[0], csss.FormatMB(1_000_000))
	}
	info = s.ok(t, s.p, "/device/queryDeviceInfo", map[string]any{"device_id": iccid})
	if info["package_code"] != "ESIM-CORE-CN-1G" {
		t.Errorf("queryDeviceInfo package_code = %v", info["package_code"])
	}
	firstEnd := orders[0]["expireDate"]

	// Top-ups list only plans covering China (plan 1001 itself); a plan of
	// another country cannot top it up.
	// Listed for the eSIM, surplusFlow is what its order has left.
	var list []struct {
		ID                       int64
		PackageFlow, SurplusFlow int64
	}
	s.fmsOK(t, "/package/selectTopUpList", token, map[string]any{"iccid": iccid}, &list)
	if len(list) != 1 || list[0].ID != 1001 {
		t.Errorf("selectTopUpList = %+v, want plan 1001 only", list)
	}
	sold, _, err := s.m.Store.FindOrders(ctx, opencube.OrderFilter{Enterprise: entP, ICCID: iccid})
	if err != nil || len(sold) != 1 {
		t.Fatalf("the eSIM's orders: %v %v", sold, err)
	}
	if want := (sold[0].VolumeBytes - 1_000_000) / opencube.MB; len(list) == 1 && (list[0].SurplusFlow != want || want >= list[0].PackageFlow) {
		t.Errorf("selectTopUpList for the eSIM: surplusFlow %d, want %d (its order's volume left)", list[0].SurplusFlow, want)
	}
	// The plan's detail for the eSIM says the same; for no eSIM, the
	// plan's volume; for an eSIM of another consumer, or without the
	// consumer's token, nothing.
	var d struct{ PackageFlow, SurplusFlow int64 }
	s.fmsOK(t, "/package/detail", token, map[string]any{"partnerCode": entP, "id": 1001, "iccid": iccid}, &d)
	if want := (sold[0].VolumeBytes - 1_000_000) / opencube.MB; d.SurplusFlow != want {
		t.Errorf("detail for the eSIM: surplusFlow %d, want %d (its order's volume left)", d.SurplusFlow, want)
	}
	s.fmsOK(t, "/package/detail", "", map[string]any{"partnerCode": entP, "id": 1001}, &d)
	if d.SurplusFlow != d.PackageFlow {
		t.Errorf("detail for no eSIM: surplusFlow %d, want the plan's volume %d", d.SurplusFlow, d.PackageFlow)
	}
	other := s.consumer(t, "other@example.com")
	wantFMS(t, s.fms(t, "/package/detail", other, map[string]any{"partnerCode": entP, "id": 1001, "iccid": iccid}), esim.CodeNotFound)
	wantFMS(t, s.fms(t, "/package/detail", "", map[string]any{"partnerCode": entP, "id": 1001, "iccid": iccid}), esim.CodeTokenExpired)
	s.fmsOK(t, "/package/selectTopUpList", token, map[string]any{}, &list)
	for _, p := range list {
		if p.SurplusFlow != p.PackageFlow {
			t.Errorf("selectTopUpList for no eSIM: plan %d surplusFlow %d, want its volume %d", p.ID, p.SurplusFlow, p.PackageFlow)
		}
	}
	body := preOrderBody(1002, "9.99", "USD")
	body["iccid"] = iccid
	wantFMS(t, s.fms(t, "/package/topUpOrder", token, body), esim.CodePlanNotFound)
	body = preOrderBody(1001, "4.99", "USD")
	body["iccid"] = iccid
	var top struct{ OrderID string }
	s.fmsOK(t, "/package/topUpOrder", token, body, &top)
	s.payStripe(t, top.OrderID, 499, "usd")
	orders = s.orders(t, s.p, map[string]any{"device_id": iccid})
	if len(orders) != 1 || orders[0]["renewPeriod"] != "1" || orders[0]["expireDate"] == firstEnd {
		t.Fatalf("after the top-up: %v; want the same order renewed by one period", orders)
	}

	// A signed payment of the first order again, by another intent: the
	// order is settled, the report refused. The metric counts the two
	// sales and the refusal, not the forged events.
	again := intentEvent(stripepay.PaymentSucceeded, stripepay.MetaShopESIM, id, "pi_other", 499, "usd")
	wantFMS(t, s.stripe(t, again, s.stripeSign(again)), esim.CodeOrderSystem)
	fams := scrape(t, s.e2eServer)
	for outcome, want := range map[string]float64{"paid": 2, "failed": 0, "refused": 1} {
		if got := sum(fams, "opencube_shop_payments_total", "shop", "esim", "kind", "order", "outcome", outcome); got != want {
			t.Errorf("opencube_shop_payments_total esim order %s = %v, want %v", outcome, got, want)
		}
	}

	// Fourteen days (two periods of 7) and a day later, it has expired.
	ad := client.NewAdmin(s.m.URL(), shopAdminToken)
	if _, err := ad.AdvanceClock(ctx, 15*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	orders = s.orders(t, s.p, map[string]any{"device_id": iccid})
	if orders[0]["orderStatus"] != "4" {
		t.Errorf("after 15 days: %v; want expired (4)", orders[0])
	}
}

// TestESIMShopDetails: Pre-order v1.2 answers the Stripe payment intent
// (stripe-mock) that pays the order; the v1.1 payment webhook and the
// Mall's Stripe webhook pay eSIM orders too; plan details carry real
// saleCount, surplusFlow and period bounds, and every answer the envelope's
// messageSourceHandler.
func TestESIMShopDetails(t *testing.T) {
	s := startShopServer(t, withStripe(needStripeMock(t)),
		func(m *Main) { m.HLR.Register, m.HLR.Ctrl, m.HLR.Reconcile = "osmo", "127.0.0.1:1", 0 })
	token := s.consumer(t, "v12@example.com")
	var pre struct{ OrderID, PaymentIntentID, ClientSecret, Money string }
	r := s.fmsOK(t, "/v1.2/package/preOrderPackage", token, preOrderBody(1002, "9.99", "USD"), &pre)
	if !strings.HasPrefix(pre.PaymentIntentID, "pi_") || pre.ClientSecret == "" || pre.Money != "9.99" {
		t.Fatalf("pre-order v1.2: %+v", pre)
	}
	var raw map[string]json.RawMessage
	resp := s.post(t, esim.Prefix+"/v1.1/package/detail", nil, mustJSON(map[string]any{"partnerCode": entP, "id": 1002}))
	decodeReply(t, resp, &raw)
	if string(raw["messageSourceHandler"]) != "{}" {
		t.Errorf("envelope %v: want messageSourceHandler {}", raw)
	}
	if r.Code != 0 {
		t.Fatal(r.Message)
	}
	detail := func() (d struct {
		SaleCount, MinOrderPeriod, MaxOrderPeriod, PeriodUnit, BuyType, PriceType, ConfigFlag int
		SurplusFlow                                                                           int64
	}) {
		t.Helper()
		s.fmsOK(t, "/v1.1/package/detail", "", map[string]any{"partnerCode": entP, "id": 1002}, &d)
		return d
	}
	if d := detail(); d.SaleCount != 0 || d.SurplusFlow != 3*1024 || d.MinOrderPeriod != 1 || d.MaxOrderPeriod != 12 || d.PeriodUnit != 1 {
		t.Errorf("detail before a sale: %+v", d)
	}
	// The v1.1 payment webhook pays it; the sale counts.
	wantFMS(t, s.webhookAt(t, "/v1.1/payment/webhook", webhookBody(t, pre.OrderID, "9.99", "USD", "payment_intent.succeeded", s.clock.Now())), 0)
	if d := detail(); d.SaleCount != 1 {
		t.Errorf("saleCount after a sale: %d, want 1", d.SaleCount)
	}
	// The SIM the sale made goes to the subscriber register: its job was
	// written with the sale.
	_, prof, err := s.m.Store.FindESIMOrder(t.Context(), pre.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.m.Store.FindJobs(t.Context(), opencube.JobHLRSync)
	if err != nil || !slices.ContainsFunc(jobs, func(j *opencube.Job) bool { return j.Key == prof.ICCID }) {
		t.Errorf("no %s job of the sold SIM %s: %v %v", opencube.JobHLRSync, prof.ICCID, jobs, err)
	}
	// An eSIM order paid through the Mall's Stripe webhook (one endpoint
	// for both shops).
	id := s.preOrder(t, token, 1003, "14.99", "USD")
	ev := intentEvent(stripepay.PaymentSucceeded, stripepay.MetaShopESIM, id, "pi_"+id, 1499, "usd")
	if mr, _ := s.mallStripe(t, ev, s.stripeSign(ev)); mr.Code != csss.CodeOK {
		t.Fatalf("eSIM payment through the Mall's Stripe webhook: %s %s", mr.Code, mr.Message)
	}
	if st := s.status(t, token, id); st.OrderPayStatus != 1 {
		t.Errorf("after the Stripe event: %+v", st)
	}
	// periodNum past the plan's bounds.
	body := preOrderBody(1002, "129.87", "USD")
	body["periodNum"] = 13
	wantFMS(t, s.fms(t, "/v1.1/package/preOrderPackage", token, body), esim.CodeBadParams)
}
