package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// The backlog's queries. Due jobs are read kind by kind through jobs_due
// (the kinds found by skipping from one to the next in it, a few index
// reads each, rather than reading every job, due or not, to group them),
// pending deliveries through their jobs (jobs_kind_key_key) rather than a
// scan of the delivery log.
const (
	sqlBacklogJobs = `WITH RECURSIVE kinds (kind) AS (
			(SELECT kind FROM jobs ORDER BY kind LIMIT 1)
			UNION ALL
			SELECT (SELECT j.kind FROM jobs j WHERE j.kind > kinds.kind ORDER BY j.kind LIMIT 1)
			FROM kinds WHERE kinds.kind IS NOT NULL
		)
		SELECT k.kind, c.due, c.running, c.retrying, c.oldest
		FROM kinds k CROSS JOIN LATERAL (SELECT count(*) AS n,
				count(*) FILTER (WHERE claimed_until IS NULL OR claimed_until <= $1) AS due,
				count(*) FILTER (WHERE claimed_until > $1) AS running,
				count(*) FILTER (WHERE last_error <> '') AS retrying,
				min(run_at) FILTER (WHERE claimed_until IS NULL OR claimed_until <= $1) AS oldest
			FROM jobs WHERE jobs.kind = k.kind AND run_at <= $1) c
		WHERE k.kind IS NOT NULL AND c.n > 0 ORDER BY k.kind`
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
