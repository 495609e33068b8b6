package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/notify"
	"github.com/opencube/opencube/stripepay"
)

// invoiceEvent is an invoice.* event of a Mall order's subscription.
func invoiceEvent(typ, id, sub, orderNo string, amount int64, currency string) []byte {
	meta := map[string]string{stripepay.MetaShop: stripepay.MetaShopMall, stripepay.MetaOrder: orderNo, stripepay.MetaPartner: entP}
	obj := map[string]any{"id": id, "object": "invoice", "currency": currency, "amount_due": amount, "amount_paid": amount,
		"parent": map[string]any{"type": "subscription_details", "subscription_details": map[string]any{"subscription": sub, "metadata": meta}}}
	if typ == stripepay.InvoiceFailed {
		obj["amount_paid"] = 0
	}
	return stripeEvent("evt_"+id, typ, obj)
}

// TestMallAutoRenewal buys a plan in the Mall with auto-renewal through
// Stripe (stripe-mock answers the API calls; the test signs the webhook
// events): paid by its payment intent's event, subscribed, renewed by two
// paid invoices (each once, however often it is sent), then a failed
// invoice ends the auto-renewal, notifies, cancels the subscription, and
// the order expires at the end of what was paid.
func TestMallAutoRenewal(t *testing.T) {
	s := startShopServer(t, withStripe(needStripeMock(t)))
	sim := simP(6)
	const no = "AR2024013100001"
	var od struct{ PayID, ClientSecret, PayStatus string }
	s.mallOK(t, "/vshop/singleOrder", s.mallBody(t, "singleOrder", false, "autoRenewal", "1", "deviceCode", sim, "orderNo", no,
		"orderPeriod", "1", "packageCode", "DP20190726001274", "payAmount", "10.00", "payCurrency", "CNY"), &od)
	if !strings.HasPrefix(od.PayID, "pi_") || od.ClientSecret == "" || od.PayStatus != "0" {
		t.Fatalf("singleOrder with the Mall's cashier: %+v, want a Stripe payment intent, unpaid", od)
	}
	var auth struct{ PayID, ClientSecret, CustomerID string }
	s.mallOK(t, "/payment/stripeAuthorization", s.mallBody(t, "stripeAuthorization", false, "orderNo", no), &auth)
	if auth.PayID != od.PayID || auth.ClientSecret != od.ClientSecret || !strings.HasPrefix(auth.CustomerID, "cus_") {
		t.Errorf("stripeAuthorization %+v, want intent %s with a customer", auth, od.PayID)
	}
	// A subscription needs a paid order.
	if r := s.mall(t, "/payment/createSubscription", s.mallBody(t, "createSubscription", false, "orderNo", no)); r.Code != csss.CodeOrderState {
		t.Errorf("createSubscription of an unpaid order: %s, want %s", r.Code, csss.CodeOrderState)
	}
	paid := intentEvent(stripepay.PaymentSucceeded, stripepay.MetaShopMall, no, od.PayID, 1000, "cny")
	if r, _ := s.mallStripe(t, paid, s.stripeSign(paid)); r.Code != csss.CodeOK {
		t.Fatalf("payment: %s %s", r.Code, r.Message)
	}
	// Paid, with auto-renewal asked for but no subscription created yet:
	// an invoice renews nothing.
	early := invoiceEvent(stripepay.InvoicePaid, "in_0", "sub_early", no, 1000, "cny")
	if r, _ := s.mallStripe(t, early, s.stripeSign(early)); r.Code != csss.CodeOrderState {
		t.Errorf("an invoice before the subscription: %s %s, want %s", r.Code, r.Message, csss.CodeOrderState)
	}
	var sub struct {
		SubscriptionID, OrderID, AutoRenewal string
		Renewals                             int
	}
	s.mallOK(t, "/payment/createSubscription", s.mallBody(t, "createSubscription", false, "orderNo", no, "paymentMethod", "pm_card_visa"), &sub)
	if !strings.HasPrefix(sub.SubscriptionID, "sub_") || sub.OrderID == "" {
		t.Fatalf("createSubscription %+v", sub)
	}
	order := func() map[string]string { t.Helper(); return s.order(t, s.p, sub.OrderID) }
	if o := order(); o["orderStatus"] != "2" || o["renewPeriod"] != "0" {
		t.Fatalf("paid order %v, want in use", o)
	}
	firstEnd := order()["expireDate"]

	for i, inv := range []string{"in_1", "in_1", "in_2"} { // in_1 sent twice: one renewal
		ev := invoiceEvent(stripepay.InvoicePaid, inv, sub.SubscriptionID, no, 1000, "cny")
		if r, _ := s.mallStripe(t, ev, s.stripeSign(ev)); r.Code != csss.CodeOK {
			t.Fatalf("invoice %d: %s %s", i, r.Code, r.Message)
		}
	}
	if o := order(); o["renewPeriod"] != "2" || o["expireDate"] == firstEnd {
		t.Fatalf("after two paid invoices: %v, want renewPeriod 2", o)
	}
	cheap := invoiceEvent(stripepay.InvoicePaid, "in_x", sub.SubscriptionID, no, 500, "cny")
	if r, _ := s.mallStripe(t, cheap, s.stripeSign(cheap)); r.Code != csss.CodeInvalid || !strings.Contains(r.Message, "payAmount") {
		t.Errorf("an invoice of another amount: %s %s, want 1001 payAmount", r.Code, r.Message)
	}
	forged := invoiceEvent(stripepay.InvoicePaid, "in_f", sub.SubscriptionID, no, 1000, "cny")
	if r, _ := s.mallStripe(t, forged, stripepay.Sign(forged, "whsec_forged", s.clock.Now())); r.Code != csss.CodeSignature {
		t.Errorf("a forged invoice: %s, want 1002", r.Code)
	}
	// Invoices of another subscription neither renew nor end the renewal.
	for _, typ := range []string{stripepay.InvoicePaid, stripepay.InvoiceFailed} {
		other := invoiceEvent(typ, "in_o"+typ, "sub_other", no, 1000, "cny")
		if r, _ := s.mallStripe(t, other, s.stripeSign(other)); r.Code != csss.CodeOrderState {
			t.Errorf("%s of another subscription: %s %s, want %s", typ, r.Code, r.Message, csss.CodeOrderState)
		}
	}
	if o := order(); o["renewPeriod"] != "2" {
		t.Fatalf("refused invoices renewed: %v", o)
	}
	failed := invoiceEvent(stripepay.InvoiceFailed, "in_3", sub.SubscriptionID, no, 1000, "cny")
	if r, _ := s.mallStripe(t, failed, s.stripeSign(failed)); r.Code != csss.CodeOK {
		t.Fatalf("failed invoice: %s %s", r.Code, r.Message)
	}
	var res struct {
		AutoRenewal, RenewalStopped string
		Renewals                    int
	}
	s.mallOK(t, "/payment/queryPayResult", s.mallBody(t, "queryPayResult", false, "orderNo", no), &res)
	if res.AutoRenewal != "0" || res.RenewalStopped != "payment_failed" || res.Renewals != 2 {
		t.Errorf("after the failed invoice: %+v", res)
	}
	// The payment metric counts each verified report acted on once: in_1
	// again is not counted, the forged invoice never reached the Mall;
	// the invoice before the subscription, the cheap one and the two of
	// another subscription were refused.
	fams := scrape(t, s.e2eServer)
	for _, tt := range []struct {
		kind, outcome string
		want          float64
	}{
		{"order", "paid", 1}, {"order", "failed", 0}, {"order", "refused", 0},
		{"renewal", "paid", 2}, {"renewal", "failed", 1}, {"renewal", "refused", 4},
	} {
		if got := sum(fams, "opencube_shop_payments_total", "shop", "mall", "kind", tt.kind, "outcome", tt.outcome); got != tt.want {
			t.Errorf("opencube_shop_payments_total mall %s %s = %v, want %v", tt.kind, tt.outcome, got, tt.want)
		}
	}
	evs, err := s.m.Store.FindEvents(t.Context(), entP)
	if err != nil {
		t.Fatal(err)
	}
	var (
		results []string
		last    *opencube.Event
	)
	for _, e := range evs {
		if e.Type == opencube.EventMallRecharge {
			last = e
			var d map[string]string
			json.Unmarshal([]byte(e.Data), &d)
			results = append(results, d["result"]+"/"+d["renewal"])
		}
	}
	if strings.Join(results, " ") != "success/ success/1 success/2 failed/2" {
		t.Errorf("recharge pushes %v", results)
	}
	// The push the enterprise gets says so.
	body, err := notify.Payload(last, demoSecret)
	if err != nil {
		t.Fatal(err)
	}
	var push map[string]any
	if json.Unmarshal(body, &push); push["type"] != "mall_recharge" || push["result"] != "failed" || push["renewal"] != "2" || push["orderNo"] != no {
		t.Errorf("the failed renewal's push %s", body)
	}
	// The subscription's cancellation is a job; it runs against Stripe.
	jobs, err := s.m.Store.FindJobs(t.Context(), "mall.cancel_subscription")
	if err != nil || len(jobs) != 1 || jobs[0].Key != sub.SubscriptionID {
		t.Fatalf("cancel jobs %v %v", jobs, err)
	}
	s.runJobs(t)
	if jobs, _ := s.m.Store.FindJobs(t.Context(), "mall.cancel_subscription"); len(jobs) != 0 {
		t.Errorf("the cancel job did not run: %v", jobs)
	}
	// The order runs to the end of its three paid months, then expires.
	if _, err := client.NewAdmin(s.m.URL(), shopAdminToken).AdvanceClock(t.Context(), 100*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if o := order(); o["orderStatus"] != "4" {
		t.Errorf("100 days on: %v, want expired", o)
	}
}
