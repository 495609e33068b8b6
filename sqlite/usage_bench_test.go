package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gen"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// benchDays is how many usage days each SIM of the query benchmark has:
// with 1,000,000 SIMs, 10,000,000 usage rows.
const benchDays = 10

// loadUsageBench fills a new database at path with the data set of sims
// SIMs of enterprise BENCH, an in-use order each, and benchDays days of
// usage each (1-10 March 2024): gen.Spec, made by the store's Generate (as
// `opencube gen` does).
func loadUsageBench(ctx context.Context, path string, sims int) (*DB, error) {
	db, err := Open(ctx, path, seal.Demo())
	if err != nil {
		return nil, err
	}
	if err := db.Generate(ctx, gen.Spec{SIMs: sims, UsageRows: sims * benchDays}); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// usageBenchDBs caches the loaded databases by size across the runs of a
// benchmark (loading a million SIMs takes a while).
var usageBenchDBs struct {
	sync.Mutex
	dir string
	dbs map[int]*DB
}

func usageBenchDB(b *testing.B, sims int) *DB {
	b.Helper()
	c := &usageBenchDBs
	c.Lock()
	defer c.Unlock()
	if c.dbs == nil {
		dir, err := os.MkdirTemp("", "opencube-usage-bench-")
		if err != nil {
			b.Fatal(err)
		}
		c.dir, c.dbs = dir, map[int]*DB{}
	}
	if db := c.dbs[sims]; db != nil {
		return db
	}
	start := time.Now()
	db, err := loadUsageBench(context.Background(), filepath.Join(c.dir, fmt.Sprintf("%d.db", sims)), sims)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d SIMs, %d orders, %d usage days in %s", sims, sims, sims*benchDays, time.Since(start).Round(time.Millisecond))
	c.dbs[sims] = db
	return db
}

// BenchmarkUsageQuery measures the latency of the usage queries
// (queryDeviceFlowUsage: usage clock, SIM, in-use order and meter;
// batchQueryMonthFlow for one SIM: SIM check and a month of usage days;
// a random page of 100 of queryUsingDeviceList, with its total) for a
// random SIM, with 10,000 and 100,000 SIMs loaded (10 usage days each), and
// 1,000,000 SIMs (10,000,000 usage rows) when OPENCUBE_BENCH_BIG=1.
//
//	OPENCUBE_BENCH_BIG=1 go test ./sqlite -run XXX -bench UsageQuery -benchtime 20000x -timeout 60m
func BenchmarkUsageQuery(b *testing.B) {
	sizes := []int{10_000, 100_000}
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
		b.Run(fmt.Sprintf("sims=%d/flowUsage", n), func(b *testing.B) {
			svc := service.New(usageBenchDB(b, n), opencube.SystemClock, service.NewIDGenerator(0))
			ctx := opencube.NewContext(context.Background(), "BENCH")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				iccid := fmt.Sprintf("8986%016d", rand.IntN(n))
				us, err := svc.SIMs.DeviceUsage(ctx, []string{iccid})
				if err != nil || us[0].Device.Order == nil {
					b.Fatalf("DeviceUsage(%s) = %v, %v", iccid, us, err)
				}
			}
		})
		b.Run(fmt.Sprintf("sims=%d/usingDeviceList", n), func(b *testing.B) {
			svc := service.New(usageBenchDB(b, n), opencube.SystemClock, service.NewIDGenerator(0))
			ctx := opencube.NewContext(context.Background(), "BENCH")
			b.ResetTimer()
			start := cpuTime()
			defer func() { b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op") }()
			for i := 0; i < b.N; i++ {
				ds, total, err := svc.SIMs.FindDevices(ctx, opencube.DeviceFilter{InUse: true, Page: opencube.PageOf(1+rand.IntN(n/100), 100)})
				if err != nil || len(ds) != 100 || total != n {
					b.Fatalf("FindDevices = %d of %d, %v", len(ds), total, err)
				}
			}
		})
		b.Run(fmt.Sprintf("sims=%d/monthFlow", n), func(b *testing.B) {
			svc := service.New(usageBenchDB(b, n), opencube.SystemClock, service.NewIDGenerator(0))
			ctx := opencube.NewContext(context.Background(), "BENCH")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				iccid := fmt.Sprintf("8986%016d", rand.IntN(n))
				days, _, err := svc.SIMs.DailyUsage(ctx, iccid, 20240301, 20240331)
				if err != nil || len(days) != benchDays {
					b.Fatalf("DailyUsage(%s) = %d days, %v", iccid, len(days), err)
				}
			}
		})
	}
}

// cpuTime is the CPU time (user and system) the process has used: a
// page's CPU time is what the store costs, which other work on the machine
// does not inflate as it does the elapsed time.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
