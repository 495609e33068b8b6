package console

import (
	"net/url"
	"strings"
	"time"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/shop"
)

// The shops' pages: Mall orders, eSIM QR Mall orders (and one's detail),
// the payments of both, and the Mall's bundle groups (and one's SIMs).
// Each lists through the admin API, as the other lists do: an enterprise
// user sees its own.

// shopTab is one page of the shops' area, for its sub-navigation.
type shopTab struct {
	Path, Text string
	Current    bool
}

// shopTabs returns the area's pages, current the one shown.
func shopTabs(l *Lang, current string) []shopTab {
	var out []shopTab
	for _, t := range []string{"mall-orders", "esim-orders", "payments", "bundle-groups"} {
		out = append(out, shopTab{Path: Prefix + t, Text: l.T("shops.tab." + t), Current: t == current})
	}
	return out
}

// createdRange reads a list's from and to day filters (UTC+8 days, to
// inclusive) into from and to, noting a bad one in f.
func createdRange(rq *request, f *form, q url.Values, from, to *time.Time) {
	if v := q.Get("from"); v != "" {
		t, ok := dayStart(v)
		if !ok {
			f.Errors["from"] = rq.lang.T("form.date")
		}
		*from = t
	}
	if v := q.Get("to"); v != "" {
		t, ok := dayStart(v)
		if !ok {
			f.Errors["to"] = rq.lang.T("form.date")
		}
		*to = t.AddDate(0, 0, 1) // the whole of the last day
	}
}

// shopListView is a shop list's data: its tabs, filter, items and pager.
type shopListView[T any] struct {
	Tabs     []shopTab
	Filter   *form
	Items    []T
	Pager    pager
	Statuses []string
}

// MallStatus names a Mall order's payment status: paid, pending or
// failed.
func MallStatus(m *shop.MallOrder) string {
	switch {
	case m.Paid:
		return string(operator.MallPaid)
	case m.PayFailed:
		return string(operator.MallFailed)
	}
	return string(operator.MallPending)
}

// ESIMStatus names an eSIM order's status: waiting, paid, failed or
// cancelled.
func ESIMStatus(s shop.ESIMOrderStatus) string {
	for name, st := range admin.ESIMOrderStatuses {
		if st == s {
			return name
		}
	}
	return "waiting"
}

// listShop runs a shop list's query when its filter holds no error, and
// renders page.
func listShop[T any](s *Server, rq *request, page string, v *shopListView[T], list func() (*operator.List[T], error)) error {
	if len(v.Filter.Errors) == 0 {
		l, err := list()
		if err != nil && !v.Filter.refused(err, nil) {
			return err
		}
		if err == nil {
			v.Items, v.Pager = l.Items, nextPage(Prefix+page, rq.r.URL.Query(), l.Next)
		}
	}
	return s.render(rq, page, view{Title: rq.lang.T("shops.title." + page), Nav: "shops", Data: v})
}

func (s *Server) mallOrders(rq *request) error {
	q := rq.r.URL.Query()
	v := &shopListView[*shop.MallOrder]{Tabs: shopTabs(rq.lang, "mall-orders"), Filter: newForm(q), Statuses: []string{"paid", "pending", "failed"}}
	mq := operator.MallOrderQuery{Enterprise: q.Get("enterprise"), ICCID: strings.TrimSpace(q.Get("iccid")), Status: operator.MallOrderStatus(q.Get("status")),
		Page: operator.Page{Limit: pageSize, Cursor: q.Get("cursor")}}
	createdRange(rq, v.Filter, q, &mq.From, &mq.To)
	return listShop(s, rq, "mall-orders", v, func() (*operator.List[*shop.MallOrder], error) { return rq.api.ListMallOrders(rq.r.Context(), mq) })
}

// mallOrderView is a Mall order's page.
type mallOrderView struct {
	*operator.MallOrderDetail
	Tabs []shopTab
}

func (s *Server) mallOrder(rq *request) error {
	d, err := rq.api.MallOrder(rq.r.Context(), rq.r.PathValue("code"), rq.r.PathValue("no"))
	if err != nil {
		return err
	}
	return s.render(rq, "mall-order", view{Title: rq.lang.T("shops.mallorder", d.MallOrder.OrderNo), Nav: "shops",
		Data: mallOrderView{MallOrderDetail: d, Tabs: shopTabs(rq.lang, "")}})
}

