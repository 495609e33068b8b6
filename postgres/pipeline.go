package postgres

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// txConn is what a transaction's statements run on: a pgx.Tx, or a
// pipeTx.
type txConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

var (
	_ txConn = pgx.Tx(nil)
	_ txConn = (*pipeTx)(nil)
)

// queued is a statement a pipeTx sends with the next one.
type queued struct {
	sql  string
	args []any
	// deferred marks a write whose outcome its caller did not wait for.
	deferred bool
}

// pipeTx is a READ COMMITTED transaction on one connection that saves
// round trips: its BEGIN is sent with its first statement, writes may be
// deferred (Defer) and are then sent with the statement that follows them,
// and the last of them with the COMMIT, all in one pipeline. A write that
// fails in a pipeline aborts the transaction, and every statement after it
// in that pipeline fails with its error; failed reports it, so that the
// transaction can run again with each write on its own.
//
// The order transaction of one orderPackage request is so three round trips:
// BEGIN and the SIM, the plan, then the order, its event, the replay entry
// and COMMIT.
type pipeTx struct {
	conn  *pgxpool.Conn
	queue []queued
	// sent: the BEGIN went to the server, so the transaction must end.
	sent bool
	// done: committed or rolled back.
	done bool
	// failed is the error of the first deferred write that failed.
	failed error
	// onFail, when set, is told of a deferred write's failure.
	onFail func(error)
	// held, when set, returns writes held back elsewhere (coalesced,
	// see usageWrites), to be queued before any other statement: it is
	// asked before each statement is queued or sent, so that the order of
	// the transaction's statements is kept.
	held func() []queued
	// lazy: nothing but pure reads (pureRead) was sent so far, each on
	// its own, and the BEGIN is yet to go, with the first other statement
	// (see groupcommit.go).
	lazy bool
	// group, when set, commits the deferred writes of a transaction that
	// is still lazy at its commit with other transactions' (committer).
	group *committer
	// key orders the transaction's writes in a shared commit: the ICCID
	// of the SIM it changes.
	key string
}

const sqlBegin = `BEGIN ISOLATION LEVEL READ COMMITTED`

// beginPipe acquires a connection and starts a pipeTx on it; nothing is
// sent until its first statement.
func (db *DB) beginPipe(ctx context.Context) (*pipeTx, error) {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return nil, db.dbError("begin", err)
	}
	return &pipeTx{conn: conn, queue: []queued{{sql: sqlBegin}}}, nil
}

// beginLazy is beginPipe for a lazy transaction whose writes may share a
// commit through group (see groupcommit.go).
func (db *DB) beginLazy(ctx context.Context, group *committer) (*pipeTx, error) {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return nil, db.dbError("begin", err)
	}
	return &pipeTx{conn: conn, lazy: true, group: group}, nil
}

// direct reports whether sql may go on its own now, outside the pipeline:
// nothing is queued, and the transaction has begun or sql is a pure read.
func (p *pipeTx) direct(sql string) bool {
	return len(p.queue) == 0 && (!p.lazy || pureReads[sql])
}

// Defer queues a write to be sent with the next statement or the commit.
// Its outcome is known then (failed).
func (p *pipeTx) Defer(sql string, args ...any) {
	p.takeHeld()
	p.queue = append(p.queue, queued{sql: sql, args: args, deferred: true})
}

// takeHeld queues the writes held back (held), if any.
func (p *pipeTx) takeHeld() {
	if p.held != nil {
		p.queue = append(p.queue, p.held()...)
	}
}

// Deferred reports whether writes wait to be sent.
func (p *pipeTx) Deferred() bool {
	p.takeHeld()
	for _, q := range p.queue {
		if q.deferred {
			return true
		}
	}
	return false
}

