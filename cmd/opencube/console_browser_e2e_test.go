package main

// Real-browser tests of the web console: the whole server, as the other
// end-to-end tests run it, and headless Chromium (Debian's chromium,
// installed by scripts/test) driven with chromedp. The pages are checked
// as a person meets them: signed in through the login form, at desktop and
// at phone width, and with axe-core (OPENCUBE_AXE names its axe.min.js,
// which scripts/test fetches from npm). Without Chromium or axe-core the
// tests skip, or fail when CI=true. With -update they write the
// screenshots of docs/console/.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/shop"
)

// screenshotDir is where -update writes the console's screenshots, from
// this package's directory.
const screenshotDir = "../../docs/console"

// Desktop and phone viewports of the tests and screenshots.
const (
	desktopWidth, desktopHeight = 1280, 800
	phoneWidth, phoneHeight     = 375, 812
)

// needBrowserComponent skips the test for a missing component, or fails it
// when CI=true.
func needBrowserComponent(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI=true requires it", msg)
	}
	t.Skip(msg)
}

// chromiumPath returns the browser the tests drive: OPENCUBE_CHROMIUM, or
// chromium (Debian's package) on PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("OPENCUBE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	needBrowserComponent(t, "chromium not found (apt install chromium, or set OPENCUBE_CHROMIUM)")
	return ""
}

// axeSource returns the text of axe.min.js: OPENCUBE_AXE, or where
// scripts/test keeps it.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("OPENCUBE_AXE")
	if path == "" {
		if cache, err := os.UserCacheDir(); err == nil {
			path = filepath.Join(cache, "opencube", "axe-core", "node_modules", "axe-core", "axe.min.js")
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		needBrowserComponent(t, "axe-core not found (scripts/test fetches it; or set OPENCUBE_AXE to axe.min.js): %v", err)
	}
	return string(b)
}

// browser is one headless Chromium of a test.
type browser struct {
	root context.Context // a context with the browser started
	base string          // the server's URL
}

// startBrowser starts headless Chromium for the server at base; the test's
// end stops it.
func startBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.WindowSize(desktopWidth, desktopHeight),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("accept-lang", "en-US"),
		chromedp.DisableGPU,
	)
	if os.Geteuid() == 0 { // Chromium's sandbox refuses root
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelRoot(); cancelAlloc() })
	if err := chromedp.Do(root); err != nil { // starts the browser
		t.Fatalf("start %s: %v", chromiumPath(t), err)
	}
	return &browser{root: root, base: strings.TrimSuffix(base, "/")}
}

// tab is one browser tab with cookies of its own (a person at a
// browser), which gathers the page's script errors and Content Security
// Policy violations.
type tab struct {
	t    *testing.T
	b    *browser
	ctx  context.Context
	name string

	mu       sync.Mutex
	problems []string
}

// tab opens a tab in a new browser context: its own cookies, so one
// signed-in user a tab. The tab's page answers a confirm dialog with yes.
func (b *browser) tab(t *testing.T, name string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &tab{t: t, b: b, ctx: ctx, name: name}
	// The first Run makes the target, which lives as long as ctx.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: "window.confirm = function () { return true; };"})
		return err
	})); err != nil {
		t.Fatalf("%s: new tab: %v", name, err)
	}
	p.viewport(desktopWidth, desktopHeight)
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				p.mu.Lock()
				p.problems = append(p.problems, m.String())
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// do runs actions on the tab, failing the test on an error.
func (p *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
}

// eval evaluates a script in the tab's page and decodes its value into T.
func eval[T any](p *tab, script string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("%s: %s: %v", p.name, script, err)
	}
	return v
}

// open loads a console page (a path from the server's root) and returns
// its HTTP status; it fails the test on a script error or a CSP violation.
func (p *tab) open(path string) int64 {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.b.base+path))
	if err != nil {
		p.t.Fatalf("%s: open %s: %v", p.name, path, err)
	}
	p.checkProblems(path)
	return resp.Status
}

// mustOpen opens a page that must answer 200.
func (p *tab) mustOpen(path string) {
	p.t.Helper()
	if status := p.open(path); status != 200 {
		p.t.Fatalf("%s: %s answered %d:\n%s", p.name, path, status, p.text("main"))
	}
}

