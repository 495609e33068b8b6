package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/stripepay"
)

// needStripeMock returns the URL of a stripe-mock: OPENCUBE_STRIPE_MOCK's
// (scripts/test starts one), else one this test starts from stripe-mock in
// PATH or GOPATH/bin. Without one the test is skipped, or fails when
// CI=true.
func needStripeMock(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("OPENCUBE_STRIPE_MOCK"); u != "" {
		return u
	}
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		home, _ := os.UserHomeDir()
		bin = filepath.Join(home, "go", "bin", "stripe-mock")
		if _, err := os.Stat(bin); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("stripe-mock not found (go install github.com/stripe/stripe-mock@v0.203.0); CI=true requires it")
			}
			t.Skip("stripe-mock not found (go install github.com/stripe/stripe-mock@v0.203.0)")
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "-http-addr", addr)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := "http://" + addr
	for range 100 {
		req, _ := http.NewRequest(http.MethodGet, url+"/v1/customers", nil)
		req.Header.Set("Authorization", "Bearer "+stripeTestKey)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return url
		}
		time.Sleep(50 * time.Millisecond) // waiting for a child process to listen, not for time
	}
	t.Fatal("stripe-mock did not start")
	return ""
}

// stripeTestKey is the API key the tests give stripe-mock.
const stripeTestKey = "sk_test_123"

// withStripe points the server's Stripe client at stripe-mock.
func withStripe(url string) func(m *Main) {
	return func(m *Main) {
		m.Shop.Stripe = stripepay.Config{APIKey: stripeTestKey, WebhookSecret: service.DemoStripeWebhookSecret, APIURL: url}
	}
}

// stripeEvent is a Stripe event of type typ about obj.
func stripeEvent(id, typ string, obj map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "api_version": "2025-07-30.basil",
		"created": time.Now().Unix(), "data": map[string]any{"object": obj}})
	return b
}

// stripeSign signs body as Stripe signs the endpoint's events, at the
// server's real clock.
func (s *e2eServer) stripeSign(body []byte) string {
	return stripepay.Sign(body, service.DemoStripeWebhookSecret, s.clock.Now())
}

// intentEvent is a payment_intent.* event of an order of a shop.
func intentEvent(typ, shop, order, pi string, amount int64, currency string) []byte {
	return stripeEvent("evt_"+pi+"_"+typ, typ, map[string]any{"id": pi, "object": "payment_intent", "amount": amount, "currency": currency,
		"status": "succeeded", "metadata": map[string]string{stripepay.MetaShop: shop, stripepay.MetaOrder: order, stripepay.MetaPartner: entP}})
}

// payStripe pays an eSIM order through the Stripe webhook.
func (s *shopServer) payStripe(t *testing.T, orderID string, amount int64, currency string) {
	t.Helper()
	body := intentEvent(stripepay.PaymentSucceeded, stripepay.MetaShopESIM, orderID, "pi_"+orderID, amount, currency)
	r := s.stripe(t, body, s.stripeSign(body))
	if r.Code != 0 {
		t.Fatalf("Stripe payment of %s: code %d %s", orderID, r.Code, r.Message)
	}
	var d struct{ OrderPayStatus int }
	if err := json.Unmarshal(r.Data, &d); err != nil || d.OrderPayStatus != 1 {
		t.Fatalf("Stripe payment of %s: %s", orderID, r.Data)
	}
}
