package console

import (
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// pageSize is how many rows a console list shows a page.
const pageSize = 50

// forbidden is the refusal of a page the actor's role may not use, as the
// API words its own.
func forbidden() error {
	return &opencube.Error{Kind: admin.KindForbidden, Message: "your role may not use this page"}
}

// totalText shows a list's count=1 total: "10,000+" when it was capped.
func totalText[T any](l *operator.List[T]) string {
	if l.Total == nil {
		return "-"
	}
	s := thousands(*l.Total)
	if l.Capped {
		s += "+"
	}
	return s
}

// thousands writes n with comma separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// counted asks for a list's total only: one item, count=1.
var counted = operator.Page{Limit: 1, Count: true}

// businessToday is the start of today in UTC+8 at now.
func businessToday(now time.Time) time.Time {
	t := now.In(opencube.BusinessZone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, opencube.BusinessZone)
}

// today is the start of the business day on the server's clock: the
// sandbox clock in sandbox mode.
func (s *Server) today(rq *request) time.Time {
	if s.Sandbox {
		if c, err := rq.api.Clock(rq.r.Context()); err == nil {
			return businessToday(c.Now)
		}
	}
	return businessToday(s.now())
}

// positive reads a form's whole number of at least 1; ok false (and the
// field's error set) otherwise.
func positive(f *form, l *Lang, name string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
	if err != nil || n < 1 {
		f.Errors[name] = l.T("form.positive")
		return 0, false
	}
	return n, true
}

// listTexts are the texts the lists and forms of several pages share.
var listTexts = texts{
	"refused.forbidden":          {"Your role may not do this: support users change nothing, and enterprise users do not use the operator's pages.", "您的角色无权执行此操作：支持人员只能查看，企业用户不能使用运营方页面。"},
	"form.positive":              {"Give a whole number, 1 or more.", "请填写不小于 1 的整数。"},
	"form.required":              {"This field is required.", "此项必填。"},
	"form.number":                {"Give a number, such as 12.5.", "请填写数字，例如 12.5。"},
	"list.any":                   {"Any", "全部"},
	"list.enterprise":            {"Enterprise", "企业"},
	"list.status":                {"Status", "状态"},
	"list.actions":               {"Actions", "操作"},
	"list.created":               {"Created (UTC+8)", "创建时间（UTC+8）"},
	"sim.status.inventory":       {"Inventory", "库存"},
	"sim.status.active":          {"Active", "已激活"},
	"sim.status.suspended":       {"Suspended", "已停用"},
	"sim.status.terminated":      {"Terminated", "已销户"},
	"order.status.1":             {"Not enabled", "未启用"},
	"order.status.2":             {"In use", "使用中"},
	"order.status.3":             {"Suspended", "已暂停"},
	"order.status.4":             {"Expired", "已过期"},
	"order.status.5":             {"Ended", "已终止"},
	"order.status.6":             {"Cancelled", "已取消"},
	"enterprise.status.active":   {"Active", "正常"},
	"enterprise.status.disabled": {"Disabled", "已停用"},
	"plan.status.active":         {"Active", "在售"},
	"plan.status.retired":        {"Retired", "已下架"},
}

// shown shows an API refusal beside the form's fields, as form.refused
// does, except the refusals that are the page's answer: forbidden (403)
// and not found (404).
func shown(f *form, err error, fields map[string]string) bool {
	if opencube.ErrorKind(err) == admin.KindForbidden || notFound(err) {
		return false
	}
	return f.refused(err, fields)
}
