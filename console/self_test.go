package console_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"html"
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

// delivery sets code's endpoint (unless set), makes an event of code, and
// records a failed attempt of its delivery, whose id it returns.
func (f *selfFixture) delivery(t *testing.T, code string) string {
	t.Helper()
	ctx := t.Context()
	if _, err := f.svc.Notify.FindWebhook(ctx, code); opencube.ErrorKind(err) == opencube.KindNotFound {
		if _, err := f.svc.Notify.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: code, URL: hookURL}); err != nil {
			t.Fatal(err)
		}
	}
	sim, plan := selfSIMP, demoPlanP
	if code == entQ {
		sim, plan = selfSIMQ, "DP20201218003915"
	}
	o, err := f.changes.OrderPlan(ctx, code, operator.OrderRequest{ICCID: sim, PlanCode: plan, Periods: 1})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := f.store.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: code, Limit: 1})
	if err != nil || len(ds) == 0 || ds[0].Event.OrderID != o.ID {
		t.Fatalf("no delivery of order %s: %v %v", o.ID, ds, err)
	}
	a := opencube.Attempt{N: 1, At: f.clock.Now(), StatusCode: 503, Latency: 1234 * time.Millisecond, Error: "receiver answered 503"}
	if err := f.store.RecordAttempt(ctx, ds[0].ID, a, opencube.DeliveryFailed); err != nil {
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
	f.delivery(t, entP)
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
			forms := changeForms(body)
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

// TestSelfActions: every role against every selfAction. Operators and the
// enterprise user change their enterprise; support changes nothing; the
// enterprise user reaches no other enterprise; every selfAction wants the
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

// TestSelfRedeliver: one delivery is sent again by those who may change
// its enterprise's objects; support may not, nor another enterprise.
func TestSelfRedeliver(t *testing.T) {
	f := newSelfConsole(t)
	own, other := f.delivery(t, entP), f.delivery(t, entQ)
	for _, tt := range []struct {
		who, id, code string
		want          int
	}{
		{operatorUser, other, entQ, http.StatusSeeOther},
		{entUser, own, entP, http.StatusSeeOther},
		{supportUser, own, entP, http.StatusForbidden},
		{entUser, other, entQ, http.StatusNotFound},
		{entUser, "no-such-delivery", entP, http.StatusNotFound},
	} {
		s := f.as(t, tt.who)
		path := "/console/webhooks/deliveries/" + tt.id + "/redeliver"
		if st, _, _ := s.postToken(t, "", path, "enterprise", tt.code); st != http.StatusForbidden {
			t.Errorf("%s redelivers without a form token: %d", tt.who, st)
		}
		st, _, resp := s.post(t, path, "enterprise", tt.code)
		if st != tt.want {
			t.Errorf("%s redelivers %s: %d, want %d", tt.who, tt.id, st, tt.want)
		}
		if st == http.StatusSeeOther {
			loc := resp.Header.Get("Location")
			if !strings.Contains(loc, "notice=redelivered") {
				t.Errorf("after a redelivery: to %q", loc)
			}
			_, body := s.get(t, loc)
			if !strings.Contains(body, "Sent again.") || !strings.Contains(body, "pending") {
				t.Errorf("the page after a redelivery:\n%s", body)
			}
		}
	}
	// The log's filters.
	s := f.as(t, entUser)
	for q, want := range map[string]bool{"?state=pending": true, "?state=failed": false, "?event=1000": true, "?event=sms_mo": false, "?since=2099-01-01": false} {
		_, body := s.get(t, "/console/webhooks"+q)
		if got := strings.Contains(body, own); got != want {
			t.Errorf("deliveries%s show %s: %v, want %v", q, own, got, want)
		}
	}
	if st, body := s.get(t, "/console/webhooks?since=yesterday"); st != http.StatusOK || !strings.Contains(body, `id="since-error"`) || !strings.Contains(body, `value="yesterday"`) {
		t.Errorf("a bad since: %d", st)
	}
}

// TestSelfSecretsShownOnce: a secret or token is shown on the answer that
// made it, never in a URL, never again: the pages after show its id only.
func TestSelfSecretsShownOnce(t *testing.T) {
	f := newSelfConsole(t)
	s := f.as(t, entUser)
	once := func(what string, st int, body string, resp *http.Response, want int, re *regexp.Regexp) string {
		t.Helper()
		if st != want || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Location") != "" {
			t.Fatalf("%s: %d, Cache-Control %q, Location %q\n%s", what, st, resp.Header.Get("Cache-Control"), resp.Header.Get("Location"), body)
		}
		m := shownSecret.FindStringSubmatch(body)
		if m != nil {
			m[1] = html.UnescapeString(m[1]) // html/template writes a + as &#43;
		}
		if m == nil || (re != nil && !re.MatchString(m[1])) || !strings.Contains(body, "shown this once") {
			t.Fatalf("%s: no secret shown\n%s", what, body)
		}
		return m[1]
	}
	never := func(what, path string, secrets ...string) string {
		t.Helper()
		st, body := s.get(t, path)
		for _, secret := range secrets {
			if st != http.StatusOK || strings.Contains(body, secret) || strings.Contains(body, `class="secret"`) {
				t.Errorf("%s: %s shows the secret again (%d)", what, path, st)
			}
		}
		return body
	}

	// The endpoint's secret, and a rotated one.
	st, body, resp := s.post(t, "/console/webhooks", "url", hookURL)
	first := once("a new endpoint", st, body, resp, http.StatusCreated, webhookSecret)
	never("the endpoint", "/console/webhooks", first)
	st, body, resp = s.post(t, "/console/webhooks", "url", hookURL+"/again")
	if st != http.StatusSeeOther || webhookSecret.MatchString(body) {
		t.Errorf("changing the endpoint's URL: %d", st)
	}
	st, body, resp = s.post(t, "/console/webhooks/rotate", "grace", "2")
	second := once("a rotation", st, body, resp, http.StatusOK, webhookSecret)
	if second == first || !strings.Contains(body, "the previous one signs too until 2025-01-01 12:00") {
		t.Errorf("the rotation's answer:\n%s", body)
	}
	if b := never("the endpoint", "/console/webhooks", first, second); !strings.Contains(b, "The previous secret signs too until 2025-01-01 12:00") {
		t.Errorf("the endpoint page does not say until when the old secret signs")
	}

	// An API secret: made here, or typed; the oldest beyond two dropped.
	st, body, resp = s.post(t, "/console/settings/secrets")
	made := once("a made API secret", st, body, resp, http.StatusCreated, nil)
	if len(made) < 40 || !strings.Contains(body, opencube.SecretID(made)) {
		t.Errorf("a made secret %q: too short, or its id not shown", made)
	}
	b := never("settings", "/console/settings", made)
	if !strings.Contains(b, opencube.SecretID(made)) || !strings.Contains(b, opencube.SecretID(service.DemoSecret)) {
		t.Errorf("settings do not list both secrets' ids")
	}
	st, body, resp = s.post(t, "/console/settings/secrets", "secret", "typed secret 1234")
	if typed := once("a typed API secret", st, body, resp, http.StatusCreated, nil); typed != "typed secret 1234" {
		t.Errorf("typed secret shown as %q", typed)
	}
	if !strings.Contains(body, "The oldest secret, "+opencube.SecretID(service.DemoSecret)+", was dropped") {
		t.Errorf("the answer does not say the oldest was dropped:\n%s", body)
	}
	b = never("settings", "/console/settings", made, "typed secret 1234")
	if strings.Contains(b, opencube.SecretID(service.DemoSecret)) {
		t.Errorf("the dropped secret is still listed")
	}
	// Down to one: the last is not dropped.
	if st, _, _ := s.post(t, "/console/settings/secrets/"+opencube.SecretID(made)+"/drop"); st != http.StatusSeeOther {
		t.Errorf("drop a secret: %d", st)
	}
	st, body, _ = s.post(t, "/console/settings/secrets/"+opencube.SecretID("typed secret 1234")+"/drop")
	if st != http.StatusConflict || !strings.Contains(body, `class="error"`) {
		t.Errorf("drop the last secret: %d\n%s", st, body)
	}

	// A user's first token, and another.
	st, body, resp = s.post(t, "/console/users", "username", "ops-bot", "role", "enterprise")
	tok := once("a new user", st, body, resp, http.StatusCreated, userToken)
	never("users", "/console/users", tok)
	b = never("the user", "/console/users/ops-bot", tok)
	first0 := f.tokenOf(t, "ops-bot")
	if !strings.Contains(b, first0) {
		t.Errorf("the user's page does not list its token's id")
	}
	st, body, resp = s.post(t, "/console/users/ops-bot/tokens", "name", "billing sync")
	tok2 := once("a new token", st, body, resp, http.StatusCreated, userToken)
	if b := never("the user", "/console/users/ops-bot", tok, tok2); !strings.Contains(b, "billing sync") {
		t.Errorf("the new token is not listed")
	}
	// The new user is P000270's, whatever the form said.
	u, err := f.svc.Access.FindUser(t.Context(), "ops-bot")
	if err != nil || u.Role != operator.RoleEnterprise || u.Enterprise != entP {
		t.Errorf("the user made: %+v %v", u, err)
	}
	// A revoked token shows when.
	if st, _, _ := s.post(t, "/console/users/ops-bot/tokens/"+first0+"/revoke"); st != http.StatusSeeOther {
		t.Errorf("revoke: %d", st)
	}
	if _, b := s.get(t, "/console/users/ops-bot"); strings.Count(b, "/revoke") != 1 || !strings.Contains(b, "The token is revoked.") && !strings.Contains(b, "2025-01-01 10:00") {
		t.Errorf("after the revocation:\n%s", b)
	}
}

