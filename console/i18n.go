package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// texts are the console's texts by key: English, then Chinese. Each area
// of the console keeps its texts in its own file; catalog joins them.
type texts map[string][2]string

// tables are the text tables of the console's areas.
var tables = []texts{commonTexts, auditTexts, listTexts, overviewTexts, enterpriseTexts, simTexts, orderTexts, planTexts, clockTexts,
	selfTexts, webhooksTexts, alertsTexts, billingTexts, smsTexts, settingsTexts, usersTexts, shopTexts}

// catalog is every text of the console.
var catalog = join(tables...)

// join merges text tables; a key in two of them is a mistake the tests
// catch (TestTexts).
func join(tables ...texts) texts {
	out := texts{}
	for _, t := range tables {
		for k, v := range t {
			out[k] = v
		}
	}
	return out
}

// Lang is one language of the console: its code and its texts.
type Lang struct {
	Code  string // "en-US", "zh-CN"
	Name  string // in itself
	index int    // its column in texts
}

// T returns the text of key in l, formatted with args; the English text
// when l lacks it, and the key itself when both do.
func (l *Lang) T(key string, args ...any) string {
	pair, ok := catalog[key]
	t := pair[l.index]
	if !ok {
		t = key
	} else if t == "" {
		t = pair[0]
	}
	if len(args) > 0 {
		return fmt.Sprintf(t, args...)
	}
	return t
}

// Notice returns the text of a notice key ("notice.<key>"), "" for none
// or an unknown one.
func (l *Lang) Notice(key string) string {
	if key == "" {
		return ""
	}
	if _, ok := catalog["notice."+key]; !ok {
		return ""
	}
	return l.T("notice." + key)
}

// Other is the language to switch to.
func (l *Lang) Other() *Lang {
	if l == chinese {
		return english
	}
	return chinese
}

// languages by code.
var languages = map[string]*Lang{english.Code: english, chinese.Code: chinese}

// language chooses the language of r: the cookie of a switch, else the
// first of Accept-Language the console speaks, else English.
func language(r *http.Request) *Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := languages[c.Value]; ok {
			return l
		}
	}
	best, bestQ := english, -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		tag = strings.ToLower(tag)
		var l *Lang
		switch {
		case strings.HasPrefix(tag, "zh"):
			l = chinese
		case strings.HasPrefix(tag, "en"):
			l = english
		}
		if l != nil && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

func (s *Server) switchLanguage(rq *request) error {
	l, ok := languages[rq.r.URL.Query().Get("to")]
	if !ok {
		l = rq.lang.Other()
	}
	http.SetCookie(rq.w, &http.Cookie{Name: langCookie, Value: l.Code, Path: Prefix, MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(rq.r)})
	back := safeNext(rq.r.URL.Query().Get("back"))
	if back == "" {
		back = Prefix
	}
	http.Redirect(rq.w, rq.r, back, http.StatusSeeOther)
	return nil
}

var (
	english = &Lang{Code: "en-US", Name: "English", index: 0}
	chinese = &Lang{Code: "zh-CN", Name: "中文", index: 1}
)

// commonTexts are the texts of the layout, sign-in, errors and the overview.
var commonTexts = texts{
	"app":               {"opencube console", "opencube 控制台"},
	"nav.overview":      {"Overview", "概览"},
	"nav.enterprises":   {"Enterprises", "企业"},
	"nav.sims":          {"SIMs", "SIM 卡"},
	"nav.orders":        {"Orders", "订单"},
	"nav.plans":         {"Plans", "套餐"},
	"nav.deliveries":    {"Webhooks", "Webhook"},
	"nav.sms":           {"SMS", "短信"},
	"nav.users":         {"Users", "用户"},
	"nav.audit":         {"Audit trail", "审计日志"},
	"nav.clock":         {"Clock", "时钟"},
	"nav.signout":       {"Sign out", "退出"},
	"nav.skip":          {"Skip to content", "跳到正文"},
	"login.title":       {"Sign in", "登录"},
	"login.username":    {"Username", "用户名"},
	"login.password":    {"Password", "密码"},
	"login.submit":      {"Sign in", "登录"},
	"login.wrong":       {"Wrong username or password.", "用户名或密码错误。"},
	"login.throttled":   {"Too many failed sign-ins. Try again in %d minutes.", "登录失败次数过多，请 %d 分钟后再试。"},
	"error.csrf":        {"This form expired or did not come from this site. Reload the page and try again.", "表单已过期或并非来自本站。请刷新页面后重试。"},
	"error.internal":    {"Something went wrong on the server. The error is logged; try again later.", "服务器出错，错误已记录，请稍后再试。"},
	"error.title":       {"Error", "错误"},
	"error.back":        {"Back to the overview", "返回概览"},
	"overview.title":    {"Overview", "概览"},
	"overview.signedin": {"Signed in as %s (%s).", "当前用户 %s（%s）。"},
	"role.operator":     {"operator", "运营方"},
	"role.support":      {"support, read only", "支持，只读"},
	"role.enterprise":   {"enterprise user of %s", "%s 的企业用户"},
	"notice.saved":      {"Saved.", "已保存。"},
	"notice.signedout":  {"Signed out.", "已退出。"},
	"lang.switch":       {"中文", "English"},
	"empty.generic":     {"Nothing here yet.", "暂无内容。"},
	"error.notfound":    {"There is no such page.", "没有这个页面。"},
	"chart.nodata":      {"No data used in this period.", "该期间无用量。"},
	"list.next":         {"Next page", "下一页"},
	"list.filter":       {"Filter", "筛选"},
	"form.date":         {"Give a date as yyyy-mm-dd.", "请按 yyyy-mm-dd 填写日期。"},
}
