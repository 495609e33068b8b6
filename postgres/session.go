package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// PutConsoleSession implements operator.SessionStore.
func (db *DB) PutConsoleSession(ctx context.Context, s *operator.ConsoleSession) error {
	_, err := db.exec(ctx, "create console session", `INSERT INTO console_sessions (hash, username, csrf, created_at, seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		s.Hash, s.Username, s.CSRF, s.CreatedAt, s.SeenAt, s.ExpiresAt)
	if violated(err, codeForeignKeyViolation, "console_sessions_user_fkey") != "" {
		return unknownUser(s.Username)
	}
	return err
}

// FindConsoleSession implements operator.SessionStore.
func (db *DB) FindConsoleSession(ctx context.Context, hash string, now time.Time) (*operator.ConsoleSession, error) {
	var s operator.ConsoleSession
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT hash, username, csrf, created_at, seen_at, expires_at FROM console_sessions WHERE hash = $1 AND expires_at > $2`,
			hash, now).Scan(&s.Hash, &s.Username, &s.CSRF, &s.CreatedAt, &s.SeenAt, &s.ExpiresAt)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindNotFound, "no such session")
	}
	if err != nil {
		return nil, db.dbError("find console session", err)
	}
	s.CreatedAt, s.SeenAt, s.ExpiresAt = utc(s.CreatedAt), utc(s.SeenAt), utc(s.ExpiresAt)
	return &s, nil
}

// TouchConsoleSession implements operator.SessionStore.
func (db *DB) TouchConsoleSession(ctx context.Context, hash string, now time.Time) error {
	_, err := db.exec(ctx, "touch console session", `UPDATE console_sessions SET seen_at = $1 WHERE hash = $2`, now, hash)
	return err
}

// DeleteConsoleSession implements operator.SessionStore.
func (db *DB) DeleteConsoleSession(ctx context.Context, hash string, now time.Time) error {
	_, err := db.exec(ctx, "delete console session", `DELETE FROM console_sessions WHERE hash = $1 OR expires_at <= $2`, hash, now)
	return err
}

// EndUserSessions implements operator.SessionStore.
func (db *DB) EndUserSessions(ctx context.Context, username string) error {
	_, err := db.exec(ctx, "end user sessions", `DELETE FROM console_sessions WHERE username = $1`, username)
	return err
}
