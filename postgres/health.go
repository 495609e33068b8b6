package postgres

import (
	"context"
	"io/fs"
	"strconv"
	"strings"
	"sync"
)

// Ping implements opencube.HealthStore: a connection of the pool (a new
// one when none is idle) answers an empty query.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return db.dbError("ping", err)
	}
	return nil
}

// SchemaVersion implements opencube.HealthStore.
func (db *DB) SchemaVersion(ctx context.Context) (current, known int64, err error) {
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version`).Scan(&current); err != nil {
		return 0, 0, db.dbError("schema version", err)
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