// send sends the queue, then the statements of b, in one pipeline, and
// reads the queue's results. On an error there, the batch results are
// closed and the error returned. Deferred writes made with mergeable
// statements that follow each other go as one statement (see merge).
func (p *pipeTx) send(ctx context.Context, b *pgx.Batch) (pgx.BatchResults, error) {
	if p.lazy {
		p.lazy = false
		p.queue = append([]queued{{sql: sqlBegin}}, p.queue...)
	}
	queue := merge(p.queue)
	var all pgx.Batch
	for _, q := range queue {
		all.Queue(q.sql, q.args...)
	}
	n := len(queue)
	p.queue = nil
	p.sent = true
	all.QueuedQueries = append(all.QueuedQueries, b.QueuedQueries...)
	br := p.conn.SendBatch(ctx, &all)
	for i := range n {
		if _, err := br.Exec(); err != nil {
			if queue[i].deferred && p.failed == nil {
				p.failed = err
				if p.onFail != nil {
					p.onFail(err)
				}
			}
			br.Close()
			return nil, err
		}
	}
	return br, nil
}

// mergeablePart is a write statement that a pipeline may join with other
// deferred writes into one statement: its WITH items, if any, named apart
// from every other mergeable statement's, and its last part.
type mergeablePart struct {
	id    int
	items string
	final string
	nargs int
}

var (
	// mergeables are the mergeable statements by their text.
	mergeables = map[string]*mergeablePart{}
	// merged caches the statements joined so far, by their parts' ids.
	merged  sync.Map
	paramRe = regexp.MustCompile(`\$([0-9]+)`)
)

// mergeable returns the write statement "WITH items final" (final alone
// when items is empty) and registers it as one that deferred writes may
// join: items must be named apart from the items of every other mergeable
// statement, and the statement must neither read nor need a row another
// mergeable write makes (joined, they see the same snapshot). Package
// initialization only.
func mergeable(items, final string) string {
	sql := final
	if items != "" {
		sql = "WITH " + items + " " + final
	}
	n := 0
	for _, m := range paramRe.FindAllStringSubmatch(sql, -1) {
		k, _ := strconv.Atoi(m[1])
		n = max(n, k)
	}
	mergeables[sql] = &mergeablePart{id: len(mergeables), items: items, final: final, nargs: n}
	return sql
}

// merge joins runs of deferred writes made with distinct mergeable
// statements into one statement each (data-modifying WITH items, the
// parameters renumbered), so that PostgreSQL plans and runs one statement
// instead of several: an order's row, its event with its delivery and job,
// its ledger line and its replay entry. A statement met again starts a new
// run, so no run writes one row twice. A joined statement that fails fails
// as a deferred write does: the transaction runs again, each write alone.
func merge(queue []queued) []queued {
	out := make([]queued, 0, len(queue))
	var run []queued
	var parts []*mergeablePart
	flush := func() {
		switch len(run) {
		case 0:
		case 1:
			out = append(out, run[0])
		default:
			var key strings.Builder
			var args []any
			for i, m := range parts {
				if i > 0 {
					key.WriteByte(',')
				}
				key.WriteString(strconv.Itoa(m.id))
				args = append(args, run[i].args...)
			}
			sql, ok := merged.Load(key.String())
			if !ok {
				sql, _ = merged.LoadOrStore(key.String(), joinParts(parts))
			}
			out = append(out, queued{sql: sql.(string), args: args, deferred: true})
		}
		run, parts = run[:0], parts[:0]
	}
	for _, q := range queue {
		m := mergeables[q.sql]
		if m == nil || !q.deferred || len(q.args) != m.nargs {
			flush()
			out = append(out, q)
			continue
		}
		for _, seen := range parts {
			if seen == m {
				flush()
				break
			}
		}
		run, parts = append(run, q), append(parts, m)
	}
	flush()
	return out
}

// joinParts is the one statement of parts, their parameters renumbered in
// turn.
func joinParts(parts []*mergeablePart) string {
	var items []string
	offset := 0
	for i, m := range parts {
		renumber := func(s string) string {
			return paramRe.ReplaceAllStringFunc(s, func(p string) string {
				k, _ := strconv.Atoi(p[1:])
				return "$" + strconv.Itoa(k+offset)
			})
		}
		if m.items != "" {
			items = append(items, renumber(m.items))
		}
		items = append(items, "w"+strconv.Itoa(i)+" AS ("+renumber(m.final)+")")
		offset += m.nargs
	}
	return "WITH " + strings.Join(items, ", ") + " SELECT 1"
}

