package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"
	modernc "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
)

//go:embed migrations/*.sql
var embedded embed.FS

// ErrSchemaNewer is returned (wrapped) by Open and Migrate when the database
// file was migrated by a newer opencube than this one: its schema version is
// beyond the last migration this binary knows.
var ErrSchemaNewer = errors.New("database schema is newer than this opencube binary")

// BusyTimeout is how long a connection waits for a lock held by another
// process (an `opencube migrate` beside a running server, a backup) before it
// gives up with SQLITE_BUSY. Within one process writers never contend: they
// queue for the single write connection.
const BusyTimeout = 10 * time.Second

// DB is an opencube.Store over one SQLite database file. It is safe for
// concurrent use. Its write methods must not be called from inside the
// function of another write (UpdateOrders): writes queue for one connection.
type DB struct {
	path string
	// w is the only connection that writes; see writer.
	w *writer
	// read is a pool of query-only connections; in WAL mode they read a
	// consistent snapshot beside the writer.
	read *sql.DB
	// reads are the statements prepared on the read pool.
	reads *stmtCache
	// claims counts recorded replays, to purge expired ones now and then.
	claims atomic.Uint64
	// masters are the master keys the DB was opened with; box seals and
	// opens the stored secrets under the data keys they open (seal.go).
	masters seal.Masters
	box     *seal.Box
	// sealCur is where SealClear stopped.
	sealCur sealCursor
}

var _ opencube.Store = (*DB)(nil)

// Open opens the SQLite database at path, creating the file when it does not
// exist, migrates it to the schema this binary knows, and opens its data key
// with the master keys of m (making one, sealed under the first, in a new
// database). path is a file name (not ":memory:": the read and write pools
// must share one database). It fails, wrapping seal.ErrWrongMasterKey, when
// no key of m opens the database's data key.
func Open(ctx context.Context, path string, m seal.Masters) (*DB, error) {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: invalid database path %q", path)
	}
	if len(m.Keys) == 0 {
		return nil, seal.ErrNoMasterKey
	}
	db := &DB{path: path, masters: m}
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	if err := db.openBox(ctx); err != nil {
		return nil, err
	}
	w, err := openWriter(ctx, path)
	if err != nil {
		return nil, err
	}
	db.w = w
	read, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		w.close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxLifetime(0)
	read.SetConnMaxIdleTime(0)
	db.read = read
	db.reads = newStmtCache(read)
	// A read connection opens now, as the writer's did.
	if err := read.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// dsn returns the modernc.org/sqlite data source name of a connection to
// path: WAL, synchronous=NORMAL (durable across process crashes; a power
// loss may lose the last transactions, never corrupt the file), foreign keys
// on. Transactions begun through database/sql on a write connection (the
// migrations') are IMMEDIATE, as the writer's own are; read connections are
// query-only.
func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-16000)") // 16 MB a connection
	q.Add("_pragma", "temp_store(MEMORY)")
	if write {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return path + "?" + q.Encode()
}

// Migrate applies the embedded migrations the database lacks, on a
// connection of its own, so that it may run beside a serving DB. It is a
// no-op on an up-to-date database and fails with ErrSchemaNewer, changing
// nothing, when the database is ahead of this binary.
func (db *DB) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(embedded, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	conn, err := sql.Open("sqlite", dsn(db.path, true))
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", db.path, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	p, err := goose.NewProvider(goose.DialectSQLite3, conn, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
	)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: schema version of %s: %w", db.path, err)
	}
	if current > target {
		return fmt.Errorf("sqlite: %s: %w: the database is at version %d, this binary knows versions up to %d; run a newer opencube", db.path, ErrSchemaNewer, current, target)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", db.path, err)
	}
	return nil
}

// Close waits for the writes under way, commits them, and closes the
// connections. Using db after Close returns errors.
func (db *DB) Close() error {
	var errs []error
	if db.reads != nil {
		errs = append(errs, db.reads.close())
	}
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	errs = append(errs, db.w.close())
	return errors.Join(errs...)
}

