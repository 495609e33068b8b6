package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/storetest"
)

// TestSIMAndPlan: the SIM and the plan read in one round trip answer as
// SIM then Plan would, the SIM's error first.
func TestSIMAndPlan(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	sims := storetest.Seed(t, db, 1)
	tests := []struct {
		name, iccid, plan string
		kind              opencube.Kind
	}{
		{"both", sims[0].ICCID, "P", ""},
		{"unknown SIM", "89860000000000099999", "P", opencube.KindDeviceNotFound},
		{"unknown SIM and plan", "89860000000000099999", "X", opencube.KindDeviceNotFound},
		{"unknown plan", sims[0].ICCID, "X", opencube.KindPlanNotOrderable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
				sim, plan, err := tx.(*orderTx).SIMAndPlan(ctx, "ent", tt.iccid, tt.plan)
				if err == nil && (sim.ICCID != tt.iccid || plan.Code != tt.plan) {
					t.Errorf("SIMAndPlan = %s, %s; want %s, %s", sim.ICCID, plan.Code, tt.iccid, tt.plan)
				}
				// The plan's billing terms came with them, for the charge.
				if k := tx.(*orderTx).terms; err == nil && (k == nil || k.plan != tt.plan || k.price.AmountMinor != plan.PriceMinor || k.price.Currency != plan.Currency) {
					t.Errorf("terms read with the SIM and plan: %+v; want the price of plan %s", k, tt.plan)
				}
				// The transaction goes on after either answer.
				if _, err := tx.SIM(ctx, "ent", sims[0].ICCID); err != nil {
					t.Errorf("SIM after SIMAndPlan: %v", err)
				}
				return err
			})
			if got := opencube.ErrorKind(err); got != tt.kind {
				t.Errorf("error %v, kind %q; want kind %q", err, got, tt.kind)
			}
		})
	}
}

// TestDeferredWrites: writes whose outcome is sent with a later statement
// or the commit still fail the call as they would have at once: the
// transaction runs again with each write on its own, and fn sees the
// write's error where it made it.
func TestDeferredWrites(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	sims := storetest.Seed(t, db, 2)
	o1 := storetest.NewOrder(1, sims[0])
	if err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error { return tx.InsertOrder(ctx, o1) }); err != nil {
		t.Fatal(err)
	}
	errLater := errors.New("a later check failed")
	tests := []struct {
		name  string
		after func(tx opencube.OrderTx) error // after inserting o1 again
	}{
		{"a read follows", func(tx opencube.OrderTx) error { _, err := tx.SIM(ctx, "ent", sims[1].ICCID); return err }},
		{"fn fails after", func(opencube.OrderTx) error { return errLater }},
		{"the commit follows", func(opencube.OrderTx) error { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := 0
			var first error
			err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
				runs++
				if err := tx.InsertOrder(ctx, o1); err != nil {
					first = err
					return err
				}
				return tt.after(tx)
			})
			if opencube.ErrorKind(err) != opencube.KindConflict || opencube.ErrorKind(first) != opencube.KindConflict {
				t.Errorf("UpdateOrders = %v, InsertOrder = %v; want conflicts", err, first)
			}
			if runs != 2 {
				t.Errorf("fn ran %d times, want 2", runs)
			}
		})
	}
	if _, total, err := db.FindOrders(ctx, opencube.OrderFilter{Enterprise: "ent"}); err != nil || total != 1 {
		t.Errorf("FindOrders total = %d, %v; want 1", total, err)
	}
}

