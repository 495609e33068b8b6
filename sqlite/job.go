package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/opencube/opencube"
)

const jobColumns = `id, kind, key, payload, run_at, attempts, last_error, claimed_by, claimed_until`

// The statements of the job queue.
var (
	// Scheduling a pending kind and key again moves that job and frees it
	// of its lease, so that a run under way cannot complete (delete) it.
	qInsertJob = prepared(`INSERT INTO jobs (id, kind, key, payload, run_at, attempts, last_error)
		VALUES (?, ?, ?, ?, ?, 0, '')
		ON CONFLICT (kind, key) DO UPDATE SET
			payload = excluded.payload, run_at = excluded.run_at, claimed_by = NULL, claimed_until = NULL`)
	// A claim reads the earliest due jobs of each kind asked for
	// (qDueJobs, jobs_due), keeps the earliest of all, and claims them
	// (qClaimJobs); the single writer serialises claims, where the
	// PostgreSQL store skips the jobs another claimer has locked.
	// RETURNING order is unspecified.
	qDueJobs = prepared(`SELECT id, run_at FROM jobs INDEXED BY jobs_due
		WHERE kind = ?1 AND run_at <= ?2 AND (claimed_until IS NULL OR claimed_until <= ?2)
		ORDER BY run_at, id LIMIT ?3`)
	qClaimJobs = prepared(`UPDATE jobs SET claimed_by = ?1, claimed_until = ?2, attempts = attempts + 1
		WHERE id IN (SELECT value FROM json_each(?3))
		RETURNING ` + jobColumns)
	qCompleteJob = prepared(`DELETE FROM jobs WHERE id = ? AND claimed_by = ?`)
	qRetryJob    = prepared(`UPDATE jobs SET run_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL
		WHERE id = ? AND claimed_by = ?`)
	// On the read pool.
	qFindJobs = prepared(`SELECT ` + jobColumns + ` FROM jobs WHERE ?1 = '' OR kind = ?1
		ORDER BY run_at, id`)
)

func scanJob(s scanner) (*opencube.Job, error) {
	var (
		j               opencube.Job
		runAt, attempts int64
		claimedBy       sql.NullString
		claimedUntil    sql.NullInt64
	)
	if err := s.Scan(&j.ID, &j.Kind, &j.Key, &j.Payload, &runAt, &attempts, &j.LastError, &claimedBy, &claimedUntil); err != nil {
		return nil, err
	}
	j.RunAt = instant(runAt)
	j.Attempts = int(attempts)
	j.ClaimedBy = claimedBy.String
	if claimedUntil.Valid {
		j.ClaimedUntil = instant(claimedUntil.Int64)
	}
	return &j, nil
}

// scanJobs reads every row of rows as a job and closes rows.
func scanJobs(rows *sql.Rows) ([]*opencube.Job, error) {
	defer rows.Close()
	var jobs []*opencube.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// InsertJob implements opencube.OrderTx. A pending job of the same kind and
// key keeps its id, attempts and last error; it takes j's RunAt and Payload
// and loses its lease, so that a run of it under way can no longer complete
// it. KindConflict when j's id is another job's.
func (t *txn) InsertJob(_ context.Context, j *opencube.Job) error {
	_, err := t.execStmt(qInsertJob, j.ID, j.Kind, j.Key, j.Payload, micros(j.RunAt))
	if c := code(err); c == primaryKey || c == unique {
		return opencube.Errorf(opencube.KindConflict, "job %s exists", j.ID)
	}
	if err != nil {
		return dbError("insert job", err)
	}
	return nil
}

// ClaimJobs implements operator.JobStore. Claims are writes, so the single
// writer runs them one after the other: no two claimers see the same job
// free. A lease that ends at now has run out.
func (db *DB) ClaimJobs(ctx context.Context, owner string, kinds []string, limit int, now time.Time, lease time.Duration) ([]*opencube.Job, error) {
	if len(kinds) == 0 || limit <= 0 {
		return nil, nil
	}
	var jobs []*opencube.Job
	err := db.update(ctx, func(t *txn) error {
		type due struct {
			id    string
			runAt int64
		}
		var picks []due
		for _, kind := range slices.Compact(slices.Sorted(slices.Values(kinds))) {
			rows, err := t.queryStmt(qDueJobs, kind, micros(now), limit)
			if err != nil {
				return dbError("claim jobs", err)
			}
			for rows.Next() {
				var d due
				if err := rows.Scan(&d.id, &d.runAt); err != nil {
					rows.Close()
					return dbError("claim jobs", err)
				}
				picks = append(picks, d)
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return dbError("claim jobs", err)
			}
		}
		if len(picks) == 0 {
			return nil
		}
		slices.SortFunc(picks, func(a, b due) int {
			if a.runAt != b.runAt {
				return cmp.Compare(a.runAt, b.runAt)
			}
			return strings.Compare(a.id, b.id)
		})
		ids := make([]string, 0, min(len(picks), limit))
		for _, d := range picks[:min(len(picks), limit)] {
			ids = append(ids, d.id)
		}
		list, err := encodeList(ids)
		if err != nil {
			return err
		}
		rows, err := t.queryStmt(qClaimJobs, owner, micros(now.Add(lease)), list)
		if err != nil {
			return dbError("claim jobs", err)
		}
		if jobs, err = scanJobs(rows); err != nil {
			return dbError("claim jobs", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(jobs, func(a, b *opencube.Job) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return jobs, nil
}

// CompleteJob implements operator.JobStore. owner holds the job while it
// is the last to have claimed it, even once its lease has run out;
// KindConflict when the job was claimed since by another owner, released
// (RetryJob), rescheduled (InsertJob) or is gone.
func (db *DB) CompleteJob(ctx context.Context, id, owner string) error {
	return db.update(ctx, func(t *txn) error {
		res, err := t.execStmt(qCompleteJob, id, owner)
		return leased(res, err, "complete job", id, owner)
	})
}

// RetryJob implements operator.JobStore, holding the job as CompleteJob does.
func (db *DB) RetryJob(ctx context.Context, id, owner string, runAt time.Time, errText string) error {
	return db.update(ctx, func(t *txn) error {
		res, err := t.execStmt(qRetryJob, micros(runAt), errText, id, owner)
		return leased(res, err, "retry job", id, owner)
	})
}

// leased returns the outcome of a write to a job that owner holds:
// KindConflict when it changed no row.
func leased(res sql.Result, err error, op, id, owner string) error {
	if err != nil {
		return dbError(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbError(op, err)
	}
	if n == 0 {
		return opencube.Errorf(opencube.KindConflict, "job %s is not held by %s", id, owner)
	}
	return nil
}

// FindJobs implements operator.JobStore: leased jobs are pending too, and
// are listed with their lease. Jobs of the same RunAt are in id order.
func (db *DB) FindJobs(ctx context.Context, kind string) ([]*opencube.Job, error) {
	rows, err := db.reads.query(ctx, qFindJobs, kind)
	if err != nil {
		return nil, dbError("find jobs", err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, dbError("find jobs", err)
	}
	return jobs, nil
}
