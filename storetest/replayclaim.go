package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
)

// testReplayClaim: UpdateOrdersClaiming records a ReplayClaim in the
// transaction of the change, once per request, with the answer the function
// gave through AnswerOrder; a repeat fails the transaction with ErrReplayed, nothing
// written; a failing function takes the entry (and its answer) with it.
func testReplayClaim(t *testing.T, open func(*testing.T) opencube.Store) {
	s := open(t)
	ctx := context.Background()
	if err := s.CreateEnterprise(ctx, newEnterprise(entA)); err != nil {
		t.Fatal(err)
	}
	entry := func(key string) *opencube.Replay {
		return &opencube.Replay{AccessCode: entA, Key: key, Fingerprint: "fp", ExpiresAt: at(10 * time.Minute)}
	}
	runs := 0
	count := func(opencube.OrderTx) error { runs++; return nil }

	// Recorded with the change, once: a second transaction of the same
	// request does not claim again.
	first := &opencube.ReplayClaim{Replay: entry("k1"), Now: base}
	for range 2 {
		if err := s.UpdateOrdersClaiming(ctx, first, count); err != nil {
			t.Fatalf("UpdateOrders: %v", err)
		}
	}
	if !first.Recorded || first.Prior != nil || runs != 2 {
		t.Fatalf("claim %+v after two transactions, %d runs", first, runs)
	}
	got, ok, err := s.ClaimReplay(ctx, entry("k1"), at(time.Minute))
	if err != nil || ok {
		t.Fatalf("ClaimReplay of a recorded entry = %v, %v", ok, err)
	}
	if diff := cmp.Diff(entry("k1"), got, opts); diff != "" {
		t.Errorf("recorded entry (-want +got):\n%s", diff)
	}

	// A repeat: ErrReplayed, Prior is the entry, and whatever the function
	// wrote (if the store ran it) is undone.
	repeat := &opencube.ReplayClaim{Replay: entry("k1"), Now: at(time.Minute)}
	err = s.UpdateOrdersClaiming(ctx, repeat, func(tx opencube.OrderTx) error {
		return tx.InsertEvent(ctx, &opencube.Event{ID: "repeat", EnterpriseCode: entA, Type: opencube.EventCreateOrder,
			OrderID: "o", ICCID: "89000000000000000001", Status: opencube.OrderNotEnabled, CreatedAt: base})
	})
	if !errors.Is(err, opencube.ErrReplayed) || repeat.Recorded || repeat.Prior == nil || repeat.Prior.Key != "k1" {
		t.Fatalf("repeat: err %v, claim %+v", err, repeat)
	}
	events, err := s.FindEvents(ctx, entA)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 {
		t.Fatalf("a repeat's transaction left %d events", len(events))
	}

	// A failing function takes the entry with it.
	failing := &opencube.ReplayClaim{Replay: entry("k2"), Now: base}
	boom := errors.New("boom")
	if err := s.UpdateOrdersClaiming(ctx, failing, func(opencube.OrderTx) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing UpdateOrders = %v", err)
	}
	if failing.Recorded {
		t.Fatal("a rolled-back claim reported recorded")
	}
	if _, ok, err := s.ClaimReplay(ctx, entry("k2"), at(time.Minute)); err != nil || !ok {
		t.Fatalf("the entry of a failed transaction survived: ok %v, err %v", ok, err)
	}

	// The answer given through AnswerOrder is recorded with the entry; a
	// function that fails after answering leaves neither.
	answer := func(o *opencube.Order) []byte { return []byte(`{"answer":"` + o.ID + `"}`) }
	answered := &opencube.ReplayClaim{Replay: entry("k3"), Now: base, RenderOrder: answer}
	if err := s.UpdateOrdersClaiming(ctx, answered, func(opencube.OrderTx) error { answered.AnswerOrder(&opencube.Order{ID: "yes"}); return nil }); err != nil {
		t.Fatalf("UpdateOrders answering: %v", err)
	}
	if !answered.Recorded || string(answered.Response) != `{"answer":"yes"}` {
		t.Fatalf("answered claim %+v", answered)
	}
	got, ok, err = s.ClaimReplay(ctx, entry("k3"), at(time.Minute))
	if err != nil || ok || string(got.Response) != `{"answer":"yes"}` {
		t.Fatalf("ClaimReplay of an answered entry = %+v, %v, %v; want its answer", got, ok, err)
	}
	regret := &opencube.ReplayClaim{Replay: entry("k4"), Now: base, RenderOrder: answer}
	if err := s.UpdateOrdersClaiming(ctx, regret, func(opencube.OrderTx) error { regret.AnswerOrder(&opencube.Order{ID: "no"}); return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing UpdateOrders = %v", err)
	}
	if regret.Recorded || regret.Response != nil {
		t.Fatalf("claim of a failed transaction %+v: recorded or answered", regret)
	}
	if _, ok, err := s.ClaimReplay(ctx, entry("k4"), at(time.Minute)); err != nil || !ok {
		t.Fatalf("the answered entry of a failed transaction survived: ok %v, err %v", ok, err)
	}
}
