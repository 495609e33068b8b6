package admin

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/shop"
)

// Lists is the operator API's reads (service.Lists): every list, with its
// filters checked, and each object's detail.
type Lists interface {
	ListEnterprises(ctx context.Context, q operator.EnterpriseQuery) (*operator.List[*opencube.Enterprise], error)
	Enterprise(ctx context.Context, code string) (*operator.EnterpriseDetail, error)
	ListSIMs(ctx context.Context, q operator.SIMQuery) (*operator.List[*opencube.SIM], error)
	SIM(ctx context.Context, iccid string) (*operator.SIMDetail, error)
	ListOrders(ctx context.Context, q operator.OrderQuery) (*operator.List[*opencube.Order], error)
	Order(ctx context.Context, id string) (*operator.OrderDetail, error)
	ListPlans(ctx context.Context, q operator.PlanQuery) (*operator.List[*opencube.Plan], error)
	Plan(ctx context.Context, code, forEnterprise string) (*operator.PlanDetail, error)
	Usage(ctx context.Context, q operator.UsageQuery) (*operator.UsageSeries, error)
	ListSessions(ctx context.Context, q operator.SessionQuery) (*operator.List[*opencube.DataSession], error)
	ListSMS(ctx context.Context, q operator.SMSQuery) (*operator.List[*opencube.SMS], error)
	ListJobs(ctx context.Context, q operator.JobQuery) (*operator.List[*operator.JobView], error)
	ListMallOrders(ctx context.Context, q operator.MallOrderQuery) (*operator.List[*shop.MallOrder], error)
	MallOrder(ctx context.Context, accessCode, orderNo string) (*operator.MallOrderDetail, error)
	ListESIMOrders(ctx context.Context, q operator.ESIMOrderQuery) (*operator.List[*shop.ESIMOrder], error)
	ESIMOrder(ctx context.Context, id string) (*operator.ESIMOrderDetail, error)
	ListPayments(ctx context.Context, q operator.PaymentQuery) (*operator.List[*operator.Payment], error)
	ListGroups(ctx context.Context, q operator.GroupQuery) (*operator.List[*shop.BundleGroup], error)
	Group(ctx context.Context, accessCode, id string) (*operator.GroupDetail, error)
}

// The paths of the lists.
const (
	EnterprisesPath = Prefix + "enterprises"
	SIMsPath        = Prefix + "sims"
	OrdersPath      = Prefix + "orders"
	PlansPath       = Prefix + "plans"
	UsagePath       = Prefix + "usage"
	SessionsPath    = Prefix + "sessions"
	SMSPath         = Prefix + "sms"
	JobsPath        = Prefix + "jobs"
	HLRPath         = Prefix + "hlr"
	HLRReconcile    = Prefix + "hlr/reconcile"
	MallOrdersPath  = Prefix + "mall-orders"
	ESIMOrdersPath  = Prefix + "esim-orders"
	PaymentsPath    = Prefix + "payments"
	GroupsPath      = Prefix + "bundle-groups"
)

// MallOrderPath is the path of an enterprise's Mall order.
func MallOrderPath(enterprise, orderNo string) string {
	return EnterprisesPath + "/" + url.PathEscape(enterprise) + "/mall-orders/" + url.PathEscape(orderNo)
}

// GroupPath is the path of an enterprise's bundle group.
func GroupPath(enterprise, id string) string {
	return EnterprisesPath + "/" + url.PathEscape(enterprise) + "/bundle-groups/" + url.PathEscape(id)
}

// ItemPath is the path of one item of a list: SIMsPath and an ICCID.
func ItemPath(list, key string) string { return list + "/" + url.PathEscape(key) }

func (s *Server) lists() (Lists, error) {
	if s.Lists == nil {
		return nil, &opencube.Error{Kind: KindNoRoute, Message: "the operator's lists are not served"}
	}
	return s.Lists, nil
}

// params reads a list's query parameters: each once, none unknown.
type params struct {
	v    url.Values
	used map[string]bool
	err  error
}

func newParams(r *http.Request) *params {
	return &params{v: r.URL.Query(), used: map[string]bool{}}
}

// fail records the first error.
func (p *params) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

// str returns the parameter name, "" when absent.
func (p *params) str(name string) string {
	p.used[name] = true
	vs := p.v[name]
	if len(vs) > 1 {
		p.fail(opencube.Invalid(name, "%s is given more than once", name))
	}
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// boolean returns a true/false parameter, nil when absent.
func (p *params) boolean(name string) *bool {
	s := p.str(name)
	switch s {
	case "":
		return nil
	case "true", "1":
		v := true
		return &v
	case "false", "0":
		v := false
		return &v
	}
	p.fail(opencube.MustBe(name, "true or false"))
	return nil
}

// integer returns an integer parameter, 0 when absent.
func (p *params) integer(name string) int {
	s := p.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		p.fail(opencube.Invalid(name, "%s must be an integer", name))
	}
	return n
}

