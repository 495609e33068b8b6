package postgres

import (
	"context"
	"sync"

	"github.com/opencube/opencube/internal/schema"
)

// Ping implements operator.HealthStore: a connection of the pool (a new
// one when none is idle) answers an empty query.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return db.dbError("ping", err)
	}
	return nil
}

// SchemaVersion implements operator.HealthStore.
func (db *DB) SchemaVersion(ctx context.Context) (current, known int64, err error) {
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version`).Scan(&current); err != nil {
		return 0, 0, db.dbError("schema version", err)
	}
	return current, knownVersion(), nil
}

// knownVersion is the version of the last embedded migration: the number
// its file name starts with, as goose reads it.
var knownVersion = sync.OnceValue(func() int64 { return schema.Latest(embedded, "migrations") })
