package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
)

//go:embed migrations/*.sql
var embedded embed.FS

// ErrSchemaNewer is returned (wrapped) by Open and Migrate when the database
// was migrated by a newer opencube than this one: its schema version is
// beyond the last migration this binary knows.
var ErrSchemaNewer = errors.New("database schema is newer than this opencube binary")

// DefaultConnectTimeout bounds connecting to the database when neither
// Options nor the URL's connect_timeout says otherwise.
const DefaultConnectTimeout = 10 * time.Second

// Options tune a DB. The zero value is a sensible default; settings in the
// URL (pool_max_conns, connect_timeout, options=-c statement_timeout=...)
// apply where the matching field is zero.
type Options struct {
	// MaxConns bounds the connection pool (at least 2). 0: the URL's
	// pool_max_conns, else the greater of 8 and 4 a CPU. Mind the server's
	// max_connections across every node.
	MaxConns int32
	// StatementTimeout makes the server cancel any statement that runs
	// longer (its statement_timeout parameter). 0: the server's setting.
	StatementTimeout time.Duration
	// ConnectTimeout bounds each connection attempt, and so Open on an
	// unreachable database. 0: the URL's connect_timeout, else
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// Masters are the master keys that open the database's data key (the
	// first seals a new one); without any, Open fails with
	// seal.ErrNoMasterKey.
	Masters seal.Masters
	// ReadURL, when set, names a read replica (a hot standby streaming
	// from the database at Open's url). Lists and usage queries read
	// through a second pool on it, and their pages carry the replica's
	// replay time (operator.List.AsOf); writes, transactions and the reads
	// of order calls stay on the primary. It takes the same settings as
	// the primary's URL; MaxConns and StatementTimeout apply to both.
	ReadURL string
}

// DB is an opencube.Store over a PostgreSQL database, through a pool of
// connections. It is safe for concurrent use, by any number of processes
// sharing the database.
type DB struct {
	pool *pgxpool.Pool
	// reads is the pool of the lists and usage queries: a read replica's
	// (Options.ReadURL), else pool.
	reads *pgxpool.Pool
	// addr names the server in errors: host:port.
	addr string
	// statementTimeout is Options.StatementTimeout, for error messages.
	statementTimeout time.Duration
	// claims counts recorded replays, to purge expired ones now and then.
	claims atomic.Uint64
	// masters are the master keys the DB was opened with; box seals and
	// opens the stored secrets under the data keys they open (seal.go).
	masters seal.Masters
	box     *seal.Box
	// sealCur is where SealClear stopped.
	sealCur sealCursor
	// group shares the commits of order transactions (groupcommit.go).
	group *committer
}

var _ opencube.Store = (*DB)(nil)

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// key=value connection string, as libpq takes) and migrates it to the schema
// this binary knows. It fails, without panicking, when the URL is invalid,
// when the server cannot be reached within the connect timeout (the error
// names host:port and the cause), with ErrSchemaNewer when the database
// is ahead of this binary, and wrapping seal.ErrWrongMasterKey when no key of
// opts.Masters opens the database's data key.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	if len(opts.Masters.Keys) == 0 {
		return nil, seal.ErrNoMasterKey
	}
	cfg, err := poolConfig(url, opts)
	if err != nil {
		return nil, err
	}
	cc := cfg.ConnConfig
	db := &DB{addr: address(cc), statementTimeout: opts.StatementTimeout, masters: opts.Masters}
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", db.addr, err)
	}
	// The pool connects lazily: connect now, so that an unreachable server
	// fails Open rather than the first request.
	pctx, cancel := context.WithTimeout(ctx, cc.ConnectTimeout)
	err = db.pool.Ping(pctx)
	cancel()
	if err != nil {
		db.pool.Close()
		return nil, db.connectError(err, cc.ConnectTimeout)
	}
	if err := db.Migrate(ctx); err != nil {
		db.pool.Close()
		return nil, err
	}
	if db.box, err = seal.Open(ctx, slotStore{db}, opts.Masters); err != nil {
		db.pool.Close()
		return nil, fmt.Errorf("postgres: %s: %w", db.addr, err)
	}
	db.reads = db.pool
	if opts.ReadURL != "" {
		if db.reads, err = openReplica(ctx, opts.ReadURL, opts); err != nil {
			db.pool.Close()
			return nil, err
		}
	}
	if db.group, err = newCommitter(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// poolConfig is the pool configuration of url with opts.
func poolConfig(url string, opts Options) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgconn's parse errors redact the password.
		return nil, fmt.Errorf("postgres: invalid database URL: %w", err)
	}
	cc := cfg.ConnConfig
	switch {
	case opts.ConnectTimeout > 0:
		cc.ConnectTimeout = opts.ConnectTimeout
	case cc.ConnectTimeout == 0:
		cc.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.StatementTimeout > 0 {
		ms := (opts.StatementTimeout + time.Millisecond - 1) / time.Millisecond
		cc.RuntimeParams["statement_timeout"] = strconv.FormatInt(int64(ms), 10)
	}
	if cc.RuntimeParams["application_name"] == "" {
		cc.RuntimeParams["application_name"] = "opencube"
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	} else if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	// Migrate holds one connection and takes its lock through another.
	cfg.MaxConns = max(cfg.MaxConns, 2)
	return cfg, nil
}