// time returns an RFC 3339 time parameter, zero when absent.
func (p *params) time(name string) time.Time {
	s := p.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		p.fail(opencube.Invalid(name, "%s must be an RFC 3339 time (2025-01-31T00:00:00+08:00)", name))
	}
	return t
}

// page returns the paging parameters: limit (1-500), cursor, count.
func (p *params) page() operator.Page {
	var pg operator.Page
	if s := p.str("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > operator.MaxLimit {
			p.fail(opencube.OutOfRange("limit", 1, operator.MaxLimit))
		}
		pg.Limit = n
	}
	pg.Cursor = p.str("cursor")
	if c := p.boolean("count"); c != nil {
		pg.Count = *c
	}
	return pg
}

// done returns the first error, or one naming a parameter nobody read.
func (p *params) done() error {
	if p.err != nil {
		return p.err
	}
	for name := range p.v {
		if !p.used[name] {
			return opencube.Invalid(name, "unknown query parameter %q", name)
		}
	}
	return nil
}

// EnterpriseList is an enterprise list's page, secrets counted only.
type EnterpriseList = operator.List[*Enterprise]

func (s *Server) listEnterprises(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.EnterpriseQuery{Q: p.str("q"), Status: opencube.EnterpriseStatus(p.str("status")), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if q.AccessCode, err = Confine(r, ""); err != nil {
		return 0, nil, err
	}
	l, err := svc.ListEnterprises(r.Context(), q)
	if err != nil {
		return 0, nil, err
	}
	out := &EnterpriseList{Items: make([]*Enterprise, len(l.Items)), Next: l.Next, Total: l.Total, Capped: l.Capped, AsOf: l.AsOf}
	for i, e := range l.Items {
		out.Items[i] = EnterpriseOf(e)
	}
	return http.StatusOK, out, nil
}

func (s *Server) listSIMs(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.SIMQuery{Enterprise: p.str("enterprise"), Status: opencube.SIMStatus(p.str("status")),
		Online: p.boolean("online"), InUse: p.boolean("in_use"), Q: p.str("q"), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if q.Enterprise, err = Confine(r, q.Enterprise); err != nil {
		return 0, nil, err
	}
	l, err := svc.ListSIMs(r.Context(), q)
	return answer(l, err)
}

func (s *Server) findSIM(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	if err := newParams(r).done(); err != nil {
		return 0, nil, err
	}
	d, err := svc.SIM(r.Context(), r.PathValue("iccid"))
	if err == nil {
		err = Visible(r, d.SIM.EnterpriseCode, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", r.PathValue("iccid")))
	}
	return answer(d, err)
}

func (s *Server) listOrders(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.OrderQuery{Enterprise: p.str("enterprise"), ICCID: p.str("iccid"), Status: opencube.OrderStatus(p.integer("status")),
		Plan: p.str("plan"), From: p.time("from"), To: p.time("to"), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if q.Enterprise, err = Confine(r, q.Enterprise); err != nil {
		return 0, nil, err
	}
	l, err := svc.ListOrders(r.Context(), q)
	return answer(l, err)
}

func (s *Server) findOrder(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	if err := newParams(r).done(); err != nil {
		return 0, nil, err
	}
	d, err := svc.Order(r.Context(), r.PathValue("id"))
	if err == nil {
		err = Visible(r, d.Order.EnterpriseCode, opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", r.PathValue("id")))
	}
	return answer(d, err)
}

func (s *Server) listPlans(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.PlanQuery{Enterprise: p.str("enterprise"), Status: opencube.PlanStatus(p.str("status")), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if q.Enterprise, err = Confine(r, q.Enterprise); err != nil {
		return 0, nil, err
	}
	l, err := svc.ListPlans(r.Context(), q)
	return answer(l, err)
}

func (s *Server) findPlan(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	if err := newParams(r).done(); err != nil {
		return 0, nil, err
	}
	ent, err := Confine(r, "")
	if err != nil {
		return 0, nil, err
	}
	d, err := svc.Plan(r.Context(), r.PathValue("code"), ent)
	return answer(d, err)
}

func (s *Server) usage(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.UsageQuery{ICCID: p.str("iccid"), Enterprise: p.str("enterprise"), Granularity: operator.Granularity(p.str("granularity")),
		From: p.integer("from"), To: p.integer("to")}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if q.Enterprise, err = Confine(r, q.Enterprise); err != nil {
		return 0, nil, err
	}
	series, err := svc.Usage(r.Context(), q)
	return answer(series, err)
}

func (s *Server) listSessions(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.SessionQuery{Enterprise: p.str("enterprise"), ICCID: p.str("iccid"), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if q.Enterprise, err = Confine(r, q.Enterprise); err != nil {
		return 0, nil, err
	}
	l, err := svc.ListSessions(r.Context(), q)
	return answer(l, err)
}

func (s *Server) listSMS(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.SMSQuery{Enterprise: p.str("enterprise"), ICCID: p.str("iccid"), Direction: opencube.SMSDirection(p.str("direction")),
		State: opencube.SMSState(p.str("state")), From: p.time("from"), To: p.time("to"), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if q.Enterprise, err = Confine(r, q.Enterprise); err != nil {
		return 0, nil, err
	}
	l, err := svc.ListSMS(r.Context(), q)
	return answer(l, err)
}

func (s *Server) listJobs(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.JobQuery{Kind: p.str("kind"), State: operator.JobState(p.str("state")), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	l, err := svc.ListJobs(r.Context(), q)
	return answer(l, err)
}

func (s *Server) listMallOrders(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.MallOrderQuery{Enterprise: p.str("enterprise"), ICCID: p.str("iccid"), Status: operator.MallOrderStatus(p.str("status")),
		From: p.time("from"), To: p.time("to"), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if q.Enterprise, err = Confine(r, q.Enterprise); err != nil {
		return 0, nil, err
	}
	l, err := svc.ListMallOrders(r.Context(), q)
	return answer(l, err)
}

func (s *Server) findMallOrder(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	if err := newParams(r).done(); err != nil {
		return 0, nil, err
	}
	d, err := svc.MallOrder(r.Context(), r.PathValue("code"), r.PathValue("no"))
	return answer(d, err)
}

// ESIMOrderStatuses name the eSIM order statuses in the admin API.
var ESIMOrderStatuses = map[string]shop.ESIMOrderStatus{
	"waiting": shop.ESIMWaiting, "paid": shop.ESIMPaid, "failed": shop.ESIMFailed, "cancelled": shop.ESIMCancelled,
}

func (s *Server) listESIMOrders(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.ESIMOrderQuery{Enterprise: p.str("enterprise"), ICCID: p.str("iccid"), From: p.time("from"), To: p.time("to"), Page: p.page()}
	if st := p.str("status"); st != "" {
		v, ok := ESIMOrderStatuses[st]
		if !ok {
			p.fail(opencube.MustBe("status", "waiting, paid, failed or cancelled"))
		}
		q.Status = &v
	}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if q.Enterprise, err = Confine(r, q.Enterprise); err != nil {
		return 0, nil, err
	}
	l, err := svc.ListESIMOrders(r.Context(), q)
	return answer(l, err)
}

func (s *Server) findESIMOrder(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	if err := newParams(r).done(); err != nil {
		return 0, nil, err
	}
	d, err := svc.ESIMOrder(r.Context(), r.PathValue("id"))
	if err == nil {
		err = Visible(r, d.Order.EnterpriseCode, opencube.Errorf(opencube.KindOrderNotFound, "eSIM order %s not found", r.PathValue("id")))
	}
	return answer(d, err)
}

func (s *Server) listPayments(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.PaymentQuery{Enterprise: p.str("enterprise"), ICCID: p.str("iccid"), Shop: p.str("shop"), Status: operator.PaymentStatus(p.str("status")),
		From: p.time("from"), To: p.time("to"), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if q.Enterprise, err = Confine(r, q.Enterprise); err != nil {
		return 0, nil, err
	}
	l, err := svc.ListPayments(r.Context(), q)
	return answer(l, err)
}

func (s *Server) listGroups(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	q := operator.GroupQuery{Enterprise: p.str("enterprise"), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if q.Enterprise, err = Confine(r, q.Enterprise); err != nil {
		return 0, nil, err
	}
	l, err := svc.ListGroups(r.Context(), q)
	return answer(l, err)
}

func (s *Server) findGroup(r *http.Request) (int, any, error) {
	svc, err := s.lists()
	if err != nil {
		return 0, nil, err
	}
	if err := newParams(r).done(); err != nil {
		return 0, nil, err
	}
	d, err := svc.Group(r.Context(), r.PathValue("code"), r.PathValue("id"))
	return answer(d, err)
}

// answer is a read's 200 answer, or its error.
func answer(v any, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

// listTitle names a generic list's schema in the reference.
func listTitle(title string) string {
	if strings.HasPrefix(title, "List[") {
		return "List"
	}
	return title
}
