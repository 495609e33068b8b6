package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

const apiKeyColumns = `id, enterprise_code, public_key, bits, created_at`

func scanAPIKey(s scanner) (*operator.APIKey, error) {
	var (
		k    operator.APIKey
		bits int32
	)
	if err := s.Scan(&k.ID, &k.Enterprise, &k.PublicKey, &bits, &k.CreatedAt); err != nil {
		return nil, err
	}
	k.Bits, k.CreatedAt = int(bits), utc(k.CreatedAt)
	return &k, nil
}

// CreateAPIKey implements operator.APIKeyStore. The enterprise's row is
// locked while its keys are counted, so that two nodes adding keys at
// once cannot pass MaxAPIKeys.
func (db *DB) CreateAPIKey(ctx context.Context, k *operator.APIKey) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var found string
		err := tx.QueryRow(ctx, `SELECT access_code FROM enterprises WHERE access_code = $1 FOR UPDATE`, k.Enterprise).Scan(&found)
		if errors.Is(err, pgx.ErrNoRows) {
			return unknownEnterprise(k.Enterprise)
		}
		if err != nil {
			return db.dbError("lock enterprise", err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM api_keys WHERE enterprise_code = $1`, k.Enterprise).Scan(&n); err != nil {
			return db.dbError("count api keys", err)
		}
		if n >= operator.MaxAPIKeys {
			return opencube.Errorf(opencube.KindQuota, "enterprise %s holds %d keys, the most it may", k.Enterprise, n)
		}
		_, err = tx.Exec(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES ($1, $2, $3, $4, $5)`,
			k.ID, k.Enterprise, k.PublicKey, int32(k.Bits), k.CreatedAt)
		if violated(err, codeUniqueViolation, "api_keys_pkey") != "" {
			return opencube.Errorf(opencube.KindConflict, "key %s is registered", k.ID)
		}
		if err != nil {
			return db.dbError("create api key", err)
		}
		return nil
	})
}

// FindAPIKey implements operator.APIKeyStore.
func (db *DB) FindAPIKey(ctx context.Context, id string) (*operator.APIKey, error) {
	var k *operator.APIKey
	err := retry(ctx, func() error {
		var err error
		k, err = scanAPIKey(db.pool.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = $1`, id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindUnauthenticated, "no key %s", id)
	}
	if err != nil {
		return nil, db.dbError("find api key", err)
	}
	return k, nil
}

// FindAPIKeys implements operator.APIKeyStore.
func (db *DB) FindAPIKeys(ctx context.Context, accessCode string) ([]*operator.APIKey, error) {
	var out []*operator.APIKey
	err := retry(ctx, func() error {
		out = nil
		rows, err := db.pool.Query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE enterprise_code = $1 ORDER BY created_at, id`, accessCode)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanAPIKey(rows)
			if err != nil {
				return err
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.dbError("find api keys", err)
	}
	return out, nil
}

// DeleteAPIKey implements operator.APIKeyStore.
func (db *DB) DeleteAPIKey(ctx context.Context, accessCode, id string) error {
	tag, err := db.exec(ctx, "delete api key", `DELETE FROM api_keys WHERE id = $1 AND enterprise_code = $2`, id, accessCode)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return opencube.Errorf(opencube.KindNotFound, "no key %s", id)
	}
	return nil
}
