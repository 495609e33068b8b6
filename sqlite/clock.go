package sqlite

import (
	"context"
	"time"
)

// The statements of the sandbox clock's offset (one row, 00010).
var (
	qClockOffset        = prepared(`SELECT offset_ns FROM sandbox_clock WHERE id = 1`)
	qAdvanceClockOffset = prepared(`UPDATE sandbox_clock SET offset_ns = max(offset_ns, ?) WHERE id = 1 RETURNING offset_ns`)
)

// ClockOffset implements operator.ClockStore.
func (db *DB) ClockOffset(ctx context.Context) (time.Duration, error) {
	var ns int64
	if err := db.reads.queryRow(ctx, qClockOffset).Scan(&ns); err != nil {
		return 0, dbError("read the sandbox clock", err)
	}
	return time.Duration(ns), nil
}

// AdvanceClockOffset implements operator.ClockStore.
func (db *DB) AdvanceClockOffset(ctx context.Context, d time.Duration) (time.Duration, error) {
	var ns int64
	err := db.update(ctx, func(t *txn) error {
		if err := t.queryRowStmt(qAdvanceClockOffset, int64(d)).Scan(&ns); err != nil {
			return dbError("advance the sandbox clock", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return time.Duration(ns), nil
}