// TestSelfForms: refused forms keep what was typed (never a secret) and
// say what is wrong beside the field.
func TestSelfForms(t *testing.T) {
	f := newSelfConsole(t)
	s := f.as(t, entUser)
	long := strings.Repeat("a long message ", 200)
	for _, tt := range []struct {
		name   string
		path   string
		form   []string
		status int
		field  string // the id of the field's error
		kept   []string
	}{
		{"endpoint without URL", "/console/webhooks", []string{"url", "", "events", "1005"}, http.StatusBadRequest, "url-error", []string{`value="1005" checked`}},
		{"endpoint of another scheme", "/console/webhooks", []string{"url", "ftp://example.com/x", "events", "1000"}, http.StatusBadRequest, "url-error", []string{`value="ftp://example.com/x"`, `value="1000" checked`}},
		{"unknown event", "/console/webhooks", []string{"url", hookURL, "events", "9999"}, http.StatusBadRequest, "events-error", []string{`value="` + hookURL + `"`}},
		{"redeliver since no time", "/console/webhooks/redeliver", []string{"since", "soon"}, http.StatusBadRequest, "redeliver-since-error", []string{`value="soon"`}},
		{"alerts of letters", "/console/alerts", []string{"percents", "eighty", "days", "3"}, http.StatusBadRequest, "percents-error", []string{`value="eighty"`, `value="3"`}},
		{"alerts too far", "/console/alerts", []string{"percents", "80", "days", "400"}, http.StatusBadRequest, "days-error", []string{`value="80"`, `value="400"`}},
		{"SMS too long", "/console/sms", []string{"iccid", selfSIMP, "content", long}, http.StatusUnprocessableEntity, "content-error", []string{`value="` + selfSIMP + `"`, long}},
		{"SMS unknown SIM", "/console/sms", []string{"iccid", "8986000000000000000", "content", "hi"}, http.StatusNotFound, "send-iccid-error", []string{`value="8986000000000000000"`, ">hi</textarea>"}},
		{"SMS empty", "/console/sms", []string{"iccid", selfSIMP, "content", ""}, http.StatusBadRequest, "content-error", []string{`value="` + selfSIMP + `"`}},
		{"short secret", "/console/settings/secrets", []string{"secret", "short"}, http.StatusBadRequest, "secret-error", nil},
		{"user of a bad name", "/console/users", []string{"username", "no spaces", "role", "enterprise", "password", "a long password"}, http.StatusBadRequest, "username-error", []string{`value="no spaces"`}},
		{"user of a short password", "/console/users", []string{"username", "ok-name", "role", "enterprise", "password", "short"}, http.StatusBadRequest, "password-error", []string{`value="ok-name"`}},
		{"user of another role", "/console/users", []string{"username", "boss", "role", "operator"}, http.StatusBadRequest, "", []string{`value="boss"`}},
		{"short new password", "/console/users/p000270/password", []string{"password", "short"}, http.StatusBadRequest, "new-password-error", nil},
		{"token of a long name", "/console/users/p000270/tokens", []string{"name", strings.Repeat("n", 65)}, http.StatusBadRequest, "name-error", []string{strings.Repeat("n", 65)}},
		{"disable oneself", "/console/users/p000270/disable", nil, http.StatusBadRequest, "", []string{"does not disable itself"}},
	} {
		st, body, _ := s.post(t, tt.path, tt.form...)
		if st != tt.status {
			t.Errorf("%s: %d, want %d\n%s", tt.name, st, tt.status, body)
			continue
		}
		if tt.field != "" && (!strings.Contains(body, `id="`+tt.field+`"`) || !strings.Contains(body, `aria-describedby="`+tt.field) && !strings.Contains(body, " "+tt.field+`"`)) {
			t.Errorf("%s: no error beside the field (%s)\n%s", tt.name, tt.field, body)
		}
		if tt.field == "" && !strings.Contains(body, `class="error"`) {
			t.Errorf("%s: no error shown\n%s", tt.name, body)
		}
		for _, k := range tt.kept {
			if !strings.Contains(body, k) {
				t.Errorf("%s: %q not kept", tt.name, k)
			}
		}
		for _, secret := range []string{"short", "a long password"} {
			if strings.Contains(body, `value="`+secret+`"`) {
				t.Errorf("%s: a password or secret is shown again", tt.name)
			}
		}
	}
	// Nothing refused was changed.
	if _, err := f.svc.Access.FindUser(t.Context(), "ok-name"); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("a refused user exists: %v", err)
	}
}

