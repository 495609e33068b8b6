package console

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// plansView is the plan list's data.
type plansView struct {
	Filter *form
	Items  []*opencube.Plan
	Pager  pager
}

// plans lists the catalog: every plan for operators and support users,
// the plans granted to its enterprise for an enterprise user (the API
// confines the list).
func (s *Server) plans(rq *request) error {
	q := rq.r.URL.Query()
	f := newForm(q)
	v := plansView{Filter: f}
	l, err := rq.api.ListPlans(rq.r.Context(), operator.PlanQuery{Status: opencube.PlanStatus(q.Get("status")),
		Page: operator.Page{Limit: pageSize, Cursor: q.Get("cursor")}})
	if err != nil && !f.refused(err, nil) {
		return err
	}
	if err == nil {
		v.Items, v.Pager = l.Items, nextPage(Prefix+"plans", q, l.Next)
	}
	return s.render(rq, "plans", view{Title: rq.lang.T("plans.title"), Nav: "plans", Data: v})
}

// planView is a plan's page and the forms on it.
type planView struct {
	*operator.PlanDetail
	// New is the creation form's page: no plan yet.
	New   bool
	Form  *form
	Grant *form
}

// field is one text input of a form: the form, the input's name, its
// label and its inputmode.
type field struct {
	F     *form
	N     string
	Label string
	Mode  string
}

// Field is a text input of form f.
func (planView) Field(f *form, name, label, mode string) field {
	return field{F: f, N: name, Label: label, Mode: mode}
}

// Types lists the plan types.
func (planView) Types() []int { return []int{0, 1, 2, 3, 4, 5} }

// Retired reports whether the plan takes no new order.
func (v planView) Retired() bool { return v.Plan != nil && v.Plan.Status == opencube.PlanRetired }

// planFields maps the API's names of a plan's fields to the form's.
var planFields = map[string]string{"volume": "volume_mb", "volume_bytes": "volume_mb", "package_code": "code", "package_name": "name"}

// planForm is the form of plan p as it stands.
func planForm(p *opencube.Plan) *form {
	return newForm(url.Values{
		"code": {p.Code}, "name": {p.Name}, "package_type": {strconv.Itoa(int(p.Type))},
		"volume_mb": {strconv.FormatFloat(float64(p.VolumeBytes)/opencube.MB, 'f', -1, 64)},
		"price":     {strconv.FormatFloat(float64(p.PriceMinor)/100, 'f', 2, 64)}, "currency": {p.Currency},
		"throttle_kbps": {strconv.Itoa(p.ThrottleKbps)}, "countries": {strings.Join(p.Countries, ", ")},
	})
}

// countries reads a list of country codes separated by commas or spaces.
func countries(s string) []string {
	out := []string{}
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '，' }) {
		out = append(out, strings.ToUpper(c))
	}
	return out
}

// operatorOnly refuses a page that changes the catalog to anyone but an
// operator, as the API does its changes.
func operatorOnly(rq *request) error {
	if rq.actor.Role != operator.RoleOperator {
		return forbidden()
	}
	return nil
}

func (s *Server) planNew(rq *request) error {
	if err := operatorOnly(rq); err != nil {
		return err
	}
	return s.planPage(rq, nil, newForm(url.Values{"currency": {admin.DefaultCurrency}, "package_type": {"2"}}), 200)
}

