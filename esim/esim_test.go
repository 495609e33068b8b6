package esim

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/money"
	"github.com/opencube/opencube/stripepay"
)

func TestMoney(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"4.99", 499, true}, {"100", 10000, true}, {"0.5", 50, true}, {"139.00", 13900, true},
		{"4.999", 0, false}, {"-1", 0, false}, {"1.", 0, false}, {".5", 0, false}, {"1e3", 0, false}, {"", 0, false},
	} {
		got, ok := ParseMoney(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for minor, want := range map[int64]string{0: "0.00", 5: "0.05", 499: "4.99", 13900: "139.00"} {
		if got := money.Format(minor); got != want {
			t.Errorf("money.Format(%d) = %s, want %s", minor, got, want)
		}
	}
}

func TestAppleInstallURL(t *testing.T) {
	code := "LPA:1$smdp.example.com$ABC-123"
	if got := AppleInstallURL(code); got != "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata="+code {
		t.Errorf("AppleInstallURL = %s", got)
	}
	if got := AppleInstallURL("LPA:1$a$b c&d"); !strings.HasSuffix(got, "carddata=LPA%3A1%24a%24b+c%26d") {
		t.Errorf("escaped AppleInstallURL = %s", got)
	}
}

func TestQRPNG(t *testing.T) {
	png, err := QRPNG("LPA:1$smdp.example.com$ABC", 256)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("QRPNG: %v, %q", err, png[:8])
	}
}

func TestErrorCode(t *testing.T) {
	for kind, want := range map[opencube.Kind]int{
		opencube.KindInvalid: CodeBadParams, opencube.KindTokenExpired: CodeTokenExpired, KindTimeConversion: CodeTimeConversion,
		opencube.KindOrderState: CodeOrderSystem, opencube.KindNoQRCode: CodeNoQRCode, opencube.KindPreOrderTimeout: CodePreOrderTimeout,
		opencube.KindOrderNotFound: CodeOrderNotFound, opencube.KindPriceMismatch: CodePriceInconsistent,
		opencube.KindInternal: CodeError, opencube.KindSoldOut: CodeSoldOut, "something new": CodeError,
	} {
		if got, _ := ErrorCode(opencube.Errorf(kind, "x")); got != want {
			t.Errorf("ErrorCode(%s) = %d, want %d", kind, got, want)
		}
	}
}

func secretsOf(keys ...string) SecretsFunc {
	return func(_ context.Context, code string) ([]string, error) {
		if code != "P000270" {
			return nil, opencube.Errorf(opencube.KindUnauthenticated, "unknown")
		}
		return keys, nil
	}
}

func TestStripeSignature(t *testing.T) {
	now := time.Unix(1700000000, 0)
	c := stripepay.New(stripepay.Config{WebhookSecret: "whsec"}, nil)
	c.Clock = opencube.ClockFunc(func() time.Time { return now })
	s := &Stripe{Client: c}
	body := []byte(`{"type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":499,"currency":"usd","metadata":{"orderId":"E1","partnerCode":"P000270"}}}}`)
	sig := stripepay.Sign(body, "whsec", now)
	for _, tt := range []struct {
		name string
		h    string
		ok   bool
	}{
		{"valid", sig, true},
		{"two v1, one valid", sig + ",v1=00", true},
		{"wrong secret", stripepay.Sign(body, "other", now), false},
		{"too old", stripepay.Sign(body, "whsec", now.Add(-6*time.Minute)), false},
		{"from the future", stripepay.Sign(body, "whsec", now.Add(6*time.Minute)), false},
		{"no v1", "t=1700000000", false},
		{"no header", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.Payment(context.Background(), http.Header{"Stripe-Signature": {tt.h}}, body, secretsOf("whsec"))
			if (err == nil) != tt.ok {
				t.Fatalf("Payment: %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && (p.OrderID != "E1" || p.AmountMinor != 499 || p.Currency != "USD" || !p.Succeeded) {
				t.Errorf("payment %+v", p)
			}
		})
	}
}

// FuzzParseParams checks that any body parses or is refused as invalid.
func FuzzParseParams(f *testing.F) {
	f.Add([]byte(`{"countryCode":460,"partnerCode":"P001101","type":2,"pageNum":0}`))
	f.Add([]byte(`{"id":"1001","money":"4.99","currency":"USD","periodNum":1}`))
	f.Add([]byte(`{"a":[1]}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseParams(body)
		if err != nil {
			if opencube.ErrorKind(err) != opencube.KindInvalid {
				t.Errorf("ParseParams error kind %s", opencube.ErrorKind(err))
			}
			return
		}
		p.Int("periodNum", 1)
		ParseMoney(p["money"])
	})
}

// FuzzWebhook feeds any body to the sandbox provider, which must refuse or
// accept it without panicking, and accept only what the secret signed.
func FuzzWebhook(f *testing.F) {
	f.Add([]byte(`{"dateTime":1,"orderId":"E1","partnerCode":"P000270","payAmount":100,"payCurrency":"USD","paypalId":"x","type":"payment_intent.succeeded","sign":"AAAA"}`))
	f.Add([]byte(`{"orderId":"E1"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := Sandbox{}.Payment(context.Background(), nil, body, secretsOf("secret-12345"))
		if err != nil {
			return
		}
		params, _ := ParseParams(body)
		if _, ok := csss.Verify(body, params["sign"], []string{"secret-12345"}); !ok || p.OrderID == "" {
			t.Errorf("accepted an unsigned webhook %q", body)
		}
	})
}
