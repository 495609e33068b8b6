package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

const simRequestColumns = `id, enterprise_code, iccid, operation, order_id, keep_alive, status, error_kind, error_cause, error_message, created_at, finished_at`

func scanSIMRequest(s scanner) (*operator.SIMRequest, error) {
	var (
		r           operator.SIMRequest
		kind, cause string
		created     int64
		finished    sql.NullInt64
	)
	if err := s.Scan(&r.ID, &r.Enterprise, &r.ICCID, &r.Operation, &r.OrderID, &r.KeepAlive, &r.Status, &kind, &cause, &r.ErrorMessage, &created, &finished); err != nil {
		return nil, err
	}
	r.ErrorKind, r.ErrorCause, r.CreatedAt = opencube.Kind(kind), opencube.Cause(cause), instant(created)
	if finished.Valid {
		t := instant(finished.Int64)
		r.FinishedAt = &t
	}
	return &r, nil
}

func simLocked(iccid string) error {
	return opencube.Errorf(opencube.KindSIMState, "SIM %s has an operation in progress", iccid).Because(opencube.CauseSIMLocked)
}

// CreateSIMRequest implements operator.SIMRequestStore.
func (db *DB) CreateSIMRequest(ctx context.Context, claim *opencube.ReplayClaim, fn func(tx opencube.OrderTx) (*operator.SIMRequest, *opencube.Job, error)) error {
	return db.claiming(claim, func(run func(*txn) error) error { return db.update(ctx, run) }, func(t *txn) error {
		r, j, err := fn(t)
		if err != nil {
			return err
		}
		_, err = t.exec(`INSERT INTO sim_requests (id, enterprise_code, iccid, operation, order_id, keep_alive, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 0, ?)`, r.ID, r.Enterprise, r.ICCID, r.Operation, r.OrderID, r.KeepAlive, micros(r.CreatedAt))
		switch code(err) {
		case unique:
			return simLocked(r.ICCID)
		case primaryKey:
			return opencube.Errorf(opencube.KindConflict, "request %s exists", r.ID)
		case foreignKey:
			return opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", r.ICCID)
		}
		if err != nil {
			return dbError("create sim request", err)
		}
		return t.InsertJob(ctx, j)
	})
}

// FindSIMRequest implements operator.SIMRequestStore.
func (db *DB) FindSIMRequest(ctx context.Context, accessCode, id string) (*operator.SIMRequest, error) {
	r, err := scanSIMRequest(db.read.QueryRowContext(ctx, `SELECT `+simRequestColumns+` FROM sim_requests WHERE id = ? AND enterprise_code = ?`, id, accessCode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindNotFound, "no request %s", id)
	}
	if err != nil {
		return nil, dbError("find sim request", err)
	}
	return r, nil
}

// FinishSIMRequest implements operator.SIMRequestStore.
func (db *DB) FinishSIMRequest(ctx context.Context, r *operator.SIMRequest, e *opencube.Event) error {
	return db.update(ctx, func(t *txn) error {
		res, err := t.exec(`UPDATE sim_requests SET status = ?, error_kind = ?, error_cause = ?, error_message = ?, finished_at = ?
			WHERE id = ? AND status = 0`, r.Status, string(r.ErrorKind), string(r.ErrorCause), r.ErrorMessage, nullMicros(r.FinishedAt), r.ID)
		if err != nil {
			return dbError("finish sim request", err)
		}
		if n, _ := res.RowsAffected(); n == 0 || e == nil {
			return nil // finished before: its event was written then
		}
		return t.insertEvent(e)
	})
}

// SIMLocked implements operator.SIMRequestStore.
func (db *DB) SIMLocked(ctx context.Context, iccid string) (string, error) {
	var id string
	err := db.read.QueryRowContext(ctx, `SELECT id FROM sim_requests WHERE iccid = ? AND status = 0`, iccid).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", dbError("sim lock", err)
	}
	return id, nil
}

// SIMLocked implements opencube.OrderTx.
func (t *txn) SIMLocked(_ context.Context, iccid string) (string, error) {
	var id string
	err := t.queryRow(`SELECT id FROM sim_requests WHERE iccid = ? AND status = 0`, iccid).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", dbError("sim lock", err)
	}
	return id, nil
}
