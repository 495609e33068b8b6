package postgres

import (
	"context"
	"errors"

	"github.com/opencube/opencube"
)

const (
	planColumns  = `code, name, type, volume_bytes, price_minor, currency, ota, throttle_kbps, countries, created_at, status, add_on, allow_add_on`
	planColumnsP = `p.code, p.name, p.type, p.volume_bytes, p.price_minor, p.currency, p.ota, p.throttle_kbps, p.countries, p.created_at, p.status, p.add_on, p.allow_add_on`
)

func scanPlan(s scanner) (*opencube.Plan, error) {
	var (
		p             opencube.Plan
		typ, throttle int64
		status        string
	)
	if err := s.Scan(&p.Code, &p.Name, &typ, &p.VolumeBytes, &p.PriceMinor, &p.Currency, &p.OTA, &throttle, &p.Countries, &p.CreatedAt, &status, &p.AddOn, &p.AllowAddOn); err != nil {
		return nil, err
	}
	if len(p.Countries) == 0 {
		p.Countries = nil
	}
	p.Type = opencube.PlanType(typ)
	p.ThrottleKbps = int(throttle)
	p.CreatedAt = utc(p.CreatedAt)
	p.Status = opencube.PlanStatus(status)
	return &p, nil
}

// CreatePlan implements opencube.PlanStore.
func (db *DB) CreatePlan(ctx context.Context, p *opencube.Plan) error {
	_, err := db.exec(ctx, "create plan", `INSERT INTO plans (`+planColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		p.Code, p.Name, int64(p.Type), p.VolumeBytes, p.PriceMinor, p.Currency, p.OTA, int64(p.ThrottleKbps), list(p.Countries), p.CreatedAt, planStatus(p), p.AddOn, p.AllowAddOn)
	if violated(err, codeUniqueViolation, "plans_pkey") != "" {
		return opencube.Errorf(opencube.KindConflict, "plan %s exists", p.Code)
	}
	if err != nil {
		return db.dbError("create plan", err)
	}
	return nil
}

// GrantPlan implements opencube.PlanStore: KindUnauthenticated when the
// enterprise is unknown, KindPlanNotOrderable when the plan is.
func (db *DB) GrantPlan(ctx context.Context, accessCode, planCode string) error {
	_, err := db.exec(ctx, "grant plan", `INSERT INTO plan_grants (enterprise_code, plan_code) VALUES ($1, $2)
		ON CONFLICT (enterprise_code, plan_code) DO NOTHING`, accessCode, planCode)
	if violated(err, codeForeignKeyViolation) == "" {
		return err
	}
	// Which is missing? The enterprise is reported first, whichever
	// foreign key the server checked first.
	var enterprise, plan bool
	err = retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM enterprises WHERE access_code = $1),
			EXISTS (SELECT 1 FROM plans WHERE code = $2)`, accessCode, planCode).Scan(&enterprise, &plan)
	})
	switch {
	case err != nil:
		return db.dbError("grant plan", err)
	case !enterprise:
		return unknownEnterprise(accessCode)
	case !plan:
		return opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s not found", planCode)
	}
	return db.dbError("grant plan", errors.New("foreign key violated, yet enterprise and plan exist; retry"))
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
	var q query
	q.sql.WriteString(`FROM plans p JOIN plan_grants g ON g.plan_code = p.code WHERE p.status = 'active' AND g.enterprise_code = ` + q.arg(f.Enterprise))
	if f.Code != "" {
		q.sql.WriteString(` AND p.code = ` + q.arg(f.Code))
	}
	return findPage(ctx, db, "plans", planColumnsP, &q, "g.plan_code", f.Page, scanPlan)
}
