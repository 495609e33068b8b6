package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// testUsage covers the UsageStore and UsageTx methods: sessions, daily
// aggregates, order meters, the usage clock, subscribers and devices, SIM
// status, and that UpdateUsage commits all or nothing.
func testUsage(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	s := f.s
	upd := func(fn func(tx opencube.UsageTx) error) {
		t.Helper()
		if err := s.UpdateUsage(f.ctx, fn); err != nil {
			t.Fatalf("UpdateUsage: %v", err)
		}
	}
	// SIM 1 has an in-use P3 order (throttle 512); SIM 2 a not-enabled one.
	o1 := withStatus(f.newOrder(1, f.sims[1], "P3", at(0)), opencube.OrderInUse)
	f.insert(t, o1, f.newOrder(2, f.sims[2], "P1", at(0)))

	// Empty store answers.
	asOf, err := s.UsageAsOf(f.ctx)
	if err != nil || !asOf.IsZero() {
		t.Errorf("UsageAsOf of an empty book = %v, %v; want the zero time", asOf, err)
	}
	_, err = s.FindSubscriber(f.ctx, "999999999")
	checkKind(t, "FindSubscriber(unknown)", err, opencube.KindDeviceNotFound, false)

	sess := &opencube.DataSession{
		NAS: "10.0.0.1", ID: "s-1", ICCID: f.sims[1].ICCID, IMSI: f.sims[1].IMSI, EnterpriseCode: entA,
		NASAddr: "10.0.0.1", UserName: "u", Network: "46001", StartedAt: at(0), LastAt: at(time.Minute),
		InputBytes: 5 << 32, OutputBytes: 7, State: opencube.SessionOpen,
	}
	upd(func(tx opencube.UsageTx) error {
		sub, err := tx.Subscriber(f.ctx, f.sims[1].IMSI)
		if err != nil {
			return err
		}
		if sub == nil || sub.SIM.ICCID != f.sims[1].ICCID || sub.Order == nil || sub.Order.ID != o1.ID || sub.ThrottleKbps != 512 || sub.Meter != (opencube.Meter{}) {
			t.Errorf("Subscriber(SIM 1) = %+v", sub)
		}
		if sub, err := tx.Subscriber(f.ctx, f.sims[2].IMSI); err != nil || sub == nil || sub.Order != nil {
			t.Errorf("Subscriber(SIM 2, no active order) = %+v, %v", sub, err)
		}
		if sub, err := tx.Subscriber(f.ctx, "999999999"); err != nil || sub != nil {
			t.Errorf("Subscriber(unknown) = %+v, %v; want nil, nil", sub, err)
		}
		subs, err := tx.Subscribers(f.ctx, []string{f.sims[1].IMSI, f.sims[2].IMSI, "999999999"})
		if err != nil {
			return err
		}
		if len(subs) != 2 || subs[f.sims[1].IMSI].Order == nil || subs[f.sims[1].IMSI].Order.ID != o1.ID || subs[f.sims[2].IMSI].Order != nil {
			t.Errorf("Subscribers = %v", subs)
		}
		if got, err := tx.Sessions(f.ctx, []opencube.SessionKey{{NAS: sess.NAS, ID: sess.ID}}); err != nil || len(got) != 0 {
			t.Errorf("Sessions(unknown) = %v, %v", got, err)
		}
		if got, err := tx.Session(f.ctx, sess.NAS, sess.ID); err != nil || got != nil {
			t.Errorf("Session(unknown) = %+v, %v", got, err)
		}
		if err := tx.PutSession(f.ctx, sess); err != nil {
			return err
		}
		got, err := tx.Session(f.ctx, sess.NAS, sess.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(sess, got, opts); diff != "" {
			t.Errorf("Session round trip (-want +got):\n%s", diff)
		}
		other := *sess
		other.NAS = "10.0.0.2" // same id at another NAS: another session
		if err := tx.PutSession(f.ctx, &other); err != nil {
			return err
		}
		all, err := tx.Sessions(f.ctx, []opencube.SessionKey{{NAS: sess.NAS, ID: sess.ID}, {NAS: "10.0.0.2", ID: sess.ID}, {NAS: "x", ID: "y"}})
		if err != nil {
			return err
		}
		if diff := cmp.Diff(map[opencube.SessionKey]*opencube.DataSession{{NAS: sess.NAS, ID: sess.ID}: sess, {NAS: "10.0.0.2", ID: sess.ID}: &other}, all, opts); diff != "" {
			t.Errorf("Sessions (-want +got):\n%s", diff)
		}
		for _, d := range []struct {
			day   int
			bytes int64
		}{{20250301, 100}, {20250302, 5}, {20250301, 1 << 40}, {20250401, 9}} {
			if err := tx.AddDailyUsage(f.ctx, entA, f.sims[1].ICCID, d.day, d.bytes); err != nil {
				return err
			}
		}
		if err := tx.PutUsedBytes(f.ctx, o1.ID, 12345); err != nil {
			return err
		}
		if err := tx.PutMeter(f.ctx, o1.ID, opencube.Meter{TestUsedBytes: 77, Day: 20250302}); err != nil {
			return err
		}
		if err := tx.AdvanceUsageAsOf(f.ctx, at(time.Hour)); err != nil {
			return err
		}
		return tx.AdvanceUsageAsOf(f.ctx, at(time.Minute)) // earlier: no effect
	})
	days, err := s.FindDailyUsage(f.ctx, f.sims[1].ICCID, 20250301, 20250331)
	want := []opencube.DailyUsage{{ICCID: f.sims[1].ICCID, Day: 20250301, Bytes: 1<<40 + 100}, {ICCID: f.sims[1].ICCID, Day: 20250302, Bytes: 5}}
	if diff := cmp.Diff(want, days, opts); err != nil || diff != "" {
		t.Errorf("FindDailyUsage (-want +got), %v:\n%s", err, diff)
	}
	if days, err := s.FindDailyUsage(f.ctx, f.sims[2].ICCID, 20250301, 20250331); err != nil || len(days) != 0 {
		t.Errorf("FindDailyUsage(SIM 2) = %v, %v", days, err)
	}
	if asOf, err := s.UsageAsOf(f.ctx); err != nil || !asOf.Equal(at(time.Hour)) {
		t.Errorf("UsageAsOf = %v, %v; want %v", asOf, err, at(time.Hour))
	}
	sub, err := s.FindSubscriber(f.ctx, f.sims[1].IMSI)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Order.UsedBytes != 12345 || sub.Meter != (opencube.Meter{TestUsedBytes: 77, Day: 20250302}) || sub.ThrottleKbps != 512 {
		t.Errorf("FindSubscriber after PutUsedBytes and PutMeter: used %d meter %+v throttle %d", sub.Order.UsedBytes, sub.Meter, sub.ThrottleKbps)
	}

	// A not-enabled OTA order starting on first attach is told apart.
	ota := f.newOrder(3, f.sims[4], "P3", at(0))
	ota.TimingType = opencube.TimingFirstAttach
	f.insert(t, ota)
	if sub, err := s.FindSubscriber(f.ctx, f.sims[4].IMSI); err != nil || sub.Order != nil || !sub.FirstAttach {
		t.Errorf("FindSubscriber(SIM 4, OTA first-attach order) = %+v, %v", sub, err)
	}
	if sub, err := s.FindSubscriber(f.ctx, f.sims[2].IMSI); err != nil || sub.Order != nil || sub.FirstAttach {
		t.Errorf("FindSubscriber(SIM 2, ordinary not-enabled order) = %+v, %v", sub, err)
	}

	// A failing UpdateUsage leaves nothing behind.
	boom := errors.New("boom")
	err = s.UpdateUsage(f.ctx, func(tx opencube.UsageTx) error {
		if err := tx.AddDailyUsage(f.ctx, entA, f.sims[3].ICCID, 20250301, 1); err != nil {
			return err
		}
		if err := tx.UpdateSIMStatus(f.ctx, f.sims[3].ICCID, opencube.SIMSuspended); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("UpdateUsage returned %v, want fn's error", err)
	}
	if days, _ := s.FindDailyUsage(f.ctx, f.sims[3].ICCID, 0, 99999999); len(days) != 0 {
		t.Errorf("rolled-back usage kept: %v", days)
	}

	// SIM status.
	upd(func(tx opencube.UsageTx) error {
		sim, err := tx.SIMByICCID(f.ctx, f.sims[6].ICCID) // another enterprise's: the operator sees all
		if err != nil || sim.Status != opencube.SIMActive {
			t.Errorf("SIMByICCID = %+v, %v", sim, err)
		}
		_, err = tx.SIMByICCID(f.ctx, "89860999999999999999")
		checkKind(t, "SIMByICCID(unknown)", err, opencube.KindDeviceNotFound, false)
		checkKind(t, "UpdateSIMStatus(unknown)", tx.UpdateSIMStatus(f.ctx, "89860999999999999999", opencube.SIMActive), opencube.KindDeviceNotFound, false)
		return tx.UpdateSIMStatus(f.ctx, f.sims[3].ICCID, opencube.SIMSuspended)
	})

	// Devices: A's SIMs with their active orders; the open session when asked.
	ds, total, err := s.FindDevices(f.ctx, opencube.DeviceFilter{Enterprise: entA, Page: opencube.Page{Limit: 2}})
	if err != nil || total != 5 || len(ds) != 2 || ds[0].SIM.ICCID != f.sims[1].ICCID || ds[0].Order == nil || ds[0].Order.ID != o1.ID || ds[1].Order != nil {
		t.Errorf("FindDevices(A, 2) = %v devices of %d, %v", len(ds), total, err)
	}
	if len(ds) > 0 && ds[0].Session != nil {
		t.Error("FindDevices filled Session without WithSession")
	}
	ds, total, err = s.FindDevices(f.ctx, opencube.DeviceFilter{Enterprise: entA, InUse: true})
	if err != nil || total != 1 || len(ds) != 1 || ds[0].SIM.ICCID != f.sims[1].ICCID {
		t.Errorf("FindDevices(A, in use) = %d of %d, %v", len(ds), total, err)
	}
	ds, _, err = s.FindDevices(f.ctx, opencube.DeviceFilter{Enterprise: entA, ICCIDs: []string{f.sims[1].ICCID, f.sims[3].ICCID, f.sims[6].ICCID}, WithSession: true})
	if err != nil || len(ds) != 2 {
		t.Fatalf("FindDevices(A, ICCIDs) = %d devices, %v; want 2 (SIM 6 is B's)", len(ds), err)
	}
	if ds[0].Session == nil || ds[0].Session.ID != "s-1" || ds[0].Meter.TestUsedBytes != 77 {
		t.Errorf("device 1 session %+v meter %+v", ds[0].Session, ds[0].Meter)
	}
	if ds[1].SIM.Status != opencube.SIMSuspended || ds[1].Session != nil {
		t.Errorf("device 3 = %+v", ds[1])
	}

	// Stale sessions: open ones last updated before the cutoff, the
	// earliest started first; old-d started long ago but is still busy.
	upd(func(tx opencube.UsageTx) error {
		for i, s := range []struct {
			state         opencube.SessionState
			started, last time.Duration
		}{
			{opencube.SessionOpen, -5 * time.Hour, -3 * time.Hour},
			{opencube.SessionStopped, -6 * time.Hour, -2 * time.Hour},
			{opencube.SessionOpen, -6 * time.Hour, -time.Hour},
			{opencube.SessionOpen, -7 * time.Hour, time.Minute},
		} {
			c := *sess
			c.ID = "old-" + string(rune('a'+i))
			c.StartedAt, c.LastAt, c.State = at(s.started), at(s.last), s.state
			if err := tx.PutSession(f.ctx, &c); err != nil {
				return err
			}
		}
		stale, err := tx.StaleSessions(f.ctx, at(0), 10)
		if err != nil {
			return err
		}
		var ids []string
		for _, s := range stale {
			ids = append(ids, s.ID)
		}
		if diff := cmp.Diff([]string{"old-c", "old-a"}, ids); diff != "" {
			t.Errorf("StaleSessions (-want +got):\n%s", diff)
		}
		if stale, _ := tx.StaleSessions(f.ctx, at(0), 1); len(stale) != 1 || stale[0].ID != "old-c" {
			t.Errorf("StaleSessions(limit 1) = %d sessions", len(stale))
		}
		return nil
	})
}
