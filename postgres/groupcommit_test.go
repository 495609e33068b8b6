package postgres

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/storetest"
)

// TestClaimSlot: every lane of shared commits holds a slot no other lane
// has, on this DB and on another node's.
func TestClaimSlot(t *testing.T) {
	url := newSchema(t)
	seen := map[string]bool{}
	for range 2 {
		db := openURL(t, url, Options{MaxConns: 8})
		if db.group == nil || len(db.group.lanes) < 2 {
			t.Fatalf("shared commits on a pool of 8: %+v; want 2 lanes at least", db.group)
		}
		for _, l := range db.group.lanes {
			if l.slot == "" || seen[l.slot] {
				t.Fatalf("lane's slot %q; slots of the other lanes: %v", l.slot, seen)
			}
			seen[l.slot] = true
		}
	}
	// A pool too small for lanes has none.
	if db := openURL(t, url, Options{MaxConns: 3}); db.group != nil {
		t.Errorf("shared commits on a pool of 3: %d lanes; want none", len(db.group.lanes))
	}
}

// sharedOrders runs an order transaction for each SIM at once, made to
// share one commit: a first transaction of the same lane waits for a lock
// held meanwhile, so that the others wait for its lane together. It
// returns each transaction's error and runs, and the sizes of the shared
// commits.
func sharedOrders(t *testing.T, db *DB, first *opencube.SIM, sims []*opencube.SIM, eventID map[string]string) (errs []error, runs []int, groups []int) {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	db.ObserveSharedCommits(func(n int, _ time.Duration) {
		mu.Lock()
		groups = append(groups, n)
		mu.Unlock()
	})
	// Hold the first SIM's event number.
	blocker, err := db.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback(ctx)
	if _, err := blocker.Exec(ctx, `INSERT INTO sim_event_seqs (iccid, seq) VALUES ($1, 0) ON CONFLICT (iccid) DO UPDATE SET seq = sim_event_seqs.seq`, first.ICCID); err != nil {
		t.Fatal(err)
	}
	all := append([]*opencube.SIM{first}, sims...)
	errs, runs = make([]error, len(all)), make([]int, len(all))
	var wg sync.WaitGroup
	start := func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sim := all[i]
			errs[i] = db.UpdateOrdersClaiming(ctx, nil, func(tx opencube.OrderTx) error {
				runs[i]++
				if _, _, err := tx.(*orderTx).SIMAndPlan(ctx, "ent", sim.ICCID, "P"); err != nil {
					return err
				}
				o := storetest.NewOrder(int64(100+i), sim)
				if err := tx.InsertOrder(ctx, o); err != nil {
					return err
				}
				e := opencube.NewEvent(opencube.EventCreateOrder, o)
				if id := eventID[sim.ICCID]; id != "" {
					e.ID = id
				}
				return tx.InsertEvent(ctx, e)
			})
		}()
	}
	start(0)
	waitFor(t, "the first transaction's commit to wait for the lock", func() bool {
		var n int
		err := db.pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE NOT granted`).Scan(&n)
		return err == nil && n > 0
	})
	for i := 1; i < len(all); i++ {
		start(i)
	}
	waitFor(t, "the others to wait for the lane", func() bool { return db.group.queued.Load() == int32(len(sims)) })
	if err := blocker.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return errs, runs, groups
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// laneSIMs returns a SIM and n others whose transactions go to its lane.
func laneSIMs(t *testing.T, db *DB, sims []*opencube.SIM, n int) (*opencube.SIM, []*opencube.SIM) {
	t.Helper()
	first := sims[0]
	var out []*opencube.SIM
	for _, s := range sims[1:] {
		if db.group.laneOf(s.ICCID) == db.group.laneOf(first.ICCID) && len(out) < n {
			out = append(out, s)
		}
	}
	if len(out) < n {
		t.Fatalf("%d SIMs in the first one's lane; want %d", len(out), n)
	}
	return first, out
}

// TestSharedCommit: order transactions that commit at the same time share
// one transaction, and each change is there whole: its order, its event,
// and the counts the triggers keep.
func TestSharedCommit(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	first, others := laneSIMs(t, db, storetest.Seed(t, db, 60), 5)
	errs, runs, groups := sharedOrders(t, db, first, others, nil)
	for i, err := range errs {
		if err != nil || runs[i] != 1 {
			t.Errorf("order %d: %d runs, %v; want 1 run, nil", i, runs[i], err)
		}
	}
	if len(groups) != 2 || groups[0] != 1 || groups[1] != 5 {
		t.Errorf("shared commits of %v transactions; want 1 (the one that waited for the lock), then 5", groups)
	}
	var orders, events, counted int
	if err := db.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM events),
		(SELECT COALESCE(sum(n), 0) FROM order_counts WHERE enterprise_code = 'ent')`).Scan(&orders, &events, &counted); err != nil {
		t.Fatal(err)
	}
	if orders != 6 || events != 6 || counted != 6 {
		t.Errorf("%d orders, %d events, counted %d; want 6 of each", orders, events, counted)
	}
	// The shared commits counted in the rows of their lane's slot; a
	// transaction of its own counts in its ICCID's shard.
	alone := storetest.NewOrder(200, others[0])
	alone.Status = opencube.OrderEnded
	if err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		if _, err := tx.SIM(ctx, "ent", alone.ICCID); err != nil { // begins the transaction
			return err
		}
		return tx.InsertOrder(ctx, alone)
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.pool.Query(ctx, `SELECT shard, status::text, n::text FROM order_counts ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var shard, status, n string
		err := r.Scan(&shard, &status, &n)
		return shard + " " + status + " " + n, err
	})
	want := []string{
		alone.ICCID[len(alone.ICCID)-2:] + " " + strconv.Itoa(int(opencube.OrderEnded)) + " 1",
		"L" + db.group.lanes[db.group.laneOf(first.ICCID)].slot + " " + strconv.Itoa(int(opencube.OrderNotEnabled)) + " 6",
	}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("order counts (shard, status, n): %q, %v; want %q", got, err, want)
	}
}

// TestSharedCommitFailure: when one transaction's write fails in a shared
// commit, the others commit without it, and it runs again on its own,
// where its caller gets the failure as without sharing.
func TestSharedCommitFailure(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	sims := storetest.Seed(t, db, 60)
	first, others := laneSIMs(t, db, sims, 4)
	// An event whose id the third transaction will take again.
	taken := storetest.NewOrder(1, sims[len(sims)-1])
	e := opencube.NewEvent(opencube.EventCreateOrder, taken)
	if err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		if err := tx.InsertOrder(ctx, taken); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, e)
	}); err != nil {
		t.Fatal(err)
	}
	errs, runs, groups := sharedOrders(t, db, first, others, map[string]string{others[1].ICCID: e.ID})
	for i, err := range errs {
		switch {
		case i == 2:
			if opencube.ErrorKind(err) != opencube.KindConflict || runs[i] != 2 {
				t.Errorf("order whose event id is taken: %d runs, %v; want 2 runs and a conflict", runs[i], err)
			}
		case err != nil || runs[i] != 1:
			t.Errorf("order %d: %d runs, %v; want 1 run, nil", i, runs[i], err)
		}
	}
	if len(groups) != 2 || groups[0] != 1 || groups[1] != 3 {
		t.Errorf("shared commits of %v transactions; want 1, then 3 (4 less the one that failed)", groups)
	}
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&n); err != nil || n != 5 {
		t.Errorf("%d orders, %v; want 5: the first, and 4 of the 5 shared", n, err)
	}
}

// TestSharedCommitReconnects: a lane whose connection the server closed
// (a restart, an administrator) commits on a new one, with a slot.
func TestSharedCommitReconnects(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	sims := storetest.Seed(t, db, 2)
	l := db.group.lanes[db.group.laneOf(sims[0].ICCID)]
	if _, err := db.pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, l.conn.Conn().PgConn().PID()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(idleCheck + 100*time.Millisecond)
	err := db.UpdateOrdersClaiming(ctx, nil, func(tx opencube.OrderTx) error {
		if _, _, err := tx.(*orderTx).SIMAndPlan(ctx, "ent", sims[0].ICCID, "P"); err != nil {
			return err
		}
		return tx.InsertOrder(ctx, storetest.NewOrder(1, sims[0]))
	})
	if err != nil || l.conn == nil || l.slot == "" {
		t.Fatalf("order after the lane's connection was closed: %v (slot %q)", err, l.slot)
	}
	if orders, _, err := db.FindOrders(ctx, opencube.OrderFilter{Enterprise: "ent"}); err != nil || len(orders) != 1 {
		t.Fatalf("orders: %d, %v; want 1", len(orders), err)
	}
}
