package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube/seal"
)

// TestServeFlagsFromEnvironment: every serve flag reads OPENCUBE_*, and the
// command line wins over the environment.
func TestServeFlagsFromEnvironment(t *testing.T) {
	t.Setenv("OPENCUBE_ADDR", "127.0.0.1:9999")
	t.Setenv("OPENCUBE_DB", "/tmp/from-env.db")
	t.Setenv("OPENCUBE_DEMO", "true")
	t.Setenv("OPENCUBE_DEMO_SECRET", "env-demo-secret")
	t.Setenv("OPENCUBE_ADMIN_TOKEN", "env-token")
	t.Setenv("OPENCUBE_TIMESTAMP_WINDOW", "30s")
	t.Setenv("OPENCUBE_NODE", "7")
	t.Setenv("OPENCUBE_MAX_BULK", "10")
	t.Setenv("OPENCUBE_JOB_INTERVAL", "0s")
	t.Setenv("OPENCUBE_DB_MAX_CONNS", "3")
	t.Setenv("OPENCUBE_DB_STATEMENT_TIMEOUT", "2s")
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:1234"}); err != nil {
		t.Fatal(err)
	}
	got := []any{m.Addr, m.DB, m.Demo, m.DemoSecret, m.AdminToken, m.Window, m.Node, m.MaxBulk, m.JobInterval, m.DBOptions.MaxConns, m.DBOptions.StatementTimeout}
	want := []any{"127.0.0.1:1234", "/tmp/from-env.db", true, "env-demo-secret", "env-token", 30 * time.Second, 7, 10, time.Duration(0), 3, 2 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("setting %d = %v, want %v", i, got[i], want[i])
		}
	}
	t.Setenv("OPENCUBE_NODE", "64")
	if err := NewMain().ParseFlags(nil); err == nil {
		t.Error("node 64 accepted")
	}
	t.Setenv("OPENCUBE_NODE", "x")
	if err := NewMain().ParseFlags(nil); err == nil || !strings.Contains(err.Error(), "OPENCUBE_NODE") {
		t.Errorf("a bad OPENCUBE_NODE gave %v, want an error naming it", err)
	}
}

func TestVersionAndMigrate(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := dispatch(t.Context(), []string{"version"}, nil, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "opencube ") {
		t.Fatalf("version: %q, %v", out.String(), err)
	}
	db := filepath.Join(t.TempDir(), "m.db")
	if err := dispatch(t.Context(), []string{"migrate", "--db", db}, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "opencube keygen") {
		t.Fatalf("migrate of a new database without a master key: %v; want a refusal saying how to make one", err)
	}
	keys := keyFile(t, seal.DemoKey)
	for range 2 { // migrating an up-to-date database is a no-op
		out.Reset()
		if err := dispatch(t.Context(), []string{"migrate", "--db", db, "--master-key-file", keys}, nil, &out, &errOut); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		if !strings.Contains(out.String(), "is up to date") {
			t.Fatalf("migrate said %q", out.String())
		}
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("migrate made no database: %v", err)
	}
	err := dispatch(t.Context(), []string{"migrate", "--db", "postgres://nobody:secret@127.0.0.1:1/x?connect_timeout=2"}, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("migrate on an unreachable database: %v; want the address and no password", err)
	}
	if err := dispatch(t.Context(), nil, nil, &out, &errOut); exitCode(err) != 2 {
		t.Fatalf("no command: %v, exit code %d, want 2", err, exitCode(err))
	}
	if err := dispatch(t.Context(), []string{"bogus"}, nil, &out, &errOut); exitCode(err) != 2 {
		t.Fatalf("unknown command: %v, exit code %d, want 2", err, exitCode(err))
	}
}
