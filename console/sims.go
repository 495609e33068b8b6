package console

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// simsView is the SIM search page's data.
type simsView struct {
	Filter *form
	Items  []*opencube.SIM
	Pager  pager
}

// simStates are the SIM states a filter offers.
var simStates = []opencube.SIMStatus{opencube.SIMInventory, opencube.SIMActive, opencube.SIMSuspended, opencube.SIMTerminated}

// States lists the SIM states.
func (simsView) States() []opencube.SIMStatus { return simStates }

// sims searches SIMs by a prefix of ICCID, IMSI or MSISDN, enterprise and
// state, a page at a time: the API's keyset paging, never counted, so
// that it stays fast at any number of SIMs.
func (s *Server) sims(rq *request) error {
	q := rq.r.URL.Query()
	f := newForm(q)
	v := simsView{Filter: f}
	l, err := rq.api.ListSIMs(rq.r.Context(), operator.SIMQuery{Q: strings.TrimSpace(q.Get("q")), Enterprise: q.Get("enterprise"),
		Status: opencube.SIMStatus(q.Get("state")), Page: operator.Page{Limit: pageSize, Cursor: q.Get("cursor")}})
	if err != nil && !f.refused(err, map[string]string{"status": "state"}) {
		return err
	}
	if err == nil {
		v.Items, v.Pager = l.Items, nextPage(Prefix+"sims", q, l.Next)
	}
	return s.render(rq, "sims", view{Title: rq.lang.T("sims.title"), Nav: "sims", Data: v})
}

// simView is a SIM's page: the API's view of it, its usage chart and
// figures, its last messages, its enterprise's plans and the order form.
type simView struct {
	*operator.SIMDetail
	Chart template.HTML
	Days  []Bar
	SMS   []*opencube.SMS
	Plans []*opencube.Plan
	Form  *form
}

// Left is what the order in use has left of its volume.
func (v simView) Left() int64 { return max(v.Order.VolumeBytes-v.Order.UsedBytes, 0) }

// MB shows bytes in MB with two decimals.
func (simView) MB(b int64) string { return strconv.FormatFloat(float64(b)/opencube.MB, 'f', 2, 64) }

// Periods is the periods of an order, renewals included.
func (simView) Periods(o *opencube.Order) int { return o.Periods() }

// smsShown is how many of a SIM's last messages its page shows.
const smsShown = 10

func (s *Server) sim(rq *request) error {
	return s.simPage(rq, newForm(nil), 200)
}

// simPage renders a SIM's page with the order form f.
func (s *Server) simPage(rq *request, f *form, status int) error {
	ctx, l, iccid := rq.r.Context(), rq.lang, rq.r.PathValue("iccid")
	d, err := rq.api.SIM(ctx, iccid)
	if err != nil {
		return err
	}
	v := simView{SIMDetail: d, Form: f}
	usage, err := rq.api.Usage(ctx, operator.UsageQuery{ICCID: iccid, Granularity: operator.ByDay})
	if err != nil {
		return err
	}
	v.Days = dailyBars(usage)
	v.Chart = UsageChart(l, l.T("sim.chart"), v.Days)
	sms, err := rq.api.ListSMS(ctx, operator.SMSQuery{ICCID: iccid, Page: operator.Page{Limit: smsShown}})
	if err != nil {
		return err
	}
	v.SMS = sms.Items
	if rq.actor.CanWrite() {
		plans, err := rq.api.ListPlans(ctx, operator.PlanQuery{Enterprise: d.SIM.EnterpriseCode, Status: opencube.PlanActive, Page: operator.Page{Limit: operator.MaxLimit}})
		if err != nil {
			return err
		}
		v.Plans = plans.Items
	}
	return s.renderStatus(rq, status, "sim", view{Title: l.T("sim.title", d.SIM.ICCID), Nav: "sims", Data: v})
}

// dailyBars is a bar a day of a usage series' range, days without data
// at zero.
func dailyBars(u *operator.UsageSeries) []Bar {
	byDay := map[int]int64{}
	for _, p := range u.Points {
		byDay[p.Period] = p.Bytes
	}
	from, err1 := time.Parse("20060102", strconv.Itoa(u.From))
	to, err2 := time.Parse("20060102", strconv.Itoa(u.To))
	if err1 != nil || err2 != nil {
		return nil
	}
	var bars []Bar
	for d := from; !d.After(to) && len(bars) < 400; d = d.AddDate(0, 0, 1) {
		day := d.Year()*10000 + int(d.Month())*100 + d.Day()
		bars = append(bars, Bar{Label: d.Format("2006-01-02"), Bytes: byDay[day]})
	}
	return bars
}

// simMove suspends or activates a SIM through the API's SIM move.
func (s *Server) simMove(rq *request) error {
	iccid := rq.r.PathValue("iccid")
	move := opencube.SIMMove(rq.r.PathValue("move"))
	if move != opencube.SIMSuspend && move != opencube.SIMActivate {
		return s.notFound(rq)
	}
	if _, err := rq.api.MoveSIM(rq.r.Context(), iccid, move); err != nil {
		return err
	}
	return redirect(rq, Prefix+"sims/"+iccid, "saved")
}

