package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/opencube/opencube"
)

// qEnterprise reads an enterprise, on the read pool.
var qEnterprise = prepared(`SELECT access_code, name, secrets, created_at, rate_limit, rate_burst FROM enterprises WHERE access_code = ?`)

// CreateEnterprise implements opencube.EnterpriseStore.
func (db *DB) CreateEnterprise(ctx context.Context, e *opencube.Enterprise) error {
	secrets, err := encodeList(e.Secrets)
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *txn) error {
		_, err := t.exec(
			`INSERT INTO enterprises (access_code, name, secrets, created_at) VALUES (?, ?, ?, ?)`,
			e.AccessCode, e.Name, secrets, micros(e.CreatedAt))
		if code(err) == primaryKey {
			return opencube.Errorf(opencube.KindConflict, "enterprise %s exists", e.AccessCode)
		}
		if err != nil {
			return dbError("create enterprise", err)
		}
		return nil
	})
}

// FindEnterprise implements opencube.EnterpriseStore.
func (db *DB) FindEnterprise(ctx context.Context, accessCode string) (*opencube.Enterprise, error) {
	var (
		e       opencube.Enterprise
		secrets string
		created int64
		rate    sql.NullFloat64
		burst   sql.NullInt64
	)
	err := db.reads.queryRow(ctx, qEnterprise, accessCode).Scan(&e.AccessCode, &e.Name, &secrets, &created, &rate, &burst)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unknownEnterprise(accessCode)
	}
	if err != nil {
		return nil, dbError("find enterprise", err)
	}
	if e.Secrets, err = decodeList(secrets); err != nil {
		return nil, err
	}
	e.CreatedAt = instant(created)
	if rate.Valid && burst.Valid {
		e.RateLimit = &opencube.RateLimit{Rate: rate.Float64, Burst: int(burst.Int64)}
	}
	return &e, nil
}

// UpdateSecrets implements opencube.EnterpriseStore; KindUnauthenticated when
// the enterprise is unknown.
func (db *DB) UpdateSecrets(ctx context.Context, accessCode string, secrets []string) error {
	list, err := encodeList(secrets)
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *txn) error {
		res, err := t.exec(`UPDATE enterprises SET secrets = ? WHERE access_code = ?`, list, accessCode)
		if err != nil {
			return dbError("update secrets", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return dbError("update secrets", err)
		} else if n == 0 {
			return unknownEnterprise(accessCode)
		}
		return nil
	})
}

// UpdateRateLimit implements opencube.EnterpriseStore.
func (db *DB) UpdateRateLimit(ctx context.Context, accessCode string, l *opencube.RateLimit) error {
	var rate, burst any // NULL, NULL without a limit
	if l != nil {
		rate, burst = l.Rate, l.Burst
	}
	return db.update(ctx, func(t *txn) error {
		res, err := t.exec(`UPDATE enterprises SET rate_limit = ?, rate_burst = ? WHERE access_code = ?`, rate, burst, accessCode)
		if err != nil {
			return dbError("update rate limit", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return dbError("update rate limit", err)
		} else if n == 0 {
			return unknownEnterprise(accessCode)
		}
		return nil
	})
}

func unknownEnterprise(accessCode string) error {
	return opencube.Errorf(opencube.KindUnauthenticated, "enterprise %s not found", accessCode)
}

// encodeList is the stored form of a list of strings: a JSON array.
func encodeList(l []string) (string, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(l)
	if err != nil {
		return "", dbError("encode list", err)
	}
	return string(b), nil
}

// decodeList is the inverse of encodeList; an empty list decodes as nil.
func decodeList(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, dbError("decode list", err)
	}
	return l, nil
}
