package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gen/gentest"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/storetest"
)

// testURL returns OPENCUBE_TEST_POSTGRES, skipping the test when it is unset
// (failing it in CI, where the test script provides a database).
func testURL(t testing.TB) string { return pgtest.URL(t) }

// newSchema creates an empty schema for one test, dropped when it ends, and
// returns a URL whose connections use it.
func newSchema(t testing.TB) string { return pgtest.Schema(t) }

// openURL opens a DB and closes it when the test ends.
func openURL(t testing.TB, u string, opts Options) *DB {
	t.Helper()
	if len(opts.Masters.Keys) == 0 {
		opts.Masters = seal.Demo()
	}
	db, err := Open(context.Background(), u, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// open opens a DB on a fresh schema.
func open(t testing.TB) *DB {
	t.Helper()
	return openURL(t, newSchema(t), Options{MaxConns: 8})
}

func TestStore(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T) service.Store { return open(t) })
}

func TestChangeStore(t *testing.T) {
	testURL(t)
	storetest.RunChanges(t, func(t *testing.T) storetest.ChangeStore { return open(t) })
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	u := newSchema(t)
	db := openURL(t, u, Options{Masters: seal.Demo()})
	if err := db.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "ent", Name: "E", Secrets: []string{"12345678"}}); err != nil {
		t.Fatalf("CreateEnterprise: %v", err)
	}
	version := func() int64 {
		var v int64
		if err := db.pool.QueryRow(ctx, `SELECT max(version_id) FROM goose_db_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := version()
	// Migrating an up-to-date database, in place or on reopening, is a
	// no-op.
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	again := openURL(t, u, Options{Masters: seal.Demo()})
	if _, err := again.FindEnterprise(ctx, "ent"); err != nil {
		t.Errorf("FindEnterprise after reopening: %v", err)
	}
	if got := version(); got != v {
		t.Errorf("schema version %d after migrating again, want %d", got, v)
	}
	var rows int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM goose_db_version`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if want := int(v) + 1; rows != want { // version 0 and one row a migration
		t.Errorf("goose_db_version has %d rows, want %d", rows, want)
	}

	// A database migrated by a newer binary is refused, not changed.
	if _, err := db.pool.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatalf("marking the schema newer: %v", err)
	}
	newer, err := Open(ctx, u, Options{Masters: seal.Demo()})
	if err == nil {
		newer.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
	if !errors.Is(err, ErrSchemaNewer) {
		t.Fatalf("Open of a newer schema = %v, want ErrSchemaNewer", err)
	}
	if !strings.Contains(err.Error(), "99999") {
		t.Errorf("error %q does not name the database's version", err)
	}
	if err := db.Migrate(ctx); !errors.Is(err, ErrSchemaNewer) {
		t.Errorf("Migrate of a newer schema = %v, want ErrSchemaNewer", err)
	}
}

// TestMigrateConcurrently starts several nodes at once on an empty schema:
// they take turns migrating, and every one opens.
func TestMigrateConcurrently(t *testing.T) {
	u := newSchema(t)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			db, err := Open(context.Background(), u, Options{MaxConns: 2, Masters: seal.Demo()})
			if err != nil {
				t.Errorf("node %d: Open: %v", i, err)
				return
			}
			db.Close()
		})
	}
	wg.Wait()
}

func TestOpenUnreachable(t *testing.T) {
	// A port nobody listens on: the connection is refused at once.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	// A server that accepts connections and never answers: only the
	// connect timeout ends the attempt.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		silent.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})

	tests := []struct {
		name string
		addr string
		want []string
	}{
		{"refused", closed, []string{"cannot connect to " + closed, "refused"}},
		{"silent", silent.Addr().String(), []string{"cannot connect to " + silent.Addr().String(), "timed out after 200ms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := "postgres://opencube:secret-password@" + tt.addr + "/opencube?sslmode=disable"
			db, err := Open(context.Background(), u, Options{ConnectTimeout: 200 * time.Millisecond, Masters: seal.Demo()})
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret-password") {
				t.Errorf("error %q shows the password", err)
			}
			if opencube.ErrorKind(err) != opencube.KindInternal {
				t.Errorf("error kind %q, want internal", opencube.ErrorKind(err))
			}
		})
	}
}

