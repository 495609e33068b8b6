package client

import (
	"context"
	"net/http"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/shop"
)

// ListMallOrders reads a page of Mall orders, newest first (GET
// /admin/v1/mall-orders).
func (a *Admin) ListMallOrders(ctx context.Context, q operator.MallOrderQuery) (*operator.List[*shop.MallOrder], error) {
	v := listQuery{}
	v.set("enterprise", q.Enterprise)
	v.set("iccid", q.ICCID)
	v.set("status", string(q.Status))
	v.time("from", q.From)
	v.time("to", q.To)
	v.page(q.Page)
	return getList[*shop.MallOrder](ctx, a, v.path(admin.MallOrdersPath))
}

// MallOrder reads an enterprise's Mall order with the SIM order it became
// (GET /admin/v1/enterprises/{code}/mall-orders/{no}).
func (a *Admin) MallOrder(ctx context.Context, enterprise, orderNo string) (*operator.MallOrderDetail, error) {
	var out operator.MallOrderDetail
	if err := a.send(ctx, http.MethodGet, admin.MallOrderPath(enterprise, orderNo), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListESIMOrders reads a page of eSIM QR Mall orders, newest first (GET
// /admin/v1/esim-orders).
func (a *Admin) ListESIMOrders(ctx context.Context, q operator.ESIMOrderQuery) (*operator.List[*shop.ESIMOrder], error) {
	v := listQuery{}
	v.set("enterprise", q.Enterprise)
	v.set("iccid", q.ICCID)
	if q.Status != nil {
		for name, st := range admin.ESIMOrderStatuses {
			if st == *q.Status {
				v.set("status", name)
			}
		}
	}
	v.time("from", q.From)
	v.time("to", q.To)
	v.page(q.Page)
	return getList[*shop.ESIMOrder](ctx, a, v.path(admin.ESIMOrdersPath))
}

// ESIMOrder reads an eSIM order with its profile (GET
// /admin/v1/esim-orders/{id}).
func (a *Admin) ESIMOrder(ctx context.Context, id string) (*operator.ESIMOrderDetail, error) {
	var out operator.ESIMOrderDetail
	if err := a.send(ctx, http.MethodGet, admin.ItemPath(admin.ESIMOrdersPath, id), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListPayments reads a page of the shops' payments, newest order first
// (GET /admin/v1/payments).
func (a *Admin) ListPayments(ctx context.Context, q operator.PaymentQuery) (*operator.List[*operator.Payment], error) {
	v := listQuery{}
	v.set("enterprise", q.Enterprise)
	v.set("iccid", q.ICCID)
	v.set("shop", q.Shop)
	v.set("status", string(q.Status))
	v.time("from", q.From)
	v.time("to", q.To)
	v.page(q.Page)
	return getList[*operator.Payment](ctx, a, v.path(admin.PaymentsPath))
}

// ListGroups reads a page of Mall bundle groups (GET
// /admin/v1/bundle-groups).
func (a *Admin) ListGroups(ctx context.Context, q operator.GroupQuery) (*operator.List[*shop.BundleGroup], error) {
	v := listQuery{}
	v.set("enterprise", q.Enterprise)
	v.page(q.Page)
	return getList[*shop.BundleGroup](ctx, a, v.path(admin.GroupsPath))
}

// Group reads an enterprise's bundle group with its SIMs (GET
// /admin/v1/enterprises/{code}/bundle-groups/{id}).
func (a *Admin) Group(ctx context.Context, enterprise, id string) (*operator.GroupDetail, error) {
	var out operator.GroupDetail
	if err := a.send(ctx, http.MethodGet, admin.GroupPath(enterprise, id), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
