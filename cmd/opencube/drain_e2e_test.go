package main

// SIGTERM under load: a real `opencube serve` process stops accepting,
// answers every request in flight, and only then closes its database. No
// request that got an answer is lost.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// TestSIGTERMDrains sends SIGTERM to a server under load from eight
// clients, with four more requests provably in flight: each has sent its
// headers and been told by the handler to go on (100 Continue), and sends
// its body only once the listener is closed. Every one of these gets its
// answer, the process exits 0, and every order answered 0000, by them or
// by the load, is in the database.
func TestSIGTERMDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real server process")
	}
	bin, err := crashBinary()
	if err != nil {
		t.Fatal(err)
	}
	db, logPath := e2eDatabase(t), filepath.Join(t.TempDir(), "serve.log")
	node := startCrashNode(t, bin, db, logPath, "--shutdown-timeout", "60s")
	addr, base, cmd := node.addr, node.url, node.cmd

	var (
		mu       sync.Mutex
		answered = map[string]bool{} // order ids answered 0000
		failures = map[string]int{}  // transport errors of the load, by text
	)
	// Each body its own millisecond, across every client: the same body
	// twice would be one request (D5).
	var clockMu sync.Mutex
	var last time.Time
	now := func() time.Time {
		clockMu.Lock()
		defer clockMu.Unlock()
		n := time.Now().Truncate(time.Millisecond)
		if !n.After(last) {
			n = last.Add(time.Millisecond)
		}
		last = n
		return n
	}
	newClient := func() *client.Client {
		c := client.New(base, entP, service.DemoSecret)
		c.HTTP = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{}}
		c.Now = now
		return c
	}
	record := func(resp *client.Response) {
		if resp.Code != csss.CodeOK {
			return
		}
		var d struct {
			OrderID string `json:"order_id"`
		}
		json.Unmarshal(resp.Data, &d)
		mu.Lock()
		answered[d.OrderID] = true
		mu.Unlock()
	}

	// The load: orders, not enabled, until the server stops answering. An
	// Idempotency-Key makes a request that met a keep-alive connection
	// closing under it safe to send again, which Go's transport does.
	var (
		load     sync.WaitGroup
		progress = make(chan struct{}, 1024)
	)
	for i := range 8 {
		c := newClient()
		load.Go(func() {
			for {
				body, err := c.Body(planMonthly.order(simP(i), false))
				if err != nil {
					t.Error(err)
					return
				}
				resp, err := c.Post(context.Background(), "/package/orderPackage", body, http.Header{"Idempotency-Key": {opencube.NewUUID()}})
				if err != nil {
					mu.Lock()
					failures[transportError(err)]++
					mu.Unlock()
					return
				}
				if resp.Status != http.StatusOK {
					t.Errorf("orderPackage: HTTP %d", resp.Status)
					return
				}
				record(resp)
				select {
				case progress <- struct{}{}:
				default:
				}
			}
		})
	}
	for range 100 {
		<-progress
	}

	// Requests in flight: headers sent, the handler reading the body.
	type slow struct {
		conn net.Conn
		r    *bufio.Reader
		body []byte
	}
	var slows []*slow
	for i := range 4 {
		body, err := newClient().Body(planMonthly.order(simP(8+i%2), false))
		if err != nil {
			t.Fatal(err)
		}
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /package/orderPackage HTTP/1.1\r\nHost: opencube\r\nContent-Type: application/json\r\n"+
			"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", len(body))
		s := &slow{conn: conn, r: bufio.NewReader(conn), body: body}
		resp, err := http.ReadResponse(s.r, nil)
		if err != nil || resp.StatusCode != http.StatusContinue {
			t.Fatalf("request %d: want 100 Continue, got %v %v", i, resp, err)
		}
		slows = append(slows, s)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The listener closes first.
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after SIGTERM")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The requests in flight are answered, after the listener closed.
	for i, s := range slows {
		if _, err := s.conn.Write(s.body); err != nil {
			t.Fatalf("request %d in flight at SIGTERM: writing its body: %v", i, err)
		}
		resp, err := http.ReadResponse(s.r, nil)
		if err != nil {
			t.Fatalf("request %d in flight at SIGTERM: no answer: %v", i, err)
		}
		var env struct {
			Code string `json:"code"`
			Data struct {
				OrderID string `json:"order_id"`
			} `json:"data"`
		}
		err = json.NewDecoder(resp.Body).Decode(&env)
		resp.Body.Close()
		if err != nil || env.Code != csss.CodeOK || env.Data.OrderID == "" {
			t.Fatalf("request %d in flight at SIGTERM: answer %+v, %v", i, env, err)
		}
		mu.Lock()
		answered[env.Data.OrderID] = true
		mu.Unlock()
	}
	load.Wait()
	select {
	case <-node.done:
		if err := node.err; err != nil {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("opencube serve after SIGTERM: %v\n%s", err, log)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("opencube serve did not exit after SIGTERM")
	}
	log, _ := os.ReadFile(logPath)
	if !bytes.Contains(log, []byte("shutting down")) {
		t.Errorf("no shutdown in the log:\n%s", log)
	}

	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d orders answered; the load's last requests ended with %v", len(answered), failures)
	store, err := openStore(context.Background(), db, dbOptions{MaxConns: 4}, seal.Demo())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	orders, _, err := store.FindOrders(context.Background(), opencube.OrderFilter{Enterprise: entP})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, o := range orders {
		stored[o.ID] = true
	}
	for id := range answered {
		if !stored[id] {
			t.Errorf("order %s was answered 0000 and is not in the database", id)
		}
	}
}

// transportError names the kind of a failed request, for the log.
func transportError(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return strconv.Quote(err.Error())
}

// TestShutdownTimeoutFlag: 20 s by default, set by --shutdown-timeout,
// never negative.
func TestShutdownTimeoutFlag(t *testing.T) {
	if got := NewMain().HTTP.ShutdownTimeout; got != 20*time.Second {
		t.Errorf("default --shutdown-timeout %s, want 20s", got)
	}
	for _, tt := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{{"5s", 5 * time.Second, true}, {"0", 0, true}, {"-1s", 0, false}} {
		m := NewMain()
		m.Masters = seal.Demo() // the published demo key: tests only
		m.Stderr = io.Discard
		err := m.ParseFlags([]string{"--demo", "--shutdown-timeout", tt.value})
		switch {
		case tt.ok && (err != nil || m.HTTP.ShutdownTimeout != tt.want):
			t.Errorf("--shutdown-timeout %s: %s, %v; want %s", tt.value, m.HTTP.ShutdownTimeout, err, tt.want)
		case !tt.ok && err == nil:
			t.Errorf("--shutdown-timeout %s accepted", tt.value)
		}
	}
}
