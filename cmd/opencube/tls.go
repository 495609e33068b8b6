package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/opencube/opencube/internal/forwarded"
)

// listenConfig is how the server meets the network: TLS of its own
// (--tls-cert, --tls-key), the admin API and the console on an address of
// their own (--admin-addr), and the reverse proxies whose forwarding
// headers it believes (--trusted-proxies).
type listenConfig struct {
	// TLSCert and TLSKey are PEM files: the certificate chain and its
	// private key. Both or neither.
	TLSCert, TLSKey string
	// AdminAddr, when set, serves the admin API and the console there
	// only (not on --addr).
	AdminAddr string
	// TrustedProxies are comma-separated CIDRs (forwarded.Parse).
	TrustedProxies string

	proxies forwarded.Proxies
	cert    *certificate
}

// define adds the listener flags to fs.
func (c *listenConfig) define(fs *flag.FlagSet) {
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "serve HTTPS (TLS 1.2+, HTTP/2) with this PEM certificate chain, with --tls-key; SIGHUP reloads the pair")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "the PEM private key of --tls-cert")
	fs.StringVar(&c.AdminAddr, "admin-addr", c.AdminAddr, "serve the admin API and the console on this HOST:PORT only, not on --addr")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", c.TrustedProxies, "comma-separated CIDRs of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed")
}

// check validates the listener flags.
func (c *listenConfig) check() error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("serve: --tls-cert and --tls-key go together")
	}
	p, err := forwarded.Parse(c.TrustedProxies)
	if err != nil {
		return fmt.Errorf("serve: --trusted-proxies: %w", err)
	}
	c.proxies = p
	return nil
}

// tlsConfig returns the TLS settings of every listener, loading the pair
// the first time; nil without TLS.
func (c *listenConfig) tlsConfig(logger *slog.Logger) (*tls.Config, error) {
	if c.TLSCert == "" {
		return nil, nil
	}
	if c.cert == nil {
		c.cert = &certificate{certFile: c.TLSCert, keyFile: c.TLSKey, logger: logger}
		if err := c.cert.load(); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
	}
	return serverTLS(c.cert.get), nil
}

// serverTLS is the TLS configuration of the listeners: TLS 1.2 and 1.3
// only, TLS 1.2 limited to forward-secret AEAD suites (TLS 1.3's are all
// strong), HTTP/2 offered first.
func serverTLS(get func(*tls.ClientHelloInfo) (*tls.Certificate, error)) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		NextProtos:     []string{"h2", "http/1.1"},
		GetCertificate: get,
	}
}

// certificate is the pair the listeners present: read at start, and again
// on every reload. Handshakes read the current pair, so a reload takes
// effect for new connections while those open keep going.
type certificate struct {
	certFile, keyFile string
	logger            *slog.Logger
	current           atomic.Pointer[tls.Certificate]
}

// load reads the pair; on error the current one stays.
func (c *certificate) load() error {
	pair, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s and key %s: %w", c.certFile, c.keyFile, err)
	}
	if pair.Leaf == nil && len(pair.Certificate) > 0 {
		if pair.Leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return fmt.Errorf("TLS certificate %s: %w", c.certFile, err)
		}
	}
	c.current.Store(&pair)
	return nil
}

func (c *certificate) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return c.current.Load(), nil
}

// ReloadTLS reads the TLS certificate and key again (SIGHUP does it): new
// connections get the new pair, open ones are not dropped. A pair that
// cannot be read is logged and the previous one kept. Without TLS it does
// nothing.
func (m *Main) ReloadTLS() error {
	c := m.Listen.cert
	if c == nil {
		m.Logger.Info("SIGHUP: no TLS certificate to reload")
		return nil
	}
	if err := c.load(); err != nil {
		m.Logger.Error("TLS certificate not reloaded: keeping the previous one", "err", err)
		return err
	}
	leaf := c.current.Load().Leaf
	m.Logger.Info("TLS certificate reloaded", "subject", leaf.Subject.String(), "serial", leaf.SerialNumber.String(), "not_after", leaf.NotAfter)
	return nil
}

// serveOn serves srv on ln: over TLS with cfg (HTTP/2 included) when it
// is not nil.
func serveOn(srv *http.Server, ln net.Listener, cfg *tls.Config) {
	if cfg == nil {
		go srv.Serve(ln)
		return
	}
	srv.TLSConfig = cfg.Clone()
	go srv.ServeTLS(ln, "", "")
}
