package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/sqlite"
)

// TestClockOffsetSurvivesReopen: the sandbox clock's offset is in the
// database file, so a server started again on it finds the clock where it
// was left.
func TestClockOffsetSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	db, path := openPath(t)
	if _, err := db.AdvanceClockOffset(ctx, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path, seal.Demo())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if d, err := db.ClockOffset(ctx); err != nil || d != 48*time.Hour {
		t.Fatalf("ClockOffset after reopening = %s, %v; want 48h", d, err)
	}
}
