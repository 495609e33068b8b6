package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// ChangeStore is a store that makes the operator's changes.
type ChangeStore interface {
	service.Store
	operator.ChangeStore
}

// RunChanges runs the conformance suite of operator.ChangeStore against
// stores made by open, one fresh and empty store for each test.
func RunChanges(t *testing.T, open func(t *testing.T) ChangeStore) {
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, ChangeStore, *fixture)
	}{
		{"UpdatePlan", testUpdatePlan},
		{"RevokeGrant", testRevokeGrant},
		{"UpdateEnterprise", testUpdateEnterprise},
		{"ReleaseHeld", testReleaseHeld},
		{"MoveSIMTo", testMoveSIMTo},
		{"FindSIMsByICCID", testFindSIMsByICCID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			tt.fn(t, s, seed(t, s, true))
		})
	}
}

// orderable reports whether enterprise code may order plan: listed by
// FindPlans and found by OrderTx.Plan.
func (f *fixture) orderable(t *testing.T, code, plan string) bool {
	t.Helper()
	listed, _, err := f.s.FindPlans(f.ctx, opencube.PlanFilter{Enterprise: code, Code: plan})
	if err != nil {
		t.Fatalf("FindPlans: %v", err)
	}
	var found bool
	f.update(t, func(tx opencube.OrderTx) error {
		_, err := tx.Plan(f.ctx, code, plan)
		found = err == nil
		if err != nil && opencube.ErrorKind(err) != opencube.KindPlanNotOrderable {
			return err
		}
		return nil
	})
	if found != (len(listed) == 1) {
		t.Errorf("plan %s for %s: FindPlans lists %d, OrderTx.Plan found %v", plan, code, len(listed), found)
	}
	return found
}

// testUpdatePlan: a plan's fields and status are written; a retired plan
// is no longer orderable (not listed, not found by OrderTx.Plan), and is
// again once active; a failing fn writes nothing.
func testUpdatePlan(t *testing.T, s ChangeStore, f *fixture) {
	f.orderable(t, entA, "P1") // read through any cache before the change
	p, err := s.UpdatePlan(f.ctx, "P1", func(p *opencube.Plan) error {
		p.Name, p.VolumeBytes, p.PriceMinor, p.Currency = "Renamed", 5<<30, 2999, "USD"
		p.ThrottleKbps, p.Countries, p.Status = 256, []string{"CN", "HK"}, opencube.PlanRetired
		return nil
	})
	if err != nil {
		t.Fatalf("UpdatePlan: %v", err)
	}
	want := *f.plans["P1"]
	want.Name, want.VolumeBytes, want.PriceMinor, want.Currency = "Renamed", 5<<30, 2999, "USD"
	want.ThrottleKbps, want.Countries, want.Status = 256, []string{"CN", "HK"}, opencube.PlanRetired
	if diff := cmp.Diff(&want, p, opts); diff != "" {
		t.Errorf("UpdatePlan answer (-want +got):\n%s", diff)
	}
	if f.orderable(t, entA, "P1") {
		t.Error("a retired plan is orderable")
	}
	if !f.orderable(t, entA, "P2") {
		t.Error("another plan is no longer orderable")
	}
	p, err = s.UpdatePlan(f.ctx, "P1", func(p *opencube.Plan) error {
		if diff := cmp.Diff(&want, p, opts); diff != "" {
			t.Errorf("UpdatePlan reads (-want +got):\n%s", diff)
		}
		p.Status = opencube.PlanActive
		return nil
	})
	if err != nil || p.Status != opencube.PlanActive {
		t.Fatalf("UpdatePlan(active) = %+v, %v", p, err)
	}
	if !f.orderable(t, entA, "P1") {
		t.Error("a plan made active again is not orderable")
	}
	listed, _, err := s.FindPlans(f.ctx, opencube.PlanFilter{Enterprise: entA, Code: "P1"})
	if err != nil || len(listed) != 1 {
		t.Fatalf("FindPlans = %v, %v", listed, err)
	}
	want.Status = opencube.PlanActive
	if diff := cmp.Diff(&want, listed[0], opts); diff != "" {
		t.Errorf("FindPlans after the update (-want +got):\n%s", diff)
	}

	boom := errors.New("boom")
	if _, err := s.UpdatePlan(f.ctx, "P2", func(p *opencube.Plan) error {
		p.Name, p.Status = "Lost", opencube.PlanRetired
		return boom
	}); !errors.Is(err, boom) {
		t.Errorf("UpdatePlan with a failing fn = %v, want its error", err)
	}
	if !f.orderable(t, entA, "P2") {
		t.Error("a failed update retired the plan")
	}
	_, err = s.UpdatePlan(f.ctx, "P9", func(*opencube.Plan) error { return nil })
	checkKind(t, "UpdatePlan(unknown)", err, opencube.KindPlanNotOrderable, false)
}

