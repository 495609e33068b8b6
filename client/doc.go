// Package client is the Go SDK of opencube: it signs and sends CSSS requests
// and implements opencube.PlanService over HTTP, so programs (and opencube's
// own end-to-end tests) drive a server exactly as an enterprise would.
package client
