package sqlite

import (
	"context"
	"sync"

	"github.com/opencube/opencube/internal/schema"
)

// Ping implements operator.HealthStore: a query on the read pool, and the
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

// SchemaVersion implements operator.HealthStore.
func (db *DB) SchemaVersion(ctx context.Context) (current, known int64, err error) {
	if err := db.read.QueryRowContext(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version`).Scan(&current); err != nil {
		return 0, 0, dbError("schema version", err)
	}
	return current, knownVersion(), nil
}

// knownVersion is the version of the last embedded migration: the number
// its file name starts with, as goose reads it.
var knownVersion = sync.OnceValue(func() int64 { return schema.Latest(embedded, "migrations") })