// openReplica connects the pool of the read replica at url, and checks
// that it is one: a hot standby, which refuses writes whatever happens.
func openReplica(ctx context.Context, url string, opts Options) (*pgxpool.Pool, error) {
	cfg, err := poolConfig(url, opts)
	if err != nil {
		return nil, fmt.Errorf("postgres: read replica: %w", err)
	}
	cc := cfg.ConnConfig
	addr := address(cc)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: read replica %s: %w", addr, err)
	}
	pctx, cancel := context.WithTimeout(ctx, cc.ConnectTimeout)
	defer cancel()
	var standby bool
	if err := pool.QueryRow(pctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		pool.Close()
		return nil, fmt.Errorf("read replica: %w", &connectError{addr: addr, timeout: cc.ConnectTimeout, err: err})
	}
	if !standby {
		pool.Close()
		return nil, fmt.Errorf("postgres: read replica %s is not a standby (pg_is_in_recovery() is false): --db-read-url must name a streaming replica of --db", addr)
	}
	return pool, nil
}

// address names the servers of cc as host:port, comma-separated.
func address(cc *pgx.ConnConfig) string {
	addrs := []string{hostPort(cc.Host, cc.Port)}
	for _, f := range cc.Fallbacks {
		if a := hostPort(f.Host, f.Port); a != addrs[len(addrs)-1] {
			addrs = append(addrs, a)
		}
	}
	return strings.Join(addrs, ",")
}

func hostPort(host string, port uint16) string {
	if strings.HasPrefix(host, "/") { // a unix socket directory
		return fmt.Sprintf("%s/.s.PGSQL.%d", host, port)
	}
	return net.JoinHostPort(host, strconv.Itoa(int(port)))
}

// connectError explains why Open could not reach the database.
type connectError struct {
	addr    string
	timeout time.Duration
	err     error
}

func (e *connectError) Error() string {
	cause := e.err.Error()
	var (
		pe  *pgconn.PgError
		ope *net.OpError
		dns *net.DNSError
		ce  *pgconn.ConnectError
	)
	switch {
	case errors.As(e.err, &pe): // reached, but refused: password, database name...
		cause = pe.Message + " (SQLSTATE " + pe.Code + ")"
	case errors.As(e.err, &dns):
		cause = dns.Error()
	case errors.As(e.err, &ope) && ope.Err != nil: // pgconn's message repeats the address
		cause = ope.Err.Error()
	case errors.As(e.err, &ce) && errors.Unwrap(ce) != nil:
		cause = errors.Unwrap(ce).Error()
	}
	if errors.Is(e.err, context.DeadlineExceeded) || isTimeout(e.err) {
		return fmt.Sprintf("postgres: cannot connect to %s: timed out after %s (%s)", e.addr, e.timeout, cause)
	}
	return fmt.Sprintf("postgres: cannot connect to %s: %s", e.addr, cause)
}

func (e *connectError) Unwrap() error { return e.err }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (db *DB) connectError(err error, timeout time.Duration) error {
	return &connectError{addr: db.addr, timeout: timeout, err: err}
}

