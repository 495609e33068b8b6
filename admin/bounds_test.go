package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/sqlite"
	"github.com/opencube/opencube/storetest"
)

// fakeSandbox is a sandbox clock that counts its advances.
type fakeSandbox struct{ advanced int }

func (c *fakeSandbox) Now() time.Time        { return t0 }
func (c *fakeSandbox) Offset() time.Duration { return 0 }
func (c *fakeSandbox) Advance(context.Context, time.Duration) (int, error) {
	c.advanced++
	return 0, nil
}

// fakeSMS records the MO messages injected.
type fakeSMS struct{ mo int }

func (f *fakeSMS) ReceiveMO(_ context.Context, r opencube.MORequest) (*opencube.SMS, error) {
	f.mo++
	return &opencube.SMS{ID: "SMS1", Content: r.Content, Type: r.Type}, nil
}

func (f *fakeSMS) SetSandboxGateway(_ context.Context, g admin.SandboxGateway) (*admin.SandboxGateway, error) {
	return &g, nil
}

// boundsFixture is the admin API with every optional service, over the
// store of newFixture's seed plus an order of seedPlan for the SIM.
type boundsFixture struct {
	*fixture
	store   *sqlite.DB
	order   string
	sandbox *fakeSandbox
	sms     *fakeSMS
}

