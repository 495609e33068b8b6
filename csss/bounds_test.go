package csss_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sms"
	"github.com/opencube/opencube/sqlite"
	"github.com/opencube/opencube/storetest"
)

// Demo data the edge tests order: P000270's SIMs and plans, a yearly plan
// granted to it, and QY-000001's OTA SIMs and plan.
const (
	demoSIM      = "89852022018041800192"
	monthlyCode  = "DP20190726001274"
	monthlyName  = "C_M_0_P_中国20M不限速月套餐"
	dailyCode    = "DP20190726000001"
	dailyName    = "C_D_1_P_中国1G日套餐"
	yearlyCode   = "DPYEARLY"
	otaAccess    = "QY-000001"
	otaSIM       = "89852022018041800300"
	otaPlanCode  = "DP20201218003915"
	otaPlanName  = "T_T_T_0_P_S_中国100G/365天套餐"
	demoAccess   = "P000270"
	unknownICCID = "8985202201804199"
)

// edgeServer is a CSSS server over a SQLite store with the demo data, on
// the real clock (signed timestamps are checked against it).
type edgeServer struct {
	h     http.Handler
	store *sqlite.DB
	svc   *service.Set
	sms   *service.SMS
	seq   int64
}

func newEdgeServer(t *testing.T) *edgeServer {
	t.Helper()
	ctx := t.Context()
	store, svc := storetest.Demo(t, opencube.SystemClock)
	if err := svc.Admin.CreatePlan(ctx, &opencube.Plan{Code: yearlyCode, Name: "yearly", Type: opencube.PlanYearly, VolumeBytes: opencube.MB}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Admin.GrantPlan(ctx, demoAccess, yearlyCode); err != nil {
		t.Fatal(err)
	}
	srv := csss.NewServer(svc.Orders, svc.SIMs, svc.Admin, store)
	smsSvc := service.NewSMS(store, opencube.SystemClock, sms.NewSandbox(opencube.SystemClock))
	srv.SMS = smsSvc
	return &edgeServer{h: srv.Handler(), store: store, svc: svc, sms: smsSvc}
}

// call signs fields as access (with a timestamp in milliseconds of its own,
// so that no two calls share a sign) and posts them to path; it returns the
// answer's code and English message.
func (s *edgeServer) call(t *testing.T, access, path string, fields map[string]any) (code, message string) {
	t.Helper()
	return s.callIn(t, csss.LangEN, access, path, fields)
}

// callIn is call with the answer in lang.
func (s *edgeServer) callIn(t *testing.T, lang csss.Lang, access, path string, fields map[string]any) (code, message string) {
	t.Helper()
	p := map[string]any{}
	for k, v := range fields {
		p[k] = v
	}
	s.seq++
	p["access_code"], p["version"] = access, csss.Version
	p["timestamp"] = strconv.FormatInt(time.Now().UnixMilli()+s.seq, 10)
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	c, err := csss.Canonical(raw)
	if err != nil {
		t.Fatal(err)
	}
	p["sign"] = csss.Sign(c, service.DemoSecret)
	body, _ := json.Marshal(p)
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Accept-Language", lang.Tag())
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	var env struct{ Code, Message string }
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatalf("%s: not an envelope: %s", path, rec.Body)
	}
	return env.Code, env.Message
}

// snapshot is everything a CSSS request could write: both demo
// enterprises' orders and events, and P000270's messages.
func (s *edgeServer) snapshot(t *testing.T) string {
	t.Helper()
	var all []any
	for _, code := range []string{demoAccess, otaAccess} {
		ctx := opencube.NewContext(context.Background(), code)
		orders, _, err := s.store.FindOrders(ctx, opencube.OrderFilter{Enterprise: code})
		if err != nil {
			t.Fatal(err)
		}
		events, err := s.store.FindEvents(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		msgs, _, err := s.sms.FindSMS(ctx, opencube.SMSFilter{})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, orders, events, msgs)
	}
	raw, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// with returns a copy of base with the pairs set (a nil value removes the
// field).
func with(base map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// orderFields are an orderPackage request for iccid of a plan.
func orderFields(iccid, code, name string, typ opencube.PlanType) map[string]any {
	return map[string]any{
		"device_id": iccid, "global_order": "0", "is_open": "0", "order_period": "1", "package_code": code,
		"package_name": name, "package_type": strconv.Itoa(int(typ)), "pay_amount": "0", "pay_rst": "1", "pay_type": "2",
		"test_flow": "0", "test_flow_flag": "0",
	}
}

// iccids returns n distinct ICCIDs no enterprise holds.
func iccids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", unknownICCID, i)
	}
	return out
}

