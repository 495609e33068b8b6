package console

import (
	"strconv"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// ordersView is the order list's data.
type ordersView struct {
	Filter *form
	Items  []*opencube.Order
	Pager  pager
}

// orderStates are the order states a filter offers.
var orderStates = []opencube.OrderStatus{opencube.OrderNotEnabled, opencube.OrderInUse, opencube.OrderSuspended,
	opencube.OrderExpired, opencube.OrderEnded, opencube.OrderCancelled}

// States lists the order states.
func (ordersView) States() []opencube.OrderStatus { return orderStates }

// orders lists orders, newest first, by enterprise, SIM, state, plan and
// UTC+8 order dates.
func (s *Server) orders(rq *request) error {
	q := rq.r.URL.Query()
	f := newForm(q)
	oq := operator.OrderQuery{Enterprise: q.Get("enterprise"), ICCID: strings.TrimSpace(q.Get("iccid")), Plan: strings.TrimSpace(q.Get("plan")),
		Page: operator.Page{Limit: pageSize, Cursor: q.Get("cursor")}}
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.Errors["status"] = rq.lang.T("form.positive")
		}
		oq.Status = opencube.OrderStatus(n)
	}
	if v := q.Get("from"); v != "" {
		t, ok := dayStart(v)
		if !ok {
			f.Errors["from"] = rq.lang.T("form.date")
		}
		oq.From = t
	}
	if v := q.Get("to"); v != "" {
		t, ok := dayStart(v)
		if !ok {
			f.Errors["to"] = rq.lang.T("form.date")
		}
		oq.To = t.AddDate(0, 0, 1) // the whole of the last day
	}
	v := ordersView{Filter: f}
	if len(f.Errors) == 0 {
		l, err := rq.api.ListOrders(rq.r.Context(), oq)
		if err != nil && !f.refused(err, nil) {
			return err
		}
		if err == nil {
			v.Items, v.Pager = l.Items, nextPage(Prefix+"orders", q, l.Next)
		}
	}
	return s.render(rq, "orders", view{Title: rq.lang.T("orders.title"), Nav: "orders", Data: v})
}

// orderView is an order's page: the order, its events, and the moves its
// state allows.
type orderView struct {
	*operator.OrderDetail
	Form *form
	// Currency is the currency of the order's plan.
	Currency string
}

// Can reports whether the order's state allows move.
func (v orderView) Can(move string) bool {
	st := v.Order.Status
	switch operator.OrderMove(move) {
	case operator.OrderRenew:
		return st.Renewable()
	case operator.OrderEnable, operator.OrderCancel:
		return st == opencube.OrderNotEnabled
	case operator.OrderSuspend:
		return st == opencube.OrderInUse
	case operator.OrderResume:
		return st == opencube.OrderSuspended
	case operator.OrderEnd:
		return st.Active()
	}
	return false
}

// Periods is the order's periods, renewals included.
func (v orderView) Periods() int { return v.Order.Periods() }

func (s *Server) order(rq *request) error {
	return s.orderPage(rq, newForm(nil), 200)
}

func (s *Server) orderPage(rq *request, f *form, status int) error {
	d, err := rq.api.Order(rq.r.Context(), rq.r.PathValue("id"))
	if err != nil {
		return err
	}
	v := orderView{OrderDetail: d, Form: f}
	if p, err := rq.api.Plan(rq.r.Context(), d.Order.PlanCode); err == nil {
		v.Currency = p.Plan.Currency
	}
	return s.renderStatus(rq, status, "order", view{Title: rq.lang.T("order.title", d.Order.ID), Nav: "orders", Data: v})
}