// submit clicks a form's submit button (a CSS selector) and waits for the
// page it leads to; it returns that page's status.
func (p *tab) submit(button string) int64 {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		p.t.Fatalf("%s: submit %s: %v", p.name, button, err)
	}
	p.checkProblems(button)
	return resp.Status
}

// checkProblems fails the test on the script errors and CSP violations
// seen since the last check. Messages arrive a little after the page
// loads: it waits briefly for stragglers.
func (p *tab) checkProblems(where string) {
	p.t.Helper()
	_ = eval[int](p, "new Promise(function (r) { requestAnimationFrame(function () { setTimeout(function () { r(1); }, 20); }); })")
	p.mu.Lock()
	got := p.problems
	p.problems = nil
	p.mu.Unlock()
	for _, m := range got {
		p.t.Errorf("%s: %s: %s", p.name, where, m)
	}
}

// text returns the text of the first element matching a CSS selector ("" if
// none).
func (p *tab) text(selector string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf("(function () { var e = document.querySelector(%q); return e ? e.innerText : ''; })()", selector))
}

// location returns the page's path and query.
func (p *tab) location() string {
	p.t.Helper()
	return eval[string](p, "location.pathname + location.search")
}

// signIn signs in through the login form, and checks that it leads to the
// overview.
func (p *tab) signIn(username, password string) {
	p.t.Helper()
	p.mustOpen("/console/login")
	p.do("type the credentials",
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), username),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), password),
	)
	if status := p.submit("form[action$='/login'] button[type=submit]"); status != 200 {
		p.t.Fatalf("%s: sign-in as %s answered %d", p.name, username, status)
	}
	if loc := p.location(); loc != "/console/" {
		p.t.Fatalf("%s: sign-in as %s led to %s: %s", p.name, username, loc, p.text("main"))
	}
}

// actionButtons lists the buttons of the page's forms that change
// something (POST forms), but for signing out.
func (p *tab) actionButtons() []string {
	p.t.Helper()
	return eval[[]string](p, `(function () {
		var out = [];
		document.querySelectorAll("form").forEach(function (f) {
			if (f.method.toLowerCase() !== "post" || /\/logout$/.test(f.getAttribute("action") || "")) return;
			f.querySelectorAll("button, input[type=submit], input[type=image]").forEach(function (b) {
				out.push((f.getAttribute("action") || location.pathname) + ": " + (b.innerText || b.value || b.name).trim());
			});
		});
		return out;
	})()`)
}

// viewport sets the tab's viewport size.
func (p *tab) viewport(width, height int64) {
	p.t.Helper()
	p.do("viewport", chromedp.EmulateViewport(width, height))
}

// noSideScroll checks that the page does not scroll sideways, and names
// the widest elements when it does.
func (p *tab) noSideScroll(path string) {
	p.t.Helper()
	type width struct {
		Scroll, Inner int
		Wide          []string
	}
	w := eval[width](p, `(function () {
		var inner = window.innerWidth, wide = [];
		document.querySelectorAll("body *").forEach(function (e) {
			var r = e.getBoundingClientRect();
			if (r.right > inner + 1 && wide.length < 5) {
				wide.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : "") + " right=" + Math.round(r.right));
			}
		});
		return {Scroll: document.documentElement.scrollWidth, Inner: inner, Wide: wide};
	})()`)
	if w.Scroll > w.Inner {
		p.t.Errorf("%s: %s scrolls sideways at %d px: scrollWidth %d; widest: %v", p.name, path, w.Inner, w.Scroll, w.Wide)
	}
}

// axeViolation is one rule axe-core finds broken.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []struct{ Target []any }
}

// axe runs axe-core on the open page and fails the test on every serious or
// critical violation.
func (p *tab) axe(source, path string) {
	p.t.Helper()
	if source == "" {
		return
	}
	if !eval[bool](p, "typeof window.axe === 'object'") {
		if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[chromedp.Void](source)); err != nil {
			p.t.Fatalf("%s: load axe-core on %s: %v", p.name, path, err)
		}
	}
	raw := eval[[]byte](p, `axe.run(document, {resultTypes: ["violations"]}).then(function (r) { return r.violations; })`)
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		p.t.Fatalf("%s: axe on %s: %v", p.name, path, err)
	}
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target...))
		}
		p.t.Errorf("%s: axe on %s: %s (%s): %s; at %s", p.name, path, v.ID, v.Impact, v.Help, strings.Join(where, ", "))
	}
}

