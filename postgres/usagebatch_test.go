package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/storetest"
)

// TestHeldUsageWrites: the usage writes of a transaction, sent together
// before its next statement or its commit, leave what the same writes one
// by one leave: the last of a session, used bytes or meter wins (a session
// keeps the SIM of its first write, which only an insert writes), the
// bytes of a day add up, the clock keeps its latest time; a read in
// between sees the writes before it.
func TestHeldUsageWrites(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	sims := storetest.Seed(t, db, 2)
	o1 := storetest.NewOrder(1, sims[0])
	if err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error { return tx.InsertOrder(ctx, o1) }); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	first := &opencube.DataSession{NAS: "10.0.0.1", ID: "s-1", ICCID: sims[0].ICCID, IMSI: sims[0].IMSI, EnterpriseCode: "ent",
		NASAddr: "10.0.0.1", UserName: "u", StartedAt: t0, LastAt: t0, State: opencube.SessionOpen}
	later := *first
	later.ICCID, later.IMSI = sims[1].ICCID, sims[1].IMSI // not written: the row exists by then
	later.LastAt, later.InputBytes, later.OutputBytes, later.IP = t0.Add(time.Minute), 1000, 10, "10.9.9.9"
	stopped := later
	stopped.LastAt, stopped.InputBytes, stopped.State = t0.Add(2*time.Minute), 2000, opencube.SessionStopped
	runs := 0
	err := db.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
		runs++
		for _, step := range []func() error{
			func() error { return tx.PutSession(ctx, first) },
			func() error { return tx.PutSession(ctx, &later) },
			func() error { return tx.AddDailyUsage(ctx, "ent", sims[0].ICCID, 20250301, 10) },
			func() error { return tx.AddDailyUsage(ctx, "ent", sims[0].ICCID, 20250301, 11) },
			func() error { return tx.AddDailyUsage(ctx, "ent", sims[0].ICCID, 20250302, 5) },
			func() error { return tx.PutUsedBytes(ctx, o1.ID, 100) },
			func() error { return tx.PutUsedBytes(ctx, o1.ID, 200) },
			func() error { return tx.PutMeter(ctx, o1.ID, opencube.Meter{TestUsedBytes: 1, Day: 20250301}) },
			func() error { return tx.PutMeter(ctx, o1.ID, opencube.Meter{TestUsedBytes: 2, Day: 20250302}) },
			func() error { return tx.AdvanceUsageAsOf(ctx, t0.Add(time.Hour)) },
			func() error { return tx.AdvanceUsageAsOf(ctx, t0) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		got, err := tx.Session(ctx, first.NAS, first.ID)
		if err != nil {
			return err
		}
		want := later
		want.ICCID, want.IMSI = first.ICCID, first.IMSI
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("Session read after the writes (-want +got):\n%s", diff)
		}
		if err := tx.AddDailyUsage(ctx, "ent", sims[0].ICCID, 20250301, 1); err != nil {
			return err
		}
		return tx.PutSession(ctx, &stopped)
	})
	if err != nil || runs != 1 {
		t.Fatalf("UpdateUsage = %v after %d runs; want nil after 1", err, runs)
	}
	days, err := db.FindDailyUsage(ctx, sims[0].ICCID, 20250301, 20250331)
	wantDays := []opencube.DailyUsage{{ICCID: sims[0].ICCID, Day: 20250301, Bytes: 22}, {ICCID: sims[0].ICCID, Day: 20250302, Bytes: 5}}
	if diff := cmp.Diff(wantDays, days); err != nil || diff != "" {
		t.Errorf("FindDailyUsage (-want +got), %v:\n%s", err, diff)
	}
	if asOf, err := db.UsageAsOf(ctx); err != nil || !asOf.Equal(t0.Add(time.Hour)) {
		t.Errorf("UsageAsOf = %v, %v; want %v", asOf, err, t0.Add(time.Hour))
	}
	var used, testUsed int64
	var day int32
	if err := db.pool.QueryRow(ctx, `SELECT o.used_bytes, m.test_used_bytes, m.day FROM orders o JOIN order_meters m ON m.order_id = o.id WHERE o.id = $1`,
		o1.ID).Scan(&used, &testUsed, &day); err != nil || used != 200 || testUsed != 2 || day != 20250302 {
		t.Errorf("used bytes %d, meter %d on %d, %v; want 200, 2 on 20250302", used, testUsed, day, err)
	}
	err = db.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
		got, err := tx.Session(ctx, first.NAS, first.ID)
		want := stopped
		want.ICCID, want.IMSI = first.ICCID, first.IMSI
		if diff := cmp.Diff(&want, got); err != nil || diff != "" {
			t.Errorf("Session after the commit (-want +got), %v:\n%s", err, diff)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestHeldUsageWriteFails: a usage write that fails when the writes held
// are sent fails the call where it was made, as it would have at once, and
// nothing of the transaction stays.
func TestHeldUsageWriteFails(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	sims := storetest.Seed(t, db, 1)
	runs := 0
	var meterErr error
	err := db.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
		runs++
		if err := tx.AddDailyUsage(ctx, "ent", sims[0].ICCID, 20250301, 10); err != nil {
			return err
		}
		meterErr = tx.PutMeter(ctx, "no such order", opencube.Meter{TestUsedBytes: 1, Day: 20250301})
		return meterErr
	})
	if err == nil || meterErr == nil || runs != 2 {
		t.Errorf("UpdateUsage = %v, PutMeter = %v after %d runs; want the meter's error after 2", err, meterErr, runs)
	}
	if days, err := db.FindDailyUsage(ctx, sims[0].ICCID, 0, 99999999); err != nil || len(days) != 0 {
		t.Errorf("usage of the failed transaction: %v, %v; want none", days, err)
	}
}
