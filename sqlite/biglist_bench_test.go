package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencube/opencube/gen"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/sqlite"
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

// bigListVersion names the cached databases: change it when the data
// set or the schema changes.
const bigListVersion = "v2"

// bigListDB opens the data set spec, made by Generate and cached under
// os.TempDir() across runs (1.9 GB at a million SIMs).
func bigListDB(b *testing.B, spec gen.Spec) *sqlite.DB {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("opencube-biglists-%s-%d.db", bigListVersion, spec.SIMs))
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		tmp := path + ".tmp"
		os.Remove(tmp)
		db, err := sqlite.Open(ctx, tmp, seal.Demo())
		if err != nil {
			b.Fatal(err)
		}
		err = db.Generate(ctx, spec)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp, path)
		}
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("built %s (%+v) in %s", path, spec, time.Since(start).Round(time.Second))
	}
	db, err := sqlite.Open(ctx, path, seal.Demo())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkBigLists measures a page of every list CSSS, the admin API and
// the console read of one enterprise's 1,000,000 SIMs (OPENCUBE_BENCH_BIG=1;
// 100,000 without), 10,000,000 usage rows, 1,000,000 SMS and 1,000,000
// deliveries, and the floor, one at a time (storetest.BigListCases).
//
//	OPENCUBE_BENCH_BIG=1 go test ./sqlite -run XXX -bench BigLists -benchtime 200x -timeout 60m
func BenchmarkBigLists(b *testing.B) {
	spec := bigListSpec()
	db := bigListDB(b, spec)
	storetest.BenchLists(b, storetest.BigListCases(db, spec), true)
}
