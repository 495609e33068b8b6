package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// listSetup is a server with the demo data and: SIM P0 with an order in
// use and an open session, P1 with an order not enabled, usage on two days,
// two messages of P0.
type listSetup struct {
	*e2eServer
	inUse, waiting string // order ids
}

func startListServer(t *testing.T) *listSetup {
	t.Helper()
	s := &listSetup{e2eServer: startNotifyServer(t, e2eDatabase(t), &e2eClock{now: clockStart})}
	s.inUse = s.mustOrder(t, s.p, planMonthly.order(simP(0), true))
	s.waiting = s.mustOrder(t, s.p, planDaily.order(simP(1), false))
	ctx := t.Context()
	// What the packet core and the SMS gateway would have written.
	err := s.m.Store.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
		if err := tx.PutSession(ctx, &opencube.DataSession{NAS: "10.0.0.1", ID: "sess-1", ICCID: simP(0), IMSI: imsiOf(simP(0)),
			EnterpriseCode: entP, StartedAt: clockStart.Add(-time.Hour), LastAt: clockStart.Add(-time.Minute)}); err != nil {
			return err
		}
		if err := tx.AddDailyUsage(ctx, entP, simP(0), 20240130, 1000); err != nil {
			return err
		}
		if err := tx.AddDailyUsage(ctx, entP, simP(2), 20240130, 500); err != nil {
			return err
		}
		return tx.AddDailyUsage(ctx, entP, simP(0), 20231215, 7)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.m.Store.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		for i, dir := range []opencube.SMSDirection{opencube.SMSMT, opencube.SMSMO} {
			at := clockStart.Add(time.Duration(i-10) * time.Minute).UTC()
			if err := tx.InsertSMS(ctx, &opencube.SMS{ID: fmt.Sprintf("SMS_%d", i), EnterpriseCode: entP, ICCID: simP(0), MSISDN: "85241800192",
				Direction: dir, Content: "hi", Encoding: "gsm7", Segments: 1, State: opencube.SMSDelivered, CreatedAt: at, UpdatedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// allPages reads every page of a list through the client, limit a page.
func allPages[T any](t *testing.T, limit int, page func(operator.Page) (*operator.List[T], error), key func(T) string) []string {
	t.Helper()
	var keys []string
	p := operator.Page{Limit: limit}
	for range 100 {
		l, err := page(p)
		if err != nil {
			t.Fatalf("page %+v: %v", p, err)
		}
		if len(l.Items) > limit || (l.Next != nil && len(l.Items) != limit) {
			t.Fatalf("page of %d items (limit %d), next %v", len(l.Items), limit, l.Next)
		}
		for _, it := range l.Items {
			k := key(it)
			if slices.Contains(keys, k) {
				t.Errorf("%s listed twice", k)
			}
			keys = append(keys, k)
		}
		if l.Next == nil {
			return keys
		}
		p.Cursor = *l.Next
	}
	t.Fatal("no last page")
	return nil
}

// TestOperatorLists: every list of the operator API through the client,
// each filter, every page walked with cursors, and the detail pages.
func TestOperatorLists(t *testing.T) {
	s := startListServer(t)
	ctx := t.Context()
	ad := s.admin()
	sims := func(l []string) []string { return l }
	simsP := func(ns ...int) []string {
		var out []string
		for _, n := range ns {
			out = append(out, simP(n))
		}
		return out
	}
	simsQ := func(ns ...int) []string {
		var out []string
		for _, n := range ns {
			out = append(out, simQ(n))
		}
		return out
	}
	all := func(n int, of func(int) string) []string {
		var out []string
		for i := range n {
			out = append(out, of(i))
		}
		return out
	}

	t.Run("enterprises", func(t *testing.T) {
		for _, tt := range []struct {
			q    operator.EnterpriseQuery
			want []string
		}{
			{operator.EnterpriseQuery{}, []string{entP, entQ}},
			{operator.EnterpriseQuery{Q: "qy"}, []string{entQ}},
			{operator.EnterpriseQuery{Q: "ota ENTERPRISE"}, []string{entQ}},
			{operator.EnterpriseQuery{Status: opencube.EnterpriseActive}, []string{entP, entQ}},
			{operator.EnterpriseQuery{Status: opencube.EnterpriseDisabled}, nil},
		} {
			got := allPages(t, 1, func(p operator.Page) (*operator.List[*admin.Enterprise], error) {
				q := tt.q
				q.Page = p
				return ad.ListEnterprises(ctx, q)
			}, func(e *admin.Enterprise) string { return e.AccessCode })
			if !slices.Equal(got, tt.want) {
				t.Errorf("ListEnterprises(%+v) = %v, want %v", tt.q, got, tt.want)
			}
		}
		l, err := ad.ListEnterprises(ctx, operator.EnterpriseQuery{Page: operator.Page{Count: true}})
		if err != nil || l.Total == nil || *l.Total != 2 || l.Items[0].Secrets != 1 || l.Items[0].Status != opencube.EnterpriseActive {
			t.Errorf("ListEnterprises(count) = %+v, %v", l, err)
		}
		// The enterprise's page: secrets by id and age, webhook, alerts,
		// counts.
		if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: "http://127.0.0.1:1/hook"}); err != nil {
			t.Fatal(err)
		}
		e, err := ad.Enterprise(ctx, entP)
		if err != nil {
			t.Fatal(err)
		}
		if e.Secrets != 1 || len(e.SecretIDs) != 1 || e.SecretIDs[0].ID != operator.SecretID(demoSecret) || e.SecretIDs[0].AgeSeconds < 0 {
			t.Errorf("enterprise secrets %d %+v", e.Secrets, e.SecretIDs)
		}
		if e.Webhook == nil || e.Webhook.URL != "http://127.0.0.1:1/hook" || e.Webhook.Secret != "" {
			t.Errorf("enterprise webhook %+v", e.Webhook)
		}
		if e.Alerts == nil || e.Counts == nil || *e.Counts != (operator.Counts{SIMs: 10, OrdersInUse: 1, Users: 1}) { // Users: the demo's p000270
			t.Errorf("enterprise alerts %+v counts %+v", e.Alerts, e.Counts)
		}
		if q, err := ad.Enterprise(ctx, entQ); err != nil || q.Webhook != nil || q.Counts.SIMs != 10 {
			t.Errorf("enterprise Q = %+v, %v", q, err)
		}
	})

	t.Run("SIMs", func(t *testing.T) {
		yes, no := true, false
		for _, tt := range []struct {
			name string
			q    operator.SIMQuery
			want []string
		}{
			{"all", operator.SIMQuery{}, slices.Concat(all(10, simP), all(10, simQ))},
			{"enterprise", operator.SIMQuery{Enterprise: entQ}, all(10, simQ)},
			{"status", operator.SIMQuery{Status: opencube.SIMSuspended}, nil},
			{"online", operator.SIMQuery{Online: &yes}, simsP(0)},
			{"in use", operator.SIMQuery{InUse: &yes}, simsP(0)},
			{"not in use", operator.SIMQuery{InUse: &no, Enterprise: entP}, simsP(1, 2, 3, 4, 5, 6, 7, 8, 9)},
			{"ICCID prefix", operator.SIMQuery{Q: "8985202201804180019"}, simsP(0, 1, 2, 3, 4, 5, 6, 7)},
			{"IMSI prefix", operator.SIMQuery{Q: "4540080418003"}, all(10, simQ)},
			{"IMSI prefix of an enterprise", operator.SIMQuery{Q: imsiOf(simQ(4)), Enterprise: entQ}, simsQ(4)},
			{"MSISDN prefix", operator.SIMQuery{Q: "852418002"}, simsP(8, 9)},
			{"no match", operator.SIMQuery{Q: "1"}, nil},
		} {
			got := allPages(t, 3, func(p operator.Page) (*operator.List[*opencube.SIM], error) {
				q := tt.q
				q.Page = p
				return ad.ListSIMs(ctx, q)
			}, func(s *opencube.SIM) string { return s.ICCID })
			if !slices.Equal(got, sims(tt.want)) {
				t.Errorf("ListSIMs %s = %v, want %v", tt.name, got, tt.want)
			}
		}
		l, err := ad.ListSIMs(ctx, operator.SIMQuery{Page: operator.Page{Count: true, Limit: 5}})
		if err != nil || l.Total == nil || *l.Total != 20 || len(l.Items) != 5 || l.Next == nil {
			t.Errorf("ListSIMs(count) = %+v, %v", l, err)
		}

		d, err := ad.SIM(ctx, simP(0))
		if err != nil {
			t.Fatal(err)
		}
		if d.SIM.ICCID != simP(0) || d.Order == nil || d.Order.ID != s.inUse || len(d.RecentOrders) != 1 ||
			len(d.Sessions) != 1 || d.Sessions[0].ID != "sess-1" || d.LastSMS == nil || d.LastSMS.ID != "SMS_1" {
			t.Errorf("SIM(P0) = %+v", d)
		}
		// The last 31 days: 2024-01-01 to 2024-01-31; not December.
		if !slices.Equal(d.Usage, []operator.UsagePoint{{Period: 20240130, Bytes: 1000}}) {
			t.Errorf("SIM(P0) usage %v", d.Usage)
		}
		if d, err := ad.SIM(ctx, simP(5)); err != nil || d.Order != nil || len(d.RecentOrders) != 0 || len(d.Sessions) != 0 || d.LastSMS != nil {
			t.Errorf("SIM(P5) = %+v, %v", d, err)
		}
		_, err = ad.SIM(ctx, "89852022018041899999")
		if opencube.ErrorKind(err) != opencube.KindDeviceNotFound {
			t.Errorf("SIM(unknown): %v", err)
		}
	})

	t.Run("orders", func(t *testing.T) {
		third := s.mustOrder(t, s.q, planOTA.order(simQ(0), false))
		order := func(o *opencube.Order) string { return o.ID }
		for _, tt := range []struct {
			name string
			q    operator.OrderQuery
			want []string
		}{
			{"all", operator.OrderQuery{}, []string{third, s.waiting, s.inUse}},
			{"enterprise", operator.OrderQuery{Enterprise: entP}, []string{s.waiting, s.inUse}},
			{"SIM", operator.OrderQuery{ICCID: simP(1)}, []string{s.waiting}},
			{"status", operator.OrderQuery{Status: opencube.OrderInUse}, []string{s.inUse}},
			{"plan", operator.OrderQuery{Plan: planOTA.code}, []string{third}},
			{"from", operator.OrderQuery{From: clockStart.Add(-time.Minute)}, []string{third, s.waiting, s.inUse}},
			{"to", operator.OrderQuery{To: clockStart.Add(-time.Minute)}, nil},
		} {
			got := allPages(t, 1, func(p operator.Page) (*operator.List[*opencube.Order], error) {
				q := tt.q
				q.Page = p
				return ad.ListOrders(ctx, q)
			}, order)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ListOrders %s = %v, want %v", tt.name, got, tt.want)
			}
		}
		d, err := ad.Order(ctx, s.inUse)
		if err != nil {
			t.Fatal(err)
		}
		if d.Order.ID != s.inUse || d.Order.Status != opencube.OrderInUse || len(d.Events) == 0 {
			t.Errorf("Order = %+v", d)
		}
		for _, e := range d.Events {
			if e.OrderID != s.inUse {
				t.Errorf("event %+v of another order", e)
			}
		}
		if _, err := ad.Order(ctx, "ORDER_00000000000000001"); opencube.ErrorKind(err) != opencube.KindOrderNotFound {
			t.Errorf("Order(unknown): %v", err)
		}
	})

	t.Run("plans", func(t *testing.T) {
		code := func(p *opencube.Plan) string { return p.Code }
		got := allPages(t, 2, func(p operator.Page) (*operator.List[*opencube.Plan], error) {
			return ad.ListPlans(ctx, operator.PlanQuery{Page: p})
		}, code)
		if want := []string{planDaily.code, planUnlimited.code, planMonthly.code, planOTA.code,
			"ESIM-CORE-CN-1G", "ESIM-CORE-EU-10G", "ESIM-CORE-JP-3G", "ESIM-CORE-US-5G"}; !slices.Equal(got, want) {
			t.Errorf("ListPlans = %v, want %v", got, want)
		}
		got = allPages(t, 2, func(p operator.Page) (*operator.List[*opencube.Plan], error) {
			return ad.ListPlans(ctx, operator.PlanQuery{Enterprise: entQ, Page: p})
		}, code)
		if !slices.Equal(got, []string{planOTA.code}) {
			t.Errorf("ListPlans(Q) = %v", got)
		}
		d, err := ad.Plan(ctx, planMonthly.code)
		if err != nil || d.Plan.Code != planMonthly.code || !slices.Equal(d.Enterprises, []string{entP}) {
			t.Errorf("Plan = %+v, %v", d, err)
		}
		if _, err := ad.Plan(ctx, "NOPE"); opencube.ErrorKind(err) != opencube.KindPlanNotOrderable {
			t.Errorf("Plan(unknown): %v", err)
		}
	})

	t.Run("usage", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			q    operator.UsageQuery
			want []operator.UsagePoint
		}{
			{"SIM, last 31 days", operator.UsageQuery{ICCID: simP(0)}, []operator.UsagePoint{{Period: 20240130, Bytes: 1000}}},
			{"SIM by month", operator.UsageQuery{ICCID: simP(0), Granularity: operator.ByMonth, From: 20231201, To: 20240131},
				[]operator.UsagePoint{{Period: 202312, Bytes: 7}, {Period: 202401, Bytes: 1000}}},
			{"enterprise", operator.UsageQuery{Enterprise: entP, From: 20240101, To: 20240131}, []operator.UsagePoint{{Period: 20240130, Bytes: 1500}}},
			{"other enterprise", operator.UsageQuery{Enterprise: entQ}, []operator.UsagePoint{}},
		} {
			got, err := ad.Usage(ctx, tt.q)
			if err != nil {
				t.Fatalf("Usage %s: %v", tt.name, err)
			}
			if !slices.Equal(got.Points, tt.want) {
				t.Errorf("Usage %s = %v, want %v", tt.name, got.Points, tt.want)
			}
		}
		if u, _ := ad.Usage(ctx, operator.UsageQuery{ICCID: simP(0)}); u.From != 20240101 || u.To != 20240131 || u.Granularity != operator.ByDay {
			t.Errorf("Usage range %d-%d %s", u.From, u.To, u.Granularity)
		}
	})

	t.Run("sessions SMS jobs", func(t *testing.T) {
		l, err := ad.ListSessions(ctx, operator.SessionQuery{Enterprise: entP})
		if err != nil || len(l.Items) != 1 || l.Items[0].ICCID != simP(0) {
			t.Errorf("ListSessions = %+v, %v", l, err)
		}
		if l, err := ad.ListSessions(ctx, operator.SessionQuery{Enterprise: entQ}); err != nil || len(l.Items) != 0 || l.Next != nil {
			t.Errorf("ListSessions(Q) = %+v, %v", l, err)
		}
		key := func(m *opencube.SMS) string { return m.ID }
		got := allPages(t, 1, func(p operator.Page) (*operator.List[*opencube.SMS], error) {
			return ad.ListSMS(ctx, operator.SMSQuery{ICCID: simP(0), Page: p})
		}, key)
		if !slices.Equal(got, []string{"SMS_1", "SMS_0"}) {
			t.Errorf("ListSMS = %v", got)
		}
		got = allPages(t, 1, func(p operator.Page) (*operator.List[*opencube.SMS], error) {
			return ad.ListSMS(ctx, operator.SMSQuery{Direction: opencube.SMSMT, Page: p})
		}, key)
		if !slices.Equal(got, []string{"SMS_0"}) {
			t.Errorf("ListSMS(mt) = %v", got)
		}
		jobs, err := ad.ListJobs(ctx, operator.JobQuery{Kind: opencube.JobExpireOrder})
		if err != nil || len(jobs.Items) != 1 || jobs.Items[0].Key != s.inUse || jobs.Items[0].State != operator.JobWaiting {
			t.Errorf("ListJobs(order.expire) = %+v, %v", jobs, err)
		}
		if jobs, err := ad.ListJobs(ctx, operator.JobQuery{State: operator.JobRunning}); err != nil || len(jobs.Items) != 0 {
			t.Errorf("ListJobs(running) = %+v, %v", jobs, err)
		}
	})
}

