package stripepay

import (
	"errors"
	"testing"
	"time"

	"github.com/opencube/opencube"
)

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := New(Config{WebhookSecret: "whsec_test"}, nil)
	c.Clock = opencube.ClockFunc(func() time.Time { return now })
	intent := []byte(`{"id":"evt_1","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","object":"payment_intent",` +
		`"amount":1000,"currency":"cny","metadata":{"shop":"mall","orderId":"NO1","partnerCode":"P1"}}}}`)
	invoice := []byte(`{"id":"evt_2","object":"event","type":"invoice.payment_failed","data":{"object":{"id":"in_1","object":"invoice",` +
		`"amount_due":1000,"amount_paid":0,"currency":"cny","parent":{"subscription_details":{"subscription":"sub_1","metadata":{"shop":"mall","orderId":"NO1","partnerCode":"P1"}}}}}}`)
	for _, tt := range []struct {
		name string
		body []byte
		sig  string
		err  error
	}{
		{"signed", intent, Sign(intent, "whsec_test", now), nil},
		{"another secret", intent, Sign(intent, "whsec_other", now), ErrSignature},
		{"six minutes old", intent, Sign(intent, "whsec_test", now.Add(-6*time.Minute)), ErrSignature},
		{"six minutes ahead", intent, Sign(intent, "whsec_test", now.Add(6*time.Minute)), ErrSignature},
		{"unsigned", intent, "", ErrSignature},
		{"another body", invoice, Sign(intent, "whsec_test", now), ErrSignature},
		{"an invoice", invoice, Sign(invoice, "whsec_test", now), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := c.Verify(tt.body, tt.sig)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("Verify: %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			switch {
			case ev.Intent != nil:
				if ev.Intent.ID != "pi_1" || ev.Intent.AmountMinor != 1000 || ev.Intent.Currency != "CNY" || ev.Metadata()[MetaOrder] != "NO1" {
					t.Errorf("intent %+v", ev.Intent)
				}
			case ev.Invoice != nil:
				if ev.Type != InvoiceFailed || ev.Invoice.Subscription != "sub_1" || ev.Invoice.AmountMinor != 1000 || ev.Metadata()[MetaShop] != MetaShopMall {
					t.Errorf("invoice %+v", ev.Invoice)
				}
			default:
				t.Errorf("event %+v", ev)
			}
		})
	}
	if _, err := New(Config{}, nil).Verify(intent, Sign(intent, "", now)); !errors.Is(err, ErrNoSecret) {
		t.Errorf("no secret: %v", err)
	}
	if New(Config{}, nil).CanCall() || !New(Config{APIKey: "sk_test"}, nil).CanCall() {
		t.Error("CanCall follows the API key")
	}
}
