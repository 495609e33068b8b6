package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
)

var _ operator.ChangeStore = (*DB)(nil)

// UpdatePlan implements operator.ChangeStore.
func (db *DB) UpdatePlan(ctx context.Context, code string, fn func(p *opencube.Plan) error) (*opencube.Plan, error) {
	var out *opencube.Plan
	err := db.update(ctx, func(t *txn) error {
		p, err := scanPlan(t.queryRow(`SELECT `+planColumns+` FROM plans WHERE code = ?`, code))
		if errors.Is(err, sql.ErrNoRows) {
			return opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s not found", code)
		}
		if err != nil {
			return dbError("find plan", err)
		}
		if err := fn(p); err != nil {
			return err
		}
		countries, err := encodeList(p.Countries)
		if err != nil {
			return err
		}
		_, err = t.exec(`UPDATE plans SET name = ?, volume_bytes = ?, price_minor = ?, currency = ?, throttle_kbps = ?,
			countries = ?, status = ?, add_on = ?, allow_add_on = ? WHERE code = ?`,
			p.Name, p.VolumeBytes, p.PriceMinor, p.Currency, int64(p.ThrottleKbps), countries, planStatus(p), p.AddOn, p.AllowAddOn, code)
		if err != nil {
			return dbError("update plan", err)
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
	return db.update(ctx, func(t *txn) error {
		res, err := t.exec(`DELETE FROM plan_grants WHERE enterprise_code = ? AND plan_code = ?`, accessCode, planCode)
		if err != nil {
			return dbError("revoke grant", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return dbError("revoke grant", err)
		} else if n == 0 {
			return opencube.Errorf(opencube.KindNotFound, "plan %s is not granted to enterprise %s", planCode, accessCode)
		}
		return nil
	})
}

// UpdateEnterprise implements operator.ChangeStore.
func (db *DB) UpdateEnterprise(ctx context.Context, accessCode string, now time.Time, fn func(e *opencube.Enterprise) error) (*opencube.Enterprise, error) {
	var out *opencube.Enterprise
	err := db.update(ctx, func(t *txn) error {
		e, err := scanEnterprise(t.queryRow(`SELECT `+enterpriseColumns+` FROM enterprises WHERE access_code = ?`, accessCode))
		if errors.Is(err, sql.ErrNoRows) {
			return unknownEnterprise(accessCode)
		}
		if err != nil {
			return dbError("find enterprise", err)
		}
		if err := db.openSecrets(e); err != nil {
			return err
		}
		was := e.Status
		if err := fn(e); err != nil {
			return err
		}
		secrets, err := encodeList(db.box.SealAll(seal.EnterpriseSecret, accessCode, e.Secrets))
		if err != nil {
			return err
		}
		if _, err := t.exec(`UPDATE enterprises SET status = ?, secrets = ?, secrets_added = ? WHERE access_code = ?`,
			enterpriseStatus(e), secrets, encodeAges(e.SecretsAdded), accessCode); err != nil {
			return dbError("update enterprise", err)
		}
		if was == opencube.EnterpriseDisabled && !e.Disabled() {
			if err := t.releaseHeld(accessCode, now); err != nil {
				return err
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

// releaseHeld makes the enterprise's held work due at now: the jobs of its
// pending webhook deliveries and of its queued MT messages. Jobs exist
// only while their work is pending, so each kind's jobs are few. A job a
// worker holds at this moment is released too: that worker found the
// enterprise disabled, and its outcome (held until later), which needs its
// claim, then changes nothing.
func (t *txn) releaseHeld(accessCode string, now time.Time) error {
	for _, q := range []string{
		`UPDATE jobs SET run_at = ?1, claimed_by = NULL, claimed_until = NULL WHERE kind = '` + opencube.JobDeliver + `'
			AND (run_at > ?1 OR claimed_by IS NOT NULL)
			AND EXISTS (SELECT 1 FROM deliveries d WHERE d.id = jobs.key AND d.enterprise_code = ?2)`,
		`UPDATE jobs SET run_at = ?1, claimed_by = NULL, claimed_until = NULL WHERE kind = '` + opencube.JobSendSMS + `'
			AND (run_at > ?1 OR claimed_by IS NOT NULL)
			AND EXISTS (SELECT 1 FROM sms m WHERE m.id = jobs.key AND m.enterprise_code = ?2)`,
	} {
		if _, err := t.exec(q, micros(now), accessCode); err != nil {
			return dbError("release held jobs", err)
		}
	}
	return nil
}

// MoveSIMTo implements operator.ChangeStore.
func (db *DB) MoveSIMTo(ctx context.Context, iccid, accessCode string) (*opencube.SIM, error) {
	var out *opencube.SIM
	err := db.update(ctx, func(t *txn) error {
		sim, err := t.SIMByICCID(ctx, iccid)
		if err != nil {
			return err
		}
		var one int
		err = t.queryRow(`SELECT 1 FROM enterprises WHERE access_code = ?`, accessCode).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return unknownEnterprise(accessCode)
		}
		if err != nil {
			return dbError("move SIM", err)
		}
		var id string
		err = t.queryRow(`SELECT id FROM orders WHERE iccid = ? AND status IN (1, 2, 3) ORDER BY status DESC LIMIT 1`, iccid).Scan(&id)
		switch {
		case err == nil:
			return simHasOrder(iccid, id)
		case !errors.Is(err, sql.ErrNoRows):
			return dbError("move SIM", err)
		}
		if sim.EnterpriseCode != accessCode {
			if _, err := t.exec(`UPDATE sims SET enterprise_code = ? WHERE iccid = ?`, accessCode, iccid); err != nil {
				return dbError("move SIM", err)
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

// simHasOrder is the refusal to move a SIM an order holds.
func simHasOrder(iccid, orderID string) error {
	return opencube.Errorf(opencube.KindOrderState, "SIM %s has order %s, not over", iccid, orderID).Because(opencube.CauseSIMHasOrder, orderID)
}

// FindSIMsByICCID implements operator.ChangeStore.
func (db *DB) FindSIMsByICCID(ctx context.Context, iccids []string) ([]*opencube.SIM, error) {
	var out []*opencube.SIM
	for len(iccids) > 0 {
		n := min(len(iccids), 500) // within SQLite's parameter limit
		args := make([]any, n)
		for i, id := range iccids[:n] {
			args[i] = id
		}
		err := db.view(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT `+simColumns+` FROM sims WHERE iccid IN (?`+strings.Repeat(`, ?`, n-1)+`) ORDER BY iccid`, args...)
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
			return nil, dbError("find SIMs", err)
		}
		iccids = iccids[n:]
	}
	slices.SortFunc(out, func(a, b *opencube.SIM) int { return strings.Compare(a.ICCID, b.ICCID) })
	return out, nil
}