// TestOperatorListsBadInput: unknown parameters, bad values, limits out of
// range and bad cursors answer 400 naming the parameter.
func TestOperatorListsBadInput(t *testing.T) {
	s := startNotifyServer(t, e2eDatabase(t), &e2eClock{now: clockStart})
	for _, tt := range []struct {
		path, field string
	}{
		{"/admin/v1/sims?colour=red", "colour"},
		{"/admin/v1/sims?limit=0", "limit"},
		{"/admin/v1/sims?limit=501", "limit"},
		{"/admin/v1/sims?limit=ten", "limit"},
		{"/admin/v1/sims?cursor=nonsense", "cursor"},
		{"/admin/v1/sims?cursor=" + *operator.Cursor("9", "x", "y"), "cursor"},
		{"/admin/v1/sims?status=lost", "status"},
		{"/admin/v1/sims?online=maybe", "online"},
		{"/admin/v1/sims?in_use=2", "in_use"},
		{"/admin/v1/sims?q=8985x", "q"},
		{"/admin/v1/sims?count=yes", "count"},
		{"/admin/v1/sims?enterprise=a&enterprise=b", "enterprise"},
		{"/admin/v1/sims/" + simP(0) + "?full=1", "full"},
		{"/admin/v1/enterprises?status=gone", "status"},
		{"/admin/v1/enterprises?code=P", "code"},
		{"/admin/v1/orders?status=9", "status"},
		{"/admin/v1/orders?status=x", "status"},
		{"/admin/v1/orders?from=yesterday", "from"},
		{"/admin/v1/orders?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", "to"},
		{"/admin/v1/orders?cursor=" + *operator.Cursor("noon", "ORDER_1"), "cursor"},
		{"/admin/v1/plans?status=old", "status"},
		{"/admin/v1/usage", "iccid"},
		{"/admin/v1/usage?iccid=" + simP(0) + "&granularity=week", "granularity"},
		{"/admin/v1/usage?iccid=" + simP(0) + "&from=20240231", "from"},
		{"/admin/v1/usage?iccid=" + simP(0) + "&from=20240201&to=20240101", "to"},
		{"/admin/v1/sessions?state=open", "state"},
		{"/admin/v1/sms?direction=up", "direction"},
		{"/admin/v1/sms?state=lost", "state"},
		{"/admin/v1/jobs?state=stuck", "state"},
	} {
		req, _ := http.NewRequest(http.MethodGet, s.m.URL()+tt.path, nil)
		req.Header.Set("Authorization", "Bearer t")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body admin.ErrorResponse
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusBadRequest || body.Error.Field != tt.field {
			t.Errorf("GET %s: HTTP %d, %+v (%v); want 400 naming %s", tt.path, resp.StatusCode, body.Error, err, tt.field)
		}
	}
}