// pass is an allowed value of an edge and the code its request answers:
// 0000, or the business code of a request that passed validation.
type pass struct {
	value any
	code  string
}

// edge is one bounded field of one route: the lowest and highest allowed
// values (and others worth sending) pass validation, the values just
// outside are refused with 1001 naming the field, and write nothing.
type edge struct {
	path   string
	note   string // what tells this edge from another of the same field
	access string // P000270 when empty
	base   map[string]any
	field  string
	ok     []pass
	bad    []any
}

// TestEdges sends the edges of every bounded request field of every route
// (D26), and checks that the table covers each field the OpenAPI document
// states a range or values for.
func TestEdges(t *testing.T) {
	s := newEdgeServer(t)
	ctx := opencube.NewContext(t.Context(), demoAccess)
	order := func(code, name string, typ opencube.PlanType, periods int) *opencube.Order {
		o, err := s.svc.Orders.OrderPlan(ctx, opencube.OrderRequest{ICCID: demoSIM, PlanCode: code, PlanName: name, PlanType: typ,
			OrderPeriod: periods, PayRst: "1", TestFlow: "0", TestFlowFlag: "0"})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	daily := order(dailyCode, dailyName, opencube.PlanDaily, 1)
	century := order(monthlyCode, monthlyName, opencube.PlanMonthly, 1200)

	monthlyOrder := orderFields(demoSIM, monthlyCode, monthlyName, opencube.PlanMonthly)
	yearlyOrder := orderFields(demoSIM, yearlyCode, "yearly", opencube.PlanYearly)
	dailyOrder := orderFields(demoSIM, dailyCode, dailyName, opencube.PlanDaily)
	batch := with(monthlyOrder, "device_id", nil, "deviceList", []string{demoSIM, "89852022018041800193"})
	ota := with(orderFields(otaSIM, otaPlanCode, otaPlanName, opencube.PlanDaily), "days", 364, "timing_type", "1", "mcc", "")
	page := map[string]any{"page_no": 1, "page_size": 10}
	pageEdges := func(path string, base map[string]any, code string) []edge {
		return []edge{
			{path: path, base: base, field: "page_no", ok: []pass{{1, code}, {1 << 30, code}, {"1", code}}, bad: []any{0, 1<<30 + 1, -1, "x", 1.5}},
			{path: path, base: base, field: "page_size", ok: []pass{{1, code}, {100, code}}, bad: []any{0, 101}},
		}
	}
	message := map[string]any{"device_id": demoSIM, "content": "00", "sms_type": "0"} // text, or binary hex
	maxS := opencube.MaxTime.Unix()
	maxMS := maxS*1000 + 999

	edges := []edge{
		// Plan section.
		{path: "/package/orderPackage", base: monthlyOrder, field: "order_period",
			ok: []pass{{"1", "0000"}, {"1200", "0000"}, {1200, "0000"}}, bad: []any{"0", "1201", "-1", "1.5", "x"}},
		{path: "/package/orderPackage", note: "yearly", base: yearlyOrder, field: "order_period",
			ok: []pass{{"100", "0000"}}, bad: []any{"101", "1200"}},
		{path: "/package/orderPackage", note: "daily", base: dailyOrder, field: "order_period",
			ok: []pass{{"1200", "0000"}}, bad: []any{"1201"}},
		{path: "/package/orderPackage", base: monthlyOrder, field: "package_type",
			ok: []pass{{"0", "2002"}, {"2", "0000"}, {"5", "2002"}}, bad: []any{"-1", "6"}},
		{path: "/package/orderPackage", base: monthlyOrder, field: "pay_amount",
			ok:  []pass{{"0", "0000"}, {"999999999999999", "0000"}, {"999999999999.99", "0000"}},
			bad: []any{"-1", "0.001", "1000000000000000", "1e3"}},
		{path: "/package/orderPackage", base: monthlyOrder, field: "test_flow",
			ok: []pass{{"0", "0000"}, {"1048576", "0000"}}, bad: []any{"-0.01", "1048576.01", "NaN"}},
		{path: "/package/orderPackage", base: monthlyOrder, field: "global_order", ok: []pass{{"0", "0000"}, {"1", "0000"}}, bad: []any{"-1", "2"}},
		{path: "/package/orderPackage", base: with(monthlyOrder, "device_id", "89852022018041800194"), field: "is_open",
			ok: []pass{{"0", "0000"}, {"1", "0000"}}, bad: []any{"-1", "2"}},
		{path: "/package/orderPackage", base: monthlyOrder, field: "pay_rst", ok: []pass{{"1", "0000"}, {"2", "0000"}}, bad: []any{"0", "3"}},
		{path: "/package/orderPackage", base: monthlyOrder, field: "pay_type", ok: []pass{{"0", "0000"}, {"2", "0000"}}, bad: []any{"-1", "3"}},
		{path: "/package/orderPackage", base: monthlyOrder, field: "test_flow_flag", ok: []pass{{"0", "0000"}, {"1", "0000"}}, bad: []any{"-1", "2"}},

		{path: "/package/batchOrderPackages", base: batch, field: "order_period",
			ok: []pass{{"1", "0000"}, {"1200", "0000"}}, bad: []any{"0", "1201"}},
		{path: "/package/batchOrderPackages", note: "yearly", base: with(batch, "package_code", yearlyCode, "package_name", "yearly", "package_type", "5"), field: "order_period",
			ok: []pass{{"100", "0000"}}, bad: []any{"101"}},
		{path: "/package/batchOrderPackages", base: batch, field: "deviceList",
			ok: []pass{{[]string{demoSIM}, "0000"}, {iccids(1000), "2006"}}, bad: []any{[]string{}, iccids(1001)}},
		{path: "/package/batchOrderPackages", base: batch, field: "package_type", ok: []pass{{"0", "2002"}, {"5", "2002"}}, bad: []any{"6"}},
		{path: "/package/batchOrderPackages", base: batch, field: "pay_amount", ok: []pass{{"999999999999999", "0000"}}, bad: []any{"1000000000000000"}},
		{path: "/package/batchOrderPackages", base: batch, field: "test_flow", ok: []pass{{"1048576", "0000"}}, bad: []any{"1048576.01"}},
		{path: "/package/batchOrderPackages", base: batch, field: "global_order", ok: []pass{{"1", "0000"}}, bad: []any{"2"}},
		{path: "/package/batchOrderPackages", base: batch, field: "is_open", ok: []pass{{"0", "0000"}}, bad: []any{"2"}},
		{path: "/package/batchOrderPackages", base: batch, field: "pay_rst", ok: []pass{{"2", "0000"}}, bad: []any{"3"}},
		{path: "/package/batchOrderPackages", base: batch, field: "pay_type", ok: []pass{{"0", "0000"}}, bad: []any{"3"}},
		{path: "/package/batchOrderPackages", base: batch, field: "test_flow_flag", ok: []pass{{"1", "0000"}}, bad: []any{"2"}},

		{path: "/package/renewPackage", base: map[string]any{"order_id": daily.ID}, field: "renew_period",
			ok: []pass{{1, "0000"}, {1200, "0000"}, {"1", "0000"}}, bad: []any{0, 1201, -1, 1.5}},
		{path: "/package/renewPackage", note: "1200 months ordered", base: map[string]any{"order_id": century.ID}, field: "renew_period",
			bad: []any{1, 1200}}, // 1200 months already: past 100 years

		{path: "/package/queryOrder", base: page, field: "order_status",
			ok: []pass{{"1", "0000"}, {"6", "0000"}}, bad: []any{"0", "7"}},
		{path: "/package/queryOrder", base: page, field: "order_type",
			ok: []pass{{"1", "0000"}, {"3", "0000"}}, bad: []any{"0", "4"}},

		{path: "/package/endOrder", base: map[string]any{"order_id": "ORDER_00000000000000001"}, field: "keep_alive",
			ok: []pass{{"0", "2003"}, {"1", "2003"}}, bad: []any{"-1", "2"}},

		{path: "/package/queryDevicePackages", base: page, field: "deviceList",
			ok: []pass{{[]string{demoSIM}, "0000"}, {iccids(1000), "2001"}}, bad: []any{iccids(1001)}},

		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "days",
			ok: []pass{{1, "0000"}, {1200, "0000"}, {"7", "0000"}}, bad: []any{0, 1201, -1}},
		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "timing_type",
			ok: []pass{{"1", "0000"}, {"2", "0000"}}, bad: []any{"0", "3"}},
		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "mcc",
			ok: []pass{{"", "0000"}, {"000", "0000"}, {"999", "0000"}}, bad: []any{"46", "4600", "46x"}},
		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "order_period",
			ok: []pass{{"1200", "0000"}}, bad: []any{"0", "1201"}},
		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "package_type", ok: []pass{{"0", "2002"}}, bad: []any{"6"}},
		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "pay_amount", ok: []pass{{"999999999999999", "0000"}}, bad: []any{"1000000000000000"}},
		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "test_flow", ok: []pass{{"1048576", "0000"}}, bad: []any{"1048576.01"}},
		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "global_order", ok: []pass{{"1", "0000"}}, bad: []any{"2"}},
		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "is_open", ok: []pass{{"1", "2005"}}, bad: []any{"2"}},
		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "pay_rst", ok: []pass{{"2", "0000"}}, bad: []any{"3"}},
		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "pay_type", ok: []pass{{"0", "0000"}, {"2", "0000"}}, bad: []any{"3"}},
		{path: "/package/createOtaOrder", access: otaAccess, base: ota, field: "test_flow_flag", ok: []pass{{"1", "0000"}}, bad: []any{"2"}},

		// Usage section.
		{path: "/flow/batchQueryDeviceFlowUsage", base: map[string]any{}, field: "deviceList",
			ok: []pass{{[]string{demoSIM}, "0000"}, {iccids(100), "0000"}}, bad: []any{[]string{}, iccids(101)}},
		{path: "/flow/queryDeviceDailyFlow", base: map[string]any{"device_id": demoSIM}, field: "date",
			ok: []pass{{"20000101", "0000"}, {"99991231", "0000"}, {20240229, "0000"}}, bad: []any{"19991231", "100000101", "20250229", "2024-01-01"}},
		{path: "/flow/batchQueryMonthFlow", base: map[string]any{"deviceList": []string{demoSIM}}, field: "month",
			ok: []pass{{"200001", "0000"}, {"999912", "0000"}}, bad: []any{"199912", "200013", "2024-1"}},
		{path: "/flow/batchQueryMonthFlow", base: map[string]any{"month": "202401"}, field: "deviceList",
			ok: []pass{{iccids(100), "0000"}}, bad: []any{iccids(101)}},

		// SMS section.
		{path: "/sms/sendSms", base: message, field: "sms_type",
			ok: []pass{{"0", "0000"}, {"1", "0000"}}, bad: []any{"-1", "2"}},
		{path: "/sms/querySms", base: page, field: "start_time",
			ok: []pass{{0, "0000"}, {maxS, "0000"}, {strconv.FormatInt(maxMS, 10), "0000"}}, bad: []any{-1, maxS + 1, maxMS + 1}},
		{path: "/sms/querySms", base: page, field: "end_time",
			ok: []pass{{0, "0000"}, {maxS, "0000"}, {maxMS, "0000"}}, bad: []any{-1, maxS + 1, maxMS + 1}},
		{path: "/sms/querySms", base: page, field: "direction", ok: []pass{{"mt", "0000"}, {"mo", "0000"}}, bad: []any{"x"}},
		{path: "/sms/querySms", base: page, field: "state", ok: []pass{{"queued", "0000"}, {"expired", "0000"}}, bad: []any{"lost"}},
	}
	edges = slices.Concat(edges,
		pageEdges("/package/queryPackage", page, "0000"),
		pageEdges("/package/queryOrder", page, "0000"),
		pageEdges("/package/queryDevicePackages", page, "0000"),
		pageEdges("/device/queryDeviceList", page, "0000"),
		pageEdges("/device/queryUsingDeviceList", page, "0000"),
		pageEdges("/sms/querySms", page, "0000"),
	)

	covered := map[string]bool{}
	for _, e := range edges {
		covered[e.path+" "+e.field] = true
		access := e.access
		if access == "" {
			access = demoAccess
		}
		name := e.path + "/" + e.field + "="
		if e.note != "" {
			name = e.path + "/" + e.note + "/" + e.field + "="
		}
		for _, p := range e.ok {
			t.Run(name+short(p.value)+"/passes", func(t *testing.T) {
				code, msg := s.call(t, access, e.path, with(e.base, e.field, p.value))
				if code != p.code {
					t.Fatalf("code %s (%s), want %s", code, msg, p.code)
				}
			})
		}
		for _, v := range e.bad {
			t.Run(name+short(v)+"/refused", func(t *testing.T) {
				before := s.snapshot(t)
				code, msg := s.call(t, access, e.path, with(e.base, e.field, v))
				// The message names the field, then why: the values it
				// allows, or the rule it breaks.
				if want := csss.Message(csss.CodeInvalid, csss.LangEN, e.field) + " "; code != csss.CodeInvalid || !strings.HasPrefix(msg, want) {
					t.Fatalf("%s %q, want %s %q and a cause", code, msg, csss.CodeInvalid, want)
				}
				if after := s.snapshot(t); after != before {
					t.Fatalf("a refused request wrote:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	}

	// Every field the reference states values of is sent at its edges, on
	// every route that takes it.
	for _, rt := range csss.Reference().Routes {
		for field, schema := range rt.Body.Properties {
			bounded := schema.Maximum != nil || len(schema.Enum) > 0 || csss.HasRule(field)
			if bounded && field != "version" && !covered[rt.Path+" "+field] {
				t.Errorf("%s: %s has stated values but no edge test", rt.Path, field)
			}
		}
	}
}

// short names a value in a subtest name.
func short(v any) string {
	if l, ok := v.([]string); ok {
		return fmt.Sprintf("%d_ICCIDs", len(l))
	}
	if s, ok := v.(string); ok {
		return strconv.Quote(s) // a string, told from a number
	}
	return fmt.Sprint(v)
}

// TestRenewStopsAt100Years is the case: repeated renewals of 1,200
// months end at the first that would take the order past 100 years, and the
// expiry stays a real date.
func TestRenewStopsAt100Years(t *testing.T) {
	s := newEdgeServer(t)
	ctx := opencube.NewContext(t.Context(), demoAccess)
	o, err := s.svc.Orders.OrderPlan(ctx, opencube.OrderRequest{ICCID: demoSIM, PlanCode: monthlyCode, PlanName: monthlyName,
		PlanType: opencube.PlanMonthly, OrderPeriod: 1, Open: true, PayRst: "1", TestFlow: "0", TestFlowFlag: "0"})
	if err != nil {
		t.Fatal(err)
	}
	if code, msg := s.call(t, demoAccess, "/package/renewPackage", map[string]any{"order_id": o.ID, "renew_period": 1199}); code != csss.CodeOK {
		t.Fatalf("renewing to 1200 months: %s %s", code, msg)
	}
	for i := range 5 {
		code, msg := s.call(t, demoAccess, "/package/renewPackage", map[string]any{"order_id": o.ID, "renew_period": 1200})
		if code != csss.CodeInvalid || msg != "Invalid or missing parameter: renew_period would make the order last more than 100 years" {
			t.Fatalf("renewal %d past 100 years: %s %s", i+1, code, msg)
		}
	}
	got, _, err := s.svc.Orders.FindOrders(ctx, opencube.OrderFilter{OrderID: o.ID})
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	start, exp := got[0].StartedAt.In(opencube.BusinessZone), got[0].ExpiresAt.In(opencube.BusinessZone)
	if got[0].Periods() != 1200 || !exp.Before(start.AddDate(100, 0, 0)) || exp.Before(start.AddDate(99, 11, 0)) {
		t.Fatalf("%d periods, started %s, expires %s", got[0].Periods(), start, exp)
	}
}
