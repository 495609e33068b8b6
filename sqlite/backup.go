package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Backups. A backup is VACUUM INTO, run on a read connection of its own:
// it copies one read transaction's snapshot (in WAL mode, the database as
// of the last commit when it began), so a backup taken while the server
// writes holds every transaction whole or not at all, and the server's
// writer is never held up (a WAL reader does not block it). The copy is
// compact (rebuilt, without free pages) and is written beside its final
// name, then renamed: a failed backup leaves no half file under it. The
// copy is readable by its owner only.

// Info is what Check found in a database file.
type Info struct {
	// Version is the schema version (the last migration applied); Known
	// is the last this binary knows.
	Version, Known int64
	// Counts are the rows of the main tables, by table name.
	Counts map[string]int64
}

// checkedTables are the tables whose rows Check counts.
var checkedTables = []string{"enterprises", "sims", "plans", "orders", "events", "jobs", "users", "audit"}

// Backup writes a consistent copy of the SQLite database at path to out,
// which must not exist, while the database may be in use (by this process
// or another), and checks the copy (Check).
func Backup(ctx context.Context, path, out string) (Info, error) {
	if _, err := os.Stat(path); err != nil {
		return Info{}, fmt.Errorf("sqlite: backup: %w", err)
	}
	if _, err := os.Stat(out); err == nil {
		return Info{}, fmt.Errorf("sqlite: backup: %s exists: give a new file", out)
	}
	tmp := out + ".partial"
	if err := vacuumInto(ctx, path, tmp); err != nil {
		return Info{}, fmt.Errorf("sqlite: backup of %s: %w", path, err)
	}
	info, err := Check(ctx, tmp)
	if err != nil {
		os.Remove(tmp)
		return Info{}, fmt.Errorf("sqlite: the backup does not check: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return Info{}, fmt.Errorf("sqlite: backup: %w", err)
	}
	return info, syncDir(filepath.Dir(out))
}

// Check opens the database file at path without changing it and checks
// that it is a sound opencube database: SQLite's integrity_check and
// foreign_key_check pass, and its schema is one this binary knows, with at
// least the first migration applied. It returns its schema version and
// row counts.
func Check(ctx context.Context, path string) (Info, error) {
	if _, err := os.Stat(path); err != nil {
		return Info{}, fmt.Errorf("sqlite: check: %w", err)
	}
	db, err := sql.Open("sqlite", readerDSN(path)+"&mode=ro")
	if err != nil {
		return Info{}, fmt.Errorf("sqlite: check: open %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var problems []string
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return Info{}, fmt.Errorf("sqlite: %s is not a SQLite database: %w", path, err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return Info{}, err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Info{}, fmt.Errorf("sqlite: %s is not a SQLite database: %w", path, err)
	}
	if len(problems) > 0 {
		return Info{}, fmt.Errorf("sqlite: %s fails SQLite's integrity check: %s", path, strings.Join(problems, "; "))
	}
	var fk int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil {
		return Info{}, fmt.Errorf("sqlite: foreign key check of %s: %w", path, err)
	}
	if fk > 0 {
		return Info{}, fmt.Errorf("sqlite: %s has %d rows whose foreign keys point nowhere", path, fk)
	}
	info := Info{Known: knownVersion(), Counts: map[string]int64{}}
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&info.Version); err != nil {
		return Info{}, fmt.Errorf("sqlite: %s is not an opencube database (no migrations table): %w", path, err)
	}
	switch {
	case info.Version < 1:
		return Info{}, fmt.Errorf("sqlite: %s is not an opencube database: no migration applied", path)
	case info.Version > info.Known:
		return Info{}, fmt.Errorf("sqlite: %s: %w: the database is at version %d, this binary knows versions up to %d; use a newer opencube", path, ErrSchemaNewer, info.Version, info.Known)
	}
	for _, table := range checkedTables {
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			return Info{}, fmt.Errorf("sqlite: %s is not an opencube database (table %s): %w", path, table, err)
		}
		info.Counts[table] = n
	}
	return info, nil
}

// Restore replaces (or creates) the database at path with the backup from,
// after checking the backup (Check). An existing database is replaced
// only with force; no server may be using it then. The copy is written
// beside path and renamed over it, and the old database's WAL and shared
// memory files are removed, so that nothing of the old one is read with
// the new one.
func Restore(ctx context.Context, from, path string, force bool) (Info, error) {
	info, err := Check(ctx, from)
	if err != nil {
		return Info{}, err
	}
	if _, err := os.Stat(path); err == nil && !force {
		return Info{}, fmt.Errorf("sqlite: restore: %s exists: remove it, or restore over it with --force (with no server using it)", path)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Info{}, fmt.Errorf("sqlite: restore: %w", err)
	}
	// The backup is copied by SQLite, not byte for byte: a backup file
	// that was itself opened in WAL mode may hold changes in its -wal.
	tmp := path + ".restoring"
	if err := vacuumInto(ctx, from, tmp); err != nil {
		return Info{}, fmt.Errorf("sqlite: restore from %s: %w", from, err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			os.Remove(tmp)
			return Info{}, fmt.Errorf("sqlite: restore: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return Info{}, fmt.Errorf("sqlite: restore: %w", err)
	}
	return info, syncDir(filepath.Dir(path))
}

// readerDSN is the data source name of a connection that reads path
// beside a running server.
func readerDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	return "file:" + path + "?" + q.Encode()
}

// vacuumInto writes the snapshot of one read transaction of the database
// at path to a new file to (replacing a leftover of an earlier attempt),
// and syncs it; on error to is removed.
func vacuumInto(ctx context.Context, path, to string) error {
	os.Remove(to)
	db, err := sql.Open("sqlite", readerDSN(path))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, to); err != nil {
		os.Remove(to)
		return err
	}
	// Only its owner reads a copy of the database (it holds the tenants'
	// data), whatever the umask.
	if err := os.Chmod(to, 0o600); err != nil {
		os.Remove(to)
		return err
	}
	if err := syncFile(to); err != nil {
		os.Remove(to)
		return err
	}
	return nil
}

// syncFile flushes a file to disk.
func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncDir flushes a directory's entries (a rename) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	d.Sync() // some file systems cannot sync a directory: not an error
	return nil
}
