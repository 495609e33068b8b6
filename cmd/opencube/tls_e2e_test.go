package main

// TLS of the server's own (--tls-cert, --tls-key): TLS 1.2+ only, no weak
// suites, HTTP/2, HSTS on the console, the certificate reloaded on SIGHUP
// without dropping open connections; the admin API and the console on
// --admin-addr only; the forwarding headers of --trusted-proxies only.

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/operator"
)

// testCert writes a self-signed certificate for 127.0.0.1 with serial to
// certFile and keyFile, and returns a pool trusting it.
func testCert(t *testing.T, certFile, keyFile string, serial int64) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "opencube test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// tlsClient is an HTTP client trusting pool, HTTP/2 first, with cfg's
// other settings.
func tlsClient(pool *x509.CertPool, cfg *tls.Config) *http.Client {
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg.RootCAs = pool
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool := testCert(t, certFile, keyFile, 1)
	s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
		m.Listen.TLSCert, m.Listen.TLSKey = certFile, keyFile
		m.Listen.AdminAddr = "127.0.0.1:0"
		m.AdminToken = "t"
	})
	if !strings.HasPrefix(s.m.URL(), "https://") || s.m.AdminURL() == s.m.URL() {
		t.Fatalf("URL %s, admin URL %s", s.m.URL(), s.m.AdminURL())
	}
	c := tlsClient(pool, nil)
	defer c.CloseIdleConnections()

	t.Run("HTTP/2 over TLS 1.2+", func(t *testing.T) {
		resp, err := c.Get(s.m.URL() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
			t.Errorf("proto %s, TLS %+v", resp.Proto, resp.TLS)
		}
	})
	t.Run("signed CSSS request over HTTP/2", func(t *testing.T) {
		cc := s.client(entP, demoSecret)
		cc.HTTP = c
		s.clock.Advance(time.Millisecond)
		resp, err := cc.Do(t.Context(), "/package/queryPackage", map[string]any{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, resp, csss.CodeOK)
		s.clock.Advance(time.Millisecond)
		resp, err = cc.Do(t.Context(), "/package/orderPackage", planDaily.order(simP(3), false), nil)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, resp, csss.CodeOK)
	})
	t.Run("TLS 1.2 client gets an AEAD suite", func(t *testing.T) {
		c12 := tlsClient(pool, &tls.Config{MaxVersion: tls.VersionTLS12})
		defer c12.CloseIdleConnections()
		resp, err := c12.Get(s.m.URL() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.TLS.Version != tls.VersionTLS12 || !strings.Contains(tls.CipherSuiteName(resp.TLS.CipherSuite), "ECDHE") {
			t.Errorf("version %x suite %s", resp.TLS.Version, tls.CipherSuiteName(resp.TLS.CipherSuite))
		}
	})
	refused := []struct {
		name string
		cfg  *tls.Config
	}{
		{"TLS 1.1", &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}},
		{"CBC suites", &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{
			tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_GCM_SHA256}}},
	}
	for _, tt := range refused {
		t.Run(tt.name+" refused", func(t *testing.T) {
			conn, err := tls.Dial("tcp", strings.TrimPrefix(s.m.URL(), "https://"), func() *tls.Config { tt.cfg.RootCAs = pool; return tt.cfg }())
			if err == nil {
				conn.Close()
				t.Fatal("handshake succeeded")
			}
		})
	}
	t.Run("console on the admin address only, with HSTS", func(t *testing.T) {
		resp, err := c.Get(s.m.AdminURL() + "/console/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("admin address: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
		}
		for _, path := range []string{"/console/login", "/admin/v1/enterprises"} {
			req, _ := http.NewRequest("GET", s.m.URL()+path, nil)
			req.Header.Set("Authorization", "Bearer t")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || strings.Contains(string(body), "P000270") {
				t.Errorf("main address serves %s: %d %s", path, resp.StatusCode, body)
			}
		}
		req, _ := http.NewRequest("GET", s.m.AdminURL()+"/admin/v1/enterprises", nil)
		req.Header.Set("Authorization", "Bearer t")
		resp, err = c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "P000270") {
			t.Errorf("admin address: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("openssl s_client", func(t *testing.T) {
		if _, err := exec.LookPath("openssl"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("openssl is required (scripts/test installs it)")
			}
			t.Skip("openssl not installed")
		}
		addr := strings.TrimPrefix(s.m.URL(), "https://")
		for _, tt := range []struct {
			flag string
			ok   bool
		}{{"-tls1_1", false}, {"-tls1_2", true}, {"-tls1_3", true}} {
			// SECLEVEL=0 lets openssl itself offer TLS 1.1: the refusal
			// must be the server's.
			cmd := exec.Command("openssl", "s_client", "-connect", addr, tt.flag, "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", certFile)
			cmd.Stdin = strings.NewReader("")
			out, err := cmd.CombinedOutput()
			if (err == nil) != tt.ok {
				t.Errorf("%s: err %v, want ok=%v\n%s", tt.flag, err, tt.ok, out)
			}
			if tt.ok && !strings.Contains(string(out), "Verify return code: 0") {
				t.Errorf("%s: certificate not verified\n%s", tt.flag, out)
			}
			if !tt.ok && !strings.Contains(string(out), "protocol version") {
				t.Errorf("%s: no protocol version alert\n%s", tt.flag, out)
			}
		}
	})
}

