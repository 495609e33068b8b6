package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gen"
	"github.com/opencube/opencube/service"
)

// benchDays is how many usage days each SIM of the query benchmark has:
// with 1,000,000 SIMs, 10,000,000 usage rows.
const benchDays = 10

// loadUsageBench fills db with the data set of sims SIMs of enterprise
// BENCH, an in-use order each, and benchDays days of usage each (1-10 March
// 2024): gen.Spec, made by the store's Generate (as `opencube gen` does).
func loadUsageBench(ctx context.Context, db *DB, sims int) error {
	return db.Generate(ctx, gen.Spec{SIMs: sims, UsageRows: sims * benchDays})
}

// BenchmarkUsageQuery is sqlite's BenchmarkUsageQuery on PostgreSQL
// (OPENCUBE_TEST_POSTGRES): the latency of queryDeviceFlowUsage,
// batchQueryMonthFlow and a random page of 100 of queryUsingDeviceList with
// its total, one at a time, with 10,000 and 100,000 SIMs, and 1,000,000
// SIMs (10,000,000 usage rows) when OPENCUBE_BENCH_BIG=1. Each size is
// loaded once, in a schema of its own.
//
//	OPENCUBE_BENCH_BIG=1 go test ./postgres -run XXX -bench UsageQuery -benchtime 2000x -timeout 60m
func BenchmarkUsageQuery(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if os.Getenv("OPENCUBE_BENCH_BIG") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	for _, n := range sizes {
		var svc *service.Set
		b.Run(fmt.Sprintf("sims=%d/load", n), func(b *testing.B) {
			db := openURL(b, newSchema(b), Options{})
			start := time.Now()
			if err := loadUsageBench(context.Background(), db, n); err != nil {
				b.Fatal(err)
			}
			b.Logf("loaded %d SIMs, %d orders, %d usage days in %s", n, n, n*benchDays, time.Since(start).Round(time.Millisecond))
			svc = service.New(db, opencube.SystemClock, service.NewIDGenerator(0))
			ctx := opencube.NewContext(context.Background(), "BENCH")
			for name, fn := range map[string]func(){
				"flowUsage": func() {
					iccid := fmt.Sprintf("8986%016d", rand.IntN(n))
					us, err := svc.SIMs.DeviceUsage(ctx, []string{iccid})
					if err != nil || us[0].Device.Order == nil {
						b.Fatalf("DeviceUsage(%s) = %v, %v", iccid, us, err)
					}
				},
				"usingDeviceList": func() {
					ds, total, err := svc.SIMs.FindDevices(ctx, opencube.DeviceFilter{InUse: true, Page: opencube.PageOf(1+rand.IntN(n/100), 100)})
					if err != nil || len(ds) != 100 || total != n {
						b.Fatalf("FindDevices = %d of %d, %v", len(ds), total, err)
					}
				},
				"monthFlow": func() {
					iccid := fmt.Sprintf("8986%016d", rand.IntN(n))
					days, _, err := svc.SIMs.DailyUsage(ctx, iccid, 20240301, 20240331)
					if err != nil || len(days) != benchDays {
						b.Fatalf("DailyUsage(%s) = %d days, %v", iccid, len(days), err)
					}
				},
			} {
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						fn()
					}
				})
			}
		})
	}
}