// TestAdminListCLI: the list and show commands print tables for people,
// JSON with --json, say so when nothing matches, and page with --limit
// and --cursor.
func TestAdminListCLI(t *testing.T) {
	s := startListServer(t)
	run := func(args ...string) string {
		t.Helper()
		out, _, err := adminRun(t, s.m, "", args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out
	}
	contains := func(what, out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", what, w, out)
			}
		}
	}
	contains("enterprise list", run("enterprise", "list"), "ACCESS CODE", entP+"  ", entQ, "Demo OTA Enterprise", "active")
	contains("enterprise list --q", run("enterprise", "list", "--q", "nobody"), "no enterprises match")
	contains("enterprise list --count", run("enterprise", "list", "--count"), "2 in all")

	first := run("sim", "list", "--access-code", entP, "--limit", "4")
	contains("sim list", first, "ICCID", simP(0), simP(3), "next page: --cursor ")
	if strings.Contains(first, simP(4)) {
		t.Errorf("sim list --limit 4 printed a fifth SIM:\n%s", first)
	}
	cursor := first[strings.LastIndex(first, "--cursor ")+len("--cursor ") : len(first)-1]
	second := run("sim", "list", "--access-code", entP, "--limit", "4", "--cursor", cursor)
	contains("sim list --cursor", second, simP(4), simP(7))
	if strings.Contains(second, simP(3)+" ") {
		t.Errorf("the second page repeats the first:\n%s", second)
	}
	contains("sim list --in-use", run("sim", "list", "--in-use"), simP(0))
	contains("sim list --online --q", run("sim", "list", "--online", "--q", "852418002"), "no SIMs match")
	contains("sim list --online=false --q", run("sim", "list", "--online=false", "--q", "852418001"), simP(1), simP(7))
	var page operator.List[*opencube.SIM]
	if err := json.Unmarshal([]byte(run("--json", "sim", "list", "--q", imsiOf(simP(2)))), &page); err != nil || len(page.Items) != 1 || page.Items[0].ICCID != simP(2) {
		t.Errorf("sim list --json = %+v, %v", page, err)
	}
	contains("sim show", run("sim", "show", simP(0)), "SIM "+simP(0), "order in use: "+s.inUse, "open sessions: 1", "last SMS: SMS_1")
	contains("session list", run("session", "list", "--access-code", entP), "LAST RECORD", simP(0))
	contains("session list of another enterprise", run("session", "list", "--access-code", entQ), "no open sessions")
	contains("order list", run("order", "list", "--access-code", entP, "--status", "2"), s.inUse)
	contains("order list --to", run("order", "list", "--to", "2020-01-01T00:00:00Z"), "no orders match")
	contains("order show", run("order", "show", s.inUse), "order "+s.inUse, "events: ")
	contains("plan list", run("plan", "list", "--access-code", entQ), planOTA.code, "199.00 CNY")
	contains("plan show", run("plan", "show", planMonthly.code), "granted to "+entP)
	contains("usage show", run("usage", "show", "--access-code", entP), "20240130", "1500")
	contains("usage show --month", run("usage", "show", "--iccid", simP(0), "--month", "--from", "20231201"), "202312", "202401")

	// The server's refusal names the parameter; a command line missing a
	// choice is a usage error.
	_, _, err := adminRun(t, s.m, "", "sim", "list", "--q", "abc")
	var failed adminFailed
	if !errors.As(err, &failed) || failed.err.Field != "q" {
		t.Errorf("sim list --q abc: %v", err)
	}
	_, _, err = adminRun(t, s.m, "", "usage", "show")
	var usage usageError
	if !errors.As(err, &usage) {
		t.Errorf("usage show without a subject: %v", err)
	}
}
