package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/console"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// The demo data: P000270's SIMs are simP(0..9), QY-000001's simQ(0..9).
func simP(i int) string { return fmt.Sprintf("89852022018041800%03d", 192+i) }
func simQ(i int) string { return fmt.Sprintf("89852022018041800%03d", 300+i) }

const (
	planP = "DP20190726001274" // granted to P000270
	planQ = "DP20201218003915" // granted to QY-000001
)

// user is a browser signed in as one of the roles.
type user struct {
	role string
	c    *http.Client
	csrf string
}

// opsFixture is a sandbox console with the three roles signed in: the
// demo operator admin, a support user helpdesk, and P000270's p000270.
type opsFixture struct {
	*consoleFixture
	users map[string]*user
}

var roles = []string{"operator", "support", "enterprise"}

func newOps(t *testing.T) *opsFixture {
	t.Helper()
	f := newConsole(t, func(c *console.Server) { c.Sandbox = true })
	if _, _, err := f.svc.Access.CreateUser(t.Context(), &operator.User{Username: "helpdesk", Role: operator.RoleSupport}, service.DemoSecret); err != nil {
		t.Fatal(err)
	}
	o := &opsFixture{consoleFixture: f, users: map[string]*user{}}
	for role, name := range map[string]string{"operator": "admin", "support": "helpdesk", "enterprise": "p000270"} {
		c := f.browser(t)
		status, csrf := f.signIn(t, c, name, service.DemoSecret)
		if status != http.StatusSeeOther {
			t.Fatalf("sign-in of %s: %d", name, status)
		}
		o.users[role] = &user{role: role, c: c, csrf: csrf}
	}
	return o
}

// get fetches a page as role.
func (o *opsFixture) get(t *testing.T, role, path string) (int, string) {
	t.Helper()
	status, body, _ := get(t, o.users[role].c, o.srv.URL+path)
	return status, body
}

// post submits a form as role, with its form token.
func (o *opsFixture) post(t *testing.T, role, path string, form url.Values) (int, string, string) {
	t.Helper()
	u := o.users[role]
	v := url.Values{"csrf": {u.csrf}}
	for k, vs := range form {
		v[k] = vs
	}
	status, body, resp := post(t, u.c, o.srv.URL+path, v)
	return status, body, resp.Header.Get("Location")
}

// order orders plan for iccid as the operator and returns the order id.
func (o *opsFixture) order(t *testing.T, iccid, plan string, open bool) string {
	t.Helper()
	form := url.Values{"plan": {plan}, "periods": {"1"}}
	if open {
		form.Set("open", "1")
	}
	status, body, loc := o.post(t, "operator", "/console/sims/"+iccid+"/order", form)
	id, ok := strings.CutPrefix(loc, "/console/orders/")
	if status != http.StatusSeeOther || !ok {
		t.Fatalf("order %s for %s: %d to %q\n%s", plan, iccid, status, loc, body)
	}
	id, _, _ = strings.Cut(id, "?")
	return id
}

// changeForms counts a page's forms that change something: every POST
// form but the sign-out.
func changeForms(body string) int {
	return strings.Count(body, `method="post"`) - strings.Count(body, `action="/console/logout"`)
}

