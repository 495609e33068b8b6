package main

// Connections bounded in time and bodies in size, through the real
// listener: raw TCP clients on 127.0.0.1 against a server whose timeouts
// are set, short, by its flags. Nothing here asserts speed: only that a
// connection the server should cut is closed within a few times its bound.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/seal"
)

// Short bounds for the tests, set through the serve flags.
const (
	testHeaderTimeout = 400 * time.Millisecond
	testBodyTimeout   = 800 * time.Millisecond
	testIdleTimeout   = 600 * time.Millisecond
)

// startLimitedServer runs the server with the test bounds, set by flags.
func startLimitedServer(t *testing.T) *Main {
	t.Helper()
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Stderr = io.Discard
	if err := m.ParseFlags([]string{
		"--addr", "127.0.0.1:0", "--db", e2eDatabase(t), "--demo", "--job-interval", "0", "--admin-token", "t",
		"--read-header-timeout", testHeaderTimeout.String(), "--body-timeout", testBodyTimeout.String(),
		"--idle-timeout", testIdleTimeout.String(), "--write-timeout", "5s",
		// Kannel, so that its callbacks are served; nothing is sent.
		"--sms-gateway", "kannel", "--kannel-url", "http://127.0.0.1:1/cgi-bin/sendsms", "--kannel-callback-token", "0123456789abcdef",
	}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeMain(t, m) })
	return m
}

// dial opens a raw connection to the server.
func dial(t *testing.T, m *Main) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", m.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitClosed reads from c, discarding what the server answers, until the
// server closes it, and returns how long that took from start; it fails
// the test when c is still open after limit.
func waitClosed(t *testing.T, c net.Conn, start time.Time, limit time.Duration) (time.Duration, []byte) {
	t.Helper()
	c.SetReadDeadline(start.Add(limit))
	got, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after %v; read %q", limit, got)
	}
	return time.Since(start), got
}

func TestHTTPTimeouts(t *testing.T) {
	m := startLimitedServer(t)
	if s := m.server; s.ReadHeaderTimeout != testHeaderTimeout || s.IdleTimeout != testIdleTimeout || s.WriteTimeout != 5*time.Second {
		t.Fatalf("server bounds: header %v, idle %v, write %v", s.ReadHeaderTimeout, s.IdleTimeout, s.WriteTimeout)
	}

	// A body that trickles in (one byte every 100 ms of 1,000 announced)
	// is cut once the body timeout passes, on every protocol of the
	// listener, whether the handler is blocked reading it (CSSS, the Mall,
	// the admin API) or never reads it (Kannel's callbacks, 404s).
	for _, path := range []string{"/package/orderPackage", "/vshop/singleVerify", "/admin/v1/plans", "/kannel/mo?token=0123456789abcdef", "/no/such/path"} {
		t.Run("slow body "+path, func(t *testing.T) {
			t.Parallel()
			c := dial(t, m)
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: opencube\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", path)
			start := time.Now()
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for {
					select {
					case <-stop:
						return
					case <-time.After(100 * time.Millisecond):
					}
					if _, err := c.Write([]byte(" ")); err != nil {
						return
					}
				}
			}()
			took, _ := waitClosed(t, c, start, 5*testBodyTimeout)
			if took < testBodyTimeout-50*time.Millisecond {
				t.Errorf("cut after %v, before the body timeout %v", took, testBodyTimeout)
			}
		})
	}

	t.Run("slow headers", func(t *testing.T) {
		t.Parallel()
		c := dial(t, m)
		start := time.Now()
		io.WriteString(c, "POST /package/orderPackage HTTP/1.1\r\nHost: opencube\r\n")
		waitClosed(t, c, start, 5*testHeaderTimeout)
	})

	t.Run("silent connection", func(t *testing.T) {
		t.Parallel()
		c := dial(t, m)
		waitClosed(t, c, time.Now(), 5*testHeaderTimeout)
	})

	t.Run("idle keep-alive connection", func(t *testing.T) {
		t.Parallel()
		c := dial(t, m)
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: opencube\r\n\r\n")
		r := bufio.NewReader(c)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("healthz: %d, close %v", resp.StatusCode, resp.Close)
		}
		start := time.Now()
		c.SetReadDeadline(start.Add(5 * testIdleTimeout))
		if rest, err := io.ReadAll(r); len(rest) > 0 || err != nil {
			t.Fatalf("idle connection not closed: read %q, %v", rest, err)
		}
		if took := time.Since(start); took < testIdleTimeout-50*time.Millisecond {
			t.Errorf("closed after %v, before the idle timeout %v", took, testIdleTimeout)
		}
	})

	t.Run("a slow body within the bound is served", func(t *testing.T) {
		t.Parallel()
		c := dial(t, m)
		body := `{"access_code":"P000270"}`
		fmt.Fprintf(c, "POST /package/queryPackage HTTP/1.1\r\nHost: opencube\r\nContent-Length: %d\r\n\r\n", len(body))
		for i := range 4 { // 4 pieces, 100 ms apart: well within the bound
			time.Sleep(100 * time.Millisecond)
			io.WriteString(c, body[i*len(body)/4:(i+1)*len(body)/4])
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		var env struct{ Code string }
		json.NewDecoder(resp.Body).Decode(&env)
		if env.Code != csss.CodeSignature { // read whole, then refused for its missing sign
			t.Fatalf("answered %q, want %s", env.Code, csss.CodeSignature)
		}
	})
}