func (s *Server) planCreate(rq *request) error {
	f := newForm(rq.r.PostForm)
	throttle, _ := strconv.Atoi(strings.TrimSpace(f.Get("throttle_kbps")))
	if v := strings.TrimSpace(f.Get("throttle_kbps")); v != "" && v != strconv.Itoa(throttle) {
		f.Errors["throttle_kbps"] = rq.lang.T("form.positive")
	}
	t, err := strconv.Atoi(f.Get("package_type"))
	if err != nil {
		t = -1
	}
	pt := opencube.PlanType(t)
	req := admin.PlanRequest{Code: strings.TrimSpace(f.Get("code")), Name: strings.TrimSpace(f.Get("name")), PackageType: &pt,
		VolumeMB: admin.Decimal(strings.TrimSpace(f.Get("volume_mb"))), Price: admin.Decimal(strings.TrimSpace(f.Get("price"))),
		Currency: strings.TrimSpace(f.Get("currency")), OTA: f.Get("ota") != "", ThrottleKbps: throttle, Countries: countries(f.Get("countries"))}
	if len(f.Errors) == 0 {
		p, err := req.Plan()
		if err == nil {
			err = rq.api.CreatePlan(rq.r.Context(), p)
		}
		if err == nil {
			return redirect(rq, Prefix+"plans/"+url.PathEscape(p.Code), "saved")
		}
		if !shown(f, err, planFields) {
			return err
		}
	}
	return s.planPage(rq, nil, f, 400)
}

