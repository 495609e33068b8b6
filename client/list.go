package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// The operator's lists: each call reads one page; pass the answer's Next
// back as the query's Cursor for the next one (nil: the last page).

// listQuery is a list's query string being built.
type listQuery url.Values

// set adds a parameter when v is not empty.
func (q listQuery) set(name, v string) {
	if v != "" {
		url.Values(q).Set(name, v)
	}
}

// bool adds a parameter when b is not nil.
func (q listQuery) bool(name string, b *bool) {
	if b != nil {
		q.set(name, strconv.FormatBool(*b))
	}
}

// time adds an RFC 3339 parameter when t is not zero.
func (q listQuery) time(name string, t time.Time) {
	if !t.IsZero() {
		q.set(name, t.Format(time.RFC3339Nano))
	}
}

// page adds the paging parameters.
func (q listQuery) page(p operator.Page) {
	if p.Limit != 0 {
		q.set("limit", strconv.Itoa(p.Limit))
	}
	q.set("cursor", p.Cursor)
	if p.Count {
		q.set("count", "1")
	}
}

// path is base with the query.
func (q listQuery) path(base string) string {
	if len(q) == 0 {
		return base
	}
	return base + "?" + url.Values(q).Encode()
}

// ListEnterprises reads a page of enterprises (GET /admin/v1/enterprises);
// their secrets are counted, never shown.
func (a *Admin) ListEnterprises(ctx context.Context, q operator.EnterpriseQuery) (*operator.List[*admin.Enterprise], error) {
	v := listQuery{}
	v.set("q", q.Q)
	v.set("status", string(q.Status))
	v.page(q.Page)
	return getList[*admin.Enterprise](ctx, a, v.path(admin.EnterprisesPath))
}

// ListSIMs reads a page of SIMs (GET /admin/v1/sims).
func (a *Admin) ListSIMs(ctx context.Context, q operator.SIMQuery) (*operator.List[*opencube.SIM], error) {
	v := listQuery{}
	v.set("enterprise", q.Enterprise)
	v.set("status", string(q.Status))
	v.bool("online", q.Online)
	v.bool("in_use", q.InUse)
	v.set("q", q.Q)
	v.page(q.Page)
	return getList[*opencube.SIM](ctx, a, v.path(admin.SIMsPath))
}

// SIM reads a SIM's page (GET /admin/v1/sims/{iccid}): its order in use,
// latest orders, open sessions, usage of the last 31 days and last SMS.
func (a *Admin) SIM(ctx context.Context, iccid string) (*operator.SIMDetail, error) {
	var out operator.SIMDetail
	if err := a.send(ctx, http.MethodGet, admin.ItemPath(admin.SIMsPath, iccid), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListOrders reads a page of orders, newest first (GET /admin/v1/orders).
func (a *Admin) ListOrders(ctx context.Context, q operator.OrderQuery) (*operator.List[*opencube.Order], error) {
	v := listQuery{}
	v.set("enterprise", q.Enterprise)
	v.set("iccid", q.ICCID)
	if q.Status != 0 {
		v.set("status", strconv.Itoa(int(q.Status)))
	}
	v.set("plan", q.Plan)
	v.time("from", q.From)
	v.time("to", q.To)
	v.page(q.Page)
	return getList[*opencube.Order](ctx, a, v.path(admin.OrdersPath))
}

// Order reads an order and its events (GET /admin/v1/orders/{id}).
func (a *Admin) Order(ctx context.Context, id string) (*operator.OrderDetail, error) {
	var out operator.OrderDetail
	if err := a.send(ctx, http.MethodGet, admin.ItemPath(admin.OrdersPath, id), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListPlans reads a page of catalog plans (GET /admin/v1/plans).
func (a *Admin) ListPlans(ctx context.Context, q operator.PlanQuery) (*operator.List[*opencube.Plan], error) {
	v := listQuery{}
	v.set("enterprise", q.Enterprise)
	v.set("status", string(q.Status))
	v.page(q.Page)
	return getList[*opencube.Plan](ctx, a, v.path(admin.PlansPath))
}

// Plan reads a catalog plan and the enterprises it is granted to (GET
// /admin/v1/plans/{code}).
func (a *Admin) Plan(ctx context.Context, code string) (*operator.PlanDetail, error) {
	var out operator.PlanDetail
	if err := a.send(ctx, http.MethodGet, admin.ItemPath(admin.PlansPath, code), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Usage reads the usage of a SIM or an enterprise per UTC+8 day or month
// (GET /admin/v1/usage).
func (a *Admin) Usage(ctx context.Context, q operator.UsageQuery) (*operator.UsageSeries, error) {
	v := listQuery{}
	v.set("iccid", q.ICCID)
	v.set("enterprise", q.Enterprise)
	v.set("granularity", string(q.Granularity))
	if q.From != 0 {
		v.set("from", strconv.Itoa(q.From))
	}
	if q.To != 0 {
		v.set("to", strconv.Itoa(q.To))
	}
	var out operator.UsageSeries
	if err := a.send(ctx, http.MethodGet, v.path(admin.UsagePath), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListSessions reads a page of open data sessions (GET /admin/v1/sessions).
func (a *Admin) ListSessions(ctx context.Context, q operator.SessionQuery) (*operator.List[*opencube.DataSession], error) {
	v := listQuery{}
	v.set("enterprise", q.Enterprise)
	v.set("iccid", q.ICCID)
	v.page(q.Page)
	return getList[*opencube.DataSession](ctx, a, v.path(admin.SessionsPath))
}

// ListSMS reads a page of short messages, newest first (GET /admin/v1/sms).
func (a *Admin) ListSMS(ctx context.Context, q operator.SMSQuery) (*operator.List[*opencube.SMS], error) {
	v := listQuery{}
	v.set("enterprise", q.Enterprise)
	v.set("iccid", q.ICCID)
	v.set("direction", string(q.Direction))
	v.set("state", string(q.State))
	v.time("from", q.From)
	v.time("to", q.To)
	v.page(q.Page)
	return getList[*opencube.SMS](ctx, a, v.path(admin.SMSPath))
}

// ListJobs reads a page of background jobs (GET /admin/v1/jobs).
func (a *Admin) ListJobs(ctx context.Context, q operator.JobQuery) (*operator.List[*operator.JobView], error) {
	v := listQuery{}
	v.set("kind", q.Kind)
	v.set("state", string(q.State))
	v.page(q.Page)
	return getList[*operator.JobView](ctx, a, v.path(admin.JobsPath))
}

// getList reads one page of a list.
func getList[T any](ctx context.Context, a *Admin, path string) (*operator.List[T], error) {
	var out operator.List[T]
	if err := a.send(ctx, http.MethodGet, path, "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
