package throttle_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/throttle"
)

// clock is a fake clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time             { return c.t }
func (c *clock) add(d time.Duration)        { c.t = c.t.Add(d) }
func newClock() *clock                      { return &clock{t: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)} }
func newBuckets(c *clock) *throttle.Buckets { return &throttle.Buckets{Now: c.now} }

func TestBucketsTake(t *testing.T) {
	c := newClock()
	b := newBuckets(c)
	r := throttle.Rate{PerSecond: 2, Burst: 3}
	for i := range 3 {
		if w := b.Take("a", r); w != 0 {
			t.Fatalf("take %d of a burst of 3: wait %s", i+1, w)
		}
	}
	if w := b.Take("a", r); w != 500*time.Millisecond {
		t.Errorf("fourth take: wait %s, want 500ms (2 a second)", w)
	}
	if w := b.Wait("a", r); w != 500*time.Millisecond {
		t.Errorf("Wait: %s, want 500ms", w)
	}
	if w := b.Take("b", r); w != 0 {
		t.Errorf("another key: wait %s", w)
	}
	c.add(250 * time.Millisecond)
	if w := b.Wait("a", r); w != 250*time.Millisecond {
		t.Errorf("Wait 250ms later: %s, want 250ms", w)
	}
	c.add(250 * time.Millisecond)
	if w := b.Take("a", r); w != 0 {
		t.Errorf("take once a token is back: wait %s", w)
	}
	if w := b.Take("a", r); w == 0 {
		t.Error("took a token that was not there")
	}
	// Wait spends nothing, and a key without a bucket has a full one.
	for range 10 {
		if w := b.Wait("c", r); w != 0 {
			t.Fatalf("Wait of a new key: %s", w)
		}
	}
	if b.Len() != 2 {
		t.Errorf("%d buckets, want 2 (Wait makes none)", b.Len())
	}
	// The zero Rate limits nothing, and makes no bucket.
	for range 10 {
		if w := b.Take("d", throttle.Rate{}); w != 0 {
			t.Fatalf("zero Rate: wait %s", w)
		}
	}
}

// TestBucketsRateChange: a key's rate follows the one it is asked with.
func TestBucketsRateChange(t *testing.T) {
	c := newClock()
	b := newBuckets(c)
	slow := throttle.Rate{PerSecond: 0.1, Burst: 1}
	b.Take("a", slow)
	if w := b.Wait("a", slow); w != 10*time.Second {
		t.Errorf("Wait at 0.1/s: %s, want 10s", w)
	}
	fast := throttle.Rate{PerSecond: 10, Burst: 5}
	if w := b.Wait("a", fast); w != 100*time.Millisecond {
		t.Errorf("Wait at 10/s: %s, want 100ms", w)
	}
	c.add(time.Second)
	for i := range 5 {
		if w := b.Take("a", fast); w != 0 {
			t.Fatalf("take %d at 10/s, burst 5, a second later: wait %s", i+1, w)
		}
	}
	if w := b.Take("a", fast); w == 0 {
		t.Error("took a sixth token of a burst of 5")
	}
}

// TestBucketsSweep: full buckets are dropped as keys pile up, the others
// kept; past MaxKeys a new key is not limited.
func TestBucketsSweep(t *testing.T) {
	c := newClock()
	b := newBuckets(c)
	b.MaxKeys = 3000
	r := throttle.Rate{PerSecond: 1, Burst: 1}
	for i := range 2000 {
		b.Take(fmt.Sprint("old", i), r)
	}
	if b.Len() != 2000 {
		t.Fatalf("%d buckets, want 2000", b.Len())
	}
	c.add(time.Second) // every old bucket is full again
	for i := range 1100 {
		b.Take(fmt.Sprint("new", i), r)
	}
	if n := b.Len(); n > 1100 {
		t.Errorf("%d buckets after the old ones filled up, want at most 1100", n)
	}
	for i := range 1100 {
		if w := b.Wait(fmt.Sprint("new", i), r); w == 0 {
			t.Fatalf("new%d lost its spent token in a sweep", i)
		}
	}
	// Fill up to MaxKeys with empty buckets: the next key goes unlimited.
	for i := 0; b.Len() < 3000; i++ {
		b.Take(fmt.Sprint("more", i), r)
	}
	for range 3 {
		if w := b.Take("one too many", r); w != 0 {
			t.Errorf("a key past MaxKeys was limited: wait %s", w)
		}
	}
	if b.Len() > 3000 {
		t.Errorf("%d buckets, past MaxKeys", b.Len())
	}
}

