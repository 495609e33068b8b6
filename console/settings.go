package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// settingsView is the settings page's data: the enterprise and its API
// secrets, by id and age (never their values, but for one just added,
// shown this once).
type settingsView struct {
	picked
	Enterprise *admin.Enterprise
	Secrets    []secretRow
	Form       *form
	// Secret and SecretID are a secret just added, shown this once;
	// Dropped the id of the oldest, dropped to make room.
	Secret   string
	SecretID string
	Dropped  string
	// Error is a refusal of a drop.
	Error string
	// Keys are the enterprise's Cube v4 public keys; KeyForm registers
	// one; AddedKey is the key just registered.
	Keys     []*operator.APIKey
	KeyForm  *form
	AddedKey *operator.APIKey
}

// secretRow is one of the enterprise's secrets.
type secretRow struct {
	operator.SecretInfo
	Age string
}

func (s *Server) settings(rq *request) error {
	return s.settingsPage(rq, http.StatusOK, enterpriseOf(rq), &settingsView{})
}

// settingsPage renders the page of enterprise code with status.
func (s *Server) settingsPage(rq *request, status int, code string, v *settingsView) error {
	v.picked = pickOf(rq, code)
	if v.Form == nil {
		v.Form = newForm(url.Values{})
	}
	if code != "" {
		e, err := rq.api.Enterprise(rq.r.Context(), code)
		if err != nil {
			return err
		}
		v.Enterprise = e
		for _, si := range e.SecretIDs {
			v.Secrets = append(v.Secrets, secretRow{SecretInfo: si, Age: ageText(rq.lang, si.AgeSeconds)})
		}
		if v.Keys, err = rq.api.Keys(rq.r.Context(), code); err != nil {
			return err
		}
	}
	if v.KeyForm == nil {
		v.KeyForm = newForm(url.Values{})
	}
	return s.renderStatus(rq, status, "settings", view{Title: rq.lang.T("settings.title"), Nav: "settings", Data: v})
}

// secretAdd adds an API secret: the one typed, or a strong one made here,
// shown on the answer this once (201); the oldest beyond two is dropped.
func (s *Server) secretAdd(rq *request) error {
	code := enterpriseOf(rq)
	f := newForm(rq.r.PostForm)
	secret := strings.TrimSpace(f.Get("secret"))
	if secret == "" {
		var err error
		if secret, err = newSecret(); err != nil {
			return err
		}
	} else if len(secret) < 8 {
		f.Errors["secret"] = rq.lang.T("settings.short")
		return s.settingsPage(rq, http.StatusBadRequest, code, &settingsView{Form: f})
	}
	ctx := rq.r.Context()
	before, err := rq.api.Enterprise(ctx, code)
	if err != nil {
		return err
	}
	if _, err := rq.api.AddSecret(ctx, code, secret); err != nil {
		if typedWrong(f, err, nil) {
			// What was typed is a secret: never shown again.
			f.Values.Set("secret", "")
			return s.settingsPage(rq, refusalStatus(err), code, &settingsView{Form: f})
		}
		return err
	}
	v := &settingsView{Secret: secret, SecretID: opencube.SecretID(secret)}
	if len(before.SecretIDs) >= opencube.MaxSecrets {
		v.Dropped = before.SecretIDs[0].ID
	}
	return s.settingsPage(rq, http.StatusCreated, code, v)
}

// secretDrop takes a secret from the enterprise; the API refuses the last.
func (s *Server) secretDrop(rq *request) error {
	code := enterpriseOf(rq)
	if _, err := rq.api.DropSecret(rq.r.Context(), code, rq.r.PathValue("id")); err != nil {
		if k := opencube.ErrorKind(err); k == opencube.KindConflict || k == opencube.KindInvalid {
			return s.settingsPage(rq, refusalStatus(err), code, &settingsView{Error: err.(*opencube.Error).Message})
		}
		return err
	}
	return redirect(rq, withEnterprise(rq, Prefix+"settings", code), "secretdropped")
}

// keyAdd registers a Cube v4 public key pasted in the form (PEM or
// Base64 DER); the answer names its key id (201).
func (s *Server) keyAdd(rq *request) error {
	code := enterpriseOf(rq)
	f := newForm(rq.r.PostForm)
	pub := strings.TrimSpace(f.Get("public_key"))
	if pub == "" {
		f.Errors["public_key"] = rq.lang.T("keys.required")
		return s.settingsPage(rq, http.StatusBadRequest, code, &settingsView{KeyForm: f})
	}
	k, err := rq.api.AddKey(rq.r.Context(), code, pub)
	if err != nil {
		if typedWrong(f, err, nil) {
			return s.settingsPage(rq, refusalStatus(err), code, &settingsView{KeyForm: f})
		}
		return err
	}
	return s.settingsPage(rq, http.StatusCreated, code, &settingsView{AddedKey: k})
}

