package stripepay

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/opencube/opencube"
)

// Metadata keys the shops set on what they create at Stripe, and read back
// from the events.
const (
	MetaShop    = "shop"        // MetaShopMall or MetaShopESIM
	MetaPartner = "partnerCode" // the enterprise's access code
	MetaOrder   = "orderId"     // the eSIM order id, or the Mall's orderNo
)

// Shops named in MetaShop.
const (
	MetaShopMall = "mall"
	MetaShopESIM = "esim"
)

// Event types the shops act on.
const (
	PaymentSucceeded = "payment_intent.succeeded"
	PaymentFailed    = "payment_intent.payment_failed"
	InvoicePaid      = "invoice.paid"
	InvoiceFailed    = "invoice.payment_failed"
)

// Config is the operator's Stripe account.
type Config struct {
	// APIKey is the secret API key (sk_...).
	APIKey string
	// WebhookSecret is the webhook endpoint's signing secret (whsec_...).
	WebhookSecret string
	// APIURL replaces https://api.stripe.com (stripe-mock in tests).
	APIURL string
}

// Client talks to one Stripe account.
type Client struct {
	sc     *stripe.Client
	key    string
	secret string
	// Tolerance is how far an event's signed timestamp may be from Clock;
	// 0 is Stripe's default, five minutes.
	Tolerance time.Duration
	// Clock checks the signed timestamps: the real clock, also in sandbox
	// mode (D27). Nil is the system clock.
	Clock opencube.Clock
}

// New returns a client of the account cfg names, calling the API through
// hc (nil: a client with a 30-second timeout).
func New(cfg Config, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	bc := &stripe.BackendConfig{HTTPClient: hc, MaxNetworkRetries: stripe.Int64(2)}
	if cfg.APIURL != "" {
		bc.URL = stripe.String(strings.TrimRight(cfg.APIURL, "/"))
	}
	backends := stripe.NewBackendsWithConfig(bc)
	return &Client{sc: stripe.NewClient(cfg.APIKey, stripe.WithBackends(backends)), key: cfg.APIKey, secret: cfg.WebhookSecret}
}

// CanCall reports whether the client has an API key.
func (c *Client) CanCall() bool { return c != nil && c.key != "" }

// Intent is a payment intent as the shops see it.
type Intent struct {
	ID           string            `json:"id"`
	ClientSecret string            `json:"client_secret"`
	Status       string            `json:"status"`
	AmountMinor  int64             `json:"amount"`
	Currency     string            `json:"currency"`
	Customer     string            `json:"customer,omitempty"`
	Metadata     map[string]string `json:"metadata"`
}

func intentOf(pi *stripe.PaymentIntent) *Intent {
	in := &Intent{ID: pi.ID, ClientSecret: pi.ClientSecret, Status: string(pi.Status), AmountMinor: pi.Amount,
		Currency: strings.ToUpper(string(pi.Currency)), Metadata: pi.Metadata}
	if pi.Customer != nil {
		in.Customer = pi.Customer.ID
	}
	return in
}

// apiError wraps a failed API call: an outside system failed, so the
// request may be tried again.
func apiError(op string, err error) error {
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode >= 400 && se.HTTPStatusCode < 500 {
		return opencube.Errorf(opencube.KindInvalid, "Stripe refused to %s: %s", op, se.Msg)
	}
	return opencube.Errorf(opencube.KindInternal, "Stripe: %s: %v", op, err)
}

// CreatePaymentIntent asks Stripe for a payment of amount minor units of
// currency, with metadata; with customer, the card is kept for later
// charges (a subscription's).
func (c *Client) CreatePaymentIntent(ctx context.Context, amount int64, currency string, metadata map[string]string, customer string) (*Intent, error) {
	p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(amount), Currency: stripe.String(strings.ToLower(currency)),
		AutomaticPaymentMethods: &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true)}}
	for k, v := range metadata {
		p.AddMetadata(k, v)
	}
	if customer != "" {
		p.Customer, p.SetupFutureUsage = stripe.String(customer), stripe.String("off_session")
	}
	pi, err := c.sc.V1PaymentIntents.Create(ctx, p)
	if err != nil {
		return nil, apiError("create a payment intent", err)
	}
	return intentOf(pi), nil
}

