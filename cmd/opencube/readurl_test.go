package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencube/opencube/seal"
)

// TestReadURLNeedsPostgres: --db-read-url with a SQLite --db is refused,
// saying why, and so is a read URL that is not a postgres:// one.
func TestReadURLNeedsPostgres(t *testing.T) {
	_, err := openStore(t.Context(), filepath.Join(t.TempDir(), "o.db"), dbOptions{ReadURL: "postgres://replica/opencube"}, seal.Demo())
	if err == nil || !strings.Contains(err.Error(), "needs a PostgreSQL --db") {
		t.Errorf("SQLite with --db-read-url: %v, want a refusal naming the cause", err)
	}
	_, err = openStore(t.Context(), "postgres://primary/opencube", dbOptions{ReadURL: "replica.db"}, seal.Demo())
	if err == nil || !strings.Contains(err.Error(), "must be a postgres:// URL") {
		t.Errorf("a SQLite path as --db-read-url: %v, want a refusal", err)
	}
}
