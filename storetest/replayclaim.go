package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// testReplayClaim: UpdateOrdersClaiming records a ReplayClaim's entries in
// the transaction of the change that answers it, once per request, with the
// answer (D28: never an entry without its answer); a transaction that does
// not answer records nothing; a repeat fails the transaction with
// ErrReplayed, nothing written; a failing function takes the entries (and
// the answer) with it. UpdateSMSClaiming does the same.
func testReplayClaim(t *testing.T, open func(*testing.T) service.Store) {
	s := open(t)
	ctx := context.Background()
	if err := s.CreateEnterprise(ctx, newEnterprise(entA)); err != nil {
		t.Fatal(err)
	}
	entry := func(key string) *opencube.Replay {
		return &opencube.Replay{AccessCode: entA, Key: key, Fingerprint: "fp", ExpiresAt: at(10 * time.Minute)}
	}
	answer := func(o *opencube.Order) []byte { return []byte(`{"answer":"` + o.ID + `"}`) }
	recorded := func(key, want string) {
		t.Helper()
		got, ok, err := s.ClaimReplay(ctx, entry(key), at(time.Minute))
		if err != nil || ok || string(got.Response) != want {
			t.Fatalf("ClaimReplay of entry %s = %+v, %v, %v; want it recorded with %s", key, got, ok, err, want)
		}
	}
	absent := func(key string) {
		t.Helper()
		if _, ok, err := s.ClaimReplay(ctx, entry(key), at(time.Minute)); err != nil || !ok {
			t.Fatalf("entry %s was recorded: ok %v, err %v", key, ok, err)
		}
	}
	runs := 0

	// A transaction that does not answer (a read before the change)
	// records nothing; the one that answers records the entries, once: a
	// later transaction of the same request does not claim again.
	first := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("k1"), entry("k1b")}, Now: base, RenderOrder: answer}
	steps := []func(opencube.OrderTx) error{
		func(opencube.OrderTx) error { runs++; return nil },
		func(opencube.OrderTx) error { runs++; first.AnswerOrder(&opencube.Order{ID: "one"}); return nil },
		func(opencube.OrderTx) error { runs++; first.AnswerOrder(&opencube.Order{ID: "two"}); return nil },
	}
	for i, fn := range steps {
		if err := s.UpdateOrdersClaiming(ctx, first, fn); err != nil {
			t.Fatalf("UpdateOrdersClaiming %d: %v", i, err)
		}
		if i == 0 && (first.Recorded || first.Response != nil) {
			t.Fatalf("claim %+v recorded by a transaction that did not answer", first)
		}
	}
	if !first.Recorded || first.Prior != nil || runs != 3 || string(first.Response) != `{"answer":"one"}` {
		t.Fatalf("claim %+v after three transactions, %d runs", first, runs)
	}
	recorded("k1", `{"answer":"one"}`)
	recorded("k1b", `{"answer":"one"}`)

	// A repeat: ErrReplayed, Prior is the entry, and whatever the function
	// wrote (if the store ran it) is undone, its other entries too.
	repeat := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("k0"), entry("k1")}, Now: at(time.Minute), RenderOrder: answer}
	err := s.UpdateOrdersClaiming(ctx, repeat, func(tx opencube.OrderTx) error {
		repeat.AnswerOrder(&opencube.Order{ID: "again"})
		return tx.InsertEvent(ctx, &opencube.Event{ID: "repeat", EnterpriseCode: entA, Type: opencube.EventCreateOrder,
			OrderID: "o", ICCID: "89000000000000000001", Status: opencube.OrderNotEnabled, CreatedAt: base})
	})
	if !errors.Is(err, opencube.ErrReplayed) || repeat.Recorded || repeat.Prior == nil || repeat.Prior.Key != "k1" ||
		string(repeat.Prior.Response) != `{"answer":"one"}` {
		t.Fatalf("repeat: err %v, claim %+v", err, repeat)
	}
	events, err := s.FindEvents(ctx, entA)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 {
		t.Fatalf("a repeat's transaction left %d events", len(events))
	}
	absent("k0")

	// A function that fails after answering leaves neither entry nor
	// answer.
	boom := errors.New("boom")
	regret := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("k4")}, Now: base, RenderOrder: answer}
	if err := s.UpdateOrdersClaiming(ctx, regret, func(opencube.OrderTx) error { regret.AnswerOrder(&opencube.Order{ID: "no"}); return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing UpdateOrdersClaiming = %v", err)
	}
	if regret.Recorded || regret.Response != nil {
		t.Fatalf("claim of a failed transaction %+v: recorded or answered", regret)
	}
	absent("k4")

	// The SMS book records the same way.
	sms := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("k5")}, Now: base,
		RenderSMS: func(m *opencube.SMS) []byte { return []byte(`{"sms":"` + m.ID + `"}`) }}
	if err := s.UpdateSMSClaiming(ctx, sms, func(opencube.SMSTx) error { sms.AnswerSMS(&opencube.SMS{ID: "m1"}); return nil }); err != nil {
		t.Fatalf("UpdateSMSClaiming: %v", err)
	}
	if !sms.Recorded {
		t.Fatalf("SMS claim %+v not recorded", sms)
	}
	recorded("k5", `{"sms":"m1"}`)
	again := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("k5")}, Now: base,
		RenderSMS: func(m *opencube.SMS) []byte { return []byte(`{"sms":"` + m.ID + `"}`) }}
	err = s.UpdateSMSClaiming(ctx, again, func(opencube.SMSTx) error { again.AnswerSMS(&opencube.SMS{ID: "m2"}); return nil })
	if !errors.Is(err, opencube.ErrReplayed) || again.Prior == nil || string(again.Prior.Response) != `{"sms":"m1"}` {
		t.Fatalf("SMS repeat: err %v, claim %+v", err, again)
	}
}
