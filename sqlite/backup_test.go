package sqlite_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/sqlite"
)

func TestBackupAndCheck(t *testing.T) {
	dir := t.TempDir()
	live, out := filepath.Join(dir, "live.db"), filepath.Join(dir, "backup.db")
	db, err := sqlite.Open(t.Context(), live, seal.Demo())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Taken while the store is open, its last writes still in the WAL.
	info, err := sqlite.Backup(t.Context(), live, out)
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if info.Version != info.Known || info.Known < 1 {
		t.Errorf("backup at version %d, this binary knows %d", info.Version, info.Known)
	}
	if _, err := os.Stat(out + ".partial"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary file is left: %v", err)
	}
	if _, err := sqlite.Backup(t.Context(), live, out); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a backup over an existing file: %v", err)
	}

	// A database of a newer opencube does not check.
	newer := filepath.Join(dir, "newer.db")
	if _, err := sqlite.Restore(t.Context(), out, newer, false); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if _, err := sqlite.Check(t.Context(), newer); !errors.Is(err, sqlite.ErrSchemaNewer) {
		t.Errorf("Check of a newer database: %v, want ErrSchemaNewer", err)
	}
}
