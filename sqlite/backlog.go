package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// The backlog's queries, on the read pool. Due jobs are read through
// jobs_run_at (named: without statistics SQLite would rather scan the
// (kind, key) index, all of it, to group by kind), pending deliveries
// through their jobs (the (kind, key) index) rather than a scan of the
// delivery log.
const (
	qBacklogJobs = `SELECT kind,
			SUM(CASE WHEN claimed_until IS NULL OR claimed_until <= ?1 THEN 1 ELSE 0 END),
			SUM(CASE WHEN claimed_until > ?1 THEN 1 ELSE 0 END),
			SUM(CASE WHEN last_error <> '' THEN 1 ELSE 0 END),
			MIN(CASE WHEN claimed_until IS NULL OR claimed_until <= ?1 THEN run_at END)
		FROM jobs INDEXED BY jobs_run_at WHERE run_at <= ?1 GROUP BY kind ORDER BY kind`
	qBacklogDeliveries = `SELECT COUNT(*), MIN(d.created_at) FROM jobs j JOIN deliveries d ON d.id = j.key
		WHERE j.kind = '` + opencube.JobDeliver + `' AND d.state = 'pending'`
	qBacklogFailing = `SELECT COUNT(*) FROM webhooks WHERE failures >= ?`
)

// Backlog implements operator.BacklogStore.
func (db *DB) Backlog(ctx context.Context, now time.Time) (*operator.Backlog, error) {
	b := &operator.Backlog{}
	rows, err := db.read.QueryContext(ctx, qBacklogJobs, micros(now))
	if err != nil {
		return nil, dbError("read the backlog", err)
	}
	defer rows.Close()
	for rows.Next() {
		var j operator.JobBacklog
		var oldest sql.NullInt64
		if err := rows.Scan(&j.Kind, &j.Due, &j.Running, &j.Retrying, &oldest); err != nil {
			return nil, dbError("read the backlog", err)
		}
		if oldest.Valid {
			j.OldestDue = instant(oldest.Int64)
		}
		b.Jobs = append(b.Jobs, j)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("read the backlog", err)
	}
	var oldest sql.NullInt64
	if err := db.read.QueryRowContext(ctx, qBacklogDeliveries).Scan(&b.PendingDeliveries, &oldest); err != nil {
		return nil, dbError("read the backlog", err)
	}
	if oldest.Valid {
		b.OldestDelivery = instant(oldest.Int64)
	}
	if err := db.read.QueryRowContext(ctx, qBacklogFailing, opencube.FailingAfter).Scan(&b.FailingEndpoints); err != nil {
		return nil, dbError("read the backlog", err)
	}
	return b, nil
}
