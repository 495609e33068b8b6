package postgres

import (
	"context"
	"time"
)

// The statements of the sandbox clock's offset (one row, 00009). The
// advance is one conditional update: concurrent ones from several nodes
// leave the largest offset.
const (
	sqlClockOffset        = `SELECT offset_ns FROM sandbox_clock WHERE id = 1`
	sqlAdvanceClockOffset = `UPDATE sandbox_clock SET offset_ns = GREATEST(offset_ns, $1) WHERE id = 1 RETURNING offset_ns`
)

// ClockOffset implements operator.ClockStore.
func (db *DB) ClockOffset(ctx context.Context) (time.Duration, error) {
	return db.clockOffset(ctx, "read the sandbox clock", sqlClockOffset)
}

// AdvanceClockOffset implements operator.ClockStore.
func (db *DB) AdvanceClockOffset(ctx context.Context, d time.Duration) (time.Duration, error) {
	return db.clockOffset(ctx, "advance the sandbox clock", sqlAdvanceClockOffset, int64(d))
}

// clockOffset runs a statement that returns the offset.
func (db *DB) clockOffset(ctx context.Context, op, sql string, args ...any) (time.Duration, error) {
	var ns int64
	err := retry(ctx, func() error { return db.pool.QueryRow(ctx, sql, args...).Scan(&ns) })
	if err != nil {
		return 0, db.dbError(op, err)
	}
	return time.Duration(ns), nil
}