// Flush sends the queued statements, if any, alone.
func (p *pipeTx) Flush(ctx context.Context) error {
	if !p.Deferred() {
		return nil
	}
	br, err := p.send(ctx, &pgx.Batch{})
	if err != nil {
		return err
	}
	return br.Close()
}

// Exec runs sql after the queue, in the same pipeline.
func (p *pipeTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	p.takeHeld()
	if p.direct(sql) {
		return p.conn.Exec(ctx, sql, args...)
	}
	var b pgx.Batch
	b.Queue(sql, args...)
	br, err := p.send(ctx, &b)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// Query runs sql after the queue, in the same pipeline.
func (p *pipeTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	p.takeHeld()
	if p.direct(sql) {
		return p.conn.Query(ctx, sql, args...)
	}
	var b pgx.Batch
	b.Queue(sql, args...)
	br, err := p.send(ctx, &b)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

// QueryRow runs sql after the queue, in the same pipeline.
func (p *pipeTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	p.takeHeld()
	if p.direct(sql) {
		return p.conn.QueryRow(ctx, sql, args...)
	}
	var b pgx.Batch
	b.Queue(sql, args...)
	br, err := p.send(ctx, &b)
	if err != nil {
		return errRow{err}
	}
	return batchRow{br}
}

// SendBatch sends b after the queue, in the same pipeline.
func (p *pipeTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	p.takeHeld()
	direct := len(p.queue) == 0
	for _, q := range b.QueuedQueries {
		direct = direct && p.direct(q.SQL)
	}
	if direct {
		return p.conn.SendBatch(ctx, b)
	}
	br, err := p.send(ctx, b)
	if err != nil {
		return errBatch{err}
	}
	return br
}

// Commit sends the queue and COMMIT in one pipeline. A transaction that
// sent nothing has nothing to commit. A lazy one that has a group and a
// few deferred writes gives its connection back and shares a commit
// (committer).
func (p *pipeTx) Commit(ctx context.Context) error {
	if !p.sent && !p.Deferred() {
		p.done = true
		return nil
	}
	if p.lazy && p.group != nil && len(p.queue) <= maxGroupStatements {
		queue := merge(p.queue)
		p.queue = nil
		p.done = true
		p.conn.Release()
		p.conn = nil
		return p.group.commit(p.key, queue)
	}
	tag, err := p.Exec(ctx, "COMMIT")
	if err != nil {
		return err
	}
	p.done = true
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// end rolls the transaction back unless it committed, and gives the
// connection back to the pool (which closes it when it is left in a
// transaction).
func (p *pipeTx) end(ctx context.Context) {
	if p.conn == nil {
		return // released for a shared commit
	}
	if p.sent && !p.done {
		if _, err := p.conn.Exec(ctx, "ROLLBACK"); err != nil {
			p.conn.Conn().Close(ctx)
		}
	}
	p.conn.Release()
}

// batchRow is the row of the last statement of a pipeline.
type batchRow struct{ br pgx.BatchResults }

func (r batchRow) Scan(dest ...any) error {
	err := r.br.QueryRow().Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// batchRows are the rows of the last statement of a pipeline.
type batchRows struct {
	pgx.Rows
	br     pgx.BatchResults
	closed bool
	err    error
}

func (r *batchRows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.Rows.Close()
	r.err = r.br.Close()
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

// errBatch is a pipeline that failed before its statements.
type errBatch struct{ err error }

func (b errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b errBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b errBatch) QueryRow() pgx.Row                { return errRow{b.err} }
func (b errBatch) Close() error                     { return b.err }
func (b errBatch) Tx() pgx.Tx                       { return nil }