func (s *Server) esimOrders(rq *request) error {
	q := rq.r.URL.Query()
	v := &shopListView[*shop.ESIMOrder]{Tabs: shopTabs(rq.lang, "esim-orders"), Filter: newForm(q), Statuses: []string{"waiting", "paid", "failed", "cancelled"}}
	eq := operator.ESIMOrderQuery{Enterprise: q.Get("enterprise"), ICCID: strings.TrimSpace(q.Get("iccid")),
		Page: operator.Page{Limit: pageSize, Cursor: q.Get("cursor")}}
	if st := q.Get("status"); st != "" {
		n, ok := admin.ESIMOrderStatuses[st]
		if !ok {
			v.Filter.Errors["status"] = rq.lang.T("shops.badstatus")
		}
		eq.Status = &n
	}
	createdRange(rq, v.Filter, q, &eq.From, &eq.To)
	return listShop(s, rq, "esim-orders", v, func() (*operator.List[*shop.ESIMOrder], error) { return rq.api.ListESIMOrders(rq.r.Context(), eq) })
}

// esimOrderView is an eSIM order's page.
type esimOrderView struct {
	*operator.ESIMOrderDetail
	Tabs []shopTab
}

func (s *Server) esimOrder(rq *request) error {
	d, err := rq.api.ESIMOrder(rq.r.Context(), rq.r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(rq, "esim-order", view{Title: rq.lang.T("shops.esimorder", d.Order.ID), Nav: "shops",
		Data: esimOrderView{ESIMOrderDetail: d, Tabs: shopTabs(rq.lang, "")}})
}

func (s *Server) payments(rq *request) error {
	q := rq.r.URL.Query()
	v := &shopListView[*operator.Payment]{Tabs: shopTabs(rq.lang, "payments"), Filter: newForm(q), Statuses: []string{"succeeded", "failed", "pending"}}
	pq := operator.PaymentQuery{Enterprise: q.Get("enterprise"), ICCID: strings.TrimSpace(q.Get("iccid")), Shop: q.Get("shop"), Status: operator.PaymentStatus(q.Get("status")),
		Page: operator.Page{Limit: pageSize, Cursor: q.Get("cursor")}}
	createdRange(rq, v.Filter, q, &pq.From, &pq.To)
	return listShop(s, rq, "payments", v, func() (*operator.List[*operator.Payment], error) { return rq.api.ListPayments(rq.r.Context(), pq) })
}

func (s *Server) bundleGroups(rq *request) error {
	q := rq.r.URL.Query()
	v := &shopListView[*shop.BundleGroup]{Tabs: shopTabs(rq.lang, "bundle-groups"), Filter: newForm(q)}
	gq := operator.GroupQuery{Enterprise: q.Get("enterprise"), Page: operator.Page{Limit: pageSize, Cursor: q.Get("cursor")}}
	return listShop(s, rq, "bundle-groups", v, func() (*operator.List[*shop.BundleGroup], error) { return rq.api.ListGroups(rq.r.Context(), gq) })
}

// groupView is a bundle group's page.
type groupView struct {
	*operator.GroupDetail
	Tabs []shopTab
}

func (s *Server) bundleGroup(rq *request) error {
	d, err := rq.api.Group(rq.r.Context(), rq.r.PathValue("code"), rq.r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(rq, "bundle-group", view{Title: rq.lang.T("shops.group", d.Group.ID), Nav: "shops",
		Data: groupView{GroupDetail: d, Tabs: shopTabs(rq.lang, "")}})
}

// shopTexts are the shops' pages' texts.
var shopTexts = texts{
	"nav.shops":                 {"Shops", "商城"},
	"shops.tab.mall-orders":     {"Mall orders", "商城订单"},
	"shops.tab.esim-orders":     {"eSIM orders", "eSIM 订单"},
	"shops.tab.payments":        {"Payments", "支付"},
	"shops.tab.bundle-groups":   {"Bundle groups", "组合"},
	"shops.areas":               {"Shop pages", "商城页面"},
	"shops.title.mall-orders":   {"Mall orders", "商城订单"},
	"shops.title.esim-orders":   {"eSIM QR Mall orders", "eSIM 二维码商城订单"},
	"shops.title.payments":      {"Shop payments", "商城支付"},
	"shops.title.bundle-groups": {"Mall bundle groups", "商城组合"},
	"shops.esimorder":           {"eSIM order %s", "eSIM 订单 %s"},
	"shops.mallorder":           {"Mall order %s", "商城订单 %s"},
	"shops.subscription":        {"Stripe subscription", "Stripe 订阅"},
	"shops.unpaid":              {"None yet: the order becomes one when paid.", "尚无：订单支付后生成。"},
	"shops.group":               {"Bundle group %s", "组合 %s"},
	"shops.created":             {"Created (UTC+8)", "创建时间（UTC+8）"},
	"shops.from":                {"Created from (UTC+8)", "创建起始日期（UTC+8）"},
	"shops.to":                  {"Created to (UTC+8)", "创建截止日期（UTC+8）"},
	"shops.orderno":             {"Order number", "订单编号"},
	"shops.order":               {"Order", "订单号"},
	"shops.iccid":               {"ICCID", "ICCID"},
	"shops.plan":                {"Plan", "套餐"},
	"shops.amount":              {"Amount", "金额"},
	"shops.payment":             {"Payment", "支付"},
	"shops.provider":            {"Provider", "支付渠道"},
	"shops.reference":           {"Payment reference", "支付凭证号"},
	"shops.simorder":            {"SIM order", "SIM 卡订单"},
	"shops.renewal":             {"Auto-renewal", "自动续订"},
	"shops.renewals":            {"%d renewal(s) paid", "已续订 %d 期"},
	"shops.renewalstopped":      {"stopped: %s", "已停止：%s"},
	"shops.renewalon":           {"on", "开启"},
	"shops.renewaloff":          {"off", "关闭"},
	"shops.shop":                {"Shop", "商城"},
	"shops.shop.mall":           {"Mall", "商城"},
	"shops.shop.esim":           {"eSIM QR Mall", "eSIM 二维码商城"},
	"shops.status.paid":         {"paid", "已支付"},
	"shops.status.pending":      {"pending", "待支付"},
	"shops.status.failed":       {"payment failed", "支付失败"},
	"shops.status.waiting":      {"waiting for payment", "待支付"},
	"shops.status.cancelled":    {"cancelled (not paid in time)", "已取消（超时未支付）"},
	"shops.status.succeeded":    {"succeeded", "成功"},
	"shops.badstatus":           {"Choose a status from the list.", "请从列表中选择状态。"},
	"shops.verified":            {"Succeeded and failed payments are what the provider's verified report said (a Stripe event with a valid Stripe-Signature, a partner's signed notification); a pending one has none yet.", "成功与失败均以支付渠道经验证的通知为准（签名有效的 Stripe 事件、合作方签名的通知）；待支付表示尚未收到。"},
	"shops.email":               {"Buyer", "购买人"},
	"shops.periods":             {"Periods", "周期数"},
	"shops.topup":               {"Top-up of an eSIM bought before", "为已购 eSIM 充值"},
	"shops.kind":                {"Kind", "类型"},
	"shops.newesim":             {"New eSIM", "新购 eSIM"},
	"shops.paidat":              {"Paid (UTC+8)", "支付时间（UTC+8）"},
	"shops.profile":             {"Profile", "eSIM 配置文件"},
	"shops.profilestate":        {"Profile state", "配置文件状态"},
	"shops.smdp":                {"SM-DP+ address", "SM-DP+ 地址"},
	"shops.imsi":                {"IMSI", "IMSI"},
	"shops.sim":                 {"SIM", "SIM 卡"},
	"shops.notsim":              {"Not a SIM yet: it becomes one when the order is paid.", "尚不是 SIM 卡：订单支付后成为 SIM 卡。"},
	"shops.groupid":             {"Group", "组合"},
	"shops.name":                {"Name", "名称"},
	"shops.baseplan":            {"Base plan", "基础套餐"},
	"shops.sims":                {"SIMs", "SIM 卡数"},
	"shops.added":               {"Added (UTC+8)", "加入时间（UTC+8）"},
	"shops.nosims":              {"The group holds no SIM.", "该组合中没有 SIM 卡。"},
	"shops.empty.mall-orders":   {"No Mall order matches. Orders come through the Mall's API (singleOrder, SynOrderInfo).", "没有符合条件的商城订单。订单来自商城接口（singleOrder、SynOrderInfo）。"},
	"shops.empty.esim-orders":   {"No eSIM order matches. Orders come through the eSIM QR Mall (pre-orders and top-ups).", "没有符合条件的 eSIM 订单。订单来自 eSIM 二维码商城（预订与充值）。"},
	"shops.empty.payments":      {"No payment matches.", "没有符合条件的支付。"},
	"shops.empty.bundle-groups": {"No bundle group yet. Groups are made by the Mall's bundle-group operations.", "尚无组合。组合由商城的组合接口创建。"},
	"shops.shoporders":          {"The SIM's shop orders:", "该 SIM 卡的商城订单："},
}
