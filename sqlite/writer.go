package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// maxBatch bounds how many write transactions share one commit, and so how
// long the first of them waits for the others.
const maxBatch = 64

// errClosed is returned by writes after Close.
var errClosed = errors.New("sqlite: database is closed")

// writer owns the only write connection and commits in groups.
//
// Every write (DB.update) runs in a savepoint of a shared transaction: the
// first writer to find none open begins one (BEGIN IMMEDIATE), each writer's
// function runs under the mutex in its own savepoint, which is rolled back if
// the function fails, and the writer that finds nobody waiting behind it (or
// the batch full) commits for all. A writer whose function succeeded returns
// only after that commit, with its error. So concurrent writes are
// serialised exactly as with one transaction each, but the pages they touch
// are written to the WAL once a batch instead of once a transaction, which
// is what bounds SQLite's write throughput.
type writer struct {
	db    *sql.DB
	conn  *sql.Conn // db's single connection, held for good
	stmts [numWriteStmts]*sql.Stmt
	proto [numProtoStmts]*sql.Stmt

	// waiting counts callers that have committed to taking mu: while it is
	// not zero, one of them will commit the open batch.
	waiting atomic.Int32
	mu      sync.Mutex // guards everything below and the connection
	batch   *batch     // the open transaction, or nil
	closed  bool
}

// The statements of the batch protocol, prepared once.
const (
	pBegin = iota
	pSavepoint
	pRelease
	pRollbackTo
	pCommit
	pRollback
	numProtoStmts
)

var protoSQL = [numProtoStmts]string{
	pBegin:      "BEGIN IMMEDIATE",
	pSavepoint:  "SAVEPOINT w",
	pRelease:    "RELEASE w",
	pRollbackTo: "ROLLBACK TO w",
	pCommit:     "COMMIT",
	pRollback:   "ROLLBACK",
}

// batch is one shared transaction.
type batch struct {
	n    int           // writes run in it
	done chan struct{} // closed once committed or rolled back
	err  error         // why the batch failed, set before done is closed
}

