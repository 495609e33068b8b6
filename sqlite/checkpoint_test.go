package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/sqlite"
)

// TestCheckpointing writes far more than walRestartFrames without a pause.
// The writer restarts the WAL, so that its file never holds more than
// walMaxFrames and a batch, however far behind the background checkpoints
// are (on a loaded machine they are); and the background checkpointer
// copies committed pages into the database file while the database is
// open: once it has checkpointed after the last write, the database file
// alone holds every row.
func TestCheckpointing(t *testing.T) {
	const restartFrames, maxFrames = 256, 1024
	defer sqlite.SetCheckpointing(2*time.Millisecond, restartFrames, maxFrames)()
	ctx := context.Background()
	db, path := openPath(t)
	// Every write dirties a page or more; a 2 KiB name spreads the rows
	// over many pages.
	const writes = 12000
	pad := strings.Repeat("x", 2048)
	for i := range writes {
		e := &opencube.Enterprise{AccessCode: fmt.Sprintf("E%05d", i), Name: pad, Secrets: []string{"12345678"}}
		if err := db.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	tried, restarted := db.WALRestarts()
	t.Logf("WAL file %d bytes after %d writes; %d restarts of %d tried; %d background checkpoints",
		fi.Size(), writes, restarted, tried, db.BackgroundCheckpoints())
	// A frame is a page and its 24-byte header, after the file's 32-byte
	// header; a batch here is one write, a few pages.
	const pageSize, batchFrames = 4096, 64
	if limit := int64(maxFrames+batchFrames)*(pageSize+24) + 32; fi.Size() > limit {
		t.Errorf("WAL file is %d bytes after %d writes, more than %d frames (%d bytes): it was not restarted in time", fi.Size(), writes, maxFrames+batchFrames, limit)
	}

	// The background checkpoint after the last write copies everything.
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	busy, log, copied, err := db.CheckpointedInBackground(wctx)
	if err != nil {
		t.Fatalf("background checkpoint after the last write: %v", err)
	}
	if busy != 0 || copied != log {
		t.Errorf("background checkpoint after the last write: busy %d, %d frames of %d copied", busy, copied, log)
	}
	// So the database file holds every row without its WAL.
	alone := filepath.Join(t.TempDir(), "alone.db")
	copyFile(t, path, alone)
	adb, err := sql.Open("sqlite", alone)
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	var n int
	if err := adb.QueryRow(`SELECT count(*) FROM enterprises`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != writes {
		t.Errorf("the database file alone holds %d enterprises of %d: the background checkpoints did not copy them", n, writes)
	}
	for i := range writes {
		if _, err := db.FindEnterprise(ctx, fmt.Sprintf("E%05d", i)); err != nil {
			t.Fatalf("enterprise %d: %v", i, err)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointingBesideAReader: a reader that holds an old snapshot keeps
// the WAL from restarting; the writer then tries again only after the next
// background checkpoint, not at every batch (each try waits for the reader
// a little), past walMaxFrames too.
func TestCheckpointingBesideAReader(t *testing.T) {
	// The background checkpoint runs at the first commit and once more
	// when the writer asks for it, past restartFrames; the rest of the
	// test is within its hour's interval.
	const restartFrames, maxFrames = 64, 128
	defer sqlite.SetCheckpointing(time.Hour, restartFrames, maxFrames)()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, path := openPath(t)
	reader, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	i := 0
	write := func() {
		t.Helper()
		e := &opencube.Enterprise{AccessCode: fmt.Sprintf("E%d", i), Name: "E", Secrets: []string{"12345678"}}
		i++
		if err := db.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// The first background checkpoint copies the first write; the second
	// stays in the WAL, where the reader's snapshot holds it.
	write()
	if _, _, _, err := db.CheckpointedInBackground(ctx); err != nil {
		t.Fatalf("no background checkpoint after the first write: %v", err)
	}
	write()
	tx, err := reader.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM enterprises`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if tried, _ := db.WALRestarts(); tried != 0 {
		t.Fatalf("%d restart attempts before the WAL passed %d frames", tried, restartFrames)
	}
	// Write until the writer has tried, then far past walMaxFrames.
	for {
		if tried, _ := db.WALRestarts(); tried > 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the writer never tried to restart the WAL")
		}
		write()
	}
	for range 4 * maxFrames {
		write()
	}
	tried, restarted := db.WALRestarts()
	checkpoints := db.BackgroundCheckpoints()
	if restarted != 0 {
		t.Errorf("the WAL restarted %d times beside a reader", restarted)
	}
	// One try once the background checkpoint the writer asked for has
	// ended, and perhaps one before, past walMaxFrames: never one a batch.
	if tried > checkpoints || checkpoints > 2 {
		t.Errorf("%d restart attempts beside a reader after %d background checkpoints, want at most one a checkpoint and two checkpoints", tried, checkpoints)
	}
}