// scrollTo scrolls the page so that the first element matching a CSS
// selector is near the top (with room for a heading above it).
func (p *tab) scrollTo(selector string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf("(function () { var e = document.querySelector(%q); if (e) window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 64); return !!e; })()", selector))
}

// screenshot writes the viewport as docs/console/NAME.png when -update is
// set.
func (p *tab) screenshot(name string) {
	p.t.Helper()
	if !updateGolden() {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// TestConsoleBrowserSignIn: the sign-in page and the pages of every
// signed-in user in a real browser: a signed-out visitor is sent to the
// login form, the demo operator signs in and out, and the pages pass axe
// and fit a phone.
func TestConsoleBrowserSignIn(t *testing.T) {
	axeJS := axeSource(t)
	s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, nil)
	b := startBrowser(t, s.m.URL())
	p := b.tab(t, "admin")

	p.mustOpen("/console/")
	if loc := p.location(); loc != "/console/login" {
		t.Fatalf("a signed-out visitor of /console/ is at %s, want the login page", loc)
	}
	p.axe(axeJS, "login")
	p.screenshot("login")

	// A wrong password: the form says so and keeps the username.
	p.do("type a wrong password",
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "admin"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "not the password"),
	)
	p.submit("form[action$='/login'] button[type=submit]")
	if got := eval[string](p, "document.querySelector('input[name=username]').value"); got != "admin" {
		t.Errorf("after a refused sign-in the username is %q", got)
	}
	if p.text("[role=alert]") == "" {
		t.Errorf("a refused sign-in says nothing: %s", p.text("main"))
	}

	p.signIn("admin", demoSecret)
	if h1 := p.text("h1"); h1 != "Overview" {
		t.Errorf("overview h1 = %q", h1)
	}
	p.axe(axeJS, "overview")
	p.mustOpen("/console/audit")
	p.axe(axeJS, "audit")

	// Sign out: the session ends, and the pages send to the login form.
	p.mustOpen("/console/")
	p.submit("form[action$='/logout'] button[type=submit]")
	p.mustOpen("/console/audit")
	if loc := p.location(); !strings.HasPrefix(loc, "/console/login") {
		t.Errorf("after signing out /console/audit shows %s", loc)
	}
	p.viewport(phoneWidth, phoneHeight)
	p.noSideScroll("/console/login")
}

// Usage of the journeys' SIM, which RADIUS accounting records bring: a
// finished session on the first day, a session still open on the second.
const (
	journeyDay1      = "2024-01-31"
	journeyDay2      = "2024-02-01"
	journeyDay1Bytes = 3*opencube.MB + opencube.MB/2 + opencube.MB // 4.50 MB
	journeyDay2Bytes = 2*opencube.MB + opencube.MB/4               // 2.25 MB
	journeyDay1MB    = "4.50"
	journeyDay2MB    = "2.25"
	supportUser      = "helpdesk"
	supportPassword  = "a good password"
)

// selfServicePages are the pages where an enterprise runs its own
// affairs.
var selfServicePages = []string{"/console/webhooks", "/console/sms", "/console/billing", "/console/alerts", "/console/settings", "/console/users"}

// operatorPages are the operator's other pages, checked with axe and at
// phone width.
var operatorPages = []string{"/console/enterprises", "/console/enterprises/" + entP, "/console/plans/" + planMonthly.code,
	"/console/plans/new", "/console/clock"}

