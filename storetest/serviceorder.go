package storetest

import (
	"context"
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
	if err := s.CreateServiceOrder(ctx, o); err != nil {
		t.Fatal(err)
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
	checkKind(t, "the same id again", s.CreateServiceOrder(ctx, o), opencube.KindConflict, false)
	checkKind(t, "an unknown enterprise", s.CreateServiceOrder(ctx, &operator.ServiceOrder{ID: "OL-2", Enterprise: "nobody", Document: []byte(`{}`), CreatedAt: base}), opencube.KindUnauthenticated, false)
}
