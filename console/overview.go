package console

import (
	"errors"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// stat is one figure of the overview, with the list it counts.
type stat struct {
	Label string
	Value string
	Link  string
}

// overviewView is the overview's data: figures in groups.
type overviewView struct {
	Who      string
	SIMs     []stat
	Activity []stat
	Backlog  []stat
}

// overview shows the actor's figures, each a count=1 total (capped at
// operator.CountCap) so that the page stays cheap at any size.
func (s *Server) overview(rq *request) error {
	ctx, l := rq.r.Context(), rq.lang
	v := overviewView{Who: l.T("overview.signedin", rq.actor.Username, roleText(l, rq.actor))}
	for _, st := range []opencube.SIMStatus{opencube.SIMActive, opencube.SIMSuspended, opencube.SIMInventory, opencube.SIMTerminated} {
		list, err := rq.api.ListSIMs(ctx, operator.SIMQuery{Status: st, Page: counted})
		if err != nil {
			return err
		}
		v.SIMs = append(v.SIMs, stat{l.T("sim.status." + string(st)), totalText(list), Prefix + "sims?state=" + string(st)})
	}
	online := true
	list, err := rq.api.ListSIMs(ctx, operator.SIMQuery{Online: &online, Page: counted})
	if err != nil {
		return err
	}
	v.Activity = append(v.Activity, stat{l.T("overview.online"), totalText(list), ""})
	today := s.today(rq)
	orders, err := rq.api.ListOrders(ctx, operator.OrderQuery{From: today, To: today.AddDate(0, 0, 1), Page: counted})
	if err != nil {
		return err
	}
	day := today.Format("2006-01-02")
	v.Activity = append(v.Activity, stat{l.T("overview.orderstoday"), totalText(orders), Prefix + "orders?from=" + day + "&to=" + day})
	inUse, err := rq.api.ListOrders(ctx, operator.OrderQuery{Status: opencube.OrderInUse, Page: counted})
	if err != nil {
		return err
	}
	v.Activity = append(v.Activity, stat{l.T("overview.inuse"), totalText(inUse), Prefix + "orders?status=2"})
	if rq.actor.Role == operator.RoleEnterprise {
		err = s.enterpriseBacklog(rq, &v)
	} else {
		err = s.operatorBacklog(rq, &v)
	}
	if err != nil {
		return err
	}
	return s.render(rq, "overview", view{Title: l.T("overview.title"), Nav: "overview", Data: v})
}

// operatorBacklog counts the background work waiting: webhook deliveries
// due and retrying after a failure, and every job due or failed.
func (s *Server) operatorBacklog(rq *request, v *overviewView) error {
	l := rq.lang
	for _, c := range []struct {
		label, kind string
		state       operator.JobState
	}{
		{"overview.deliveriesdue", opencube.JobDeliver, operator.JobDue},
		{"overview.deliveriesfailing", opencube.JobDeliver, operator.JobFailed},
		{"overview.jobsdue", "", operator.JobDue},
		{"overview.jobsfailed", "", operator.JobFailed},
	} {
		list, err := rq.api.ListJobs(rq.r.Context(), operator.JobQuery{Kind: c.kind, State: c.state, Page: counted})
		if err != nil {
			return err
		}
		v.Backlog = append(v.Backlog, stat{l.T(c.label), totalText(list), ""})
	}
	return nil
}

// backlogSample is how many pending deliveries an enterprise's overview
// reads at most.
const backlogSample = 100

// enterpriseBacklog shows an enterprise's own webhook backlog: pending
// deliveries and whether its endpoint is failing.
func (s *Server) enterpriseBacklog(rq *request, v *overviewView) error {
	ctx, l, code := rq.r.Context(), rq.lang, rq.actor.Enterprise
	endpoint := l.T("overview.noendpoint")
	w, err := rq.api.FindWebhook(ctx, code)
	switch {
	case err == nil && w.Failing:
		endpoint = l.T("overview.failing")
	case err == nil:
		endpoint = l.T("overview.working")
	case !notFound(err):
		return err
	}
	pending := "0"
	if err == nil {
		ds, err := rq.api.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: code, State: opencube.DeliveryPending, Limit: backlogSample})
		if err != nil {
			return err
		}
		pending = thousands(len(ds))
		if len(ds) == backlogSample {
			pending += "+"
		}
	}
	v.Backlog = append(v.Backlog, stat{l.T("overview.deliveriespending"), pending, ""}, stat{l.T("overview.endpoint"), endpoint, ""})
	return nil
}

// notFound reports whether err is an API answer that the object does not
// exist (404).
func notFound(err error) bool {
	var e *opencube.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Kind {
	case opencube.KindNotFound, admin.KindNoRoute, opencube.KindUnauthenticated, opencube.KindDeviceNotFound, opencube.KindOrderNotFound, opencube.KindPlanNotOrderable:
		return true
	}
	return false
}

// overviewTexts are the overview's texts.
var overviewTexts = texts{
	"overview.sims":              {"SIMs by state", "SIM 卡状态"},
	"overview.activity":          {"Activity", "业务"},
	"overview.backlog":           {"Background work", "后台任务"},
	"overview.online":            {"Online now", "当前在线"},
	"overview.orderstoday":       {"Orders today (UTC+8)", "今日订单（UTC+8）"},
	"overview.inuse":             {"Orders in use", "使用中的订单"},
	"overview.deliveriesdue":     {"Webhook deliveries waiting", "待发送的 Webhook 通知"},
	"overview.deliveriesfailing": {"Webhook deliveries retrying after a failure", "失败后重试中的 Webhook 通知"},
	"overview.jobsdue":           {"Jobs due", "到期待执行的任务"},
	"overview.jobsfailed":        {"Jobs failed, to retry", "失败待重试的任务"},
	"overview.deliveriespending": {"Webhook deliveries pending", "待发送的 Webhook 通知"},
	"overview.endpoint":          {"Webhook endpoint", "Webhook 地址"},
	"overview.noendpoint":        {"None set", "未设置"},
	"overview.failing":           {"Failing", "连续失败"},
	"overview.working":           {"Working", "正常"},
	"overview.capped":            {"Counts stop at 10,000 to keep this page fast.", "为保证页面速度，计数最多显示到 10,000。"},
}
