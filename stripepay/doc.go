// Package stripepay adapts Stripe, the payment provider of both consumer
// shops: it creates payment intents, customers and subscriptions through
// Stripe's API (github.com/stripe/stripe-go), and verifies the
// Stripe-Signature of the webhook events Stripe sends, returning the
// payments and invoices they report. One Stripe account (an API key and a
// webhook endpoint secret) serves every enterprise; which shop and order
// an event belongs to is in the metadata the shops set.
package stripepay
