package console

import (
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// enterprisesView is the enterprise search page's data.
type enterprisesView struct {
	Filter *form
	Items  []*admin.Enterprise
	Pager  pager
}

// enterprises searches enterprises by a code prefix or a part of the
// name, and status: a page for operators and support users.
func (s *Server) enterprises(rq *request) error {
	if rq.actor.Role == operator.RoleEnterprise {
		return forbidden()
	}
	q := rq.r.URL.Query()
	f := newForm(q)
	v := enterprisesView{Filter: f}
	l, err := rq.api.ListEnterprises(rq.r.Context(), operator.EnterpriseQuery{Q: q.Get("q"),
		Status: opencube.EnterpriseStatus(q.Get("status")), Page: operator.Page{Limit: pageSize, Cursor: q.Get("cursor")}})
	if err != nil && !f.refused(err, nil) {
		return err
	}
	if err == nil {
		v.Items, v.Pager = l.Items, nextPage(Prefix+"enterprises", q, l.Next)
	}
	return s.render(rq, "enterprises", view{Title: rq.lang.T("enterprises.title"), Nav: "enterprises", Data: v})
}

// enterpriseView is an enterprise's page: the API's view of it (never a
// secret), its grants and its users.
type enterpriseView struct {
	E      *admin.Enterprise
	Grants []*opencube.Plan
	Users  []*operator.User
	// MoreGrants and MoreUsers say the lists go on beyond the page.
	MoreGrants, MoreUsers bool
}

// Age is how long ago a secret was added, in days.
func (enterpriseView) Age(s operator.SecretInfo) int64 {
	return s.AgeSeconds / int64(24*time.Hour/time.Second)
}

func (s *Server) enterprise(rq *request) error {
	ctx, code := rq.r.Context(), rq.r.PathValue("code")
	e, err := rq.api.Enterprise(ctx, code)
	if err != nil {
		return err
	}
	v := enterpriseView{E: e}
	plans, err := rq.api.ListPlans(ctx, operator.PlanQuery{Enterprise: code, Page: operator.Page{Limit: pageSize}})
	if err != nil {
		return err
	}
	v.Grants, v.MoreGrants = plans.Items, plans.Next != nil
	users, err := rq.api.ListUsers(ctx, operator.UserQuery{Enterprise: code, Page: operator.Page{Limit: pageSize}})
	if err != nil {
		return err
	}
	v.Users, v.MoreUsers = users.Items, users.Next != nil
	return s.render(rq, "enterprise", view{Title: rq.lang.T("enterprise.title", e.Name, e.AccessCode), Nav: "enterprises", Data: v})
}

// enterpriseAct disables or enables an enterprise (operators only: the
// API refuses the others).
func (s *Server) enterpriseAct(rq *request) error {
	ctx, code := rq.r.Context(), rq.r.PathValue("code")
	var err error
	switch rq.r.PathValue("act") {
	case "disable":
		_, err = rq.api.DisableEnterprise(ctx, code)
	case "enable":
		_, err = rq.api.EnableEnterprise(ctx, code)
	default:
		return s.notFound(rq)
	}
	if err != nil {
		return err
	}
	return redirect(rq, Prefix+"enterprises/"+code, "saved")
}

// notFound answers the console's page for a path it does not serve.
func (s *Server) notFound(rq *request) error {
	return &opencube.Error{Kind: opencube.KindNotFound, Message: rq.lang.T("error.notfound")}
}

// enterpriseTexts are the texts of the enterprise pages.
var enterpriseTexts = texts{
	"enterprises.title":         {"Enterprises", "企业"},
	"enterprises.q":             {"Access code or name", "接入码或名称"},
	"enterprises.code":          {"Access code", "接入码"},
	"enterprises.name":          {"Name", "名称"},
	"enterprises.empty":         {"No enterprise matches. Create one with opencube admin enterprise create.", "没有符合条件的企业。可用 opencube admin enterprise create 创建企业。"},
	"enterprise.title":          {"%s (%s)", "%s（%s）"},
	"enterprise.facts":          {"Enterprise", "企业信息"},
	"enterprise.ratelimit":      {"Rate limit", "限流"},
	"enterprise.ratelimitv":     {"%.1f requests a second, burst %d", "每秒 %.1f 次，突发 %d"},
	"enterprise.serverlimit":    {"The server's", "使用服务器默认值"},
	"enterprise.sims":           {"SIMs", "SIM 卡数"},
	"enterprise.inuse":          {"Orders in use", "使用中的订单"},
	"enterprise.users":          {"Users", "用户"},
	"enterprise.grants":         {"Plans granted", "已授权套餐"},
	"enterprise.nogrants":       {"No plan is granted. Grant one from a plan's page.", "尚未授权任何套餐。可在套餐页面授权。"},
	"enterprise.webhook":        {"Webhook endpoint", "Webhook 地址"},
	"enterprise.nowebhook":      {"No endpoint is set: the enterprise receives no notifications.", "未设置地址，企业不会收到通知。"},
	"enterprise.url":            {"URL", "地址"},
	"enterprise.events":         {"Events", "事件"},
	"enterprise.allevents":      {"All", "全部"},
	"enterprise.failures":       {"Consecutive failures", "连续失败次数"},
	"enterprise.alerts":         {"Usage alerts", "用量提醒"},
	"enterprise.percents":       {"Volume thresholds (%)", "流量阈值（%）"},
	"enterprise.expiry":         {"Days before expiry", "到期前天数"},
	"enterprise.secrets":        {"API secrets", "API 密钥"},
	"enterprise.secretid":       {"Id", "编号"},
	"enterprise.added":          {"Added (UTC+8)", "添加时间（UTC+8）"},
	"enterprise.age":            {"Age (days)", "已使用天数"},
	"enterprise.username":       {"Username", "用户名"},
	"enterprise.disabled":       {"Disabled", "已停用"},
	"enterprise.nousers":        {"No user yet. Create one with opencube admin user create.", "尚无用户。可用 opencube admin user create 创建。"},
	"enterprise.more":           {"The list goes on; only the first 50 are shown.", "列表未完，仅显示前 50 项。"},
	"enterprise.disable":        {"Disable the enterprise", "停用企业"},
	"enterprise.enable":         {"Enable the enterprise", "启用企业"},
	"enterprise.confirmdisable": {"Disable this enterprise? Its signed requests will be refused until it is enabled.", "确定停用该企业？启用前其签名请求都会被拒绝。"},
	"enterprise.confirmenable":  {"Enable this enterprise? Its waiting webhooks and SMS are sent at once.", "确定启用该企业？等待中的 Webhook 通知和短信会立即发出。"},
	"enterprise.simslink":       {"See its SIMs", "查看其 SIM 卡"},
	"enterprise.orderslink":     {"See its orders", "查看其订单"},
	"yes":                       {"Yes", "是"},
	"no":                        {"No", "否"},
}
