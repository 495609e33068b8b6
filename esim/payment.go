package esim

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/shop"
)

// SecretsFunc returns the secrets of an enterprise; KindUnauthenticated
// when it is unknown.
type SecretsFunc func(ctx context.Context, accessCode string) ([]string, error)

// PaymentProvider is one way of learning that an eSIM order was paid: it
// reads a provider's webhook request and returns the payment it reports,
// after verifying that the provider sent it. A request it cannot verify
// answers an error (KindUnauthenticated or KindInvalid) and changes nothing.
type PaymentProvider interface {
	// Name names the provider in the order's payment_provider.
	Name() string
	// Payment verifies the request and returns its payment.
	Payment(ctx context.Context, header http.Header, body []byte, secrets SecretsFunc) (shop.Payment, error)
}

// errSign is the answer to a webhook whose signature does not verify.
func errSign(format string, args ...any) error {
	return &opencube.Error{Kind: opencube.KindInvalid, Field: "sign", Message: fmt.Sprintf(format, args...)}
}

// DateTimeRange states the values of the payment webhook's dateTime.
const DateTimeRange = "epoch seconds from 0 to 253402271999 (9999-12-31 23:59:59 UTC+8)"

// Sandbox is the payment provider of the FMS payment webhook
// (`/payment/webhook`): the enterprise reports the outcome of a payment it
// collected, `type` payment_intent.succeeded or payment_intent.payment_failed,
// signed as a CSSS request (D22). In a sandbox this is how a test makes a
// payment succeed or fail on request.
type Sandbox struct{}

// Name implements PaymentProvider.
func (Sandbox) Name() string { return "sandbox" }

// Payment implements PaymentProvider. The body carries dateTime (epoch
// seconds), orderId, partnerCode, payAmount (a decimal amount in major
// units: 4.99), payCurrency (USD), paypalId, type and sign.
func (Sandbox) Payment(ctx context.Context, _ http.Header, body []byte, secrets SecretsFunc) (shop.Payment, error) {
	var pay shop.Payment
	p, err := ParseParams(body)
	if err != nil {
		return pay, err
	}
	for _, f := range []string{"orderId", "partnerCode", "type", "sign", "payAmount", "payCurrency"} {
		if _, err := p.Require(f); err != nil {
			return pay, err
		}
	}
	keys, err := secrets(ctx, p["partnerCode"])
	if err != nil {
		if opencube.ErrorKind(err) == opencube.KindUnauthenticated {
			return pay, errSign("unknown partnerCode")
		}
		return pay, err // ours, not the sender's: answered 5xx so it is sent again
	}
	if _, ok := csss.Verify(body, p["sign"], keys); !ok {
		return pay, errSign("sign does not verify")
	}
	if dt := p["dateTime"]; dt != "" {
		// Epoch seconds up to the last instant the server stores (D26).
		if n, err := strconv.ParseInt(dt, 10, 64); err != nil || n < 0 || n > opencube.MaxTime.Unix() {
			return pay, &opencube.Error{Kind: KindTimeConversion, Field: "dateTime", Range: DateTimeRange, Message: "dateTime must be " + DateTimeRange}
		}
	}
	switch p["type"] {
	case "payment_intent.succeeded":
		pay.Succeeded = true
	case "payment_intent.payment_failed":
	default:
		return pay, opencube.MustBe("type", "payment_intent.succeeded or payment_intent.payment_failed")
	}
	amount, ok := ParseMoney(p["payAmount"])
	if !ok {
		return pay, opencube.MustBe("payAmount", MoneyRange)
	}
	pay.AccessCode, pay.OrderID, pay.AmountMinor = p["partnerCode"], p["orderId"], amount
	pay.Currency, pay.Provider, pay.Reference = strings.ToUpper(p["payCurrency"]), "sandbox", p["paypalId"]
	return pay, nil
}

// Stripe is the payment provider of Stripe-style webhooks: a
// payment_intent.succeeded or payment_intent.payment_failed event whose
// data.object carries amount (minor units), currency and metadata orderId
// and partnerCode, signed in the Stripe-Signature header
// (t=<epoch seconds>,v1=<hex HMAC-SHA256 of "t.body">) with the
// enterprise's secret. A timestamp further than Tolerance from the clock
// is refused, so a captured request cannot be replayed later.
type Stripe struct {
	// Clock checks the timestamp: the real clock, also in sandbox mode
	// (D27), since Stripe signs with the time it sends at.
	Clock     opencube.Clock
	Tolerance time.Duration
}

// DefaultStripeTolerance is Stripe's own default tolerance.
const DefaultStripeTolerance = 5 * time.Minute

// Name implements PaymentProvider.
func (s *Stripe) Name() string { return "stripe" }

// stripeEvent is the part of a Stripe event the shop reads.
type stripeEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Data struct {
		Object struct {
			ID       string            `json:"id"`
			Amount   int64             `json:"amount"`
			Currency string            `json:"currency"`
			Metadata map[string]string `json:"metadata"`
		} `json:"object"`
	} `json:"data"`
}

// StripeSignature returns the Stripe-Signature header of body at t.
func StripeSignature(body []byte, t time.Time, secret string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// Payment implements PaymentProvider.
func (s *Stripe) Payment(ctx context.Context, header http.Header, body []byte, secrets SecretsFunc) (shop.Payment, error) {
	var pay shop.Payment
	var ev stripeEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return pay, opencube.Invalid("body", "the body is not a Stripe event: %v", err)
	}
	obj := ev.Data.Object
	partner, orderID := obj.Metadata["partnerCode"], obj.Metadata["orderId"]
	if partner == "" || orderID == "" {
		return pay, opencube.Invalid("metadata", "metadata.partnerCode and metadata.orderId are required")
	}
	var ts string
	var sigs []string
	for _, part := range strings.Split(header.Get("Stripe-Signature"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return pay, errSign("Stripe-Signature needs t= and v1=")
	}
	tol := s.Tolerance
	if tol <= 0 {
		tol = DefaultStripeTolerance
	}
	if d := s.Clock.Now().Sub(time.Unix(sec, 0)); d > tol || d < -tol {
		return pay, errSign("Stripe-Signature timestamp outside the tolerance")
	}
	keys, err := secrets(ctx, partner)
	if err != nil {
		if opencube.ErrorKind(err) == opencube.KindUnauthenticated {
			return pay, errSign("unknown partnerCode")
		}
		return pay, err // ours, not the sender's: answered 5xx so it is sent again
	}
	ok := false
	for _, key := range keys {
		want := StripeSignature(body, time.Unix(sec, 0), key)
		_, wantSig, _ := strings.Cut(want, ",v1=")
		for _, got := range sigs {
			if hmac.Equal([]byte(got), []byte(wantSig)) {
				ok = true
			}
		}
	}
	if !ok {
		return pay, errSign("Stripe-Signature does not verify")
	}
	switch ev.Type {
	case "payment_intent.succeeded":
		pay.Succeeded = true
	case "payment_intent.payment_failed":
	default:
		return pay, opencube.Invalid("type", "unhandled event type %q", ev.Type)
	}
	if obj.Amount < 0 {
		return pay, opencube.MustBe("amount", "an integer of minor units, 0 or more")
	}
	pay.AccessCode, pay.OrderID, pay.AmountMinor = partner, orderID, obj.Amount
	pay.Currency, pay.Provider, pay.Reference = strings.ToUpper(obj.Currency), "stripe", obj.ID
	return pay, nil
}