func TestOpenInvalidURL(t *testing.T) {
	for _, u := range []string{"mysql://nobody", "postgres://u:pw@host:notaport/db", "postgres://u@h/db?connect_timeout=x"} {
		if db, err := Open(context.Background(), u, Options{Masters: seal.Demo()}); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", u)
		} else if strings.Contains(err.Error(), "pw@") {
			t.Errorf("Open(%q) = %v shows the password", u, err)
		}
	}
}

// TestStatementTimeout: the server cancels a statement that runs longer
// than Options.StatementTimeout (PostgreSQL's own timer), and the error says
// so.
func TestStatementTimeout(t *testing.T) {
	ctx := context.Background()
	// The schema is made first without the timeout: a migration's
	// statement may take longer than 50ms on a busy machine.
	u := newSchema(t)
	openURL(t, u, Options{})
	// 300ms, so that the statements after the timeout finish within it on
	// a busy machine (with 50ms one of them once ran out too).
	db := openURL(t, u, Options{StatementTimeout: 300 * time.Millisecond})
	_, err := db.exec(ctx, "sleep", `SELECT pg_sleep(2)`)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != codeQueryCanceled {
		t.Fatalf("pg_sleep(2) with a 300ms statement timeout = %v, want SQLSTATE 57014", err)
	}
	if !strings.Contains(err.Error(), "300ms statement timeout") {
		t.Errorf("error %q does not name the timeout", err)
	}
	// The pool is still usable.
	if _, err := db.FindEnterprise(ctx, "nobody"); opencube.ErrorKind(err) != opencube.KindUnauthenticated {
		t.Errorf("FindEnterprise after a timeout = %v", err)
	}
}

// base is the time of the orders storetest.NewOrder makes.
var base = storetest.SeedBase