func TestSourceKey(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.7:4242":             "192.0.2.7",
		"[::ffff:192.0.2.7]:4242":    "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:3::1]:443":      "2001:db8:1:3::/64",
		"@":                          "@",
		"not an address":             "not an address",
		"[fe80::1%eth0]:80":          "fe80::/64",
	} {
		if got := throttle.SourceKey(addr); got != want {
			t.Errorf("SourceKey(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "1", time.Millisecond: "1", time.Second: "1", 1001 * time.Millisecond: "2", 1000 * time.Second: "1000",
	} {
		if got := throttle.RetryAfter(d); got != want {
			t.Errorf("RetryAfter(%s) = %s, want %s", d, got, want)
		}
	}
}

// TestGuard: a tenant spends its own budget or the default; only failures
// spend a source's; a nil Guard limits nothing.
func TestGuard(t *testing.T) {
	c := newClock()
	g := &throttle.Guard{Tenant: throttle.Rate{PerSecond: 1, Burst: 2}, Source: throttle.Rate{PerSecond: 1, Burst: 3}}
	g.SetClock(c.now)
	a := &opencube.Enterprise{AccessCode: "A"}
	b := &opencube.Enterprise{AccessCode: "B", RateLimit: &opencube.RateLimit{Rate: 5, Burst: 4}}
	took := func(e *opencube.Enterprise) int {
		n := 0
		for g.TenantTake(e) == 0 {
			n++
		}
		return n
	}
	if n := took(a); n != 2 {
		t.Errorf("A took %d, want the default burst 2", n)
	}
	if w := g.TenantWait(a); w != time.Second {
		t.Errorf("A waits %s, want 1s", w)
	}
	if n := took(b); n != 4 {
		t.Errorf("B took %d, want its own burst 4", n)
	}
	if w := g.TenantWait(b); w != 200*time.Millisecond {
		t.Errorf("B waits %s, want 200ms", w)
	}
	// Its own limit holds with the default off.
	off := &throttle.Guard{}
	if n := 0; true {
		for off.TenantTake(b) == 0 && n < 100 {
			n++
		}
		if n != 4 {
			t.Errorf("with no default, B took %d, want its own burst 4", n)
		}
		for range 100 {
			if off.TenantTake(a) != 0 {
				t.Fatal("with no default, A was limited")
			}
		}
	}

	const src, nat6 = "198.51.100.9:5000", "[2001:db8::1]:5000"
	for range 3 {
		if w := g.SourceWait(src); w != 0 {
			t.Fatalf("source waits %s before spending its failures", w)
		}
		g.Failed(src)
	}
	if w := g.SourceWait(src); w != time.Second {
		t.Errorf("source waits %s after 3 failures, want 1s", w)
	}
	if w := g.SourceWait("198.51.100.10:5000"); w != 0 {
		t.Errorf("another source waits %s", w)
	}
	for range 3 {
		g.Failed(nat6)
	}
	if w := g.SourceWait("[2001:db8::2]:6000"); w == 0 {
		t.Error("another address of the same /64 was not limited")
	}

	var none *throttle.Guard
	none.Failed(src)
	if none.SourceWait(src) != 0 || none.TenantWait(a) != 0 || none.TenantTake(a) != 0 {
		t.Error("a nil Guard limited")
	}
}
