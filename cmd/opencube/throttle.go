package main

import (
	"errors"
	"flag"
	"math"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/throttle"
)

// limitsConfig is the request limits of serve (throttle.Guard), on this
// node: per enterprise, across CSSS and the Mall, and per source address
// for requests that fail authentication. 0 turns one off.
type limitsConfig struct {
	// Rate and Burst are an enterprise's budget unless it has its own
	// (opencube.RateLimit): requests a second, and at once.
	Rate  float64
	Burst int
	// IPRate and IPBurst are the budget of failed requests of one address.
	IPRate  float64
	IPBurst int

	// Guard is shared by the CSSS and Mall servers; made at Run.
	Guard *throttle.Guard
}

// define adds the limit flags to fs.
func (c *limitsConfig) define(fs *flag.FlagSet) {
	fs.Float64Var(&c.Rate, "rate-limit", c.Rate, "requests a second of each enterprise, CSSS and Mall together, on this node; beyond, 1006 (0: none, but an enterprise's own)")
	fs.IntVar(&c.Burst, "rate-burst", c.Burst, "requests an enterprise may send at once (0: --rate-limit rounded up)")
	fs.Float64Var(&c.IPRate, "ip-rate-limit", c.IPRate, "failed requests (unreadable body, unknown access code, bad sign) a second from one address (IPv6: one /64) on this node; beyond, every request from it is 1006 until it is back within (0: none)")
	fs.IntVar(&c.IPBurst, "ip-rate-burst", c.IPBurst, "failed requests one address may send at once (0: --ip-rate-limit rounded up)")
}

// check validates the limit flags.
func (c *limitsConfig) check() error {
	for _, l := range []struct {
		rate         float64
		burst        int
		rname, bname string
	}{{c.Rate, c.Burst, "--rate-limit", "--rate-burst"}, {c.IPRate, c.IPBurst, "--ip-rate-limit", "--ip-rate-burst"}} {
		switch {
		case !(l.rate >= 0 && l.rate <= opencube.MaxRate): // also NaN
			return errors.New("serve: " + l.rname + " must be 0-1000000 (requests a second)")
		case l.rate > 0 && l.rate < opencube.MinRate:
			return errors.New("serve: " + l.rname + " must be 0, or at least 0.001 (requests a second)")
		case l.burst < 0 || l.burst > opencube.MaxBurst:
			return errors.New("serve: " + l.bname + " must be 0-1000000")
		case l.burst > 0 && l.rate == 0:
			return errors.New("serve: " + l.bname + " needs " + l.rname)
		}
	}
	return nil
}

// rate is the token bucket of a rate and burst flag pair: burst 0 is the
// rate rounded up.
func rate(perSecond float64, burst int) throttle.Rate {
	if perSecond <= 0 {
		return throttle.Rate{}
	}
	if burst <= 0 {
		burst = int(math.Ceil(perSecond))
	}
	return throttle.Rate{PerSecond: perSecond, Burst: burst}
}

// startLimits gives the CSSS server and the Mall one guard. There is one
// even with both flags off: an enterprise may be given its own limit at
// any time through the admin API.
func (m *Main) startLimits() {
	c := &m.Limits
	c.Guard = &throttle.Guard{Tenant: rate(c.Rate, c.Burst), Source: rate(c.IPRate, c.IPBurst)}
	m.CSSS.Limits = c.Guard
	if m.Shops != nil {
		m.Shops.Mall.Limits = c.Guard
	}
}