// TestTwoNodesEnable runs two nodes (two pools on one database), each with
// many goroutines, enabling orders through the service at the same moment.
// The same order: exactly one call succeeds, every other one sees it
// enabled and is refused with KindOrderState. Different orders of one SIM:
// exactly one becomes active.
func TestTwoNodesEnable(t *testing.T) {
	const perNode = 12
	ctx := opencube.NewContext(context.Background(), "ent")
	u := newSchema(t)
	nodes := []*DB{openURL(t, u, Options{MaxConns: 8}), openURL(t, u, Options{MaxConns: 8})}
	sims := storetest.Seed(t, nodes[0], 2)
	var orders []*opencube.Order
	if err := nodes[0].UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		for i := range 1 + 2*perNode { // one for the first SIM, one a racer for the second
			o := storetest.NewOrder(int64(i+1), sims[min(i, 1)])
			if err := tx.InsertOrder(ctx, o); err != nil {
				return err
			}
			orders = append(orders, o)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	services := make([]*service.Set, len(nodes))
	for i, db := range nodes {
		services[i] = service.New(db, opencube.SystemClock, service.NewIDGenerator(i))
	}

	tests := []struct {
		name  string
		order func(node, i int) *opencube.Order
		sim   *opencube.SIM
	}{
		{"same order", func(int, int) *opencube.Order { return orders[0] }, sims[0]},
		{"orders of one SIM", func(node, i int) *opencube.Order { return orders[1+node*perNode+i] }, sims[1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var won atomic.Int32
			var wg sync.WaitGroup
			start := make(chan struct{})
			for n, svc := range services {
				for i := range perNode {
					o := tt.order(n, i)
					wg.Go(func() {
						<-start
						_, err := svc.Orders.EnableOrder(ctx, o.ID, "")
						switch opencube.ErrorKind(err) {
						case "":
							won.Add(1)
						case opencube.KindOrderState:
						default:
							t.Errorf("node %d: EnableOrder(%s): %v", n, o.ID, err)
						}
					})
				}
			}
			close(start)
			wg.Wait()
			if got := won.Load(); got != 1 {
				t.Errorf("%d calls enabled an order, want 1", got)
			}
			active, total, err := nodes[1].FindOrders(ctx, opencube.OrderFilter{Enterprise: "ent", ICCID: tt.sim.ICCID, Status: opencube.OrderInUse})
			if err != nil {
				t.Fatal(err)
			}
			if total != 1 {
				t.Fatalf("SIM has %d orders in use, want 1", total)
			}
			// One start event and one expiry job for the winner.
			events, err := nodes[0].FindEvents(ctx, "ent")
			if err != nil {
				t.Fatal(err)
			}
			starts := 0
			for _, e := range events {
				if e.Type == opencube.EventStartOrder && e.ICCID == tt.sim.ICCID {
					starts++
				}
			}
			if starts != 1 {
				t.Errorf("%d start events, want 1", starts)
			}
			jobs, err := nodes[0].FindJobs(ctx, opencube.JobExpireOrder)
			if err != nil {
				t.Fatal(err)
			}
			if !containsJob(jobs, active[0].ID) {
				t.Errorf("no expiry job for the enabled order %s: %v", active[0].ID, jobs)
			}
		})
	}
}

func containsJob(jobs []*opencube.Job, key string) bool {
	for _, j := range jobs {
		if j.Key == key {
			return true
		}
	}
	return false
}

// TestTwoNodesClaim runs job and node-number claimers on two nodes at once:
// every job and every number goes to exactly one of them.
func TestTwoNodesClaim(t *testing.T) {
	ctx := context.Background()
	u := newSchema(t)
	nodes := []*DB{openURL(t, u, Options{MaxConns: 6}), openURL(t, u, Options{MaxConns: 6})}
	const jobs, claimers = 300, 6
	if err := nodes[0].UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		for i := range jobs {
			j := &opencube.Job{ID: fmt.Sprintf("job-%03d", i), Kind: "k", Key: fmt.Sprint(i), RunAt: base.Add(time.Duration(i%7) * time.Second)}
			if err := tx.InsertJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	jobOwner := map[string]string{}
	nodeOwner := map[int]string{}
	var wg sync.WaitGroup
	for n, db := range nodes {
		for c := range claimers {
			owner := fmt.Sprintf("node%d-%d", n, c)
			wg.Go(func() {
				for {
					got, err := db.ClaimJobs(ctx, owner, []string{"k"}, 5, base.Add(time.Hour), time.Minute)
					if err != nil {
						t.Errorf("%s: ClaimJobs: %v", owner, err)
						return
					}
					if len(got) == 0 {
						break
					}
					mu.Lock()
					for _, j := range got {
						if prev, ok := jobOwner[j.ID]; ok {
							t.Errorf("job %s claimed by %s and %s", j.ID, prev, owner)
						}
						jobOwner[j.ID] = owner
					}
					mu.Unlock()
				}
				storetest.ClaimNodes(t, db, owner, base, time.Minute, &mu, nodeOwner)
			})
		}
	}
	wg.Wait()
	if len(jobOwner) != jobs {
		t.Errorf("%d jobs claimed, want %d", len(jobOwner), jobs)
	}
	if len(nodeOwner) != operator.MaxNodes {
		t.Errorf("%d node numbers claimed, want %d", len(nodeOwner), operator.MaxNodes)
	}
}

// TestTwoNodesReplay claims one replay key from two nodes at once: exactly
// one claim records it, the others get that entry.
func TestTwoNodesReplay(t *testing.T) {
	ctx := context.Background()
	u := newSchema(t)
	nodes := []*DB{openURL(t, u, Options{MaxConns: 6}), openURL(t, u, Options{MaxConns: 6})}
	for round := range 20 {
		key := fmt.Sprintf("/orderPackage sign-%d", round)
		var won atomic.Int32
		var wg sync.WaitGroup
		for n, db := range nodes {
			for i := range 6 {
				wg.Go(func() {
					r := &opencube.Replay{AccessCode: "ent", Key: key, Fingerprint: fmt.Sprintf("fp-%d-%d", n, i), ExpiresAt: base.Add(time.Minute)}
					existing, ok, err := db.ClaimReplay(ctx, r, base)
					switch {
					case err != nil:
						t.Errorf("ClaimReplay: %v", err)
					case ok:
						won.Add(1)
					case existing == nil || existing.Key != key:
						t.Errorf("ClaimReplay refused without the entry: %+v", existing)
					}
				})
			}
		}
		wg.Wait()
		if got := won.Load(); got != 1 {
			t.Errorf("key %q recorded by %d claims, want 1", key, got)
		}
	}
}

func TestReplayPurge(t *testing.T) {
	db := open(t)
	storetest.ReplayPurge(t, db, func(key string) error {
		_, err := db.pool.Exec(context.Background(), `UPDATE replays SET response = NULL WHERE access_code = 'ent' AND key = $1`, key)
		return err
	})
}

// TestOptimisticWrites: order transactions write without savepoints; one
// that meets a failed write and carries on (as a bulk order does, to report
// every failing device) runs again with them and ends as if it had had
// them from the start. A transaction whose writes all succeed runs once.
func TestOptimisticWrites(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	sims := storetest.Seed(t, db, 2)
	o1, o2 := storetest.NewOrder(1, sims[0]), storetest.NewOrder(2, sims[1])
	runs := 0
	err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		runs++
		if err := tx.InsertOrder(ctx, o1); err != nil {
			return err
		}
		if err := tx.InsertOrder(ctx, o1); opencube.ErrorKind(err) != opencube.KindConflict {
			return fmt.Errorf("inserting order 1 again: %v, want a conflict", err)
		}
		return tx.InsertOrder(ctx, o2)
	})
	if err != nil || runs != 2 {
		t.Fatalf("UpdateOrders with a failed write = %v after %d runs; want nil after 2", err, runs)
	}
	if _, total, err := db.FindOrders(ctx, opencube.OrderFilter{Enterprise: "ent"}); err != nil || total != 2 {
		t.Errorf("FindOrders total = %d, %v; want 2", total, err)
	}

	runs = 0
	err = db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		runs++
		return tx.InsertEvent(ctx, opencube.NewEvent(opencube.EventCreateOrder, o1))
	})
	if err != nil || runs != 1 {
		t.Errorf("UpdateOrders with good writes = %v after %d runs; want nil after 1", err, runs)
	}
}

