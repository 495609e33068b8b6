// Package sms owns opencube's SMS gateways, the implementations of
// opencube.SMSGateway: the sandbox device, which delivers every message
// after a delay or fails on demand (sandbox.go), and Kannel, the
// open-source SMS gateway that speaks SMPP to operators, with the HTTP
// callbacks through which it reports deliveries and MO messages
// (kannel.go). The SMS rules (segments, limits, the hand-over that is
// exactly-once where that can be known) live in the service package; the
// encodings in gsm.
package sms