// Migrate applies the embedded migrations the database lacks. It is a no-op
// on an up-to-date database and fails with ErrSchemaNewer, changing nothing,
// when the database is ahead of this binary. Nodes that start at once
// migrate one at a time: they take goose's table lock (a row in goose_lock
// with a lease, not an advisory lock), and the later ones find nothing left
// to do.
func (db *DB) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(embedded, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	conn := stdlib.OpenDBFromPool(db.pool)
	defer conn.Close()
	quiet := slog.New(slog.DiscardHandler)
	locker, err := lock.NewPostgresTableLocker(
		lock.WithTableLockTimeout(2*time.Second, 150), // wait up to 5 minutes for another node's migration
		lock.WithTableLogger(quiet),
	)
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, conn, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
		goose.WithLocker(locker),
	)
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("postgres: schema version of %s: %w", db.addr, err)
	}
	if current > target {
		return fmt.Errorf("postgres: %s: %w: the database is at version %d, this binary knows versions up to %d; run a newer opencube", db.addr, ErrSchemaNewer, current, target)
	}
	if current == target {
		return nil // up to date: no lock taken
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate %s: %w", db.addr, err)
	}
	return nil
}

// Close closes the pool's connections, waiting for those in use to be
// returned. Using db after Close returns errors.
func (db *DB) Close() error {
	if db.group != nil {
		db.group.close()
	}
	if db.reads != nil && db.reads != db.pool {
		db.reads.Close()
	}
	db.pool.Close()
	return nil
}

// SQLSTATE codes the store acts on.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeQueryCanceled        = "57014"
)

// violated returns the name of the constraint err violates when err is a
// PostgreSQL error of the given SQLSTATE, and "" otherwise. Engines that do
// not report the constraint name (ConstraintName) name it in the message or
// detail; the schema's constraint names are distinct enough to find there.
func violated(err error, code string, names ...string) string {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code {
		return ""
	}
	for _, n := range names {
		if pe.ConstraintName == n {
			return n
		}
	}
	if pe.ConstraintName == "" {
		for _, n := range names {
			if strings.Contains(pe.Message, `"`+n+`"`) || strings.Contains(pe.Detail, `"`+n+`"`) {
				return n
			}
		}
	}
	if pe.ConstraintName != "" {
		return pe.ConstraintName
	}
	return "?"
}

// dbError wraps an unexpected database error; opencube.ErrorKind maps it to
// KindInternal.
func (db *DB) dbError(op string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeQueryCanceled && strings.Contains(pe.Message, "statement timeout") {
		if db.statementTimeout > 0 {
			return fmt.Errorf("postgres: %s: statement ran longer than the %s statement timeout: %w", op, db.statementTimeout, err)
		}
		return fmt.Errorf("postgres: %s: statement ran longer than the server's statement_timeout: %w", op, err)
	}
	if errors.As(err, new(*pgconn.ConnectError)) {
		return fmt.Errorf("postgres: %s: database %s unreachable: %w", op, db.addr, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// retryable reports whether err means the transaction lost a race the
// database could not serialise (CockroachDB and YugabyteDB report these
// often; PostgreSQL at READ COMMITTED reports deadlocks), or that an
// optimistic transaction needs its savepoints (orderTx.write), so that
// running it again from the start is expected to succeed.
func retryable(err error) bool {
	if errors.Is(err, errNeedSavepoints) || errors.Is(err, errGroupFailed) {
		return true
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == codeSerializationFailure || pe.Code == codeDeadlockDetected)
}

// maxAttempts bounds how often a transaction runs when it keeps failing
// with retryable errors.
const maxAttempts = 5

// retry runs fn until it succeeds, fails with an error that is not
// retryable, or has run maxAttempts times, waiting a little (jittered,
// growing) between attempts.
func retry(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt == maxAttempts || !retryable(err) {
			return err
		}
		if errors.Is(err, errNeedSavepoints) || errors.Is(err, errGroupFailed) {
			continue // nobody to wait for
		}
		wait := time.Duration(rand.Int64N(int64(5*time.Millisecond) << attempt))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// inTx runs fn in one READ COMMITTED transaction and commits, retrying the
// whole of it on a retryable error. An error from fn is returned as it is.
// A pending audit entry ctx carries (operator.WithAudit) is written in the
// same transaction, after fn.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return retry(ctx, func() error {
		tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return db.dbError("begin", err)
		}
		defer tx.Rollback(ctx) // a no-op after Commit
		if err := fn(tx); err != nil {
			return err
		}
		audit, err := db.writeAudit(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			if audit != nil {
				audit.Unclaim()
			}
			return db.dbError("commit", err)
		}
		return nil
	})
}

