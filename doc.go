// Package opencube holds the domain vocabulary of opencube, an open-source IoT
// connectivity management platform: enterprises, SIMs, data plans, orders and
// the events their changes cause, the validation and life-cycle rules that
// govern them, the service interfaces that protocol adapters call, and the
// store interfaces that database adapters implement.
//
// It imports only the standard library. Adapters live in sub-packages: sqlite
// (the embedded store) and postgres (the production store), csss (the Cube
// CSSS wire protocol), mall and esim (the Mall and the eSIM QR Mall), admin
// (the operator API), radius (accounting and authorization), sms (the SMS
// gateways), notify (customer webhooks) and client (the Go SDK).
package opencube
