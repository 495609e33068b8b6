package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/opencube/opencube"
)

// TestRowCacheFailedCommit: an order transaction that read a SIM changed by
// an earlier write of its batch keeps nothing when the batch fails to
// commit: the next order transaction reads the SIM as it is.
func TestRowCacheFailedCommit(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "opencube.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "ent", Name: "E", Secrets: []string{"12345678"}}); err != nil {
		t.Fatal(err)
	}
	iccid := "89860000000000000001"
	if err := db.CreateSIMs(ctx, []*opencube.SIM{{ICCID: iccid, IMSI: "460010000000001", EnterpriseCode: "ent", Status: opencube.SIMActive}}); err != nil {
		t.Fatal(err)
	}
	w := db.w
	// A COMMIT that fails: a statement that errors when stepped.
	commit := w.proto[pCommit]
	failing, err := w.conn.PrepareContext(ctx, `SELECT json('{')`)
	if err != nil {
		t.Fatal(err)
	}
	defer failing.Close()
	w.proto[pCommit] = failing
	var seen opencube.SIMStatus
	suspend := &op{ctx: ctx, done: make(chan error, 1), fn: func(ctx context.Context) error {
		_, err := (&txn{w: w, ctx: ctx}).exec(`UPDATE sims SET status = 'suspended' WHERE iccid = ?`, iccid)
		return err
	}}
	read := &op{ctx: ctx, done: make(chan error, 1), keepsRows: true, fn: func(ctx context.Context) error {
		sim, err := (&txn{w: w, ctx: ctx, rows: w.rows}).SIM(ctx, "ent", iccid)
		if err == nil {
			seen = sim.Status
		}
		return err
	}}
	// The loop is idle, waiting for work: run the batch here.
	w.runBatch([]*op{suspend, read})
	w.proto[pCommit] = commit
	if err := <-read.done; err == nil {
		t.Fatal("the batch committed")
	}
	if seen != opencube.SIMSuspended {
		t.Fatalf("the order transaction read %q, want the batch's suspended", seen)
	}
	var got *opencube.SIM
	err = db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		var err error
		got, err = tx.SIM(ctx, "ent", iccid)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != opencube.SIMActive {
		t.Errorf("SIM after the failed commit read %q, want active", got.Status)
	}
}