func TestTrustedProxies(t *testing.T) {
	for _, tt := range []struct {
		name, proxies string
		wantRemote    string
		wantSecure    bool
	}{
		{"trusted", "127.0.0.0/8", "198.51.100.7", true},
		{"not trusted", "10.0.0.0/8", "127.0.0.1", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var log syncBuffer
			s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
				m.Listen.TrustedProxies = tt.proxies
				m.Stderr = &log
				m.AdminToken = "t"
			})
			req, _ := http.NewRequest("GET", s.m.URL()+"/console/login", nil)
			req.Header.Set("X-Forwarded-For", "203.0.113.9, 198.51.100.7")
			req.Header.Set("X-Forwarded-Proto", "https")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Strict-Transport-Security") != ""; got != tt.wantSecure {
				t.Errorf("HSTS %v, want %v", got, tt.wantSecure)
			}
			for _, ck := range resp.Cookies() {
				if ck.Secure != tt.wantSecure {
					t.Errorf("cookie %s Secure %v, want %v", ck.Name, ck.Secure, tt.wantSecure)
				}
			}
			if len(resp.Cookies()) == 0 {
				t.Error("the sign-in page set no cookie")
			}
			if !regexp.MustCompile(`path=/console/login remote=` + regexp.QuoteMeta(tt.wantRemote) + ` `).MatchString(log.String()) {
				t.Errorf("access log lacks remote=%s:\n%s", tt.wantRemote, log.String())
			}
			// The audit trail names the same address.
			req, _ = http.NewRequest("POST", s.m.URL()+"/admin/v1/enterprises",
				strings.NewReader(`{"access_code":"PROXIED1","name":"Proxied","secret":"a-secret-of-enough-length"}`))
			req.Header.Set("Authorization", "Bearer t")
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", "203.0.113.9, 198.51.100.7")
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				t.Fatalf("create enterprise: %d %s", resp.StatusCode, body)
			}
			trail, err := client.NewAdmin(s.m.AdminURL(), "t").Audit(t.Context(), operator.AuditQuery{Object: "enterprise:PROXIED1"})
			if err != nil {
				t.Fatal(err)
			}
			if len(trail.Items) != 1 || trail.Items[0].Source != tt.wantRemote {
				t.Errorf("audit trail of the change: %+v, want source %s", trail.Items, tt.wantRemote)
			}
		})
	}
}

// TestTLSReloadOnSIGHUP runs `opencube serve` with a certificate, replaces
// the pair and sends SIGHUP: new connections get the new certificate, the
// open one keeps working; a broken pair then keeps the previous one.
func TestTLSReloadOnSIGHUP(t *testing.T) {
	bin, err := crashBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool := testCert(t, certFile, keyFile, 1)
	cmd := exec.Command(bin, "serve", "--demo", "--db", filepath.Join(dir, "db"), "--addr", "127.0.0.1:0",
		"--tls-cert", certFile, "--tls-key", keyFile, "--access-log=false")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// waitLog returns the first line (from now on) holding want.
	waitLog := func(want string) string {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("server ended before logging %q", want)
				}
				if strings.Contains(l, want) {
					return l
				}
			case <-timeout:
				t.Fatalf("no log line with %q", want)
			}
		}
	}
	addr := regexp.MustCompile(`addr=(\S+)`).FindStringSubmatch(waitLog("opencube serving"))[1]
	url := "https://" + addr + "/healthz"
	serial := func(c *http.Client) int64 {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 {
			t.Fatalf("%s: %s", resp.Proto, resp.Status)
		}
		return resp.TLS.PeerCertificates[0].SerialNumber.Int64()
	}
	// Both certificates come from their own key: the client trusts both.
	open := tlsClient(pool, nil)
	defer open.CloseIdleConnections()
	if got := serial(open); got != 1 {
		t.Fatalf("serial %d, want 1", got)
	}

	testCert(t, certFile, keyFile, 2)
	pool.AppendCertsFromPEM(mustRead(t, certFile))
	cmd.Process.Signal(syscall.SIGHUP)
	waitLog("TLS certificate reloaded")
	fresh := tlsClient(pool, nil)
	if got := serial(fresh); got != 2 {
		t.Errorf("after SIGHUP a new connection gets serial %d, want 2", got)
	}
	fresh.CloseIdleConnections()
	if got := serial(open); got != 1 {
		t.Errorf("the connection open before SIGHUP now shows serial %d: it was not kept", got)
	}

	if err := os.WriteFile(keyFile, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	waitLog("keeping the previous one")
	fresh = tlsClient(pool, nil)
	defer fresh.CloseIdleConnections()
	if got := serial(fresh); got != 2 {
		t.Errorf("after a broken pair a new connection gets serial %d, want 2 (the previous)", got)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
