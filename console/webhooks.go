package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
)

// webhooksView is the webhooks page's data: the enterprise's endpoint (its
// secret only on the answer that made it), the forms that set and rotate
// it, and the delivery log.
type webhooksView struct {
	picked
	// Webhook is the endpoint; nil when the enterprise has none.
	Webhook *opencube.Webhook
	// Form sets the endpoint; Events are its event boxes.
	Form   *form
	Events []eventChoice
	// Secret is a secret just made, shown this once; SecretNote says
	// what it is.
	Secret     string
	SecretNote string
	// KeyID and Key are a Cube v4 Notification Key just made, shown
	// this once.
	KeyID  string
	Key    string
	Rotate *form
	// Filter selects deliveries; Redeliver sends again since a time.
	Filter     *form
	States     []opencube.DeliveryState
	Deliveries []deliveryRow
	Older      string
	Redeliver  *form
}

// eventChoice is an event type's box on the endpoint form.
type eventChoice struct {
	Code    string
	Label   string
	Checked bool
}

// deliveryRow is a delivery as the log shows it.
type deliveryRow struct {
	*opencube.Delivery
	Attempts []attemptRow
}

// attemptRow is one attempt of a delivery, its figures as text.
type attemptRow struct {
	N       int
	At      time.Time
	Status  string
	Latency string
	Error   string
	OK      bool
}

func (s *Server) webhooks(rq *request) error {
	code := enterpriseOf(rq)
	return s.webhooksPage(rq, http.StatusOK, code, &webhooksView{})
}

// webhooksPage fills in what v lacks of the page of enterprise code and
// renders it with status.
func (s *Server) webhooksPage(rq *request, status int, code string, v *webhooksView) error {
	v.picked = pickOf(rq, code)
	title := rq.lang.T("webhooks.title")
	if code == "" {
		return s.renderStatus(rq, status, "webhooks", view{Title: title, Nav: "webhooks", Data: v})
	}
	ctx := rq.r.Context()
	if _, err := rq.api.Enterprise(ctx, code); err != nil {
		return err
	}
	w, err := rq.api.FindWebhook(ctx, code)
	switch {
	case opencube.ErrorKind(err) == opencube.KindNotFound:
	case err != nil:
		return err
	default:
		v.Webhook = w
	}
	if v.Form == nil {
		v.Form = newForm(url.Values{})
		if w != nil {
			v.Form.Values.Set("url", w.URL)
			v.Form.Values.Set("format", string(w.Format))
			for _, e := range w.Events {
				v.Form.Values.Add("events", string(e))
			}
		}
	}
	for _, e := range opencube.EventTypes {
		v.Events = append(v.Events, eventChoice{Code: string(e), Label: rq.lang.T("hookevent." + string(e)),
			Checked: slices.Contains(v.Form.Values["events"], string(e))})
	}
	if v.Rotate == nil {
		v.Rotate = newForm(url.Values{"grace": {"24"}})
	}
	if v.Redeliver == nil {
		v.Redeliver = newForm(url.Values{})
	}
	v.States = []opencube.DeliveryState{opencube.DeliveryPending, opencube.DeliveryDelivered, opencube.DeliveryFailed}
	if err := s.deliveries(rq, code, v); err != nil {
		return err
	}
	return s.renderStatus(rq, status, "webhooks", view{Title: title, Nav: "webhooks", Data: v})
}

// deliveryPage is how many deliveries the log shows at a time.
const deliveryPage = 50

