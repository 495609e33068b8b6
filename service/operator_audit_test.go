package service_test

import (
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/storetest"
)

// TestOrderMoveAudit: finding an order's enterprise reads it and writes
// nothing, so a move that is refused leaves no audit entry, and one that
// is made leaves one with the change.
func TestOrderMoveAudit(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	store, svc := storetest.Demo(t, clock)
	c := &service.Changes{Store: store, Clock: clock, Orders: svc.Orders, SIMs: svc.SIMs}
	ctx := t.Context()
	const p = "P000270"
	o, err := c.OrderPlan(ctx, p, operator.OrderRequest{ICCID: "89852022018041800192", PlanCode: "DP20190726001274", Periods: 1})
	if err != nil {
		t.Fatal(err)
	}
	entry := func(route string) *operator.AuditEntry {
		return &operator.AuditEntry{At: clock.now, Actor: "op", ActorKind: operator.ActorToken, Route: route, Object: "order:" + o.ID}
	}
	refused := entry("POST /admin/v1/orders/{id}/end")
	actx := operator.WithAudit(ctx, refused)
	if _, err := c.OrderOwner(actx, "", o.ID); err != nil || refused.Recorded() {
		t.Fatalf("OrderOwner: %v, the entry recorded: %v", err, refused.Recorded())
	}
	if _, err := c.MoveOrder(actx, p, o.ID, operator.OrderEnd, 0); opencube.ErrorKind(err) != opencube.KindOrderState {
		t.Fatalf("ending a not-enabled order: %v", err)
	}
	made := entry("POST /admin/v1/orders/{id}/enable")
	mctx := operator.WithAudit(ctx, made)
	if _, err := c.OrderOwner(mctx, p, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MoveOrder(mctx, p, o.ID, operator.OrderEnable, 0); err != nil {
		t.Fatal(err)
	}
	l, err := store.ListAudit(ctx, operator.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 1 || l.Items[0].Route != made.Route {
		t.Errorf("audit trail %+v: want only the enable", l.Items)
	}
}

// TestMovedSIMDetail: a SIM moved to another enterprise shows that
// enterprise's orders only, never those it had with the first.
func TestMovedSIMDetail(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	store, svc := storetest.Demo(t, clock)
	c := &service.Changes{Store: store, Clock: clock, Orders: svc.Orders, SIMs: svc.SIMs}
	ctx := t.Context()
	const p, q, sim = "P000270", "QY-000001", "89852022018041800192"
	o, err := c.OrderPlan(ctx, p, operator.OrderRequest{ICCID: sim, PlanCode: "DP20190726001274", Periods: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := svc.Lists.SIM(ctx, sim); err != nil || len(d.RecentOrders) != 1 {
		t.Fatalf("before the move: %+v, %v", d, err)
	}
	if _, err := c.MoveOrder(ctx, p, o.ID, operator.OrderCancel, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MoveSIMTo(ctx, sim, q); err != nil {
		t.Fatal(err)
	}
	d, err := svc.Lists.SIM(ctx, sim)
	if err != nil {
		t.Fatal(err)
	}
	if d.SIM.EnterpriseCode != q || len(d.RecentOrders) != 0 {
		t.Errorf("the moved SIM's page: enterprise %s, orders %+v", d.SIM.EnterpriseCode, d.RecentOrders)
	}
}