// PaymentIntent returns a payment intent as Stripe has it now.
func (c *Client) PaymentIntent(ctx context.Context, id string) (*Intent, error) {
	pi, err := c.sc.V1PaymentIntents.Retrieve(ctx, id, nil)
	if err != nil {
		return nil, apiError("read payment intent "+id, err)
	}
	return intentOf(pi), nil
}

// CreateCustomer makes a Stripe customer for a SIM's renewals.
func (c *Client) CreateCustomer(ctx context.Context, description string, metadata map[string]string) (string, error) {
	p := &stripe.CustomerCreateParams{Description: stripe.String(description)}
	for k, v := range metadata {
		p.AddMetadata(k, v)
	}
	cu, err := c.sc.V1Customers.Create(ctx, p)
	if err != nil {
		return "", apiError("create a customer", err)
	}
	return cu.ID, nil
}

// Subscription is a Stripe subscription as the Mall sees it.
type Subscription struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Customer string `json:"customer"`
}

// CreateSubscription subscribes customer to amount minor units of
// currency every intervalCount intervals (day, month or year) of a product
// named productName, charged to paymentMethod (the customer's default
// when empty), with metadata; the first invoice is due at trialEnd (the
// end of the period already paid).
func (c *Client) CreateSubscription(ctx context.Context, customer, paymentMethod, productName string, amount int64, currency, interval string,
	intervalCount int64, trialEnd time.Time, metadata map[string]string) (*Subscription, error) {
	prod, err := c.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String(productName)})
	if err != nil {
		return nil, apiError("create a product", err)
	}
	product := prod.ID
	p := &stripe.SubscriptionCreateParams{Customer: stripe.String(customer), Items: []*stripe.SubscriptionCreateItemParams{{
		PriceData: &stripe.SubscriptionCreateItemPriceDataParams{Currency: stripe.String(strings.ToLower(currency)), Product: stripe.String(product),
			UnitAmount: stripe.Int64(amount), Recurring: &stripe.SubscriptionCreateItemPriceDataRecurringParams{
				Interval: stripe.String(interval), IntervalCount: stripe.Int64(intervalCount)}},
	}}}
	if paymentMethod != "" {
		p.DefaultPaymentMethod = stripe.String(paymentMethod)
	}
	if !trialEnd.IsZero() {
		p.TrialEnd = stripe.Int64(trialEnd.Unix())
	}
	for k, v := range metadata {
		p.AddMetadata(k, v)
	}
	s, err := c.sc.V1Subscriptions.Create(ctx, p)
	if err != nil {
		return nil, apiError("create a subscription", err)
	}
	out := &Subscription{ID: s.ID, Status: string(s.Status)}
	if s.Customer != nil {
		out.Customer = s.Customer.ID
	}
	return out, nil
}

// CancelSubscription ends a subscription: no further invoice.
func (c *Client) CancelSubscription(ctx context.Context, id string) error {
	if _, err := c.sc.V1Subscriptions.Cancel(ctx, id, nil); err != nil {
		return apiError("cancel subscription "+id, err)
	}
	return nil
}

// Event is a verified webhook event: a payment intent's outcome or an
// invoice's.
type Event struct {
	ID   string
	Type string
	// Intent is the payment intent of a payment_intent.* event.
	Intent *Intent
	// Invoice is the invoice of an invoice.* event.
	Invoice *Invoice
}

// Metadata is the metadata of the event's object (for an invoice, its
// subscription's).
func (e *Event) Metadata() map[string]string {
	switch {
	case e.Intent != nil:
		return e.Intent.Metadata
	case e.Invoice != nil:
		return e.Invoice.Metadata
	}
	return nil
}

// Invoice is a subscription's invoice.
type Invoice struct {
	ID           string
	Subscription string
	AmountMinor  int64 // amount_paid, or amount_due when it failed
	Currency     string
	Metadata     map[string]string // the subscription's
}

