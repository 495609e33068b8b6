package main

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/hlr/hlrtest"
)

// BenchmarkHLRProvisioning imports 500 SIMs an iteration and times the
// register worker taking them to a real OsmoHLR: a job each, read from the
// store, the subscriber read, created, given its MSISDN and access, the
// outcome written. It reports SIMs a second.
func BenchmarkHLRProvisioning(b *testing.B) {
	hlrtest.Start(b)
	m := NewMain()
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
