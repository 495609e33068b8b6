package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// qConsoleSession reads a console session, on the read pool.
var qConsoleSession = prepared(`SELECT hash, username, csrf, created_at, seen_at, expires_at FROM console_sessions WHERE hash = ? AND expires_at > ?`)

// PutConsoleSession implements operator.SessionStore.
func (db *DB) PutConsoleSession(ctx context.Context, s *operator.ConsoleSession) error {
	return db.update(ctx, func(t *txn) error {
		_, err := t.exec(`INSERT INTO console_sessions (hash, username, csrf, created_at, seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			s.Hash, s.Username, s.CSRF, micros(s.CreatedAt), micros(s.SeenAt), micros(s.ExpiresAt))
		if code(err) == foreignKey {
			return unknownUser(s.Username)
		}
		if err != nil {
			return dbError("create console session", err)
		}
		return nil
	})
}

// FindConsoleSession implements operator.SessionStore.
func (db *DB) FindConsoleSession(ctx context.Context, hash string, now time.Time) (*operator.ConsoleSession, error) {
	var (
		s                      operator.ConsoleSession
		created, seen, expires int64
	)
	err := db.reads.queryRow(ctx, qConsoleSession, hash, micros(now)).Scan(&s.Hash, &s.Username, &s.CSRF, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindNotFound, "no such session")
	}
	if err != nil {
		return nil, dbError("find console session", err)
	}
	s.CreatedAt, s.SeenAt, s.ExpiresAt = instant(created), instant(seen), instant(expires)
	return &s, nil
}

// TouchConsoleSession implements operator.SessionStore.
func (db *DB) TouchConsoleSession(ctx context.Context, hash string, now time.Time) error {
	return db.update(ctx, func(t *txn) error {
		if _, err := t.exec(`UPDATE console_sessions SET seen_at = ? WHERE hash = ?`, micros(now), hash); err != nil {
			return dbError("touch console session", err)
		}
		return nil
	})
}

// DeleteConsoleSession implements operator.SessionStore.
func (db *DB) DeleteConsoleSession(ctx context.Context, hash string, now time.Time) error {
	return db.update(ctx, func(t *txn) error {
		if _, err := t.exec(`DELETE FROM console_sessions WHERE hash = ? OR expires_at <= ?`, hash, micros(now)); err != nil {
			return dbError("delete console session", err)
		}
		return nil
	})
}

// EndUserSessions implements operator.SessionStore.
func (db *DB) EndUserSessions(ctx context.Context, username string) error {
	return db.update(ctx, func(t *txn) error {
		if _, err := t.exec(`DELETE FROM console_sessions WHERE username = ?`, username); err != nil {
			return dbError("end user sessions", err)
		}
		return nil
	})
}
