package forwarded

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWrap(t *testing.T) {
	proxies, err := Parse("10.0.0.0/8, 192.0.2.7, 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		remote     string
		xff, proto string
		wantAddr   string
		wantSecure bool
	}{
		{name: "no proxy", remote: "203.0.113.5:4000", xff: "198.51.100.1", proto: "https", wantAddr: "203.0.113.5:4000"},
		{name: "trusted proxy", remote: "10.1.2.3:4000", xff: "198.51.100.1", proto: "https", wantAddr: "198.51.100.1:0", wantSecure: true},
		{name: "single trusted address", remote: "192.0.2.7:1", xff: "198.51.100.1", proto: "http", wantAddr: "198.51.100.1:0"},
		{name: "client-written hops are skipped", remote: "10.1.2.3:4000", xff: "6.6.6.6, 198.51.100.1, 10.9.9.9", wantAddr: "198.51.100.1:0"},
		{name: "garbage hop stops the walk", remote: "10.1.2.3:4000", xff: "198.51.100.1, nonsense", wantAddr: "10.1.2.3:4000"},
		{name: "no header", remote: "10.1.2.3:4000", wantAddr: "10.1.2.3:4000"},
		{name: "ipv6 proxy", remote: "[2001:db8::1]:443", xff: "2001:db9::5", proto: "https", wantAddr: "[2001:db9::5]:0", wantSecure: true},
		{name: "next to trusted", remote: "192.0.2.8:1", xff: "198.51.100.1", proto: "https", wantAddr: "192.0.2.8:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotAddr string
			var gotSecure bool
			h := proxies.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotAddr, gotSecure = r.RemoteAddr, Secure(r)
			}))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if gotAddr != tt.wantAddr || gotSecure != tt.wantSecure {
				t.Errorf("got %s secure=%v, want %s secure=%v", gotAddr, gotSecure, tt.wantAddr, tt.wantSecure)
			}
		})
	}
}

func TestParse(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0.1/8/2"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q): no error", bad)
		}
	}
	p, err := Parse("")
	if err != nil || len(p) != 0 {
		t.Errorf("Parse(\"\") = %v, %v", p, err)
	}
}
