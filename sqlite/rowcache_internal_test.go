package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
)

// TestRowCacheFailedCommit: an order transaction that read a SIM changed by
// an earlier write of its batch keeps nothing when the batch fails to
// commit: the next order transaction reads the SIM as it is.
func TestRowCacheFailedCommit(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "opencube.db"), seal.Demo())
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

// TestFailedBatchRefusals: when a batch fails to commit, a request of it
// that failed because of a sibling's write (a repeat finding the first
// request's replay entry) gets the batch's failure, not its own: the entry
// it found is gone, and answering the first request's answer would name a
// change that never happened.
func TestFailedBatchRefusals(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "opencube.db"), seal.Demo())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := db.w
	commit := w.proto[pCommit]
	failing, err := w.conn.PrepareContext(ctx, `SELECT json('{')`)
	if err != nil {
		t.Fatal(err)
	}
	defer failing.Close()
	entry := func() *opencube.ReplayClaim {
		return &opencube.ReplayClaim{Now: time.Now(), RenderOrder: func(*opencube.Order) []byte { return []byte("answer") },
			Replays: []*opencube.Replay{{AccessCode: "ent", Key: "k", Fingerprint: "/p", ExpiresAt: time.Now().Add(time.Hour)}}}
	}
	first, repeat := entry(), entry()
	claiming := func(c *opencube.ReplayClaim) *op {
		return &op{ctx: ctx, done: make(chan error, 1), fn: func(ctx context.Context) error {
			return db.claiming(c, func(run func(*txn) error) error { return run(&txn{w: w, ctx: ctx}) },
				func(*txn) error { c.AnswerOrder(&opencube.Order{ID: "o"}); return nil })
		}}
	}
	a, b := claiming(first), claiming(repeat)
	w.proto[pCommit] = failing
	w.runBatch([]*op{a, b})
	w.proto[pCommit] = commit
	errA, errB := <-a.done, <-b.done
	if errA == nil || errB == nil {
		t.Fatalf("a failed batch answered %v and %v", errA, errB)
	}
	if errors.Is(errB, opencube.ErrReplayed) {
		t.Errorf("the repeat of a request whose batch failed answered ErrReplayed: it would answer a change that never happened")
	}
	// Nothing was recorded: the first request's retry runs.
	if _, ok, err := db.ClaimReplay(ctx, &opencube.Replay{AccessCode: "ent", Key: "k", Response: []byte("x"), ExpiresAt: time.Now().Add(time.Hour)}, time.Now()); err != nil || !ok {
		t.Errorf("the entry of a failed batch survived: %v, %v", ok, err)
	}
}