// TestConsoleBrowserJourneys: the console's journeys in a real browser,
// on one server whose SIM has usage from RADIUS accounting records:
//
//   - the demo operator finds the SIM by the start of its ICCID, sees its
//     usage chart drawn from those records with the same figures in a
//     table, orders and enables a plan from the SIM's page, and finds the
//     order in the orders list and the change in the audit trail;
//   - the enterprise user of P000270 sees only P000270's SIMs, and
//     QY-000001's SIM is not found;
//   - a support user finds no action buttons on the SIM, order and plans
//     pages;
//   - at 375 px wide no main page scrolls sideways;
//   - axe-core finds no serious or critical violation on the main pages.
//
// With -update it writes the screenshots of docs/console/.
func TestConsoleBrowserJourneys(t *testing.T) {
	axeJS := axeSource(t)
	needRadclient(t)
	clock := &e2eClock{now: clockStart}
	s := startServerWith(t, e2eDatabase(t), clock, func(m *Main) {
		m.AdminToken = "t"
		m.RADIUS = radiusConfig{AcctAddr: "127.0.0.1:0", AuthAddr: "127.0.0.1:0", Secret: radiusSecret, SessionTimeout: time.Hour}
	})
	if _, _, err := s.m.Services.Access.CreateUser(t.Context(), &operator.User{Username: supportUser, Role: operator.RoleSupport}, supportPassword); err != nil {
		t.Fatalf("create the support user: %v", err)
	}

	// The SIM's usage, as the packet core reports it: a session of the
	// first day, and one of the next day still open.
	iccid := simP(3)
	imsi := imsiOf(iccid)
	day1 := clockStart.Add(time.Minute)
	acct(t, s, "Start", imsi, "web-1", day1, 0, 0)
	acct(t, s, "Interim-Update", imsi, "web-1", day1.Add(10*time.Minute), opencube.MB, opencube.MB/2)
	acct(t, s, "Stop", imsi, "web-1", day1.Add(20*time.Minute), 3*opencube.MB, opencube.MB+opencube.MB/2)
	clock.Advance(24 * time.Hour)
	day2 := day1.Add(24 * time.Hour)
	acct(t, s, "Start", imsi, "web-2", day2, 0, 0)
	acct(t, s, "Interim-Update", imsi, "web-2", day2.Add(15*time.Minute), 2*opencube.MB, opencube.MB/4)
	clock.Advance(30 * time.Minute)

	b := startBrowser(t, s.m.URL())
	var orderID string
	t.Run("operator", func(t *testing.T) {
		p := b.tab(t, "admin")
		p.signIn("admin", demoSecret)
		p.axe(axeJS, "overview")

		// Find the SIM by the start of its ICCID.
		p.mustOpen("/console/sims")
		p.axe(axeJS, "SIMs")
		prefix := iccid[:len(iccid)-2]
		p.do("search", chromedp.SendKeys(chromedp.CSS("form[action$='/sims'] input[name=q]"), prefix))
		p.submit("form[action$='/sims'] button[type=submit]")
		if loc := p.location(); !strings.Contains(loc, "q="+prefix) {
			t.Errorf("the search led to %s", loc)
		}
		found := eval[[]string](p, `Array.from(document.querySelectorAll("main table a[href*='/sims/']")).map(function (a) { return a.textContent.trim(); })`)
		if !slices.Contains(found, iccid) {
			t.Fatalf("searching %s finds %v, not %s", prefix, found, iccid)
		}
		for _, f := range found {
			if !strings.HasPrefix(f, prefix) {
				t.Errorf("searching %s finds %s", prefix, f)
			}
		}
		p.screenshot("sims")
		p.submit(fmt.Sprintf("main table a[href$='/sims/%s']", iccid))
		if loc := p.location(); loc != "/console/sims/"+iccid {
			t.Fatalf("the SIM's link leads to %s", loc)
		}

		// The chart: a bar a day, those of the two days with data holding
		// exactly the octets the records carried, and the same figures in
		// MB in the table.
		type bar struct {
			Title string
			Bytes int64
		}
		bars := eval[[]bar](p, `Array.from(document.querySelectorAll("svg rect.bar[data-bytes]")).map(function (r) {
			var t = r.querySelector("title");
			return {Title: t ? t.textContent : "", Bytes: Number(r.getAttribute("data-bytes"))};
		})`)
		var withData []bar
		for _, b := range bars {
			if b.Bytes != 0 {
				withData = append(withData, b)
			}
		}
		want := []bar{{journeyDay1, journeyDay1Bytes}, {journeyDay2, journeyDay2Bytes}}
		if len(bars) < 28 || len(withData) != 2 ||
			!strings.HasPrefix(withData[0].Title, want[0].Title) || withData[0].Bytes != want[0].Bytes ||
			!strings.HasPrefix(withData[1].Title, want[1].Title) || withData[1].Bytes != want[1].Bytes {
			t.Errorf("the chart has %d bars, with data %+v; want a bar a day, with data %+v", len(bars), withData, want)
		}
		figures := eval[map[string]string](p, `(function () {
			var out = {};
			document.querySelectorAll("main table tr").forEach(function (tr) {
				var td = tr.querySelectorAll("td");
				if (td.length === 2) out[td[0].textContent.trim()] = td[1].textContent.trim();
			});
			return out;
		})()`)
		if figures[journeyDay1] != journeyDay1MB || figures[journeyDay2] != journeyDay2MB {
			t.Errorf("the figures table shows %s: %q and %s: %q; want %s and %s MB",
				journeyDay1, figures[journeyDay1], journeyDay2, figures[journeyDay2], journeyDay1MB, journeyDay2MB)
		}
		p.axe(axeJS, "SIM detail")
		p.screenshot("sim")

		// Order the monthly plan, enabled at once, from the SIM's page.
		p.mustOpen("/console/sims/" + iccid)
		form := "form[action$='/sims/" + iccid + "/order']"
		p.do("choose the plan",
			chromedp.SetValue(chromedp.CSS(form+" select[name=plan]"), planMonthly.code),
			chromedp.Click(chromedp.CSS(form+" input[name=open]")),
		)
		if status := p.submit(form + " button[type=submit]"); status != 200 {
			t.Fatalf("ordering answered %d: %s", status, p.text("main"))
		}
		loc := p.location()
		path, _, _ := strings.Cut(loc, "?")
		id, ok := strings.CutPrefix(path, "/console/orders/")
		if !ok || id == "" || strings.Contains(id, "/") {
			t.Fatalf("ordering led to %s: %s", loc, p.text("main"))
		}
		orderID = id
		if main := p.text("main"); !strings.Contains(main, planMonthly.code) || !strings.Contains(main, iccid) {
			t.Errorf("the order's page does not show the plan and the SIM:\n%s", main)
		}
		d, err := s.admin().Order(t.Context(), orderID)
		if err != nil {
			t.Fatalf("the order made in the browser: %v", err)
		}
		if o := d.Order; o.Status != opencube.OrderInUse || o.ICCID != iccid || o.PlanCode != planMonthly.code {
			t.Fatalf("the order made in the browser: %+v; want in use, of %s for %s", o, planMonthly.code, iccid)
		}
		p.axe(axeJS, "order detail")
		p.screenshot("order")

		// The order is in the list, and its SIM's page shows it in use.
		p.mustOpen("/console/orders")
		if ids := eval[[]string](p, `Array.from(document.querySelectorAll("main a[href*='/orders/']")).map(function (a) { return a.textContent.trim(); })`); !slices.Contains(ids, orderID) {
			t.Errorf("the orders list shows %v, not %s", ids, orderID)
		}
		p.axe(axeJS, "orders")
		p.screenshot("orders")
		p.mustOpen("/console/sims/" + iccid)
		if got := p.text("main"); !strings.Contains(got, orderID) {
			t.Errorf("the SIM's page does not show its order %s in use", orderID)
		}

		p.mustOpen("/console/plans")
		if got := p.text("main"); !strings.Contains(got, planMonthly.code) {
			t.Errorf("the plans page does not list %s", planMonthly.code)
		}
		p.axe(axeJS, "plans")
		p.screenshot("plans")

		// The change is in the audit trail, the console user its actor.
		p.mustOpen("/console/audit")
		if got := p.text("main table"); !strings.Contains(got, "admin") || !strings.Contains(got, iccid) {
			t.Errorf("the audit trail does not show admin's order for %s:\n%s", iccid, got)
		}
		p.axe(axeJS, "audit")
		p.screenshot("audit")

		// The overview counts the order.
		p.mustOpen("/console/")
		p.screenshot("overview")

		for _, path := range operatorPages {
			p.mustOpen(path)
			p.axe(axeJS, path)
		}
	})
	// needOrder fails a journey that needs the operator's order when there
	// is none.
	needOrder := func(t *testing.T) {
		t.Helper()
		if orderID == "" {
			t.Fatal("the operator's journey made no order")
		}
	}

	t.Run("enterprise", func(t *testing.T) {
		p := b.tab(t, "p000270")
		p.signIn("p000270", demoSecret)
		// The self-service pages pass axe, and fit a phone.
		for _, path := range selfServicePages {
			p.mustOpen(path)
			p.axe(axeJS, path)
		}
		p.viewport(phoneWidth, phoneHeight)
		for _, path := range selfServicePages {
			p.mustOpen(path)
			p.noSideScroll(path)
		}
		p.viewport(desktopWidth, desktopHeight)

		needOrder(t)
		p.mustOpen("/console/sims")
		found := eval[[]string](p, `Array.from(document.querySelectorAll("main table a[href*='/sims/']")).map(function (a) { return a.textContent.trim(); })`)
		var want []string
		for i := range 10 {
			want = append(want, simP(i))
		}
		slices.Sort(found)
		if !slices.Equal(found, want) {
			t.Errorf("p000270 sees the SIMs %v; want P000270's %v", found, want)
		}
		p.axe(axeJS, "SIMs (enterprise)")
		if status := p.open("/console/sims/" + simQ(0)); status != 404 {
			t.Errorf("p000270 opens QY-000001's SIM: %d, want 404", status)
		}
		if status := p.open("/console/orders/" + orderID); status != 200 {
			t.Errorf("p000270 opens its own order: %d", status)
		}
		// Its billing page shows its balance and the order's line.
		p.mustOpen("/console/billing")
		if bal := eval[string](p, `document.querySelector("#balances").textContent`); !strings.Contains(bal, "CNY") {
			t.Errorf("p000270's billing page shows the balances %q", bal)
		}
		if n := eval[int](p, `document.querySelectorAll("main table a[href$='/orders/`+orderID+`']").length`); n != 1 {
			t.Errorf("p000270's statement links its order %d times, want 1", n)
		}
		// Its own SIM shows the same chart.
		p.mustOpen("/console/sims/" + iccid)
		if n := eval[int](p, `document.querySelectorAll("svg rect.bar[data-bytes='`+fmt.Sprint(journeyDay1Bytes)+`']").length`); n != 1 {
			t.Errorf("p000270's SIM page has %d bars of %d bytes, want 1", n, journeyDay1Bytes)
		}
	})

	t.Run("support", func(t *testing.T) {
		needOrder(t)
		p := b.tab(t, supportUser)
		p.signIn(supportUser, supportPassword)
		for _, path := range []string{"/console/sims/" + iccid, "/console/orders", "/console/orders/" + orderID, "/console/plans"} {
			p.mustOpen(path)
			if buttons := p.actionButtons(); len(buttons) != 0 {
				t.Errorf("support sees action buttons on %s: %q", path, buttons)
			}
		}
	})

	t.Run("phone", func(t *testing.T) {
		needOrder(t)
		p := b.tab(t, "phone")
		p.viewport(phoneWidth, phoneHeight)
		p.signIn("admin", demoSecret)
		for _, path := range append([]string{"/console/", "/console/sims", "/console/sims/" + iccid, "/console/orders",
			"/console/orders/" + orderID, "/console/plans", "/console/audit"}, operatorPages...) {
			p.mustOpen(path)
			p.noSideScroll(path)
		}
		p.mustOpen("/console/sims/" + iccid)
		p.scrollTo("figure.chart")
		p.screenshot("phone-sim")
	})
}

