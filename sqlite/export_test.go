package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
)

// SetCheckpointing sets how often the background checkpointer runs and the
// WAL length past which the writer restarts the WAL, and returns a function
// that puts them back. Databases opened after the call use them.
func SetCheckpointing(every time.Duration, restartFrames int64) (restore func()) {
	oldEvery, oldFrames := checkpointEvery, walRestartFrames
	checkpointEvery, walRestartFrames = every, restartFrames
	return func() { checkpointEvery, walRestartFrames = oldEvery, oldFrames }
}

// MigrateTo migrates the database at path up or down to version.
func MigrateTo(ctx context.Context, path string, version int64) error {
	fsys, err := fs.Sub(embedded, "migrations")
	if err != nil {
		return err
	}
	conn, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return err
	}
	defer conn.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, conn, fsys, goose.WithDisableGlobalRegistry(true), goose.WithLogger(goose.NopLogger()))
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if current > version {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	return err
}

// WALRestarts returns how often the writer tried to restart the WAL.
func (db *DB) WALRestarts() int64 { return db.w.ckpt.restarts.Load() }
