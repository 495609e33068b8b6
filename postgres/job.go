package postgres

import (
	"context"
	"slices"
	"strings"
	"time"

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
	// The due jobs are picked and locked by the subquery; those another
	// claimer has locked are skipped, not waited for, and a job claimed and
	// committed meanwhile fails the re-check of its lease, so no two
	// claimers get one job. RETURNING order is unspecified.
	sqlClaimJobs = `UPDATE jobs SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
		WHERE id IN (SELECT id FROM jobs
			WHERE run_at <= $3 AND (claimed_until IS NULL OR claimed_until <= $3) AND kind = ANY($4)
			ORDER BY run_at, id LIMIT $5
			FOR UPDATE SKIP LOCKED)
		AND (claimed_until IS NULL OR claimed_until <= $3)
		RETURNING ` + jobColumns
	sqlCompleteJob = `DELETE FROM jobs WHERE id = $1 AND claimed_by = $2`
	sqlRetryJob    = `UPDATE jobs SET run_at = $1, last_error = $2, claimed_by = NULL, claimed_until = NULL
		WHERE id = $3 AND claimed_by = $4`
)

// ClaimJobs implements operator.JobStore. A lease that ends at now has run
// out.
func (db *DB) ClaimJobs(ctx context.Context, owner string, kinds []string, limit int, now time.Time, lease time.Duration) ([]*opencube.Job, error) {
	if len(kinds) == 0 || limit <= 0 {
		return nil, nil
	}
	jobs, err := queryAll(ctx, db, "claim jobs", sqlClaimJobs, []any{owner, now.Add(lease), now, kinds, int64(limit)}, scanJob)
	if err != nil {
		return nil, err
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
