package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// qAPIKey reads a key by its id, on the read pool.
var qAPIKey = prepared(`SELECT id, enterprise_code, public_key, bits, created_at FROM api_keys WHERE id = ?`)

func scanAPIKey(s scanner) (*operator.APIKey, error) {
	var (
		k       operator.APIKey
		created int64
	)
	if err := s.Scan(&k.ID, &k.Enterprise, &k.PublicKey, &k.Bits, &created); err != nil {
		return nil, err
	}
	k.CreatedAt = instant(created)
	return &k, nil
}

// CreateAPIKey implements operator.APIKeyStore.
func (db *DB) CreateAPIKey(ctx context.Context, k *operator.APIKey) error {
	return db.update(ctx, func(t *txn) error {
		var n int
		if err := t.queryRow(`SELECT count(*) FROM api_keys WHERE enterprise_code = ?`, k.Enterprise).Scan(&n); err != nil {
			return dbError("count api keys", err)
		}
		if n >= operator.MaxAPIKeys {
			return opencube.Errorf(opencube.KindQuota, "enterprise %s holds %d keys, the most it may", k.Enterprise, n)
		}
		_, err := t.exec(`INSERT INTO api_keys (id, enterprise_code, public_key, bits, created_at) VALUES (?, ?, ?, ?, ?)`,
			k.ID, k.Enterprise, k.PublicKey, k.Bits, micros(k.CreatedAt))
		switch code(err) {
		case primaryKey:
			return opencube.Errorf(opencube.KindConflict, "key %s is registered", k.ID)
		case foreignKey:
			return unknownEnterprise(k.Enterprise)
		}
		if err != nil {
			return dbError("create api key", err)
		}
		return nil
	})
}

// FindAPIKey implements operator.APIKeyStore.
func (db *DB) FindAPIKey(ctx context.Context, id string) (*operator.APIKey, error) {
	k, err := scanAPIKey(db.reads.queryRow(ctx, qAPIKey, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindUnauthenticated, "no key %s", id)
	}
	if err != nil {
		return nil, dbError("find api key", err)
	}
	return k, nil
}

// FindAPIKeys implements operator.APIKeyStore.
func (db *DB) FindAPIKeys(ctx context.Context, accessCode string) ([]*operator.APIKey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, enterprise_code, public_key, bits, created_at FROM api_keys
		WHERE enterprise_code = ? ORDER BY created_at, id`, accessCode)
	if err != nil {
		return nil, dbError("find api keys", err)
	}
	defer rows.Close()
	var out []*operator.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, dbError("find api keys", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("find api keys", err)
	}
	return out, nil
}

// DeleteAPIKey implements operator.APIKeyStore.
func (db *DB) DeleteAPIKey(ctx context.Context, accessCode, id string) error {
	return db.update(ctx, func(t *txn) error {
		res, err := t.exec(`DELETE FROM api_keys WHERE id = ? AND enterprise_code = ?`, id, accessCode)
		if err != nil {
			return dbError("delete api key", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return opencube.Errorf(opencube.KindNotFound, "no key %s", id)
		}
		return nil
	})
}
