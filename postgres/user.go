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
	auditColumns = `id, at, actor, actor_kind, token_id, route, object, request_id, summary, enterprise_code`
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
	if err := s.Scan(&e.ID, &e.At, &e.Actor, &kind, &e.TokenID, &e.Route, &e.Object, &e.RequestID, &e.Summary, &e.Enterprise); err != nil {
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
	keys, err := q.Keys(1)
	if err != nil {
		return nil, err
	}
	var w query
	w.sql.WriteString(`FROM users WHERE true`)
	if q.Enterprise != "" {
		w.sql.WriteString(` AND enterprise_code = ` + w.arg(q.Enterprise))
	}
	count := countOf(&w)
	if keys != nil {
		w.sql.WriteString(` AND username > ` + w.arg(keys[0]))
	}
	return listPage(ctx, db, "users", `SELECT `+userColumns+` `+w.sql.String()+` ORDER BY username`, w.args,
		count, q.Page, scanUser, func(u *operator.User) []string { return []string{u.Username} })
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
func (db *DB) UpdateUser(ctx context.Context, u *operator.User) error {
	tag, err := db.exec(ctx, "update user", `UPDATE users SET disabled = $1, password_hash = $2 WHERE username = $3`, u.Disabled, u.PasswordHash, u.Username)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return unknownUser(u.Username)
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
func (db *DB) writeAudit(ctx context.Context, tx pgx.Tx) (*operator.AuditEntry, error) {
	e := operator.AuditFrom(ctx)
	if e == nil || !e.Claim() {
		return nil, nil
	}
	err := tx.QueryRow(ctx, `INSERT INTO audit (at, actor, actor_kind, token_id, route, object, request_id, summary, enterprise_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		e.At, e.Actor, string(e.ActorKind), e.TokenID, e.Route, e.Object, e.RequestID, e.Summary, e.Enterprise).Scan(&e.ID)
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
	keys, err := q.Keys(1)
	if err != nil {
		return nil, err
	}
	var w query
	w.sql.WriteString(`FROM audit WHERE true`)
	if q.Actor != "" {
		w.sql.WriteString(` AND actor = ` + w.arg(q.Actor))
	}
	if q.Enterprise != "" {
		w.sql.WriteString(` AND enterprise_code = ` + w.arg(q.Enterprise))
	}
	if q.Object != "" {
		if strings.Contains(q.Object, ":") {
			w.sql.WriteString(` AND object = ` + w.arg(q.Object))
		} else {
			w.sql.WriteString(` AND object LIKE ` + w.arg(q.Object+":%"))
		}
	}
	if !q.Since.IsZero() {
		w.sql.WriteString(` AND at >= ` + w.arg(q.Since))
	}
	count := countOf(&w)
	if keys != nil {
		id, err := strconv.ParseInt(keys[0], 10, 64)
		if err != nil {
			return nil, opencube.Invalid("cursor", "cursor %q is not one this list gave", q.Cursor)
		}
		w.sql.WriteString(` AND id < ` + w.arg(id))
	}
	return listPage(ctx, db, "audit entries", `SELECT `+auditColumns+` `+w.sql.String()+` ORDER BY id DESC`, w.args,
		count, q.Page, scanAudit, func(e *operator.AuditEntry) []string { return []string{strconv.FormatInt(e.ID, 10)} })
}

// countQuery is the capped count of a list's rows, before its cursor.
type countQuery struct {
	sql  string
	args []any
}

// countOf returns the capped count of the rows w (a FROM and WHERE clause)
// selects.
func countOf(w *query) countQuery {
	args := append(append([]any{}, w.args...), operator.CountCap+1)
	return countQuery{`SELECT count(*) FROM (SELECT 1 ` + w.sql.String() + ` LIMIT $` + strconv.Itoa(len(args)) + `) c`, args}
}

// listPage runs the query of one page of a list (its LIMIT added here)
// and, when asked, its capped count, and makes the next page's cursor from
// the last item's keys.
func listPage[T any](ctx context.Context, db *DB, what, sql string, args []any, count countQuery,
	p operator.Page, scan func(scanner) (T, error), keys func(T) []string) (*operator.List[T], error) {
	limit := p.Limit
	if limit <= 0 {
		limit = operator.DefaultLimit
	}
	list := &operator.List[T]{}
	sql += ` LIMIT $` + strconv.Itoa(len(args)+1)
	args = append(args, limit+1)
	err := retry(ctx, func() error {
		list.Items = []T{}
		rows, err := db.pool.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			item, err := scan(rows)
			if err != nil {
				return err
			}
			list.Items = append(list.Items, item)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.dbError("list "+what, err)
	}
	if len(list.Items) > limit {
		list.Items = list.Items[:limit]
		list.Next = operator.Cursor(keys(list.Items[limit-1])...)
	}
	if p.Count {
		var n int
		err := retry(ctx, func() error { return db.pool.QueryRow(ctx, count.sql, count.args...).Scan(&n) })
		if err != nil {
			return nil, db.dbError("count "+what, err)
		}
		list.SetTotal(n)
	}
	return list, nil
}
