package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// smsView is the SMS page's data: the send form and the history.
type smsView struct {
	// Enterprise is the history's enterprise filter, shown to operators.
	Enterprise string
	Send       *form
	Filter     *form
	Messages   []*opencube.SMS
	Pager      pager
}

func (s *Server) smsPage(rq *request) error {
	return s.smsRender(rq, http.StatusOK, nil)
}

// smsRender renders the page with status; send is the send form to show
// again, nil for an empty one.
func (s *Server) smsRender(rq *request, status int, send *form) error {
	q := rq.r.URL.Query()
	v := &smsView{Send: send, Filter: newForm(q)}
	if v.Send == nil {
		v.Send = newForm(url.Values{"iccid": {q.Get("iccid")}})
	}
	sq := operator.SMSQuery{Enterprise: strings.TrimSpace(q.Get("enterprise")), ICCID: strings.TrimSpace(q.Get("iccid")),
		Direction: opencube.SMSDirection(q.Get("direction")), State: opencube.SMSState(q.Get("state")),
		Page: operator.Page{Limit: 50, Cursor: q.Get("cursor")}}
	v.Enterprise = sq.Enterprise
	if d := q.Get("from"); d != "" {
		t, ok := dayStart(d)
		if !ok {
			v.Filter.Errors["from"] = rq.lang.T("form.date")
		}
		sq.From = t
	}
	if d := q.Get("to"); d != "" {
		t, ok := dayStart(d)
		if !ok {
			v.Filter.Errors["to"] = rq.lang.T("form.date")
		}
		sq.To = t.Add(24 * time.Hour)
	}
	if len(v.Filter.Errors) == 0 {
		l, err := rq.api.ListSMS(rq.r.Context(), sq)
		switch {
		case err == nil:
			v.Messages, v.Pager = l.Items, nextPage(Prefix+"sms", q, l.Next)
		case opencube.ErrorKind(err) == opencube.KindInvalid && v.Filter.refused(err, nil):
		default:
			return err
		}
	}
	return s.renderStatus(rq, status, "sms", view{Title: rq.lang.T("sms.title"), Nav: "sms", Data: v})
}

// smsSend sends a short message to a SIM; the API's refusal (too long, an
// unknown SIM) is shown beside its field.
func (s *Server) smsSend(rq *request) error {
	f := newForm(rq.r.PostForm)
	iccid := strings.TrimSpace(f.Get("iccid"))
	if iccid == "" {
		f.Errors["iccid"] = rq.lang.T("sms.iccidrequired")
	}
	if f.Get("content") == "" {
		f.Errors["content"] = rq.lang.T("sms.contentrequired")
	}
	if len(f.Errors) > 0 {
		return s.smsRender(rq, http.StatusBadRequest, f)
	}
	_, err := rq.api.SendSMS(rq.r.Context(), admin.SMSRequest{ICCID: iccid, Content: f.Get("content")})
	if err != nil {
		err = besideField(err, map[opencube.Kind]string{opencube.KindSMSTooLong: "content", opencube.KindDeviceNotFound: "iccid",
			opencube.KindSMSDailyLimit: "iccid", opencube.KindSIMState: "iccid"})
		if selfShown(f, err, map[string]string{"device_id": "iccid"}) {
			return s.smsRender(rq, refusalStatus(err), f)
		}
		return err
	}
	return redirect(rq, Prefix+"sms?iccid="+url.QueryEscape(iccid), "smsqueued")
}

// smsTexts are the SMS page's texts.
var smsTexts = texts{
	"sms.title":           {"SMS", "短信"},
	"sms.send":            {"Send an SMS", "发送短信"},
	"sms.iccid":           {"ICCID of the SIM", "SIM 卡 ICCID"},
	"sms.content":         {"Message", "内容"},
	"sms.contenthint":     {"Up to the operator's number of segments: 160 plain characters or 70 Chinese ones a segment.", "不超过运营方允许的分段数：每段 160 个英文字符或 70 个中文字符。"},
	"sms.submit":          {"Send", "发送"},
	"sms.iccidrequired":   {"Give the ICCID of one of your SIMs.", "请填写您名下 SIM 卡的 ICCID。"},
	"sms.contentrequired": {"Write the message.", "请填写短信内容。"},
	"sms.history":         {"History", "历史记录"},
	"sms.enterprise":      {"Enterprise", "企业"},
	"sms.direction":       {"Direction", "方向"},
	"sms.from":            {"From (UTC+8)", "开始日期（UTC+8）"},
	"sms.to":              {"To (UTC+8)", "结束日期（UTC+8）"},
	"sms.segments":        {"Segments", "分段"},
	"sms.error":           {"Error", "错误"},
	"sms.mt":              {"to the SIM", "下行"},
	"sms.mo":              {"from the SIM", "上行"},
	"sms.state.queued":    {"queued", "排队中"},
	"sms.state.sent":      {"sent", "已发送"},
	"sms.state.delivered": {"delivered", "已送达"},
	"sms.state.failed":    {"failed", "失败"},
	"sms.state.expired":   {"expired", "已过期"},
	"sms.empty":           {"No message matches. Send one above; messages the SIMs send appear here too.", "没有符合条件的短信。可在上方发送短信；SIM 卡发来的短信也会显示在这里。"},
	"notice.smsqueued":    {"The message is queued; its state changes when the network reports.", "短信已排队，网络回执后状态会更新。"},
}
