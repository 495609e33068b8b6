package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
)

// SIMAuth implements operator.ProvisionStore.
func (db *DB) SIMAuth(ctx context.Context, iccid string) (*opencube.SIMAuth, error) {
	var a opencube.SIMAuth
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT algorithm, ki, opc FROM sim_auth WHERE iccid = $1`, iccid).Scan(&a.Algorithm, &a.Ki, &a.OPc)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.dbError("find SIM auth", err)
	}
	if a.Ki, err = db.box.Open(seal.SIMKi, iccid, a.Ki); err != nil {
		return nil, db.dbError("open SIM auth", err)
	}
	if a.OPc, err = db.box.Open(seal.SIMOPc, iccid, a.OPc); err != nil {
		return nil, db.dbError("open SIM auth", err)
	}
	return &a, nil
}

// Provisioning implements operator.ProvisionStore.
func (db *DB) Provisioning(ctx context.Context, iccid string) (*operator.Provisioning, error) {
	var (
		state, imsi, lastErr, jobErr *string
		updated                      *time.Time
		attempts                     *int
	)
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT p.state, p.imsi, p.last_error, p.updated_at, j.attempts, j.last_error
			FROM (SELECT $1::text AS iccid) s
			LEFT JOIN sim_provisioning p ON p.iccid = s.iccid
			LEFT JOIN jobs j ON j.kind = '`+opencube.JobHLRSync+`' AND j.key = s.iccid`, iccid).
			Scan(&state, &imsi, &lastErr, &updated, &attempts, &jobErr)
	})
	if err != nil {
		return nil, db.dbError("find provisioning", err)
	}
	if state == nil && attempts == nil {
		return nil, nil
	}
	p := &operator.Provisioning{ICCID: iccid}
	if state != nil {
		p.State, p.IMSI, p.LastError, p.UpdatedAt = operator.ProvisionState(*state), *imsi, *lastErr, utc(*updated)
	}
	if attempts != nil {
		p.State, p.Attempts, p.LastError = operator.ProvisionPending, *attempts, *jobErr
	}
	return p, nil
}

// SetProvisioning implements operator.ProvisionStore.
func (db *DB) SetProvisioning(ctx context.Context, p *operator.Provisioning, alert *opencube.Event) error {
	return db.UpdateOrders(ctx, func(otx opencube.OrderTx) error {
		t := otx.(*orderTx)
		var state, lastErr string
		err := t.tx.QueryRow(ctx, `SELECT state, last_error FROM sim_provisioning WHERE iccid = $1 FOR UPDATE`, p.ICCID).Scan(&state, &lastErr)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return t.fail("set provisioning", err)
		}
		if _, err := t.write(ctx, `INSERT INTO sim_provisioning (iccid, state, imsi, last_error, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (iccid) DO UPDATE SET state = excluded.state, imsi = excluded.imsi,
				last_error = excluded.last_error, updated_at = excluded.updated_at`,
			p.ICCID, string(p.State), p.IMSI, p.LastError, p.UpdatedAt); err != nil {
			return t.fail("set provisioning", err)
		}
		if alert == nil || (operator.ProvisionState(state) == operator.ProvisionFailed && lastErr == p.LastError) {
			return nil
		}
		return t.InsertEvent(ctx, alert)
	})
}

// ProvisionSIMs implements operator.ProvisionStore.
func (db *DB) ProvisionSIMs(ctx context.Context, after string, limit int) ([]*opencube.SIM, error) {
	var out []*opencube.SIM
	err := retry(ctx, func() error {
		out = nil
		rows, err := db.pool.Query(ctx, `SELECT `+simColumns+` FROM sims WHERE iccid > $1 ORDER BY iccid LIMIT $2`, after, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s, err := scanSIM(rows)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.dbError("list SIMs", err)
	}
	return out, nil
}

// ProvisionCounts implements operator.ProvisionStore.
func (db *DB) ProvisionCounts(ctx context.Context) (pending, failed int, err error) {
	err = retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM jobs WHERE kind = '`+opencube.JobHLRSync+`'),
			(SELECT count(*) FROM sim_provisioning WHERE state = 'failed')`).Scan(&pending, &failed)
	})
	if err != nil {
		return 0, 0, db.dbError("count provisioning", err)
	}
	return pending, failed, nil
}

// SaveHLRReport implements operator.ProvisionStore.
func (db *DB) SaveHLRReport(ctx context.Context, r *operator.HLRReport) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, "save reconciliation", `INSERT INTO hlr_status (id, report) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET report = excluded.report`, string(b))
	return err
}

// LastHLRReport implements operator.ProvisionStore.
func (db *DB) LastHLRReport(ctx context.Context) (*operator.HLRReport, error) {
	var b []byte
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT report::text FROM hlr_status WHERE id = 1`).Scan(&b)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.dbError("find reconciliation", err)
	}
	var r operator.HLRReport
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, db.dbError("find reconciliation", err)
	}
	return &r, nil
}