// exec runs one statement outside a transaction (its own, implicitly),
// retrying it on a retryable error; in a transaction when ctx carries a
// pending audit entry, to write it with the statement.
func (db *DB) exec(ctx context.Context, op, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	if operator.AuditFrom(ctx) != nil {
		err := db.inTx(ctx, func(tx pgx.Tx) error {
			var err error
			tag, err = tx.Exec(ctx, sql, args...)
			if err != nil {
				return db.dbError(op, err)
			}
			return nil
		})
		return tag, err
	}
	err := retry(ctx, func() error {
		var err error
		tag, err = db.pool.Exec(ctx, sql, args...)
		return err
	})
	if err != nil {
		return tag, db.dbError(op, err)
	}
	return tag, nil
}

// scanner is a pgx.Row or pgx.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// utc returns t in UTC; pgx returns timestamptz in the local zone.
func utc(t time.Time) time.Time { return t.UTC() }

// utcp is utc of an optional instant.
func utcp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// list is the stored form of a list of strings: never NULL.
func list(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// query builds a statement with numbered parameters.
type query struct {
	sql  strings.Builder
	args []any
}

// arg adds v as the next parameter and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// findPage runs a paged list query: the columns cols of the rows selected by
// q (a FROM and WHERE clause with its arguments) in the given order, and the
// number of rows selected without paging. It counts only when the page does
// not tell the total by itself.
func findPage[T any](ctx context.Context, db *DB, what, cols string, q *query, order string, p opencube.Page, scan func(scanner) (T, error)) ([]T, int, error) {
	return findPageCounted(ctx, db, what, cols, q, order, p, scan, nil, "", nil)
}

// findPageCounted is findPage with the query that counts the rows when
// count is not nil: a sum of maintained counts where there are some for
// the filter. With keyed ("table key"), a page after others skips them by
// their key alone (in an index that holds it) and then reads its own
// rows, rather than reading every row it skips.
func findPageCounted[T any](ctx context.Context, db *DB, what, cols string, q *query, order string, p opencube.Page, scan func(scanner) (T, error),
	count *query, keyed string, seek *timeSeek) ([]T, int, error) {
	from, nargs := q.sql.String(), len(q.args)
	var sql strings.Builder
	offset := max(p.Offset, 0)
	table, key, byKey := strings.Cut(keyed, " ")
	byKey = byKey && offset > 0 && p.Limit > 0
	pageFrom := from
	if byKey && seek != nil {
		// Start at the page's time bucket (seek.go).
		sql.WriteString(seek.with(q, offset) + " ")
		pageFrom += seek.bound()
	}
	if byKey {
		sql.WriteString("SELECT " + cols + " FROM " + table + " WHERE " + key + " IN (SELECT " + key + " " + pageFrom + " ORDER BY " + order)
	} else {
		sql.WriteString("SELECT " + cols + " " + from + " ORDER BY " + order)
	}
	if p.Limit > 0 {
		sql.WriteString(" LIMIT " + q.arg(int64(p.Limit)))
	}
	switch {
	case byKey && seek != nil:
		sql.WriteString(" OFFSET " + seek.offset())
	case offset > 0:
		sql.WriteString(" OFFSET " + q.arg(int64(offset)))
	}
	if byKey {
		sql.WriteString(") ORDER BY " + order)
	}
	// Planned for its own values (see queryRows); but a page found through
	// the time buckets is a long statement whose planning would cost more
	// than its run, and whose plan does not depend on its values (an
	// index range on the list's order after the bucket's end): it is
	// prepared once a connection and its plan kept.
	args := append([]any{pgx.QueryExecModeExec}, q.args...)
	if byKey && seek != nil {
		args = q.args
	}
	var items []T
	err := retry(ctx, func() error {
		items = items[:0]
		rows, err := db.pool.Query(ctx, sql.String(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			item, err := scan(rows)
			if err != nil {
				return err
			}
			items = append(items, item)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, db.dbError("find "+what, err)
	}
	switch {
	case p.Limit <= 0 && offset == 0, // everything
		p.Limit > 0 && len(items) < p.Limit && (len(items) > 0 || offset == 0): // the last page
		return items, offset + len(items), nil
	}
	var total int64
	err = retry(ctx, func() error {
		if count != nil {
			return db.pool.QueryRow(ctx, count.sql.String(), count.args...).Scan(&total)
		}
		return db.pool.QueryRow(ctx, "SELECT count(*) "+from, q.args[:nargs]...).Scan(&total)
	})
	if err != nil {
		return nil, 0, db.dbError("count "+what, err)
	}
	return items, int(total), nil
}
