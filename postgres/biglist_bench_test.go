package postgres

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube/gen"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/storetest"
)

// bigListSpec is the data set of BenchmarkBigLists: 1,000,000 SIMs, as many
// orders, 10,000,000 usage rows, 1,000,000 SMS and 1,000,000 deliveries with
// OPENCUBE_BENCH_BIG=1; a tenth of each without.
func bigListSpec() gen.Spec {
	n := 100_000
	if os.Getenv("OPENCUBE_BENCH_BIG") == "1" {
		n = 1_000_000
	}
	return gen.Spec{SIMs: n, UsageRows: 10 * n, SMS: n, Deliveries: n}
}

// bigListDB opens the data set spec in a schema of OPENCUBE_TEST_POSTGRES
// kept across runs (biglists_v1_ and the number of SIMs; drop it to remove
// it), made by Generate when it is not there.
func bigListDB(b *testing.B, spec gen.Spec) *DB {
	b.Helper()
	ctx := context.Background()
	schema := fmt.Sprintf("biglists_v1_%d", spec.SIMs)
	base := pgtest.URL(b)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	var loaded bool
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'biglists_loaded')`, schema).Scan(&loaded)
	if err == nil && !loaded {
		_, err = conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE; CREATE SCHEMA `+schema)
	}
	conn.Close(ctx)
	if err != nil {
		b.Fatal(err)
	}
	db := openURL(b, pgtest.WithParam(b, base, "search_path", schema), Options{})
	if !loaded {
		start := time.Now()
		if err := db.Generate(ctx, spec); err != nil {
			b.Fatal(err)
		}
		if _, err := db.pool.Exec(ctx, `CREATE TABLE biglists_loaded (at timestamptz NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		b.Logf("made %+v in schema %s in %s", spec, schema, time.Since(start).Round(time.Second))
	}
	return db
}

// BenchmarkBigLists is sqlite's BenchmarkBigLists on PostgreSQL
// (OPENCUBE_TEST_POSTGRES): a page of every list CSSS, the admin API and
// the console read of one enterprise's 1,000,000 SIMs (OPENCUBE_BENCH_BIG=1)
// and the floor, one at a time (storetest.BigListCases).
//
//	OPENCUBE_TEST_POSTGRES=... OPENCUBE_BENCH_BIG=1 go test ./postgres -run XXX -bench BigLists -benchtime 200x -timeout 60m
func BenchmarkBigLists(b *testing.B) {
	spec := bigListSpec()
	db := bigListDB(b, spec)
	storetest.BenchLists(b, storetest.BigListCases(db, spec), false)
}
