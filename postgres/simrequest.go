package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

const simRequestColumns = `id, enterprise_code, iccid, operation, order_id, keep_alive, status, error_kind, error_cause, error_message, created_at, finished_at`

func scanSIMRequest(s scanner) (*operator.SIMRequest, error) {
	var (
		r           operator.SIMRequest
		kind, cause string
		status      int16
	)
	if err := s.Scan(&r.ID, &r.Enterprise, &r.ICCID, &r.Operation, &r.OrderID, &r.KeepAlive, &status, &kind, &cause, &r.ErrorMessage, &r.CreatedAt, &r.FinishedAt); err != nil {
		return nil, err
	}
	r.Status, r.ErrorKind, r.ErrorCause, r.CreatedAt = operator.SIMRequestStatus(status), opencube.Kind(kind), opencube.Cause(cause), utc(r.CreatedAt)
	if r.FinishedAt != nil {
		t := utc(*r.FinishedAt)
		r.FinishedAt = &t
	}
	return &r, nil
}

// CreateSIMRequest implements operator.SIMRequestStore.
func (db *DB) CreateSIMRequest(ctx context.Context, claim *opencube.ReplayClaim, fn func(tx opencube.OrderTx) (*operator.SIMRequest, *opencube.Job, error)) error {
	return db.claiming(ctx, claim, false, func(t *orderTx) error {
		r, j, err := fn(t)
		if err != nil {
			return err
		}
		_, err = t.write(ctx, `INSERT INTO sim_requests (id, enterprise_code, iccid, operation, order_id, keep_alive, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 0, $7)`, r.ID, r.Enterprise, r.ICCID, r.Operation, r.OrderID, r.KeepAlive, r.CreatedAt)
		switch {
		case violated(err, codeUniqueViolation, "sim_requests_lock") != "":
			return opencube.Errorf(opencube.KindSIMState, "SIM %s has an operation in progress", r.ICCID).Because(opencube.CauseSIMLocked)
		case violated(err, codeUniqueViolation, "sim_requests_pkey") != "":
			return opencube.Errorf(opencube.KindConflict, "request %s exists", r.ID)
		case violated(err, codeForeignKeyViolation) != "":
			return opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", r.ICCID)
		case err != nil:
			return t.fail("create sim request", err)
		}
		return t.InsertJob(ctx, j)
	})
}

// FindSIMRequest implements operator.SIMRequestStore.
func (db *DB) FindSIMRequest(ctx context.Context, accessCode, id string) (*operator.SIMRequest, error) {
	var r *operator.SIMRequest
	err := retry(ctx, func() error {
		var err error
		r, err = scanSIMRequest(db.pool.QueryRow(ctx, `SELECT `+simRequestColumns+` FROM sim_requests WHERE id = $1 AND enterprise_code = $2`, id, accessCode))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindNotFound, "no request %s", id)
	}
	if err != nil {
		return nil, db.dbError("find sim request", err)
	}
	return r, nil
}

// FinishSIMRequest implements operator.SIMRequestStore.
func (db *DB) FinishSIMRequest(ctx context.Context, r *operator.SIMRequest, e *opencube.Event) error {
	return db.UpdateOrders(ctx, func(otx opencube.OrderTx) error {
		t := otx.(*orderTx)
		tag, err := t.write(ctx, `UPDATE sim_requests SET status = $1, error_kind = $2, error_cause = $3, error_message = $4, finished_at = $5
			WHERE id = $6 AND status = 0`, int16(r.Status), string(r.ErrorKind), string(r.ErrorCause), r.ErrorMessage, r.FinishedAt, r.ID)
		if err != nil {
			return t.fail("finish sim request", err)
		}
		if tag.RowsAffected() == 0 || e == nil {
			return nil // finished before: its event was written then
		}
		return t.InsertEvent(ctx, e)
	})
}

const sqlSIMLocked = `SELECT id FROM sim_requests WHERE iccid = $1 AND status = 0`

// SIMLocked implements operator.SIMRequestStore.
func (db *DB) SIMLocked(ctx context.Context, iccid string) (string, error) {
	var id string
	err := retry(ctx, func() error { return db.pool.QueryRow(ctx, sqlSIMLocked, iccid).Scan(&id) })
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", db.dbError("sim lock", err)
	}
	return id, nil
}

// SIMLocked implements opencube.OrderTx.
func (t *orderTx) SIMLocked(ctx context.Context, iccid string) (string, error) {
	var id string
	err := t.tx.QueryRow(ctx, sqlSIMLocked, iccid).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", t.fail("sim lock", err)
	}
	return id, nil
}
