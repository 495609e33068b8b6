package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

const (
	userColumns  = `username, role, enterprise_code, disabled, password_hash, created_at`
	tokenColumns = `id, username, name, hash, created_at, last_used_at, revoked_at`
	auditColumns = `id, at, actor, actor_kind, token_id, route, object, request_id, summary, enterprise_code, source`
)

// The statements of users, tokens and the audit trail.
var (
	qUser        = prepared(`SELECT ` + userColumns + ` FROM users WHERE username = ?`)
	qTokenByHash = prepared(`SELECT ` + tokenColumns + ` FROM tokens WHERE hash = ?`)
	qInsertAudit = prepared(`INSERT INTO audit (at, actor, actor_kind, token_id, route, object, request_id, summary, enterprise_code, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
)

func scanUser(s scanner) (*operator.User, error) {
	var (
		u          operator.User
		role       string
		enterprise sql.NullString
		created    int64
	)
	if err := s.Scan(&u.Username, &role, &enterprise, &u.Disabled, &u.PasswordHash, &created); err != nil {
		return nil, err
	}
	u.Role, u.Enterprise, u.CreatedAt = operator.Role(role), enterprise.String, instant(created)
	return &u, nil
}

func scanToken(s scanner) (*operator.Token, error) {
	var (
		t             operator.Token
		created       int64
		used, revoked sql.NullInt64
	)
	if err := s.Scan(&t.ID, &t.Username, &t.Name, &t.Hash, &created, &used, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = instant(created), nullInstant(used), nullInstant(revoked)
	return &t, nil
}

func scanAudit(s scanner) (*operator.AuditEntry, error) {
	var (
		e    operator.AuditEntry
		at   int64
		kind string
	)
	if err := s.Scan(&e.ID, &at, &e.Actor, &kind, &e.TokenID, &e.Route, &e.Object, &e.RequestID, &e.Summary, &e.Enterprise, &e.Source); err != nil {
		return nil, err
	}
	e.At, e.ActorKind = instant(at), operator.ActorKind(kind)
	return &e, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func unknownUser(username string) error {
	return opencube.Errorf(opencube.KindNotFound, "user %s not found", username)
}

// CreateUser implements operator.UserStore.
func (db *DB) CreateUser(ctx context.Context, u *operator.User, tok *operator.Token) error {
	return db.update(ctx, func(t *txn) error {
		_, err := t.exec(`INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			u.Username, string(u.Role), nullString(u.Enterprise), u.Disabled, u.PasswordHash, micros(u.CreatedAt))
		switch code(err) {
		case 0:
			if err != nil {
				return dbError("create user", err)
			}
		case primaryKey:
			return opencube.Errorf(opencube.KindConflict, "user %s exists", u.Username)
		case foreignKey:
			return unknownEnterprise(u.Enterprise)
		default:
			return dbError("create user", err)
		}
		if tok == nil {
			return nil
		}
		return t.insertToken(tok)
	})
}

func (t *txn) insertToken(tok *operator.Token) error {
	_, err := t.exec(`INSERT INTO tokens (id, username, name, hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		tok.ID, tok.Username, tok.Name, tok.Hash, micros(tok.CreatedAt))
	switch code(err) {
	case 0:
		if err != nil {
			return dbError("create token", err)
		}
		return nil
	case foreignKey:
		return unknownUser(tok.Username)
	case primaryKey, unique:
		return opencube.Errorf(opencube.KindConflict, "token %s exists", tok.ID)
	}
	return dbError("create token", err)
}

// FindUser implements operator.UserStore.
func (db *DB) FindUser(ctx context.Context, username string) (*operator.User, error) {
	u, err := scanUser(db.reads.queryRow(ctx, qUser, username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unknownUser(username)
	}
	if err != nil {
		return nil, dbError("find user", err)
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
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, dbError("count users", err)
	}
	return n, nil
}

// UpdateUser implements operator.UserStore.
func (db *DB) UpdateUser(ctx context.Context, username string, disabled *bool, passwordHash string) error {
	return db.update(ctx, func(t *txn) error {
		res, err := t.exec(`UPDATE users SET disabled = coalesce(?, disabled), password_hash = coalesce(nullif(?, ''), password_hash) WHERE username = ?`,
			disabled, passwordHash, username)
		if err != nil {
			return dbError("update user", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return unknownUser(username)
		}
		return nil
	})
}

// CreateToken implements operator.UserStore.
func (db *DB) CreateToken(ctx context.Context, tok *operator.Token) error {
	return db.update(ctx, func(t *txn) error { return t.insertToken(tok) })
}

// FindTokens implements operator.UserStore.
func (db *DB) FindTokens(ctx context.Context, username string) ([]*operator.Token, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE username = ? ORDER BY created_at DESC, id DESC`, username)
	if err != nil {
		return nil, dbError("find tokens", err)
	}
	defer rows.Close()
	var tokens []*operator.Token
	for rows.Next() {
		tok, err := scanToken(rows)
		if err != nil {
			return nil, dbError("find tokens", err)
		}
		tokens = append(tokens, tok)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("find tokens", err)
	}
	return tokens, nil
}

// TokenByHash implements operator.UserStore.
func (db *DB) TokenByHash(ctx context.Context, hash string) (*operator.Token, *operator.User, error) {
	tok, err := scanToken(db.reads.queryRow(ctx, qTokenByHash, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, opencube.Errorf(opencube.KindNotFound, "no such token")
	}
	if err != nil {
		return nil, nil, dbError("find token", err)
	}
	u, err := db.FindUser(ctx, tok.Username)
	if err != nil {
		return nil, nil, err
	}
	return tok, u, nil
}

// RevokeToken implements operator.UserStore.
func (db *DB) RevokeToken(ctx context.Context, username, id string, now time.Time) error {
	return db.update(ctx, func(t *txn) error {
		res, err := t.exec(`UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? AND username = ?`, micros(now), id, username)
		if err != nil {
			return dbError("revoke token", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return opencube.Errorf(opencube.KindNotFound, "user %s has no token %s", username, id)
		}
		return nil
	})
}

// TouchToken implements operator.UserStore.
func (db *DB) TouchToken(ctx context.Context, id string, now time.Time) error {
	return db.update(ctx, func(t *txn) error {
		if _, err := t.exec(`UPDATE tokens SET last_used_at = ? WHERE id = ?`, micros(now), id); err != nil {
			return dbError("touch token", err)
		}
		return nil
	})
}

// insertAudit writes an audit entry in t.
func (t *txn) insertAudit(e *operator.AuditEntry) error {
	res, err := t.execStmt(qInsertAudit, micros(e.At), e.Actor, string(e.ActorKind), e.TokenID, e.Route, e.Object, e.RequestID, e.Summary, e.Enterprise, e.Source)
	if err != nil {
		return dbError("write audit entry", err)
	}
	e.ID, _ = res.LastInsertId()
	return nil
}

// AppendAudit implements operator.AuditStore: the write of an empty change
// writes the pending entry ctx carries (update).
func (db *DB) AppendAudit(ctx context.Context, e *operator.AuditEntry) error {
	return db.update(operator.WithAudit(ctx, e), func(*txn) error { return nil })
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
		k.w.and("object >= ? AND object < ?", q.Object+":", q.Object+";")
	}
	if !q.Since.IsZero() {
		k.w.and("at >= ?", micros(q.Since))
	}
	return listPage(ctx, db, k, q.Page)
}
