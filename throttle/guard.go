package throttle

import (
	"time"

	"github.com/opencube/opencube"
)

// Guard applies the request limits of the signed front doors (CSSS and
// the Mall, which share it):
//
//   - Tenant: an enterprise's requests, at its own opencube.RateLimit or
//     else at Tenant, across both protocols. A request counts (TenantTake)
//     only once its sign verifies, so that a request forged in a
//     tenant's name never spends the tenant's budget; a tenant with none
//     left is refused once its enterprise is found (TenantWait), before
//     its sign is computed.
//   - Source: the requests from one address (SourceKey) that fail
//     authentication: a body that cannot be read, an unknown access
//     code, a sign that does not verify (Failed). A source with no
//     budget left is refused before anything else (SourceWait), so that a
//     flood of bad signs costs a map look-up each, not an HMAC. Requests
//     that authenticate spend nothing here: tenants behind one NAT share
//     an address, and only its failures count against it.
//
// A refused request is answered 1006 with a Retry-After header. The
// buckets are this node's: with several nodes, each limits what reaches
// it. An enterprise's own limit applies even when Tenant is off. A nil
// *Guard limits nothing.
type Guard struct {
	// Tenant is the default budget of an enterprise without its own.
	Tenant Rate
	// Source is the budget of failed requests from one address.
	Source Rate

	tenants Buckets
	sources Buckets
}

// SetClock makes the guard's buckets tell the time with now (tests).
func (g *Guard) SetClock(now func() time.Time) {
	g.tenants.Now, g.sources.Now = now, now
}

// SourceWait returns how long the client at remoteAddr must wait, having
// spent its budget of failures: 0 when it may be served.
func (g *Guard) SourceWait(remoteAddr string) time.Duration {
	if g == nil || !g.Source.On() {
		return 0
	}
	return g.sources.Wait(SourceKey(remoteAddr), g.Source)
}

// Failed counts a request from remoteAddr that failed authentication.
func (g *Guard) Failed(remoteAddr string) {
	if g == nil || !g.Source.On() {
		return
	}
	g.sources.Take(SourceKey(remoteAddr), g.Source)
}

// TenantWait returns how long e must wait, having spent its budget: 0
// when it may be served. It spends nothing.
func (g *Guard) TenantWait(e *opencube.Enterprise) time.Duration {
	if g == nil {
		return 0
	}
	return g.tenants.Wait(e.AccessCode, g.TenantRate(e))
}

// TenantTake spends one of e's tokens, for a request whose sign verified,
// and returns 0; when e has none left, it returns how long until it will.
func (g *Guard) TenantTake(e *opencube.Enterprise) time.Duration {
	if g == nil {
		return 0
	}
	return g.tenants.Take(e.AccessCode, g.TenantRate(e))
}

// TenantRate returns e's budget: its own, or else the default.
func (g *Guard) TenantRate(e *opencube.Enterprise) Rate {
	if l := e.RateLimit; l != nil {
		return Rate{PerSecond: l.Rate, Burst: l.Burst}
	}
	return g.Tenant
}
