// Package throttle limits how often something may happen per key: one
// token bucket (golang.org/x/time/rate) per key, in the node's memory.
// Guard applies opencube's two request limits with it: per tenant, and per
// source address for failed requests. With several nodes, each limits
// what it sees.
//
// The limits are off unless configured: `opencube serve --rate-limit`,
// `--rate-burst`, `--ip-rate-limit`, `--ip-rate-burst`, and an
// enterprise's own limit set through the admin API.
package throttle
