package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// The backlog's queries. Due jobs are read through jobs_run_at, pending
// deliveries through their jobs (jobs_kind_key_key) rather than a scan of
// the delivery log.
const (
	sqlBacklogJobs = `SELECT kind,
			count(*) FILTER (WHERE claimed_until IS NULL OR claimed_until <= $1),
			count(*) FILTER (WHERE claimed_until > $1),
			count(*) FILTER (WHERE last_error <> ''),
			min(run_at) FILTER (WHERE claimed_until IS NULL OR claimed_until <= $1)
		FROM jobs WHERE run_at <= $1 GROUP BY kind ORDER BY kind`
	sqlBacklogDeliveries = `SELECT count(*), min(d.created_at) FROM jobs j JOIN deliveries d ON d.id = j.key
		WHERE j.kind = '` + opencube.JobDeliver + `' AND d.state = 'pending'`
	sqlBacklogFailing = `SELECT count(*) FROM webhooks WHERE failures >= $1`
)

// Backlog implements operator.BacklogStore.
func (db *DB) Backlog(ctx context.Context, now time.Time) (*operator.Backlog, error) {
	jobs, err := queryAll(ctx, db, "read the backlog", sqlBacklogJobs, []any{now}, func(s scanner) (operator.JobBacklog, error) {
		var j operator.JobBacklog
		var oldest *time.Time
		err := s.Scan(&j.Kind, &j.Due, &j.Running, &j.Retrying, &oldest)
		if oldest != nil {
			j.OldestDue = oldest.UTC()
		}
		return j, err
	})
	if err != nil {
		return nil, err
	}
	b := &operator.Backlog{Jobs: jobs}
	var oldest *time.Time
	if err := db.pool.QueryRow(ctx, sqlBacklogDeliveries).Scan(&b.PendingDeliveries, &oldest); err != nil {
		return nil, db.dbError("read the backlog", err)
	}
	if oldest != nil {
		b.OldestDelivery = oldest.UTC()
	}
	if err := db.pool.QueryRow(ctx, sqlBacklogFailing, opencube.FailingAfter).Scan(&b.FailingEndpoints); err != nil {
		return nil, db.dbError("read the backlog", err)
	}
	return b, nil
}

// PoolStat returns the connection pool's statistics: connections
// acquired and idle, and the time spent waiting for one.
func (db *DB) PoolStat() *pgxpool.Stat { return db.pool.Stat() }