// orderMove enables, renews, cancels, ends, suspends or resumes an order
// through the API, as the CSSS call of the same name would.
func (s *Server) orderMove(rq *request) error {
	id, move := rq.r.PathValue("id"), operator.OrderMove(rq.r.PathValue("move"))
	switch move {
	case operator.OrderEnable, operator.OrderRenew, operator.OrderCancel, operator.OrderEnd, operator.OrderSuspend, operator.OrderResume:
	default:
		return s.notFound(rq)
	}
	f := newForm(rq.r.PostForm)
	periods := 0
	if move == operator.OrderRenew {
		var ok bool
		if periods, ok = positive(f, rq.lang, "periods"); !ok {
			return s.orderPage(rq, f, 400)
		}
	}
	if _, err := rq.api.MoveOrder(rq.r.Context(), id, move, periods); err != nil {
		if move == operator.OrderRenew && shown(f, err, nil) {
			return s.orderPage(rq, f, 400)
		}
		return err
	}
	return redirect(rq, Prefix+"orders/"+id, "saved")
}

// orderTexts are the texts of the order pages.
var orderTexts = texts{
	"orders.title":         {"Orders", "订单"},
	"orders.id":            {"Order", "订单号"},
	"orders.iccid":         {"ICCID", "ICCID"},
	"orders.plan":          {"Plan code", "套餐编码"},
	"orders.from":          {"Ordered from (UTC+8)", "下单起始日期（UTC+8）"},
	"orders.to":            {"Ordered to (UTC+8)", "下单截止日期（UTC+8）"},
	"orders.ordered":       {"Ordered (UTC+8)", "下单时间（UTC+8）"},
	"orders.all":           {"All the SIM's orders", "该 SIM 卡的全部订单"},
	"orders.empty":         {"No order matches. Order a plan from a SIM's page.", "没有符合条件的订单。可在 SIM 卡页面订购套餐。"},
	"order.title":          {"Order %s", "订单 %s"},
	"order.code":           {"Order code", "订单编码"},
	"order.volume":         {"Volume", "流量"},
	"order.used":           {"Used", "已用"},
	"order.paid":           {"Paid", "支付金额"},
	"order.started":        {"Started (UTC+8)", "启用时间（UTC+8）"},
	"order.expires":        {"Expires (UTC+8)", "到期时间（UTC+8）"},
	"order.ended":          {"Ended (UTC+8)", "终止时间（UTC+8）"},
	"order.periods":        {"Periods", "周期数"},
	"order.events":         {"Events", "事件"},
	"order.noevents":       {"No event yet.", "尚无事件。"},
	"order.event":          {"Event", "事件"},
	"order.at":             {"When (UTC+8)", "时间（UTC+8）"},
	"order.enable":         {"Enable", "启用"},
	"order.renew":          {"Renew", "续订"},
	"order.cancel":         {"Cancel the order", "取消订单"},
	"order.end":            {"End early", "提前终止"},
	"order.suspend":        {"Suspend", "暂停"},
	"order.resume":         {"Resume", "恢复"},
	"order.confirmcancel":  {"Cancel this order? This cannot be undone.", "确定取消该订单？此操作无法撤销。"},
	"order.confirmend":     {"End this order now? What is left of it is lost.", "确定立即终止该订单？剩余部分将作废。"},
	"order.confirmsuspend": {"Suspend this order? The SIM loses data service until it is resumed.", "确定暂停该订单？恢复前 SIM 卡将无法使用数据业务。"},
	"order.nomoves":        {"The order's state allows no change.", "该订单当前状态不允许任何变更。"},
	"event.1000":           {"Ordered (1000)", "下单（1000）"},
	"event.1001":           {"Ended (1001)", "终止（1001）"},
	"event.1002":           {"Cancelled (1002)", "取消（1002）"},
	"event.1003":           {"Suspended (1003)", "暂停（1003）"},
	"event.1004":           {"Resumed (1004)", "恢复（1004）"},
	"event.1005":           {"Enabled (1005)", "启用（1005）"},
	"event.1007":           {"OTA order enabled (1007)", "OTA 订单启用（1007）"},
	"event.1008":           {"Expired (1008)", "过期（1008）"},
	"event.1009":           {"Renewed (1009)", "续订（1009）"},
	"event.1010":           {"Periods taken off (1010)", "减少周期（1010）"},
	"event.1012":           {"IMSI downloaded (1012)", "IMSI 下载（1012）"},
	"event.flow_alert":     {"Usage alert", "用量提醒"},
}
