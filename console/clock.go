package console

import (
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube/admin"
)

// clockView is the sandbox clock's page.
type clockView struct {
	Clock *admin.ClockState
	// Ahead is how far the clock runs ahead of real time.
	Ahead time.Duration
	Form  *form
}

// clockUnits are the units an advance is given in.
var clockUnits = map[string]time.Duration{"minutes": time.Minute, "hours": time.Hour, "days": 24 * time.Hour}

// clock shows the sandbox server's clock (sandbox mode only).
func (s *Server) clock(rq *request) error {
	return s.clockPage(rq, newForm(nil), 200)
}

func (s *Server) clockPage(rq *request, f *form, status int) error {
	if !s.Sandbox {
		return s.notFound(rq)
	}
	c, err := rq.api.Clock(rq.r.Context())
	if err != nil {
		return err
	}
	v := clockView{Clock: c, Ahead: time.Duration(c.OffsetSeconds) * time.Second, Form: f}
	return s.renderStatus(rq, status, "clock", view{Title: rq.lang.T("clock.title"), Nav: "clock", Data: v})
}

// clockAdvance moves the sandbox clock forward, running what falls due.
func (s *Server) clockAdvance(rq *request) error {
	if !s.Sandbox {
		return s.notFound(rq)
	}
	f := newForm(rq.r.PostForm)
	n, err := strconv.Atoi(strings.TrimSpace(f.Get("amount")))
	unit, ok := clockUnits[f.Get("unit")]
	switch {
	case err != nil || n < 1:
		f.Errors["amount"] = rq.lang.T("form.positive")
	case !ok:
		f.Errors["unit"] = rq.lang.T("form.required")
	default:
		_, err := rq.api.AdvanceClock(rq.r.Context(), time.Duration(n)*unit)
		if err == nil {
			return redirect(rq, Prefix+"clock", "advanced")
		}
		if !shown(f, err, map[string]string{"seconds": "amount"}) {
			return err
		}
	}
	return s.clockPage(rq, f, 400)
}

// clockTexts are the texts of the sandbox clock's page.
var clockTexts = texts{
	"clock.title":     {"Sandbox clock", "沙箱时钟"},
	"clock.now":       {"Server time (UTC+8)", "服务器时间（UTC+8）"},
	"clock.ahead":     {"Ahead of real time", "领先真实时间"},
	"clock.advance":   {"Move the clock forward", "拨快时钟"},
	"clock.amount":    {"By", "拨快"},
	"clock.unit":      {"Unit", "单位"},
	"clock.minutes":   {"minutes", "分钟"},
	"clock.hours":     {"hours", "小时"},
	"clock.days":      {"days", "天"},
	"clock.submit":    {"Advance", "拨快"},
	"clock.hint":      {"Everything due in between runs at its own time: orders expire, alerts and webhooks go out.", "期间到期的任务会按各自的时间执行：订单过期、提醒和 Webhook 通知照常发出。"},
	"notice.advanced": {"The clock moved forward.", "时钟已拨快。"},
}
