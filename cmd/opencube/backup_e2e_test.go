package main

// Backups that restore: `opencube backup` taken while orders are being
// placed, `opencube restore` into a new database, and a server on it that
// answers as the first did for everything the backup holds.

import (
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/sqlite"
)

func TestBackupUnderLoad(t *testing.T) {
	if os.Getenv("OPENCUBE_E2E_STORE") == "postgres" {
		t.Skip("opencube backup copies SQLite databases; PostgreSQL ones are pg_dump's (TestBackupPostgres)")
	}
	dir := t.TempDir()
	db, out, restored := filepath.Join(dir, "live.db"), filepath.Join(dir, "backup.db"), filepath.Join(dir, "restored.db")
	clock := &e2eClock{now: clockStart}
	s := startServerWith(t, db, clock, nil)
	before, err := sqlite.Check(t.Context(), db)
	if err != nil {
		t.Fatalf("Check of the live database: %v", err)
	}

	// Each writer places orders on its own SIM, one after the other, and
	// keeps their ids in order: a consistent snapshot holds a prefix of
	// each writer's orders.
	const writers, warmUp, after, most = 4, 5, 5, 60
	placed := make([][]string, writers)
	var warm, done sync.WaitGroup
	var backedUp atomic.Bool
	warm.Add(writers)
	done.Add(writers)
	for w := range writers {
		go func() {
			defer done.Done()
			c := s.client(entP, demoSecret)
			sim := simP(w)
			extra := 0
			for i := 0; i < most && extra < after; i++ {
				if backedUp.Load() {
					extra++
				}
				clock.Advance(time.Millisecond)
				resp, err := c.Do(t.Context(), "/package/orderPackage", planDaily.order(sim, false), nil)
				if err != nil || resp.Code != csss.CodeOK {
					t.Errorf("writer %d order %d: %v %s", w, i, err, resp.Body)
					if i < warmUp {
						warm.Done()
					}
					return
				}
				placed[w] = append(placed[w], mustField(t, resp.Data, "order_id"))
				if i == warmUp-1 {
					warm.Done()
				}
			}
			if len(placed[w]) < warmUp {
				warm.Done()
			}
		}()
	}
	warm.Wait()
	stdout, _, err := runCLI(t, "", "backup", "--db", db, "--out", out)
	backedUp.Store(true)
	done.Wait()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if !strings.Contains(stdout, "written to "+out) {
		t.Errorf("backup said %q", stdout)
	}
	if st, err := os.Stat(out); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o600 {
		t.Errorf("the backup file's mode is %v, want 0600", st.Mode().Perm())
	}
	if t.Failed() {
		t.FailNow()
	}
	live, err := sqlite.Check(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}

	if _, _, err := runCLI(t, "", "restore", "--from", out, "--db", restored); err != nil {
		t.Fatalf("restore: %v", err)
	}
	got, err := sqlite.Check(t.Context(), restored)
	if err != nil {
		t.Fatalf("the restored database does not check: %v", err)
	}
	if got.Version != got.Known {
		t.Errorf("restored schema version %d, want %d", got.Version, got.Known)
	}
	if n := got.Counts["orders"]; n < before.Counts["orders"]+writers*warmUp || n > live.Counts["orders"] {
		t.Errorf("restored %d orders: want between %d and %d", n, before.Counts["orders"]+writers*warmUp, live.Counts["orders"])
	}
	if got.Counts["orders"] == live.Counts["orders"] {
		t.Logf("the backup holds every order: the writers placed the rest after it (%d)", live.Counts["orders"])
	}

	// A server on the restored database answers as the live one for every
	// order it holds, and holds a prefix of each writer's orders.
	s2 := startServerWith(t, restored, &e2eClock{now: clock.Now()}, nil)
	total := before.Counts["orders"]
	for w := range writers {
		var ids []string
		for _, item := range s2.orders(t, s2.p, map[string]any{"device_id": simP(w)}) {
			ids = append(ids, item["orderId"])
		}
		want := placed[w]
		k := 0
		for k < len(want) && slices.Contains(ids, want[k]) {
			k++
		}
		if k < warmUp || len(ids) != k {
			t.Errorf("writer %d: the backup holds %d orders of its %d, not a prefix of at least %d: %v", w, len(ids), len(want), warmUp, ids)
		}
		total += int64(k)
		for _, id := range want[:k] {
			if diff := cmp.Diff(s.order(t, s.p, id), s2.order(t, s2.p, id)); diff != "" {
				t.Errorf("order %s, live (-) and restored (+):\n%s", id, diff)
			}
		}
	}
	if got.Counts["orders"] != total {
		t.Errorf("restored database holds %d orders, want %d", got.Counts["orders"], total)
	}
}

func TestRestoreRefuses(t *testing.T) {
	dir := t.TempDir()
	good, target := filepath.Join(dir, "good.db"), filepath.Join(dir, "target.db")
	store, err := sqlite.Open(t.Context(), good, seal.Demo())
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte(strings.Repeat("not a database\n", 400)), 0o600)
	foreign := filepath.Join(dir, "foreign.db")
	fdb, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fdb.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	fdb.Close()

	if _, _, err := runCLI(t, "", "restore", "--from", good, "--db", target); err != nil {
		t.Fatalf("restore into a new file: %v", err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"existing database", []string{"--from", good, "--db", target}, "--force"},
		{"not SQLite", []string{"--from", garbage, "--db", filepath.Join(dir, "x.db")}, "not a SQLite database"},
		{"not opencube", []string{"--from", foreign, "--db", filepath.Join(dir, "y.db")}, "not an opencube database"},
		{"missing backup", []string{"--from", filepath.Join(dir, "none.db"), "--db", filepath.Join(dir, "z.db")}, "no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCLI(t, "", append([]string{"restore"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	for _, name := range []string{"x.db", "y.db", "z.db", "x.db.restoring"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("a refused restore left %s", name)
		}
	}
	if _, _, err := runCLI(t, "", "restore", "--from", good, "--db", target, "--force"); err != nil {
		t.Errorf("restore --force: %v", err)
	}
	if _, _, err := runCLI(t, "", "backup", "--db", good, "--out", target); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
}

func TestBackupPostgres(t *testing.T) {
	url := os.Getenv("OPENCUBE_TEST_POSTGRES")
	if url == "" {
		t.Skip("OPENCUBE_TEST_POSTGRES not set")
	}
	stdout, _, err := runCLI(t, "", "backup", "--db", url)
	if !errors.Is(err, errPostgresBackup) {
		t.Errorf("error %v, want %v", err, errPostgresBackup)
	}
	for _, want := range []string{"is PostgreSQL 1", "pg_dump --format=custom", "pg_restore"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

// mustField is a string field of an answer's data; it may be called from
// any goroutine (a failure is an Error, not a Fatal).
func mustField(t *testing.T, data json.RawMessage, name string) string {
	var d map[string]any
	if err := json.Unmarshal(data, &d); err != nil {
		t.Errorf("data %s: %v", data, err)
		return ""
	}
	v, _ := d[name].(string)
	if v == "" {
		t.Errorf("data %s has no %s", data, name)
	}
	return v
}
