package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/postgres/pgtest"
)

// The operator's list pages at 1,000,000 SIMs, as sqlite's
// BenchmarkListPages: 100 enterprises (E000-E099) of 10,000 SIMs each, one
// in twenty suspended and one in twenty in inventory; IMSIs and MSISDNs in
// another order than ICCIDs; 1,000,000 orders, two for each of the first
// 500,000 SIMs (one in use).
const (
	listBenchSIMs   = 1_000_000
	listBenchOrders = 1_000_000
	// listBenchSchema is the schema the data set is kept in across runs:
	// change it when the data above changes.
	listBenchSchema = "list_bench_v1"
)

// loadListBench fills db (a new schema) with the data set, made by the
// server (generate_series) without triggers or foreign-key checks, the
// maintained counts made once at the end, then VACUUM ANALYZE.
func loadListBench(ctx context.Context, db *DB) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	n := listBenchSIMs
	stmts := []string{
		`SET session_replication_role = replica`,
		`INSERT INTO enterprises (access_code, name, secrets, created_at) SELECT 'E' || lpad(i::text, 3, '0'), 'Enterprise ' || i, '{s}', now()
			FROM generate_series(0, 99) i`,
		`INSERT INTO plans (code, name, type, volume_bytes, price_minor, currency, ota, throttle_kbps, countries, created_at)
			VALUES ('M', 'monthly', 2, 1099511627776, 0, 'CNY', false, 0, '{}', now())`,
		fmt.Sprintf(`INSERT INTO sims (`+simColumns+`) SELECT '8986' || lpad(i::text, 16, '0'), '46001' || lpad(((i::bigint * 7919) %% %[1]d)::text, 10, '0'),
			'86' || lpad(((i::bigint * 104729) %% %[1]d)::text, 11, '0'), false, 'E' || lpad((i / 10000)::text, 3, '0'),
			CASE i %% 20 WHEN 0 THEN 'suspended' WHEN 1 THEN 'inventory' ELSE 'active' END, now() FROM generate_series(0, %[2]d) i`, n, n-1),
		fmt.Sprintf(`INSERT INTO orders (`+orderColumns+`) SELECT 'ORDER_' || lpad(j::text, 17, '0'), 'L' || lpad(j::text, 17, '0'),
			'E' || lpad(((j %% %[1]d) / 10000)::text, 3, '0'), '8986' || lpad((j %% %[1]d)::text, 16, '0'), '', 'M', 'monthly', 2, 1099511627776, 1, 0, 0, 0,
			'', CASE WHEN j < %[1]d THEN 2 ELSE 4 END, 2, 0, '2', '2', '0', '0', '0', false, 0,
			timestamptz '2023-11-14 22:13:20Z' + j * interval '1 s', NULL, NULL, NULL, now() FROM generate_series(0, %[2]d) j`, listBenchOrders/2, listBenchOrders-1),
		`INSERT INTO in_use_counts (enterprise_code, bucket, n)
			SELECT enterprise_code, left(iccid, 16), count(*) FROM orders WHERE status = 2 GROUP BY 1, 2`,
		`INSERT INTO sim_counts (enterprise_code, bucket, n) SELECT enterprise_code, left(iccid, 16), count(*) FROM sims GROUP BY 1, 2`,
		`INSERT INTO order_counts (enterprise_code, status, buy_type, shard, n)
			SELECT enterprise_code, status, buy_type, right(iccid, 2), count(*) FROM orders GROUP BY 1, 2, 3, 4`,
		`INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, shard, n)
			SELECT enterprise_code, s.shift, (extract(epoch FROM ordered_at) * 1000000)::bigint >> s.shift, status, buy_type, right(iccid, 1), count(*)
			FROM orders, (VALUES (40), (34), (28), (22)) s (shift) GROUP BY 1, 2, 3, 4, 5, 6`,
		`SET session_replication_role = origin`,
		`CREATE TABLE list_bench_loaded (at timestamptz NOT NULL)`,
		`INSERT INTO list_bench_loaded VALUES (now())`,
		`VACUUM ANALYZE`,
	}
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			conn.Exec(context.Background(), `SET session_replication_role = origin`)
			return fmt.Errorf("%.60s: %w", q, err)
		}
	}
	return nil
}

// listBenchDB opens the benchmark's data set in schema listBenchSchema of
// OPENCUBE_TEST_POSTGRES, loading it when it is not there (about 1 GB; drop
// the schema to remove it).
func listBenchDB(b *testing.B) *DB {
	b.Helper()
	ctx := context.Background()
	base := pgtest.URL(b)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	var loaded bool
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'list_bench_loaded')`, listBenchSchema).Scan(&loaded)
	if err == nil && !loaded {
		_, err = conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+listBenchSchema+` CASCADE; CREATE SCHEMA `+listBenchSchema)
	}
	conn.Close(ctx)
	if err != nil {
		b.Fatal(err)
	}
	db := openURL(b, pgtest.WithParam(b, base, "search_path", listBenchSchema), Options{})
	if !loaded {
		start := time.Now()
		if err := loadListBench(ctx, db); err != nil {
			b.Fatal(err)
		}
		b.Logf("loaded schema %s (%d SIMs, %d orders) in %s", listBenchSchema, listBenchSIMs, listBenchOrders, time.Since(start).Round(time.Second))
	}
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

// listCases are sqlite's pages, and a floor: one SIM found by its ICCID
// (the primary key) through the same read path.
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

// BenchmarkListPages measures one page (50 items) of each operator list at
// 1,000,000 SIMs, and the floor, on OPENCUBE_TEST_POSTGRES. The data set is
// loaded once and kept in schema list_bench_v1 (about 1 GB); each page's
// query plan is checked first (checkPlan).
//
//	OPENCUBE_TEST_POSTGRES=... go test ./postgres -run XXX -bench ListPages -benchtime 200x -timeout 30m
func BenchmarkListPages(b *testing.B) {
	db := listBenchDB(b)
	ctx := context.Background()
	for _, c := range listCases {
		b.Run(c.name, func(b *testing.B) {
			if c.name != listCases[0].name {
				checkPlan(b, db, c)
			}
			r := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				n, err := c.run(ctx, db, r)
				if err != nil || n == 0 {
					b.Fatalf("%s: %d items, %v", c.name, n, err)
				}
			}
		})
	}
}

// checkPlan runs c once and checks the plan of each of its page
// statements (EXPLAIN with the same arguments): an index read in the
// list's order, no sequential scan and no sort.
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
		rows, err := db.pool.Query(ctx, "EXPLAIN "+q, seenArgs[i]...)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		sorted := false
		for _, l := range plan {
			l = strings.TrimLeft(l, " ->")
			if strings.HasPrefix(l, "Sort ") {
				sorted = true
			}
		}
		if !strings.Contains(text, "Index") || strings.Contains(text, "Seq Scan") || sorted {
			t.Errorf("%s: plan\n%s\nof\n%s", c.name, text, q)
		}
	}
}

// TestListPlans checks the plans of the benchmark's lists on an empty
// schema as the benchmark does on its loaded one, with the planner told
// to avoid sequential scans, bitmap scans and sorts, which it rightly
// prefers on empty tables: it still sorts when no index gives a list's
// order.
func TestListPlans(t *testing.T) {
	u := newSchema(t)
	for _, off := range []string{"enable_seqscan", "enable_bitmapscan", "enable_sort"} {
		u = pgtest.WithParam(t, u, off, "off")
	}
	db := openURL(t, u, Options{})
	for _, c := range listCases[1:] {
		checkPlan(t, db, c)
	}
}
