package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gen/gentest"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sqlite"
	"github.com/opencube/opencube/storetest"
)

func open(t testing.TB) *sqlite.DB {
	db, _ := openPath(t)
	return db
}

// openPath opens a new database, closed when t ends, and returns it with
// its file's path.
func openPath(t testing.TB) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "opencube.db")
	db, err := sqlite.Open(context.Background(), path, seal.Demo())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db, path
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) service.Store { return open(t) })
}

func TestChangeStore(t *testing.T) {
	storetest.RunChanges(t, func(t *testing.T) storetest.ChangeStore { return open(t) })
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "opencube.db")
	db, err := sqlite.Open(ctx, path, seal.Demo())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "ent", Name: "E", Secrets: []string{"12345678"}}); err != nil {
		t.Fatalf("CreateEnterprise: %v", err)
	}
	// Migrating an up-to-date database, in place or on reopening, is a no-op.
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	db.Close()
	if db, err = sqlite.Open(ctx, path, seal.Demo()); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if _, err := db.FindEnterprise(ctx, "ent"); err != nil {
		t.Errorf("FindEnterprise after reopening: %v", err)
	}
	db.Close()

	// A database migrated by a newer binary is refused, not changed.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)`); err != nil {
		t.Fatalf("marking the schema newer: %v", err)
	}
	raw.Close()
	_, err = sqlite.Open(ctx, path, seal.Demo())
	if !errors.Is(err, sqlite.ErrSchemaNewer) {
		t.Fatalf("Open of a newer schema = %v, want ErrSchemaNewer", err)
	}
	if !strings.Contains(err.Error(), "99999") {
		t.Errorf("error %q does not name the database's version", err)
	}
}

func TestOpenInvalidPath(t *testing.T) {
	for _, path := range []string{"", ":memory:", "a.db?mode=ro"} {
		if db, err := sqlite.Open(context.Background(), path, seal.Demo()); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

// base is the time of the orders storetest.NewOrder makes.
var base = storetest.SeedBase

// TestConcurrentWriters runs many UpdateOrders at once: inserts for many SIMs
// and races to enable orders of the same SIMs. Writers queue; none sees
// SQLITE_BUSY, and each contested SIM ends with exactly one active order.
func TestConcurrentWriters(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	sims := storetest.Seed(t, db, 40)
	const contested, racers, inserters, insertsEach = 10, 8, 8, 10

	// Each contested SIM has one waiting order a racer.
	var waiting [contested][racers]*opencube.Order
	var n int64
	if err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		for s := range contested {
			for r := range racers {
				n++
				waiting[s][r] = storetest.NewOrder(n, sims[s])
				if err := tx.InsertOrder(ctx, waiting[s][r]); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	var next atomic.Int64
	next.Store(1 << 20)
	var enabled [contested]atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, contested*racers+inserters*insertsEach)
	for s := range contested {
		for r := range racers {
			wg.Go(func() {
				// Half the racers check ActiveOrder first, as the service
				// does; the others rely on the store's unique index.
				check := r%2 == 0
				err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
					o, err := tx.Order(ctx, "ent", waiting[s][r].ID)
					if err != nil {
						return err
					}
					if check {
						active, err := tx.ActiveOrder(ctx, o.ICCID)
						if err != nil {
							return err
						}
						if active != nil {
							return opencube.Errorf(opencube.KindOrderState, "SIM busy")
						}
					}
					ev, err := o.Apply(opencube.MoveEnable, base.Add(time.Hour))
					if err != nil {
						return err
					}
					if err := tx.UpdateOrder(ctx, o); err != nil {
						return err
					}
					return tx.InsertEvent(ctx, opencube.NewEvent(ev, o))
				})
				switch opencube.ErrorKind(err) {
				case "":
					enabled[s].Add(1)
				case opencube.KindOrderState:
				default:
					errs <- fmt.Errorf("enable: %w", err)
				}
			})
		}
	}
	for i := range inserters {
		wg.Go(func() {
			for j := range insertsEach {
				sim := sims[contested+(i*insertsEach+j)%(len(sims)-contested)]
				o := storetest.NewOrder(next.Add(1), sim)
				err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
					if _, err := tx.SIM(ctx, "ent", sim.ICCID); err != nil {
						return err
					}
					if _, err := tx.Plan(ctx, "ent", "P"); err != nil {
						return err
					}
					if err := tx.InsertOrder(ctx, o); err != nil {
						return err
					}
					return tx.InsertEvent(ctx, opencube.NewEvent(opencube.EventCreateOrder, o))
				})
				if err != nil {
					errs <- fmt.Errorf("insert: %w", err)
				}
			}
		})
	}
	// Readers run beside the writers.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, _, err := db.FindOrders(ctx, opencube.OrderFilter{Enterprise: "ent", Page: opencube.Page{Limit: 10}}); err != nil {
					errs <- fmt.Errorf("read: %w", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	for s := range contested {
		if got := enabled[s].Load(); got != 1 {
			t.Errorf("SIM %d: %d racers enabled an order, want 1", s, got)
		}
		active, total, err := db.FindOrders(ctx, opencube.OrderFilter{Enterprise: "ent", ICCID: sims[s].ICCID, Status: opencube.OrderInUse})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(active) != 1 {
			t.Errorf("SIM %d has %d orders in use, want 1", s, total)
		}
	}
	_, total, err := db.FindOrders(ctx, opencube.OrderFilter{Enterprise: "ent"})
	if err != nil {
		t.Fatal(err)
	}
	if want := contested*racers + inserters*insertsEach; total != want {
		t.Errorf("%d orders, want %d", total, want)
	}
	events, err := db.FindEvents(ctx, "ent")
	if err != nil {
		t.Fatal(err)
	}
	if want := contested + inserters*insertsEach; len(events) != want {
		t.Errorf("%d events, want %d", len(events), want)
	}
}