// TestSelfCubeV4: an enterprise registers, lists and revokes its Cube v4
// public keys on the settings page, and chooses v4 webhooks, whose
// Notification Key is shown once; support sees the keys, without forms.
func TestSelfCubeV4(t *testing.T) {
	f := newSelfConsole(t)
	s := f.as(t, entUser)
	priv, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))

	st, body, _ := s.post(t, "/console/settings/keys", "public_key", "not a key")
	if st != http.StatusBadRequest || !strings.Contains(body, `id="public_key-error"`) || !strings.Contains(body, "not a key") {
		t.Errorf("a bad key: %d\n%s", st, body)
	}
	st, body, _ = s.post(t, "/console/settings/keys", "public_key", "")
	if st != http.StatusBadRequest || !strings.Contains(body, "Paste the public key.") {
		t.Errorf("no key: %d\n%s", st, body)
	}
	st, body, _ = s.post(t, "/console/settings/keys", "public_key", pemKey)
	keys, err := f.svc.Keys.FindKeys(t.Context(), entP)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys after adding one: %v %v", keys, err)
	}
	id := keys[0].ID
	if st != http.StatusCreated || !strings.Contains(body, "Key "+id+" is registered") {
		t.Errorf("add a key: %d\n%s", st, body)
	}
	_, page := s.get(t, "/console/settings")
	if !strings.Contains(page, id) || !strings.Contains(page, "1024") || !strings.Contains(page, "/console/settings/keys/"+id+"/revoke") {
		t.Errorf("settings do not list the key with its revoke form:\n%s", page)
	}
	// Support reads the list, changes nothing.
	sup := f.as(t, supportUser)
	if st, page := sup.get(t, "/console/settings?enterprise="+entP); st != http.StatusOK || !strings.Contains(page, id) || strings.Contains(page, "/revoke") || strings.Contains(page, `name="public_key"`) {
		t.Errorf("support's settings: %d\n%s", st, page)
	}
	if st, _, _ := sup.post(t, "/console/settings/keys/"+id+"/revoke", "enterprise", entP); st != http.StatusForbidden {
		t.Errorf("support revokes a key: %d", st)
	}
	if st, _, resp := s.post(t, "/console/settings/keys/"+id+"/revoke"); st != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "notice=keyrevoked") {
		t.Errorf("revoke: %d %s", st, resp.Header.Get("Location"))
	}
	if keys, _ := f.svc.Keys.FindKeys(t.Context(), entP); len(keys) != 0 {
		t.Errorf("keys after the revocation: %v", keys)
	}
	if st, _, _ := s.post(t, "/console/settings/keys/"+id+"/revoke"); st != http.StatusNotFound {
		t.Errorf("revoke again: %d", st)
	}

	// v4 webhooks: the Notification Key once, then only its id.
	st, body, _ = s.post(t, "/console/webhooks", "url", hookURL, "format", "v4")
	w, err := f.store.FindWebhook(t.Context(), entP)
	if err != nil || w.Format != opencube.WebhookV4 || len(w.NotificationKey) != 64 {
		t.Fatalf("the endpoint stored: %+v %v", w, err)
	}
	if st != http.StatusCreated || !strings.Contains(body, w.NotificationKey) || !strings.Contains(body, w.NotificationKeyID) {
		t.Errorf("a v4 endpoint's answer does not show its Notification Key: %d\n%s", st, body)
	}
	_, page = s.get(t, "/console/webhooks")
	if strings.Contains(page, w.NotificationKey) || !strings.Contains(page, w.NotificationKeyID) || !strings.Contains(page, `value="v4" checked`) {
		t.Errorf("the webhooks page after: the key shown again, or the format not shown:\n%s", page)
	}
	// A new URL keeps the format and the key, which is not shown again.
	st, body, _ = s.post(t, "/console/webhooks", "url", hookURL+"/v4", "format", "v4")
	if st != http.StatusSeeOther || strings.Contains(body, w.NotificationKey) {
		t.Errorf("changing the URL: %d", st)
	}
	if w2, _ := f.store.FindWebhook(t.Context(), entP); w2.Format != opencube.WebhookV4 || w2.NotificationKey != w.NotificationKey {
		t.Errorf("the endpoint after a new URL: format %q, key kept %v", w2.Format, w2.NotificationKey == w.NotificationKey)
	}
	if st, body, _ := s.post(t, "/console/webhooks", "url", hookURL, "format", "v5"); st != http.StatusBadRequest || !strings.Contains(body, `id="format-error"`) {
		t.Errorf("a bad format: %d\n%s", st, body)
	}
	// A new Notification Key, shown once; the old one is gone.
	if !strings.Contains(page, `action="/console/webhooks/notification-key"`) {
		t.Errorf("no form for a new Notification Key on a v4 endpoint's page")
	}
	st, body, _ = s.post(t, "/console/webhooks/notification-key")
	w3, err := f.store.FindWebhook(t.Context(), entP)
	if err != nil || w3.NotificationKey == w.NotificationKey || len(w3.NotificationKey) != 64 {
		t.Fatalf("the key after a refresh: %v", err)
	}
	if st != http.StatusOK || !strings.Contains(body, w3.NotificationKey) || !strings.Contains(body, "shown this once") {
		t.Errorf("a new Notification Key's answer: %d\n%s", st, body)
	}
	if _, page := s.get(t, "/console/webhooks"); strings.Contains(page, w3.NotificationKey) {
		t.Errorf("the new key is shown again")
	}
}
