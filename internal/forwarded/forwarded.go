package forwarded

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the networks of the reverse proxies whose forwarding headers
// the server believes. The zero value trusts none.
type Proxies []netip.Prefix

// Parse reads a comma-separated list of CIDRs (10.0.0.0/8,
// 2001:db8::/32) or single addresses (127.0.0.1, as a /32 or /128); an
// empty string is no proxy.
func Parse(s string) (Proxies, error) {
	var p Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("%q is neither a CIDR nor an address", f)
			}
			a = a.Unmap()
			p = append(p, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		n, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR: %v", f, err)
		}
		if n.Addr().Is4In6() {
			n = netip.PrefixFrom(n.Addr().Unmap(), n.Bits()-96)
		}
		p = append(p, n.Masked())
	}
	return p, nil
}

// Contains reports whether a is the address of a trusted proxy.
func (p Proxies) Contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, n := range p {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

type httpsKey struct{}

// Wrap returns h behind the proxies: a request whose connection comes from
// one of them has its RemoteAddr replaced by the client's address, the
// nearest address of X-Forwarded-For that is not a trusted proxy (what
// every later part of the server, its logs and its per-address limits,
// then sees), and is marked HTTPS (Secure) when X-Forwarded-Proto says
// https. Requests from any other peer are left as they are. Without
// proxies, Wrap returns h.
func (p Proxies) Wrap(h http.Handler) http.Handler {
	if len(p) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, ok := addrOf(r.RemoteAddr)
		if !ok || !p.Contains(peer) {
			h.ServeHTTP(w, r)
			return
		}
		client := peer
		var hops []string
		for _, v := range r.Header.Values("X-Forwarded-For") {
			hops = append(hops, strings.Split(v, ",")...)
		}
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a hop that is not an address: trust nothing beyond it
			}
			client = a.Unmap()
			if !p.Contains(client) {
				break
			}
		}
		r2 := r
		if client != peer {
			r2 = r.Clone(r.Context())
			r2.RemoteAddr = net.JoinHostPort(client.String(), "0")
		}
		if proto := r.Header.Get("X-Forwarded-Proto"); strings.EqualFold(strings.TrimSpace(lastOf(proto)), "https") {
			r2 = r2.WithContext(context.WithValue(r2.Context(), httpsKey{}, true))
		}
		h.ServeHTTP(w, r2)
	})
}

// Secure reports whether the request's client used HTTPS: the connection
// is TLS, or a trusted proxy said so (Wrap).
func Secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	v, _ := r.Context().Value(httpsKey{}).(bool)
	return v
}

// addrOf is the address of a "host:port" RemoteAddr.
func addrOf(remote string) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(remote)
	if err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(remote)
	return a.Unmap(), err == nil
}

// lastOf is the last element of a comma-separated header value: what the
// proxy nearest to the server wrote.
func lastOf(v string) string {
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		return v[i+1:]
	}
	return v
}
