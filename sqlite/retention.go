package sqlite

import (
	"context"
	"time"
)

// The finished deliveries to purge: oldest first, through deliveries_done.
const purgeDeliveriesFrom = `SELECT id FROM deliveries WHERE state <> 'pending' AND updated_at < ?1
	ORDER BY updated_at LIMIT ?2`

// PurgeDeliveries implements opencube.NotifyStore.
func (db *DB) PurgeDeliveries(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := db.update(ctx, func(t *txn) error {
		if _, err := t.exec(`DELETE FROM delivery_attempts WHERE delivery_id IN (`+purgeDeliveriesFrom+`)`, micros(before), limit); err != nil {
			return dbError("purge delivery attempts", err)
		}
		res, err := t.exec(`DELETE FROM deliveries WHERE id IN (`+purgeDeliveriesFrom+`)`, micros(before), limit)
		if err != nil {
			return dbError("purge deliveries", err)
		}
		n, err = res.RowsAffected()
		if err != nil {
			return dbError("purge deliveries", err)
		}
		return nil
	})
	return int(n), err
}