func openWriter(ctx context.Context, path string) (*writer, error) {
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	w := &writer{db: db}
	if w.conn, err = db.Conn(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	for i, q := range writeSQL {
		if w.stmts[i], err = w.conn.PrepareContext(ctx, q); err != nil {
			w.close()
			return nil, fmt.Errorf("sqlite: prepare %q: %w", q, err)
		}
	}
	for i, q := range protoSQL {
		if w.proto[i], err = w.conn.PrepareContext(ctx, q); err != nil {
			w.close()
			return nil, fmt.Errorf("sqlite: prepare %q: %w", q, err)
		}
	}
	return w, nil
}

// close commits the open batch and closes the connection.
func (w *writer) close() error {
	w.waiting.Add(1)
	w.mu.Lock()
	w.waiting.Add(-1)
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	if w.batch != nil {
		w.commit()
	}
	w.closed = true
	var errs []error
	for _, s := range append(w.stmts[:], w.proto[:]...) {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	errs = append(errs, w.conn.Close(), w.db.Close())
	return errors.Join(errs...)
}

// exec runs a statement of the batch protocol.
func (w *writer) exec(ctx context.Context, stmt int) error {
	_, err := w.proto[stmt].ExecContext(ctx)
	return err
}

// commit ends the open batch, committing it. Callers hold mu.
func (w *writer) commit() {
	b := w.batch
	if err := w.exec(context.Background(), pCommit); err != nil {
		w.exec(context.Background(), pRollback) // if the transaction is still open
		b.err = fmt.Errorf("sqlite: commit: %w", err)
	}
	w.batch = nil
	close(b.done)
}

// fail ends the open batch, rolling it back, because its transaction broke
// (err) or its only write failed (nil). Callers hold mu.
func (w *writer) fail(err error) {
	b := w.batch
	w.exec(context.Background(), pRollback) // SQLite may have rolled back already
	b.err = err
	w.batch = nil
	close(b.done)
}

// release commits the open batch unless a waiting writer will, and unlocks mu.
func (w *writer) release() {
	if w.batch != nil && w.batch.n < maxBatch && w.waiting.Load() == 0 {
		// Let writers that are about to queue (the last batch's, just
		// woken) get in line before deciding nobody is coming.
		runtime.Gosched()
	}
	if w.batch != nil && (w.waiting.Load() == 0 || w.batch.n >= maxBatch) {
		w.commit()
	}
	w.mu.Unlock()
}

// run runs fn as one write transaction: fn's writes are committed (with those
// of the batch it joins) when it returns nil, and undone when it returns an
// error, which run returns as it is.
//
// fn runs with ctx stripped of its cancellation: a statement interrupted by a
// cancelled context would make SQLite roll back the whole shared transaction.
// A ctx done before fn starts fails run without running fn.
func (w *writer) run(ctx context.Context, fn func(ctx context.Context) error) error {
	w.waiting.Add(1)
	w.mu.Lock()
	w.waiting.Add(-1)
	if w.closed {
		w.mu.Unlock()
		return errClosed
	}
	if err := ctx.Err(); err != nil {
		w.release() // a writer ahead may have left the batch to us
		return err
	}
	ctx = context.WithoutCancel(ctx)
	// The first write of a batch needs no savepoint: nobody else's writes
	// are in the transaction yet, so undoing it is rolling that back.
	savepoint := w.batch != nil
	if !savepoint {
		if err := w.exec(ctx, pBegin); err != nil {
			w.mu.Unlock()
			return fmt.Errorf("sqlite: begin: %w", err)
		}
		w.batch = &batch{done: make(chan struct{})}
	}
	b := w.batch
	b.n++
	if savepoint {
		if err := w.exec(ctx, pSavepoint); err != nil {
			err = fmt.Errorf("sqlite: savepoint: %w", err)
			w.fail(err)
			w.mu.Unlock()
			return err
		}
	}

	finished := false
	defer func() {
		if !finished { // fn panicked or called runtime.Goexit
			w.undo(ctx, b, savepoint)
			w.release()
		}
	}()
	err := fn(ctx)
	finished = true

	if err != nil {
		w.undo(ctx, b, savepoint)
		w.release()
		return err
	}
	if savepoint {
		if err := w.exec(ctx, pRelease); err != nil && w.batch == b {
			w.fail(fmt.Errorf("sqlite: release savepoint: %w", err))
		}
	}
	w.release()
	<-b.done
	return b.err
}

// undo rolls back the writes of the current savepoint, or of the batch when
// there is none (the batch's first write) or its transaction no longer
// exists (SQLite rolls a transaction back by itself after some errors: I/O,
// disk full). Callers hold mu.
func (w *writer) undo(ctx context.Context, b *batch, savepoint bool) {
	if w.batch != b {
		return
	}
	if !savepoint {
		w.fail(nil) // b holds this write only
		return
	}
	if err := w.exec(ctx, pRollbackTo); err != nil {
		w.fail(fmt.Errorf("sqlite: transaction lost: %w", err))
		return
	}
	if err := w.exec(ctx, pRelease); err != nil {
		w.fail(fmt.Errorf("sqlite: release savepoint: %w", err))
	}
}

// txn is the view of the write connection that a write transaction's
// function gets. Its statements run with the transaction's context.
type txn struct {
	w   *writer
	ctx context.Context
}

// stmt returns prepared write statement i.
func (t *txn) stmt(i int) *sql.Stmt { return t.w.stmts[i] }

// exec runs an ad hoc statement.
func (t *txn) exec(query string, args ...any) (sql.Result, error) {
	return t.w.conn.ExecContext(t.ctx, query, args...)
}

// queryRow runs an ad hoc query.
func (t *txn) queryRow(query string, args ...any) *sql.Row {
	return t.w.conn.QueryRowContext(t.ctx, query, args...)
}

// update runs fn as one write transaction; see writer.run. An error from fn
// is returned as it is, so that domain errors keep their type.
func (db *DB) update(ctx context.Context, fn func(*txn) error) error {
	return db.w.run(ctx, func(ctx context.Context) error {
		return fn(&txn{w: db.w, ctx: ctx})
	})
}
