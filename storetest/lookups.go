package storetest

import (
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// testTxLookupsFresh: a SIM or plan read by one order transaction and
// changed by a later write of another kind (a SIM state move, a new grant)
// is seen changed by the next order transaction, as is a transaction that
// failed after reading, and stores that keep what order transactions read
// must drop it then.
func testTxLookupsFresh(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	sim := f.sims[1]
	read := func() (*opencube.SIM, error) {
		var got *opencube.SIM
		err := f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error {
			var err error
			got, err = tx.SIM(f.ctx, entA, sim.ICCID)
			return err
		})
		return got, err
	}
	if got, err := read(); err != nil || got.Status != opencube.SIMActive {
		t.Fatalf("SIM before the move: %+v, %v", got, err)
	}
	move := func(to opencube.SIMStatus) {
		t.Helper()
		err := f.s.UpdateUsage(f.ctx, func(tx opencube.UsageTx) error { return tx.UpdateSIMStatus(f.ctx, sim.ICCID, to) })
		if err != nil {
			t.Fatalf("UpdateSIMStatus(%v): %v", to, err)
		}
	}
	move(opencube.SIMSuspended)
	if got, err := read(); err != nil || got.Status != opencube.SIMSuspended {
		t.Fatalf("SIM after the move: %+v, %v; want it suspended", got, err)
	}
	// A rolled-back order transaction after the read, then a move back.
	f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error {
		tx.SIM(f.ctx, entA, sim.ICCID)
		return opencube.Errorf(opencube.KindInvalid, "changed my mind")
	})
	move(opencube.SIMActive)
	if got, err := read(); err != nil || got.Status != opencube.SIMActive {
		t.Fatalf("SIM after moving back: %+v, %v; want it active", got, err)
	}

	// A plan not orderable, then granted.
	plan := func() error {
		return f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error {
			_, err := tx.Plan(f.ctx, entA, "P4")
			return err
		})
	}
	checkKind(t, "plan before its grant", plan(), opencube.KindPlanNotOrderable, true)
	if err := f.s.GrantPlan(f.ctx, entA, "P4"); err != nil {
		t.Fatal(err)
	}
	if err := plan(); err != nil {
		t.Fatalf("plan after its grant: %v", err)
	}
}
