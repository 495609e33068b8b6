package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/console"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sms"
)

// newSelfConsole is the console fixture with the operator API's lists and
// changes served (enterprise details, SMS sends and lists, secret drops),
// SMS sent through the sandbox gateway, and a support user, "helpdesk".
func newSelfConsole(t *testing.T) *consoleFixture {
	t.Helper()
	var adm *admin.Server
	f := newConsole(t, func(c *console.Server) { adm = c.Admin })
	store := f.svc.Lists.Store.(service.Store)
	clock := opencube.ClockFunc(f.clock.Now)
	adm.Lists = f.svc.Lists
	adm.Changes = &service.Changes{Store: store, Clock: clock, Orders: f.svc.Orders, SIMs: f.svc.SIMs,
		SMS: service.NewSMS(store, clock, sms.NewSandbox(clock))}
	if _, _, err := f.svc.Access.CreateUser(t.Context(), &operator.User{Username: "helpdesk", Role: operator.RoleSupport}, service.DemoSecret); err != nil {
		t.Fatal(err)
	}
	return f
}

// session is a signed-in browser and its form token.
type session struct {
	c    *http.Client
	csrf string
}

func (f *consoleFixture) as(t *testing.T, username string) session {
	t.Helper()
	c := f.browser(t)
	status, csrf := f.signIn(t, c, username, service.DemoSecret)
	if status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", username, status)
	}
	return session{c: c, csrf: csrf}
}

func (s session) get(t *testing.T, f *consoleFixture, path string) (int, string) {
	t.Helper()
	status, body, _ := get(t, s.c, f.srv.URL+path)
	return status, body
}

// post sends a form with the session's token (pairs of name, value).
func (s session) post(t *testing.T, f *consoleFixture, path string, pairs ...string) (int, string, *http.Response) {
	t.Helper()
	v := url.Values{"csrf": {s.csrf}}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return post(t, s.c, f.srv.URL+path, v)
}

var _ = regexp.MustCompile
var _ = strings.Contains
