package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
)

// The statements of the subscriber register's bookkeeping.
var (
	qInsertSIMAuth = prepared(`INSERT INTO sim_auth (iccid, algorithm, ki, opc) VALUES (?, ?, ?, ?)`)
	qSIMAuth       = prepared(`SELECT algorithm, ki, opc FROM sim_auth WHERE iccid = ?`)
	qProvisioning  = prepared(`SELECT p.state, p.imsi, p.last_error, p.updated_at,
		j.attempts, j.last_error
		FROM (SELECT ?1 AS iccid) s
		LEFT JOIN sim_provisioning p ON p.iccid = s.iccid
		LEFT JOIN jobs j ON j.kind = '` + opencube.JobHLRSync + `' AND j.key = s.iccid`)
	qSetProvisioning = prepared(`INSERT INTO sim_provisioning (iccid, state, imsi, last_error, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (iccid) DO UPDATE SET state = excluded.state, imsi = excluded.imsi,
			last_error = excluded.last_error, updated_at = excluded.updated_at`)
	qProvisionSIMs   = prepared(`SELECT ` + simColumns + ` FROM sims WHERE iccid > ? ORDER BY iccid LIMIT ?`)
	qProvisionCounts = prepared(`SELECT
		(SELECT count(*) FROM jobs WHERE kind = '` + opencube.JobHLRSync + `'),
		(SELECT count(*) FROM sim_provisioning WHERE state = 'failed')`)
	qSaveHLRReport = prepared(`INSERT INTO hlr_status (id, report) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET report = excluded.report`)
	qLastHLRReport = prepared(`SELECT report FROM hlr_status WHERE id = 1`)
)

// SIMAuth implements operator.ProvisionStore.
func (db *DB) SIMAuth(ctx context.Context, iccid string) (*opencube.SIMAuth, error) {
	var a opencube.SIMAuth
	err := db.reads.queryRow(ctx, qSIMAuth, iccid).Scan(&a.Algorithm, &a.Ki, &a.OPc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError("find SIM auth", err)
	}
	if a.Ki, err = db.box.Open(seal.SIMKi, iccid, a.Ki); err != nil {
		return nil, dbError("open SIM auth", err)
	}
	if a.OPc, err = db.box.Open(seal.SIMOPc, iccid, a.OPc); err != nil {
		return nil, dbError("open SIM auth", err)
	}
	return &a, nil
}

// Provisioning implements operator.ProvisionStore.
func (db *DB) Provisioning(ctx context.Context, iccid string) (*operator.Provisioning, error) {
	var (
		state, imsi, lastErr, jobErr sql.NullString
		updated, attempts            sql.NullInt64
	)
	err := db.reads.queryRow(ctx, qProvisioning, iccid).Scan(&state, &imsi, &lastErr, &updated, &attempts, &jobErr)
	if err != nil {
		return nil, dbError("find provisioning", err)
	}
	if !state.Valid && !attempts.Valid {
		return nil, nil
	}
	p := &operator.Provisioning{ICCID: iccid, State: operator.ProvisionState(state.String), IMSI: imsi.String, LastError: lastErr.String}
	if updated.Valid {
		p.UpdatedAt = instant(updated.Int64)
	}
	if attempts.Valid {
		p.State, p.Attempts, p.LastError = operator.ProvisionPending, int(attempts.Int64), jobErr.String
	}
	return p, nil
}

// SetProvisioning implements operator.ProvisionStore.
func (db *DB) SetProvisioning(ctx context.Context, p *operator.Provisioning, alert *opencube.Event) error {
	return db.update(ctx, func(t *txn) error {
		var state, lastErr string
		err := t.queryRow(`SELECT state, last_error FROM sim_provisioning WHERE iccid = ?`, p.ICCID).Scan(&state, &lastErr)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return dbError("set provisioning", err)
		}
		if _, err := t.write("set provisioning", qSetProvisioning, p.ICCID, string(p.State), p.IMSI, p.LastError, micros(p.UpdatedAt)); err != nil {
			return err
		}
		if alert == nil || (operator.ProvisionState(state) == operator.ProvisionFailed && lastErr == p.LastError) {
			return nil
		}
		return t.insertEvent(alert)
	})
}

// ProvisionSIMs implements operator.ProvisionStore.
func (db *DB) ProvisionSIMs(ctx context.Context, after string, limit int) ([]*opencube.SIM, error) {
	rows, err := db.reads.query(ctx, qProvisionSIMs, after, limit)
	if err != nil {
		return nil, dbError("list SIMs", err)
	}
	defer rows.Close()
	var out []*opencube.SIM
	for rows.Next() {
		s, err := scanSIM(rows)
		if err != nil {
			return nil, dbError("list SIMs", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("list SIMs", err)
	}
	return out, nil
}

// ProvisionCounts implements operator.ProvisionStore.
func (db *DB) ProvisionCounts(ctx context.Context) (pending, failed int, err error) {
	if err := db.reads.queryRow(ctx, qProvisionCounts).Scan(&pending, &failed); err != nil {
		return 0, 0, dbError("count provisioning", err)
	}
	return pending, failed, nil
}

// SaveHLRReport implements operator.ProvisionStore.
func (db *DB) SaveHLRReport(ctx context.Context, r *operator.HLRReport) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *txn) error {
		_, err := t.write("save reconciliation", qSaveHLRReport, string(b))
		return err
	})
}

// LastHLRReport implements operator.ProvisionStore.
func (db *DB) LastHLRReport(ctx context.Context) (*operator.HLRReport, error) {
	var b string
	err := db.reads.queryRow(ctx, qLastHLRReport).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError("find reconciliation", err)
	}
	var r operator.HLRReport
	if err := json.Unmarshal([]byte(b), &r); err != nil {
		return nil, dbError("find reconciliation", err)
	}
	return &r, nil
}
