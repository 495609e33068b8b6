package throttle

import (
	"math"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a token bucket: Burst tokens, refilled at PerSecond a second. The
// zero Rate limits nothing.
type Rate struct {
	PerSecond float64
	Burst     int
}

// On reports whether r limits anything.
func (r Rate) On() bool { return r.PerSecond > 0 && r.Burst > 0 }

// DefaultMaxKeys is Buckets.MaxKeys unless set: some 50 MB of buckets
// at most.
const DefaultMaxKeys = 1 << 18

// minSweep is the fewest keys at which Buckets looks for full buckets to
// drop.
const minSweep = 1024

// Buckets holds one token bucket per key. A key without a bucket has a
// full one: a bucket is made when a key first spends a token, and dropped
// once it is full again (at the next sweep, which runs when the number of
// keys has doubled), so only keys that spent recently take memory. The
// zero value is ready; it is safe for concurrent use.
type Buckets struct {
	// MaxKeys bounds the buckets held at once (DefaultMaxKeys when 0):
	// when every one of them is in use, a new key is not limited.
	MaxKeys int
	// Now is the clock, time.Now when nil.
	Now func() time.Time

	keys     sync.Map // key -> *rate.Limiter
	n        atomic.Int64
	sweepAt  atomic.Int64
	lastFull atomic.Int64 // when a sweep last ran for want of room, in Unix ns
	sweeping sync.Mutex
}

func (b *Buckets) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// Wait returns how long key must wait until it may spend a token under
// r: 0 when it may now. It spends nothing, and makes no bucket.
func (b *Buckets) Wait(key string, r Rate) time.Duration {
	if !r.On() {
		return 0
	}
	v, ok := b.keys.Load(key)
	if !ok {
		return 0
	}
	now := b.now()
	l := v.(*rate.Limiter)
	set(l, r, now)
	return wait(l, r, now)
}

// Take spends one of key's tokens under r and returns 0; when key has
// none, it spends nothing and returns how long until it will have one.
func (b *Buckets) Take(key string, r Rate) time.Duration {
	if !r.On() {
		return 0
	}
	now := b.now()
	l, made := b.bucket(key, r, now)
	if l == nil {
		return 0
	}
	ok := l.AllowN(now, 1)
	if made && b.n.Load() > max(b.sweepAt.Load(), minSweep) {
		b.sweep(now) // once the new bucket spent its token
	}
	if ok {
		return 0
	}
	return wait(l, r, now)
}

// Len returns how many keys hold a bucket.
func (b *Buckets) Len() int { return int(b.n.Load()) }

// bucket returns key's bucket under r, made full when key has none (made
// says so); nil when MaxKeys buckets are in use.
func (b *Buckets) bucket(key string, r Rate, now time.Time) (l *rate.Limiter, made bool) {
	if v, ok := b.keys.Load(key); ok {
		l := v.(*rate.Limiter)
		set(l, r, now)
		return l, false
	}
	limit := b.MaxKeys
	if limit <= 0 {
		limit = DefaultMaxKeys
	}
	if b.n.Load() >= int64(limit) {
		// Full: sweep, but at most once a second, so that keys coming
		// faster than buckets fill up cost a look-up each, not a sweep.
		if last := b.lastFull.Load(); now.UnixNano()-last >= int64(time.Second) && b.lastFull.CompareAndSwap(last, now.UnixNano()) {
			b.sweep(now)
		}
		if b.n.Load() >= int64(limit) {
			return nil, false
		}
	}
	v, loaded := b.keys.LoadOrStore(key, rate.NewLimiter(rate.Limit(r.PerSecond), r.Burst))
	if loaded {
		set(v.(*rate.Limiter), r, now)
	} else {
		b.n.Add(1)
	}
	return v.(*rate.Limiter), !loaded
}

// sweep drops the buckets that are full again, which is what a key
// without a bucket has: nothing is forgotten. A token spent on a bucket as
// it is dropped may be lost, at most one a key a sweep. Sweeps run one at
// a time; the next runs when the number of keys has doubled.
func (b *Buckets) sweep(now time.Time) {
	if !b.sweeping.TryLock() {
		return
	}
	defer b.sweeping.Unlock()
	var left int64
	b.keys.Range(func(k, v any) bool {
		l := v.(*rate.Limiter)
		if l.TokensAt(now) >= float64(l.Burst()) && b.keys.CompareAndDelete(k, v) {
			b.n.Add(-1)
		} else {
			left++
		}
		return true
	})
	b.sweepAt.Store(2 * left)
}

// set gives l the rate r, when it has another.
func set(l *rate.Limiter, r Rate, now time.Time) {
	if l.Limit() != rate.Limit(r.PerSecond) {
		l.SetLimitAt(now, rate.Limit(r.PerSecond))
	}
	if l.Burst() != r.Burst {
		l.SetBurstAt(now, r.Burst)
	}
}

// wait returns how long until l holds a whole token.
func wait(l *rate.Limiter, r Rate, now time.Time) time.Duration {
	missing := 1 - l.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(missing / r.PerSecond * float64(time.Second)))
}

// RetryAfter is the Retry-After header of a wait: whole seconds, at least
// one.
func RetryAfter(wait time.Duration) string {
	return strconv.FormatInt(max(1, int64(math.Ceil(wait.Seconds()))), 10)
}

// SourceKey is the key of a client's address (an http.Request's
// RemoteAddr, "host:port"): the IPv4 address, or the /64 network of an
// IPv6 address, which one subscriber's addresses share. An address that
// does not parse is its own key.
func SourceKey(remoteAddr string) string {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	a := ap.Addr().Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
