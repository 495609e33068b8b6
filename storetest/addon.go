package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
	"github.com/opencube/opencube/service"
)

// testAddOns: plans keep their add-on flags; an add-on is written with the
// change that makes it, or not at all; rating spends the live add-ons of an
// order oldest first; an add-on is over at its end (the cycle boundary),
// and ended when its order is suspended, not restored on resume.
func testAddOns(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	s, ctx := f.s, f.ctx
	base := newPlan("PB", opencube.PlanMonthly)
	base.AllowAddOn = true
	extra := newPlan("PX", opencube.PlanMonthly)
	extra.AddOn, extra.VolumeBytes = true, 100
	for _, p := range []*opencube.Plan{base, extra} {
		f.plans[p.Code] = p
		if err := s.CreatePlan(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.GrantPlan(ctx, entA, p.Code); err != nil {
			t.Fatal(err)
		}
	}
	sim := f.sims[1]
	o := withStatus(f.newOrder(1, sim, "PB", at(0)), opencube.OrderInUse)
	f.insert(t, o)
	f.update(t, func(tx opencube.OrderTx) error {
		for _, want := range []*opencube.Plan{base, extra} {
			got, err := tx.Plan(ctx, entA, want.Code)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(want, got, opts); diff != "" {
				t.Errorf("plan %s (-want +got):\n%s", want.Code, diff)
			}
		}
		for code, want := range map[string]bool{"PB": true, "PX": false, "P1": false, "nope": false} {
			if got, err := tx.(addon.Tx).AllowsAddOns(ctx, code); err != nil || got != want {
				t.Errorf("AllowsAddOns(%s) = %v, %v; want %v", code, got, err, want)
			}
		}
		return nil
	})
	end := at(24 * time.Hour)
	newAddOn := func(id string, started time.Time) *addon.AddOn {
		return &addon.AddOn{ID: id, EnterpriseCode: entA, ICCID: sim.ICCID, OrderID: o.ID, PlanCode: "PX", PlanName: extra.Name,
			VolumeBytes: 100, Status: addon.Live, StartedAt: started, EndsAt: end}
	}
	a1, a2 := newAddOn(orderID(11), at(time.Hour)), newAddOn(orderID(12), at(2*time.Hour))
	add := func(a *addon.AddOn, fail error) error {
		return s.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
			if err := tx.(addon.Tx).InsertAddOn(ctx, a); err != nil {
				return err
			}
			if err := tx.InsertEvent(ctx, &opencube.Event{ID: "ev-" + a.ID, EnterpriseCode: entA, Type: opencube.EventCreateOrder,
				OrderID: a.ID, ICCID: a.ICCID, Status: opencube.OrderInUse, CreatedAt: a.StartedAt}); err != nil {
				return err
			}
			return fail
		})
	}
	boom := errors.New("boom")
	if err := add(a1, boom); !errors.Is(err, boom) {
		t.Fatalf("a failing change: %v", err)
	}
	if got, err := s.FindAddOns(ctx, sim.ICCID); err != nil || len(got) != 0 {
		t.Fatalf("a rolled-back change left add-ons %+v, %v", got, err)
	}
	if err := add(a1, nil); err != nil {
		t.Fatal(err)
	}
	checkKind(t, "the same add-on again", add(a1, nil), opencube.KindConflict, false)
	if err := add(a2, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindAddOns(ctx, sim.ICCID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*addon.AddOn{a1, a2}, got, opts); diff != "" {
		t.Errorf("FindAddOns (-want +got):\n%s", diff)
	}
	events, err := s.FindEvents(ctx, entA)
	if err != nil || len(events) != 2 {
		t.Errorf("events of the add-ons: %d, %v; want 2", len(events), err)
	}

	volumes := func(when time.Time) map[string]addon.Volume {
		t.Helper()
		v, err := s.LiveVolumes(ctx, []string{o.ID, orderID(99)}, when)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if diff := cmp.Diff(map[string]addon.Volume{o.ID: {Bytes: 200, Left: 200}}, volumes(at(3*time.Hour)), opts); diff != "" {
		t.Errorf("LiveVolumes (-want +got):\n%s", diff)
	}
	if v := volumes(end); len(v) != 0 {
		t.Errorf("LiveVolumes at the cycle's end: %+v, want none", v)
	}
	spend := func(bytes int64, when time.Time) (spent, left int64) {
		t.Helper()
		if err := s.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
			var err error
			spent, left, err = tx.(addon.Tx).SpendAddOns(ctx, o.ID, bytes, when)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return spent, left
	}
	if spent, left := spend(130, at(3*time.Hour)); spent != 130 || left != 70 {
		t.Errorf("spending 130: spent %d, left %d; want 130, 70", spent, left)
	}
	if spent, left := spend(500, end); spent != 0 || left != 0 {
		t.Errorf("spending at the cycle's end: spent %d, left %d; want 0, 0", spent, left)
	}
	got, _ = s.FindAddOns(ctx, sim.ICCID)
	if len(got) != 2 || got[0].UsedBytes != 100 || got[1].UsedBytes != 30 {
		t.Errorf("used after spending, oldest first: %+v", got)
	}
	if diff := cmp.Diff(map[string]addon.Volume{o.ID: {Bytes: 200, Left: 70}}, volumes(at(3*time.Hour)), opts); diff != "" {
		t.Errorf("LiveVolumes after spending (-want +got):\n%s", diff)
	}

	// Suspending the order ends its add-ons; resuming does not restore them.
	suspended := at(4 * time.Hour)
	f.update(t, func(tx opencube.OrderTx) error {
		o.Status, o.UpdatedAt = opencube.OrderSuspended, suspended
		return tx.UpdateOrder(ctx, o)
	})
	f.update(t, func(tx opencube.OrderTx) error {
		o.Status, o.UpdatedAt = opencube.OrderInUse, at(5*time.Hour)
		return tx.UpdateOrder(ctx, o)
	})
	got, _ = s.FindAddOns(ctx, sim.ICCID)
	for _, a := range got {
		if a.Status != addon.Ended || a.EndedAt == nil || !a.EndedAt.Equal(suspended) {
			t.Errorf("add-on %s after suspend and resume: status %d, ended %v; want %d at %v", a.ID, a.Status, a.EndedAt, addon.Ended, suspended)
		}
	}
	if v := volumes(at(6 * time.Hour)); len(v) != 0 {
		t.Errorf("LiveVolumes after suspend and resume: %+v, want none", v)
	}
	if spent, left := spend(10, at(6*time.Hour)); spent != 0 || left != 0 {
		t.Errorf("spending after suspend: spent %d, left %d", spent, left)
	}
}