// TestBatchIsolation runs concurrent writes of which every other one fails
// after writing: the failures leave nothing behind, whatever batch they
// shared with the successes, and a panicking write neither commits nor
// blocks the others.
func TestBatchIsolation(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	sims := storetest.Seed(t, db, 10)
	errFail := opencube.Errorf(opencube.KindQuota, "refused")
	const writers = 64
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			o := storetest.NewOrder(int64(i+1), sims[i%len(sims)])
			var panicked any
			err := func() (err error) {
				defer func() { panicked = recover() }()
				return db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
					if err := tx.InsertOrder(ctx, o); err != nil {
						return err
					}
					if err := tx.InsertEvent(ctx, opencube.NewEvent(opencube.EventCreateOrder, o)); err != nil {
						return err
					}
					switch i % 4 {
					case 1, 3:
						return errFail
					case 2:
						panic("write panicked")
					}
					return nil
				})
			}()
			switch {
			case i%4 == 2 && panicked == nil:
				t.Errorf("writer %d: the panic was swallowed", i)
			case i%4 == 1 || i%4 == 3:
				if err != errFail {
					t.Errorf("writer %d: UpdateOrders = %v, want fn's error", i, err)
				}
			case i%4 == 0 && err != nil:
				t.Errorf("writer %d: UpdateOrders = %v", i, err)
			}
		})
	}
	wg.Wait()
	orders, total, err := db.FindOrders(ctx, opencube.OrderFilter{Enterprise: "ent"})
	if err != nil {
		t.Fatal(err)
	}
	if total != writers/4 {
		t.Errorf("%d orders, want %d", total, writers/4)
	}
	for _, o := range orders {
		var n int
		fmt.Sscanf(o.ID, "ORDER_%d", &n)
		if (n-1)%4 != 0 {
			t.Errorf("order %s of a failed write was committed", o.ID)
		}
	}
	events, err := db.FindEvents(ctx, "ent")
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != writers/4 {
		t.Errorf("%d events, want %d", len(events), writers/4)
	}
}

