package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/console"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/storetest"
)

// fakeClock is a wall clock tests move.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// sandboxClock is the sandbox clock of a console test: the fake clock,
// which an advance moves (no job runs in these tests).
type sandboxClock struct{ c *fakeClock }

func (s sandboxClock) Now() time.Time        { return s.c.Now() }
func (s sandboxClock) Offset() time.Duration { return 0 }
func (s sandboxClock) Advance(_ context.Context, d time.Duration) (int, error) {
	s.c.Advance(d)
	return 0, nil
}

// consoleFixture is a console over the demo data on SQLite, with the demo
// users, behind an httptest server.
type consoleFixture struct {
	srv   *httptest.Server
	clock *fakeClock
	svc   *service.Set
}

func newConsole(t *testing.T, configure func(*console.Server)) *consoleFixture {
	t.Helper()
	clock := &fakeClock{now: time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)}
	store, svc := storetest.Demo(t, opencube.ClockFunc(clock.Now))
	svc.Access.Clock = opencube.ClockFunc(clock.Now)
	if _, err := service.LoadUsers(t.Context(), svc.Access, service.DemoSecret); err != nil {
		t.Fatal(err)
	}
	a := admin.NewServer(svc.Admin, "")
	a.Access, a.Users, a.Notify, a.SIMs = svc.Access, svc.Access, svc.Notify, svc.SIMs
	a.Lists, a.Orders, a.Keys = svc.Lists, svc.Corrections, svc.Keys
	a.Billing = svc.Billing
	a.Changes = &service.Changes{Store: store, Clock: opencube.ClockFunc(clock.Now), Orders: svc.Orders, SIMs: svc.SIMs}
	c := &console.Server{Access: svc.Access, Admin: a, Now: clock.Now}
	if configure != nil {
		configure(c)
	}
	if c.Sandbox {
		a.Sandbox = sandboxClock{clock}
	}
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)
	return &consoleFixture{srv: srv, clock: clock, svc: svc}
}

// browser is a client with cookies that does not follow redirects.
func (f *consoleFixture) browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page and returns its status, body and response.
func get(t *testing.T, c *http.Client, u string, header ...string) (int, string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	return answer(t, resp, err)
}

// answer reads a response whole.
func answer(t *testing.T, resp *http.Response, err error) (int, string, *http.Response) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string, *http.Response) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	return answer(t, resp, err)
}

// signIn signs a browser in and returns the form token of its session.
func (f *consoleFixture) signIn(t *testing.T, c *http.Client, username, password string) (int, string) {
	t.Helper()
	_, body, _ := get(t, c, f.srv.URL+"/console/login")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form token on the sign-in page:\n%s", body)
	}
	status, _, _ := post(t, c, f.srv.URL+"/console/login", url.Values{"csrf": {m[1]}, "username": {username}, "password": {password}})
	if status != http.StatusSeeOther {
		return status, ""
	}
	_, body, _ = get(t, c, f.srv.URL+"/console/")
	m = csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form token on the overview:\n%s", body)
	}
	return status, m[1]
}

