package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// startNode runs one opencube node on the PostgreSQL database at url.
func startNode(t *testing.T, url string, demo bool) *Main {
	t.Helper()
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr = "127.0.0.1:0"
	m.DB = url
	m.Demo = demo
	m.SMS.Gateway = "sandbox"
	m.Stderr = io.Discard
	m.JobInterval = 0
	if err := m.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() { closeMain(t, m) })
	return m
}

// ledger records what the nodes acknowledged.
type ledger struct {
	mu    sync.Mutex
	acked map[string]int // order id -> times acknowledged
}

func (l *ledger) ack(ids ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		l.acked[id]++
	}
}

// TestMultiNode runs two nodes on one PostgreSQL database and sends them
// interleaved concurrent orders, enables, bulk orders and replays: every
// acknowledged order exists exactly once, nothing refused exists at all,
// and each contested move has exactly one winner.
func TestMultiNode(t *testing.T) {
	url := pgtest.Schema(t)
	a := startNode(t, url, true)
	b := startNode(t, url, false)
	if a.node == b.node || a.node < 0 || b.node < 0 {
		t.Fatalf("nodes leased numbers %d and %d, want two different ones", a.node, b.node)
	}
	nodes := []*Main{a, b}
	clientOf := func(i int, code string) *client.Client {
		return client.New(nodes[i%2].URL(), code, service.DemoSecret)
	}
	ctx := t.Context()
	l := &ledger{acked: map[string]int{}}
	var wg sync.WaitGroup
	fail := make(chan string, 1000)
	call := func(i int, code, path string, params map[string]any) *client.Response {
		resp, err := clientOf(i, code).Do(ctx, path, params, nil)
		if err != nil {
			fail <- fmt.Sprintf("%s: %v", path, err)
			return nil
		}
		return resp
	}
	order := func(iccid string, open bool, amount int) map[string]any {
		return withParams(planMonthly.order(iccid, open), "pay_amount", fmt.Sprintf("%d.%02d", amount/100, amount%100))
	}

	// 1. Forty not-enabled orders, ten SIMs, alternating nodes, at once.
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := call(i, entP, "/package/orderPackage", order(simP(i%10), false, i))
			if resp == nil || resp.Code != csss.CodeOK {
				fail <- fmt.Sprintf("order %d: %+v", i, resp)
				return
			}
			l.ack(string(bytes.Split(bytes.Split(resp.Data, []byte(`"order_id":"`))[1], []byte(`"`))[0]))
		}()
	}
	wg.Wait()

	// 2. Two nodes race to order-and-enable for each SIM: one wins, the
	// other is refused (2004) and leaves nothing behind.
	wins := make([]int, 10)
	var winsMu sync.Mutex
	for sim := range 10 {
		for n := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp := call(n, entP, "/package/orderPackage", order(simP(sim), true, 1000+sim*2+n))
				switch {
				case resp == nil:
				case resp.Code == csss.CodeOK:
					winsMu.Lock()
					wins[sim]++
					winsMu.Unlock()
					var d struct {
						OrderID string `json:"order_id"`
					}
					if err := jsonUnmarshal(resp.Data, &d); err != nil {
						fail <- err.Error()
					}
					l.ack(d.OrderID)
				case resp.Code != csss.CodeOrderState:
					fail <- fmt.Sprintf("is_open race: %s", resp.Body)
				}
			}()
		}
	}
	wg.Wait()
	for sim, w := range wins {
		if w != 1 {
			t.Errorf("SIM %s: %d winners of the order-and-enable race, want 1", simP(sim), w)
		}
	}

	// 3. Both nodes enable the same OTA order at the same moment: exactly one
	// success and one 2004, for each of ten orders.
	otaIDs := make([]string, 10)
	for i := range otaIDs {
		resp := call(i, entQ, "/package/createOtaOrder", withParams(planOTA.ota(simQ(i)), "pay_amount", fmt.Sprintf("%d", i)))
		if resp == nil || resp.Code != csss.CodeOK {
			t.Fatalf("createOtaOrder: %+v", resp)
		}
		var d struct {
			OrderID string `json:"order_id"`
		}
		if err := jsonUnmarshal(resp.Data, &d); err != nil {
			t.Fatal(err)
		}
		otaIDs[i] = d.OrderID
		l.ack(d.OrderID)
	}
	codes := make([][2]string, 10)
	for i, id := range otaIDs {
		for n := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Two different requests (one names the SIM), so that the
				// replay guard does not make them one.
				p := map[string]any{"order_id": id}
				if n == 1 {
					p["device_id"] = simQ(i)
				}
				if resp := call(n, entQ, "/package/openOrder", p); resp != nil {
					codes[i][n] = resp.Code
				}
			}()
		}
	}
	wg.Wait()
	for i, c := range codes {
		if !(c == [2]string{csss.CodeOK, csss.CodeOrderState} || c == [2]string{csss.CodeOrderState, csss.CodeOK}) {
			t.Errorf("enabling %s on both nodes answered %v, want one 0000 and one 2004", otaIDs[i], c)
		}
	}

	// 4. Bulk orders at once on both nodes: a good one succeeds whole, one
	// naming a foreign SIM fails whole (2006) and writes nothing.
	bulk := func(list []string) map[string]any {
		p := planMonthly.order("", false)
		delete(p, "device_id")
		p["deviceList"] = list
		return p
	}
	good := []string{simP(0), simP(1), simP(2), simP(3)}
	bad := []string{simP(4), simP(5), simQ(0)}
	var goodResp, badResp *client.Response
	wg.Add(2)
	go func() { defer wg.Done(); goodResp = call(0, entP, "/package/batchOrderPackages", bulk(good)) }()
	go func() { defer wg.Done(); badResp = call(1, entP, "/package/batchOrderPackages", bulk(bad)) }()
	wg.Wait()
	if goodResp == nil || goodResp.Code != csss.CodeOK || badResp == nil || badResp.Code != csss.CodeBulkRejected {
		t.Fatalf("bulk answers: good %+v bad %+v", goodResp, badResp)
	}
	var bd struct {
		DeviceOrder []struct {
			OrderID string `json:"order_id"`
		} `json:"device_order"`
	}
	if err := jsonUnmarshal(goodResp.Data, &bd); err != nil || len(bd.DeviceOrder) != len(good) {
		t.Fatalf("good bulk data %s: %v", goodResp.Data, err)
	}
	for _, d := range bd.DeviceOrder {
		l.ack(d.OrderID)
	}

	// 5. One signed request sent to both nodes at once runs once (D5).
	body, err := clientOf(0, entP).Body(order(simP(9), false, 9999))
	if err != nil {
		t.Fatal(err)
	}
	answers := make([][]byte, 2)
	for n := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(nodes[n].URL()+"/package/orderPackage", "application/json", bytes.NewReader(body))
			if err != nil {
				fail <- err.Error()
				return
			}
			defer resp.Body.Close()
			answers[n], _ = io.ReadAll(resp.Body)
		}()
	}
	wg.Wait()
	if !bytes.Equal(answers[0], answers[1]) || !bytes.Contains(answers[0], []byte(`"code":"0000"`)) {
		t.Fatalf("the same request on two nodes answered\n%s\n%s", answers[0], answers[1])
	}
	var rd struct {
		Data struct {
			OrderID string `json:"order_id"`
		} `json:"data"`
	}
	if err := jsonUnmarshal(answers[0], &rd); err != nil {
		t.Fatal(err)
	}
	l.ack(rd.Data.OrderID)

	close(fail)
	for f := range fail {
		t.Error(f)
	}

	// Every acknowledged order exists once; nothing else exists.
	stored := map[string]int{}
	for _, code := range []string{entP, entQ} {
		orders, total, err := a.Store.FindOrders(ctx, opencube.OrderFilter{Enterprise: code})
		if err != nil {
			t.Fatal(err)
		}
		if total != len(orders) {
			t.Fatalf("total %d for %d orders", total, len(orders))
		}
		for _, o := range orders {
			stored[o.ID]++
		}
	}
	for id, n := range l.acked {
		if n != 1 || stored[id] != 1 {
			t.Errorf("order %s acknowledged %d times, stored %d times", id, n, stored[id])
		}
	}
	if len(stored) != len(l.acked) {
		t.Errorf("%d orders stored, %d acknowledged", len(stored), len(l.acked))
	}
	want := 40 + 10 + 10 + len(good) + 1
	if len(l.acked) != want {
		t.Errorf("%d orders acknowledged, want %d", len(l.acked), want)
	}
}

// jsonUnmarshal is json.Unmarshal.
func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
