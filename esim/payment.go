package esim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/stripepay"
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

// Stripe is the payment provider of Stripe's webhooks: a
// payment_intent.succeeded or payment_intent.payment_failed event whose
// data.object carries amount (minor units), currency and metadata orderId
// and partnerCode, signed in the Stripe-Signature header with the
// operator's webhook endpoint secret (--stripe-webhook-secret), verified
// by Stripe's own library on the real clock (D27) within its tolerance, so
// a captured request cannot be replayed later.
type Stripe struct {
	Client *stripepay.Client
}

// DefaultStripeTolerance is Stripe's own default tolerance.
const DefaultStripeTolerance = 5 * time.Minute

// Name implements PaymentProvider.
func (s *Stripe) Name() string { return "stripe" }

// Payment implements PaymentProvider.
func (s *Stripe) Payment(_ context.Context, header http.Header, body []byte, _ SecretsFunc) (shop.Payment, error) {
	var pay shop.Payment
	ev, err := s.Client.Verify(body, header.Get("Stripe-Signature"))
	switch {
	case errors.Is(err, stripepay.ErrSignature):
		return pay, errSign("Stripe-Signature does not verify")
	case errors.Is(err, stripepay.ErrNoSecret):
		return pay, errSign("no Stripe webhook secret is configured")
	case err != nil:
		return pay, err
	}
	if ev.Intent == nil {
		return pay, opencube.Invalid("type", "unhandled event type %q", ev.Type)
	}
	switch ev.Type {
	case stripepay.PaymentSucceeded:
		pay.Succeeded = true
	case stripepay.PaymentFailed:
	default:
		return pay, opencube.Invalid("type", "unhandled event type %q", ev.Type)
	}
	obj := ev.Intent
	partner, orderID := obj.Metadata[stripepay.MetaPartner], obj.Metadata[stripepay.MetaOrder]
	if partner == "" || orderID == "" {
		return pay, opencube.Invalid("metadata", "metadata.partnerCode and metadata.orderId are required")
	}
	if obj.AmountMinor < 0 {
		return pay, opencube.MustBe("amount", "an integer of minor units, 0 or more")
	}
	pay.AccessCode, pay.OrderID, pay.AmountMinor = partner, orderID, obj.AmountMinor
	pay.Currency, pay.Provider, pay.Reference = obj.Currency, "stripe", obj.ID
	return pay, nil
}
