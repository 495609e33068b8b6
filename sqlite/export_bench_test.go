package sqlite

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencube/opencube/billing"
)

// countingWriter counts what the export writes and drops it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkUsageExport measures the usage export of a month (CSV, a row
// per SIM per UTC+8 day) of an enterprise with 100,000 SIMs, and
// 1,000,000 SIMs when OPENCUBE_BENCH_BIG=1, each with 10 days of usage
// (so 1,000,000 and 10,000,000 rows): the time of one export, its rows a
// second, and the largest heap in use while it runs (sampled every
// millisecond), which stays flat whatever the number of rows.
//
//	OPENCUBE_BENCH_BIG=1 go test ./sqlite -run XXX -bench UsageExport -benchtime 1x -timeout 60m
func BenchmarkUsageExport(b *testing.B) {
	sizes := []int{100_000}
	if os.Getenv("OPENCUBE_BENCH_BIG") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	b.Cleanup(func() {
		c := &usageBenchDBs
		c.Lock()
		defer c.Unlock()
		for _, db := range c.dbs {
			db.Close()
		}
		if c.dir != "" {
			os.RemoveAll(c.dir)
		}
		c.dbs, c.dir = nil, ""
	})
	for _, n := range sizes {
		for _, per := range []string{billing.UsagePerDay, billing.UsagePerOrder} {
			b.Run(fmt.Sprintf("sims=%d/per=%s", n, per), func(b *testing.B) {
				db := usageBenchDB(b, n)
				runtime.GC()
				var base runtime.MemStats
				runtime.ReadMemStats(&base)
				var peak atomic.Uint64
				done := make(chan struct{})
				go func() {
					var m runtime.MemStats
					t := time.NewTicker(time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-done:
							return
						case <-t.C:
							runtime.ReadMemStats(&m)
							if m.HeapInuse > peak.Load() {
								peak.Store(m.HeapInuse)
							}
						}
					}
				}()
				w := &countingWriter{}
				rows := 0
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					cw := &lineCounter{w: w}
					if err := billing.ExportUsage(context.Background(), db, cw, "BENCH", 202403, per); err != nil {
						b.Fatal(err)
					}
					rows = cw.lines - 1
				}
				b.StopTimer()
				close(done)
				want := n
				if per == billing.UsagePerDay {
					want = n * benchDays
				}
				if rows != want {
					b.Fatalf("%d rows, want %d", rows, want)
				}
				b.ReportMetric(float64(rows)/(b.Elapsed().Seconds()/float64(b.N)), "rows/s")
				b.ReportMetric(float64(w.n)/float64(b.N)/(1<<20), "MB-csv/op")
				b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(base.HeapInuse)/(1<<20), "heap-before-MB")
			})
		}
	}
}

// lineCounter counts the lines written through it.
type lineCounter struct {
	w     io.Writer
	lines int
}

func (c *lineCounter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b == '\n' {
			c.lines++
		}
	}
	return c.w.Write(p)
}
