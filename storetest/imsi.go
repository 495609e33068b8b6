package storetest

import (
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// testSIMIMSI: a SIM takes a new IMSI (RADIUS finds it by the new one, not
// the old), an IMSI another SIM has is refused, and an order's IMSI is
// written by UpdateOrder.
func testSIMIMSI(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	sim, other := f.sims[1], f.sims[2]
	const imsi = "460019999999999"
	usage := func(fn func(tx opencube.UsageTx) error) error { return f.s.UpdateUsage(f.ctx, fn) }
	if err := usage(func(tx opencube.UsageTx) error { return tx.UpdateSIMIMSI(f.ctx, sim.ICCID, imsi) }); err != nil {
		t.Fatalf("UpdateSIMIMSI: %v", err)
	}
	err := usage(func(tx opencube.UsageTx) error {
		got, err := tx.SIMByICCID(f.ctx, sim.ICCID)
		if err != nil || got.IMSI != imsi {
			t.Errorf("SIM after UpdateSIMIMSI = %+v, %v; want IMSI %s", got, err, imsi)
		}
		if sub, err := tx.Subscriber(f.ctx, imsi); err != nil || sub == nil || sub.SIM.ICCID != sim.ICCID {
			t.Errorf("Subscriber(new IMSI) = %+v, %v; want SIM %s", sub, err, sim.ICCID)
		}
		if sub, err := tx.Subscriber(f.ctx, sim.IMSI); err != nil || sub != nil {
			t.Errorf("Subscriber(old IMSI) = %+v, %v; want none", sub, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkKind(t, "UpdateSIMIMSI to another SIM's IMSI",
		usage(func(tx opencube.UsageTx) error { return tx.UpdateSIMIMSI(f.ctx, sim.ICCID, other.IMSI) }), opencube.KindConflict, true)
	checkKind(t, "UpdateSIMIMSI of an unknown SIM",
		usage(func(tx opencube.UsageTx) error {
			return tx.UpdateSIMIMSI(f.ctx, "89860000000000009999", "460018888888888")
		}), opencube.KindDeviceNotFound, true)

	o := f.newOrder(1, sim, "P1", base)
	f.insert(t, o)
	o.IMSI = imsi
	f.update(t, func(tx opencube.OrderTx) error { return tx.UpdateOrder(f.ctx, o) })
	f.update(t, func(tx opencube.OrderTx) error {
		got, err := tx.OrderByID(f.ctx, o.ID)
		if err != nil || got.IMSI != imsi {
			t.Errorf("order after UpdateOrder = %+v, %v; want IMSI %s", got, err, imsi)
		}
		return nil
	})
}
