package postgres

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/opencube/opencube"
)

const jobColumns = `id, kind, key, payload, run_at, attempts, last_error, claimed_by, claimed_until`

func scanJob(s scanner) (*opencube.Job, error) {
	var (
		j            opencube.Job
		attempts     int64
		claimedBy    *string
		claimedUntil *time.Time
	)
	if err := s.Scan(&j.ID, &j.Kind, &j.Key, &j.Payload, &j.RunAt, &attempts, &j.LastError, &claimedBy, &claimedUntil); err != nil {
		return nil, err
	}
	j.RunAt = utc(j.RunAt)
	j.Attempts = int(attempts)
	if claimedBy != nil {
		j.ClaimedBy = *claimedBy
	}
	if claimedUntil != nil {
		j.ClaimedUntil = utc(*claimedUntil)
	}
	return &j, nil
}

const (
	// For each kind asked for, its earliest due jobs are picked through
	// jobs_due and locked; those another claimer has locked are skipped,
	// not waited for, and a job claimed and committed meanwhile fails the
	// re-check of its lease, so no two claimers get one job. The earliest
	// of all kinds' picks are claimed: a pick left out (when several kinds
	// have due jobs) is locked only until the statement ends. RETURNING
	// order is unspecified.
	//
	// The claimed ids are an array the UPDATE finds by its key: written as
	// "id IN (subquery)", the plan PostgreSQL keeps for the prepared
	// statement (planned without its values, whose LIMIT it guesses at a
	// thousand) hashed the picks and read the whole table to join them.
	sqlClaimJobs = `UPDATE jobs SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
		WHERE id = ANY(ARRAY(SELECT p.id FROM (SELECT DISTINCT unnest($4::text[])) AS k (kind) CROSS JOIN LATERAL (
				SELECT id, run_at FROM jobs
				WHERE jobs.kind = k.kind AND run_at <= $3 AND (claimed_until IS NULL OR claimed_until <= $3)
				ORDER BY run_at, id LIMIT $5
				FOR UPDATE SKIP LOCKED) p
			ORDER BY p.run_at, p.id LIMIT $5))
		AND (claimed_until IS NULL OR claimed_until <= $3)
		RETURNING ` + jobColumns
	// A claim is planned without bitmap scans. The jobs table fills and
	// drains faster than its statistics follow, so that PostgreSQL takes a
	// kind with thousands of due jobs for one with a handful, and would
	// rather read all of them through a bitmap of jobs_due and sort them
	// than read the first few in order: about 7 ms a claim at a backlog of
	// 30,000 deliveries, against a few dozen index entries. (A bitmap scan
	// also never marks the index entries of deleted jobs dead, as an index
	// scan does, so that those entries pile up.) The setting lasts for the
	// transaction; the plans made under it are those of the claim alone.
	sqlNoBitmapScans = `SELECT set_config('enable_bitmapscan', 'off', true)`
	sqlCompleteJob   = `DELETE FROM jobs WHERE id = $1 AND claimed_by = $2`
	sqlRetryJob      = `UPDATE jobs SET run_at = $1, last_error = $2, claimed_by = NULL, claimed_until = NULL
		WHERE id = $3 AND claimed_by = $4`
)

// ClaimJobs implements operator.JobStore. A lease that ends at now has run
// out.
func (db *DB) ClaimJobs(ctx context.Context, owner string, kinds []string, limit int, now time.Time, lease time.Duration) ([]*opencube.Job, error) {
	if len(kinds) == 0 || limit <= 0 {
		return nil, nil
	}
	var jobs []*opencube.Job
	err := retry(ctx, func() error {
		// The statements of a batch run in one transaction, so that the
		// setting holds for the claim alone (see sqlNoBitmapScans).
		var b pgx.Batch
		b.Queue(sqlNoBitmapScans)
		b.Queue(sqlClaimJobs, owner, now.Add(lease), now, kinds, int64(limit))
		br := db.pool.SendBatch(ctx, &b)
		defer br.Close()
		if _, err := br.Exec(); err != nil {
			return err
		}
		rows, err := br.Query()
		if jobs, err = collect(rows, err, scanJob); err != nil {
			return err
		}
		return br.Close()
	})
	if err != nil {
		return nil, db.dbError("claim jobs", err)
	}
	slices.SortFunc(jobs, func(a, b *opencube.Job) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(jobs) == 0 {
		return nil, nil
	}
	return jobs, nil
}

// CompleteJob implements operator.JobStore. owner holds the job while it
// is the last to have claimed it, even once its lease has run out;
// KindConflict when the job was claimed since by another owner, released
// (RetryJob), rescheduled (InsertJob) or is gone.
func (db *DB) CompleteJob(ctx context.Context, id, owner string) error {
	tag, err := db.exec(ctx, "complete job", sqlCompleteJob, id, owner)
	return leased(tag, err, id, owner)
}

// RetryJob implements operator.JobStore, holding the job as CompleteJob does.
func (db *DB) RetryJob(ctx context.Context, id, owner string, runAt time.Time, errText string) error {
	tag, err := db.exec(ctx, "retry job", sqlRetryJob, runAt, errText, id, owner)
	return leased(tag, err, id, owner)
}

// leased returns the outcome of a write to a job that owner holds:
// KindConflict when it changed no row.
func leased(tag pgconn.CommandTag, err error, id, owner string) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return opencube.Errorf(opencube.KindConflict, "job %s is not held by %s", id, owner)
	}
	return nil
}

// FindJobs implements operator.JobStore: leased jobs are pending too, and
// are listed with their lease. Jobs of the same RunAt are in id order.
func (db *DB) FindJobs(ctx context.Context, kind string) ([]*opencube.Job, error) {
	sql, args := `SELECT `+jobColumns+` FROM jobs ORDER BY run_at, id`, []any(nil)
	if kind != "" {
		sql, args = `SELECT `+jobColumns+` FROM jobs WHERE kind = $1 ORDER BY run_at, id`, []any{kind}
	}
	jobs, err := queryAll(ctx, db, "find jobs", sql, args, scanJob)
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, nil
	}
	return jobs, nil
}
