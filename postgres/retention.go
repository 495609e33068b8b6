package postgres

import (
	"context"
	"time"
)

// sqlPurgeDeliveries deletes the oldest finished deliveries and their
// attempts. Rows locked by a concurrent change (a redelivery making one
// pending again) are skipped, and a row that became pending meanwhile no
// longer qualifies. The picked ids are an array found by the primary key
// (as in sqlClaimJobs): "id IN (subquery)" had the prepared statement's
// plan read every delivery to hash-join the batch, about 45 ms a batch at
// 300,000 deliveries where this takes 5.
const sqlPurgeDeliveries = `WITH gone AS (
		DELETE FROM deliveries WHERE id = ANY(ARRAY(
			SELECT id FROM deliveries WHERE state <> 'pending' AND updated_at < $1
			ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED))
		AND state <> 'pending'
		RETURNING id
	), attempts AS (
		DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM gone)
	)
	SELECT count(*) FROM gone`

// PurgeDeliveries implements opencube.NotifyStore.
func (db *DB) PurgeDeliveries(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, sqlPurgeDeliveries, before, limit).Scan(&n)
	})
	if err != nil {
		return 0, db.dbError("purge deliveries", err)
	}
	return n, nil
}
