// Package esim serves the eSIM QR Mall (Linksfield's FMS API,
// links-field/fms-api; docs/esim.md) under /fms (D21): consumers
// register and log in (an x-access-token valid three days; code 7 once
// expired), browse plans by country (MCC) or continent, pre-order a plan,
// which reserves one eSIM profile of the operator's inventory until the
// payment arrives or the pre-order times out, poll the order, and fetch the
// install material: the activation code LPA:1$<SM-DP+ address>$<matching
// ID>, its QR code as a PNG, Apple's one-tap install link, and an e-mail
// to the buyer through the configured SMTP server.
//
// The envelope is {"code":0,"data":...,"message":...} with integer codes.
// The codes FMS documents are 0 success, 2 wrong parameters, 7 token
// expired, 1102 time conversion, 3004 order-system exception (here: an
// order paid twice or not waiting for payment), 3005 qrCode null (the
// order is not paid), 6006 pre-order timeout, 9999 error, 10008 order does
// not exist and 10009 price inconsistent. opencube adds 4001 wrong e-mail
// or password, 4002 e-mail already registered, 6001 plan does not exist,
// 6007 sold out (no profile left) and 6008 eSIM does not exist. ErrorCode
// is the one place where domain kinds become codes.
//
// Payments arrive behind one interface, PaymentProvider: the FMS webhook
// (/payment/webhook, signed like a CSSS request per D22; in a sandbox
// the way to make a payment succeed or fail on request) and Stripe-style
// webhooks (/payment/stripe/webhook, Stripe-Signature with a timestamp
// tolerance). A webhook is verified before anything changes; a second
// payment, a price that differs from the order, or an unknown order each
// answers its code and changes nothing.
package esim
