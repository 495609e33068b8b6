// Package opencube holds the domain vocabulary of opencube, an open-source IoT
// connectivity management platform: enterprises, SIMs, data plans, orders and
// the events their changes cause, the validation and life-cycle rules that
// govern them, the one error type, the service interfaces that front doors
// call, and the store interfaces that database adapters implement.
//
// It imports only the standard library and holds no business process: the
// services that apply the rules over a store live in package service. The
// adapters live in sub-packages: sqlite (the embedded store) and postgres (the
// production store), csss (the Cube CSSS wire protocol), mall and esim (the
// Mall and the eSIM QR Mall, sharing shopwire), admin (the operator API),
// radius (accounting and authorization), sms (the SMS gateways, with gsm for
// the encodings), notify (customer webhooks) and client (the Go SDK).
package opencube
