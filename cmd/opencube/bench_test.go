package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/seal"
	_ "modernc.org/sqlite"
)

// benchClients is the number of concurrent keep-alive clients of the HTTP
// load benchmarks.
const benchClients = 64

// load posts bodies to urls (in turn) from benchClients keep-alive clients and reports
// requests per second and latency percentiles. Every answer must be a
// success.
func load(b *testing.B, urls []string, bodies [][]byte) {
	b.Helper()
	transport := &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport}
	lat := make([]time.Duration, len(bodies))
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
				if i >= len(bodies) {
					return
				}
				t0 := time.Now()
				resp, err := hc.Post(urls[i%len(urls)], "application/json", bytes.NewReader(bodies[i]))
				if err != nil {
					failed.Store(err.Error())
					return
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(t0)
				if !bytes.Contains(raw, []byte(`"success":true`)) {
					failed.Store(string(raw))
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
	b.ReportMetric(float64(len(bodies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkOrderPackageHTTP measures signed orderPackage requests over HTTP
// on SQLite: the whole server (signature check, replay guard, order, event).
func BenchmarkOrderPackageHTTP(b *testing.B) {
	benchOrderPackage(b, filepath.Join(b.TempDir(), "bench.db"), 1)
}

// BenchmarkOrderPackagePostgres is BenchmarkOrderPackageHTTP on PostgreSQL
// (OPENCUBE_TEST_POSTGRES), with one node and with two nodes sharing the
// database, the load spread over both. Each node has 16 connections
// (--db-max-conns 16), as BenchmarkFloorPostgres.
func BenchmarkOrderPackagePostgres(b *testing.B) {
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			benchOrderPackage(b, pgtest.Schema(b), n)
		})
	}
	// The ten demo SIMs make every tenth request wait for the one before
	// it (the SIM's event number); a thousand SIMs spread them.
	b.Run("nodes=1,sims=1000", func(b *testing.B) {
		benchOrderPackageSIMs(b, pgtest.Schema(b), 1, 1000)
	})
}

// benchOrderPackage runs nodes servers on db and loads them with signed
// orderPackage requests.
func benchOrderPackage(b *testing.B, db string, nodes int) {
	benchOrderPackageSIMs(b, db, nodes, 10)
}

// benchOrderPackageSIMs is benchOrderPackage with the orders spread over
// sims SIMs of the demo enterprise: its ten, and more made for the run.
func benchOrderPackageSIMs(b *testing.B, db string, nodes, sims int) {
	var urls []string
	for i := range nodes {
		m := NewMain()
		m.Masters = seal.Demo() // the published demo key: tests only
		m.Addr = "127.0.0.1:0"
		m.DB = db
		if strings.HasPrefix(db, "postgres") {
			m.DBOptions.MaxConns = 16
		}
		m.Demo = i == 0
		m.SMS.Gateway = "sandbox"
		// As in production: metrics on, and the access log, one JSON line
		// a request, to a file.
		log, err := os.Create(filepath.Join(b.TempDir(), fmt.Sprintf("node%d.log", i)))
		if err != nil {
			b.Fatal(err)
		}
		defer log.Close()
		m.LogLevel, m.LogFormat, m.Stderr = "info", "json", log
		if err := m.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		defer m.Close()
		urls = append(urls, m.URL()+"/package/orderPackage")
		if i == 0 && sims > 10 {
			more := make([]*opencube.SIM, sims-10)
			for k := range more {
				iccid := benchICCID(10 + k)
				more[k] = &opencube.SIM{ICCID: iccid, IMSI: "46001" + iccid[len(iccid)-10:], EnterpriseCode: entP, Status: opencube.SIMActive}
			}
			if err := m.Store.CreateSIMs(context.Background(), more); err != nil {
				b.Fatal(err)
			}
		}
	}
	bodies := orderBodiesOver(b, max(b.N, benchClients), sims)
	load(b, urls, bodies)
}

// BenchmarkFloorHTTP is the floor the server is compared with: a bare
// net/http handler that decodes the same JSON body and inserts one row into
// SQLite (same file settings), nothing else, for the same signed bodies.
func BenchmarkFloorHTTP(b *testing.B) {
	dsn := "file:" + filepath.Join(b.TempDir(), "floor.db") + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, device_id TEXT, package_code TEXT, pay_amount TEXT, created_at INTEGER)`); err != nil {
		b.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			DeviceID    string `json:"device_id"`
			PackageCode string `json:"package_code"`
			PayAmount   string `json:"pay_amount"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		if _, err := db.ExecContext(r.Context(), `INSERT INTO orders (device_id, package_code, pay_amount, created_at) VALUES (?, ?, ?, ?)`,
			req.DeviceID, req.PackageCode, req.PayAmount, time.Now().UnixMilli()); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"code":"0000","data":null,"message":"success","success":true}`)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	defer srv.Close()
	// The very bodies the server gets in BenchmarkOrderPackageHTTP.
	bodies := orderBodies(b, max(b.N, benchClients))
	load(b, []string{"http://" + ln.Addr().String() + "/package/orderPackage"}, bodies)
}

// BenchmarkFloorPostgres is the floor of BenchmarkOrderPackagePostgres: a
// bare net/http handler that decodes the same JSON body and inserts one row
// into PostgreSQL (OPENCUBE_TEST_POSTGRES) through pgx with 16 connections,
// nothing else, for the same signed bodies.
func BenchmarkFloorPostgres(b *testing.B) {
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(pgtest.Schema(b))
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE TABLE floor_orders (id bigserial PRIMARY KEY, device_id text, package_code text, pay_amount text, created_at timestamptz)`); err != nil {
		b.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			DeviceID    string `json:"device_id"`
			PackageCode string `json:"package_code"`
			PayAmount   string `json:"pay_amount"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		if _, err := pool.Exec(r.Context(), `INSERT INTO floor_orders (device_id, package_code, pay_amount, created_at) VALUES ($1, $2, $3, $4)`,
			req.DeviceID, req.PackageCode, req.PayAmount, time.Now()); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"code":"0000","data":null,"message":"success","success":true}`)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	defer srv.Close()
	bodies := orderBodies(b, max(b.N, benchClients))
	load(b, []string{"http://" + ln.Addr().String() + "/package/orderPackage"}, bodies)
}
