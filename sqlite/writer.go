package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opencube/opencube/operator"
	modernc "modernc.org/sqlite"
)

// maxBatch bounds how many write transactions share one commit, and so how
// long the first of them waits for the others.
const maxBatch = 64

// errClosed is returned by writes after Close.
var errClosed = errors.New("sqlite: database is closed")

// writer owns the only write connection and commits in groups.
//
// One goroutine (loop) does every write. Callers queue their function and
// wait; the loop takes whatever is queued (up to maxBatch), begins one
// transaction (BEGIN IMMEDIATE), runs each function in its own savepoint,
// rolled back if the function fails, commits once, and then answers every
// caller: a function that succeeded gets the commit's outcome, one that
// failed its own error. Concurrent writes are serialised exactly as with one
// transaction each, but the pages they touch are written to the WAL once a
// batch instead of once a transaction, and no lock is handed from goroutine
// to goroutine, which is what bounds SQLite's write throughput.
type writer struct {
	db   *sql.DB
	conn *sql.Conn // db's single connection, held for good
	ckpt *checkpointer
	rows *rowCache // only touched by the loop's goroutine
	// stmts are the statements prepared on conn.
	stmts *stmtCache
	// proto are the statements of the batch protocol, from stmts, at hand
	// from the start: the loop runs them on every batch.
	proto [numProtoStmts]*sql.Stmt
	// frames is where readFrameCount puts the count of frames appended.
	frames int64

	ops    chan *op      // queued writes
	quit   chan struct{} // closed by close: the loop drains and stops
	exited chan struct{} // closed when the loop has stopped
	once   sync.Once
	// observe, when set, is told of every batch (DB.ObserveBatches).
	observe atomic.Pointer[func(writes int, took time.Duration)]
}

// op is one queued write transaction.
type op struct {
	ctx  context.Context
	fn   func(ctx context.Context) error
	done chan error
	// keepsRows says fn writes no SIM, plan or grant, so the writer's
	// rowCache stays true after it (order transactions).
	keepsRows bool
}

// The statements of the batch protocol, by their place in writer.proto.
const (
	pBegin = iota
	pSavepoint
	pRelease
	pRollbackTo
	pCommit
	pRollback
	pDataVersion
	numProtoStmts
)

var protoStmts = [numProtoStmts]*stmt{
	pBegin:      prepared("BEGIN IMMEDIATE"),
	pSavepoint:  prepared("SAVEPOINT w"),
	pRelease:    prepared("RELEASE w"),
	pRollbackTo: prepared("ROLLBACK TO w"),
	pCommit:     prepared("COMMIT"),
	pRollback:   prepared("ROLLBACK"),
	// Changes when another connection commits (rowCache).
	pDataVersion: prepared("PRAGMA data_version"),
}