func newBoundsFixture(t *testing.T) *boundsFixture {
	t.Helper()
	ctx := t.Context()
	store, svc := storetest.Services(t, opencube.ClockFunc(func() time.Time { return t0 }))
	if err := svc.Admin.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: seedCode, Secrets: []string{"acme-secret-1"}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Admin.ImportSIMs(ctx, []*opencube.SIM{{ICCID: seedICCID, IMSI: seedIMSI, EnterpriseCode: seedCode}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Admin.CreatePlan(ctx, &opencube.Plan{Code: seedPlan, Name: "Plan A", Type: opencube.PlanMonthly, VolumeBytes: opencube.MB, Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Admin.GrantPlan(ctx, seedCode, seedPlan); err != nil {
		t.Fatal(err)
	}
	o, err := svc.Orders.OrderPlan(opencube.NewContext(ctx, seedCode), opencube.OrderRequest{ICCID: seedICCID, PlanCode: seedPlan,
		PlanName: "Plan A", PlanType: opencube.PlanMonthly, OrderPeriod: 3, PayRst: "1", TestFlow: "0", TestFlowFlag: "0"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Notify.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: seedCode, URL: "https://example.com/hook"}); err != nil {
		t.Fatal(err)
	}
	f := &boundsFixture{store: store, order: o.ID, sandbox: &fakeSandbox{}, sms: &fakeSMS{}}
	srv := admin.NewServer(svc.Admin, token)
	srv.SIMs, srv.Orders, srv.Notify, srv.ESIM = svc.SIMs, svc.Corrections, svc.Notify, svc.ESIM
	srv.Sandbox, srv.SMS = f.sandbox, f.sms
	on := httptest.NewServer(srv.Handler())
	t.Cleanup(on.Close)
	f.fixture = &fixture{store: store, url: on.URL}
	return f
}

// snapshot is everything the bounded admin routes write.
func (f *boundsFixture) snapshot(t *testing.T) string {
	t.Helper()
	ctx := t.Context()
	plans, _, err := f.store.FindPlans(ctx, opencube.PlanFilter{})
	if err != nil {
		t.Fatal(err)
	}
	esimPlans, err := f.store.FindESIMPlans(ctx, shop.ESIMPlanFilter{Enterprise: seedCode})
	if err != nil {
		t.Fatal(err)
	}
	orders, _, err := f.store.FindOrders(ctx, opencube.OrderFilter{Enterprise: seedCode})
	if err != nil {
		t.Fatal(err)
	}
	events, err := f.store.FindEvents(ctx, seedCode)
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := f.store.FindAlertSettings(ctx, seedCode)
	if err != nil {
		t.Fatal(err)
	}
	hook, err := f.store.FindWebhook(ctx, seedCode)
	if err != nil {
		t.Fatal(err)
	}
	ent, err := f.store.FindEnterprise(ctx, seedCode)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal([]any{plans, esimPlans, orders, events, alerts, hook, ent, f.sandbox.advanced, f.sms.mo})
	return string(raw)
}

// adminEdge is one bounded field of one admin route: each allowed value
// is answered status ok, each refused one 400 invalid naming the field
// with a message stating the range, and writes nothing.
type adminEdge struct {
	method, path string
	field        string
	body         func(v string) string // the body carrying v; nil for a query parameter
	ok           []string
	status       int // of the allowed values
	bad          []string
	message      string // in the refusals' message
}

// TestEdges sends the edges of every bounded number of the admin API (D26).
func TestEdges(t *testing.T) {
	f := newBoundsFixture(t)
	n := 0
	plan := func(field string) func(string) string {
		return func(v string) string {
			n++
			fields := map[string]string{"volume_bytes": "1", "price": `"1"`, "throttle_kbps": "0", "package_type": "2"}
			fields[field] = v
			return fmt.Sprintf(`{"code":"P%d","name":"P","package_type":%s,"volume_bytes":%s,"price":%s,"throttle_kbps":%s}`,
				n, fields["package_type"], fields["volume_bytes"], fields["price"], fields["throttle_kbps"])
		}
	}
	esimPlan := func(field string) func(string) string {
		return func(v string) string {
			n++
			fields := map[string]string{"id": strconv.Itoa(5000 + n), "period_days": "7", "volume_bytes": "1", "amount_minor": "1"}
			fields[field] = v
			return fmt.Sprintf(`{"id":%s,"enterprise":"ACME","package_code":"E%d","name":"E","mccs":["460"],"continent":"AS","volume_bytes":%s,"period_days":%s,"prices":[{"currency":"USD","amount_minor":%s}],"plan_code":"`+seedPlan+`"}`,
				fields["id"], n, fields["volume_bytes"], fields["period_days"], fields["amount_minor"])
		}
	}
	alerts := func(field string) func(string) string {
		return func(v string) string {
			fields := map[string]string{"percents": "80", "days_before_expiry": "3"}
			fields[field] = v
			return fmt.Sprintf(`{"percents":[%s],"days_before_expiry":%s}`, fields["percents"], fields["days_before_expiry"])
		}
	}
	rateLimit := func(field string) func(string) string {
		return func(v string) string {
			fields := map[string]string{"rate": "1", "burst": "1"}
			fields[field] = v
			return fmt.Sprintf(`{"rate":%s,"burst":%s}`, fields["rate"], fields["burst"])
		}
	}
	one := func(name string) func(string) string {
		return func(v string) string { return fmt.Sprintf(`{%q:%s}`, name, v) }
	}
	pib := strconv.FormatInt(opencube.MaxVolumeBytes, 10)
	pibPlus := strconv.FormatInt(opencube.MaxVolumeBytes+1, 10)
	idMax := strconv.FormatInt(opencube.MaxCatalogID, 10)
	idPlus := strconv.FormatInt(opencube.MaxCatalogID+1, 10)
	amountMax := strconv.FormatInt(opencube.MaxAmountMinor, 10)
	amountPlus := strconv.FormatInt(opencube.MaxAmountMinor+1, 10)
	edges := []adminEdge{
		{"POST", "/admin/v1/plans", "volume", plan("volume_bytes"), []string{"0", pib}, 201, []string{"-1", pibPlus}, "volume must be 0-1125899906842624 bytes"},
		{"POST", "/admin/v1/plans", "price", plan("price"), []string{`"0"`, `"999999999999.99"`}, 201, []string{`"1000000000000.00"`}, "price must be 0.00-999999999999.99"},
		{"POST", "/admin/v1/plans", "throttle_kbps", plan("throttle_kbps"), []string{"0", "10000000"}, 201, []string{"-1", "10000001"}, "throttle_kbps must be 0-10000000"},
		{"POST", "/admin/v1/plans", "package_type", plan("package_type"), []string{"0", "5"}, 201, []string{"-1", "6"}, "package_type must be 0-5"},
		{"POST", "/admin/v1/esim-plans", "id", esimPlan("id"), []string{"1", idMax}, 201, []string{"0", idPlus}, "id must be 1-9007199254740991"},
		{"POST", "/admin/v1/esim-plans", "period_days", esimPlan("period_days"), []string{"1", "1200"}, 201, []string{"0", "1201"}, "period_days must be 1-1200"},
		{"POST", "/admin/v1/esim-plans", "volume_bytes", esimPlan("volume_bytes"), []string{"0", pib}, 201, []string{"-1", pibPlus}, "volume_bytes must be 0-1125899906842624"},
		{"POST", "/admin/v1/esim-plans", "prices", esimPlan("amount_minor"), []string{"0", amountMax}, 201, []string{"-1", amountPlus}, "amount_minor 0-99999999999999"},
		{"POST", "/admin/v1/orders/" + f.order + "/reduce", "periods", one("periods"), []string{"1"}, 200, []string{"0", "3"}, "periods must be 1-2"},
		{"POST", "/admin/v1/enterprises/ACME/webhook/rotate", "grace_seconds", one("grace_seconds"), []string{"0", "2592000"}, 200, []string{"-1", "2592001", "9223372036854775807"}, "grace_seconds must be 0-2592000"},
		{"GET", "/admin/v1/enterprises/ACME/deliveries", "limit", nil, []string{"1", "1000"}, 200, []string{"0", "1001", "x"}, "limit must be 1-1000"},
		{"PUT", "/admin/v1/enterprises/ACME/alerts", "percents", alerts("percents"), []string{"1", "100"}, 200, []string{"0", "101"}, "percents must be 1-100"},
		{"PUT", "/admin/v1/enterprises/ACME/alerts", "days_before_expiry", alerts("days_before_expiry"), []string{"0", "366"}, 200, []string{"-1", "367"}, "days_before_expiry must be 0-366"},
		{"PUT", "/admin/v1/enterprises/ACME/rate-limit", "rate", rateLimit("rate"), []string{"0.001", "1000000"}, 200, []string{"0", "0.0009", "-1", "1000000.5"}, "rate must be 0.001-1000000"},
		{"PUT", "/admin/v1/enterprises/ACME/rate-limit", "burst", rateLimit("burst"), []string{"1", "1000000"}, 200, []string{"0", "1000001"}, "burst must be 1-1000000"},
		{"POST", "/admin/v1/clock/advance", "seconds", one("seconds"), []string{"0", strconv.Itoa(10 * 366 * 86400)}, 200, []string{"-1", strconv.Itoa(10*366*86400 + 1)}, "ten years"},
		{"POST", "/admin/v1/sims/" + seedICCID + "/mo", "data_coding", func(v string) string { return `{"content":"00","data_coding":` + v + `}` },
			[]string{"0", "1"}, 201, []string{"-1", "2"}, "data_coding must be 0"},
	}
	for _, e := range edges {
		x := func(v string) exchange {
			x := exchange{method: e.method, path: e.path}
			if e.body == nil {
				x.path += "?" + e.field + "=" + v
			} else {
				x.body = e.body(v)
			}
			return x
		}
		for _, v := range e.bad {
			t.Run(e.path+"/"+e.field+"="+v+"/refused", func(t *testing.T) {
				before := f.snapshot(t)
				r := x(v)
				r.status, r.wantErr = 400, invalid(e.field, e.message)
				f.check(t, r)
				if f.snapshot(t) != before {
					t.Fatal("a refused request wrote")
				}
			})
		}
		for _, v := range e.ok {
			t.Run(e.path+"/"+e.field+"="+v+"/passes", func(t *testing.T) {
				r := x(v)
				if status, raw := f.do(t, r); status != e.status {
					t.Fatalf("HTTP %d, want %d: %s", status, e.status, raw)
				}
			})
		}
	}
}
