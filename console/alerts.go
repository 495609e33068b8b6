package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/opencube/opencube"
)

// alertsView is the usage alerts page's data: the enterprise's thresholds
// and the form that sets them.
type alertsView struct {
	picked
	Settings *opencube.AlertSettings
	Form     *form
}

func (s *Server) alerts(rq *request) error {
	return s.alertsPage(rq, http.StatusOK, enterpriseOf(rq), nil)
}

// alertsPage renders the page of enterprise code with status; f is a form
// to show again, nil for the settings as they are.
func (s *Server) alertsPage(rq *request, status int, code string, f *form) error {
	v := &alertsView{picked: pickOf(rq, code), Form: f}
	title := rq.lang.T("alerts.title")
	if code != "" {
		ctx := rq.r.Context()
		if _, err := rq.api.Enterprise(ctx, code); err != nil {
			return err
		}
		a, err := rq.api.FindAlertSettings(ctx, code)
		if err != nil {
			return err
		}
		v.Settings = a
		if v.Form == nil {
			v.Form = newForm(url.Values{"percents": {joinInts(a.Percents)}, "days": {strconv.Itoa(a.DaysBeforeExpiry)}})
		}
	}
	return s.renderStatus(rq, status, "alerts", view{Title: title, Nav: "alerts", Data: v})
}

// alertsPut sets the enterprise's thresholds.
func (s *Server) alertsPut(rq *request) error {
	code := enterpriseOf(rq)
	f := newForm(rq.r.PostForm)
	a := &opencube.AlertSettings{EnterpriseCode: code, Percents: []int{}}
	for _, p := range strings.FieldsFunc(f.Get("percents"), func(r rune) bool { return r == ',' || r == ' ' || r == '，' || r == '%' }) {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100 {
			f.Errors["percents"] = rq.lang.T("alerts.percentsbad")
			break
		}
		a.Percents = append(a.Percents, n)
	}
	days, err := strconv.Atoi(strings.TrimSpace(f.Get("days")))
	if err != nil || days < 0 || days > 366 {
		f.Errors["days"] = rq.lang.T("alerts.daysbad")
	}
	a.DaysBeforeExpiry = days
	if len(f.Errors) > 0 {
		return s.alertsPage(rq, http.StatusBadRequest, code, f)
	}
	if err := rq.api.PutAlertSettings(rq.r.Context(), a); err != nil {
		if selfShown(f, err, map[string]string{"days_before_expiry": "days"}) {
			return s.alertsPage(rq, refusalStatus(err), code, f)
		}
		return err
	}
	return redirect(rq, withEnterprise(rq, Prefix+"alerts", code), "saved")
}

// joinInts shows numbers as "80, 100".
func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// alertsTexts are the usage alerts page's texts.
var alertsTexts = texts{
	"alerts.title":        {"Usage alerts", "流量预警"},
	"alerts.about":        {"A usage alert (event flow_alert) goes to the webhook endpoint when an order in use reaches a share of its volume, and some days before it expires.", "当在用订单的用量达到一定比例，或距到期还有若干天时，会向回调地址发送流量预警（flow_alert 事件）。"},
	"alerts.now":          {"Now", "当前设置"},
	"alerts.percents":     {"Volume thresholds (%, comma-separated)", "用量阈值（%，逗号分隔）"},
	"alerts.percentshint": {"For example 80, 100. Leave empty for no volume alert.", "例如 80, 100。留空则不发送用量预警。"},
	"alerts.days":         {"Days before expiry (0: none)", "到期前天数（0：不提醒）"},
	"alerts.percentsbad":  {"Give whole numbers from 1 to 100, separated by commas.", "请填写 1 到 100 的整数，用逗号分隔。"},
	"alerts.daysbad":      {"Give a whole number of days from 0 to 366.", "请填写 0 到 366 之间的整数天数。"},
	"alerts.none":         {"No volume alert", "不发送用量预警"},
	"alerts.nodays":       {"No expiry alert", "不发送到期提醒"},
	"alerts.daysn":        {"%d days before expiry", "到期前 %d 天"},
	"alerts.save":         {"Save the thresholds", "保存阈值"},
}
