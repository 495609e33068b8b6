package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/sqlite"
)

// TestCheckpointing writes far more than walRestartFrames without a pause:
// the background checkpointer copies committed pages into the database file
// while the database is open, and the writer restarts the WAL, so that its
// file stays a fraction of what was written through it.
func TestCheckpointing(t *testing.T) {
	defer sqlite.SetCheckpointing(2*time.Millisecond, 256)()
	ctx := context.Background()
	db, path := openPath(t)
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size(path)
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
	written := int64(writes) * 4096 // at least a page a write went through the WAL
	wal := size(path + "-wal")
	t.Logf("WAL file %d bytes after %d written", wal, written)
	if wal > written/2 {
		t.Errorf("WAL file is %d bytes after %d bytes written through it: it was not restarted", wal, written)
	}
	// The background copies reach the database file while it is open.
	deadline := time.Now().Add(5 * time.Second)
	for size(path) < before+int64(writes)*2048 {
		if time.Now().After(deadline) {
			t.Fatalf("database file grew from %d to %d bytes only: nothing was checkpointed", before, size(path))
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i := range writes {
		if _, err := db.FindEnterprise(ctx, fmt.Sprintf("E%05d", i)); err != nil {
			t.Fatalf("enterprise %d: %v", i, err)
		}
	}
}

// TestCheckpointingBesideAReader: a reader that holds an old snapshot keeps
// the WAL from restarting; the writer then tries again only after the
// background checkpointer has measured the WAL again, not at every batch
// (each try waits for the reader a little).
func TestCheckpointingBesideAReader(t *testing.T) {
	// The background checkpoint runs once, at the first commit; then it
	// sleeps for the rest of the test.
	defer sqlite.SetCheckpointing(time.Hour, 1)()
	ctx := context.Background()
	db, path := openPath(t)
	reader, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if err := db.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "E0", Name: "E", Secrets: []string{"12345678"}}); err != nil {
		t.Fatal(err)
	}
	tx, err := reader.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM enterprises`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	i := 0
	write := func() {
		t.Helper()
		i++
		e := &opencube.Enterprise{AccessCode: fmt.Sprintf("E%d", i), Name: "E", Secrets: []string{"12345678"}}
		if err := db.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// Write until the writer has tried once, after the background
	// checkpoint measured the WAL.
	deadline := time.Now().Add(10 * time.Second)
	for db.WALRestarts() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the writer never tried to restart the WAL")
		}
		write()
	}
	for range 50 {
		write()
	}
	if got := db.WALRestarts(); got != 1 {
		t.Errorf("%d restart attempts beside a reader after one background checkpoint, want 1", got)
	}
}
