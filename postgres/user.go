package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

const (
	userColumns  = `username, role, coalesce(enterprise_code, ''), disabled, password_hash, created_at`
	tokenColumns = `id, username, name, hash, created_at, last_used_at, revoked_at`
	auditColumns = `id, at, actor, actor_kind, token_id, route, object, request_id, summary, enterprise_code, source`
)

func scanUser(s scanner) (*operator.User, error) {
	var (
		u    operator.User
		role string
	)
	if err := s.Scan(&u.Username, &role, &u.Enterprise, &u.Disabled, &u.PasswordHash, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.Role, u.CreatedAt = operator.Role(role), utc(u.CreatedAt)
	return &u, nil
}

func scanToken(s scanner) (*operator.Token, error) {
	var t operator.Token
	if err := s.Scan(&t.ID, &t.Username, &t.Name, &t.Hash, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt); err != nil {
		return nil, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = utc(t.CreatedAt), utcp(t.LastUsedAt), utcp(t.RevokedAt)
	return &t, nil
}

func scanAudit(s scanner) (*operator.AuditEntry, error) {
	var (
		e    operator.AuditEntry
		kind string
	)
	if err := s.Scan(&e.ID, &e.At, &e.Actor, &kind, &e.TokenID, &e.Route, &e.Object, &e.RequestID, &e.Summary, &e.Enterprise, &e.Source); err != nil {
		return nil, err
	}
	e.At, e.ActorKind = utc(e.At), operator.ActorKind(kind)
	return &e, nil
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func unknownUser(username string) error {
	return opencube.Errorf(opencube.KindNotFound, "user %s not found", username)
}

// CreateUser implements operator.UserStore.
func (db *DB) CreateUser(ctx context.Context, u *operator.User, tok *operator.Token) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO users (username, role, enterprise_code, disabled, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			u.Username, string(u.Role), nullString(u.Enterprise), u.Disabled, u.PasswordHash, u.CreatedAt)
		switch {
		case violated(err, codeUniqueViolation, "users_pkey") != "":
			return opencube.Errorf(opencube.KindConflict, "user %s exists", u.Username)
		case violated(err, codeForeignKeyViolation, "users_enterprise_fkey") != "":
			return unknownEnterprise(u.Enterprise)
		case err != nil:
			return db.dbError("create user", err)
		}
		if tok == nil {
			return nil
		}
		return db.insertToken(ctx, tx, tok)
	})
}

func (db *DB) insertToken(ctx context.Context, tx pgx.Tx, tok *operator.Token) error {
	_, err := tx.Exec(ctx, `INSERT INTO tokens (id, username, name, hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		tok.ID, tok.Username, tok.Name, tok.Hash, tok.CreatedAt)
	switch {
	case violated(err, codeForeignKeyViolation, "tokens_user_fkey") != "":
		return unknownUser(tok.Username)
	case violated(err, codeUniqueViolation, "tokens_pkey", "tokens_hash_key") != "":
		return opencube.Errorf(opencube.KindConflict, "token %s exists", tok.ID)
	case err != nil:
		return db.dbError("create token", err)
	}
	return nil
}

// FindUser implements operator.UserStore.
func (db *DB) FindUser(ctx context.Context, username string) (*operator.User, error) {
	var u *operator.User
	err := retry(ctx, func() error {
		var err error
		u, err = scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, unknownUser(username)
	}
	if err != nil {
		return nil, db.dbError("find user", err)
	}
	return u, nil
}

// ListUsers implements operator.UserStore: username order.
func (db *DB) ListUsers(ctx context.Context, q operator.UserQuery) (*operator.List[*operator.User], error) {
	k := keyset[*operator.User]{what: "users", cols: userColumns, from: "users", order: "username", nkeys: 1,
		after: func(keys []string) (string, []any, error) { return "username > ?", []any{keys[0]}, nil },
		scan:  scanUser, keys: func(u *operator.User) []string { return []string{u.Username} }}
	if q.Enterprise != "" {
		k.w.and("enterprise_code = ?", q.Enterprise)
	}
	return listPage(ctx, db, k, q.Page)
}

// CountUsers implements operator.UserStore.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := retry(ctx, func() error { return db.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n) })
	if err != nil {
		return 0, db.dbError("count users", err)
	}
	return n, nil
}

// UpdateUser implements operator.UserStore.
func (db *DB) UpdateUser(ctx context.Context, username string, disabled *bool, passwordHash string) error {
	tag, err := db.exec(ctx, "update user", `UPDATE users SET disabled = coalesce($1, disabled), password_hash = coalesce(nullif($2, ''), password_hash) WHERE username = $3`,
		disabled, passwordHash, username)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return unknownUser(username)
	}
	return nil
}

// CreateToken implements operator.UserStore.
func (db *DB) CreateToken(ctx context.Context, tok *operator.Token) error {
	return db.inTx(ctx, func(tx pgx.Tx) error { return db.insertToken(ctx, tx, tok) })
}

// FindTokens implements operator.UserStore.
func (db *DB) FindTokens(ctx context.Context, username string) ([]*operator.Token, error) {
	var tokens []*operator.Token
	err := retry(ctx, func() error {
		tokens = tokens[:0]
		rows, err := db.pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE username = $1 ORDER BY created_at DESC, id DESC`, username)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			tok, err := scanToken(rows)
			if err != nil {
				return err
			}
			tokens = append(tokens, tok)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.dbError("find tokens", err)
	}
	return tokens, nil
}

