package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/docs"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// BenchmarkCubeV4GetSIM measures signed Cube v4 GET /sims/{sim_id} over
// HTTP on SQLite with the demo's 2048-bit key: Signature v2 (the string
// to sign, one RSA verification), the key from its cache, the SIM, its
// order and session, and its v4 status. Limits are off.
func BenchmarkCubeV4GetSIM(b *testing.B) {
	benchV4(b, func(i int) (string, string, []byte) {
		return http.MethodGet, "/sims/" + simP(i%10), nil
	})
}

// BenchmarkCubeV4AddBundle measures signed Cube v4 POST
// /sims/{sim_id}/bundle: the signature, the plan, an order (not started)
// with its outbox event and the replay entry with its answer, in one
// transaction.
func BenchmarkCubeV4AddBundle(b *testing.B) {
	benchV4(b, func(i int) (string, string, []byte) {
		return http.MethodPost, "/sims/" + simP(i%10) + "/bundle", []byte(`{"bundle_id":"DP20190726001274","bundle_type":10,"cycles":1}`)
	})
}

// benchV4 runs a demo server and loads it with b.N requests signed with the
// demo key, made (and signed, which costs the client one RSA signature
// each) before the clock starts.
func benchV4(b *testing.B, req func(i int) (method, path string, body []byte)) {
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr, m.DB, m.Demo, m.SMS.Gateway = "127.0.0.1:0", filepath.Join(b.TempDir(), "bench.db"), true, "sandbox"
	m.V4 = v4Config{} // no limits: the load comes from one address
	m.LogLevel, m.Stderr = "error", io.Discard
	if err := m.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	key, err := client.ParsePrivateKey(docs.CubeV4DemoKey)
	if err != nil {
		b.Fatal(err)
	}
	c := client.NewV4(m.URL(), service.DemoKeyID, key)
	n := max(b.N, benchClients)
	reqs := make([]*client.V4Request, n)
	for i := range reqs {
		c.Nonce = func() string { return strconv.Itoa(i + 1) }
		method, path, body := req(i)
		if reqs[i], err = c.Sign(method, path, body); err != nil {
			b.Fatal(err)
		}
	}
	transport := &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport}
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				r := reqs[i]
				hr, _ := http.NewRequest(r.Method, m.URL()+"/cube/v4"+r.Path, bytes.NewReader(r.Body))
				hr.Header = r.Header
				t0 := time.Now()
				resp, err := hc.Do(hr)
				if err != nil {
					failed.Store(err.Error())
					return
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(t0)
				if !bytes.Contains(raw, []byte(`"code":"CB-00-0000"`)) {
					failed.Store(fmt.Sprintf("HTTP %d %s", resp.StatusCode, raw))
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatalf("request failed: %v", f)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[n/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[n*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}
