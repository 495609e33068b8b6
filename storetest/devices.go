package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// testDevices: a SIM's labels are patched field by field, with their
// replay entry in the same transaction, and only by the SIM's enterprise;
// a SIM's lock is written in an order transaction and found by IMSI; the
// SIMs of a device, a SIM's open sessions, and FindDevices' latest session
// (open or closed) and first activation.
func testDevices(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	s, ctx := f.s, context.Background()
	sim := f.sims[1]

	l, err := s.FindSIMLabels(ctx, sim.ICCID)
	if err != nil || len(l.Tags) != 0 || l.Notes != "" || l.DeviceName != "" {
		t.Fatalf("labels never set: %+v, %v", l, err)
	}
	render := func(l *operator.SIMLabels) []byte { return []byte(l.Notes + "|" + l.DeviceName) }
	entry := func(key string) *opencube.Replay {
		return &opencube.Replay{AccessCode: entA, Key: key, Fingerprint: "PATCH", ExpiresAt: at(time.Hour)}
	}
	tags, notes, name := []string{"a", "b"}, "n1", "d1"
	claim := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("p1")}, Now: base}
	if _, err := s.PatchSIMLabels(ctx, entA, sim.ICCID, operator.SIMLabelPatch{Tags: &tags, Notes: &notes}, at(time.Minute), claim, render); err != nil || !claim.Recorded {
		t.Fatalf("PatchSIMLabels: %v, claim %+v", err, claim)
	}
	if _, err := s.PatchSIMLabels(ctx, entA, sim.ICCID, operator.SIMLabelPatch{DeviceName: &name}, at(2*time.Minute), nil, nil); err != nil {
		t.Fatal(err)
	}
	l, err = s.FindSIMLabels(ctx, sim.ICCID)
	if err != nil || len(l.Tags) != 2 || l.Notes != "n1" || l.DeviceName != "d1" || !l.UpdatedAt.Equal(at(2*time.Minute)) {
		t.Errorf("labels after two patches: %+v, %v", l, err)
	}
	// The same request again: its first answer, nothing written.
	other := "n2"
	again := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("p1")}, Now: base}
	_, err = s.PatchSIMLabels(ctx, entA, sim.ICCID, operator.SIMLabelPatch{Notes: &other}, at(3*time.Minute), again, render)
	if !errors.Is(err, opencube.ErrReplayed) || again.Prior == nil || string(again.Prior.Response) != "n1|" {
		t.Fatalf("a repeated patch: %v, claim %+v", err, again)
	}
	if l, _ := s.FindSIMLabels(ctx, sim.ICCID); l.Notes != "n1" {
		t.Errorf("a repeated patch wrote notes %q", l.Notes)
	}
	_, err = s.PatchSIMLabels(ctx, entB, sim.ICCID, operator.SIMLabelPatch{Notes: &other}, at(3*time.Minute), nil, nil)
	checkKind(t, "another enterprise's SIM", err, opencube.KindDeviceNotFound, false)

	// Locks: written in an order transaction, found by the SIM's IMSI.
	if l, err := s.FindSIMLock(ctx, sim.IMSI); err != nil || l != nil {
		t.Fatalf("FindSIMLock before any: %+v, %v", l, err)
	}
	f.update(t, func(tx opencube.OrderTx) error {
		return tx.(operator.SIMLockTx).PutSIMLock(ctx, &operator.SIMLock{ICCID: sim.ICCID, IMEI: "490154203237518", Network: "46001", UpdatedAt: at(time.Minute)})
	})
	if l, err := s.FindSIMLock(ctx, sim.IMSI); err != nil || l == nil || l.ICCID != sim.ICCID || l.IMEI != "490154203237518" || l.Network != "46001" {
		t.Errorf("FindSIMLock: %+v, %v", l, err)
	}
	f.update(t, func(tx opencube.OrderTx) error {
		return tx.(operator.SIMLockTx).PutSIMLock(ctx, &operator.SIMLock{ICCID: sim.ICCID, UpdatedAt: at(2 * time.Minute)})
	})
	if l, err := s.FindSIMLock(ctx, sim.IMSI); err != nil || l == nil || l.IMEI != "" || l.Network != "" {
		t.Errorf("FindSIMLock after unlocking: %+v, %v", l, err)
	}

	// Sessions: the SIM of a device, open sessions, the latest session
	// (the one started last, s-3, although s-2 still reports) kept once
	// closed, the first activation.
	f.insert(t, withStatus(f.newOrder(1, sim, "P1", at(0)), opencube.OrderInUse))
	session := func(id string, started, last time.Duration, state opencube.SessionState, imei string) *opencube.DataSession {
		return &opencube.DataSession{NAS: "10.0.0.1", ID: id, ICCID: sim.ICCID, IMSI: sim.IMSI, EnterpriseCode: entA, NASAddr: "10.0.0.1",
			StartedAt: at(started), LastAt: at(last), State: state, IMEI: imei}
	}
	if err := s.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
		for _, ss := range []*opencube.DataSession{session("s-1", 0, time.Minute, opencube.SessionStopped, "111111111111111"),
			session("s-2", time.Minute, 10*time.Minute, opencube.SessionOpen, "490154203237518"),
			session("s-3", 2*time.Minute, 3*time.Minute, opencube.SessionStopped, "490154203237518")} {
			if err := tx.PutSession(ctx, ss); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if id, err := s.FindICCIDByIMEI(ctx, entA, "490154203237518"); err != nil || id != sim.ICCID {
		t.Errorf("FindICCIDByIMEI: %q, %v", id, err)
	}
	if id, err := s.FindICCIDByIMEI(ctx, entB, "490154203237518"); err != nil || id != "" {
		t.Errorf("FindICCIDByIMEI of another enterprise: %q, %v", id, err)
	}
	if ss, err := s.OpenSessions(ctx, sim.ICCID); err != nil || len(ss) != 1 || ss[0].ID != "s-2" {
		t.Errorf("OpenSessions: %+v, %v", ss, err)
	}
	ds, _, err := s.FindDevices(ctx, opencube.DeviceFilter{Enterprise: entA, ICCIDs: []string{sim.ICCID, f.sims[2].ICCID}, WithSession: true})
	if err != nil || len(ds) != 2 {
		t.Fatalf("FindDevices: %d, %v", len(ds), err)
	}
	if d := ds[0]; d.Session == nil || d.Session.ID != "s-3" || d.Session.State != opencube.SessionStopped || d.ActivatedAt == nil || !d.ActivatedAt.Equal(at(time.Minute)) {
		t.Errorf("device 1: session %+v, activated %v", d.Session, d.ActivatedAt)
	}
	if d := ds[1]; d.Session != nil || d.ActivatedAt != nil {
		t.Errorf("device 2, never attached nor activated: session %+v, activated %v", d.Session, d.ActivatedAt)
	}
}
