package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
)

// qEnterprise reads an enterprise, on the read pool.
var qEnterprise = prepared(`SELECT ` + enterpriseColumns + ` FROM enterprises WHERE access_code = ?`)

// enterpriseColumns are what scanEnterprise reads.
const enterpriseColumns = `access_code, name, secrets, created_at, rate_limit, rate_burst, status, secrets_added`

// scanEnterprise reads an enterprise of enterpriseColumns. A secret
// without an age (kept by an older version) was added with the
// enterprise.
func scanEnterprise(s scanner) (*opencube.Enterprise, error) {
	var (
		e              opencube.Enterprise
		secrets, added string
		created        int64
		rate           sql.NullFloat64
		burst          sql.NullInt64
		status         string
	)
	if err := s.Scan(&e.AccessCode, &e.Name, &secrets, &created, &rate, &burst, &status, &added); err != nil {
		return nil, err
	}
	var err error
	if e.Secrets, err = decodeList(secrets); err != nil {
		return nil, err
	}
	e.CreatedAt = instant(created)
	if rate.Valid && burst.Valid {
		e.RateLimit = &opencube.RateLimit{Rate: rate.Float64, Burst: int(burst.Int64)}
	}
	e.Status = opencube.EnterpriseStatus(status)
	var us []int64
	if added != "" && added != "[]" {
		if err := json.Unmarshal([]byte(added), &us); err != nil {
			return nil, dbError("decode secret ages", err)
		}
	}
	e.SecretsAdded = secretAges(len(e.Secrets), e.CreatedAt, us, instant)
	return &e, nil
}

// secretAges returns n ages: stored's, then the enterprise's creation for
// the secrets without one.
func secretAges[T any](n int, created time.Time, stored []T, at func(T) time.Time) []time.Time {
	if n == 0 {
		return nil
	}
	out := make([]time.Time, n)
	for i := range out {
		out[i] = created
		if i < len(stored) {
			out[i] = at(stored[i])
		}
	}
	return out
}

// encodeAges is the stored form of secret ages: a JSON array of unix
// microseconds.
func encodeAges(ages []time.Time) string {
	if len(ages) == 0 {
		return "[]"
	}
	us := make([]int64, len(ages))
	for i, t := range ages {
		us[i] = micros(t)
	}
	b, _ := json.Marshal(us) // integers always encode
	return string(b)
}

// enterpriseStatus is the stored status of e: active unless it says
// otherwise.
func enterpriseStatus(e *opencube.Enterprise) string {
	if e.Status == "" {
		return string(opencube.EnterpriseActive)
	}
	return string(e.Status)
}

// CreateEnterprise implements opencube.EnterpriseStore.
func (db *DB) CreateEnterprise(ctx context.Context, e *opencube.Enterprise) error {
	secrets, err := encodeList(db.box.SealAll(seal.EnterpriseSecret, e.AccessCode, e.Secrets))
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *txn) error {
		_, err := t.exec(
			`INSERT INTO enterprises (access_code, name, secrets, created_at, status, secrets_added) VALUES (?, ?, ?, ?, ?, ?)`,
			e.AccessCode, e.Name, secrets, micros(e.CreatedAt), enterpriseStatus(e), encodeAges(e.SecretsAdded))
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
	e, err := scanEnterprise(db.reads.queryRow(ctx, qEnterprise, accessCode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unknownEnterprise(accessCode)
	}
	if err != nil {
		return nil, dbError("find enterprise", err)
	}
	if err := db.openSecrets(e); err != nil {
		return nil, err
	}
	return e, nil
}

// UpdateSecrets implements opencube.EnterpriseStore; KindUnauthenticated when
// the enterprise is unknown.
func (db *DB) UpdateSecrets(ctx context.Context, accessCode string, secrets []string, added []time.Time) error {
	list, err := encodeList(db.box.SealAll(seal.EnterpriseSecret, accessCode, secrets))
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *txn) error {
		res, err := t.exec(`UPDATE enterprises SET secrets = ?, secrets_added = ? WHERE access_code = ?`, list, encodeAges(added), accessCode)
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

// openSecrets opens the sealed secrets of e, as read.
func (db *DB) openSecrets(e *opencube.Enterprise) error {
	var err error
	if e.Secrets, err = db.box.OpenAll(seal.EnterpriseSecret, e.AccessCode, e.Secrets); err != nil {
		return dbError("open enterprise secrets", err)
	}
	return nil
}