// simOrder orders a plan for the SIM, for its enterprise.
func (s *Server) simOrder(rq *request) error {
	iccid := rq.r.PathValue("iccid")
	f := newForm(rq.r.PostForm)
	if f.Get("plan") == "" {
		f.Errors["plan"] = rq.lang.T("form.required")
	}
	periods, _ := positive(f, rq.lang, "periods")
	if len(f.Errors) == 0 {
		o, err := rq.api.OrderPlan(rq.r.Context(), operator.OrderRequest{ICCID: iccid, PlanCode: f.Get("plan"), Periods: periods, Open: f.Get("open") != ""})
		if err == nil {
			return redirect(rq, Prefix+"orders/"+o.ID, "ordered")
		}
		if !shown(f, err, nil) {
			return err
		}
	}
	return s.simPage(rq, f, 400)
}

// simTexts are the texts of the SIM pages.
var simTexts = texts{
	"sims.title":             {"SIMs", "SIM 卡"},
	"sims.q":                 {"ICCID, IMSI or MSISDN (start of)", "ICCID、IMSI 或 MSISDN（前缀）"},
	"sims.enterprise":        {"Enterprise access code", "企业接入码"},
	"sims.iccid":             {"ICCID", "ICCID"},
	"sims.imsi":              {"IMSI", "IMSI"},
	"sims.msisdn":            {"MSISDN", "MSISDN"},
	"sims.empty":             {"No SIMs match. Import SIMs with opencube admin sims import, or search with fewer digits.", "没有符合条件的 SIM 卡。可用 opencube admin sims import 导入，或减少搜索位数。"},
	"sim.title":              {"SIM %s", "SIM 卡 %s"},
	"sim.ota":                {"OTA", "OTA"},
	"sim.hlr":                {"Network register", "网络签约（HLR）"},
	"sim.hlr.pending":        {"Pending: the last change waits to reach the register", "待同步：最近的变更尚未送达 HLR"},
	"sim.hlr.provisioned":    {"Provisioned", "已同步"},
	"sim.hlr.failed":         {"Refused by the register", "被 HLR 拒绝"},
	"sim.suspend":            {"Suspend the SIM", "停用 SIM 卡"},
	"sim.activate":           {"Activate the SIM", "激活 SIM 卡"},
	"sim.confirmsuspend":     {"Suspend this SIM? It loses data service until activated.", "确定停用该 SIM 卡？激活前将无法使用数据业务。"},
	"sim.inuse":              {"Order in use", "使用中的订单"},
	"sim.noorder":            {"No order is in use. Order a plan below.", "没有使用中的订单。可在下方订购套餐。"},
	"sim.left":               {"Volume left", "剩余流量"},
	"sim.used":               {"Used", "已用"},
	"sim.expires":            {"Expires (UTC+8)", "到期时间（UTC+8）"},
	"sim.orders":             {"Recent orders", "最近订单"},
	"sim.noorders":           {"No order yet.", "尚无订单。"},
	"sim.chart":              {"Data used a day, last 31 days (UTC+8)", "近 31 天每日用量（UTC+8）"},
	"sim.usage":              {"Usage", "用量"},
	"sim.day":                {"Day (UTC+8)", "日期（UTC+8）"},
	"sim.mb":                 {"MB", "MB"},
	"sim.figures":            {"The figures of the chart", "图表数据"},
	"sim.sessions":           {"Open sessions", "当前会话"},
	"sim.nosessions":         {"No open data session.", "没有进行中的数据会话。"},
	"sim.session":            {"Session", "会话"},
	"sim.started":            {"Started (UTC+8)", "开始时间（UTC+8）"},
	"sim.last":               {"Last record (UTC+8)", "最后记录（UTC+8）"},
	"sim.network":            {"Network", "网络"},
	"sim.bytes":              {"Data", "流量"},
	"sim.sms":                {"Last messages", "最近短信"},
	"sim.nosms":              {"No message yet.", "尚无短信。"},
	"sim.direction":          {"Direction", "方向"},
	"sim.content":            {"Content", "内容"},
	"sim.state":              {"State", "状态"},
	"sim.orderplan":          {"Order a plan", "订购套餐"},
	"sim.plan":               {"Plan", "套餐"},
	"sim.chooseplan":         {"Choose a plan", "请选择套餐"},
	"sim.periods":            {"Periods", "周期数"},
	"sim.open":               {"Enable now", "立即启用"},
	"sim.submitorder":        {"Order", "订购"},
	"sim.noplans":            {"The SIM's enterprise may order no plan. Grant one from a plan's page.", "该 SIM 卡所属企业没有可订购的套餐。可在套餐页面授权。"},
	"sim.smsdir.mt":          {"To the device", "下行"},
	"sim.smsdir.mo":          {"From the device", "上行"},
	"sim.smsstate.queued":    {"Queued", "排队中"},
	"sim.smsstate.sent":      {"Sent", "已发送"},
	"sim.smsstate.delivered": {"Delivered", "已送达"},
	"sim.smsstate.failed":    {"Failed", "失败"},
	"sim.smsstate.expired":   {"Expired", "已过期"},
	"notice.ordered":         {"Ordered.", "已下单。"},
}