func TestConsolePagesByRole(t *testing.T) {
	o := newOps(t)
	inUse := o.order(t, simP(0), planP, true)
	qOrder := o.order(t, simQ(0), planQ, false)
	type want struct {
		status int
		has    string
	}
	for _, tt := range []struct {
		path string
		// by role: operator, support, enterprise
		want [3]want
		// writable: the operator (and the enterprise user, when it may
		// see the page) find change buttons here.
		opButtons, entButtons bool
	}{
		{"/console/", [3]want{{200, "SIMs by state"}, {200, "Webhook deliveries waiting"}, {200, "Webhook deliveries pending"}}, false, false},
		{"/console/enterprises", [3]want{{200, "QY-000001"}, {200, "QY-000001"}, {403, "Your role may not do this"}}, false, false},
		{"/console/enterprises?q=demo+ota", [3]want{{200, "QY-000001"}, {200, "QY-000001"}, {403, ""}}, false, false},
		{"/console/enterprises/P000270", [3]want{{200, "Plans granted"}, {200, "API secrets"}, {200, "p000270"}}, true, false},
		{"/console/enterprises/QY-000001", [3]want{{200, planQ}, {200, planQ}, {404, ""}}, true, false},
		{"/console/sims", [3]want{{200, simQ(9)}, {200, simQ(9)}, {200, simP(9)}}, false, false},
		{"/console/sims?q=" + simP(3)[:19], [3]want{{200, simP(3)}, {200, simP(3)}, {200, simP(3)}}, false, false},
		{"/console/sims/" + simP(0), [3]want{{200, "Volume left"}, {200, "Volume left"}, {200, "Volume left"}}, true, true},
		{"/console/sims/" + simQ(0), [3]want{{200, "Order a plan"}, {200, "Recent orders"}, {404, ""}}, true, false},
		{"/console/orders", [3]want{{200, qOrder}, {200, qOrder}, {200, inUse}}, false, false},
		{"/console/orders/" + inUse, [3]want{{200, "Ordered (1000)"}, {200, "Enabled (1005)"}, {200, "Enabled (1005)"}}, true, true},
		{"/console/orders/" + qOrder, [3]want{{200, "Cancel the order"}, {200, "Not enabled"}, {404, ""}}, true, false},
		{"/console/plans", [3]want{{200, planQ}, {200, planQ}, {200, planP}}, false, false},
		{"/console/plans/" + planP, [3]want{{200, "Granted to"}, {200, "P000270"}, {200, "Monthly"}}, true, false},
		{"/console/plans/" + planQ, [3]want{{200, "QY-000001"}, {200, "QY-000001"}, {404, ""}}, true, false},
		{"/console/plans/new", [3]want{{200, "Create the plan"}, {403, "Your role may not do this"}, {403, "Your role may not do this"}}, true, false},
		{"/console/clock", [3]want{{200, "2025-01-01 10:00"}, {200, "2025-01-01 10:00"}, {200, "2025-01-01 10:00"}}, true, false},
	} {
		for i, role := range roles {
			status, body := o.get(t, role, tt.path)
			w := tt.want[i]
			if status != w.status || !strings.Contains(body, w.has) {
				t.Errorf("%s as %s: %d, want %d with %q\n%s", tt.path, role, status, w.status, w.has, body)
				continue
			}
			if status != 200 {
				continue
			}
			n := changeForms(body)
			switch {
			case role == "support" && n != 0:
				t.Errorf("%s as support: %d change forms", tt.path, n)
			case role == "operator" && tt.opButtons && n == 0:
				t.Errorf("%s as operator: no change form", tt.path)
			case role == "enterprise" && tt.entButtons && n == 0:
				t.Errorf("%s as enterprise: no change form", tt.path)
			case role == "enterprise" && !tt.entButtons && n != 0:
				t.Errorf("%s as enterprise: %d change forms", tt.path, n)
			}
		}
	}
	// The enterprise user sees only its own: no other enterprise's SIM,
	// no Enterprises item in the navigation.
	_, body := o.get(t, "enterprise", "/console/sims")
	if strings.Contains(body, simQ(0)) || strings.Contains(body, `href="/console/enterprises"`) {
		t.Errorf("the enterprise user's SIM list shows another enterprise's SIM or the enterprises")
	}
	_, body = o.get(t, "operator", "/console/sims")
	if !strings.Contains(body, `href="/console/enterprises"`) || !strings.Contains(body, `href="/console/clock"`) {
		t.Errorf("the operator's navigation lacks enterprises or the clock")
	}
	// Outside sandbox mode there is no clock.
	plain := newConsole(t, nil)
	c := plain.browser(t)
	plain.signIn(t, c, "admin", service.DemoSecret)
	if status, body, _ := get(t, c, plain.srv.URL+"/console/clock"); status != http.StatusNotFound || strings.Contains(body, `href="/console/clock"`) {
		t.Errorf("clock outside sandbox mode: %d", status)
	}
}

