package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
)

// CreateEnterprise implements opencube.EnterpriseStore.
func (db *DB) CreateEnterprise(ctx context.Context, e *opencube.Enterprise) error {
	_, err := db.exec(ctx, "create enterprise",
		`INSERT INTO enterprises (access_code, name, secrets, created_at) VALUES ($1, $2, $3, $4)`,
		e.AccessCode, e.Name, list(e.Secrets), e.CreatedAt)
	if violated(err, codeUniqueViolation, "enterprises_pkey") != "" {
		return opencube.Errorf(opencube.KindConflict, "enterprise %s exists", e.AccessCode)
	}
	if err != nil {
		return db.dbError("create enterprise", err)
	}
	return nil
}

// FindEnterprise implements opencube.EnterpriseStore.
func (db *DB) FindEnterprise(ctx context.Context, accessCode string) (*opencube.Enterprise, error) {
	var (
		e     opencube.Enterprise
		rate  *float64
		burst *int32
	)
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT access_code, name, secrets, created_at, rate_limit, rate_burst FROM enterprises WHERE access_code = $1`,
			accessCode).Scan(&e.AccessCode, &e.Name, &e.Secrets, &e.CreatedAt, &rate, &burst)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, unknownEnterprise(accessCode)
	}
	if err != nil {
		return nil, db.dbError("find enterprise", err)
	}
	e.CreatedAt = utc(e.CreatedAt)
	if rate != nil && burst != nil {
		e.RateLimit = &opencube.RateLimit{Rate: *rate, Burst: int(*burst)}
	}
	return &e, nil
}

// UpdateSecrets implements opencube.EnterpriseStore; KindUnauthenticated when
// the enterprise is unknown.
func (db *DB) UpdateSecrets(ctx context.Context, accessCode string, secrets []string) error {
	tag, err := db.exec(ctx, "update secrets", `UPDATE enterprises SET secrets = $1 WHERE access_code = $2`, list(secrets), accessCode)
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
