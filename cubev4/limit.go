package cubev4

import (
	"net/http"
	"sync"
	"time"

	"github.com/opencube/opencube/throttle"
)

// Limits are the per-source limits of the v4 REST routes (cube-v4-api.md
// §1.10), on each node: Rate requests a second, Concurrent at once, Daily
// a UTC day (reset at 00:00 UTC), counted per source address
// (throttle.SourceKey: an IPv4 address, an IPv6 /64). A zero limit is off.
// A request over one answers 429 CB-99-9429 with Retry-After. They do not
// apply to the CSSS routes under the same prefix.
type Limits struct {
	Rate       throttle.Rate
	Concurrent int
	Daily      int
	// Now is the clock of the daily counts (real time); time.Now when nil.
	Now func() time.Time
	// Observe, when set, counts a refusal by limit: "rate", "concurrent"
	// or "daily". InFlight, when set, is told of requests starting (+1)
	// and ending (-1).
	Observe  func(limit string)
	InFlight func(delta int)

	buckets throttle.Buckets
	mu      sync.Mutex
	busy    map[string]int // source -> requests being answered
	day     int64          // the UTC day of counts, days since the epoch
	counts  map[string]int // source -> requests of day
}

// DefaultLimits are the reference's figures: 10 requests a second, 3 at
// once, 5,000 a day per source address.
func DefaultLimits() *Limits {
	return &Limits{Rate: throttle.Rate{PerSecond: 10, Burst: 10}, Concurrent: 3, Daily: 5000}
}

func (l *Limits) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// enter admits a request from remoteAddr: it returns the function that
// ends it, or the limit it met ("" when admitted) and how long to wait.
func (l *Limits) enter(remoteAddr string) (done func(), limit string, wait time.Duration) {
	if l == nil {
		return func() {}, "", 0
	}
	key := throttle.SourceKey(remoteAddr)
	now := l.now()
	l.mu.Lock()
	if l.Concurrent > 0 && l.busy[key] >= l.Concurrent {
		l.mu.Unlock()
		return nil, "concurrent", time.Second
	}
	if l.Daily > 0 {
		day := now.Unix() / 86400
		if day != l.day || l.counts == nil {
			l.day, l.counts = day, map[string]int{}
		}
		if l.counts[key] >= l.Daily {
			l.mu.Unlock()
			return nil, "daily", time.Unix((day+1)*86400, 0).Sub(now)
		}
	}
	if l.Rate.On() {
		l.buckets.Now = l.Now // set under mu, as every Take runs
		if w := l.buckets.Take(key, l.Rate); w > 0 {
			l.mu.Unlock()
			return nil, "rate", w
		}
	}
	if l.Daily > 0 {
		l.counts[key]++
	}
	if l.busy == nil {
		l.busy = map[string]int{}
	}
	l.busy[key]++
	l.mu.Unlock()
	if l.InFlight != nil {
		l.InFlight(1)
	}
	return func() {
		l.mu.Lock()
		if l.busy[key]--; l.busy[key] <= 0 {
			delete(l.busy, key)
		}
		l.mu.Unlock()
		if l.InFlight != nil {
			l.InFlight(-1)
		}
	}, "", 0
}

// refuse answers a request over a limit.
func (l *Limits) refuse(w http.ResponseWriter, lang Lang, limit string, wait time.Duration) {
	if l.Observe != nil {
		l.Observe(limit)
	}
	w.Header().Set("Retry-After", throttle.RetryAfter(wait))
	writeBody(w, lang, Status(CodeTooMany), encode(nil, nil, CodeTooMany, lang, "over the "+limit+" limit of the source address"))
}