// overviewFigure finds the figure of a label on the overview.
func overviewFigure(body, label string) string {
	m := regexp.MustCompile(regexp.QuoteMeta(label) + `[^<]*(?:</a>)?<b>([^<]*)</b>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestConsoleOverview(t *testing.T) {
	o := newOps(t)
	o.order(t, simP(0), planP, true)
	o.order(t, simQ(0), planQ, false)
	for _, tt := range []struct {
		role                  string
		active, orders, inUse string
	}{
		{"operator", "20", "2", "1"},
		{"support", "20", "2", "1"},
		{"enterprise", "10", "1", "1"},
	} {
		_, body := o.get(t, tt.role, "/console/")
		if got := overviewFigure(body, "Active"); got != tt.active {
			t.Errorf("%s: active SIMs %q, want %s", tt.role, got, tt.active)
		}
		if got := overviewFigure(body, "Orders today"); got != tt.orders {
			t.Errorf("%s: orders today %q, want %s", tt.role, got, tt.orders)
		}
		if got := overviewFigure(body, "Orders in use"); got != tt.inUse {
			t.Errorf("%s: orders in use %q, want %s", tt.role, got, tt.inUse)
		}
		if got := overviewFigure(body, "Online now"); got != "0" {
			t.Errorf("%s: online %q", tt.role, got)
		}
	}
	_, body := o.get(t, "enterprise", "/console/")
	if got := overviewFigure(body, "Webhook endpoint"); got != "None set" {
		t.Errorf("enterprise endpoint %q", got)
	}
	_, body = o.get(t, "operator", "/console/")
	if got := overviewFigure(body, "Jobs due"); got != "0" {
		t.Errorf("jobs due %q", got)
	}
}

// action is one change the console makes, and the status each role gets.
type action struct {
	name string
	path string
	form url.Values
	// want is the status of operator, support and enterprise.
	want [3]int
}

func TestConsoleActionsByRole(t *testing.T) {
	const ok, forbidden, missing = http.StatusSeeOther, http.StatusForbidden, http.StatusNotFound
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			o := newOps(t)
			notEnabled := o.order(t, simP(1), planP, false)
			inUse := o.order(t, simP(2), planP, true)
			toCancel := o.order(t, simP(3), planP, false)
			qOrder := o.order(t, simQ(1), planQ, false)
			actions := []action{
				{"order a plan", "/console/sims/" + simP(4) + "/order", url.Values{"plan": {planP}, "periods": {"2"}, "open": {"1"}}, [3]int{ok, forbidden, ok}},
				{"order for another's SIM", "/console/sims/" + simQ(2) + "/order", url.Values{"plan": {planQ}, "periods": {"1"}}, [3]int{ok, forbidden, missing}},
				{"enable", "/console/orders/" + notEnabled + "/enable", nil, [3]int{ok, forbidden, ok}},
				{"renew", "/console/orders/" + notEnabled + "/renew", url.Values{"periods": {"2"}}, [3]int{ok, forbidden, ok}},
				{"suspend", "/console/orders/" + inUse + "/suspend", nil, [3]int{ok, forbidden, ok}},
				{"resume", "/console/orders/" + inUse + "/resume", nil, [3]int{ok, forbidden, ok}},
				{"end early", "/console/orders/" + inUse + "/end", nil, [3]int{ok, forbidden, ok}},
				{"cancel", "/console/orders/" + toCancel + "/cancel", nil, [3]int{ok, forbidden, ok}},
				{"cancel another's order", "/console/orders/" + qOrder + "/cancel", nil, [3]int{ok, forbidden, missing}},
				{"suspend a SIM", "/console/sims/" + simP(5) + "/suspend", nil, [3]int{ok, forbidden, ok}},
				{"activate a SIM", "/console/sims/" + simP(5) + "/activate", nil, [3]int{ok, forbidden, ok}},
				{"suspend another's SIM", "/console/sims/" + simQ(5) + "/suspend", nil, [3]int{ok, forbidden, missing}},
				{"disable an enterprise", "/console/enterprises/QY-000001/disable", nil, [3]int{ok, forbidden, forbidden}},
				{"enable an enterprise", "/console/enterprises/QY-000001/enable", nil, [3]int{ok, forbidden, forbidden}},
				{"create a plan", "/console/plans", url.Values{"code": {"NEW1"}, "name": {"New"}, "package_type": {"2"}, "volume_mb": {"100"}, "price": {"9.90"}, "currency": {"CNY"}, "throttle_kbps": {"0"}, "countries": {"CN, HK"}}, [3]int{ok, forbidden, forbidden}},
				{"edit a plan", "/console/plans/" + planP, url.Values{"name": {"Renamed"}, "volume_mb": {"30"}, "price": {"12.50"}, "currency": {"CNY"}, "throttle_kbps": {"0"}, "countries": {"CN"}}, [3]int{ok, forbidden, forbidden}},
				{"retire a plan", "/console/plans/" + planP + "/status", url.Values{"status": {"retired"}}, [3]int{ok, forbidden, forbidden}},
				{"take orders again", "/console/plans/" + planP + "/status", url.Values{"status": {"active"}}, [3]int{ok, forbidden, forbidden}},
				{"grant a plan", "/console/plans/" + planQ + "/grants", url.Values{"enterprise": {"P000270"}}, [3]int{ok, forbidden, forbidden}},
				{"revoke a grant", "/console/plans/" + planQ + "/grants/P000270/revoke", nil, [3]int{ok, forbidden, forbidden}},
				{"advance the clock", "/console/clock", url.Values{"amount": {"5"}, "unit": {"minutes"}}, [3]int{ok, forbidden, forbidden}},
			}
			i := map[string]int{"operator": 0, "support": 1, "enterprise": 2}[role]
			for _, a := range actions {
				status, body, _ := o.post(t, role, a.path, a.form)
				if status != a.want[i] || (status == forbidden && !strings.Contains(body, "Your role may not do this")) {
					t.Errorf("%s as %s: %d, want %d\n%s", a.name, role, status, a.want[i], body)
				}
			}
			// What the changes did, when they were allowed.
			if role == "support" {
				if _, body := o.get(t, "operator", "/console/orders/"+toCancel); !strings.Contains(body, "Not enabled") {
					t.Errorf("support's cancel changed the order")
				}
				return
			}
			for id, state := range map[string]string{notEnabled: "In use", inUse: "Ended", toCancel: "Cancelled"} {
				if _, body := o.get(t, "operator", "/console/orders/"+id); !strings.Contains(body, `<dd class="order-status">`+state) {
					t.Errorf("order %s is not %s", id, state)
				}
			}
			if _, body := o.get(t, "operator", "/console/orders/"+notEnabled); !strings.Contains(body, "Renewed (1009)") {
				t.Errorf("no renewal event")
			}
			if _, body := o.get(t, "operator", "/console/sims/"+simP(5)); !strings.Contains(body, `<dd class="sim-status">Active`) {
				t.Errorf("SIM %s is not active again", simP(5))
			}
			if role == "operator" {
				if _, body := o.get(t, "operator", "/console/plans/NEW1"); !strings.Contains(body, "100.00 MB") || !strings.Contains(body, "9.90 CNY") || !strings.Contains(body, "CN, HK") {
					t.Errorf("the new plan:\n%s", body)
				}
				if _, body := o.get(t, "operator", "/console/plans/"+planP); !strings.Contains(body, "Renamed") || !strings.Contains(body, "12.50 CNY") || !strings.Contains(body, `<dd class="plan-status">Active`) {
					t.Errorf("the edited plan:\n%s", body)
				}
				if _, body := o.get(t, "operator", "/console/clock"); !strings.Contains(body, "2025-01-01 10:05") {
					t.Errorf("the clock did not move")
				}
			}
		})
	}
}

func TestConsoleCSRF(t *testing.T) {
	o := newOps(t)
	id := o.order(t, simP(1), planP, false)
	u := o.users["operator"]
	for _, path := range []string{
		"/console/sims/" + simP(2) + "/order", "/console/sims/" + simP(2) + "/suspend", "/console/sims/" + simP(2) + "/activate",
		"/console/orders/" + id + "/enable", "/console/orders/" + id + "/renew", "/console/orders/" + id + "/cancel",
		"/console/orders/" + id + "/end", "/console/orders/" + id + "/suspend", "/console/orders/" + id + "/resume",
		"/console/enterprises/P000270/disable", "/console/enterprises/P000270/enable",
		"/console/plans", "/console/plans/" + planP, "/console/plans/" + planP + "/status",
		"/console/plans/" + planQ + "/grants", "/console/plans/" + planP + "/grants/P000270/revoke", "/console/clock",
	} {
		for _, token := range []string{"", "forged"} {
			v := url.Values{"plan": {planP}, "periods": {"1"}, "status": {"retired"}, "enterprise": {"P000270"}, "amount": {"1"}, "unit": {"days"}}
			if token != "" {
				v.Set("csrf", token)
			}
			if status, _, _ := post(t, u.c, o.srv.URL+path, v); status != http.StatusForbidden {
				t.Errorf("POST %s with form token %q: %d", path, token, status)
			}
		}
	}
	// Nothing changed.
	if _, body := o.get(t, "operator", "/console/orders/"+id); !strings.Contains(body, `<dd class="order-status">Not enabled`) {
		t.Errorf("a refused form changed the order")
	}
	if _, body := o.get(t, "operator", "/console/plans/"+planP); !strings.Contains(body, `<dd class="plan-status">Active`) {
		t.Errorf("a refused form retired the plan")
	}
}

func TestConsoleFormErrors(t *testing.T) {
	o := newOps(t)
	id := o.order(t, simP(1), planP, false)
	for _, tt := range []struct {
		name, path string
		form       url.Values
		field      string // the field with an error
		kept       string // what was typed, shown again
	}{
		{"no plan", "/console/sims/" + simP(2) + "/order", url.Values{"plan": {""}, "periods": {"3"}}, "plan", `value="3"`},
		{"no periods", "/console/sims/" + simP(2) + "/order", url.Values{"plan": {planP}, "periods": {"0"}}, "periods", `value="` + planP + `" selected`},
		{"too many periods", "/console/sims/" + simP(2) + "/order", url.Values{"plan": {planP}, "periods": {"100000"}}, "periods", `value="100000"`},
		{"renew by nothing", "/console/orders/" + id + "/renew", url.Values{"periods": {"x"}}, "periods", `value="x"`},
		{"a bad price", "/console/plans", url.Values{"code": {"NEW2"}, "name": {"Typed name"}, "package_type": {"2"}, "volume_mb": {"10"}, "price": {"12.345"}, "currency": {"CNY"}}, "price", `value="Typed name"`},
		{"no name", "/console/plans", url.Values{"code": {"NEW3"}, "name": {""}, "package_type": {"2"}, "volume_mb": {"10"}, "price": {"1"}, "currency": {"CNY"}}, "name", `value="NEW3"`},
		{"a bad volume", "/console/plans/" + planP, url.Values{"name": {"Kept"}, "volume_mb": {"lots"}, "price": {"1.00"}, "currency": {"CNY"}, "throttle_kbps": {"0"}, "countries": {"CN"}}, "volume_mb", `value="lots"`},
		{"an unknown enterprise", "/console/plans/" + planP + "/grants", url.Values{"enterprise": {"NOPE"}}, "enterprise", `value="NOPE"`},
		{"a clock of nothing", "/console/clock", url.Values{"amount": {"-2"}, "unit": {"days"}}, "amount", `value="-2"`},
	} {
		status, body, _ := o.post(t, "operator", tt.path, tt.form)
		if status != http.StatusBadRequest || !strings.Contains(body, `id="`+tt.field+`-error"`) || !strings.Contains(body, `aria-describedby="`+tt.field+`-error"`) || !strings.Contains(body, tt.kept) {
			t.Errorf("%s: %d, want 400 with an error beside %s and %s kept\n%s", tt.name, status, tt.field, tt.kept, body)
		}
	}
	// A filter that is wrong says so beside its field.
	status, body := o.get(t, "operator", "/console/orders?from=yesterday")
	if status != http.StatusOK || !strings.Contains(body, `id="from-error"`) || !strings.Contains(body, `value="yesterday"`) {
		t.Errorf("orders from yesterday: %d\n%s", status, body)
	}
}

func TestConsoleSIMUsage(t *testing.T) {
	o := newOps(t)
	o.order(t, simP(0), planP, true)
	imsi := "45400" + simP(0)[len(simP(0))-10:]
	now := o.clock.Now()
	const used = 3*opencube.MB + opencube.MB/2 // 3.50 MB
	_, err := o.svc.SIMs.BookUsage(t.Context(), []*opencube.UsageRecord{
		{Type: opencube.AcctStart, IMSI: imsi, NAS: "10.0.0.1", SessionID: "s1", Time: now.Add(-10 * time.Minute)},
		{Type: opencube.AcctInterim, IMSI: imsi, NAS: "10.0.0.1", SessionID: "s1", InputBytes: used / 2, OutputBytes: used - used/2, Network: "46000", Time: now.Add(-time.Minute)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range roles {
		status, body := o.get(t, role, "/console/sims/"+simP(0))
		if status != http.StatusOK {
			t.Fatalf("%s: %d", role, status)
		}
		bars := regexp.MustCompile(`<rect class="bar"[^>]*data-bytes="(\d+)"`).FindAllStringSubmatch(body, -1)
		if len(bars) != operator.UsageDays {
			t.Errorf("%s: %d bars, want %d", role, len(bars), operator.UsageDays)
		}
		if len(bars) > 0 && bars[len(bars)-1][1] != fmt.Sprint(used) {
			t.Errorf("%s: today's bar %s bytes, want %d", role, bars[len(bars)-1][1], used)
		}
		if !regexp.MustCompile(`<td data-label="[^"]*">2025-01-01</td><td data-label="MB" class="num">3.50</td>`).MatchString(body) {
			t.Errorf("%s: no figure for today in the table", role)
		}
		if !strings.Contains(body, `<td data-label="Session" class="mono">s1</td>`) {
			t.Errorf("%s: the open session is missing", role)
		}
		if !strings.Contains(body, "16.50 MB / 20.00 MB") {
			t.Errorf("%s: the volume left is not 16.50 MB of 20.00 MB", role)
		}
	}
	// The online count follows.
	_, body := o.get(t, "operator", "/console/")
	if got := overviewFigure(body, "Online now"); got != "1" {
		t.Errorf("online now %q, want 1", got)
	}
}