// view runs fn in a read transaction on the read pool, so that everything fn
// reads comes from one snapshot.
func (db *DB) view(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// code returns the extended SQLite result code of err, or 0.
func code(err error) int {
	var e *modernc.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// Constraint failures, by extended result code.
const (
	primaryKey = sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	unique     = sqlite3.SQLITE_CONSTRAINT_UNIQUE
	foreignKey = sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
)

// dbError wraps an unexpected database error; opencube.ErrorKind maps it to
// KindInternal.
func dbError(op string, err error) error {
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// micros is the stored form of an instant.
func micros(t time.Time) int64 { return t.UnixMicro() }

// nullMicros is the stored form of an optional instant.
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

// instant is the inverse of micros.
func instant(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullInstant is the inverse of nullMicros.
func nullInstant(us sql.NullInt64) *time.Time {
	if !us.Valid {
		return nil
	}
	t := instant(us.Int64)
	return &t
}

// pageClause returns the LIMIT clause of p and its arguments appended to args.
func pageClause(p opencube.Page, args []any) (string, []any) {
	if p.Limit <= 0 && p.Offset <= 0 {
		return "", args
	}
	limit := int64(p.Limit)
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	return " LIMIT ? OFFSET ?", append(args, limit, max(p.Offset, 0))
}

// findPage runs a paged list query: the columns cols of the rows selected by
// from (a FROM and WHERE clause taking args) in the given order, and the
// number of rows selected without paging. It counts only when the page does
// not tell the total by itself.
func findPage[T any](ctx context.Context, db *DB, what, cols, from, order string, args []any, p opencube.Page, scan func(scanner) (T, error)) ([]T, int, error) {
	return findPageCounted(ctx, db, what, cols, from, order, args, p, scan, "SELECT COUNT(*) "+from, args, "", nil)
}

// findPageCounted is findPage with the statement that counts the rows (in
// the same snapshot as the page): a sum of maintained counts where there
// are some for the filter. With keyed ("table key"), a page after others
// skips them by their key alone (in an index that holds it) and then reads
// its own rows, rather than reading every row it skips.
func findPageCounted[T any](ctx context.Context, db *DB, what, cols, from, order string, args []any, p opencube.Page, scan func(scanner) (T, error),
	count string, countArgs []any, keyed string, seek *timeSeek) ([]T, int, error) {
	var items []T
	total := 0
	err := db.view(ctx, func(tx *sql.Tx) error {
		limit, pargs := pageClause(p, args)
		query := "SELECT " + cols + " " + from + " ORDER BY " + order + limit
		if table, key, ok := strings.Cut(keyed, " "); ok && p.Offset > 0 && p.Limit > 0 {
			if seek != nil {
				// Start at the page's time bucket (seek.go).
				end, rem, ok, err := seek.find(ctx, tx, p.Offset)
				if err != nil {
					return dbError("find "+what, err)
				}
				if !ok { // past the last row: none
					end, rem = math.MinInt64, 0
				}
				query = "SELECT " + cols + " FROM " + table + " WHERE " + key + " IN (SELECT " + key + " " + from + " AND " + seek.column + " < ?" +
					" ORDER BY " + order + " LIMIT ? OFFSET ?) ORDER BY " + order
				pargs = append(append(args[:len(args):len(args)], end), int64(p.Limit), rem)
			} else {
				query = "SELECT " + cols + " FROM " + table + " WHERE " + key + " IN (SELECT " + key + " " + from + " ORDER BY " + order + limit + ") ORDER BY " + order
			}
		}
		rows, err := tx.QueryContext(ctx, query, pargs...)
		if err != nil {
			return dbError("find "+what, err)
		}
		defer rows.Close()
		for rows.Next() {
			item, err := scan(rows)
			if err != nil {
				return dbError("find "+what, err)
			}
			items = append(items, item)
		}
		if err := rows.Err(); err != nil {
			return dbError("find "+what, err)
		}
		offset := max(p.Offset, 0)
		switch {
		case p.Limit <= 0 && offset == 0, // everything
			p.Limit > 0 && len(items) < p.Limit && (len(items) > 0 || offset == 0): // the last page
			total = offset + len(items)
			return nil
		}
		if err := tx.QueryRowContext(ctx, count, countArgs...).Scan(&total); err != nil {
			return dbError("count "+what, err)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return items, total, nil
}
