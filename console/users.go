package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// usersView is the users page's data: the list, the creation form, and a
// user just created with its first API token, shown this once.
type usersView struct {
	Users []*operator.User
	Pager pager
	// Filter is the enterprise filter of an operator's list.
	Filter *form
	Form   *form
	// Roles are the roles the actor may give (an enterprise user: its
	// own enterprise's users only).
	Roles   []operator.Role
	Created *admin.NewUser
}

// userView is a user's page: the user, its tokens, the forms of its
// changes, and a token just made, shown this once.
type userView struct {
	User     *admin.User
	Token    *admin.NewToken
	Self     bool
	TokenF   *form
	Password *form
	Error    string
}

func (s *Server) users(rq *request) error {
	return s.usersPage(rq, http.StatusOK, &usersView{})
}

// usersPage renders the users list with status.
func (s *Server) usersPage(rq *request, status int, v *usersView) error {
	q := rq.r.URL.Query()
	v.Filter = newForm(q)
	if v.Form == nil {
		v.Form = newForm(url.Values{"role": {string(operator.RoleEnterprise)}})
	}
	if rq.actor.Role == operator.RoleEnterprise {
		v.Roles = []operator.Role{operator.RoleEnterprise}
	} else {
		v.Roles = []operator.Role{operator.RoleEnterprise, operator.RoleSupport, operator.RoleOperator}
	}
	l, err := rq.api.ListUsers(rq.r.Context(), operator.UserQuery{Enterprise: strings.TrimSpace(q.Get("enterprise")),
		Page: operator.Page{Limit: 50, Cursor: q.Get("cursor")}})
	if err != nil {
		if opencube.ErrorKind(err) == opencube.KindInvalid && v.Filter.refused(err, nil) {
			return s.renderStatus(rq, http.StatusBadRequest, "users", view{Title: rq.lang.T("users.title"), Nav: "users", Data: v})
		}
		return err
	}
	v.Users, v.Pager = l.Items, nextPage(Prefix+"users", q, l.Next)
	return s.renderStatus(rq, status, "users", view{Title: rq.lang.T("users.title"), Nav: "users", Data: v})
}

// userCreate creates a user; its first API token is shown on the answer,
// this once (201).
func (s *Server) userCreate(rq *request) error {
	f := newForm(rq.r.PostForm)
	req := admin.UserRequest{Username: strings.TrimSpace(f.Get("username")), Role: operator.Role(f.Get("role")),
		Enterprise: strings.TrimSpace(f.Get("enterprise")), Password: f.Get("password")}
	if rq.actor.Role == operator.RoleEnterprise && req.Enterprise == "" {
		req.Enterprise = rq.actor.Enterprise
	}
	if req.Role != operator.RoleEnterprise {
		req.Enterprise = ""
	}
	if req.Username == "" {
		f.Errors["username"] = rq.lang.T("users.usernamerequired")
	}
	if req.Role == operator.RoleEnterprise && req.Enterprise == "" {
		f.Errors["enterprise"] = rq.lang.T("users.enterpriserequired")
	}
	// A password is never shown again, not even on a refusal.
	f.Values.Set("password", "")
	if len(f.Errors) > 0 {
		return s.usersPage(rq, http.StatusBadRequest, &usersView{Form: f})
	}
	u, err := rq.api.CreateUser(rq.r.Context(), req)
	if err != nil {
		if selfShown(f, err, nil) {
			return s.usersPage(rq, refusalStatus(err), &usersView{Form: f})
		}
		return err
	}
	return s.usersPage(rq, http.StatusCreated, &usersView{Created: u})
}

func (s *Server) user(rq *request) error {
	return s.userPage(rq, http.StatusOK, &userView{})
}

// userPage renders a user's page with status.
func (s *Server) userPage(rq *request, status int, v *userView) error {
	u, err := rq.api.User(rq.r.Context(), rq.r.PathValue("username"))
	if err != nil {
		return err
	}
	v.User, v.Self = u, u.Username == rq.actor.Username
	if v.TokenF == nil {
		v.TokenF = newForm(url.Values{})
	}
	if v.Password == nil {
		v.Password = newForm(url.Values{})
	}
	return s.renderStatus(rq, status, "user", view{Title: rq.lang.T("users.user", u.Username), Nav: "users", Data: v})
}

// userPath is the path of a user's page.
func userPath(username string) string { return Prefix + "users/" + url.PathEscape(username) }

// tokenCreate makes a user another API token, shown on the answer this
// once (201).
func (s *Server) tokenCreate(rq *request) error {
	f := newForm(rq.r.PostForm)
	t, err := rq.api.CreateToken(rq.r.Context(), rq.r.PathValue("username"), strings.TrimSpace(f.Get("name")))
	if err != nil {
		if opencube.ErrorKind(err) == opencube.KindInvalid && selfShown(f, err, nil) {
			return s.userPage(rq, refusalStatus(err), &userView{TokenF: f})
		}
		return err
	}
	return s.userPage(rq, http.StatusCreated, &userView{Token: t})
}

// tokenRevoke revokes one of a user's tokens.
func (s *Server) tokenRevoke(rq *request) error {
	name := rq.r.PathValue("username")
	if err := rq.api.RevokeToken(rq.r.Context(), name, rq.r.PathValue("id")); err != nil {
		return err
	}
	return redirect(rq, userPath(name), "tokenrevoked")
}