// TestMerge: deferred writes made with distinct mergeable statements that
// follow each other go as one statement with their parameters renumbered;
// a statement met again, a write that is not deferred or not mergeable
// starts a new run, and the order of the writes is kept.
func TestMerge(t *testing.T) {
	a := mergeable(`ta_x AS (INSERT INTO ta (k) VALUES ($1) RETURNING k)`, `INSERT INTO tb (k, v) SELECT k, $2 FROM ta_x`)
	b := mergeable("", `INSERT INTO tc (k) VALUES ($1)`)
	other := `UPDATE td SET v = $1`
	q := func(sql string, deferred bool, args ...any) queued {
		return queued{sql: sql, args: args, deferred: deferred}
	}
	got := merge([]queued{
		q(sqlBegin, false),
		q(a, true, 1, 2), q(b, true, 3), // joined
		q(a, true, 4, 5), // a again: a new run
		q(other, true, 6),
		q(b, true, 7), q(a, true, 8, 9), // joined, in their order
		q(b, false, 10), // not deferred: alone
	})
	want := []queued{
		q(sqlBegin, false),
		q(`WITH ta_x AS (INSERT INTO ta (k) VALUES ($1) RETURNING k), w0 AS (INSERT INTO tb (k, v) SELECT k, $2 FROM ta_x), w1 AS (INSERT INTO tc (k) VALUES ($3)) SELECT 1`, true, 1, 2, 3),
		q(a, true, 4, 5),
		q(other, true, 6),
		q(`WITH w0 AS (INSERT INTO tc (k) VALUES ($1)), ta_x AS (INSERT INTO ta (k) VALUES ($2) RETURNING k), w1 AS (INSERT INTO tb (k, v) SELECT k, $3 FROM ta_x) SELECT 1`, true, 7, 8, 9),
		q(b, false, 10),
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(queued{})); diff != "" {
		t.Errorf("merge (-want +got):\n%s", diff)
	}
}

// TestMergedOrderWrites: an order's row, its event with its delivery and
// job, its ledger line and its replay entry, deferred, commit as one
// statement; when that statement fails (a replay entry in the way), the
// transaction runs again with each write alone and the caller sees the
// failure of the write that made it (an event id taken).
func TestMergedOrderWrites(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	sims := storetest.Seed(t, db, 2)
	write := func(o *opencube.Order, e *opencube.Event, key string) (int, error) {
		runs := 0
		err := db.UpdateOrdersClaiming(ctx, nil, func(tx opencube.OrderTx) error {
			runs++
			if err := tx.InsertOrder(ctx, o); err != nil {
				return err
			}
			if err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
			if err := tx.(*orderTx).InsertLine(ctx, &billing.Line{ID: opencube.NewUUID(), Enterprise: "ent", Month: 202612,
				CreatedAt: o.OrderedAt, Kind: billing.KindOrder, Currency: "CNY", AmountMinor: -100, OrderID: o.ID, ICCID: o.ICCID}); err != nil {
				return err
			}
			_, err := tx.(*orderTx).claimReplay(ctx, &opencube.Replay{AccessCode: "ent", Key: key, Fingerprint: "f", Response: []byte("{}"),
				ExpiresAt: o.OrderedAt.Add(time.Hour)}, o.OrderedAt)
			return err
		})
		return runs, err
	}
	o1 := storetest.NewOrder(1, sims[0])
	e1 := opencube.NewEvent(opencube.EventCreateOrder, o1)
	if runs, err := write(o1, e1, "k1"); err != nil || runs != 1 {
		t.Fatalf("first order: %d runs, %v; want 1 run, nil", runs, err)
	}
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM orders WHERE id = $1) + (SELECT count(*) FROM events WHERE order_id = $1)
		+ (SELECT count(*) FROM ledger_lines WHERE order_id = $1) + (SELECT count(*) FROM replays WHERE key = 'k1')`, o1.ID).Scan(&n); err != nil || n != 4 {
		t.Fatalf("rows written: %d, %v; want 4", n, err)
	}
	o2 := storetest.NewOrder(2, sims[1])
	e2 := opencube.NewEvent(opencube.EventCreateOrder, o2)
	e2.ID = e1.ID
	runs, err := write(o2, e2, "k2")
	if opencube.ErrorKind(err) != opencube.KindConflict || runs != 2 {
		t.Fatalf("order whose event id is taken: %d runs, %v; want 2 runs and a conflict", runs, err)
	}
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM orders WHERE id = $1`, o2.ID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("orders of the failed transaction: %d, %v; want 0", n, err)
	}
}
