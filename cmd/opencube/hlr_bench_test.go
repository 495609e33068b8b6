package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/hlr"
	"github.com/opencube/opencube/hlr/hlrtest"
	"github.com/opencube/opencube/seal"
)

// BenchmarkHLRProvisioning imports 500 SIMs an iteration and times the
// register worker taking them to a real OsmoHLR: a job each, read from the
// store, the subscriber read, created, given its MSISDN and access, the
// outcome written. It reports SIMs a second.
func BenchmarkHLRProvisioning(b *testing.B) {
	hlrtest.Start(b)
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr, m.DB, m.Stderr, m.JobInterval = "127.0.0.1:0", b.TempDir()+"/db", io.Discard, 0
	m.SMS.Gateway = "sandbox"
	withHLR(m)
	if err := m.Run(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	ad := nodeAdmin(m)
	ctx := b.Context()
	if err := ad.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "PBENCH", Name: "bench", Secrets: []string{"a-long-secret"}}); err != nil {
		b.Fatal(err)
	}
	const batch = 500
	var took time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		sims := make([]*opencube.SIM, batch)
		for i := range sims {
			sims[i] = &opencube.SIM{ICCID: fmt.Sprintf("898600%014d", n), IMSI: fmt.Sprintf("9017%011d", n), MSISDN: fmt.Sprintf("49%011d", n), EnterpriseCode: "PBENCH"}
			n++
		}
		if err := ad.ImportSIMs(ctx, sims); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		for {
			k, err := m.HLR.Worker.RunOnce(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if k == 0 {
				break
			}
		}
		took += time.Since(start)
	}
	b.ReportMetric(float64(n)/took.Seconds(), "SIMs/s")
}

// BenchmarkHLRChangeLatency measures how long a SIM change (suspend,
// activate, in turn, through the admin API) takes to reach a real OsmoHLR
// through the server's own background loop: from the API's answer to the
// register showing the new access, read through CTRL every millisecond.
// It runs idle, and under orderPackage load from 16 clients.
func BenchmarkHLRChangeLatency(b *testing.B) {
	hlrtest.Start(b)
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr, m.DB, m.Demo, m.Stderr = "127.0.0.1:0", b.TempDir()+"/db", true, io.Discard
	m.SMS.Gateway = "sandbox"
	withHLR(m)
	if err := m.Run(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	ctx := b.Context()
	o := hlr.NewOsmo(hlrtest.CtrlAddr)
	defer o.Close()
	ad := nodeAdmin(m)
	iccid := simQ(5)
	imsi := imsiOf(iccid)
	waitFor := func(access bool) {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if s, err := o.Subscriber(ctx, imsi); err == nil && s.PS == access {
				return
			}
		}
		b.Fatalf("the register never showed access %v", access)
	}
	waitFor(true) // the demo SIMs are provisioned
	for _, loaded := range []bool{false, true} {
		name := map[bool]string{false: "idle", true: "orderPackage"}[loaded]
		b.Run(name, func(b *testing.B) {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var orders atomic.Int64
			if loaded {
				bodies := orderBodies(b, 40000)
				var next atomic.Int64
				url := m.URL() + "/package/orderPackage"
				for range 16 {
					wg.Go(func() {
						for {
							select {
							case <-stop:
								return
							default:
							}
							i := int(next.Add(1)) - 1
							if i >= len(bodies) {
								return
							}
							resp, err := http.Post(url, "application/json", bytes.NewReader(bodies[i]))
							if err != nil {
								return
							}
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							orders.Add(1)
						}
					})
				}
			}
			var lat []time.Duration
			start := time.Now()
			access := true
			for b.Loop() {
				move := opencube.SIMSuspend
				if !access {
					move = opencube.SIMActivate
				}
				if _, err := ad.MoveSIM(ctx, iccid, move); err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				access = !access
				waitFor(access)
				lat = append(lat, time.Since(t0))
			}
			elapsed := time.Since(start)
			close(stop)
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			if loaded {
				b.ReportMetric(float64(orders.Load())/elapsed.Seconds(), "orders/s")
			}
		})
	}
}
