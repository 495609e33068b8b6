package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// benchDays is how many usage days each SIM of the query benchmark has:
// with 1,000,000 SIMs, 10,000,000 usage rows.
const benchDays = 10

// loadUsageBench fills a new database at path with sims SIMs of enterprise
// BENCH, an in-use order each, and benchDays days of usage each (1-10 March
// 2024), in bulk.
func loadUsageBench(ctx context.Context, path string, sims int) (*DB, error) {
	db, err := Open(ctx, path, seal.Demo())
	if err != nil {
		return nil, err
	}
	stmts := []string{
		`INSERT INTO enterprises (access_code, name, secrets, created_at) VALUES ('BENCH', 'bench', '["bench-secret"]', 0)`,
		`INSERT INTO plans (code, name, type, volume_bytes, price_minor, currency, ota, throttle_kbps, countries, created_at)
			VALUES ('M', 'monthly', 2, 1099511627776, 0, 'CNY', 0, 0, '[]', 0)`,
		fmt.Sprintf(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d)
			INSERT INTO sims (`+simColumns+`) SELECT printf('8986%%016d', i), printf('46001%%010d', i), '', 0, 'BENCH', 'active', 0 FROM c`, sims-1),
		fmt.Sprintf(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d)
			INSERT INTO orders (`+orderColumns+`) SELECT printf('ORDER_%%017d', i), printf('L%%017d', i), 'BENCH',
				printf('8986%%016d', i), printf('46001%%010d', i), 'M', 'monthly', 2, 1099511627776, 1, 0, 0, 0, '', 2, 2, 0, '2', '2',
				'0', '0', '0', 0, i * 1000, 0, 0, 4102444800000000, NULL, 0 FROM c`, sims-1),
		fmt.Sprintf(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d),
			d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < %d)
			INSERT INTO usage_days (iccid, day, enterprise_code, bytes)
			SELECT printf('8986%%016d', i), 20240300 + n, 'BENCH', (i * 7919 + n * 104729) %% 50000000 FROM c, d`, sims-1, benchDays),
		`UPDATE usage_clock SET as_of = 1710000000000000`,
	}
	err = db.update(ctx, func(t *txn) error {
		for _, q := range stmts {
			if _, err := t.exec(q); err != nil {
				return fmt.Errorf("%.60s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
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