// invoiceJSON is the part of an invoice the Mall reads: the subscription
// and its metadata as API versions 2025-03 on place them
// (parent.subscription_details), or as earlier versions did.
type invoiceJSON struct {
	ID           string `json:"id"`
	AmountPaid   int64  `json:"amount_paid"`
	AmountDue    int64  `json:"amount_due"`
	Currency     string `json:"currency"`
	Subscription string `json:"subscription"`
	Parent       struct {
		SubscriptionDetails struct {
			Subscription string            `json:"subscription"`
			Metadata     map[string]string `json:"metadata"`
		} `json:"subscription_details"`
	} `json:"parent"`
	SubscriptionDetails struct {
		Metadata map[string]string `json:"metadata"`
	} `json:"subscription_details"`
}

// ErrSignature is the error of an event whose Stripe-Signature does not
// verify (or that has none, or whose time is outside the tolerance).
var ErrSignature = errors.New("stripepay: the Stripe-Signature does not verify")

// ErrNoSecret is the error of an event received while no webhook secret
// is configured.
var ErrNoSecret = errors.New("stripepay: no Stripe webhook secret is configured (--stripe-webhook-secret)")

// Verify checks the Stripe-Signature header of body against the
// endpoint secret, on the real clock, and returns the event.
func (c *Client) Verify(body []byte, signature string) (*Event, error) {
	if c == nil || c.secret == "" {
		return nil, ErrNoSecret
	}
	// The signed time is checked here, on the injected clock; the
	// signature by Stripe's library.
	if !c.fresh(signature) {
		return nil, ErrSignature
	}
	ev, err := webhook.ConstructEventWithOptions(body, signature, c.secret,
		webhook.ConstructEventOptions{IgnoreTolerance: true, IgnoreAPIVersionMismatch: true})
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || strings.HasPrefix(err.Error(), "Failed to parse") {
			return nil, opencube.Invalid("body", "the body is not a Stripe event")
		}
		return nil, ErrSignature
	}
	out := &Event{ID: ev.ID, Type: string(ev.Type)}
	if ev.Data == nil {
		return nil, opencube.Invalid("data", "the event has no data.object")
	}
	switch {
	case strings.HasPrefix(out.Type, "payment_intent."):
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
			return nil, opencube.Invalid("data", "data.object is not a payment intent")
		}
		out.Intent = intentOf(&pi)
	case strings.HasPrefix(out.Type, "invoice."):
		var in invoiceJSON
		if err := json.Unmarshal(ev.Data.Raw, &in); err != nil {
			return nil, opencube.Invalid("data", "data.object is not an invoice")
		}
		inv := &Invoice{ID: in.ID, Subscription: in.Parent.SubscriptionDetails.Subscription, AmountMinor: in.AmountPaid,
			Currency: strings.ToUpper(in.Currency), Metadata: in.Parent.SubscriptionDetails.Metadata}
		if inv.Subscription == "" {
			inv.Subscription = in.Subscription
		}
		if inv.Metadata == nil {
			inv.Metadata = in.SubscriptionDetails.Metadata
		}
		if out.Type == InvoiceFailed {
			inv.AmountMinor = in.AmountDue
		}
		out.Invoice = inv
	}
	return out, nil
}

// fresh reports whether the t= of a Stripe-Signature is within the
// tolerance of the clock.
func (c *Client) fresh(signature string) bool {
	tol := c.Tolerance
	if tol <= 0 {
		tol = webhook.DefaultTolerance
	}
	now := time.Now()
	if c.Clock != nil {
		now = c.Clock.Now()
	}
	for _, part := range strings.Split(signature, ",") {
		if k, v, _ := strings.Cut(strings.TrimSpace(part), "="); k == "t" {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return false
			}
			d := now.Sub(time.Unix(sec, 0))
			return d <= tol && d >= -tol
		}
	}
	return false
}

// Sign returns the Stripe-Signature header of body signed with secret at
// t, as Stripe sends it: for tests and for operators replaying an event.
func Sign(body []byte, secret string, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: t}).Header
}