// deliveries reads the delivery log the page's query asks for.
func (s *Server) deliveries(rq *request, code string, v *webhooksView) error {
	q := rq.r.URL.Query()
	v.Filter = newForm(q)
	f := opencube.DeliveryFilter{Enterprise: code, State: opencube.DeliveryState(q.Get("state")), Type: opencube.EventType(q.Get("event")), Limit: deliveryPage}
	if d := q.Get("since"); d != "" {
		t, ok := dayStart(d)
		if !ok {
			v.Filter.Errors["since"] = rq.lang.T("form.date")
		}
		f.Since = t
	}
	if u := q.Get("until"); u != "" {
		t, err := time.Parse(time.RFC3339Nano, u)
		if err != nil {
			v.Filter.Error = rq.lang.T("webhooks.baduntil")
		}
		f.Until = t
	}
	if len(v.Filter.Errors) > 0 || v.Filter.Error != "" {
		return nil
	}
	ds, err := rq.api.FindDeliveries(rq.r.Context(), f)
	if err != nil {
		if typedWrong(v.Filter, err, nil) {
			return nil
		}
		return err
	}
	for _, d := range ds {
		row := deliveryRow{Delivery: d}
		for _, a := range d.Attempts {
			st := "-"
			if a.StatusCode != 0 {
				st = "HTTP " + strconv.Itoa(a.StatusCode)
			}
			row.Attempts = append(row.Attempts, attemptRow{N: a.N, At: a.At, Status: st,
				Latency: fmt.Sprintf("%d ms", a.Latency.Milliseconds()), Error: a.Error, OK: a.OK})
		}
		v.Deliveries = append(v.Deliveries, row)
	}
	if len(ds) == deliveryPage {
		older := url.Values{}
		for _, k := range []string{"enterprise", "state", "event", "since"} {
			if q.Get(k) != "" {
				older.Set(k, q.Get(k))
			}
		}
		if older.Get("enterprise") == "" && v.Pick {
			older.Set("enterprise", code)
		}
		older.Set("until", ds[len(ds)-1].CreatedAt.Format(time.RFC3339Nano))
		v.Older = Prefix + "webhooks?" + older.Encode()
	}
	return nil
}

// webhookPut sets the endpoint: a new endpoint's secret is shown on the
// answer, this once (201), never in a URL.
func (s *Server) webhookPut(rq *request) error {
	code := enterpriseOf(rq)
	f := newForm(rq.r.PostForm)
	w := &opencube.Webhook{EnterpriseCode: code, URL: strings.TrimSpace(f.Get("url")), Events: []opencube.EventType{},
		Format: opencube.WebhookFormat(f.Get("format"))}
	for _, e := range f.Values["events"] {
		w.Events = append(w.Events, opencube.EventType(e))
	}
	if w.URL == "" {
		f.Errors["url"] = rq.lang.T("webhooks.urlrequired")
		return s.webhooksPage(rq, http.StatusBadRequest, code, &webhooksView{Form: f})
	}
	out, err := rq.api.PutWebhook(rq.r.Context(), w)
	if err != nil {
		if typedWrong(f, err, nil) {
			return s.webhooksPage(rq, refusalStatus(err), code, &webhooksView{Form: f})
		}
		return err
	}
	if out.Secret == "" && out.NotificationKey == "" {
		return redirect(rq, withEnterprise(rq, Prefix+"webhooks", code), "saved")
	}
	v := &webhooksView{Secret: out.Secret, SecretNote: rq.lang.T("webhooks.newsecret")}
	if out.NotificationKey != "" {
		v.KeyID, v.Key = out.NotificationKeyID, out.NotificationKey
	}
	return s.webhooksPage(rq, http.StatusCreated, code, v)
}

// webhookRotate makes the endpoint a new secret, shown on the answer this
// once; the old one signs too for the grace period.
func (s *Server) webhookRotate(rq *request) error {
	code := enterpriseOf(rq)
	f := newForm(rq.r.PostForm)
	hours, err := strconv.Atoi(strings.TrimSpace(f.Get("grace")))
	if err != nil || hours < 0 || time.Duration(hours)*time.Hour > opencube.MaxSecretGrace {
		f.Errors["grace"] = rq.lang.T("webhooks.gracerange", int(opencube.MaxSecretGrace/time.Hour))
		return s.webhooksPage(rq, http.StatusBadRequest, code, &webhooksView{Rotate: f})
	}
	w, err := rq.api.RotateWebhookSecret(rq.r.Context(), code, time.Duration(hours)*time.Hour)
	if err != nil {
		if typedWrong(f, err, map[string]string{"grace_seconds": "grace"}) {
			return s.webhooksPage(rq, refusalStatus(err), code, &webhooksView{Rotate: f})
		}
		return err
	}
	note := rq.lang.T("webhooks.rotated")
	if w.OldSecretUntil != nil {
		note = rq.lang.T("webhooks.rotatedgrace", formatDate(*w.OldSecretUntil))
	}
	return s.webhooksPage(rq, http.StatusOK, code, &webhooksView{Secret: w.Secret, SecretNote: note})
}

// notificationKey makes a v4 endpoint a new Notification Key, shown on the
// answer this once; the old one signs nothing from then on.
func (s *Server) notificationKey(rq *request) error {
	code := enterpriseOf(rq)
	w, err := rq.api.RotateNotificationKey(rq.r.Context(), code)
	if err != nil {
		return err
	}
	return s.webhooksPage(rq, http.StatusOK, code, &webhooksView{KeyID: w.NotificationKeyID, Key: w.NotificationKey})
}

