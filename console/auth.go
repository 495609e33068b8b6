package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/internal/forwarded"
	"github.com/opencube/opencube/service"
)

// Cookies of the console.
const (
	sessionCookie = "opencube_session"
	// loginCookie carries the sign-in form's token before there is a
	// session (double submit).
	loginCookie = "opencube_login"
	langCookie  = "opencube_lang"
)

// Sign-in throttle: after maxFailures failed sign-ins of one username, or
// from one address, within failureWindow, sign-ins are refused until the
// window has passed.
const (
	maxFailures   = 5
	failureWindow = 15 * time.Minute
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// secure reports whether r's cookies are Secure.
func (s *Server) secure(r *http.Request) bool { return s.Secure || forwarded.Secure(r) }

func (s *Server) setCookie(rq *request, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: Prefix, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(rq.r)}
	if maxAge < 0 {
		c.MaxAge = -1
	} else if maxAge > 0 {
		c.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(rq.w, c)
}

// loadSession finds the request's session; false when it has none.
func (s *Server) loadSession(rq *request) (bool, error) {
	c, err := rq.r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return false, nil
	}
	a, cs, err := s.Access.Session(rq.r.Context(), c.Value)
	if opencube.ErrorKind(err) == opencube.KindUnauthenticated {
		s.setCookie(rq, sessionCookie, "", -1)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	rq.actor, rq.session, rq.secret = a, cs, c.Value
	return true, nil
}

// validCSRF reports whether a change carries its session's form token, and
// comes from a page of this site.
func (s *Server) validCSRF(rq *request) bool {
	if site := rq.r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	got := rq.r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(rq.session.CSRF)) == 1
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// loginView is the data of the sign-in page.
type loginView struct {
	Username string
	Next     string
	Error    string
}

// showLogin shows the sign-in form with a fresh form token.
func (s *Server) showLogin(rq *request, status int, lv loginView) error {
	token := randomString()
	s.setCookie(rq, loginCookie, token, time.Hour)
	return s.renderStatus(rq, status, "login", view{Title: rq.lang.T("login.title"), CSRF: token, Data: lv})
}

func (s *Server) login(rq *request) error {
	if ok, err := s.loadSession(rq); err == nil && ok {
		http.Redirect(rq.w, rq.r, Prefix, http.StatusSeeOther)
		return nil
	}
	return s.showLogin(rq, http.StatusOK, loginView{Next: safeNext(rq.r.URL.Query().Get("next"))})
}

// safeNext keeps a redirect target within the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return ""
	}
	return next
}

func (s *Server) loginPost(rq *request) error {
	r := rq.r
	username, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	lv := loginView{Username: username, Next: safeNext(r.PostFormValue("next"))}
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		s.signedIn("refused")
		lv.Error = rq.lang.T("error.csrf")
		return s.showLogin(rq, http.StatusForbidden, lv)
	}
	addr := s.clientAddr(r)
	at, wait := s.throttle.reserve(username, addr)
	if wait > 0 {
		s.signedIn("throttled")
		lv.Error = rq.lang.T("login.throttled", int(wait.Minutes())+1)
		return s.showLogin(rq, http.StatusTooManyRequests, lv)
	}
	a, err := s.Access.SignIn(r.Context(), username, password)
	if opencube.ErrorKind(err) == opencube.KindUnauthenticated {
		s.signedIn("refused")
		s.logger().InfoContext(r.Context(), "console sign-in refused", "username", username, "addr", addr)
		lv.Error = rq.lang.T("login.wrong")
		return s.showLogin(rq, http.StatusUnauthorized, lv)
	}
	if err != nil {
		return err
	}
	s.throttle.succeeded(username, addr, at)
	s.signedIn("ok")
	secret, _, err := s.Access.StartSession(r.Context(), a)
	if err != nil {
		return err
	}
	s.setCookie(rq, sessionCookie, secret, service.SessionMax)
	s.setCookie(rq, loginCookie, "", -1)
	target := lv.Next
	if target == "" {
		target = Prefix
	}
	http.Redirect(rq.w, r, target, http.StatusSeeOther)
	return nil
}

// signedIn reports a sign-in's result to OnSignIn.
func (s *Server) signedIn(result string) {
	if s.OnSignIn != nil {
		s.OnSignIn(result)
	}
}

func (s *Server) logout(rq *request) error {
	if err := s.Access.EndSession(rq.r.Context(), rq.secret); err != nil {
		return err
	}
	s.setCookie(rq, sessionCookie, "", -1)
	http.Redirect(rq.w, rq.r, Prefix+"login", http.StatusSeeOther)
	return nil
}

// clientAddr is the address a request came from: behind a proxy the
// server trusts (TrustProxy), the last address X-Forwarded-For names, the
// one the proxy saw; otherwise the connection's.
func (s *Server) clientAddr(r *http.Request) string {
	if s.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			hops := strings.Split(xff[len(xff)-1], ",")
			if last := strings.TrimSpace(hops[len(hops)-1]); last != "" {
				return last
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// throttle counts failed sign-ins by username and by address, on this
// node.
type throttle struct {
	now      func() time.Time
	mu       sync.Mutex
	failures map[string][]time.Time
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, failures: map[string][]time.Time{}}
}

// recent returns key's failures within the window, forgetting older ones.
func (t *throttle) recent(key string, now time.Time) []time.Time {
	f := t.failures[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= failureWindow {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(t.failures, key)
		return nil
	}
	t.failures[key] = f
	return f
}

// reserve counts a sign-in attempt of username from addr as a failure
// before its password is checked, so that attempts sent at once cannot
// all pass, and returns how long sign-ins wait instead (nothing counted)
// when too many failed already. A success takes its attempt back
// (succeeded).
func (t *throttle) reserve(username, addr string) (time.Time, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, key := range []string{"u:" + username, "a:" + addr} {
		if f := t.recent(key, now); len(f) >= maxFailures {
			wait = max(wait, f[len(f)-maxFailures].Add(failureWindow).Sub(now))
		}
	}
	if wait > 0 {
		return now, wait
	}
	for _, key := range []string{"u:" + username, "a:" + addr} {
		t.failures[key] = append(t.recent(key, now), now)
	}
	return now, 0
}

// succeeded takes back the attempt reserved at at, and forgets the
// username's failures: it signed in.
func (t *throttle) succeeded(username, addr string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, "u:"+username)
	key := "a:" + addr
	f := t.failures[key]
	for i := len(f) - 1; i >= 0; i-- {
		if f[i].Equal(at) {
			t.failures[key] = append(f[:i:i], f[i+1:]...)
			break
		}
	}
}