// keyRevoke deletes one of the enterprise's Cube v4 keys: requests it
// signs are refused from then on.
func (s *Server) keyRevoke(rq *request) error {
	code := enterpriseOf(rq)
	if err := rq.api.RevokeKey(rq.r.Context(), code, rq.r.PathValue("id")); err != nil {
		return err
	}
	return redirect(rq, withEnterprise(rq, Prefix+"settings", code), "keyrevoked")
}

// ageText says how long ago something was, roughly.
func ageText(l *Lang, secs int64) string {
	switch {
	case secs < 3600:
		return l.T("age.minutes", max(secs/60, 0))
	case secs < 48*3600:
		return l.T("age.hours", secs/3600)
	}
	return l.T("age.days", secs/86400)
}

// settingsTexts are the settings page's texts.
var settingsTexts = texts{
	"settings.title":       {"Settings", "设置"},
	"settings.enterprise":  {"Enterprise", "企业"},
	"settings.name":        {"Name", "名称"},
	"settings.code":        {"Access code", "接入码"},
	"settings.status":      {"Status", "状态"},
	"settings.secrets":     {"API secrets", "API 密钥"},
	"settings.about":       {"Requests to the API are signed with one of these secrets. An enterprise holds two at most: adding one when it has two drops the oldest, so requests signed with it stop working.", "API 请求用以下密钥之一签名。每个企业最多持有两个密钥：已有两个时再添加，会删除最旧的一个，用它签名的请求将失效。"},
	"settings.id":          {"Secret id", "密钥 ID"},
	"settings.added":       {"Added (UTC+8)", "添加时间（UTC+8）"},
	"settings.age":         {"Age", "已使用"},
	"settings.drop":        {"Drop", "删除"},
	"settings.dropask":     {"Drop this secret? Requests signed with it stop working at once.", "确定删除此密钥吗？用它签名的请求将立即失效。"},
	"settings.last":        {"The last secret cannot be dropped: add another first.", "不能删除最后一个密钥：请先添加新密钥。"},
	"settings.add":         {"Add a secret", "添加密钥"},
	"settings.secret":      {"Secret (optional)", "密钥（可选）"},
	"settings.secrethint":  {"Leave empty to have a strong secret made for you; or type one of at least 8 characters.", "留空则自动生成强密钥；也可自行输入至少 8 个字符的密钥。"},
	"settings.addask":      {"Add a secret? When the enterprise holds two, the oldest is dropped.", "确定添加密钥吗？已有两个密钥时，最旧的一个会被删除。"},
	"settings.short":       {"A secret is at least 8 characters.", "密钥至少 8 个字符。"},
	"settings.new":         {"New secret %s", "新密钥 %s"},
	"settings.dropped":     {"The oldest secret, %s, was dropped: requests signed with it no longer work.", "最旧的密钥 %s 已被删除：用它签名的请求不再有效。"},
	"settings.none":        {"No secret is listed. Add one below.", "没有密钥。请在下方添加。"},
	"age.minutes":          {"%d minutes", "%d 分钟"},
	"age.hours":            {"%d hours", "%d 小时"},
	"age.days":             {"%d days", "%d 天"},
	"notice.secretdropped": {"The secret is dropped.", "密钥已删除。"},
	"keys.title":           {"Cube v4 keys", "Cube v4 密钥"},
	"keys.about":           {"Cube v4 REST requests are signed with an RSA private key (SHA1withRSA); opencube keeps only the public half, named by its key id in the Authorization header.", "Cube v4 REST 请求使用 RSA 私钥签名（SHA1withRSA）；opencube 只保存公钥，以授权头中的密钥 ID 标识。"},
	"keys.id":              {"Key id", "密钥 ID"},
	"keys.bits":            {"Bits", "位数"},
	"keys.added":           {"Added (UTC+8)", "添加时间（UTC+8）"},
	"keys.revoke":          {"Revoke", "吊销"},
	"keys.revokeask":       {"Revoke this key? Requests signed with it are refused at once.", "确定吊销此密钥吗？用它签名的请求将立即被拒绝。"},
	"keys.none":            {"No Cube v4 key is registered.", "尚未登记 Cube v4 密钥。"},
	"keys.add":             {"Register a public key", "登记公钥"},
	"keys.public":          {"Public key", "公钥"},
	"keys.hint":            {"PEM (PUBLIC KEY or RSA PUBLIC KEY) or Base64 DER, 1024 to 8192 bits. Never paste a private key.", "PEM（PUBLIC KEY 或 RSA PUBLIC KEY）或 Base64 DER，1024 至 8192 位。切勿粘贴私钥。"},
	"keys.required":        {"Paste the public key.", "请粘贴公钥。"},
	"keys.added1":          {"Key %s is registered: sign requests with its private half and send this key id.", "密钥 %s 已登记：请用对应私钥签名，并发送此密钥 ID。"},
	"notice.keyrevoked":    {"The key is revoked.", "密钥已吊销。"},
}
