package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// benchReceiver is a webhook receiver on loopback that answers at once and
// records, per delivery, how long after its event it arrived.
type benchReceiver struct {
	srv   *httptest.Server
	count atomic.Int64
	all   chan struct{} // closed when want deliveries arrived
	want  int64
	mu    sync.Mutex
	delay []time.Duration
}

func newBenchReceiver(b *testing.B, want int) *benchReceiver {
	r := &benchReceiver{all: make(chan struct{}), want: int64(want)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		now := time.Now()
		body, _ := io.ReadAll(req.Body)
		var p struct {
			EventTime string `json:"event_time"`
		}
		json.Unmarshal(body, &p)
		if ms, err := strconv.ParseInt(p.EventTime, 10, 64); err == nil {
			r.mu.Lock()
			r.delay = append(r.delay, now.Sub(time.UnixMilli(ms)))
			r.mu.Unlock()
		}
		io.WriteString(w, `{"code":"0000"}`)
		if r.count.Add(1) == r.want {
			close(r.all)
		}
	}))
	b.Cleanup(r.srv.Close)
	return r
}

// wait waits for every delivery, or fails after a minute.
func (r *benchReceiver) wait(b *testing.B) {
	select {
	case <-r.all:
	case <-time.After(time.Minute):
		b.Fatalf("%d of %d deliveries arrived", r.count.Load(), r.want)
	}
}

// benchNotifyServer runs a demo server on db whose enterprise P000270
// sends every event to r; with deliver false it runs no delivery loop.
func benchNotifyServer(b *testing.B, db string, r *benchReceiver, deliver bool) *Main {
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr = "127.0.0.1:0"
	m.DB = db
	m.Demo = true
	m.LogLevel = "error"
	m.JobInterval = 0
	if !deliver {
		m.Notify.Interval = 0
	}
	if err := m.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	if _, err := m.Services.Notify.PutWebhook(context.Background(), &opencube.Webhook{EnterpriseCode: entP, URL: r.srv.URL}); err != nil {
		b.Fatal(err)
	}
	return m
}

// orderBodies returns n signed orderPackage bodies, not enabled (one event
// each), over ten demo SIMs.
func orderBodies(b *testing.B, n int) [][]byte {
	return orderBodiesOver(b, n, 10)
}

// benchICCID is the ICCID of SIM k of the demo enterprise in the
// benchmarks: its ten demo SIMs, then SIMs a benchmark makes.
func benchICCID(k int) string {
	if k < 10 {
		return fmt.Sprintf("898520220180418%05d", 192+k)
	}
	return fmt.Sprintf("8985202201904%07d", k)
}

// orderBodiesOver is orderBodies for sims SIMs (benchICCID) in turn.
func orderBodiesOver(b *testing.B, n, sims int) [][]byte {
	c := client.New("", entP, service.DemoSecret)
	bodies := make([][]byte, n)
	for i := range bodies {
		body, err := c.Body(map[string]any{
			"device_id": benchICCID(i % sims), "global_order": "0", "is_open": "0",
			"order_period": "1", "package_code": "DP20190726001274", "package_name": "C_M_0_P_中国20M不限速月套餐",
			"package_type": "2", "pay_amount": fmt.Sprintf("%d.%02d", i/100, i%100), "pay_rst": "1", "pay_type": "2",
			"test_flow": "0", "test_flow_flag": "0",
		})
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = body
	}
	return bodies
}

// BenchmarkWebhookDeliveries measures deliveries per second to a local
// receiver: b.N events wait in the outbox, then one node's delivery loop
// (--notify-concurrency, 64 in flight) sends them all.
func BenchmarkWebhookDeliveries(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchDeliveries(b, filepath.Join(b.TempDir(), "bench.db")) })
	b.Run("postgres", func(b *testing.B) { benchDeliveries(b, pgtest.Schema(b)) })
}

func benchDeliveries(b *testing.B, db string) {
	n := max(b.N, benchClients)
	r := newBenchReceiver(b, n)
	m := benchNotifyServer(b, db, r, false)
	load(b, []string{m.URL() + "/package/orderPackage"}, orderBodies(b, n))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	wg.Go(func() { m.Notify.Worker.Run(ctx, 10*time.Millisecond) })
	r.wait(b)
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	wg.Wait()
	b.ReportMetric(float64(n)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(0, "req/s")
	b.ReportMetric(0, "p50-ms")
	b.ReportMetric(0, "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkWebhookDelay measures the delay from an order change (the
// event's time) to its delivery at a local receiver, median and p99, while
// 64 clients send orderPackage requests as fast as the server takes them
// (the load of BenchmarkOrderPackageHTTP), each order's event delivered by
// the running delivery loop.
//
// The paced variants send 500 orders a second instead, well under what
// the server takes: the delay of normal running, without a backlog.
func BenchmarkWebhookDelay(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchDelay(b, filepath.Join(b.TempDir(), "bench.db")) })
	b.Run("postgres", func(b *testing.B) { benchDelay(b, pgtest.Schema(b)) })
	b.Run("sqlite-paced", func(b *testing.B) { benchDelayPaced(b, filepath.Join(b.TempDir(), "bench.db"), 500) })
	b.Run("postgres-paced", func(b *testing.B) { benchDelayPaced(b, pgtest.Schema(b), 500) })
}

// benchDelayPaced sends orderPackage requests at rate a second, each on its
// own goroutine, and reports the delivery delays.
func benchDelayPaced(b *testing.B, db string, rate int) {
	n := max(b.N, benchClients)
	r := newBenchReceiver(b, n)
	m := benchNotifyServer(b, db, r, true)
	bodies := orderBodies(b, n)
	transport := &http.Transport{MaxIdleConnsPerHost: benchClients}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport}
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for i, body := range bodies {
		time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))))
		wg.Go(func() {
			resp, err := hc.Post(m.URL()+"/package/orderPackage", "application/json", bytes.NewReader(body))
			if err != nil {
				failed.Store(err.Error())
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
	}
	wg.Wait()
	r.wait(b)
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatalf("request failed: %v", f)
	}
	slices.Sort(r.delay)
	b.ReportMetric(float64(r.delay[len(r.delay)/2].Microseconds())/1000, "delay-p50-ms")
	b.ReportMetric(float64(r.delay[len(r.delay)*99/100].Microseconds())/1000, "delay-p99-ms")
	b.ReportMetric(0, "ns/op")
}

func benchDelay(b *testing.B, db string) {
	n := max(b.N, benchClients)
	r := newBenchReceiver(b, n)
	m := benchNotifyServer(b, db, r, true)
	load(b, []string{m.URL() + "/package/orderPackage"}, orderBodies(b, n))
	r.wait(b)
	slices.Sort(r.delay)
	b.ReportMetric(float64(r.delay[len(r.delay)/2].Microseconds())/1000, "delay-p50-ms")
	b.ReportMetric(float64(r.delay[len(r.delay)*99/100].Microseconds())/1000, "delay-p99-ms")
}
