package console

import (
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// auditView is the audit trail page's data.
type auditView struct {
	Filter  *form
	Entries []*operator.AuditEntry
	Pager   pager
}

// dayStart reads a UTC+8 date (yyyy-mm-dd) as the start of that day.
func dayStart(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", s, opencube.BusinessZone)
	return t, err == nil
}

func (s *Server) audit(rq *request) error {
	q := rq.r.URL.Query()
	f := newForm(q)
	aq := operator.AuditQuery{Actor: q.Get("actor"), Object: q.Get("object"), Page: operator.Page{Limit: 50, Cursor: q.Get("cursor")}}
	if v := q.Get("since"); v != "" {
		t, ok := dayStart(v)
		if !ok {
			f.Errors["since"] = rq.lang.T("form.date")
		}
		aq.Since = t
	}
	v := auditView{Filter: f}
	if len(f.Errors) == 0 {
		l, err := rq.api.Audit(rq.r.Context(), aq)
		if err != nil && !f.refused(err, nil) {
			return err
		}
		if err == nil {
			v.Entries, v.Pager = l.Items, nextPage(Prefix+"audit", q, l.Next)
		}
	}
	return s.render(rq, "audit", view{Title: rq.lang.T("audit.title"), Nav: "audit", Data: v})
}

// auditTexts are the audit trail page's texts.
var auditTexts = texts{
	"audit.title":   {"Audit trail", "审计日志"},
	"audit.actor":   {"Actor", "操作人"},
	"audit.object":  {"Object", "对象"},
	"audit.since":   {"Since (UTC+8)", "起始日期（UTC+8）"},
	"audit.at":      {"When (UTC+8)", "时间（UTC+8）"},
	"audit.route":   {"Change", "变更"},
	"audit.request": {"Request id", "请求 ID"},
	"audit.summary": {"Summary", "摘要"},
	"audit.empty":   {"No change matches. Changes made through the console or the admin API appear here.", "没有符合条件的变更。通过控制台或管理 API 所做的变更会显示在这里。"},
}
