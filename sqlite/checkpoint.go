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
// restarts the WAL from its beginning, between two batches.
//
// The writer counts the frames it appends (SQLite's count of the pages its
// connection wrote), so it knows the WAL's length without waiting for anyone
// to measure it. Past walRestartFrames it calls the background checkpointer
// at once, without waiting out its interval, and restarts the WAL once that
// checkpoint is over: most frames are then already copied, so the pause is
// short. A background checkpoint can take long (it waits for two fsyncs,
// which a busy disk makes slow, and for the CPU on a loaded machine) while
// the writer goes on appending; past walMaxFrames the writer therefore waits
// for the checkpoint under way to end and restarts the WAL itself, so that
// the WAL stays bounded however slow the copies are: writes slow down to
// the pace of the disk instead of the WAL growing without end.
//
// Only a reader that holds an old snapshot keeps the WAL from restarting
// (SQLite cannot reuse the frames that reader may still read). The writer
// then tries again after the next background checkpoint, not at every batch
// (each try waits for the reader a little), past walMaxFrames too.

// noAutoCheckpoint is the DSN suffix of the connections that must not
// checkpoint on commit: the writer's and the checkpointer's own.
const noAutoCheckpoint = "&_pragma=wal_autocheckpoint(0)"

var (
	// walRestartFrames is the WAL length (frames, about a page each) past
	// which the writer restarts the WAL after a background checkpoint.
	walRestartFrames int64 = 16384
	// walMaxFrames is the WAL length past which the writer restarts the
	// WAL without waiting for the background checkpointer to copy it.
	walMaxFrames = 4 * walRestartFrames
	// checkpointEvery is the least time between two background
	// checkpoints, unless the writer asks for one.
	checkpointEvery = time.Second
	// restartWait bounds how long a restart waits for readers.
	restartWait = 20 * time.Millisecond
)

// checkpointer runs passive checkpoints after commits, on its own
// connection, and holds the WAL's length as the writer knows it.
type checkpointer struct {
	db *sql.DB
	// mu is held by whoever checkpoints: the background loop, or the
	// writer restarting the WAL. They never contend inside SQLite, where
	// the loser would fail or sleep in its busy handler.
	mu sync.Mutex
	// appended counts the frames the writer has appended to the WAL since
	// the database was opened; the writer adds each commit's.
	appended atomic.Int64
	// start is a value of appended when the WAL was empty at the latest:
	// the WAL holds at most appended-start frames. It is set under mu by
	// whoever checkpoints, from what the checkpoint found.
	start atomic.Int64
	// commits counts the writer's commits.
	commits atomic.Int64
	// checkpoints counts the background checkpoints that ended.
	checkpoints atomic.Int64
	// restarts counts the writer's restart attempts; restarted those that
	// worked.
	restarts, restarted atomic.Int64

	// The writer's own state, touched by its goroutine only. due says the
	// WAL passed restartFrames: the writer restarts it once the background
	// checkpoint numbered after+1 has ended. held says the last attempt
	// failed (a reader held the WAL): past maxFrames too, the next attempt
	// waits for that background checkpoint.
	due, held bool
	after     int64

	// ended is closed, and replaced, when a background checkpoint ends;
	// last is that checkpoint's outcome. Both are under endedMu.
	endedMu sync.Mutex
	ended   chan struct{}
	last    checkpointResult

	// every, restartFrames and maxFrames are checkpointEvery,
	// walRestartFrames and walMaxFrames when the database was opened.
	every                    time.Duration
	restartFrames, maxFrames int64
	wake                     chan struct{} // a commit
	kick                     chan struct{} // the writer wants a checkpoint now
	quit                     chan struct{}
	exited                   chan struct{}
	once                     sync.Once
}

// checkpointResult is the outcome of a background checkpoint.
type checkpointResult struct {
	// commits is the number of the writer's commits before it began.
	commits int64
	// busy, log and copied are the wal_checkpoint row (-1: no row).
	busy, log, copied int64
	err               error
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
	c := &checkpointer{db: db,
		wake: make(chan struct{}, 1), kick: make(chan struct{}, 1),
		quit: make(chan struct{}), exited: make(chan struct{}), ended: make(chan struct{}),
		every: checkpointEvery, restartFrames: walRestartFrames, maxFrames: max(walMaxFrames, walRestartFrames)}
	go c.loop()
	return c, nil
}

// committed tells the checkpointer that the writer committed, having
// appended frames to the WAL; it never blocks.
func (c *checkpointer) committed(frames int64) {
	c.appended.Add(frames)
	c.commits.Add(1)
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
		case <-c.kick:
		case <-c.quit:
			return
		}
		c.background()
		select {
		case <-time.After(c.every):
		case <-c.kick:
		case <-c.quit:
			return
		}
	}
}

// background runs a passive checkpoint and records the WAL's length.
func (c *checkpointer) background() {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := checkpointResult{commits: c.commits.Load(), busy: -1, log: -1, copied: -1}
	// log is the WAL's length when the checkpoint read it, after this:
	// the WAL holds at most log frames and those appended since.
	appended := c.appended.Load()
	r.err = c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&r.busy, &r.log, &r.copied)
	// A failed checkpoint loses nothing: the frames stay in the WAL and
	// the next one copies them.
	if r.err == nil && r.log >= 0 {
		c.start.Store(appended - r.log)
	}
	c.checkpoints.Add(1)
	c.endedMu.Lock()
	c.last = r
	close(c.ended)
	c.ended = make(chan struct{})
	c.endedMu.Unlock()
}

// restart is run by the writer between batches, on the write connection:
// when the WAL has grown past restartFrames it checkpoints what is left
// and waits for readers to leave the WAL, so that the next write starts it
// over. See the comment at the top of this file for when.
func (c *checkpointer) restart(conn *sql.Conn) {
	frames := c.appended.Load() - c.start.Load()
	if frames < c.restartFrames {
		c.due, c.held = false, false
		return
	}
	ended := c.checkpoints.Load()
	if !c.due {
		c.due, c.after = true, ended
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
	switch {
	case ended <= c.after && (c.held || frames < c.maxFrames):
		// Wait for the background checkpoint: the one asked for, or,
		// after a reader held the WAL, the next one.
		return
	case frames < c.maxFrames:
		// It is over; skip the turn if another one runs already.
		if !c.mu.TryLock() {
			return
		}
	default:
		// Past maxFrames: wait for the checkpoint under way, if any, and
		// copy the rest here.
		c.mu.Lock()
	}
	defer c.mu.Unlock()
	c.restarts.Add(1)
	// A reader that stays in the WAL makes the restart wait in the busy
	// handler: not for long, the writer has other work to do.
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", restartWait.Milliseconds())); err != nil {
		c.held, c.after = true, c.checkpoints.Load()
		return
	}
	busy, log := int64(-1), int64(-1)
	var copied int64
	err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &log, &copied)
	conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", BusyTimeout.Milliseconds()))
	switch {
	case err == nil && busy == 0:
		// Every frame is copied and no reader is left in the WAL: the
		// next write starts it over.
		c.start.Store(c.appended.Load())
		c.restarted.Add(1)
		c.due, c.held = false, false
	default:
		if err == nil && log >= 0 {
			c.start.Store(c.appended.Load() - log)
		}
		// The next try waits for the next background checkpoint: a
		// reader that holds on for long costs the writer one short wait
		// a checkpoint interval, not one every batch.
		c.held, c.after = true, c.checkpoints.Load()
	}
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
