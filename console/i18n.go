package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Lang is one language of the console: its code and its texts.
type Lang struct {
	Code  string // "en-US", "zh-CN"
	Name  string // in itself
	texts map[string]string
}

// T returns the text of key in l, formatted with args; the English text
// when l lacks it, and the key itself when both do.
func (l *Lang) T(key string, args ...any) string {
	t, ok := l.texts[key]
	if !ok {
		if t, ok = english.texts[key]; !ok {
			t = key
		}
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
	if _, ok := english.texts["notice."+key]; !ok {
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

var english = &Lang{Code: "en-US", Name: "English", texts: map[string]string{
	"app":               "opencube console",
	"nav.overview":      "Overview",
	"nav.enterprises":   "Enterprises",
	"nav.sims":          "SIMs",
	"nav.orders":        "Orders",
	"nav.plans":         "Plans",
	"nav.deliveries":    "Webhooks",
	"nav.sms":           "SMS",
	"nav.users":         "Users",
	"nav.audit":         "Audit trail",
	"nav.clock":         "Clock",
	"nav.signout":       "Sign out",
	"nav.skip":          "Skip to content",
	"login.title":       "Sign in",
	"login.username":    "Username",
	"login.password":    "Password",
	"login.submit":      "Sign in",
	"login.wrong":       "Wrong username or password.",
	"login.throttled":   "Too many failed sign-ins. Try again in %d minutes.",
	"error.csrf":        "This form expired or did not come from this site. Reload the page and try again.",
	"error.internal":    "Something went wrong on the server. The error is logged; try again later.",
	"error.title":       "Error",
	"error.back":        "Back to the overview",
	"overview.title":    "Overview",
	"overview.signedin": "Signed in as %s (%s).",
	"role.operator":     "operator",
	"role.support":      "support, read only",
	"role.enterprise":   "enterprise user of %s",
	"notice.saved":      "Saved.",
	"notice.signedout":  "Signed out.",
	"lang.switch":       "中文",
	"empty.generic":     "Nothing here yet.",
}}

var chinese = &Lang{Code: "zh-CN", Name: "中文", texts: map[string]string{
	"app":               "opencube 控制台",
	"nav.overview":      "概览",
	"nav.enterprises":   "企业",
	"nav.sims":          "SIM 卡",
	"nav.orders":        "订单",
	"nav.plans":         "套餐",
	"nav.deliveries":    "Webhook",
	"nav.sms":           "短信",
	"nav.users":         "用户",
	"nav.audit":         "审计日志",
	"nav.clock":         "时钟",
	"nav.signout":       "退出",
	"nav.skip":          "跳到正文",
	"login.title":       "登录",
	"login.username":    "用户名",
	"login.password":    "密码",
	"login.submit":      "登录",
	"login.wrong":       "用户名或密码错误。",
	"login.throttled":   "登录失败次数过多，请 %d 分钟后再试。",
	"error.csrf":        "表单已过期或并非来自本站。请刷新页面后重试。",
	"error.internal":    "服务器出错，错误已记录，请稍后再试。",
	"error.title":       "错误",
	"error.back":        "返回概览",
	"overview.title":    "概览",
	"overview.signedin": "当前用户 %s（%s）。",
	"role.operator":     "运营方",
	"role.support":      "支持，只读",
	"role.enterprise":   "%s 的企业用户",
	"notice.saved":      "已保存。",
	"notice.signedout":  "已退出。",
	"lang.switch":       "English",
	"empty.generic":     "暂无内容。",
}}
