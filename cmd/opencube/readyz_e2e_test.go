package main

// Readiness: /readyz answers 503 with its reason when the database is gone
// (a PostgreSQL cluster this test starts, stops and starts again), when
// the schema is not the binary's, or when a background loop stopped; 200
// otherwise. /healthz keeps answering 200 through all of it.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/postgres/pgtest"
)

// readyAnswer is one answer of /readyz.
type readyAnswer struct {
	status int
	Ready  bool   `json:"ready"`
	Reason string `json:"reason"`
}

// getReady asks /readyz once.
func getReady(t *testing.T, m *Main) readyAnswer {
	t.Helper()
	resp, err := http.Get(m.URL() + "/readyz")
	if err != nil {
		t.Fatalf("GET /readyz: %v", err)
	}
	defer resp.Body.Close()
	var a readyAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("GET /readyz: %v", err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET /readyz: Content-Type %q", ct)
	}
	a.status = resp.StatusCode
	return a
}

// waitReady asks /readyz until it answers ready (or not), and returns that
// answer. A check's outcome is reused for a moment (readyReuse), and a
// database going away takes a moment to be noticed: the wait is bounded
// generously, never timed.
func waitReady(t *testing.T, m *Main, ready bool) readyAnswer {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		a := getReady(t, m)
		if a.Ready == ready {
			want := http.StatusOK
			if !ready {
				want = http.StatusServiceUnavailable
			}
			if a.status != want {
				t.Errorf("GET /readyz: HTTP %d with ready=%v", a.status, a.Ready)
			}
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /readyz still answers ready=%v (%q)", a.Ready, a.Reason)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkHealthz checks that /healthz answers 200: the process is alive.
func checkHealthz(t *testing.T, m *Main) {
	t.Helper()
	resp, err := http.Get(m.URL() + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz: HTTP %d, want 200", resp.StatusCode)
	}
}

// TestReadyzPostgresStops stops the PostgreSQL cluster under a running
// server, and starts it again.
func TestReadyzPostgresStops(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	cluster := pgtest.StartCluster(t)
	s := startServerWith(t, cluster.URL(), &e2eClock{now: clockStart}, nil)
	if a := waitReady(t, s.m, true); a.Reason != "" {
		t.Errorf("ready with a reason: %q", a.Reason)
	}

	cluster.Stop(t)
	a := waitReady(t, s.m, false)
	if !strings.Contains(a.Reason, "database") {
		t.Errorf("not ready because %q, want the database named", a.Reason)
	}
	checkHealthz(t, s.m)

	cluster.Start(t)
	waitReady(t, s.m, true)
	// And it serves again.
	if r := s.do(t, s.p, "/device/queryDeviceInfo", map[string]any{"device_id": simP(0)}, nil); r.Code != csss.CodeOK {
		t.Errorf("queryDeviceInfo once the database is back: %s %s", r.Code, r.Message)
	}
}

// TestReadyzSchema moves the database's schema past the binary's, as a
// newer binary's migration would.
func TestReadyzSchema(t *testing.T) {
	db := e2eDatabase(t)
	s := startServerWith(t, db, &e2eClock{now: clockStart}, nil)
	waitReady(t, s.m, true)

	const newer = `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`
	if isPostgres(db) {
		conn, err := pgx.Connect(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(t.Context(), newer); err != nil {
			t.Fatal(err)
		}
	} else {
		conn, err := sql.Open("sqlite", db+"?_pragma=busy_timeout(10000)") // the server may be writing
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Exec(newer); err != nil {
			t.Fatal(err)
		}
	}
	a := waitReady(t, s.m, false)
	if !strings.Contains(a.Reason, "schema is at version 99999") {
		t.Errorf("not ready because %q, want the schema version named", a.Reason)
	}
	checkHealthz(t, s.m)
}

// TestReadyzLoopStops ends a background loop on its own, by failing and by
// panicking: the node is not ready, and says which loop stopped.
func TestReadyzLoopStops(t *testing.T) {
	for _, tt := range []struct {
		name string
		fn   func() error
		want string
	}{
		{"fails", func() error { return errors.New("lost its store") }, "background loop test loop failed: lost its store"},
		{"panics", func() error { panic("out of range") }, "background loop test loop panicked: out of range"},
		{"returns", func() error { return nil }, "background loop test loop returned"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, nil)
			waitReady(t, s.m, true)
			done := make(chan struct{})
			s.m.goLoop(nil, "test loop", func() error {
				defer close(done)
				return tt.fn()
			})
			<-done
			a := waitReady(t, s.m, false)
			if a.Reason != tt.want {
				t.Errorf("not ready because %q, want %q", a.Reason, tt.want)
			}
			checkHealthz(t, s.m)
		})
	}
}

// TestReadyzClosing: while Close runs the node says it is shutting down,
// and the loops that end then (jobs, deliveries, RADIUS) are not reported
// as stopped.
func TestReadyzClosing(t *testing.T) {
	var m *Main
	t.Cleanup(func() { // after the server's own cleanup, which closes it
		if why := m.loops.firstStopped(); why != "" {
			t.Errorf("Close reported a stopped loop: %s", why)
		}
	})
	s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
		m.JobInterval = time.Hour
		m.RADIUS.AcctAddr, m.RADIUS.AuthAddr, m.RADIUS.Secret = "127.0.0.1:0", "127.0.0.1:0", "radius-secret"
	})
	m = s.m
	waitReady(t, m, true)
	m.loops.closing.Store(true)
	if a := getReady(t, m); a.Ready || a.Reason != "shutting down" || a.status != http.StatusServiceUnavailable {
		t.Errorf("closing: /readyz answers %+v, want 503 shutting down", a)
	}
	m.loops.closing.Store(false)
	if a := waitReady(t, m, true); a.Reason != "" {
		t.Errorf("ready with a reason: %q", a.Reason)
	}
}