// TestOversizedBody: a body whose Content-Length is over its route's cap
// is refused, in the protocol's own format, before a byte of it is sent,
// and its connection is closed: at once when the rest is large (over
// net/http's 256 KiB), else once that rest has come or the body timeout
// has passed.
func TestOversizedBody(t *testing.T) {
	m := startLimitedServer(t)
	for _, tt := range []struct {
		path, want string
		size       int64
	}{
		{"/package/orderPackage", `"code":"1001"`, csss.DefaultMaxBody + 1},
		{"/package/batchOrderPackages", `"code":"1001"`, csss.BulkBaseBody + csss.DeviceBytes*1000 + 1},
		{"/vshop/singleOrder", `"code":"1001"`, 16<<10 + 1},
		{"/fms/user/login", `"code":2`, 16<<10 + 1},
		{"/admin/v1/plans", `"kind":"too_large"`, 64<<10 + 1},
		{"/kannel/mo", `too large`, 4<<10 + 1},
		{"/package/orderPackage", `"code":"1001"`, 1 << 40},
	} {
		t.Run(fmt.Sprintf("%s %d", tt.path, tt.size), func(t *testing.T) {
			t.Parallel()
			c := dial(t, m)
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: opencube\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", tt.path, tt.size)
			// Nothing of the body is sent: the answer cannot wait for it.
			start := time.Now()
			c.SetReadDeadline(start.Add(10 * time.Second))
			r := bufio.NewReader(c)
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			if !bytes.Contains(body, []byte(tt.want)) || !resp.Close {
				t.Fatalf("answered %d %s (close %v), want %s and the connection closed", resp.StatusCode, body, resp.Close, tt.want)
			}
			c.SetReadDeadline(start.Add(5 * testBodyTimeout))
			if rest, err := io.ReadAll(r); len(rest) > 0 || err != nil {
				t.Fatalf("connection not closed after the answer: read %q, %v", rest, err)
			}
		})
	}
}

// TestServeNeedsSMSGateway: outside sandbox mode `opencube serve` needs
// --sms-gateway, and exits with status 2 and a message naming it; in
// sandbox mode the sandbox device is the default, and outside it the
// device runs only when named.
func TestServeNeedsSMSGateway(t *testing.T) {
	if os.Getenv("OPENCUBE_TEST_MAIN") == "1" {
		// The child: the real main, with the arguments after "--".
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"opencube"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeNeedsSMSGateway$", "--", "serve", "--addr", "127.0.0.1:0", "--db", t.TempDir()+"/x.db")
	cmd.Env = append(cleanEnv(), "OPENCUBE_TEST_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("serve without --sms-gateway: %v, want exit status 2; stderr %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "--sms-gateway kannel|sandbox") {
		t.Fatalf("stderr %q does not name --sms-gateway kannel|sandbox", stderr.String())
	}
	if _, err := os.Stat(cmd.Args[len(cmd.Args)-1]); err == nil {
		t.Error("the refused server made its database")
	}

	for _, tt := range []struct {
		args []string
		want string // the gateway chosen, "" for a refusal
	}{
		{nil, ""},
		{[]string{"--sandbox"}, "sandbox"},
		{[]string{"--demo"}, "sandbox"},
		{[]string{"--sms-gateway", "sandbox"}, "sandbox"},
		{[]string{"--demo", "--sms-gateway", "kannel", "--kannel-url", "http://127.0.0.1:1/", "--kannel-callback-token", strings.Repeat("t", 16)}, "kannel"},
	} {
		m := NewMain()
		m.Masters = seal.Demo() // the published demo key: tests only
		m.Stderr = io.Discard
		err := m.ParseFlags(tt.args)
		switch {
		case tt.want == "" && !errors.Is(err, errNoSMSGateway):
			t.Errorf("%q: %v, want %v", tt.args, err, errNoSMSGateway)
		case tt.want != "" && (err != nil || m.SMS.Gateway != tt.want):
			t.Errorf("%q: gateway %q, %v; want %s", tt.args, m.SMS.Gateway, err, tt.want)
		}
	}
	// Main built in code follows the same rule.
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr, m.DB, m.Stderr = "127.0.0.1:0", t.TempDir()+"/y.db", io.Discard
	if err := m.Run(t.Context()); !errors.Is(err, errNoSMSGateway) {
		m.Close()
		t.Fatalf("Run outside sandbox mode without a gateway: %v", err)
	}
}

// cleanEnv is the environment without OPENCUBE_ settings, which would
// change the command line under test.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPENCUBE_") {
			env = append(env, kv)
		}
	}
	return env
}
