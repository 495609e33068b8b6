package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/opencube/opencube"
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