// TestRetrySerializationFailure: a transaction that meets a serialization
// failure runs again from the start, even when fn carried on regardless.
func TestRetrySerializationFailure(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	sims := storetest.Seed(t, db, 1)
	runs := 0
	o := storetest.NewOrder(1, sims[0])
	err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		runs++
		if err := tx.InsertOrder(ctx, o); err != nil {
			return err
		}
		if runs == 1 {
			// What a serialization failure inside a write looks like.
			ot := tx.(*orderTx)
			_, err := ot.write(ctx, `DO $$BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END$$`)
			ot.fail("test", err)
			return nil // fn swallows the error
		}
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateOrders: %v", err)
	}
	if runs != 2 {
		t.Errorf("fn ran %d times, want 2", runs)
	}
	if _, total, err := db.FindOrders(ctx, opencube.OrderFilter{Enterprise: "ent"}); err != nil || total != 1 {
		t.Errorf("FindOrders total = %d, %v; want 1", total, err)
	}
}

// BenchmarkUpdateOrdersInsert measures one write transaction that inserts an
// order and its event, from parallel goroutines.
func BenchmarkUpdateOrdersInsert(b *testing.B) {
	storetest.BenchUpdateOrdersInsert(b, func(b testing.TB) service.Store { return openURL(b, newSchema(b), Options{Masters: seal.Demo()}) })
}

// BenchmarkOrderPackage measures the store's whole share of one orderPackage
// request: one order transaction that looks up the SIM and the plan, inserts
// the order and its event, and records the replay entry with the answer.
func BenchmarkOrderPackage(b *testing.B) {
	storetest.BenchOrderPackage(b, func(b testing.TB) service.Store { return openURL(b, newSchema(b), Options{Masters: seal.Demo()}) })
}

// BenchmarkBulkOrder measures one order transaction for 1,000 devices.
func BenchmarkBulkOrder(b *testing.B) {
	storetest.BenchBulkOrder(b, func(b testing.TB) service.Store { return openURL(b, newSchema(b), Options{Masters: seal.Demo()}) })
}

func TestLists(t *testing.T) {
	testURL(t)
	storetest.RunLists(t, func(t *testing.T) storetest.ListStore { return open(t) })
}

// TestReadURLNotStandby: a read URL that names a server taking writes (not
// a hot standby) is refused, saying why.
func TestReadURLNotStandby(t *testing.T) {
	u := newSchema(t)
	db, err := Open(context.Background(), u, Options{Masters: seal.Demo(), ReadURL: u})
	if err == nil {
		db.Close()
		t.Fatal("Open with a primary as the read replica succeeded")
	}
	if !strings.Contains(err.Error(), "not a standby") {
		t.Errorf("Open = %v, want it to say the read URL is not a standby", err)
	}
}

// TestGenerate: the benchmark data set, built in bulk, reads back as its
// Spec says.
func TestGenerate(t *testing.T) { gentest.Test(t, open(t)) }
