package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// benchDays is how many usage days each SIM of the query benchmark has:
// with 1,000,000 SIMs, 10,000,000 usage rows.
const benchDays = 10

// loadUsageBench fills db with sims SIMs of enterprise BENCH, an in-use
// order each, and benchDays days of usage each (1-10 March 2024): the
// rows are made by the server itself (generate_series), without triggers
// or foreign-key checks (session_replication_role = replica), and the
// in-use counts once at the end, then the tables vacuumed and analysed.
func loadUsageBench(ctx context.Context, db *DB, sims int) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	last := sims - 1
	stmts := []string{
		`SET session_replication_role = replica`,
		`INSERT INTO enterprises (access_code, name, secrets, created_at) VALUES ('BENCH', 'bench', ARRAY['bench-secret'], now())`,
		`INSERT INTO plans (code, name, type, volume_bytes, price_minor, currency, ota, throttle_kbps, countries, created_at)
			VALUES ('M', 'monthly', 2, 1099511627776, 0, 'CNY', false, 0, '{}', now())`,
		fmt.Sprintf(`INSERT INTO sims (`+simColumns+`) SELECT '8986' || lpad(i::text, 16, '0'), '46001' || lpad(i::text, 10, '0'),
			'', false, 'BENCH', 'active', now() FROM generate_series(0, %d) i`, last),
		fmt.Sprintf(`INSERT INTO orders (`+orderColumns+`) SELECT 'ORDER_' || lpad(i::text, 17, '0'), 'L' || lpad(i::text, 17, '0'),
			'BENCH', '8986' || lpad(i::text, 16, '0'), '46001' || lpad(i::text, 10, '0'), 'M', 'monthly', 2, 1099511627776, 1, 0, 0, 0,
			'', 2, 2, 0, '2', '2', '0', '0', '0', false, 0, timestamptz '2024-01-01' + i * interval '1 ms', NULL,
			timestamptz '2100-01-01', NULL, now() FROM generate_series(0, %d) i`, last),
		fmt.Sprintf(`INSERT INTO usage_days (iccid, day, enterprise_code, bytes)
			SELECT '8986' || lpad(i::text, 16, '0'), 20240300 + n, 'BENCH', (i::bigint * 7919 + n * 104729) %% 50000000
			FROM generate_series(0, %d) i, generate_series(1, %d) n`, last, benchDays),
		`INSERT INTO in_use_counts (enterprise_code, bucket, n)
			SELECT enterprise_code, left(iccid, 16), count(*) FROM orders WHERE status = 2 GROUP BY 1, 2`,
		`UPDATE usage_clock SET as_of = '2024-03-09 16:00:00Z'`,
		`SET session_replication_role = origin`,
		`VACUUM ANALYZE`, // as autovacuum would: index-only scans
	}
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%.60s: %w", q, err)
		}
	}
	return nil
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
