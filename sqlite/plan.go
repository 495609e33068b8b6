package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/opencube/opencube"
)

const (
	planColumns  = `code, name, type, volume_bytes, price_minor, currency, ota, throttle_kbps, countries, created_at, status, add_on, allow_add_on`
	planColumnsP = `p.code, p.name, p.type, p.volume_bytes, p.price_minor, p.currency, p.ota, p.throttle_kbps, p.countries, p.created_at, p.status, p.add_on, p.allow_add_on`
)

func scanPlan(s scanner) (*opencube.Plan, error) {
	var (
		p         opencube.Plan
		typ       int64
		throttle  int64
		countries string
		created   int64
		status    string
	)
	if err := s.Scan(&p.Code, &p.Name, &typ, &p.VolumeBytes, &p.PriceMinor, &p.Currency, &p.OTA, &throttle, &countries, &created, &status, &p.AddOn, &p.AllowAddOn); err != nil {
		return nil, err
	}
	var err error
	if p.Countries, err = decodeList(countries); err != nil {
		return nil, err
	}
	p.Type = opencube.PlanType(typ)
	p.ThrottleKbps = int(throttle)
	p.CreatedAt = instant(created)
	p.Status = opencube.PlanStatus(status)
	return &p, nil
}

// CreatePlan implements opencube.PlanStore.
func (db *DB) CreatePlan(ctx context.Context, p *opencube.Plan) error {
	countries, err := encodeList(p.Countries)
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *txn) error {
		_, err := t.exec(`INSERT INTO plans (`+planColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Code, p.Name, int64(p.Type), p.VolumeBytes, p.PriceMinor, p.Currency, p.OTA, int64(p.ThrottleKbps), countries, micros(p.CreatedAt), planStatus(p), p.AddOn, p.AllowAddOn)
		if code(err) == primaryKey {
			return opencube.Errorf(opencube.KindConflict, "plan %s exists", p.Code)
		}
		if err != nil {
			return dbError("create plan", err)
		}
		return nil
	})
}

// GrantPlan implements opencube.PlanStore: KindUnauthenticated when the
// enterprise is unknown, KindPlanNotOrderable when the plan is.
func (db *DB) GrantPlan(ctx context.Context, accessCode, planCode string) error {
	return db.update(ctx, func(t *txn) error {
		var one int
		err := t.queryRow(`SELECT 1 FROM enterprises WHERE access_code = ?`, accessCode).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return unknownEnterprise(accessCode)
		}
		if err != nil {
			return dbError("grant plan", err)
		}
		err = t.queryRow(`SELECT 1 FROM plans WHERE code = ?`, planCode).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s not found", planCode)
		}
		if err != nil {
			return dbError("grant plan", err)
		}
		_, err = t.exec(`INSERT INTO plan_grants (enterprise_code, plan_code) VALUES (?, ?)
			ON CONFLICT (enterprise_code, plan_code) DO NOTHING`, accessCode, planCode)
		if err != nil {
			return dbError("grant plan", err)
		}
		return nil
	})
}

// planStatus is the stored status of p: active unless it says otherwise.
func planStatus(p *opencube.Plan) string {
	if p.Status == "" {
		return string(opencube.PlanActive)
	}
	return string(p.Status)
}

// FindPlans implements opencube.PlanStore: a retired plan is no longer
// orderable.
func (db *DB) FindPlans(ctx context.Context, f opencube.PlanFilter) ([]*opencube.Plan, int, error) {
	from := `FROM plans p JOIN plan_grants g ON g.plan_code = p.code WHERE g.enterprise_code = ? AND p.status = 'active'`
	args := []any{f.Enterprise}
	if f.Code != "" {
		from += ` AND p.code = ?`
		args = append(args, f.Code)
	}
	return findPage(ctx, db, "plans", planColumnsP, from, "g.plan_code", args, f.Page, scanPlan)
}