// TestConsoleBrowserShops: what the shops sell, on the console. A
// consumer buys an eSIM in the eSIM QR Mall (pre-order, then Stripe's
// signed event), a partner a plan in the Mall (singleOrder, then Stripe's
// signed event), and a bundle group gets a SIM. The operator finds the
// eSIM order, follows it to the SIM the profile became and to the order it
// made; finds the Mall order with its SIM order, both payments succeeded,
// and the group with its SIM. The enterprise user of P000270 sees its own
// and not QY-000001's eSIM order. The pages pass axe and fit a phone.
func TestConsoleBrowserShops(t *testing.T) {
	axeJS := axeSource(t)
	s := startShopServer(t)
	ctx := t.Context()

	token := s.consumer(t, "browser@example.com")
	esimID := s.preOrder(t, token, 1001, "4.99", "USD")
	s.payStripe(t, esimID, 499, "usd")
	eo, prof, err := s.m.Store.FindESIMOrder(ctx, esimID)
	if err != nil || prof == nil || eo.SIMOrderID == "" {
		t.Fatalf("the paid eSIM order: %+v %+v %v", eo, prof, err)
	}
	const mallNo = "NO-CONSOLE-1"
	mallSIM := simP(4)
	s.mallOK(t, "/vshop/singleOrder", s.mallBody(t, "singleOrder", false, "deviceCode", mallSIM, "orderNo", mallNo, "orderPeriod", "1",
		"packageCode", "DP20190726001274", "payAmount", "10.00", "payCurrency", "CNY", "payId", "pi_console_1"), nil)
	paid := intentEvent("payment_intent.succeeded", "mall", mallNo, "pi_console_1", 1000, "cny")
	if r, _ := s.mallStripe(t, paid, s.stripeSign(paid)); r.Code != csss.CodeOK {
		t.Fatalf("the Mall order's payment: %s %s", r.Code, r.Message)
	}
	malls, err := s.m.Store.FindMallOrders(ctx, shop.MallOrderFilter{Enterprise: entP, OrderNo: mallNo})
	if err != nil || len(malls) != 1 || malls[0].OrderID == "" {
		t.Fatalf("the paid Mall order: %v %v", malls, err)
	}
	groupSIM := simP(5)
	s.mallOK(t, "/topup/bundleGroup/addSims", s.mallBody(t, "addGroupSims", false, "groupId", "fleet-web", "groupName", "Web fleet",
		"basePlan", "DP20190726001274", "deviceCodes", groupSIM), nil)
	s.runJobs(t)
	// An eSIM order of QY-000001, which P000270's user must not see.
	now := s.clock.Now()
	if err := s.m.Store.CreateESIMOrder(ctx, &shop.ESIMOrder{ID: "ESIM-OTHER-1", EnterpriseCode: entQ, UserID: "u", Email: "q@example.com",
		PlanID: 1, PackageCode: "X", PlanName: "Other", PeriodNum: 1, Currency: "USD", AmountMinor: 1, CreatedAt: now, ExpiresAt: now.Add(time.Hour), UpdatedAt: now}, false, nil); err != nil {
		t.Fatal(err)
	}

	b := startBrowser(t, s.m.URL())
	shopPages := []string{"/console/mall-orders", "/console/mall-orders/" + entP + "/" + mallNo, "/console/esim-orders", "/console/esim-orders/" + esimID, "/console/payments",
		"/console/bundle-groups", "/console/bundle-groups/" + entP + "/fleet-web"}
	t.Run("operator", func(t *testing.T) {
		p := b.tab(t, "admin")
		p.signIn("admin", demoSecret)
		// The navigation leads to the shops.
		p.mustOpen("/console/")
		p.submit("header nav a[href$='/mall-orders']")
		if h1 := p.text("h1"); h1 != "Mall orders" {
			t.Errorf("the Shops link leads to %q", h1)
		}
		if got := p.text("main table"); !strings.Contains(got, mallNo) || !strings.Contains(got, mallSIM) || !strings.Contains(got, "paid") {
			t.Errorf("the Mall orders page does not show %s paid for %s:\n%s", mallNo, mallSIM, got)
		}
		if n := eval[int](p, `document.querySelectorAll("main table a[href$='/orders/`+malls[0].OrderID+`']").length`); n != 1 {
			t.Errorf("the Mall order links its SIM order %d times, want 1", n)
		}
		p.submit("main table a[href$='/mall-orders/" + entP + "/" + mallNo + "']")
		if got := p.text("#mall-order"); got != malls[0].OrderID {
			t.Errorf("the Mall order's page shows the SIM order %q, want %s", got, malls[0].OrderID)
		}
		if got := p.text("#mall-sim"); got != mallSIM {
			t.Errorf("the Mall order's page shows the SIM %q, want %s", got, mallSIM)
		}
		p.axe(axeJS, "Mall order")

		p.mustOpen("/console/esim-orders")
		p.axe(axeJS, "eSIM orders")
		if got := p.text("main table"); !strings.Contains(got, esimID) || !strings.Contains(got, "ESIM-OTHER-1") {
			t.Errorf("the operator's eSIM orders page does not show both enterprises' orders:\n%s", got)
		}
		p.submit("main table a[href$='/esim-orders/" + esimID + "']")
		if got := p.text("#esim-sim"); got != prof.ICCID {
			t.Errorf("the eSIM order's SIM is %q, want %s", got, prof.ICCID)
		}
		if got := p.text("#esim-order"); got != eo.SIMOrderID {
			t.Errorf("the eSIM order's SIM order is %q, want %s", got, eo.SIMOrderID)
		}
		p.axe(axeJS, "eSIM order")
		p.screenshot("esim-order")
		p.submit("#esim-order")
		if loc := p.location(); loc != "/console/orders/"+eo.SIMOrderID {
			t.Errorf("the SIM order link leads to %s", loc)
		}
		p.mustOpen("/console/esim-orders/" + esimID)
		p.submit("#esim-sim")
		if loc := p.location(); loc != "/console/sims/"+prof.ICCID {
			t.Errorf("the SIM link leads to %s", loc)
		}
		// The SIM's page leads back to its shop orders.
		p.submit("main a[href$='/esim-orders?iccid=" + prof.ICCID + "']")
		if got := p.text("main table"); !strings.Contains(got, esimID) || strings.Contains(got, "ESIM-OTHER-1") {
			t.Errorf("the SIM's eSIM orders:\n%s", got)
		}

		p.mustOpen("/console/payments")
		p.axe(axeJS, "payments")
		rows := eval[[]string](p, `Array.from(document.querySelectorAll("main table tbody tr")).map(function (r) { return r.innerText; })`)
		var seen int
		for _, r := range rows {
			if (strings.Contains(r, esimID) || strings.Contains(r, mallNo)) && strings.Contains(r, "succeeded") && strings.Contains(r, "stripe") {
				seen++
			}
		}
		if seen != 2 {
			t.Errorf("the payments page shows %d of the two Stripe payments succeeded:\n%s", seen, strings.Join(rows, "\n"))
		}

		p.mustOpen("/console/bundle-groups")
		p.axe(axeJS, "bundle groups")
		p.submit("main table a[href$='/bundle-groups/" + entP + "/fleet-web']")
		if got := p.text("main table"); !strings.Contains(got, groupSIM) {
			t.Errorf("the group's page does not show its SIM %s:\n%s", groupSIM, got)
		}
		p.axe(axeJS, "bundle group")
		p.mustOpen("/console/mall-orders")
		p.axe(axeJS, "Mall orders")

		// In Chinese too.
		p.mustOpen("/console/lang?to=zh-CN")
		p.mustOpen("/console/payments")
		if h1 := p.text("h1"); h1 != "商城支付" {
			t.Errorf("the payments page in Chinese is titled %q", h1)
		}
		p.mustOpen("/console/lang?to=en-US")

		p.viewport(phoneWidth, phoneHeight)
		for _, path := range shopPages {
			p.mustOpen(path)
			p.noSideScroll(path)
		}
		p.viewport(desktopWidth, desktopHeight)
	})

	t.Run("enterprise", func(t *testing.T) {
		p := b.tab(t, "p000270")
		p.signIn("p000270", demoSecret)
		p.mustOpen("/console/esim-orders")
		if got := p.text("main table"); !strings.Contains(got, esimID) || strings.Contains(got, "ESIM-OTHER-1") {
			t.Errorf("p000270's eSIM orders:\n%s", got)
		}
		p.axe(axeJS, "eSIM orders (enterprise)")
		if status := p.open("/console/esim-orders/ESIM-OTHER-1"); status != 404 {
			t.Errorf("p000270 opens QY-000001's eSIM order: %d, want 404", status)
		}
		for _, path := range shopPages {
			if status := p.open(path); status != 200 {
				t.Errorf("p000270 opens %s: %d", path, status)
			}
		}
	})
}
