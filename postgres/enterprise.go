package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
)

// CreateEnterprise implements opencube.EnterpriseStore.
func (db *DB) CreateEnterprise(ctx context.Context, e *opencube.Enterprise) error {
	_, err := db.exec(ctx, "create enterprise",
		`INSERT INTO enterprises (access_code, name, secrets, created_at, status, secrets_added) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.AccessCode, e.Name, list(db.box.SealAll(seal.EnterpriseSecret, e.AccessCode, e.Secrets)), e.CreatedAt, enterpriseStatus(e), ages(e.SecretsAdded))
	if violated(err, codeUniqueViolation, "enterprises_pkey") != "" {
		return opencube.Errorf(opencube.KindConflict, "enterprise %s exists", e.AccessCode)
	}
	if err != nil {
		return db.dbError("create enterprise", err)
	}
	return nil
}

// enterpriseColumns are what scanEnterprise reads.
const enterpriseColumns = `access_code, name, secrets, created_at, rate_limit, rate_burst, status, secrets_added`

// scanEnterprise reads an enterprise of enterpriseColumns. A secret
// without an age (kept by an older version) was added with the
// enterprise.
func scanEnterprise(s scanner) (*opencube.Enterprise, error) {
	var (
		e      opencube.Enterprise
		rate   *float64
		burst  *int32
		status string
		added  []time.Time
	)
	if err := s.Scan(&e.AccessCode, &e.Name, &e.Secrets, &e.CreatedAt, &rate, &burst, &status, &added); err != nil {
		return nil, err
	}
	e.CreatedAt = utc(e.CreatedAt)
	if rate != nil && burst != nil {
		e.RateLimit = &opencube.RateLimit{Rate: *rate, Burst: int(*burst)}
	}
	e.Status = opencube.EnterpriseStatus(status)
	if len(e.Secrets) > 0 {
		e.SecretsAdded = make([]time.Time, len(e.Secrets))
		for i := range e.SecretsAdded {
			e.SecretsAdded[i] = e.CreatedAt
			if i < len(added) {
				e.SecretsAdded[i] = utc(added[i])
			}
		}
	}
	return &e, nil
}

// ages is the stored form of secret ages: never NULL.
func ages(l []time.Time) []time.Time {
	if l == nil {
		return []time.Time{}
	}
	return l
}

// enterpriseStatus is the stored status of e: active unless it says
// otherwise.
func enterpriseStatus(e *opencube.Enterprise) string {
	if e.Status == "" {
		return string(opencube.EnterpriseActive)
	}
	return string(e.Status)
}

// FindEnterprise implements opencube.EnterpriseStore.
func (db *DB) FindEnterprise(ctx context.Context, accessCode string) (*opencube.Enterprise, error) {
	var e *opencube.Enterprise
	err := retry(ctx, func() error {
		var err error
		e, err = scanEnterprise(db.pool.QueryRow(ctx, `SELECT `+enterpriseColumns+` FROM enterprises WHERE access_code = $1`, accessCode))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, unknownEnterprise(accessCode)
	}
	if err != nil {
		return nil, db.dbError("find enterprise", err)
	}
	if err := db.openSecrets(e); err != nil {
		return nil, err
	}
	return e, nil
}

// UpdateSecrets implements opencube.EnterpriseStore; KindUnauthenticated when
// the enterprise is unknown.
func (db *DB) UpdateSecrets(ctx context.Context, accessCode string, secrets []string, added []time.Time) error {
	tag, err := db.exec(ctx, "update secrets", `UPDATE enterprises SET secrets = $1, secrets_added = $2 WHERE access_code = $3`,
		list(db.box.SealAll(seal.EnterpriseSecret, accessCode, secrets)), ages(added), accessCode)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return unknownEnterprise(accessCode)
	}
	return nil
}

// UpdateRateLimit implements opencube.EnterpriseStore.
func (db *DB) UpdateRateLimit(ctx context.Context, accessCode string, l *opencube.RateLimit) error {
	var (
		rate  *float64 // NULL, NULL without a limit
		burst *int32
	)
	if l != nil {
		r, b := l.Rate, int32(l.Burst)
		rate, burst = &r, &b
	}
	tag, err := db.exec(ctx, "update rate limit", `UPDATE enterprises SET rate_limit = $1, rate_burst = $2 WHERE access_code = $3`, rate, burst, accessCode)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return unknownEnterprise(accessCode)
	}
	return nil
}

func unknownEnterprise(accessCode string) error {
	return opencube.Errorf(opencube.KindUnauthenticated, "enterprise %s not found", accessCode)
}

// openSecrets opens the sealed secrets of e, as read.
func (db *DB) openSecrets(e *opencube.Enterprise) error {
	var err error
	if e.Secrets, err = db.box.OpenAll(seal.EnterpriseSecret, e.AccessCode, e.Secrets); err != nil {
		return db.dbError("open enterprise secrets", err)
	}
	return nil
}
