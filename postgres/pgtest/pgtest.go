// Package pgtest gives tests a PostgreSQL schema of their own in the
// database named by OPENCUBE_TEST_POSTGRES (scripts/test starts one).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// URL returns OPENCUBE_TEST_POSTGRES, skipping the test when it is unset and
// failing it when CI=true, where the test script provides a database.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("OPENCUBE_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("OPENCUBE_TEST_POSTGRES must be set in CI (scripts/test starts a throwaway PostgreSQL)")
		}
		t.Skip("OPENCUBE_TEST_POSTGRES is not set (scripts/test starts a throwaway PostgreSQL)")
	}
	return u
}

// Replica returns the URLs of a primary and of a streaming replica of it
// (a hot standby), each with an empty schema of the test's own (search_path),
// dropped when the test ends. They are OPENCUBE_TEST_POSTGRES and
// OPENCUBE_TEST_POSTGRES_REPLICA when both are set (scripts/test sets
// them); else the test starts two throwaway clusters itself, the second made
// by pg_basebackup from the first. It skips the test when neither is
// possible, and fails it instead when CI=true.
func Replica(t testing.TB) (primary, replica string) {
	t.Helper()
	if r := os.Getenv("OPENCUBE_TEST_POSTGRES_REPLICA"); r != "" && os.Getenv("OPENCUBE_TEST_POSTGRES") != "" {
		primary = Schema(t)
		p, _ := url.Parse(primary)
		return primary, WithParam(t, r, "search_path", p.Query().Get("search_path"))
	}
	c := StartCluster(t)
	rc := c.StartReplica(t)
	return c.URL(), rc.URL()
}

// Schema creates an empty schema for one test, dropped when the test ends,
// and returns a URL whose connections use it (search_path).
func Schema(t testing.TB) string {
	t.Helper()
	base := URL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connecting to OPENCUBE_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("CREATE SCHEMA: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return WithParam(t, base, "search_path", schema)
}

// WithParam returns the URL u with a query parameter set; pgx sends unknown
// parameters to the server as run-time parameters.
func WithParam(t testing.TB, u, key, value string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatalf("OPENCUBE_TEST_POSTGRES must be a postgres:// URL: %v", err)
	}
	q := p.Query()
	q.Set(key, value)
	p.RawQuery = q.Encode()
	return p.String()
}