func (s *Server) plan(rq *request) error {
	d, err := rq.api.Plan(rq.r.Context(), rq.r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.planPage(rq, d, planForm(d.Plan), 200)
}

// planPage renders a plan's page (d nil: the creation form) with the
// edit form f.
func (s *Server) planPage(rq *request, d *operator.PlanDetail, f *form, status int) error {
	v := planView{PlanDetail: d, New: d == nil, Form: f, Grant: newForm(nil)}
	title := rq.lang.T("plans.new")
	if d != nil {
		title = rq.lang.T("plan.title", d.Plan.Name)
	}
	return s.renderStatus(rq, status, "plan", view{Title: title, Nav: "plans", Data: v})
}

// planUpdate changes a plan's name, price, volume, throttle and countries.
func (s *Server) planUpdate(rq *request) error {
	code := rq.r.PathValue("code")
	f := newForm(rq.r.PostForm)
	name := strings.TrimSpace(f.Get("name"))
	volume, price := admin.Decimal(strings.TrimSpace(f.Get("volume_mb"))), admin.Decimal(strings.TrimSpace(f.Get("price")))
	currency := strings.TrimSpace(f.Get("currency"))
	list := countries(f.Get("countries"))
	throttle, err := strconv.Atoi(strings.TrimSpace(f.Get("throttle_kbps")))
	if err != nil || throttle < 0 {
		f.Errors["throttle_kbps"] = rq.lang.T("form.positive")
	}
	if len(f.Errors) == 0 {
		_, err := rq.api.UpdatePlan(rq.r.Context(), code, admin.PlanPatch{Name: &name, VolumeMB: &volume, Price: &price,
			Currency: &currency, ThrottleKbps: &throttle, Countries: &list})
		if err == nil {
			return redirect(rq, Prefix+"plans/"+url.PathEscape(code), "saved")
		}
		if !shown(f, err, planFields) {
			return err
		}
	}
	d, err := rq.api.Plan(rq.r.Context(), code)
	if err != nil {
		return err
	}
	return s.planPage(rq, d, f, 400)
}

// planStatus retires a plan (no new orders) or takes orders of it again.
func (s *Server) planStatus(rq *request) error {
	code := rq.r.PathValue("code")
	if _, err := rq.api.RetirePlan(rq.r.Context(), code, rq.r.PostForm.Get("status") == string(opencube.PlanRetired)); err != nil {
		return err
	}
	return redirect(rq, Prefix+"plans/"+url.PathEscape(code), "saved")
}

// planGrant lets an enterprise order the plan.
func (s *Server) planGrant(rq *request) error {
	code := rq.r.PathValue("code")
	g := newForm(rq.r.PostForm)
	enterprise := strings.TrimSpace(g.Get("enterprise"))
	if enterprise == "" {
		g.Errors["enterprise"] = rq.lang.T("form.required")
	} else if err := rq.api.GrantPlan(rq.r.Context(), enterprise, code); err == nil {
		return redirect(rq, Prefix+"plans/"+url.PathEscape(code), "saved")
	} else if notFound(err) && rq.actor.Role == operator.RoleOperator {
		g.Errors["enterprise"] = rq.lang.T("plan.noenterprise", enterprise)
	} else if !shown(g, err, map[string]string{"access_code": "enterprise", "code": "enterprise"}) {
		return err
	}
	d, err := rq.api.Plan(rq.r.Context(), code)
	if err != nil {
		return err
	}
	v := planView{PlanDetail: d, Form: planForm(d.Plan), Grant: g}
	return s.renderStatus(rq, 400, "plan", view{Title: rq.lang.T("plan.title", d.Plan.Name), Nav: "plans", Data: v})
}

// planRevoke makes a plan no longer orderable by an enterprise.
func (s *Server) planRevoke(rq *request) error {
	code := rq.r.PathValue("code")
	if err := rq.api.RevokeGrant(rq.r.Context(), rq.r.PathValue("enterprise"), code); err != nil {
		return err
	}
	return redirect(rq, Prefix+"plans/"+url.PathEscape(code), "saved")
}

// planTexts are the texts of the plan pages.
var planTexts = texts{
	"plans.title":        {"Plans", "套餐"},
	"plans.code":         {"Plan code", "套餐编码"},
	"plans.name":         {"Name", "名称"},
	"plans.type":         {"Type", "类型"},
	"plans.volume":       {"Volume", "流量"},
	"plans.price":        {"Price", "价格"},
	"plans.new":          {"New plan", "新建套餐"},
	"plans.empty":        {"No plan matches. Operators add plans with New plan or opencube admin plan create.", "没有符合条件的套餐。运营方可通过“新建套餐”或 opencube admin plan create 添加。"},
	"plans.emptyent":     {"No plan is granted to your enterprise yet. Ask your operator to grant one.", "您的企业尚未获得任何套餐授权，请联系运营方。"},
	"plan.title":         {"Plan %s", "套餐 %s"},
	"plan.type.0":        {"Unlimited daily", "不限量日套餐"},
	"plan.type.1":        {"Daily", "日套餐"},
	"plan.type.2":        {"Monthly", "月套餐"},
	"plan.type.3":        {"Quarterly", "季度套餐"},
	"plan.type.4":        {"Half-yearly", "半年套餐"},
	"plan.type.5":        {"Yearly", "年套餐"},
	"plan.volumemb":      {"Volume (MB)", "流量（MB）"},
	"plan.currency":      {"Currency", "币种"},
	"plan.throttle":      {"Speed after the daily quota (kbps, 0: none)", "日高速流量用完后的限速（kbps，0 为不限）"},
	"plan.countries":     {"Countries (ISO codes, separated by commas)", "国家（ISO 代码，以逗号分隔）"},
	"plan.ota":           {"OTA plan", "OTA 套餐"},
	"plan.edit":          {"Change the plan", "修改套餐"},
	"plan.save":          {"Save", "保存"},
	"plan.create":        {"Create the plan", "创建套餐"},
	"plan.retire":        {"Retire: take no new orders", "下架：不再接受新订单"},
	"plan.unretire":      {"Take orders again", "重新上架"},
	"plan.confirmretire": {"Retire this plan? Its orders run on; no new order can be made.", "确定下架该套餐？已有订单不受影响，但不能再下新单。"},
	"plan.grants":        {"Granted to", "已授权企业"},
	"plan.nogrants":      {"No enterprise may order this plan. Grant it below.", "尚无企业可订购该套餐。可在下方授权。"},
	"plan.grant":         {"Grant to an enterprise", "授权给企业"},
	"plan.grantbtn":      {"Grant", "授权"},
	"plan.revoke":        {"Revoke", "撤销授权"},
	"plan.confirmrevoke": {"Revoke this grant? The enterprise can no longer order the plan; its orders run on.", "确定撤销授权？该企业将不能再订购此套餐，已有订单不受影响。"},
	"plan.noenterprise":  {"There is no enterprise %s.", "企业 %s 不存在。"},
	"plan.orderlink":     {"Orders of this plan", "该套餐的订单"},
}