func TestConsolePaging(t *testing.T) {
	o := newOps(t)
	var sims []*opencube.SIM
	for i := range 70 {
		iccid := fmt.Sprintf("8985202201804190%04d", i)
		sims = append(sims, &opencube.SIM{ICCID: iccid, IMSI: "45401" + iccid[len(iccid)-10:], EnterpriseCode: "P000270", Status: opencube.SIMActive})
	}
	if err := o.svc.Admin.ImportSIMs(t.Context(), sims); err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`href="/console/sims/(\d+)"`)
	next := regexp.MustCompile(`<p class="pager"><a href="([^"]+)">`)
	for _, tt := range []struct {
		role, start string
		want        int
	}{
		{"operator", "/console/sims?state=active", 90},
		{"enterprise", "/console/sims", 80},
		{"operator", "/console/sims?q=898520220180419", 70},
	} {
		seen, pages, path := map[string]bool{}, 0, tt.start
		for path != "" && pages < 10 {
			status, body := o.get(t, tt.role, path)
			if status != http.StatusOK {
				t.Fatalf("%s: %d", path, status)
			}
			pages++
			for _, m := range row.FindAllStringSubmatch(body, -1) {
				if seen[m[1]] {
					t.Errorf("%s: %s twice", tt.start, m[1])
				}
				seen[m[1]] = true
			}
			path = ""
			if m := next.FindStringSubmatch(body); m != nil {
				path = strings.ReplaceAll(m[1], "&amp;", "&")
			}
		}
		if len(seen) != tt.want || pages != 2 {
			t.Errorf("%s as %s: %d SIMs on %d pages, want %d on 2", tt.start, tt.role, len(seen), pages, tt.want)
		}
	}
	// An empty search says what to do.
	if _, body := o.get(t, "operator", "/console/sims?q=1234"); !strings.Contains(body, "No SIMs match. Import SIMs with opencube admin sims import") {
		t.Errorf("empty search:\n%s", body)
	}
}

