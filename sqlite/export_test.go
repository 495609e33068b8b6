package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
)

// SetCheckpointing sets how often the background checkpointer runs, the
// WAL length past which the writer restarts the WAL after a background
// checkpoint, and the one past which it does not wait for the background
// checkpointer, and returns a function that puts them back. Databases
// opened after the call use them.
func SetCheckpointing(every time.Duration, restartFrames, maxFrames int64) (restore func()) {
	oldEvery, oldRestart, oldMax := checkpointEvery, walRestartFrames, walMaxFrames
	checkpointEvery, walRestartFrames, walMaxFrames = every, restartFrames, maxFrames
	return func() { checkpointEvery, walRestartFrames, walMaxFrames = oldEvery, oldRestart, oldMax }
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

// WALRestarts returns how often the writer tried to restart the WAL, and
// how often it succeeded.
func (db *DB) WALRestarts() (tried, restarted int64) {
	return db.w.ckpt.restarts.Load(), db.w.ckpt.restarted.Load()
}

// BackgroundCheckpoints returns how many background checkpoints have ended.
func (db *DB) BackgroundCheckpoints() int64 { return db.w.ckpt.checkpoints.Load() }

// CheckpointedInBackground waits for the end of a background checkpoint
// that began after every commit so far, and returns its wal_checkpoint
// row: busy, the WAL's length in frames, and how many of them are copied
// into the database file.
func (db *DB) CheckpointedInBackground(ctx context.Context) (busy, log, copied int64, err error) {
	c := db.w.ckpt
	commits := c.commits.Load()
	for {
		c.endedMu.Lock()
		last, ended := c.last, c.ended
		c.endedMu.Unlock()
		if last.commits >= commits {
			return last.busy, last.log, last.copied, last.err
		}
		select {
		case <-ended:
		case <-ctx.Done():
			return 0, 0, 0, ctx.Err()
		}
	}
}