// TestCancelledContext: a write whose context is done before it starts is
// not run.
func TestCancelledContext(t *testing.T) {
	db := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := db.UpdateOrders(ctx, func(opencube.OrderTx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("UpdateOrders with a cancelled context = %v, ran %v", err, ran)
	}
	if err := db.CreateEnterprise(context.Background(), &opencube.Enterprise{AccessCode: "ent", Name: "E", Secrets: []string{"12345678"}}); err != nil {
		t.Errorf("write after a cancelled one: %v", err)
	}
}

func TestReplayPurge(t *testing.T) {
	db, path := openPath(t)
	storetest.ReplayPurge(t, db, func(key string) error {
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			return err
		}
		defer raw.Close()
		_, err = raw.Exec(`UPDATE replays SET response = NULL WHERE access_code = 'ent' AND key = ?`, key)
		return err
	})
}

// BenchmarkUpdateOrdersInsert measures one write transaction that inserts an
// order and its event, from parallel goroutines.
func BenchmarkUpdateOrdersInsert(b *testing.B) {
	storetest.BenchUpdateOrdersInsert(b, func(b testing.TB) service.Store { return open(b) })
}

// BenchmarkOrderPackage measures the store's whole share of one orderPackage
// request: one order transaction that looks up the SIM and the plan, inserts
// the order and its event, and records the replay entry with the answer.
func BenchmarkOrderPackage(b *testing.B) {
	storetest.BenchOrderPackage(b, func(b testing.TB) service.Store { return open(b) })
}

// BenchmarkBulkOrder measures one order transaction for 1,000 devices.
func BenchmarkBulkOrder(b *testing.B) {
	storetest.BenchBulkOrder(b, func(b testing.TB) service.Store { return open(b) })
}

// TestOrderSeesOtherConnections: a SIM that an order transaction read and
// another connection then changed (another process sharing the file) is
// read changed by the next order transaction.
func TestOrderSeesOtherConnections(t *testing.T) {
	ctx := context.Background()
	db, path := openPath(t)
	if err := db.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "ent", Name: "E", Secrets: []string{"12345678"}}); err != nil {
		t.Fatal(err)
	}
	sim := &opencube.SIM{ICCID: "89860000000000000001", IMSI: "460010000000001", MSISDN: "8613800000001", EnterpriseCode: "ent", Status: opencube.SIMActive}
	if err := db.CreateSIMs(ctx, []*opencube.SIM{sim}); err != nil {
		t.Fatal(err)
	}
	status := func() opencube.SIMStatus {
		t.Helper()
		var got *opencube.SIM
		err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
			var err error
			got, err = tx.SIM(ctx, "ent", sim.ICCID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}
	if got := status(); got != opencube.SIMActive {
		t.Fatalf("status %v, want active", got)
	}
	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Exec(`UPDATE sims SET status = ? WHERE iccid = ?`, string(opencube.SIMSuspended), sim.ICCID); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != opencube.SIMSuspended {
		t.Errorf("status %v after another connection suspended the SIM, want suspended", got)
	}
}

// TestCloseRemovesWAL: after statements prepared on first use (the outbox's
// here), Close still closes the connection for good, so SQLite copies the
// WAL back into the file and removes it.
func TestCloseRemovesWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "opencube.db")
	db, err := sqlite.Open(ctx, path, seal.Demo())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "ent", Name: "E", Secrets: []string{"12345678"}}); err != nil {
		t.Fatal(err)
	}
	err = db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		return tx.InsertEvent(ctx, &opencube.Event{ID: "e1", EnterpriseCode: "ent", Type: opencube.EventCreateOrder,
			OrderID: "o", ICCID: "89860000000000000001", Status: opencube.OrderNotEnabled, CreatedAt: time.Unix(1, 0)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("no WAL while open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WAL file after Close: %v; want it removed", err)
	}
}

func TestLists(t *testing.T) {
	storetest.RunLists(t, func(t *testing.T) storetest.ListStore { return open(t) })
}

// TestGenerate: the benchmark data set, built in bulk, reads back as its
// Spec says.
func TestGenerate(t *testing.T) { gentest.Test(t, open(t)) }