func TestConsoleOpsLanguage(t *testing.T) {
	o := newOps(t)
	o.order(t, simP(0), planP, true)
	c := o.users["enterprise"].c
	get(t, c, o.srv.URL+"/console/lang?to=zh-CN")
	_, body, _ := get(t, c, o.srv.URL+"/console/sims/"+simP(0))
	for _, s := range []string{`<html lang="zh-CN">`, "使用中的订单", "剩余流量", "已激活", "近 31 天每日用量", "订购套餐", "立即启用"} {
		if !strings.Contains(body, s) {
			t.Errorf("the Chinese SIM page lacks %q", s)
		}
	}
	_, body, _ = get(t, c, o.srv.URL+"/console/orders")
	for _, s := range []string{"订单", "使用中", "下单起始日期"} {
		if !strings.Contains(body, s) {
			t.Errorf("the Chinese order list lacks %q", s)
		}
	}
}

func TestConsoleAuditActor(t *testing.T) {
	o := newOps(t)
	if status, _, _ := o.post(t, "enterprise", "/console/sims/"+simP(6)+"/suspend", nil); status != http.StatusSeeOther {
		t.Fatalf("suspend: %d", status)
	}
	l, err := o.svc.Access.ListAudit(t.Context(), operator.AuditQuery{Object: "sim:" + simP(6)})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 1 || l.Items[0].Actor != "p000270" || l.Items[0].ActorKind != operator.ActorSession || !strings.Contains(l.Items[0].Route, "/sims/{iccid}/{move}") {
		t.Fatalf("audit of the console change: %+v", l.Items)
	}
	// The operator sees it in the console's audit trail.
	if _, body := o.get(t, "operator", "/console/audit?object=sim:"+simP(6)); !strings.Contains(body, "<td>p000270</td>") {
		t.Errorf("audit page:\n%s", body)
	}
}
