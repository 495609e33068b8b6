package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// stmt is a statement of the store, declared once (prepared) beside the
// code that runs it. Each connection that runs it, the writer's or the read
// pool, prepares it on first use and keeps it in its stmtCache.
type stmt struct {
	query string
	slot  int // its place in every stmtCache
}

// numStmts counts the statements declared: the size of a stmtCache.
var numStmts int

// prepared declares the statement of query. It is only called to
// initialise package variables, so every statement has its slot before
// the first stmtCache is made.
func prepared(query string) *stmt {
	s := &stmt{query: query, slot: numStmts}
	numStmts++
	return s
}

// conn is what a stmtCache prepares its statements on: the writer's
// *sql.Conn or the read pool's *sql.DB.
type conn interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtCache keeps the statements prepared on one conn, each prepared the
// first time it runs there and closed by close. Finding a prepared
// statement takes no lock, an index and an atomic load, so the writer's
// hot path pays nothing for it and the readers of the pool do not contend;
// preparing one takes mu.
type stmtCache struct {
	conn  conn
	mu    sync.Mutex
	stmts []atomic.Pointer[sql.Stmt] // by stmt.slot
}

func newStmtCache(c conn) *stmtCache {
	return &stmtCache{conn: c, stmts: make([]atomic.Pointer[sql.Stmt], numStmts)}
}

// get returns s prepared on c's conn, preparing it on first use.
func (c *stmtCache) get(ctx context.Context, s *stmt) (*sql.Stmt, error) {
	if p := c.stmts[s.slot].Load(); p != nil {
		return p, nil
	}
	return c.prepare(ctx, s)
}

func (c *stmtCache) prepare(ctx context.Context, s *stmt) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.stmts[s.slot].Load(); p != nil {
		return p, nil // prepared meanwhile
	}
	p, err := c.conn.PrepareContext(ctx, s.query)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", s.query, err)
	}
	c.stmts[s.slot].Store(p)
	return p, nil
}

// exec runs statement s.
func (c *stmtCache) exec(ctx context.Context, s *stmt, args ...any) (sql.Result, error) {
	p, err := c.get(ctx, s)
	if err != nil {
		return nil, err
	}
	return p.ExecContext(ctx, args...)
}

// query runs query s.
func (c *stmtCache) query(ctx context.Context, s *stmt, args ...any) (*sql.Rows, error) {
	p, err := c.get(ctx, s)
	if err != nil {
		return nil, err
	}
	return p.QueryContext(ctx, args...)
}

// queryRow runs query s for one row. A query that cannot be prepared runs
// unprepared, and so fails the same way, when its row is scanned.
func (c *stmtCache) queryRow(ctx context.Context, s *stmt, args ...any) *sql.Row {
	p, err := c.get(ctx, s)
	if err != nil {
		return c.conn.QueryRowContext(ctx, s.query, args...)
	}
	return p.QueryRowContext(ctx, args...)
}

// close closes every statement prepared. SQLite does not close a
// connection with a statement left open, and an open connection keeps the
// WAL from being copied back and removed.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for i := range c.stmts {
		if p := c.stmts[i].Swap(nil); p != nil {
			errs = append(errs, p.Close())
		}
	}
	return errors.Join(errs...)
}
