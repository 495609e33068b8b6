package main

// The crash test (D28): real `opencube serve` processes, killed with
// SIGKILL under load and started again on the same database; every request
// that was in flight is retried until it is answered, and no change
// happens twice.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// crashBinary builds the opencube binary once for the crash tests.
var crashBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "opencube-crash")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "opencube")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// crashNode is one `opencube serve` process.
type crashNode struct {
	cmd  *exec.Cmd
	addr string // HOST:PORT
	url  string
	log  string // its output's file
	done chan struct{}
	err  error // cmd.Wait's, once done is closed
}

// startCrashNode starts `opencube serve --demo` on db with flags, writing
// its output to logPath, and waits until it answers /readyz.
func startCrashNode(t *testing.T, bin, db, logPath string, flags ...string) *crashNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, append([]string{"serve", "--demo", "--db", db, "--addr", addr}, flags...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &crashNode{cmd: cmd, addr: addr, url: "http://" + addr, log: logPath, done: make(chan struct{})}
	go func() { n.err = cmd.Wait(); close(n.done) }()
	t.Cleanup(n.kill)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(n.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return n
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("opencube serve did not become ready on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL, as a crash would, unless it ended.
func (n *crashNode) kill() {
	select {
	case <-n.done:
	default:
		n.cmd.Process.Kill()
		<-n.done
	}
}

// crashTally counts what the clients saw.
type crashTally struct {
	mu       sync.Mutex
	requests int // distinct requests sent
	retried  int // requests sent again after a failed send
	inflight int // of those, requests the server had taken when it died (not a refused connection)
	attempts int // sends in all
	system   []string
	orders   map[string]bool // order ids answered by orderPackage
	renewals map[string]int  // renewals answered 0000, by order id
	sms      map[string]bool // message ids answered by sendSms
}

// crashClient drives one SIM through orders and messages, against whichever
// node is up now.
type crashClient struct {
	t     *testing.T
	url   *atomic.Value // the current node's base URL
	c     *client.Client
	sim   string
	tally *crashTally
	keyed bool // send an Idempotency-Key (re-signing each retry)
	sent  int  // messages sent
}

// send sends one request until it is answered: the same bytes again, or,
// with an Idempotency-Key, the same parameters signed anew. It never gives
// up on a request it started (within a bound): a client that did could not
// tell what happened to it.
func (cc *crashClient) send(path string, params map[string]any) *client.Response {
	ctx := context.Background()
	var header http.Header
	if cc.keyed {
		header = http.Header{"Idempotency-Key": {opencube.NewUUID()}}
	}
	body, err := cc.c.Body(params)
	if err != nil {
		cc.t.Error(err)
		return nil
	}
	cc.tally.mu.Lock()
	cc.tally.requests++
	cc.tally.mu.Unlock()
	taken := false // the server took a send of it and died before answering
	for attempt := 0; ; attempt++ {
		if attempt == 1 {
			cc.tally.mu.Lock()
			cc.tally.retried++
			cc.tally.mu.Unlock()
		}
		if attempt > 0 && cc.keyed {
			if body, err = cc.c.Body(params); err != nil {
				cc.t.Error(err)
				return nil
			}
		}
		cc.c.BaseURL = cc.url.Load().(string)
		cc.tally.mu.Lock()
		cc.tally.attempts++
		cc.tally.mu.Unlock()
		resp, err := cc.c.Post(ctx, path, body, header)
		if err == nil && resp.Status == http.StatusOK {
			if resp.Code == csss.CodeSystem {
				cc.tally.mu.Lock()
				cc.tally.system = append(cc.tally.system, fmt.Sprintf("%s: %s", path, resp.Body))
				cc.tally.mu.Unlock()
			}
			return resp
		}
		var op *net.OpError
		if !taken && err != nil && !(errors.As(err, &op) && op.Op == "dial") {
			taken = true // reset or cut mid-request: in flight at the kill
			cc.tally.mu.Lock()
			cc.tally.inflight++
			cc.tally.mu.Unlock()
		}
		if attempt > 3000 {
			cc.t.Errorf("%s: no answer after %d attempts: %v", path, attempt, err)
			return nil
		}
		time.Sleep(10 * time.Millisecond) // the node is down: wait for the next
	}
}

// run places, enables, renews and ends orders and sends messages until ctx
// ends; a request under way when it does is carried through.
func (cc *crashClient) run(ctx context.Context) {
	for ctx.Err() == nil {
		resp := cc.send("/package/orderPackage", planMonthly.order(cc.sim, false))
		if resp == nil {
			return
		}
		if resp.Code != csss.CodeOK {
			continue // the SIM's last order may still be active: end it below
		}
		var d struct {
			OrderID string `json:"order_id"`
		}
		json.Unmarshal(resp.Data, &d)
		cc.tally.mu.Lock()
		cc.tally.orders[d.OrderID] = true
		cc.tally.mu.Unlock()
		cc.send("/package/openOrder", map[string]any{"order_id": d.OrderID})
		for range 1 + rand.IntN(3) {
			if r := cc.send("/package/renewPackage", map[string]any{"order_id": d.OrderID, "renew_period": 1}); r != nil && r.Code == csss.CodeOK {
				cc.tally.mu.Lock()
				cc.tally.renewals[d.OrderID]++
				cc.tally.mu.Unlock()
			}
		}
		if cc.sent++; cc.sent > 60 { // within the daily limit of a SIM
			cc.send("/package/endOrder", map[string]any{"order_id": d.OrderID})
			continue
		}
		if r := cc.send("/sms/sendSms", map[string]any{"device_id": cc.sim, "content": "crash test " + d.OrderID}); r != nil && r.Code == csss.CodeOK {
			var m struct {
				SMSID string `json:"sms_id"`
			}
			json.Unmarshal(r.Data, &m)
			cc.tally.mu.Lock()
			cc.tally.sms[m.SMSID] = true
			cc.tally.mu.Unlock()
		}
		cc.send("/package/endOrder", map[string]any{"order_id": d.OrderID})
	}
}

// TestCrashRetries kills the server twice under load, at a random moment,
// and starts it again on the same database: every request is answered,
// none with 9999, and no order, renewal or message is made twice. It runs
// on SQLite, and on PostgreSQL when OPENCUBE_E2E_STORE=postgres, where a
// second node takes the retries while the first is down.
func TestCrashRetries(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real server processes")
	}
	bin, err := crashBinary()
	if err != nil {
		t.Fatal(err)
	}
	db := e2eDatabase(t)
	logPath := filepath.Join(t.TempDir(), "serve.log")
	node := startCrashNode(t, bin, db, logPath)
	var url atomic.Value
	url.Store(node.url)

	tally := &crashTally{orders: map[string]bool{}, renewals: map[string]int{}, sms: map[string]bool{}}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range 8 {
		cc := &crashClient{t: t, url: &url, c: client.New(node.url, entP, service.DemoSecret), sim: simP(i), tally: tally, keyed: i%2 == 1}
		cc.c.HTTP = &http.Client{Timeout: 20 * time.Second}
		// Each body its own millisecond: the same body twice is one
		// request (D5), and this client means every one.
		var last time.Time
		cc.c.Now = func() time.Time {
			now := time.Now().Truncate(time.Millisecond)
			if !now.After(last) {
				now = last.Add(time.Millisecond)
			}
			last = now
			return now
		}
		wg.Go(func() { cc.run(ctx) })
	}
	// On PostgreSQL a second node serves while the first is down: the
	// retries of what was in flight on the killed node run there at once.
	var backup *crashNode
	if isPostgres(db) {
		backup = startCrashNode(t, bin, db, logPath)
	}
	const kills = 2
	for k := range kills {
		time.Sleep(time.Duration(300+rand.IntN(700)) * time.Millisecond)
		node.kill()
		if backup != nil {
			url.Store(backup.url)
		}
		time.Sleep(time.Duration(rand.IntN(100)) * time.Millisecond)
		node = startCrashNode(t, bin, db, logPath)
		url.Store(node.url)
		t.Logf("kill %d: started again at %s", k+1, node.url)
	}
	time.Sleep(500 * time.Millisecond)
	stop()
	wg.Wait()
	node.kill()
	if backup != nil {
		backup.kill()
	}

	tally.mu.Lock()
	defer tally.mu.Unlock()
	t.Logf("%d requests, %d sends, %d sent again, %d of them in flight at a kill; %d orders, %d messages",
		tally.requests, tally.attempts, tally.retried, tally.inflight, len(tally.orders), len(tally.sms))
	for _, s := range tally.system {
		t.Errorf("answered 9999: %s", s)
	}
	if tally.inflight == 0 {
		t.Errorf("no request was in flight at a kill: the test proved nothing")
	}
	store, err := openStore(context.Background(), db, dbOptions{MaxConns: 4}, seal.Demo())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	orders, _, err := store.FindOrders(context.Background(), opencube.OrderFilter{Enterprise: entP})
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != len(tally.orders) {
		t.Errorf("%d orders stored, %d answered: a request ran twice or an answer was lost", len(orders), len(tally.orders))
	}
	for _, o := range orders {
		if !tally.orders[o.ID] {
			t.Errorf("order %s stored, never answered", o.ID)
		}
		if o.RenewPeriod != tally.renewals[o.ID] {
			t.Errorf("order %s renewed %d times, %d renewals answered", o.ID, o.RenewPeriod, tally.renewals[o.ID])
		}
	}
	msgs, _, err := store.FindSMS(context.Background(), opencube.SMSFilter{Enterprise: entP, Direction: opencube.SMSMT})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != len(tally.sms) {
		t.Errorf("%d messages stored, %d answered", len(msgs), len(tally.sms))
	}
}