// testRevokeGrant: a revoked plan is no longer orderable by that
// enterprise, still by the others; revoking what is not granted is
// KindNotFound; a grant may be made again.
func testRevokeGrant(t *testing.T, s ChangeStore, f *fixture) {
	f.orderable(t, entA, "P2")
	if err := s.RevokeGrant(f.ctx, entA, "P2"); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	if f.orderable(t, entA, "P2") {
		t.Error("a revoked plan is orderable")
	}
	if !f.orderable(t, entB, "P2") {
		t.Error("the other enterprise's grant was revoked too")
	}
	checkKind(t, "revoke again", s.RevokeGrant(f.ctx, entA, "P2"), opencube.KindNotFound, false)
	checkKind(t, "revoke never granted", s.RevokeGrant(f.ctx, entA, "P4"), opencube.KindNotFound, false)
	checkKind(t, "revoke of unknown enterprise", s.RevokeGrant(f.ctx, "nobody", "P1"), opencube.KindNotFound, false)
	if err := s.GrantPlan(f.ctx, entA, "P2"); err != nil {
		t.Fatal(err)
	}
	if !f.orderable(t, entA, "P2") {
		t.Error("a plan granted again is not orderable")
	}
}

// testUpdateEnterprise: status, secrets and their ages are written, other
// fields kept; a failing fn writes nothing.
func testUpdateEnterprise(t *testing.T, s ChangeStore, f *fixture) {
	e, err := s.UpdateEnterprise(f.ctx, entA, at(time.Hour), func(e *opencube.Enterprise) error {
		if diff := cmp.Diff(newEnterprise(entA), e, opts); diff != "" {
			t.Errorf("UpdateEnterprise reads (-want +got):\n%s", diff)
		}
		e.Status = opencube.EnterpriseDisabled
		e.Secrets = append(e.Secrets, "another-secret")
		e.SecretsAdded = append(e.SecretsAdded, at(time.Hour))
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateEnterprise: %v", err)
	}
	want := newEnterprise(entA)
	want.Status = opencube.EnterpriseDisabled
	want.Secrets = append(want.Secrets, "another-secret")
	want.SecretsAdded = append(want.SecretsAdded, at(time.Hour))
	if diff := cmp.Diff(want, e, opts); diff != "" {
		t.Errorf("UpdateEnterprise answer (-want +got):\n%s", diff)
	}
	got, err := s.FindEnterprise(f.ctx, entA)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("FindEnterprise after the update (-want +got):\n%s", diff)
	}
	if got, _ := s.FindEnterprise(f.ctx, entB); got == nil || got.Disabled() {
		t.Errorf("the other enterprise = %+v, want active", got)
	}

	boom := errors.New("boom")
	if _, err := s.UpdateEnterprise(f.ctx, entA, at(time.Hour), func(e *opencube.Enterprise) error {
		e.Status, e.Secrets, e.SecretsAdded = opencube.EnterpriseActive, []string{"lost-secret"}, []time.Time{base}
		return boom
	}); !errors.Is(err, boom) {
		t.Errorf("UpdateEnterprise with a failing fn = %v, want its error", err)
	}
	if got, _ := s.FindEnterprise(f.ctx, entA); !cmp.Equal(want, got, opts) {
		t.Errorf("a failed update changed the enterprise: %+v", got)
	}
	_, err = s.UpdateEnterprise(f.ctx, "nobody", at(time.Hour), func(*opencube.Enterprise) error { return nil })
	checkKind(t, "UpdateEnterprise(unknown)", err, opencube.KindUnauthenticated, false)
}

