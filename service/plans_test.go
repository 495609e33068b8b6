package service_test

import (
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/storetest"
)

// TestDuplicateOrderIDIsASystemError: two generators on one node number (a
// lost node lease) make the same id; the second order fails as a system
// error, not as the caller's conflict, and writes nothing.
func TestDuplicateOrderIDIsASystemError(t *testing.T) {
	store, svc := storetest.Demo(t, &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	ctx := opencube.NewContext(t.Context(), "P000270")
	req := opencube.OrderRequest{ICCID: "89852022018041800192", PlanCode: "DP20190726001274",
		PlanName: "C_M_0_P_中国20M不限速月套餐", PlanType: opencube.PlanMonthly, OrderPeriod: 1, PayRst: "1"}
	if _, err := svc.Orders.OrderPlan(ctx, req); err != nil {
		t.Fatal(err)
	}
	svc.Orders.IDs = service.NewIDGenerator(0) // the same node number again
	if _, err := svc.Orders.OrderPlan(ctx, req); opencube.ErrorKind(err) != opencube.KindInternal {
		t.Fatalf("OrderPlan with a duplicate id = %v, want a system error", err)
	}
	orders, total, err := store.FindOrders(t.Context(), opencube.OrderFilter{Enterprise: "P000270"})
	if err != nil || total != 1 || len(orders) != 1 {
		t.Fatalf("%d orders (%v), want 1", total, err)
	}
}
