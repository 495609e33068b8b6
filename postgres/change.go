package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
)

var _ operator.ChangeStore = (*DB)(nil)

// UpdatePlan implements operator.ChangeStore.
func (db *DB) UpdatePlan(ctx context.Context, code string, fn func(p *opencube.Plan) error) (*opencube.Plan, error) {
	var out *opencube.Plan
	err := db.runTx(ctx, func(t *orderTx) error {
		out = nil
		p, err := scanPlan(t.tx.QueryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE code = $1 FOR UPDATE`, code))
		if errors.Is(err, pgx.ErrNoRows) {
			return opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s not found", code)
		}
		if err != nil {
			return t.fail("find plan", err)
		}
		if err := fn(p); err != nil {
			return err
		}
		_, err = t.tx.Exec(ctx, `UPDATE plans SET name = $1, volume_bytes = $2, price_minor = $3, currency = $4, throttle_kbps = $5,
			countries = $6, status = $7, add_on = $9, allow_add_on = $10 WHERE code = $8`,
			p.Name, p.VolumeBytes, p.PriceMinor, p.Currency, int64(p.ThrottleKbps), list(p.Countries), planStatus(p), code, p.AddOn, p.AllowAddOn)
		if err != nil {
			return t.fail("update plan", err)
		}
		out = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RevokeGrant implements operator.ChangeStore.
func (db *DB) RevokeGrant(ctx context.Context, accessCode, planCode string) error {
	tag, err := db.exec(ctx, "revoke grant", `DELETE FROM plan_grants WHERE enterprise_code = $1 AND plan_code = $2`, accessCode, planCode)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return opencube.Errorf(opencube.KindNotFound, "plan %s is not granted to enterprise %s", planCode, accessCode)
	}
	return nil
}

// UpdateEnterprise implements operator.ChangeStore.
func (db *DB) UpdateEnterprise(ctx context.Context, accessCode string, now time.Time, fn func(e *opencube.Enterprise) error) (*opencube.Enterprise, error) {
	var out *opencube.Enterprise
	err := db.runTx(ctx, func(t *orderTx) error {
		out = nil
		e, err := scanEnterprise(t.tx.QueryRow(ctx, `SELECT `+enterpriseColumns+` FROM enterprises WHERE access_code = $1 FOR UPDATE`, accessCode))
		if errors.Is(err, pgx.ErrNoRows) {
			return unknownEnterprise(accessCode)
		}
		if err != nil {
			return t.fail("find enterprise", err)
		}
		if err := db.openSecrets(e); err != nil {
			return err
		}
		was := e.Status
		if err := fn(e); err != nil {
			return err
		}
		if _, err := t.tx.Exec(ctx, `UPDATE enterprises SET status = $1, secrets = $2, secrets_added = $3 WHERE access_code = $4`,
			enterpriseStatus(e), list(db.box.SealAll(seal.EnterpriseSecret, accessCode, e.Secrets)), ages(e.SecretsAdded), accessCode); err != nil {
			return t.fail("update enterprise", err)
		}
		if was == opencube.EnterpriseDisabled && !e.Disabled() {
			// The work held while the enterprise was disabled is due now.
			// Jobs exist only while their work is pending, so each kind's
			// jobs are few. A job a worker holds at this moment is released
			// too: that worker found the enterprise disabled, and its
			// outcome (held until later), which needs its claim, then
			// changes nothing.
			for _, q := range []string{
				`UPDATE jobs SET run_at = $1, claimed_by = NULL, claimed_until = NULL WHERE kind = '` + opencube.JobDeliver + `'
					AND (run_at > $1 OR claimed_by IS NOT NULL)
					AND EXISTS (SELECT 1 FROM deliveries d WHERE d.id = jobs.key AND d.enterprise_code = $2)`,
				`UPDATE jobs SET run_at = $1, claimed_by = NULL, claimed_until = NULL WHERE kind = '` + opencube.JobSendSMS + `'
					AND (run_at > $1 OR claimed_by IS NOT NULL)
					AND EXISTS (SELECT 1 FROM sms m WHERE m.id = jobs.key AND m.enterprise_code = $2)`,
			} {
				if _, err := t.tx.Exec(ctx, q, now, accessCode); err != nil {
					return t.fail("release held jobs", err)
				}
			}
		}
		out = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MoveSIMTo implements operator.ChangeStore.
func (db *DB) MoveSIMTo(ctx context.Context, iccid, accessCode string) (*opencube.SIM, error) {
	var out *opencube.SIM
	err := db.runTx(ctx, func(t *orderTx) error {
		out = nil
		sim, err := t.SIMByICCID(ctx, iccid) // locked: no order starts meanwhile
		if err != nil {
			return err
		}
		var exists bool
		if err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM enterprises WHERE access_code = $1)`, accessCode).Scan(&exists); err != nil {
			return t.fail("move SIM", err)
		}
		if !exists {
			return unknownEnterprise(accessCode)
		}
		var id string
		err = t.tx.QueryRow(ctx, `SELECT id FROM orders WHERE iccid = $1 AND status IN (1, 2, 3) ORDER BY status DESC LIMIT 1`, iccid).Scan(&id)
		switch {
		case err == nil:
			return opencube.Errorf(opencube.KindOrderState, "SIM %s has order %s, not over", iccid, id).Because(opencube.CauseSIMHasOrder, id)
		case !errors.Is(err, pgx.ErrNoRows):
			return t.fail("move SIM", err)
		}
		if sim.EnterpriseCode != accessCode {
			if _, err := t.tx.Exec(ctx, `UPDATE sims SET enterprise_code = $1 WHERE iccid = $2`, accessCode, iccid); err != nil {
				return t.fail("move SIM", err)
			}
			sim.EnterpriseCode = accessCode
		}
		out = sim
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindSIMsByICCID implements operator.ChangeStore.
func (db *DB) FindSIMsByICCID(ctx context.Context, iccids []string) ([]*opencube.SIM, error) {
	var out []*opencube.SIM
	err := retry(ctx, func() error {
		out = out[:0]
		rows, err := db.pool.Query(ctx, `SELECT `+simColumns+` FROM sims WHERE iccid = ANY($1) ORDER BY iccid`, list(iccids))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			sim, err := scanSIM(rows)
			if err != nil {
				return err
			}
			out = append(out, sim)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.dbError("find SIMs", err)
	}
	return out, nil
}