func TestSignIn(t *testing.T) {
	f := newConsole(t, nil)
	c := f.browser(t)
	status, _, resp := get(t, c, f.srv.URL+"/console/sims?q=8986")
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/console/login?next=%2Fconsole%2Fsims%3Fq%3D8986" {
		t.Errorf("signed out: %d to %q", status, resp.Header.Get("Location"))
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s", h)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	status, csrf := f.signIn(t, c, "admin", service.DemoSecret)
	if status != http.StatusSeeOther || csrf == "" {
		t.Fatalf("sign-in: %d", status)
	}
	var session *http.Cookie
	for _, ck := range c.Jar.Cookies(mustURL(f.srv.URL + "/console/")) {
		if ck.Name == "opencube_session" {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	_, body, _ := get(t, c, f.srv.URL+"/console/")
	if !strings.Contains(body, "Signed in as admin (operator)") {
		t.Errorf("overview:\n%s", body)
	}
	// Sign-out needs the form token; then the session is gone.
	if status, _, _ := post(t, c, f.srv.URL+"/console/logout", url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
		t.Errorf("sign-out with a forged token: %d", status)
	}
	if status, _, _ := post(t, c, f.srv.URL+"/console/logout", url.Values{"csrf": {csrf}}); status != http.StatusSeeOther {
		t.Errorf("sign-out: %d", status)
	}
	replay := f.browser(t)
	replay.Jar.SetCookies(mustURL(f.srv.URL+"/console/"), []*http.Cookie{{Name: "opencube_session", Value: session.Value}})
	if status, _, _ := get(t, replay, f.srv.URL+"/console/"); status != http.StatusSeeOther {
		t.Errorf("the signed-out session's cookie: %d", status)
	}
}

func TestSignInCookieFlags(t *testing.T) {
	f := newConsole(t, func(s *console.Server) { s.Secure = true })
	c := f.browser(t)
	_, body, _ := get(t, c, f.srv.URL+"/console/login")
	token := csrfField.FindStringSubmatch(body)[1]
	resp, err := c.PostForm(f.srv.URL+"/console/login", url.Values{"csrf": {token}, "username": {"admin"}, "password": {service.DemoSecret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var set string
	for _, v := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "opencube_session=") {
			set = v
		}
	}
	for _, flag := range []string{"HttpOnly", "SameSite=Lax", "Secure", "Path=/console/"} {
		if !strings.Contains(set, flag) {
			t.Errorf("session cookie %q lacks %s", set, flag)
		}
	}
}

func TestSignInRefusals(t *testing.T) {
	f := newConsole(t, nil)
	c := f.browser(t)
	// No form token: refused before the password is checked.
	if status, _, _ := post(t, c, f.srv.URL+"/console/login", url.Values{"username": {"admin"}, "password": {service.DemoSecret}}); status != http.StatusForbidden {
		t.Errorf("sign-in without a form token: %d", status)
	}
	// Wrong passwords keep what was typed and say why.
	_, body, _ := get(t, c, f.srv.URL+"/console/login")
	token := csrfField.FindStringSubmatch(body)[1]
	status, body, _ := post(t, c, f.srv.URL+"/console/login", url.Values{"csrf": {token}, "username": {"admin"}, "password": {"wrong password"}})
	if status != http.StatusUnauthorized || !strings.Contains(body, "Wrong username or password") || !strings.Contains(body, `value="admin"`) {
		t.Errorf("wrong password: %d\n%s", status, body)
	}
	for i := 0; i < 4; i++ {
		f.signIn(t, c, "admin", "wrong password")
	}
	// Five failures: even the right password waits.
	status, _ = f.signIn(t, c, "admin", service.DemoSecret)
	if status != http.StatusTooManyRequests {
		t.Errorf("sixth sign-in: %d; want 429", status)
	}
	// Another user from another address is not held up... but this
	// address is: the same client fails for p000270 too.
	if status, _ := f.signIn(t, c, "p000270", service.DemoSecret); status != http.StatusTooManyRequests {
		t.Errorf("another user from the throttled address: %d; want 429", status)
	}
	f.clock.Advance(16 * time.Minute)
	if status, _ := f.signIn(t, c, "admin", service.DemoSecret); status != http.StatusSeeOther {
		t.Errorf("after the window: %d", status)
	}
	// A disabled user's session ends at its next request.
	d := f.browser(t)
	if status, _ := f.signIn(t, d, "p000270", service.DemoSecret); status != http.StatusSeeOther {
		t.Fatalf("p000270: %d", status)
	}
	disabled := true
	if _, err := f.svc.Access.SetUser(t.Context(), "p000270", &disabled, ""); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := get(t, d, f.srv.URL+"/console/"); status != http.StatusSeeOther {
		t.Errorf("a disabled user's session: %d", status)
	}
}

func TestSessionIdle(t *testing.T) {
	f := newConsole(t, nil)
	c := f.browser(t)
	if status, _ := f.signIn(t, c, "admin", service.DemoSecret); status != http.StatusSeeOther {
		t.Fatal(status)
	}
	f.clock.Advance(service.SessionIdle - time.Minute)
	if status, _, _ := get(t, c, f.srv.URL+"/console/"); status != http.StatusOK {
		t.Errorf("within the idle time: %d", status)
	}
	f.clock.Advance(service.SessionIdle - time.Minute)
	if status, _, _ := get(t, c, f.srv.URL+"/console/"); status != http.StatusOK {
		t.Errorf("a used session: %d", status)
	}
	f.clock.Advance(service.SessionIdle + time.Minute)
	if status, _, _ := get(t, c, f.srv.URL+"/console/"); status != http.StatusSeeOther {
		t.Errorf("an idle session: %d", status)
	}
}

func TestLanguage(t *testing.T) {
	f := newConsole(t, nil)
	c := f.browser(t)
	_, body, _ := get(t, c, f.srv.URL+"/console/login", "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
	if !strings.Contains(body, `<html lang="zh-CN">`) || !strings.Contains(body, "登录") {
		t.Errorf("zh-CN browser:\n%s", body)
	}
	_, body, _ = get(t, c, f.srv.URL+"/console/login", "Accept-Language", "fr-FR, en;q=0.5")
	if !strings.Contains(body, `<html lang="en-US">`) {
		t.Errorf("fr/en browser: not English")
	}
	// A switch sticks, whatever the browser asks.
	status, _, resp := get(t, c, f.srv.URL+"/console/lang?to=zh-CN&back=/console/login")
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/console/login" {
		t.Errorf("switch: %d to %q", status, resp.Header.Get("Location"))
	}
	_, body, _ = get(t, c, f.srv.URL+"/console/login", "Accept-Language", "en-US")
	if !strings.Contains(body, `<html lang="zh-CN">`) {
		t.Errorf("after the switch: not Chinese")
	}
	// The switch never sends anyone off the console.
	_, _, resp = get(t, c, f.srv.URL+"/console/lang?to=en-US&back=https://evil.example/")
	if resp.Header.Get("Location") != "/console/" {
		t.Errorf("switch back to elsewhere: %q", resp.Header.Get("Location"))
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestSignInThrottleAtOnce: wrong passwords sent at once are counted
// before they are checked, so no more than the throttle allows reach the
// password check, however many come together.
func TestSignInThrottleAtOnce(t *testing.T) {
	f := newConsole(t, nil)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		codes = map[int]int{}
	)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"username": {"admin"}, "password": {"a wrong guess"}, "csrf": {"same-token"}}
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/console/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "opencube_login", Value: "same-token"})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[http.StatusUnauthorized] != 5 || codes[http.StatusTooManyRequests] != 15 {
		t.Errorf("answers %v: want 5 checked (401) and 15 throttled (429)", codes)
	}
}

// TestSignInThrottleBehindProxy: behind a trusted proxy, the throttle
// counts the address the proxy saw, so one visitor's failures do not
// stop the others'.
func TestSignInThrottleBehindProxy(t *testing.T) {
	f := newConsole(t, func(s *console.Server) { s.TrustProxy = true })
	c := f.browser(t)
	try := func(from, password string) int {
		form := url.Values{"username": {"p000270"}, "password": {password}, "csrf": {"t"}}
		if password == service.DemoSecret {
			form.Set("username", "admin")
		}
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/console/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", from)
		req.AddCookie(&http.Cookie{Name: "opencube_login", Value: "t"})
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := 0; i < 5; i++ {
		try("198.51.100.7", "wrong password")
	}
	if st := try("198.51.100.7", "wrong password"); st != http.StatusTooManyRequests {
		t.Errorf("the guesser's sixth: %d", st)
	}
	// Another visitor (and another user) through the same proxy signs in.
	if st := try("203.0.113.9", service.DemoSecret); st != http.StatusSeeOther {
		t.Errorf("another visitor: %d", st)
	}
}

// TestPasswordChangeEndsSessions: whoever signed in with the old password
// is signed out when it changes.
func TestPasswordChangeEndsSessions(t *testing.T) {
	f := newConsole(t, nil)
	c := f.browser(t)
	if status, _ := f.signIn(t, c, "p000270", service.DemoSecret); status != http.StatusSeeOther {
		t.Fatal(status)
	}
	if _, err := f.svc.Access.SetUser(t.Context(), "p000270", nil, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := get(t, c, f.srv.URL+"/console/"); status != http.StatusSeeOther {
		t.Errorf("the old session after a password change: %d", status)
	}
	if status, _ := f.signIn(t, f.browser(t), "p000270", "a brand new password"); status != http.StatusSeeOther {
		t.Errorf("signing in with the new password: %d", status)
	}
}
