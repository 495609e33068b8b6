package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// testServiceOrders: a renewal order's document is kept as made, found
// only by its enterprise, and never made twice.
func testServiceOrders(t *testing.T, open func(*testing.T) service.Store) {
	s, ctx := open(t), context.Background()
	for _, code := range []string{entA, entB} {
		if err := s.CreateEnterprise(ctx, newEnterprise(code)); err != nil {
			t.Fatal(err)
		}
	}
	o := &operator.ServiceOrder{ID: "OL-1", Enterprise: entA, Document: []byte(`{"id":"OL-1","items":[{"id":"P1"}]}`), CreatedAt: at(time.Second)}
	place := func(claim *opencube.ReplayClaim, o *operator.ServiceOrder, fail error) error {
		return s.PlaceServiceOrder(ctx, claim, func(tx opencube.OrderTx) (*operator.ServiceOrder, error) {
			if err := tx.InsertEvent(ctx, &opencube.Event{ID: "ev-" + o.ID, EnterpriseCode: entA, Type: opencube.EventRenewOrder,
				OrderID: "o", ICCID: "89000000000000000001", Status: opencube.OrderInUse, CreatedAt: base}); err != nil {
				return nil, err
			}
			claim.AnswerWith([]byte(`{"order_id":"` + o.ID + `"}`))
			return o, fail
		})
	}
	events := func() int {
		evs, err := s.FindEvents(ctx, entA)
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	entry := func(key string) *opencube.Replay {
		return &opencube.Replay{AccessCode: entA, Key: key, Fingerprint: "POST /orders/service", ExpiresAt: at(time.Minute)}
	}

	// The work of an order that fails (its server died) leaves nothing:
	// no change, no document, no entry.
	boom := errors.New("boom")
	died := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("r1")}, Now: base}
	if err := place(died, o, boom); !errors.Is(err, boom) || died.Recorded {
		t.Fatalf("a failing order: %v, claim %+v", err, died)
	}
	if _, err := s.FindServiceOrder(ctx, entA, "OL-1"); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Fatalf("a failed order left its document: %v", err)
	}
	if n := events(); n != 0 {
		t.Fatalf("a failed order left %d events", n)
	}
	if _, ok, err := s.ClaimReplay(ctx, entry("r0"), base); err != nil || !ok {
		t.Fatal(ok, err)
	}

	// The order commits its changes, document and entry together.
	claim := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("r1")}, Now: base}
	if err := place(claim, o, nil); err != nil {
		t.Fatal(err)
	}
	if !claim.Recorded || events() != 1 {
		t.Fatalf("claim %+v, %d events", claim, events())
	}
	got, err := s.FindServiceOrder(ctx, entA, "OL-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(o, got, opts); diff != "" {
		t.Errorf("FindServiceOrder (-want +got):\n%s", diff)
	}
	_, err = s.FindServiceOrder(ctx, entB, "OL-1")
	checkKind(t, "another enterprise's order", err, opencube.KindNotFound, false)

	// The same order again (its idempotency entry) finds the first
	// answer, and its work is undone.
	o2 := &operator.ServiceOrder{ID: "OL-2", Enterprise: entA, Document: []byte(`{}`), CreatedAt: base}
	again := &opencube.ReplayClaim{Replays: []*opencube.Replay{entry("r2"), entry("r1")}, Now: base}
	err = place(again, o2, nil)
	if !errors.Is(err, opencube.ErrReplayed) || again.Prior == nil || string(again.Prior.Response) != `{"order_id":"OL-1"}` {
		t.Fatalf("the same order again: %v, claim %+v", err, again)
	}
	if _, err := s.FindServiceOrder(ctx, entA, "OL-2"); opencube.ErrorKind(err) != opencube.KindNotFound || events() != 1 {
		t.Fatalf("a repeated order left its work: %v, %d events", err, events())
	}
	checkKind(t, "the same id again", place(&opencube.ReplayClaim{Now: base}, o, nil), opencube.KindConflict, false)
	checkKind(t, "an unknown enterprise", place(&opencube.ReplayClaim{Now: base}, &operator.ServiceOrder{ID: "OL-3", Enterprise: "nobody", Document: []byte(`{}`), CreatedAt: base}, nil), opencube.KindUnauthenticated, false)
}
