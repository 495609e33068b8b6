package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
)

// The operator's list pages at 1,000,000 SIMs: 100 enterprises (E000-E099)
// of 10,000 SIMs each, one in twenty suspended and one in twenty in
// inventory; IMSIs and MSISDNs in another order than ICCIDs; 1,000,000
// orders, two for each of the first 500,000 SIMs (one in use).
const (
	listBenchSIMs   = 1_000_000
	listBenchOrders = 1_000_000
	// listBenchVersion names the cached database: change it when the data
	// above changes.
	listBenchVersion = "v2"
)

// loadListBench fills a new database at path, in one transaction.
func loadListBench(ctx context.Context, path string) error {
	db, err := Open(ctx, path, seal.Demo())
	if err != nil {
		return err
	}
	n := listBenchSIMs
	stmts := []string{
		`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 99)
			INSERT INTO enterprises (access_code, name, secrets, created_at) SELECT printf('E%03d', i), printf('Enterprise %d', i), '["s"]', 0 FROM c`,
		`INSERT INTO plans (code, name, type, volume_bytes, price_minor, currency, ota, throttle_kbps, countries, created_at)
			VALUES ('M', 'monthly', 2, 1099511627776, 0, 'CNY', 0, 0, '[]', 0)`,
		fmt.Sprintf(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %[1]d)
			INSERT INTO sims (`+simColumns+`) SELECT printf('8986%%016d', i), printf('46001%%010d', (i * 7919) %% %[2]d),
				printf('86%%011d', (i * 104729) %% %[2]d), 0, printf('E%%03d', i / 10000),
				CASE i %% 20 WHEN 0 THEN 'suspended' WHEN 1 THEN 'inventory' ELSE 'active' END, 0 FROM c`, n-1, n),
		fmt.Sprintf(`WITH RECURSIVE c(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM c WHERE j < %[1]d)
			INSERT INTO orders (`+orderColumns+`) SELECT printf('ORDER_%%017d', j), printf('L%%017d', j), printf('E%%03d', (j %% %[2]d) / 10000),
				printf('8986%%016d', j %% %[2]d), '', 'M', 'monthly', 2, 1099511627776, 1, 0, 0, 0, '',
				CASE WHEN j < %[2]d THEN 2 ELSE 4 END, 2, 0, '2', '2', '0', '0', '0', 0, 0,
				1700000000000000 + j * 1000000, NULL, NULL, NULL, 0 FROM c`, listBenchOrders-1, listBenchOrders/2),
		`ANALYZE`,
	}
	err = db.update(ctx, func(t *txn) error {
		for _, q := range stmts {
			if _, err := t.exec(q); err != nil {
				return fmt.Errorf("%.60s: %w", q, err)
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// listBenchDB opens the benchmark's database, cached under os.TempDir()
// across runs (building it takes a minute or two).
func listBenchDB(b *testing.B) *DB {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), "opencube-list-bench-"+listBenchVersion+".db")
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		tmp := path + ".tmp"
		os.Remove(tmp)
		if err := loadListBench(ctx, tmp); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %s (%d SIMs, %d orders) in %s", path, listBenchSIMs, listBenchOrders, time.Since(start).Round(time.Second))
	}
	db, err := Open(ctx, path, seal.Demo())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// listCase is one list page of the benchmark: a query made from a random
// number.
type listCase struct {
	name string
	run  func(ctx context.Context, db *DB, r *rand.Rand) (int, error)
}

func simPage(q func(r *rand.Rand) operator.SIMQuery) func(context.Context, *DB, *rand.Rand) (int, error) {
	return func(ctx context.Context, db *DB, r *rand.Rand) (int, error) {
		l, err := db.ListSIMs(ctx, q(r))
		if err != nil {
			return 0, err
		}
		return len(l.Items), nil
	}
}

func orderPage(q func(r *rand.Rand) operator.OrderQuery) func(context.Context, *DB, *rand.Rand) (int, error) {
	return func(ctx context.Context, db *DB, r *rand.Rand) (int, error) {
		l, err := db.ListOrders(ctx, q(r))
		if err != nil {
			return 0, err
		}
		return len(l.Items), nil
	}
}

// listCases are the pages the issue names, and a floor: one SIM found by
// its ICCID (the primary key) through the same read path.
var listCases = []listCase{
	{"floor/sim-by-iccid", func(ctx context.Context, db *DB, r *rand.Rand) (int, error) {
		_, err := db.FindSIM(ctx, fmt.Sprintf("8986%016d", r.IntN(listBenchSIMs)))
		return 1, err
	}},
	{"sims/enterprise", simPage(func(r *rand.Rand) operator.SIMQuery {
		return operator.SIMQuery{Enterprise: fmt.Sprintf("E%03d", r.IntN(100))}
	})},
	{"sims/enterprise-deep", simPage(func(r *rand.Rand) operator.SIMQuery {
		i := r.IntN(listBenchSIMs - 10_000)
		iccid := fmt.Sprintf("8986%016d", i)
		return operator.SIMQuery{Enterprise: fmt.Sprintf("E%03d", i/10000), Page: operator.Page{Cursor: *operator.Cursor("0", iccid, iccid)}}
	})},
	{"sims/status", simPage(func(r *rand.Rand) operator.SIMQuery {
		iccid := fmt.Sprintf("8986%016d", r.IntN(listBenchSIMs-10_000))
		return operator.SIMQuery{Status: opencube.SIMSuspended, Page: operator.Page{Cursor: *operator.Cursor("0", iccid, iccid)}}
	})},
	{"sims/iccid-prefix", simPage(func(r *rand.Rand) operator.SIMQuery {
		return operator.SIMQuery{Q: fmt.Sprintf("8986%016d", r.IntN(listBenchSIMs))[:17]} // 1,000 SIMs
	})},
	{"sims/imsi-prefix", simPage(func(r *rand.Rand) operator.SIMQuery {
		return operator.SIMQuery{Q: fmt.Sprintf("46001%010d", r.IntN(listBenchSIMs))[:12]} // 1,000 SIMs
	})},
	{"sims/msisdn-prefix", simPage(func(r *rand.Rand) operator.SIMQuery {
		return operator.SIMQuery{Q: fmt.Sprintf("86%011d", r.IntN(listBenchSIMs))[:10]} // 1,000 SIMs
	})},
	{"sims/counted", simPage(func(r *rand.Rand) operator.SIMQuery {
		return operator.SIMQuery{Enterprise: fmt.Sprintf("E%03d", r.IntN(100)), Page: operator.Page{Count: true}}
	})},
	{"orders/enterprise", orderPage(func(r *rand.Rand) operator.OrderQuery {
		return operator.OrderQuery{Enterprise: fmt.Sprintf("E%03d", r.IntN(50))}
	})},
	{"orders/sim", orderPage(func(r *rand.Rand) operator.OrderQuery {
		return operator.OrderQuery{ICCID: fmt.Sprintf("8986%016d", r.IntN(listBenchOrders/2))}
	})},
	{"orders/status", orderPage(func(r *rand.Rand) operator.OrderQuery {
		return operator.OrderQuery{Status: opencube.OrderExpired}
	})},
}

// BenchmarkListPages measures one page (50 items) of each list the issue
// names at 1,000,000 SIMs, and the floor. The database is built once and
// kept under os.TempDir() (opencube-list-bench-v2.db, about 800 MB); each page's
// query plan is checked first (checkPlan).
//
//	go test ./sqlite -run XXX -bench ListPages -benchtime 200x -timeout 30m
func BenchmarkListPages(b *testing.B) {
	db := listBenchDB(b)
	ctx := context.Background()
	for _, c := range listCases {
		b.Run(c.name, func(b *testing.B) {
			if c.name != listCases[0].name {
				checkPlan(b, db, c)
			}
			r := rand.New(rand.NewPCG(1, 2))
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				n, err := c.run(ctx, db, r)
				if err != nil || n == 0 {
					b.Fatalf("%s: %d items, %v", c.name, n, err)
				}
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// checkPlan runs c once and checks that each of its statements reads an
// index range in its list's order: a SEARCH of its table, and no temporary
// b-tree to sort.
func checkPlan(t testing.TB, db *DB, c listCase) {
	t.Helper()
	ctx := context.Background()
	var (
		seen     []string
		seenArgs [][]any
	)
	listQueries = func(q string, args []any) { seen, seenArgs = append(seen, q), append(seenArgs, args) }
	defer func() { listQueries = nil }()
	if _, err := c.run(ctx, db, rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	if len(seen) == 0 {
		t.Fatalf("%s ran no statement", c.name)
	}
	for i, q := range seen {
		text := queryPlan(t, db, q, seenArgs[i]...)
		if !strings.HasPrefix(text, "SEARCH ") || strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("%s: plan %q of\n%s", c.name, text, q)
		}
	}
}

// TestListPlans checks the plans of the lists the benchmark measures on an
// empty database, which SQLite plans as for large tables (it has no
// statistics); the benchmark checks them again on its loaded database.
func TestListPlans(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "plans.db"), seal.Demo())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range listCases[1:] {
		checkPlan(t, db, c)
	}
}
