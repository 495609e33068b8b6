package console

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// The enterprise self-service pages (webhooks, alerts, SMS, settings,
// users) act on one enterprise: an enterprise user's own, or the one an
// operator or support user picks with ?enterprise=CODE. The code is only
// ever handed to the API, which decides whether the actor may see it (an
// enterprise user asking for another's gets its 404).

// enterpriseOf returns the enterprise a self-service request is about: the
// one it names (?enterprise= or the form's field), else an enterprise
// user's own; "" when an operator named none.
func enterpriseOf(rq *request) string {
	if code := strings.TrimSpace(rq.r.FormValue("enterprise")); code != "" {
		return code
	}
	if rq.actor.Role == operator.RoleEnterprise {
		return rq.actor.Enterprise
	}
	return ""
}

// withEnterprise returns path with the enterprise in its query, for an
// operator's pages (an enterprise user's pages need none).
func withEnterprise(rq *request, path, code string) string {
	if code == "" || (rq.actor.Role == operator.RoleEnterprise && code == rq.actor.Enterprise) {
		return path
	}
	return path + "?enterprise=" + url.QueryEscape(code)
}

// picked is what every self-service page shows about its enterprise: its
// code, and whether the actor chose it (operators and support) rather
// than owning it.
type picked struct {
	Code string
	// Pick shows the enterprise selector.
	Pick bool
}

func pickOf(rq *request, code string) picked {
	return picked{Code: code, Pick: rq.actor.Role != operator.RoleEnterprise}
}

// newSecret returns a strong random secret: 32 bytes, base64url.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// besideField gives an API refusal that names no field the field of the
// form it is about, by its kind (an unknown SIM is about the ICCID).
func besideField(err error, kinds map[opencube.Kind]string) error {
	var e *opencube.Error
	if errors.As(err, &e) && e.Field == "" {
		if f, ok := kinds[e.Kind]; ok {
			e.Field = f
		}
	}
	return err
}

// selfShown reports whether form f shows the API's refusal err, beside its
// field (fields maps the API's field names to the form's): a refusal of
// what was typed. A refusal of the actor (support's change, another
// enterprise's object) is not the form's to show: it is an error page.
func selfShown(f *form, err error, fields map[string]string) bool {
	switch opencube.ErrorKind(err) {
	case admin.KindForbidden, admin.KindUnauthorized, admin.KindDisabled, admin.KindNoRoute, opencube.KindUnauthenticated, opencube.KindInternal:
		return false
	}
	return f.refused(err, fields)
}

// refusalStatus is the HTTP status of a form shown again after an API
// refusal: the API's own.
func refusalStatus(err error) int {
	var e *opencube.Error
	if errors.As(err, &e) {
		if st := admin.HTTPStatus(e.Kind); st != http.StatusInternalServerError {
			return st
		}
	}
	return http.StatusBadRequest
}

// selfTexts are the texts the self-service pages share.
var selfTexts = texts{
	"nav.alerts":         {"Alerts", "预警"},
	"nav.settings":       {"Settings", "设置"},
	"self.enterprise":    {"Enterprise access code", "企业接入码"},
	"self.show":          {"Show", "查看"},
	"self.pick":          {"Type an enterprise's access code (for example P000270) and choose Show.", "请输入企业接入码（例如 P000270）后点击“查看”。"},
	"self.once":          {"Copy it now: it is shown this once and never again.", "请立即复制：它只显示这一次，之后不会再显示。"},
	"self.readonly":      {"You can look but not change anything here: support users read only.", "您只能查看、不能修改：支持用户为只读。"},
	"self.created":       {"Created (UTC+8)", "创建时间（UTC+8）"},
	"self.state":         {"State", "状态"},
	"self.any":           {"Any", "全部"},
	"self.actions":       {"Actions", "操作"},
	"notice.redelivered": {"Sent again.", "已重新发送。"},
}