// TokenByHash implements operator.UserStore.
func (db *DB) TokenByHash(ctx context.Context, hash string) (*operator.Token, *operator.User, error) {
	var tok *operator.Token
	err := retry(ctx, func() error {
		var err error
		tok, err = scanToken(db.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, opencube.Errorf(opencube.KindNotFound, "no such token")
	}
	if err != nil {
		return nil, nil, db.dbError("find token", err)
	}
	u, err := db.FindUser(ctx, tok.Username)
	if err != nil {
		return nil, nil, err
	}
	return tok, u, nil
}

// RevokeToken implements operator.UserStore.
func (db *DB) RevokeToken(ctx context.Context, username, id string, now time.Time) error {
	tag, err := db.exec(ctx, "revoke token", `UPDATE tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2 AND username = $3`, now, id, username)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return opencube.Errorf(opencube.KindNotFound, "user %s has no token %s", username, id)
	}
	return nil
}

// TouchToken implements operator.UserStore.
func (db *DB) TouchToken(ctx context.Context, id string, now time.Time) error {
	_, err := db.exec(ctx, "touch token", `UPDATE tokens SET last_used_at = $1 WHERE id = $2`, now, id)
	return err
}

// writeAudit writes the pending audit entry ctx carries, if any, in tx; it
// returns the entry it claimed, to unclaim when tx does not commit.
func (db *DB) writeAudit(ctx context.Context, tx txConn) (*operator.AuditEntry, error) {
	e := operator.AuditFrom(ctx)
	if e == nil || !e.Claim() {
		return nil, nil
	}
	err := tx.QueryRow(ctx, `INSERT INTO audit (at, actor, actor_kind, token_id, route, object, request_id, summary, enterprise_code, source)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.At, e.Actor, string(e.ActorKind), e.TokenID, e.Route, e.Object, e.RequestID, e.Summary, e.Enterprise, e.Source).Scan(&e.ID)
	if err != nil {
		e.Unclaim()
		return nil, db.dbError("write audit entry", err)
	}
	return e, nil
}

// AppendAudit implements operator.AuditStore.
func (db *DB) AppendAudit(ctx context.Context, e *operator.AuditEntry) error {
	return db.inTx(operator.WithAudit(ctx, e), func(pgx.Tx) error { return nil })
}

// ListAudit implements operator.AuditStore: newest first.
func (db *DB) ListAudit(ctx context.Context, q operator.AuditQuery) (*operator.List[*operator.AuditEntry], error) {
	k := keyset[*operator.AuditEntry]{what: "audit entries", cols: auditColumns, from: "audit", order: "id DESC", nkeys: 1,
		after: func(keys []string) (string, []any, error) {
			id, err := cursorInt(q.Page, keys[0])
			return "id < ?", []any{id}, err
		},
		scan: scanAudit, keys: func(e *operator.AuditEntry) []string { return []string{strconv.FormatInt(e.ID, 10)} }}
	if q.Actor != "" {
		k.w.and("actor = ?", q.Actor)
	}
	if q.Enterprise != "" {
		k.w.and("enterprise_code = ?", q.Enterprise)
	}
	switch {
	case strings.Contains(q.Object, ":"):
		k.w.and("object = ?", q.Object)
	case q.Object != "":
		k.w.and("object LIKE ?", q.Object+":%")
	}
	if !q.Since.IsZero() {
		k.w.and("at >= ?", q.Since)
	}
	return listPage(ctx, db, k, q.Page)
}
