package sqlite

import (
	"context"
	"io/fs"
	"strconv"
	"strings"
	"sync"
)

// Ping implements opencube.HealthStore: a query on the read pool, and the
// writer's loop still running.
func (db *DB) Ping(ctx context.Context) error {
	select {
	case <-db.w.exited:
		return errClosed
	default:
	}
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return dbError("ping", err)
	}
	return nil
}

// SchemaVersion implements opencube.HealthStore.
func (db *DB) SchemaVersion(ctx context.Context) (current, known int64, err error) {
	if err := db.read.QueryRowContext(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version`).Scan(&current); err != nil {
		return 0, 0, dbError("schema version", err)
	}
	return current, knownVersion(), nil
}

// knownVersion is the version of the last embedded migration: the number
// its file name starts with, as goose reads it.
var knownVersion = sync.OnceValue(func() int64 { return lastVersion(embedded, "migrations") })

// lastVersion returns the largest leading number of the .sql files in dir.
func lastVersion(fsys fs.FS, dir string) int64 {
	entries, _ := fs.ReadDir(fsys, dir)
	var last int64
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		if v, err := strconv.ParseInt(num, 10, 64); err == nil && v > last {
			last = v
		}
	}
	return last
}