// testReleaseHeld: enabling a disabled enterprise makes the jobs of its
// pending deliveries and queued messages due at once, and only those; a
// job a worker holds meanwhile (finding the enterprise disabled) is
// released, and that worker's outcome changes nothing.
func testReleaseHeld(t *testing.T, s ChangeStore, f *fixture) {
	f.putWebhook(t, newWebhook(entA))
	f.putWebhook(t, newWebhook(entB))
	o := f.newOrder(1, f.sims[1], "P1", base)
	ob := f.newOrder(2, f.sims[6], "P2", base)
	f.insertEvents(t, orderEvent("EV_A", o, opencube.EventCreateOrder, base), orderEvent("EV_B", ob, opencube.EventCreateOrder, base),
		orderEvent("EV_A2", o, opencube.EventCreateOrder, base))
	later := at(24 * time.Hour)
	err := s.UpdateSMS(f.ctx, func(tx opencube.SMSTx) error {
		for _, sim := range []*opencube.SIM{f.sims[1], f.sims[6]} {
			m := &opencube.SMS{
				ID: "SMS_" + sim.EnterpriseCode, EnterpriseCode: sim.EnterpriseCode, ICCID: sim.ICCID, MSISDN: sim.MSISDN,
				Direction: opencube.SMSMT, Type: opencube.SMSText, Content: "hi", Encoding: "gsm7", Segments: 1,
				State: opencube.SMSQueued, CreatedAt: base.UTC(), UpdatedAt: base.UTC(),
			}
			if err := tx.InsertSMS(f.ctx, m); err != nil {
				return err
			}
			for _, kind := range []string{opencube.JobSendSMS, opencube.JobExpireSMS} {
				if err := tx.InsertJob(f.ctx, &opencube.Job{ID: kind + m.ID, Kind: kind, Key: m.ID, RunAt: later}); err != nil {
					return err
				}
			}
		}
		// The deliveries wait too (as a held delivery does).
		for _, id := range []string{"EV_A", "EV_B"} {
			if err := tx.InsertJob(f.ctx, &opencube.Job{ID: "J" + id, Kind: opencube.JobDeliver, Key: id, RunAt: later}); err != nil {
				return err
			}
		}
		// This one is due, and a worker will hold it.
		return tx.InsertJob(f.ctx, &opencube.Job{ID: "JEV_A2", Kind: opencube.JobDeliver, Key: "EV_A2", RunAt: at(time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	runAt := func() map[string]time.Time {
		jobs, err := s.FindJobs(f.ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]time.Time{}
		for _, j := range jobs {
			out[j.Kind+" "+j.Key] = j.RunAt
		}
		return out
	}
	setStatus := func(st opencube.EnterpriseStatus, now time.Time) {
		t.Helper()
		if _, err := s.UpdateEnterprise(f.ctx, entA, now, func(e *opencube.Enterprise) error { e.Status = st; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	before := runAt()
	setStatus(opencube.EnterpriseDisabled, at(time.Hour))
	setStatus(opencube.EnterpriseDisabled, at(time.Hour)) // still disabled: nothing to release
	if diff := cmp.Diff(before, runAt()); diff != "" {
		t.Errorf("disabling moved jobs (-before +after):\n%s", diff)
	}
	now := at(time.Hour)
	claimed, err := s.ClaimJobs(f.ctx, "w1", []string{opencube.JobDeliver}, 10, now, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].Key != "EV_A2" {
		t.Fatalf("ClaimJobs = %v, %v; want the job of EV_A2", claimed, err)
	}
	setStatus(opencube.EnterpriseActive, now)
	// The worker that held it while disabled settles it as held.
	checkKind(t, "RetryJob by the worker that held it", s.RetryJob(f.ctx, claimed[0].ID, "w1", later, ""), opencube.KindConflict, false)
	want := map[string]time.Time{
		opencube.JobDeliver + " EV_A": now, opencube.JobDeliver + " EV_B": later, opencube.JobDeliver + " EV_A2": now,
		opencube.JobSendSMS + " SMS_" + entA: now, opencube.JobSendSMS + " SMS_" + entB: later,
		opencube.JobExpireSMS + " SMS_" + entA: later, opencube.JobExpireSMS + " SMS_" + entB: later,
	}
	if diff := cmp.Diff(want, runAt()); diff != "" {
		t.Errorf("jobs after enabling (-want +got):\n%s", diff)
	}
	setStatus(opencube.EnterpriseActive, at(2*time.Hour)) // already active: nothing moves
	if diff := cmp.Diff(want, runAt()); diff != "" {
		t.Errorf("enabling an active enterprise moved jobs (-want +got):\n%s", diff)
	}
}

// testMoveSIMTo: a SIM without an order not over moves to another
// enterprise, its orders of the past stay its first enterprise's; a SIM
// with an order in use, suspended or not enabled stays.
func testMoveSIMTo(t *testing.T, s ChangeStore, f *fixture) {
	sim1, sim2 := f.sims[1], f.sims[2]
	done := withStatus(f.newOrder(1, sim1, "P1", base), opencube.OrderExpired)
	pending := f.newOrder(2, sim2, "P1", base)
	f.insert(t, done, pending)
	// Read SIM 1 through the order book first, so that a store that
	// caches it must forget it.
	f.update(t, func(tx opencube.OrderTx) error { _, err := tx.SIM(f.ctx, entA, sim1.ICCID); return err })

	got, err := s.MoveSIMTo(f.ctx, sim1.ICCID, entB)
	if err != nil {
		t.Fatalf("MoveSIMTo: %v", err)
	}
	want := *sim1
	want.EnterpriseCode = entB
	if diff := cmp.Diff(&want, got, opts); diff != "" {
		t.Errorf("MoveSIMTo answer (-want +got):\n%s", diff)
	}
	f.update(t, func(tx opencube.OrderTx) error {
		_, err := tx.SIM(f.ctx, entA, sim1.ICCID)
		checkKind(t, "the first enterprise's SIM", err, opencube.KindDeviceNotFound, false)
		got, err := tx.SIM(f.ctx, entB, sim1.ICCID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(&want, got, opts); diff != "" {
			t.Errorf("the new enterprise's SIM (-want +got):\n%s", diff)
		}
		o, err := tx.Order(f.ctx, entA, done.ID)
		if err != nil || o.EnterpriseCode != entA {
			t.Errorf("the past order = %+v, %v; want kept by %s", o, err, entA)
		}
		return nil
	})
	if again, err := s.MoveSIMTo(f.ctx, sim1.ICCID, entB); err != nil || again.EnterpriseCode != entB {
		t.Errorf("MoveSIMTo to its own enterprise = %+v, %v", again, err)
	}

	// An order not over holds the SIM, whatever its state.
	for _, st := range []opencube.OrderStatus{opencube.OrderNotEnabled, opencube.OrderInUse, opencube.OrderSuspended} {
		o := *pending
		withStatus(&o, st)
		f.update(t, func(tx opencube.OrderTx) error { return tx.UpdateOrder(f.ctx, &o) })
		_, err := s.MoveSIMTo(f.ctx, sim2.ICCID, entB)
		checkKind(t, fmt.Sprintf("move of a SIM with an order of status %d", st), err, opencube.KindOrderState, false)
		var e *opencube.Error
		if errors.As(err, &e) && (e.Cause != opencube.CauseSIMHasOrder || len(e.Args) != 1 || e.Args[0] != pending.ID) {
			t.Errorf("refusal names %s %q, want %s [%s]", e.Cause, e.Args, opencube.CauseSIMHasOrder, pending.ID)
		}
	}
	f.update(t, func(tx opencube.OrderTx) error {
		sim, err := tx.SIM(f.ctx, entA, sim2.ICCID)
		if err == nil && sim.EnterpriseCode != entA {
			t.Errorf("a refused move moved the SIM: %+v", sim)
		}
		return err
	})
	_, err = s.MoveSIMTo(f.ctx, "89860000000000000999", entB)
	checkKind(t, "move of an unknown SIM", err, opencube.KindDeviceNotFound, false)
	_, err = s.MoveSIMTo(f.ctx, f.sims[3].ICCID, "nobody")
	checkKind(t, "move to an unknown enterprise", err, opencube.KindUnauthenticated, false)
}

// testFindSIMsByICCID: SIMs of any enterprise, ICCID order, the unknown
// left out.
func testFindSIMsByICCID(t *testing.T, s ChangeStore, f *fixture) {
	got, err := s.FindSIMsByICCID(f.ctx, []string{f.sims[7].ICCID, "89860000000000000999", f.sims[2].ICCID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*opencube.SIM{f.sims[2], f.sims[7]}, got, opts); diff != "" {
		t.Errorf("FindSIMsByICCID (-want +got):\n%s", diff)
	}
	if got, err := s.FindSIMsByICCID(f.ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("FindSIMsByICCID(none) = %v, %v", got, err)
	}
}
