package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/console"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sms"
)

// The demo's enterprises, SIMs and users, and a support user the
// self-service fixture adds.
const (
	entP, entQ         = "P000270", "QY-000001"
	selfSIMP, selfSIMQ = "89852022018041800192", "89852022018041800300"
	demoPlanP          = "DP20190726001274"
	hookURL            = "https://example.com/hooks/opencube"
	operatorUser       = "admin"
	supportUser        = "helpdesk"
	entUser            = "p000270"
)

// selfFixture is the console fixture with the operator API's lists and
// changes served (enterprise details, SMS sends and lists, secret drops),
// SMS sent through the sandbox gateway, and a support user.
type selfFixture struct {
	*consoleFixture
	changes *service.Changes
	store   service.Store
}

func newSelfConsole(t *testing.T) *selfFixture {
	t.Helper()
	var adm *admin.Server
	f := &selfFixture{consoleFixture: newConsole(t, func(c *console.Server) { adm = c.Admin })}
	f.store = f.svc.Lists.Store.(service.Store)
	clock := opencube.ClockFunc(f.clock.Now)
	f.changes = &service.Changes{Store: f.store, Clock: clock, Orders: f.svc.Orders, SIMs: f.svc.SIMs,
		SMS: service.NewSMS(f.store, clock, sms.NewSandbox(clock))}
	adm.Lists, adm.Changes = f.svc.Lists, f.changes
	if _, _, err := f.svc.Access.CreateUser(t.Context(), &operator.User{Username: supportUser, Role: operator.RoleSupport}, service.DemoSecret); err != nil {
		t.Fatal(err)
	}
	return f
}

// delivery makes an event of P000270 (whose endpoint is set first), with
// one failed attempt, and returns its delivery's id.
func (f *selfFixture) delivery(t *testing.T) string {
	t.Helper()
	ctx := t.Context()
	o, err := f.changes.OrderPlan(ctx, entP, operator.OrderRequest{ICCID: selfSIMP, PlanCode: demoPlanP, Periods: 1})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := f.store.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP, Limit: 1})
	if err != nil || len(ds) == 0 || ds[0].Event.OrderID != o.ID {
		t.Fatalf("no delivery of order %s: %v %v", o.ID, ds, err)
	}
	a := opencube.Attempt{N: 1, At: f.clock.Now(), StatusCode: 503, Latency: 1234 * time.Millisecond, Error: "receiver answered 503"}
	if err := f.store.RecordAttempt(ctx, ds[0].ID, a, opencube.DeliveryPending); err != nil {
		t.Fatal(err)
	}
	return ds[0].ID
}

// session is a signed-in browser and its form token.
type session struct {
	f    *selfFixture
	c    *http.Client
	csrf string
}

func (f *selfFixture) as(t *testing.T, username string) session {
	t.Helper()
	c := f.browser(t)
	status, csrf := f.signIn(t, c, username, service.DemoSecret)
	if status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", username, status)
	}
	return session{f: f, c: c, csrf: csrf}
}

func (s session) get(t *testing.T, path string) (int, string) {
	t.Helper()
	status, body, _ := get(t, s.c, s.f.srv.URL+path)
	return status, body
}

// post sends a form (pairs of name and value) with the session's token.
func (s session) post(t *testing.T, path string, pairs ...string) (int, string, *http.Response) {
	t.Helper()
	return s.postToken(t, s.csrf, path, pairs...)
}