func openWriter(ctx context.Context, path string) (*writer, error) {
	db, err := sql.Open("sqlite", dsn(path, true)+noAutoCheckpoint) // see checkpointer
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	w := &writer{db: db, rows: newRowCache(), ops: make(chan *op, 4*maxBatch), quit: make(chan struct{}), exited: make(chan struct{})}
	if w.conn, err = db.Conn(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.stmts = newStmtCache(w.conn)
	if w.ckpt, err = openCheckpointer(path); err != nil {
		w.closeConn()
		return nil, err
	}
	for i, s := range protoStmts {
		if w.proto[i], err = w.stmts.get(ctx, s); err != nil {
			w.closeConn()
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	go w.loop()
	return w, nil
}

// close lets the queued writes finish, stops the loop and closes the
// connection.
func (w *writer) close() error {
	var err error
	w.once.Do(func() {
		close(w.quit)
		<-w.exited
		err = w.closeConn()
	})
	return err
}

func (w *writer) closeConn() error {
	errs := []error{w.stmts.close()}
	if w.ckpt != nil {
		errs = append(errs, w.ckpt.close())
	}
	errs = append(errs, w.conn.Close(), w.db.Close())
	return errors.Join(errs...)
}

// exec runs a statement of the batch protocol.
func (w *writer) exec(stmt int) error {
	_, err := w.proto[stmt].ExecContext(context.Background())
	return err
}

// run runs fn as one write transaction: fn's writes are committed (with those
// of the batch it joins) when it returns nil, and undone when it returns an
// error, which run returns as it is.
//
// fn runs on the writer's goroutine with ctx stripped of its cancellation: a
// statement interrupted by a cancelled context would make SQLite roll back
// the whole shared transaction. A ctx done before fn starts fails run
// without running fn.
func (w *writer) run(ctx context.Context, keepsRows bool, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := &op{ctx: ctx, fn: fn, done: make(chan error, 1), keepsRows: keepsRows}
	select {
	case w.ops <- o:
	case <-w.quit:
		return errClosed
	}
	var err error
	select {
	case err = <-o.done:
	case <-w.exited:
		// The loop stopped: o was queued as it drained the queue for the
		// last time, so it either ran (and was answered before the loop
		// stopped) or never will.
		select {
		case err = <-o.done:
		default:
			return errClosed
		}
	}
	if p, ok := err.(panicked); ok {
		panic(p.value) // in the caller's goroutine, where it belongs
	}
	return err
}

// panicked carries a write function's panic back to its caller.
type panicked struct{ value any }

func (p panicked) Error() string {
	return fmt.Sprintf("sqlite: write transaction panicked: %v", p.value)
}

// loop runs queued writes in batches until close.
func (w *writer) loop() {
	defer close(w.exited)
	batch := make([]*op, 0, maxBatch)
	for {
		var first *op
		select {
		case first = <-w.ops:
		case <-w.quit:
			// Writes queued before close still run; later ones see quit.
			for {
				select {
				case o := <-w.ops:
					w.runBatch([]*op{o})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case o := <-w.ops:
				batch = append(batch, o)
			default:
				break fill
			}
		}
		w.ckpt.restart(w.conn)
		if f := w.observe.Load(); f != nil {
			start := time.Now()
			w.runBatch(batch)
			(*f)(len(batch), time.Since(start))
		} else {
			w.runBatch(batch)
		}
	}
}

// runBatch runs ops in one transaction and answers each.
func (w *writer) runBatch(ops []*op) {
	results := make([]error, len(ops))
	ran := false // some op ran and succeeded: the batch needs its commit
	if err := w.exec(pBegin); err != nil {
		for _, o := range ops {
			o.done <- fmt.Errorf("sqlite: begin: %w", err)
		}
		return
	}
	w.rows.sync(w)
	var lost error // the transaction broke: everything fails with this
	for i, o := range ops {
		if err := o.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if err := w.exec(pSavepoint); err != nil {
			lost = fmt.Errorf("sqlite: savepoint: %w", err)
			break
		}
		err := call(o)
		if !o.keepsRows {
			w.rows.clear()
		}
		if err == nil {
			if rerr := w.exec(pRelease); rerr != nil {
				lost = fmt.Errorf("sqlite: release savepoint: %w", rerr)
				break
			}
			ran = true
			continue
		}
		results[i] = err
		if rerr := w.exec(pRollbackTo); rerr != nil {
			// SQLite rolls a transaction back by itself after some errors
			// (I/O, disk full): the earlier writes are gone too.
			lost = fmt.Errorf("sqlite: transaction lost: %w", rerr)
			break
		}
		if rerr := w.exec(pRelease); rerr != nil {
			lost = fmt.Errorf("sqlite: release savepoint: %w", rerr)
			break
		}
	}
	var commitErr error
	switch {
	case lost != nil:
		w.exec(pRollback) // if the transaction is still open
		w.rows.clear()
		commitErr = lost
	case ran:
		if err := w.exec(pCommit); err != nil {
			w.exec(pRollback)
			// An order transaction may have read what an earlier write of
			// the batch changed, now undone.
			w.rows.clear()
			commitErr = fmt.Errorf("sqlite: commit: %w", err)
		} else {
			w.ckpt.committed(w.appended())
		}
	default:
		w.exec(pRollback) // nothing to keep
	}
	for i, o := range ops {
		switch {
		case commitErr != nil:
			// Every outcome of a batch that did not commit goes: a failure
			// may have come from a sibling's write, now undone (a repeat
			// that found the first request's replay entry, an order refused
			// for an active order that no longer exists), and must not be
			// answered or remembered.
			o.done <- commitErr
		case results[i] != nil:
			o.done <- results[i]
		default:
			o.done <- nil
		}
	}
}

// appended returns how many frames the write connection has appended to
// the WAL since the last call: the pages its pager wrote, which in WAL mode
// are frames (a commit's, and those a large transaction spills before it
// commits, counted whatever becomes of them). It returns 0 when the count
// cannot be read: the background checkpointer's measures then bound the
// WAL alone.
func (w *writer) appended() int64 {
	w.frames = 0
	w.conn.Raw(w.readFrameCount)
	return w.frames
}

// readFrameCount reads and resets the write connection's count of written
// pages into w.frames.
func (w *writer) readFrameCount(dc any) error {
	s, ok := dc.(modernc.DBStatus)
	if !ok {
		return nil
	}
	n, _, err := s.Status(modernc.DBStatusCacheWrite, true)
	if err == nil {
		w.frames = int64(n)
	}
	return err
}

// call runs an op's function; a panic is rolled back like an error and
// panics again in the caller's goroutine, so one bad write cannot take the
// writer down.
func call(o *op) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicked{r}
		}
	}()
	return o.fn(context.WithoutCancel(o.ctx))
}

// txn is the view of the write connection that a write transaction's
// function gets. Its statements run with the transaction's context.
type txn struct {
	w   *writer
	ctx context.Context
	// rows is the writer's rowCache in an order transaction, and nil in
	// any other, which may write the rows it caches.
	rows *rowCache
}

// execStmt runs statement s.
func (t *txn) execStmt(s *stmt, args ...any) (sql.Result, error) {
	return t.w.stmts.exec(t.ctx, s, args...)
}

// write runs statement s; its error is op's.
func (t *txn) write(op string, s *stmt, args ...any) (sql.Result, error) {
	res, err := t.w.stmts.exec(t.ctx, s, args...)
	if err != nil {
		return nil, dbError(op, err)
	}
	return res, nil
}

// queryStmt runs query s.
func (t *txn) queryStmt(s *stmt, args ...any) (*sql.Rows, error) {
	return t.w.stmts.query(t.ctx, s, args...)
}

// queryRowStmt runs query s for one row.
func (t *txn) queryRowStmt(s *stmt, args ...any) *sql.Row {
	return t.w.stmts.queryRow(t.ctx, s, args...)
}

// exec runs an ad hoc statement.
func (t *txn) exec(query string, args ...any) (sql.Result, error) {
	return t.w.conn.ExecContext(t.ctx, query, args...)
}

// queryRow runs an ad hoc query.
func (t *txn) queryRow(query string, args ...any) *sql.Row {
	return t.w.conn.QueryRowContext(t.ctx, query, args...)
}

// ObserveBatches has fn told of every batch of write transactions the
// writer commits together: how many it held, and how long it took from
// its BEGIN to its COMMIT (metrics). fn runs on the writer's goroutine,
// so it must be quick.
func (db *DB) ObserveBatches(fn func(writes int, took time.Duration)) { db.w.observe.Store(&fn) }

// QueuedWrites returns how many write transactions wait for the writer.
func (db *DB) QueuedWrites() int { return len(db.w.ops) }

// update runs fn as one write transaction; see writer.run. An error from fn
// is returned as it is, so that domain errors keep their type.
func (db *DB) update(ctx context.Context, fn func(*txn) error) error {
	return db.updateWith(ctx, nil, fn)
}

// updateOrders is update for a function that writes no SIM, plan or grant:
// it reads through the writer's rowCache.
func (db *DB) updateOrders(ctx context.Context, fn func(*txn) error) error {
	return db.updateWith(ctx, db.w.rows, fn)
}

// updateWith runs fn as one write transaction whose txn reads through rows
// (nil: no cache, and the writer empties its cache after fn).
// A pending audit entry ctx carries (operator.WithAudit) is written in the
// same transaction, after fn.
func (db *DB) updateWith(ctx context.Context, rows *rowCache, fn func(*txn) error) error {
	entry := operator.AuditFrom(ctx)
	claimed := false
	err := db.w.run(ctx, rows != nil, func(ctx context.Context) error {
		t := &txn{w: db.w, ctx: ctx, rows: rows}
		if err := fn(t); err != nil {
			return err
		}
		if entry != nil && entry.Claim() {
			claimed = true
			return t.insertAudit(entry)
		}
		return nil
	})
	if err != nil && claimed {
		entry.Unclaim()
	}
	return err
}
