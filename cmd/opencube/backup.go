package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube/sqlite"
)

// runBackup is `opencube backup`: a consistent copy of a SQLite database,
// taken while the server runs; for PostgreSQL, how to use pg_dump.
func runBackup(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("opencube backup", os.Stderr)
	db := fs.String("db", "opencube.db", "database: a SQLite file path (a postgres:// URL is told how to use pg_dump)")
	out := fs.String("out", "", "the backup file to write; it must not exist")
	if err := parseWithEnv(fs, args, "db"); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{cmd: "backup", err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if isPostgres(*db) {
		return postgresBackupAdvice(ctx, *db, stdout)
	}
	if *out == "" {
		return usageError{cmd: "backup", err: errors.New("--out FILE is required")}
	}
	info, err := sqlite.Backup(ctx, *db, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup of %s written to %s: schema version %d, %s\n", *db, *out, info.Version, counts(info))
	return nil
}

// runRestore is `opencube restore`: a SQLite database from a backup.
func runRestore(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("opencube restore", os.Stderr)
	from := fs.String("from", "", "the backup file (made by opencube backup)")
	db := fs.String("db", "opencube.db", "the SQLite database file to restore to")
	force := fs.Bool("force", false, "replace an existing database (stop the server using it first)")
	if err := parseWithEnv(fs, args, "db"); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{cmd: "restore", err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *from == "" {
		return usageError{cmd: "restore", err: errors.New("--from FILE is required")}
	}
	if isPostgres(*db) {
		return errors.New("restore: opencube restores SQLite databases; restore a PostgreSQL database with pg_restore (or psql for a plain dump), then run opencube migrate")
	}
	info, err := sqlite.Restore(ctx, *from, *db, *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s restored from %s: schema version %d (this binary knows %d), %s\n", *db, *from, info.Version, info.Known, counts(info))
	if info.Version < info.Known {
		fmt.Fprintln(stdout, "the server (or opencube migrate) brings its schema up to date at start")
	}
	return nil
}

// counts is an Info's row counts, in a line.
func counts(info sqlite.Info) string {
	names := make([]string, 0, len(info.Counts))
	for n := range info.Counts {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, info.Counts[n])
	}
	return strings.Join(parts, ", ")
}

// errPostgresBackup is the answer of a backup of PostgreSQL: no file was
// written.
var errPostgresBackup = errors.New("backup: no backup written: back up PostgreSQL with pg_dump")

// postgresBackupAdvice connects to the PostgreSQL database of dsn, prints
// its server's version and the pg_dump command that backs it up, checks
// the pg_dump on this machine is recent enough, and fails: opencube does
// not copy PostgreSQL databases itself.
func postgresBackupAdvice(ctx context.Context, dsn string, stdout io.Writer) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("backup: connect to %s: %w", redact(dsn), err)
	}
	defer conn.Close(ctx)
	var version string
	var num int
	if err := conn.QueryRow(ctx, `SELECT current_setting('server_version'), current_setting('server_version_num')::int`).Scan(&version, &num); err != nil {
		return fmt.Errorf("backup: server version: %w", err)
	}
	major := num / 10000
	fmt.Fprintf(stdout, "%s is PostgreSQL %s. opencube does not copy PostgreSQL databases itself:\n", redact(dsn), version)
	fmt.Fprintf(stdout, "back it up with pg_dump %d or newer (it may run while opencube serves), for example\n", major)
	fmt.Fprintf(stdout, "  pg_dump --format=custom --file opencube.dump '%s'\n", redact(dsn))
	fmt.Fprintln(stdout, "and restore it with pg_restore --dbname URL opencube.dump, then opencube migrate --db URL.")
	local, err := pgDumpMajor()
	switch {
	case err != nil:
		fmt.Fprintf(stdout, "pg_dump on this machine: %v\n", err)
	case local < major:
		fmt.Fprintf(stdout, "pg_dump on this machine is version %d: too old for a version %d server\n", local, major)
	default:
		fmt.Fprintf(stdout, "pg_dump on this machine is version %d: it fits\n", local)
	}
	return errPostgresBackup
}

// pgDumpMajor is the major version of the pg_dump on PATH.
func pgDumpMajor() (int, error) {
	out, err := exec.Command("pg_dump", "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("not found (%v)", err)
	}
	m := regexp.MustCompile(`(\d+)(?:\.\d+)?`).FindStringSubmatch(string(out))
	if m == nil {
		return 0, fmt.Errorf("cannot read its version from %q", strings.TrimSpace(string(out)))
	}
	return strconv.Atoi(m[1])
}