// redeliverOne sends one delivery again.
func (s *Server) redeliverOne(rq *request) error {
	code := enterpriseOf(rq)
	if _, err := rq.api.Redeliver(rq.r.Context(), rq.r.PathValue("id")); err != nil {
		return err
	}
	return redirect(rq, withEnterprise(rq, Prefix+"webhooks", code), "redelivered")
}

// redeliverSince sends again every event of the enterprise since a time
// (UTC+8).
func (s *Server) redeliverSince(rq *request) error {
	code := enterpriseOf(rq)
	f := newForm(rq.r.PostForm)
	since, ok := localTime(f.Get("since"))
	if !ok {
		f.Errors["since"] = rq.lang.T("webhooks.sincebad")
		return s.webhooksPage(rq, http.StatusBadRequest, code, &webhooksView{Redeliver: f})
	}
	if _, err := rq.api.RedeliverSince(rq.r.Context(), code, since, time.Time{}); err != nil {
		if typedWrong(f, err, nil) {
			return s.webhooksPage(rq, refusalStatus(err), code, &webhooksView{Redeliver: f})
		}
		return err
	}
	return redirect(rq, withEnterprise(rq, Prefix+"webhooks", code), "redelivered")
}

// localTime reads a UTC+8 time typed as yyyy-mm-ddThh:mm (a
// datetime-local input) or yyyy-mm-dd.
func localTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, opencube.BusinessZone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// webhooksTexts are the webhooks page's texts.
var webhooksTexts = texts{
	"webhooks.title":                    {"Webhooks", "Webhook"},
	"webhooks.endpoint":                 {"Endpoint", "回调地址"},
	"webhooks.none":                     {"No endpoint yet: give the URL your server receives events at, and choose Save. Its signing secret is shown once, on the next page.", "尚未设置回调地址：请填写接收事件的 URL 并点击“保存”。签名密钥只在下一页显示一次。"},
	"webhooks.url":                      {"URL (http or https)", "URL（http 或 https）"},
	"webhooks.events":                   {"Events", "事件"},
	"webhooks.eventshint":               {"None ticked: every event.", "不勾选即为全部事件。"},
	"webhooks.allevents":                {"Every event", "全部事件"},
	"webhooks.save":                     {"Save the endpoint", "保存回调地址"},
	"webhooks.failing":                  {"Failing: %d attempts in a row failed.", "异常：连续 %d 次发送失败。"},
	"webhooks.healthy":                  {"Working", "正常"},
	"webhooks.health":                   {"Health", "状态"},
	"webhooks.updated":                  {"Changed (UTC+8)", "修改时间（UTC+8）"},
	"webhooks.oldsecret":                {"The previous secret signs too until %s (UTC+8).", "旧密钥在 %s（UTC+8）前仍会签名。"},
	"webhooks.secret":                   {"Signing secret", "签名密钥"},
	"webhooks.newsecret":                {"The endpoint is set. This is its signing secret.", "回调地址已设置。以下是它的签名密钥。"},
	"webhooks.rotated":                  {"The endpoint has a new signing secret.", "回调地址已更换签名密钥。"},
	"webhooks.rotatedgrace":             {"The endpoint has a new signing secret; the previous one signs too until %s (UTC+8).", "回调地址已更换签名密钥；旧密钥在 %s（UTC+8）前仍会签名。"},
	"webhooks.rotate":                   {"Rotate the signing secret", "更换签名密钥"},
	"webhooks.grace":                    {"Hours the old secret still signs", "旧密钥继续签名的小时数"},
	"webhooks.gracerange":               {"Give a whole number of hours from 0 to %d.", "请填写 0 到 %d 之间的整数小时。"},
	"webhooks.rotateask":                {"Make a new signing secret? Your server must accept it before the old one stops signing.", "确定更换签名密钥吗？旧密钥停止签名前，您的服务器须接受新密钥。"},
	"webhooks.format":                   {"Format", "格式"},
	"webhooks.formatcsss":               {"CSSS: CSSS payloads signed with the enterprise secret", "CSSS：CSSS 报文，以企业密钥签名"},
	"webhooks.formatv4":                 {"Cube v4: v4 payloads signed with a Notification Key (x-lf-signature)", "Cube v4：v4 报文，以通知密钥签名（x-lf-signature）"},
	"webhooks.key":                      {"Notification Key", "通知密钥"},
	"webhooks.keyabout":                 {"Cube v4 notifications are signed with this key (HMAC-SHA1 of the hex-decoded key); x-lf-signature names its id.", "Cube v4 通知以此密钥签名（以十六进制解码后的密钥计算 HMAC-SHA1）；x-lf-signature 中含其 ID。"},
	"webhooks.keyid":                    {"Key id", "密钥 ID"},
	"webhooks.newkey":                   {"Make a new Notification Key", "更换通知密钥"},
	"webhooks.newkeyask":                {"Make a new Notification Key? From now on every notification, retries too, is signed with the new key only.", "确定更换通知密钥吗？此后所有通知（包括重试）只用新密钥签名。"},
	"webhooks.urlrequired":              {"Give the endpoint's URL.", "请填写回调 URL。"},
	"webhooks.deliveries":               {"Deliveries", "推送记录"},
	"webhooks.event":                    {"Event", "事件"},
	"webhooks.since":                    {"Since (UTC+8)", "起始日期（UTC+8）"},
	"webhooks.baduntil":                 {"The page link is broken: start again from the first page.", "分页链接无效，请从第一页重新开始。"},
	"webhooks.id":                       {"Delivery id", "推送 ID"},
	"webhooks.attempts":                 {"Attempts", "尝试"},
	"webhooks.noattempt":                {"Not tried yet.", "尚未尝试。"},
	"webhooks.attempt":                  {"Attempt %d", "第 %d 次"},
	"webhooks.redeliver":                {"Send again", "重新发送"},
	"webhooks.redeliverask":             {"Send this event to the endpoint again?", "确定重新发送此事件吗？"},
	"webhooks.older":                    {"Older deliveries", "更早的推送"},
	"webhooks.empty":                    {"No delivery matches. Events (order changes, usage alerts, SMS reports) are sent to the endpoint and listed here.", "没有符合条件的推送。事件（订单变更、流量预警、短信回执）会推送到回调地址并在此列出。"},
	"webhooks.sincetitle":               {"Send again since a time", "重新发送某时间以来的事件"},
	"webhooks.sincefield":               {"Since (UTC+8)", "起始时间（UTC+8）"},
	"webhooks.sincebad":                 {"Give a time as yyyy-mm-dd hh:mm (UTC+8).", "请按 yyyy-mm-dd hh:mm（UTC+8）填写时间。"},
	"webhooks.sinceask":                 {"Send every event since this time again?", "确定重新发送该时间以来的全部事件吗？"},
	"webhooks.sincesubmit":              {"Send again", "重新发送"},
	"delivery.pending":                  {"pending", "待发送"},
	"delivery.delivered":                {"delivered", "已送达"},
	"delivery.failed":                   {"failed", "失败"},
	"hookevent.1000":                    {"1000 · order created", "1000 · 订单创建"},
	"hookevent.1001":                    {"1001 · order ended", "1001 · 订单结束"},
	"hookevent.1002":                    {"1002 · order cancelled", "1002 · 订单取消"},
	"hookevent.1003":                    {"1003 · order suspended", "1003 · 订单暂停"},
	"hookevent.1004":                    {"1004 · order resumed", "1004 · 订单恢复"},
	"hookevent.1005":                    {"1005 · order started", "1005 · 订单启用"},
	"hookevent.1007":                    {"1007 · OTA order started", "1007 · OTA 订单启用"},
	"hookevent.1008":                    {"1008 · order expired", "1008 · 订单到期"},
	"hookevent.1009":                    {"1009 · order renewed", "1009 · 订单续订"},
	"hookevent.1010":                    {"1010 · periods reduced", "1010 · 周期减少"},
	"hookevent.1012":                    {"1012 · IMSI downloaded", "1012 · IMSI 下载"},
	"hookevent.flow_alert":              {"Usage alert", "流量预警"},
	"hookevent.sms_report":              {"SMS delivery report", "短信下行回执"},
	"hookevent.sms_mo":                  {"SMS from a SIM", "短信上行"},
	"hookevent.mall_recharge":           {"Mall recharge", "商城充值"},
	"hookevent.sim_async_result":        {"SIM operation done (v4)", "SIM 异步操作完成（v4）"},
	"hookevent.sim_provisioning_failed": {"SIM refused by the HLR", "HLR 拒绝 SIM"},
	"hookevent.balance_alert":           {"Prepaid balance low", "预付费余额不足"},
}