// userDisable disables a user, or enables it again.
func (s *Server) userDisable(rq *request, disabled bool) error {
	name := rq.r.PathValue("username")
	if _, err := rq.api.DisableUser(rq.r.Context(), name, disabled); err != nil {
		if opencube.ErrorKind(err) == opencube.KindInvalid {
			return s.userPage(rq, http.StatusBadRequest, &userView{Error: err.(*opencube.Error).Message})
		}
		return err
	}
	return redirect(rq, userPath(name), "saved")
}

func (s *Server) userDisablePost(rq *request) error { return s.userDisable(rq, true) }

func (s *Server) userEnablePost(rq *request) error { return s.userDisable(rq, false) }

// userPassword sets a user's console password.
func (s *Server) userPassword(rq *request) error {
	name := rq.r.PathValue("username")
	f := newForm(rq.r.PostForm)
	pw := f.Get("password")
	f.Values.Set("password", "")
	if pw == "" {
		f.Errors["password"] = rq.lang.T("users.passwordrequired")
		return s.userPage(rq, http.StatusBadRequest, &userView{Password: f})
	}
	if err := rq.api.SetPassword(rq.r.Context(), name, pw); err != nil {
		if opencube.ErrorKind(err) == opencube.KindInvalid && selfShown(f, err, nil) {
			return s.userPage(rq, refusalStatus(err), &userView{Password: f})
		}
		return err
	}
	return redirect(rq, userPath(name), "passwordset")
}

// usersTexts are the users pages' texts.
var usersTexts = texts{
	"users.title":              {"Users", "用户"},
	"users.user":               {"User %s", "用户 %s"},
	"users.username":           {"Username", "用户名"},
	"users.role":               {"Role", "角色"},
	"users.enterprise":         {"Enterprise", "企业"},
	"users.status":             {"Status", "状态"},
	"users.active":             {"active", "正常"},
	"users.disabled":           {"disabled", "已停用"},
	"users.role.operator":      {"operator", "运营方"},
	"users.role.support":       {"support (read only)", "支持（只读）"},
	"users.role.enterprise":    {"enterprise user", "企业用户"},
	"users.create":             {"Create a user", "创建用户"},
	"users.password":           {"Console password (optional)", "控制台密码（可选）"},
	"users.passwordhint":       {"At least 8 characters. Without one the user signs in with API tokens only.", "至少 8 个字符。不设密码则只能用 API 令牌访问。"},
	"users.enterprisehint":     {"For an enterprise user: its enterprise's access code.", "企业用户须填写其企业接入码。"},
	"users.ownenterprise":      {"The user will be an enterprise user of %s.", "新用户将是 %s 的企业用户。"},
	"users.submit":             {"Create", "创建"},
	"users.usernamerequired":   {"Give a username.", "请填写用户名。"},
	"users.enterpriserequired": {"An enterprise user needs its enterprise's access code.", "企业用户须填写企业接入码。"},
	"users.passwordrequired":   {"Give the new password.", "请填写新密码。"},
	"users.created":            {"User %s is created. Its first API token:", "用户 %s 已创建。其第一个 API 令牌："},
	"users.filter":             {"Enterprise", "企业"},
	"users.empty":              {"No user matches. Create one below.", "没有符合条件的用户。可在下方创建。"},
	"users.tokens":             {"API tokens", "API 令牌"},
	"users.tokenid":            {"Token id", "令牌 ID"},
	"users.tokenname":          {"Name", "名称"},
	"users.made":               {"Made (UTC+8)", "创建时间（UTC+8）"},
	"users.lastused":           {"Last used (UTC+8)", "最近使用（UTC+8）"},
	"users.revoked":            {"Revoked (UTC+8)", "吊销时间（UTC+8）"},
	"users.revoke":             {"Revoke", "吊销"},
	"users.revokeask":          {"Revoke this token? Programs using it stop working at once.", "确定吊销此令牌吗？使用它的程序将立即失效。"},
	"users.notokens":           {"No token. Make one below for a program that calls the API.", "没有令牌。可在下方为调用 API 的程序创建令牌。"},
	"users.newtoken":           {"Make a token", "创建令牌"},
	"users.tokennamehint":      {"What it is for, for example \"billing sync\" (optional).", "用途，例如“账单同步”（可选）。"},
	"users.tokenmade":          {"New token %s", "新令牌 %s"},
	"users.disable":            {"Disable the user", "停用用户"},
	"users.disableask":         {"Disable this user? Its tokens and console sign-in stop working.", "确定停用此用户吗？其令牌和控制台登录将失效。"},
	"users.enable":             {"Enable the user", "启用用户"},
	"users.setpassword":        {"Set the console password", "设置控制台密码"},
	"users.newpassword":        {"New password", "新密码"},
	"users.back":               {"All users", "全部用户"},
	"users.yourself":           {"This is you.", "这是您自己。"},
	"notice.tokenrevoked":      {"The token is revoked.", "令牌已吊销。"},
	"notice.passwordset":       {"The password is set.", "密码已设置。"},
}
