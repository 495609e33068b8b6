package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpointing: SQLite's own (automatic) checkpoint runs in the committing
// connection, which here is the writer: every thousand pages the writer
// stopped to copy the WAL into the database file and wait for two fsyncs,
// while every queued write waited with it. Instead the write connection
// never checkpoints by itself (wal_autocheckpoint=0); a checkpointer with a
// connection of its own copies committed pages in the background (a passive
// checkpoint, which neither waits for nor blocks the writer), and the writer
// restarts the WAL from its beginning, between two batches, once it has
// grown past walRestartFrames: most of its frames are then already copied,
// so the pause is short, and the WAL file stays bounded under a load that
// never lets up.
// noAutoCheckpoint is the DSN suffix of the connections that must not
// checkpoint on commit: the writer's and the checkpointer's own.
const noAutoCheckpoint = "&_pragma=wal_autocheckpoint(0)"

var (
	// walRestartFrames is the WAL length (frames, about a page each) past
	// which the writer restarts the WAL.
	walRestartFrames int64 = 16384
	// checkpointEvery is the least time between two background
	// checkpoints.
	checkpointEvery = time.Second
	// restartWait bounds how long a restart waits for readers.
	restartWait = 20 * time.Millisecond
)

// checkpointer runs passive checkpoints after commits, on its own
// connection.
type checkpointer struct {
	db *sql.DB
	// mu is held by whoever checkpoints: the background loop, or the
	// writer restarting the WAL. They never contend inside SQLite, where
	// the loser would sleep in its busy handler.
	mu sync.Mutex
	// frames is the WAL's length in frames when last checkpointed.
	frames atomic.Int64
	// restarts counts the writer's restart attempts.
	restarts atomic.Int64
	// every and restartFrames are checkpointEvery and walRestartFrames
	// when the database was opened.
	every         time.Duration
	restartFrames int64
	wake          chan struct{}
	quit          chan struct{}
	exited        chan struct{}
	once          sync.Once
}

func openCheckpointer(path string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn(path, true)+noAutoCheckpoint)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, wake: make(chan struct{}, 1), quit: make(chan struct{}), exited: make(chan struct{}),
		every: checkpointEvery, restartFrames: walRestartFrames}
	go c.loop()
	return c, nil
}

// committed tells the checkpointer that the writer committed; it never
// blocks.
func (c *checkpointer) committed() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.exited)
	for {
		select {
		case <-c.wake:
		case <-c.quit:
			return
		}
		c.mu.Lock()
		c.checkpoint(c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)"))
		c.mu.Unlock()
		select {
		case <-time.After(c.every):
		case <-c.quit:
			return
		}
	}
}

// checkpoint reads the outcome of a wal_checkpoint pragma and records the
// WAL's length.
func (c *checkpointer) checkpoint(row *sql.Row) {
	var busy, log, copied int64
	if err := row.Scan(&busy, &log, &copied); err != nil {
		// A failed checkpoint loses nothing: the frames stay in the WAL
		// and the next one copies them.
		return
	}
	c.frames.Store(log)
}

// restart is run by the writer between batches, on the write connection:
// when the WAL has grown past walRestartFrames it checkpoints what is left
// and waits for readers to leave the WAL, so that the next write starts it
// over. It skips its turn while the background checkpoint runs.
func (c *checkpointer) restart(conn *sql.Conn) {
	if c.frames.Load() < c.restartFrames || !c.mu.TryLock() {
		return
	}
	defer c.mu.Unlock()
	c.restarts.Add(1)
	// A reader that stays in the WAL makes the restart wait in the busy
	// handler: not for long, the writer has other work to do.
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", restartWait.Milliseconds())); err != nil {
		return
	}
	// Whether or not it worked, the next try waits for the background
	// checkpointer to measure the WAL again: a reader that holds on for
	// long costs the writer one short wait a checkpoint interval, not one
	// every batch.
	c.checkpoint(conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)"))
	c.frames.Store(0)
	conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", BusyTimeout.Milliseconds()))
}

func (c *checkpointer) close() error {
	var err error
	c.once.Do(func() {
		close(c.quit)
		<-c.exited
		err = c.db.Close()
	})
	return err
}