func (s session) postToken(t *testing.T, token, path string, pairs ...string) (int, string, *http.Response) {
	t.Helper()
	v := url.Values{}
	if token != "" {
		v.Set("csrf", token)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return post(t, s.c, s.f.srv.URL+path, v)
}

// postForms counts the change forms of a page, the sign-out form aside.
func postForms(body string) int {
	return strings.Count(body, `method="post"`) - strings.Count(body, `action="/console/logout"`)
}

var (
	webhookSecret = regexp.MustCompile(`whsec_[A-Za-z0-9+/=_-]+`)
	userToken     = regexp.MustCompile(`ocu_[A-Za-z0-9_-]+`)
	shownSecret   = regexp.MustCompile(`<code class="secret">([^<]+)</code>`)
)

// TestSelfPagesRender: every self-service page renders for each role, with
// its content, change forms for those who may change, none for support.
func TestSelfPagesRender(t *testing.T) {
	f := newSelfConsole(t)
	// Something in every list: an endpoint, a delivery, a message.
	op := f.as(t, operatorUser)
	if st, _, _ := op.post(t, "/console/webhooks", "enterprise", entP, "url", hookURL); st != http.StatusCreated {
		t.Fatalf("set the endpoint: %d", st)
	}
	f.delivery(t)
	if st, body, _ := op.post(t, "/console/sms", "iccid", selfSIMP, "content", "hello from the console"); st != http.StatusSeeOther {
		t.Fatalf("send an SMS: %d\n%s", st, body)
	}
	pages := []struct {
		name     string
		path     string // for operators and support; the enterprise user's is without ?enterprise=
		contains []string
	}{
		{"webhooks", "/console/webhooks?enterprise=" + entP, []string{hookURL, "1000 · order created", "HTTP 503", "1234 ms", "receiver answered 503", `data-label="Attempts"`}},
		{"alerts", "/console/alerts?enterprise=" + entP, []string{"80%, 100%", "3 days before expiry"}},
		{"sms", "/console/sms?enterprise=" + entP, []string{"hello from the console", selfSIMP, "queued"}},
		{"settings", "/console/settings?enterprise=" + entP, []string{"Demo Enterprise", opencube.SecretID(service.DemoSecret), "API secrets"}},
		{"users", "/console/users?enterprise=" + entP, []string{`href="/console/users/p000270"`, "enterprise user"}},
		{"user", "/console/users/p000270", []string{"API tokens", "first"}},
	}
	for _, who := range []string{operatorUser, supportUser, entUser} {
		s := f.as(t, who)
		for _, p := range pages {
			path := p.path
			if who == entUser {
				path, _, _ = strings.Cut(path, "?")
			}
			st, body := s.get(t, path)
			if st != http.StatusOK {
				t.Errorf("%s %s: %d\n%s", who, path, st, body)
				continue
			}
			for _, want := range p.contains {
				if !strings.Contains(body, want) {
					t.Errorf("%s %s lacks %q", who, path, want)
				}
			}
			forms := postForms(body)
			switch {
			case who == supportUser && forms != 0:
				t.Errorf("support sees %d change forms on %s", forms, path)
			case who != supportUser && forms == 0:
				t.Errorf("%s sees no change form on %s", who, path)
			}
			if who == supportUser && !strings.Contains(body, "support users read only") {
				t.Errorf("support is not told %s is read only", path)
			}
			if !strings.Contains(body, `aria-current="page"`) || strings.Contains(body, "secret\">whsec_") {
				t.Errorf("%s %s: no current nav item, or a secret shown", who, path)
			}
		}
	}
	// An operator who names no enterprise is asked for one.
	for _, p := range []string{"/console/webhooks", "/console/alerts", "/console/settings"} {
		if st, body := op.get(t, p); st != http.StatusOK || !strings.Contains(body, "Type an enterprise&#39;s access code") || !strings.Contains(body, `id="pick-enterprise"`) {
			t.Errorf("%s without an enterprise: %d", p, st)
		}
	}
	// Empty lists say what to do.
	if _, body := op.get(t, "/console/webhooks?enterprise="+entQ); !strings.Contains(body, "No endpoint yet") || !strings.Contains(body, "No delivery matches") {
		t.Errorf("QY-000001's webhooks: no empty-state hints")
	}
	if _, body := op.get(t, "/console/sms?iccid="+selfSIMQ); !strings.Contains(body, "No message matches. Send one above") {
		t.Errorf("an empty SMS history says nothing")
	}
	// Both languages.
	get(t, op.c, f.srv.URL+"/console/lang?to=zh-CN")
	for p, title := range map[string]string{
		"/console/webhooks?enterprise=" + entP: "<h1>Webhook</h1>", "/console/alerts?enterprise=" + entP: "<h1>流量预警</h1>",
		"/console/sms": "<h1>短信</h1>", "/console/settings?enterprise=" + entP: "<h1>设置</h1>",
		"/console/users": "<h1>用户</h1>", "/console/users/admin": "<h1>用户 admin</h1>",
	} {
		if st, body := op.get(t, p); st != http.StatusOK || !strings.Contains(body, `<html lang="zh-CN">`) || !strings.Contains(body, title) {
			t.Errorf("%s in Chinese: %d, want %s", p, st, title)
		}
	}
}

// TestSelfOtherEnterprise: an enterprise user reaches no other
// enterprise's objects: they answer as missing.
func TestSelfOtherEnterprise(t *testing.T) {
	f := newSelfConsole(t)
	s := f.as(t, entUser)
	for _, p := range []string{
		"/console/webhooks?enterprise=" + entQ, "/console/alerts?enterprise=" + entQ, "/console/settings?enterprise=" + entQ,
		"/console/sms?enterprise=" + entQ, "/console/users?enterprise=" + entQ, "/console/users/admin", "/console/users/" + supportUser,
	} {
		if st, body := s.get(t, p); st != http.StatusNotFound || strings.Contains(body, "Demo OTA Enterprise") {
			t.Errorf("%s: %d, want 404", p, st)
		}
	}
	// Its lists hold its own only.
	if _, body := s.get(t, "/console/users"); strings.Contains(body, "/console/users/admin") || !strings.Contains(body, "/console/users/p000270") {
		t.Errorf("the enterprise user's users list:\n%s", body)
	}
	// Another's SIM is unknown to the send form, said beside the field.
	st, body, _ := s.post(t, "/console/sms", "iccid", selfSIMQ, "content", "hi")
	if st != http.StatusNotFound || !regexp.MustCompile(`id="send-iccid-error">SIM `+selfSIMQ+` not found`).MatchString(body) {
		t.Errorf("an SMS to another's SIM: %d\n%s", st, body)
	}
	// The form offers an enterprise user its own enterprise's users only.
	if _, body := s.get(t, "/console/users"); strings.Contains(body, `value="operator"`) || !strings.Contains(body, "enterprise user of P000270") {
		t.Errorf("the enterprise user's creation form offers other roles")
	}
}

// selfAction is one change a self-service page makes.
type selfAction struct {
	name string
	path string
	form []string
	// ok is the status of a success.
	ok int
}

// actions are the self-service changes on enterprise code, in an order in
// which each can succeed after the ones before; user is a user of code
// the user actions act on, and token one of its tokens.
func actions(code, user, token string) []selfAction {
	return []selfAction{
		{"set the endpoint", "/console/webhooks", []string{"enterprise", code, "url", hookURL, "events", "1000", "events", "flow_alert"}, http.StatusCreated},
		{"change the endpoint", "/console/webhooks", []string{"enterprise", code, "url", hookURL + "/v2"}, http.StatusSeeOther},
		{"rotate the endpoint secret", "/console/webhooks/rotate", []string{"enterprise", code, "grace", "48"}, http.StatusOK},
		{"redeliver since", "/console/webhooks/redeliver", []string{"enterprise", code, "since", "2024-12-31T00:00"}, http.StatusSeeOther},
		{"set alerts", "/console/alerts", []string{"enterprise", code, "percents", "50, 90", "days", "5"}, http.StatusSeeOther},
		{"send an SMS", "/console/sms", []string{"iccid", map[string]string{entP: selfSIMP, entQ: selfSIMQ}[code], "content", "ping"}, http.StatusSeeOther},
		{"add a secret", "/console/settings/secrets", []string{"enterprise", code}, http.StatusCreated},
		{"drop a secret", "/console/settings/secrets/" + opencube.SecretID(service.DemoSecret) + "/drop", []string{"enterprise", code}, http.StatusSeeOther},
		{"create a user", "/console/users", []string{"username", "new-" + strings.ToLower(code), "role", "enterprise", "enterprise", code, "password", "a long password"}, http.StatusCreated},
		{"make a token", "/console/users/" + user + "/tokens", []string{"name", "billing sync"}, http.StatusCreated},
		{"revoke a token", "/console/users/" + user + "/tokens/" + token + "/revoke", nil, http.StatusSeeOther},
		{"set a password", "/console/users/" + user + "/password", []string{"password", "another long password"}, http.StatusSeeOther},
		{"disable a user", "/console/users/" + user + "/disable", nil, http.StatusSeeOther},
		{"enable a user", "/console/users/" + user + "/enable", nil, http.StatusSeeOther},
	}
}

// tokenOf returns the id of a user's first token.
func (f *selfFixture) tokenOf(t *testing.T, username string) string {
	t.Helper()
	toks, err := f.svc.Access.FindTokens(t.Context(), username)
	if err != nil || len(toks) == 0 {
		t.Fatalf("tokens of %s: %v %v", username, toks, err)
	}
	return toks[0].ID
}

// TestSelfActions: every role against every action. Operators and the
// enterprise user change their enterprise; support changes nothing; the
// enterprise user reaches no other enterprise; every action wants the
// form token.
func TestSelfActions(t *testing.T) {
	type outcome int
	const (
		allowed outcome = iota
		forbidden
		missing
	)
	for _, tt := range []struct {
		who, code, user string
		want            outcome
	}{
		{operatorUser, entP, entUser, allowed},
		{operatorUser, entQ, entUser, allowed},
		{entUser, entP, entUser, allowed},
		{supportUser, entP, entUser, forbidden},
		{entUser, entQ, supportUser, missing},
	} {
		t.Run(tt.who+" on "+tt.code, func(t *testing.T) {
			f := newSelfConsole(t)
			s := f.as(t, tt.who)
			// The user actions act on another user than the actor.
			target := tt.user
			if tt.want == allowed {
				target = "victim"
				u := &operator.User{Username: target, Role: operator.RoleEnterprise, Enterprise: tt.code}
				if _, _, err := f.svc.Access.CreateUser(t.Context(), u, ""); err != nil {
					t.Fatal(err)
				}
			}
			token := f.tokenOf(t, target)
			for _, a := range actions(tt.code, target, token) {
				// Without the form token, or with another, refused first.
				if st, _, _ := s.postToken(t, "", a.path, a.form...); st != http.StatusForbidden {
					t.Errorf("%s without a form token: %d", a.name, st)
				}
				if st, _, _ := s.postToken(t, "forged-"+s.csrf, a.path, a.form...); st != http.StatusForbidden {
					t.Errorf("%s with a forged form token: %d", a.name, st)
				}
				st, body, resp := s.post(t, a.path, a.form...)
				switch tt.want {
				case allowed:
					if st != a.ok {
						t.Errorf("%s: %d, want %d\n%s", a.name, st, a.ok, body)
					}
					if loc := resp.Header.Get("Location"); webhookSecret.MatchString(loc) || userToken.MatchString(loc) {
						t.Errorf("%s: redirect to %q", a.name, resp.Header.Get("Location"))
					}
				case forbidden:
					if st != http.StatusForbidden {
						t.Errorf("support %s: %d, want 403\n%s", a.name, st, body)
					}
				case missing:
					if st != http.StatusNotFound {
						t.Errorf("%s of another enterprise: %d, want 404\n%s", a.name, st, body)
					}
				}
			}
			// Every allowed change is in the audit trail, by the console user.
			entries, err := f.svc.Access.ListAudit(t.Context(), operator.AuditQuery{Actor: tt.who, Page: operator.Page{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(entries.Items); (tt.want == allowed) != (n >= len(actions("", "", ""))-1) {
				t.Errorf("%d audit entries by %s", n, tt.who)
			}
		})
	}
}
