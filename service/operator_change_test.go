package service_test

import (
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/storetest"
)

// TestChangesWithin: an enterprise user's changes (within its enterprise)
// find another enterprise's SIMs and orders as unknown, and a bulk change
// naming one of them changes nothing.
func TestChangesWithin(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	store, svc := storetest.Demo(t, clock)
	c := &service.Changes{Store: store, Clock: clock, Orders: svc.Orders, SIMs: svc.SIMs}
	ctx := t.Context()
	const p, q = "P000270", "QY-000001"
	simP, simQ := "89852022018041800192", "89852022018041800300"

	if owner, err := c.SIMOwner(ctx, "", simQ); err != nil || owner != q {
		t.Errorf("SIMOwner of any enterprise = %q, %v", owner, err)
	}
	if _, err := c.SIMOwner(ctx, p, simQ); opencube.ErrorKind(err) != opencube.KindDeviceNotFound {
		t.Errorf("SIMOwner of another enterprise's SIM = %v, want device_not_found", err)
	}
	o, err := c.OrderPlan(ctx, p, operator.OrderRequest{ICCID: simP, PlanCode: "DP20190726001274", Periods: 1})
	if err != nil {
		t.Fatal(err)
	}
	if owner, err := c.OrderOwner(ctx, p, o.ID); err != nil || owner != p {
		t.Errorf("OrderOwner within its enterprise = %q, %v", owner, err)
	}
	if _, err := c.OrderOwner(ctx, q, o.ID); opencube.ErrorKind(err) != opencube.KindOrderNotFound {
		t.Errorf("OrderOwner of another enterprise's order = %v, want order_not_found", err)
	}
	// The SIM is P's: ordering it for Q finds no such SIM.
	if _, err := c.OrderPlan(ctx, q, operator.OrderRequest{ICCID: simP, PlanCode: "DP20201218003915", Periods: 1}); opencube.ErrorKind(err) != opencube.KindDeviceNotFound {
		t.Errorf("an order of another enterprise's SIM = %v, want device_not_found", err)
	}

	_, err = c.BulkSIMs(ctx, q, operator.BulkSIMRequest{ICCIDs: []string{simQ, simP}, Action: operator.BulkSuspend})
	if e, ok := err.(*opencube.Error); !ok || e.Kind != opencube.KindInvalid || e.Field != "iccids" {
		t.Errorf("bulk naming another enterprise's SIM = %v, want invalid iccids", err)
	}
	sims, err := store.FindSIMsByICCID(ctx, []string{simP, simQ})
	if err != nil {
		t.Fatal(err)
	}
	for _, sim := range sims {
		if sim.Status != opencube.SIMActive {
			t.Errorf("a refused bulk change moved SIM %s to %s", sim.ICCID, sim.Status)
		}
	}
	res, err := c.BulkSIMs(ctx, q, operator.BulkSIMRequest{ICCIDs: []string{simQ}, Action: operator.BulkSuspend})
	if err != nil || len(res) != 1 || !res[0].OK {
		t.Errorf("bulk of its own SIM = %+v, %v", res, err)
	}
}
