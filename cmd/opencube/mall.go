package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/esim"
	"github.com/opencube/opencube/mall"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/stripepay"
)

// shopSettings are the flags of the consumer shops (the Mall and the eSIM
// QR Mall).
type shopSettings struct {
	// SMTPAddr (HOST:PORT) and SMTPFrom: where verification codes and
	// install mail go; no mail is sent when SMTPAddr is empty.
	SMTPAddr string
	SMTPFrom string
	// PreOrderTimeout is how long an eSIM pre-order holds its profile.
	PreOrderTimeout time.Duration
	// StripeTolerance bounds the age of a Stripe-Signature timestamp.
	StripeTolerance time.Duration
	// Stripe is the operator's Stripe account, for both shops.
	Stripe stripepay.Config
}

// define adds the shops' flags to fs.
func (o *shopSettings) define(fs *flag.FlagSet) {
	if o.PreOrderTimeout == 0 {
		o.PreOrderTimeout = service.DefaultPreOrderTimeout
	}
	if o.StripeTolerance == 0 {
		o.StripeTolerance = esim.DefaultStripeTolerance
	}
	if o.SMTPFrom == "" {
		o.SMTPFrom = "opencube@localhost"
	}
	fs.StringVar(&o.SMTPAddr, "smtp-addr", o.SMTPAddr, "SMTP server HOST:PORT for eSIM QR Mall mail (none sent when empty)")
	fs.StringVar(&o.SMTPFrom, "smtp-from", o.SMTPFrom, "sender address of eSIM QR Mall mail")
	fs.DurationVar(&o.PreOrderTimeout, "esim-preorder-timeout", o.PreOrderTimeout, "how long an eSIM pre-order holds its profile unpaid")
	fs.DurationVar(&o.StripeTolerance, "stripe-tolerance", o.StripeTolerance, "accepted age of a Stripe-Signature timestamp")
	fs.StringVar(&o.Stripe.APIKey, "stripe-api-key", o.Stripe.APIKey, "Stripe secret API key (sk_...) of both shops' payments (env OPENCUBE_STRIPE_API_KEY)")
	fs.StringVar(&o.Stripe.WebhookSecret, "stripe-webhook-secret", o.Stripe.WebhookSecret, "signing secret (whsec_...) of the Stripe webhook endpoint (env OPENCUBE_STRIPE_WEBHOOK_SECRET)")
	fs.StringVar(&o.Stripe.APIURL, "stripe-api-url", o.Stripe.APIURL, "base URL of Stripe's API (default https://api.stripe.com; a stripe-mock in tests)")
}

// shops are the wired consumer shops.
type shops struct {
	ESIM       *service.ESIM
	ESIMServer *esim.Server
	Mall       *mall.Server
}

// wireShops builds the shops over m's store and service, registers their
// job handlers and, with --demo, loads their demo data. Run calls it once
// the service and the worker exist.
func (m *Main) wireShops(ctx context.Context) error {
	o := m.Shop
	if o.PreOrderTimeout == 0 {
		o.PreOrderTimeout = service.DefaultPreOrderTimeout
	}
	svc := m.Services.ESIM
	svc.PreOrderTimeout = o.PreOrderTimeout
	// Sandbox mode (--sandbox, notify.go; implied by --demo) also makes
	// verification codes readable through the admin API (D21).
	svc.Sandbox = m.Notify.Sandbox || m.Demo
	// Stripe-Signature's t= is checked against the real clock, and mail is
	// dated by it; the service's order times take the sandbox clock (D27).
	if o.Stripe.APIKey == "" {
		o.Stripe.APIKey = os.Getenv("OPENCUBE_STRIPE_API_KEY")
	}
	if o.Stripe.WebhookSecret == "" {
		o.Stripe.WebhookSecret = os.Getenv("OPENCUBE_STRIPE_WEBHOOK_SECRET")
	}
	if o.Stripe.WebhookSecret == "" && m.Demo {
		o.Stripe.WebhookSecret = service.DemoStripeWebhookSecret
	}
	stripe := stripepay.New(o.Stripe, nil)
	stripe.Tolerance, stripe.Clock = o.StripeTolerance, m.realClock()
	m.Services.Mall.Stripe, svc.Stripe = stripe, stripe
	srv := esim.NewServer(svc, m.Services.Served, m.realClock(), stripe)
	srv.Logger = m.Logger
	if o.SMTPAddr != "" {
		from := o.SMTPFrom
		if from == "" {
			from = "opencube@localhost"
		}
		srv.Mailer = &esim.Mailer{Addr: o.SMTPAddr, From: from}
	}
	// tradeTime is checked against the real clock (D27).
	ms := mall.NewServer(m.Services.Mall, m.Services.Served, m.realClock())
	ms.Window, ms.Logger = m.Window, m.Logger
	ms.Stripe, ms.ESIM = stripe, svc
	m.Shops = &shops{ESIM: svc, ESIMServer: srv, Mall: ms}
	m.Worker.Handlers[opencube.JobESIMPreOrderTimeout] = svc.ExpirePreOrder
	m.Worker.Handlers[opencube.JobESIMInstallMail] = srv.SendInstallMail
	m.Worker.Handlers[shop.JobMallCancelSubscription] = m.Services.Mall.CancelSubscriptionJob
	m.Worker.Handlers[shop.JobMallGroupOperation] = m.Services.Mall.GroupOperationJob
	if m.Demo {
		loaded, err := service.NewShopDemo().Load(ctx, svc)
		if err != nil {
			return fmt.Errorf("load shop demo data: %w", err)
		}
		if loaded {
			m.Logger.Info("shop demo data loaded", "esim_plans", 4, "esim_profiles", 20)
		}
	}
	return nil
}

// mountShops adds the Mall's and the eSIM QR Mall's routes to mux; they
// must be mounted before the CSSS catch-all.
func (m *Main) mountShops(mux *http.ServeMux) {
	if m.Shops == nil {
		return
	}
	mh := m.Shops.Mall.Handler()
	for _, p := range mall.Prefixes {
		mux.Handle(p+"/", mh)
	}
	mux.Handle(esim.Prefix+"/", m.Shops.ESIMServer.Handler())
}
