package main

// Success paths of every Plan endpoint with their documented response shapes.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
)

// Demo plans as queryPackage lists them.
const (
	dailyItem     = `{"package_code":"DP20190726000001","package_name":"C_D_1_P_中国1G日套餐","package_type":"1","flow":"1024","price":"5.00","currency":"CNY","order_period_unit":"day","is_ota":"0","cover_countries":["CN"]}`
	unlimitedItem = `{"package_code":"DP20190726000002","package_name":"C_U_0_P_中国不限量日套餐","package_type":"0","flow":"2048","price":"8.00","currency":"CNY","order_period_unit":"day","is_ota":"0","cover_countries":["CN"]}`
	monthlyItem   = `{"package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","flow":"20","price":"10.00","currency":"CNY","order_period_unit":"month","is_ota":"0","cover_countries":["CN"]}`
	otaItem       = `{"package_code":"DP20201218003915","package_name":"T_T_T_0_P_S_中国100G/365天套餐","package_type":"1","flow":"102400","price":"199.00","currency":"CNY","order_period_unit":"day","is_ota":"1","cover_countries":["CN"]}`
	// The core plans the demo's eSIM plans sell (no Mall price).
	esimCoreItems = `{"package_code":"ESIM-CORE-CN-1G","package_name":"eSIM China 1GB","package_type":"2","flow":"1024","price":"0.00","currency":"","order_period_unit":"month","is_ota":"0","cover_countries":["CN"]},` +
		`{"package_code":"ESIM-CORE-EU-10G","package_name":"eSIM Europe 10GB","package_type":"2","flow":"10240","price":"0.00","currency":"","order_period_unit":"month","is_ota":"0","cover_countries":["FR","ES","IT","GB","DE"]},` +
		`{"package_code":"ESIM-CORE-JP-3G","package_name":"eSIM Japan 3GB","package_type":"2","flow":"3072","price":"0.00","currency":"","order_period_unit":"month","is_ota":"0","cover_countries":["JP"]},` +
		`{"package_code":"ESIM-CORE-US-5G","package_name":"eSIM United States 5GB","package_type":"2","flow":"5120","price":"0.00","currency":"","order_period_unit":"month","is_ota":"0","cover_countries":["US"]}`
)

func TestCSSSQueryPackage(t *testing.T) {
	s := startServer(t)
	s.checkData(t, "/package/queryPackage", []dataCase{
		{"all plans of P000270, code order", entP, nil,
			`{"page":{"cur_page_no":1,"page_size":7,"total_count":7,"total_pages":1},"package_list":[` + dailyItem + `,` + unlimitedItem + `,` + monthlyItem + `,` + esimCoreItems + `]}`},
		{"first page of four", entP, map[string]any{"page_no": 1, "page_size": 2},
			`{"page":{"cur_page_no":1,"page_size":2,"total_count":7,"total_pages":4},"package_list":[` + dailyItem + `,` + unlimitedItem + `]}`},
		{"second page of four, paging as strings", entP, map[string]any{"page_no": "2", "page_size": "2"},
			`{"page":{"cur_page_no":2,"page_size":2,"total_count":7,"total_pages":4},"package_list":[` + monthlyItem + `,` + strings.SplitAfter(esimCoreItems, "]},")[0][:len(strings.SplitAfter(esimCoreItems, "]},")[0])-1] + `]}`},
		{"past the last page", entP, map[string]any{"page_no": 5, "page_size": 2},
			`{"page":{"cur_page_no":5,"page_size":2,"total_count":7,"total_pages":4},"package_list":[]}`},
		{"one plan by code", entP, map[string]any{"package_code": planMonthly.code},
			`{"page":{"cur_page_no":1,"page_size":1,"total_count":1,"total_pages":1},"package_list":[` + monthlyItem + `]}`},
		{"another enterprise's plan is not listed", entP, map[string]any{"package_code": planOTA.code},
			`{"page":{"cur_page_no":1,"page_size":1,"total_count":0,"total_pages":0},"package_list":[]}`},
		{"the OTA enterprise sees its OTA plan", entQ, nil,
			`{"page":{"cur_page_no":1,"page_size":1,"total_count":1,"total_pages":1},"package_list":[` + otaItem + `]}`},
	})

	t.Run("typed FindPlans", func(t *testing.T) {
		plans, total, err := s.q.FindPlans(t.Context(), opencube.PlanFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := []*opencube.Plan{{
			Code: planOTA.code, Name: planOTA.name, Type: opencube.PlanDaily, VolumeBytes: 100 * 1024 * opencube.MB,
			PriceMinor: 19900, Currency: "CNY", OTA: true, Countries: []string{"CN"},
		}}
		if diff := cmp.Diff(want, plans); diff != "" || total != 1 {
			t.Errorf("FindPlans total %d (want 1) (-want +got):\n%s", total, diff)
		}
	})
}

func TestCSSSOrderPackage(t *testing.T) {
	s := startServer(t)

	t.Run("not enabled: the documented answer", func(t *testing.T) {
		resp := s.do(t, s.p, "/package/orderPackage", planMonthly.order(simP(0), false), nil)
		wantCode(t, resp, csss.CodeOK)
		id := dataOf(t, resp)["order_id"].(string)
		checkOrderID(t, id)
		want := `{"code":"0000","data":{"sign":null,"order_id":"` + id + `","order_start_date":null,"order_expire_date":null},"message":"成功","success":true}`
		if string(resp.Body) != want {
			t.Errorf("body\n got %s\nwant %s", resp.Body, want)
		}
		item := s.order(t, s.p, id)
		if item["orderStatus"] != "1" || item["expireDate"] != "" || item["startDate"] != "" || item["openDate"] != "" {
			t.Errorf("new order %v, want status 1 and no dates", item)
		}
	})

	t.Run("is_open=1 starts it today", func(t *testing.T) {
		resp := s.do(t, s.p, "/package/orderPackage", planMonthly.order(simP(1), true), langHeader("en-US"))
		wantCode(t, resp, csss.CodeOK)
		id := dataOf(t, resp)["order_id"].(string)
		checkOrderID(t, id)
		want := `{"code":"0000","data":{"sign":null,"order_id":"` + id + `","order_start_date":"20240131","order_expire_date":"20240228"},"message":"success","success":true}`
		if string(resp.Body) != want {
			t.Errorf("body\n got %s\nwant %s", resp.Body, want)
		}
	})

	t.Run("every accepted value", func(t *testing.T) {
		for i, p := range []map[string]any{
			withParams(planDaily.order(simP(2), false), "pay_amount", "12.5", "pay_rst", "2", "pay_type", "0", "global_order", "1"),
			withParams(planDaily.order(simP(2), false), "pay_amount", "0.01", "pay_type", "1", "test_flow", "100", "test_flow_flag", "1"),
			withParams(planDaily.order(simP(2), false), "pay_amount", "100", "pay_type", nil, "order_period", "30"),
			withParams(planUnlimited.order(simP(2), false), "pay_amount", "99.99", "pay_type", ""),
		} {
			t.Run(strconv.Itoa(i), func(t *testing.T) { checkOrderID(t, s.mustOrder(t, s.p, p)) })
		}
	})

	t.Run("order ids increase", func(t *testing.T) {
		a := s.mustOrder(t, s.p, planDaily.order(simP(3), false))
		b := s.mustOrder(t, s.p, planDaily.order(simP(3), false))
		if !(a < b) {
			t.Errorf("second order id %s is not after the first %s", b, a)
		}
	})
}

// TestCSSSValidity checks the start and expiry dates of D9, D10 and D11 with
// the fake clock, at enabling and after renewals.
func TestCSSSValidity(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, sec int) time.Time {
		return time.Date(y, m, d, h, min, sec, 0, time.UTC)
	}
	at8 := func(y int, m time.Month, d, h int) time.Time {
		return time.Date(y, m, d, h, 0, 0, 0, opencube.BusinessZone)
	}
	type renewal struct {
		periods int
		want    string // order_expire_date of the answer
	}
	tests := []struct {
		name       string
		plan       demoPlan
		period     string
		renewFirst int    // renew_period before enabling
		how        string // "is_open", "openOrder" or "batch"
		at         time.Time
		wantStart  string
		wantExpire string
		renewals   []renewal
	}{
		{name: "monthly from 31 Jan of a leap year", plan: planMonthly, period: "1", how: "is_open", at: at8(2024, 1, 31, 10),
			wantStart: "20240131", wantExpire: "20240228",
			renewals: []renewal{{1, "2024-03-30 23:59:59"}, {1, "2024-04-29 23:59:59"}, {2, "2024-06-29 23:59:59"}}},
		{name: "monthly from 31 Jan of a common year", plan: planMonthly, period: "1", how: "openOrder", at: at8(2023, 1, 31, 10),
			wantStart: "20230131", wantExpire: "20230227", renewals: []renewal{{1, "2023-03-30 23:59:59"}}},
		{name: "two months from 31 Jan", plan: planMonthly, period: "2", how: "batch", at: at8(2024, 1, 31, 10),
			wantStart: "20240131", wantExpire: "20240330"},
		{name: "17:00 UTC is the next UTC+8 day", plan: planMonthly, period: "1", how: "openOrder", at: utc(2024, 1, 31, 17, 0, 0),
			wantStart: "20240201", wantExpire: "20240229", renewals: []renewal{{1, "2024-03-31 23:59:59"}}},
		{name: "daily plan for 3 days", plan: planDaily, period: "3", how: "is_open", at: at8(2024, 1, 31, 10),
			wantStart: "20240131", wantExpire: "20240202", renewals: []renewal{{2, "2024-02-04 23:59:59"}}},
		{name: "last second of a UTC+8 day", plan: planDaily, period: "1", how: "is_open", at: utc(2024, 1, 31, 15, 59, 59),
			wantStart: "20240131", wantExpire: "20240131"},
		{name: "first second of a UTC+8 day", plan: planDaily, period: "1", how: "openOrder", at: utc(2024, 1, 31, 16, 0, 0),
			wantStart: "20240201", wantExpire: "20240201"},
		{name: "unlimited daily across 29 Feb", plan: planUnlimited, period: "7", how: "batch", at: at8(2024, 2, 25, 10),
			wantStart: "20240225", wantExpire: "20240302"},
		{name: "renewed before enabling counts from the start", plan: planMonthly, period: "1", renewFirst: 1, how: "openOrder", at: at8(2024, 1, 31, 10),
			wantStart: "20240131", wantExpire: "20240330"},
		{name: "new year in UTC+8 only", plan: planMonthly, period: "1", how: "is_open", at: utc(2024, 12, 31, 20, 0, 0),
			wantStart: "20250101", wantExpire: "20250131", renewals: []renewal{{11, "2025-12-31 23:59:59"}}},
	}
	if len(tests) > 10 {
		t.Fatal("one demo SIM per case: at most 10 cases")
	}
	s := startServer(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iccid := simP(i)
			params := withParams(tt.plan.order(iccid, false), "order_period", tt.period)
			var id string
			var d map[string]any
			switch tt.how {
			case "is_open":
				s.clock.Set(tt.at)
				d = s.ok(t, s.p, "/package/orderPackage", withParams(params, "is_open", "1"))
				id = d["order_id"].(string)
			case "batch":
				s.clock.Set(tt.at)
				b := s.ok(t, s.p, "/package/batchOrderPackages", withParams(params, "device_id", nil, "deviceList", []string{iccid}, "is_open", "1"))
				d = b["device_order"].([]any)[0].(map[string]any)
				id = d["order_id"].(string)
			case "openOrder":
				s.clock.Set(tt.at.Add(-24 * time.Hour))
				id = s.mustOrder(t, s.p, params)
				if tt.renewFirst > 0 {
					r := s.ok(t, s.p, "/package/renewPackage", map[string]any{"order_id": id, "renew_period": tt.renewFirst})
					if r["order_expire_date"] != nil {
						t.Errorf("renewing a not-enabled order answered order_expire_date %v, want null", r["order_expire_date"])
					}
				}
				s.clock.Set(tt.at)
				d = s.ok(t, s.p, "/package/openOrder", map[string]any{"order_id": id})
			}
			if d["order_start_date"] != tt.wantStart || d["order_expire_date"] != tt.wantExpire {
				t.Errorf("dates %v - %v, want %s - %s", d["order_start_date"], d["order_expire_date"], tt.wantStart, tt.wantExpire)
			}
			long := func(yyyymmdd, clock string) string {
				d, _ := time.Parse("20060102", yyyymmdd)
				return d.Format("2006-01-02") + " " + clock
			}
			item := s.order(t, s.p, id)
			got := [3]string{item["startDate"], item["openDate"], item["expireDate"]}
			want := [3]string{long(tt.wantStart, "00:00:00"), tt.at.In(opencube.BusinessZone).Format(time.DateTime), long(tt.wantExpire, "23:59:59")}
			if got != want {
				t.Errorf("queryOrder startDate, openDate, expireDate = %q, want %q", got, want)
			}
			for _, r := range tt.renewals {
				s.clock.Advance(time.Hour)
				d := s.ok(t, s.p, "/package/renewPackage", map[string]any{"order_id": id, "renew_period": r.periods})
				if d["order_expire_date"] != r.want {
					t.Errorf("renew %d: order_expire_date %v, want %s", r.periods, d["order_expire_date"], r.want)
				}
			}
		})
	}
}

func TestCSSSBatchOrderPackages(t *testing.T) {
	s := startServer(t)
	body := func(open bool, iccids ...string) map[string]any {
		return withParams(planMonthly.order("", open), "device_id", nil, "deviceList", iccids, "pay_rst", "2", "pay_type", "1")
	}
	tests := []struct {
		name      string
		params    map[string]any
		accept    string
		wantMsg   string
		wantStart any
		wantEnd   any
	}{
		{"not enabled, the documented example", body(false, simP(0), simP(1)), "", "成功", nil, nil},
		{"enabled, in English", body(true, simP(2), simP(3), simP(4)), "en-US", "success", "20240131", "20240228"},
		{"pay_amount is optional", withParams(body(false, simP(5)), "pay_amount", nil), "zh-CN", "成功", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.do(t, s.p, "/package/batchOrderPackages", tt.params, langHeader(tt.accept))
			wantCode(t, resp, csss.CodeOK)
			if resp.Message != tt.wantMsg {
				t.Errorf("message %q, want %q", resp.Message, tt.wantMsg)
			}
			var d map[string]json.RawMessage
			if err := json.Unmarshal(resp.Data, &d); err != nil {
				t.Fatal(err)
			}
			if _, ok := d["sign"]; ok {
				t.Errorf("batchOrderPackages data has a sign member: %s", resp.Data)
			}
			var items []map[string]any
			if err := json.Unmarshal(d["device_order"], &items); err != nil {
				t.Fatal(err)
			}
			iccids := tt.params["deviceList"].([]string)
			if len(items) != len(iccids) {
				t.Fatalf("device_order has %d items, want %d: %s", len(items), len(iccids), resp.Data)
			}
			var want []map[string]any
			for i, iccid := range iccids {
				id, _ := items[i]["order_id"].(string)
				checkOrderID(t, id)
				want = append(want, map[string]any{"error": "0000", "errorMsg": "success", "order_id": id, "device_id": iccid,
					"order_start_date": tt.wantStart, "order_expire_date": tt.wantEnd})
			}
			if diff := cmp.Diff(want, items); diff != "" {
				t.Errorf("device_order (-want +got):\n%s", diff)
			}
			if len(d) != 1 {
				t.Errorf("data %s, want only device_order", resp.Data)
			}
		})
	}
	t.Run("typed OrderPlans", func(t *testing.T) {
		orders, err := s.p.OrderPlans(t.Context(), opencube.BulkOrderRequest{
			OrderRequest: opencube.OrderRequest{PlanCode: planDaily.code, PlanName: planDaily.name, PlanType: opencube.PlanDaily, OrderPeriod: 2, Open: true},
			ICCIDs:       []string{simP(6), simP(7)},
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range orders {
			checkOrderID(t, o.ID)
			start, end := o.StartedAt.Format(time.DateTime), o.ExpiresAt.Format(time.DateTime)
			if o.ICCID != simP(6+i) || start != "2024-01-31 00:00:00" || end != "2024-02-01 23:59:59" {
				t.Errorf("order %d: %s from %s to %s", i, o.ICCID, start, end)
			}
		}
	})
}

func TestCSSSRenewPackage(t *testing.T) {
	s := startServer(t)
	inUse := s.mustOrder(t, s.p, planMonthly.order(simP(0), true))
	notEnabled := s.mustOrder(t, s.p, planDaily.order(simP(1), false))
	suspended := s.mustOrder(t, s.p, planDaily.order(simP(2), true))
	s.ok(t, s.p, "/device/pauseService", map[string]any{"device_id": simP(2)})

	s.checkData(t, "/package/renewPackage", []dataCase{
		{"in use", entP, map[string]any{"order_id": inUse, "renew_period": 1}, `{"order_expire_date":"2024-03-30 23:59:59","order_id":"` + inUse + `"}`},
		{"in use, renew_period as a string", entP, map[string]any{"order_id": inUse, "renew_period": "2"}, `{"order_expire_date":"2024-05-30 23:59:59","order_id":"` + inUse + `"}`},
		{"not enabled: no expiry yet", entP, map[string]any{"order_id": notEnabled, "renew_period": 3}, `{"order_expire_date":null,"order_id":"` + notEnabled + `"}`},
		{"suspended", entP, map[string]any{"order_id": suspended, "renew_period": 1}, `{"order_expire_date":"2024-02-01 23:59:59","order_id":"` + suspended + `"}`},
	})
	t.Run("renewals are counted and marked", func(t *testing.T) {
		got := map[string][2]string{}
		for _, id := range []string{inUse, notEnabled, suspended} {
			item := s.order(t, s.p, id)
			got[id] = [2]string{item["renewPeriod"], item["buyType"]}
		}
		want := map[string][2]string{inUse: {"3", "3"}, notEnabled: {"3", "3"}, suspended: {"1", "3"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("renewPeriod, buyType (-want +got):\n%s", diff)
		}
	})
	t.Run("typed RenewOrder", func(t *testing.T) {
		o, err := s.p.RenewOrder(t.Context(), inUse, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.ExpiresAt.Format(time.DateTime); o.ID != inUse || got != "2024-06-29 23:59:59" {
			t.Errorf("RenewOrder = %s until %s", o.ID, got)
		}
	})
}

var orderCodeRE = regexp.MustCompile(`^L[0-9]{18}$`)

func TestCSSSQueryOrder(t *testing.T) {
	s := startServer(t)
	// Five orders, a minute apart, in every state queryOrder can show here.
	s.clock.Set(clockStart)
	a := s.mustOrder(t, s.p, withParams(planMonthly.order(simP(0), true), "pay_amount", "12.5", "pay_rst", "2", "pay_type", "1"))
	s.clock.Set(clockStart.Add(time.Minute))
	b := s.mustOrder(t, s.p, withParams(planDaily.order(simP(0), false), "order_period", "3", "test_flow", "100", "test_flow_flag", "1", "pay_type", nil))
	s.clock.Set(clockStart.Add(2 * time.Minute))
	c := s.mustOrder(t, s.p, planUnlimited.order(simP(1), false))
	s.clock.Set(clockStart.Add(3 * time.Minute))
	s.ok(t, s.p, "/package/cancelOrder", map[string]any{"order_id": c})
	s.clock.Set(clockStart.Add(4 * time.Minute))
	d := s.mustOrder(t, s.p, planMonthly.order(simP(2), false))
	s.ok(t, s.p, "/package/renewPackage", map[string]any{"order_id": d, "renew_period": 2})
	s.clock.Set(clockStart.Add(5 * time.Minute))
	e := s.mustOrder(t, s.p, planDaily.order(simP(3), true))
	s.clock.Set(clockStart.Add(6 * time.Minute))
	s.ok(t, s.p, "/device/pauseService", map[string]any{"device_id": simP(3)})
	foreign := s.mustOrder(t, s.q, planOTA.order(simQ(0), false))

	item := func(id, iccid string, p demoPlan, kv ...string) map[string]string {
		m := map[string]string{
			"orderId": id, "deviceId": iccid, "imsi": imsiOf(iccid),
			"packageCode": p.code, "packageName": p.name, "packageType": p.typ,
			"buyType": "2", "orderType": "2", "orderStatus": "1", "orderPeriod": "1", "renewPeriod": "0",
			"usedFlow": "0", "orderDate": "", "startDate": "", "openDate": "", "expireDate": "",
			"payAmount": "0.00", "payRst": "1", "payType": "2", "isOta": "0",
		}
		m["flow"] = map[string]string{planMonthly.code: "20", planDaily.code: "1024", planUnlimited.code: "2048"}[p.code]
		m["surplusFlow"] = m["flow"]
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	items := map[string]map[string]string{
		a: item(a, simP(0), planMonthly, "orderStatus", "2", "orderDate", "2024-01-31 10:00:00", "startDate", "2024-01-31 00:00:00",
			"openDate", "2024-01-31 10:00:00", "expireDate", "2024-02-28 23:59:59", "payAmount", "12.50", "payRst", "2", "payType", "1"),
		b: item(b, simP(0), planDaily, "buyType", "1", "orderType", "1", "orderPeriod", "3", "orderDate", "2024-01-31 10:01:00", "payType", ""),
		c: item(c, simP(1), planUnlimited, "orderStatus", "6", "orderDate", "2024-01-31 10:02:00"),
		d: item(d, simP(2), planMonthly, "buyType", "3", "orderType", "3", "renewPeriod", "2", "orderDate", "2024-01-31 10:04:00"),
		e: item(e, simP(3), planDaily, "orderStatus", "3", "orderDate", "2024-01-31 10:05:00", "startDate", "2024-01-31 00:00:00",
			"openDate", "2024-01-31 10:05:00", "expireDate", "2024-01-31 23:59:59"),
	}
	list := func(ids ...string) []map[string]string {
		out := []map[string]string{}
		for _, id := range ids {
			out = append(out, items[id])
		}
		return out
	}
	type page struct {
		CurPageNo  int `json:"cur_page_no"`
		PageSize   int `json:"page_size"`
		TotalCount int `json:"total_count"`
		TotalPages int `json:"total_pages"`
	}

	tests := []struct {
		name     string
		params   map[string]any
		want     []map[string]string
		wantPage page
	}{
		{"everything, newest first", map[string]any{"page_no": 1, "page_size": 100}, list(e, d, c, b, a), page{1, 100, 5, 1}},
		{"page 1 of 3", map[string]any{"page_no": 1, "page_size": 2}, list(e, d), page{1, 2, 5, 3}},
		{"page 2 of 3", map[string]any{"page_no": 2, "page_size": 2}, list(c, b), page{2, 2, 5, 3}},
		{"page 3 of 3", map[string]any{"page_no": 3, "page_size": 2}, list(a), page{3, 2, 5, 3}},
		{"past the last page", map[string]any{"page_no": 4, "page_size": 2}, list(), page{4, 2, 5, 3}},
		{"paging as strings, page size 1", map[string]any{"page_no": "5", "page_size": "1"}, list(a), page{5, 1, 5, 5}},
		{"empty filters of the documented example", map[string]any{"device_id": "", "order_id": "", "order_status": "", "order_type": "", "page_no": 1, "page_size": 2},
			list(e, d), page{1, 2, 5, 3}},
		{"device_id", map[string]any{"device_id": simP(0), "page_no": 1, "page_size": 10}, list(b, a), page{1, 10, 2, 1}},
		{"order_id", map[string]any{"order_id": c, "page_no": 1, "page_size": 10}, list(c), page{1, 10, 1, 1}},
		{"order_status 1 not enabled", map[string]any{"order_status": "1", "page_no": 1, "page_size": 10}, list(d, b), page{1, 10, 2, 1}},
		{"order_status 2 in use", map[string]any{"order_status": "2", "page_no": 1, "page_size": 10}, list(a), page{1, 10, 1, 1}},
		{"order_status 3 suspended", map[string]any{"order_status": "3", "page_no": 1, "page_size": 10}, list(e), page{1, 10, 1, 1}},
		{"order_status 6 cancelled, as a number", map[string]any{"order_status": 6, "page_no": 1, "page_size": 10}, list(c), page{1, 10, 1, 1}},
		{"order_status 5 ended: none", map[string]any{"order_status": "5", "page_no": 1, "page_size": 10}, list(), page{1, 10, 0, 0}},
		{"order_type 1 test", map[string]any{"order_type": "1", "page_no": 1, "page_size": 10}, list(b), page{1, 10, 1, 1}},
		{"order_type 2 normal", map[string]any{"order_type": "2", "page_no": 1, "page_size": 10}, list(e, c, a), page{1, 10, 3, 1}},
		{"order_type 3 renewal", map[string]any{"order_type": "3", "page_no": 1, "page_size": 10}, list(d), page{1, 10, 1, 1}},
		{"filters combine", map[string]any{"device_id": simP(0), "order_status": "1", "order_type": "1", "page_no": 1, "page_size": 10}, list(b), page{1, 10, 1, 1}},
		{"filters that exclude each other", map[string]any{"device_id": simP(1), "order_id": a, "page_no": 1, "page_size": 10}, list(), page{1, 10, 0, 0}},
		{"unknown order_id", map[string]any{"order_id": "ORDER_99999999999999999", "page_no": 1, "page_size": 10}, list(), page{1, 10, 0, 0}},
		{"another enterprise's order_id", map[string]any{"order_id": foreign, "page_no": 1, "page_size": 10}, list(), page{1, 10, 0, 0}},
		{"another enterprise's device_id", map[string]any{"device_id": simQ(0), "page_no": 1, "page_size": 10}, list(), page{1, 10, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.do(t, s.p, "/package/queryOrder", tt.params, nil)
			wantCode(t, resp, csss.CodeOK)
			var data struct {
				Page            page                `json:"page"`
				PackageOrder    []map[string]string `json:"package_order"`
				PackageOrderNum *int                `json:"package_order_num"`
			}
			if err := json.Unmarshal(signedData(t, resp), &data); err != nil {
				t.Fatal(err)
			}
			codes := map[string]bool{}
			for _, it := range data.PackageOrder {
				if !orderCodeRE.MatchString(it["orderCode"]) || codes[it["orderCode"]] {
					t.Errorf("orderCode %q of %s is not a unique L and 18 digits", it["orderCode"], it["orderId"])
				}
				codes[it["orderCode"]] = true
				delete(it, "orderCode")
			}
			if diff := cmp.Diff(tt.want, data.PackageOrder); diff != "" {
				t.Errorf("package_order (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantPage, data.Page); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
			if data.PackageOrderNum == nil || *data.PackageOrderNum != len(tt.want) {
				t.Errorf("package_order_num = %v, want %d", data.PackageOrderNum, len(tt.want))
			}
		})
	}

	t.Run("typed FindOrders", func(t *testing.T) {
		orders, total, err := s.p.FindOrders(t.Context(), opencube.OrderFilter{ICCID: simP(0), Page: opencube.PageOf(1, 10)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range orders {
			got = append(got, fmt.Sprintf("%s %d %d %s", o.ID, o.Status, o.BuyType, o.OrderedAt.Format(time.DateTime)))
		}
		want := []string{b + " 1 1 2024-01-31 10:01:00", a + " 2 2 2024-01-31 10:00:00"}
		if diff := cmp.Diff(want, got); diff != "" || total != 2 {
			t.Errorf("FindOrders total %d (want 2) (-want +got):\n%s", total, diff)
		}
	})
}

func TestCSSSOpenOrder(t *testing.T) {
	s := startServer(t)
	first := s.mustOrder(t, s.p, planMonthly.order(simP(0), false))
	second := s.mustOrder(t, s.p, planDaily.order(simP(1), false))
	ota := s.ok(t, s.q, "/package/createOtaOrder", planOTA.ota(simQ(0)))["order_id"].(string)
	s.clock.Set(clockStart.Add(2 * time.Hour))

	tests := []struct {
		name   string
		c      string
		params map[string]any
		want   string
	}{
		{"by order_id", entP, map[string]any{"order_id": first},
			`{"order_id":"` + first + `","order_start_date":"20240131","order_expire_date":"20240228"}`},
		{"with the matching device_id", entP, map[string]any{"order_id": second, "device_id": simP(1)},
			`{"order_id":"` + second + `","order_start_date":"20240131","order_expire_date":"20240131"}`},
		{"an OTA order counts its days", entQ, map[string]any{"order_id": ota},
			`{"order_id":"` + ota + `","order_start_date":"20240131","order_expire_date":"20250128"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := s.of(tt.c)
			resp := s.do(t, c, "/package/openOrder", tt.params, nil)
			wantCode(t, resp, csss.CodeOK)
			diffJSON(t, "data", signedData(t, resp), tt.want)
			item := s.order(t, c, tt.params["order_id"].(string))
			if item["orderStatus"] != "2" || item["openDate"] != "2024-01-31 12:00:00" {
				t.Errorf("after openOrder: status %s, openDate %s", item["orderStatus"], item["openDate"])
			}
		})
	}
	t.Run("typed EnableOrder", func(t *testing.T) {
		id := s.mustOrder(t, s.p, planUnlimited.order(simP(2), false))
		o, err := s.p.EnableOrder(t.Context(), id, "")
		if err != nil {
			t.Fatal(err)
		}
		if o.ID != id || o.Status != opencube.OrderInUse || o.StartedAt.Format("20060102") != "20240131" || o.ExpiresAt.Format(time.DateTime) != "2024-01-31 23:59:59" {
			t.Errorf("EnableOrder = %+v", o)
		}
	})
}

func TestCSSSCancelOrder(t *testing.T) {
	s := startServer(t)
	id := s.mustOrder(t, s.p, planMonthly.order(simP(0), false))
	renewed := s.mustOrder(t, s.p, planMonthly.order(simP(1), false))
	s.ok(t, s.p, "/package/renewPackage", map[string]any{"order_id": renewed, "renew_period": 1})
	for _, tt := range []struct{ name, id, iccid string }{
		{"not enabled", id, simP(0)},
		{"not enabled and renewed", renewed, simP(1)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.do(t, s.p, "/package/cancelOrder", map[string]any{"order_id": tt.id}, nil)
			wantCode(t, resp, csss.CodeOK)
			diffJSON(t, "data", signedData(t, resp), `{"order_id":"`+tt.id+`","device_id":"`+tt.iccid+`","order_status":"6"}`)
			if item := s.order(t, s.p, tt.id); item["orderStatus"] != "6" {
				t.Errorf("orderStatus %s after cancelOrder, want 6", item["orderStatus"])
			}
		})
	}
	t.Run("typed CancelOrder", func(t *testing.T) {
		id := s.mustOrder(t, s.p, planMonthly.order(simP(2), false))
		o, err := s.p.CancelOrder(t.Context(), id)
		if err != nil || o.ID != id || o.Status != opencube.OrderCancelled || o.ICCID != simP(2) {
			t.Errorf("CancelOrder = %+v, %v", o, err)
		}
	})
}

func TestCSSSEndOrder(t *testing.T) {
	s := startServer(t)
	byID := s.mustOrder(t, s.p, planMonthly.order(simP(0), true))
	byDevice := s.mustOrder(t, s.p, planMonthly.order(simP(1), true))
	suspended := s.mustOrder(t, s.p, planMonthly.order(simP(2), true))
	s.ok(t, s.p, "/device/pauseService", map[string]any{"device_id": simP(2)})
	noNext := s.mustOrder(t, s.p, planMonthly.order(simP(3), true))

	// simP(4): one in use and three not enabled, ordered a minute apart; one
	// of those is cancelled, and the oldest is on another SIM.
	running := s.mustOrder(t, s.p, planMonthly.order(simP(4), true))
	s.clock.Advance(time.Minute)
	otherSIM := s.mustOrder(t, s.p, planDaily.order(simP(5), false))
	s.clock.Advance(time.Minute)
	cancelled := s.mustOrder(t, s.p, planDaily.order(simP(4), false))
	s.ok(t, s.p, "/package/cancelOrder", map[string]any{"order_id": cancelled})
	s.clock.Advance(time.Minute)
	oldest := s.mustOrder(t, s.p, withParams(planDaily.order(simP(4), false), "order_period", "2"))
	s.clock.Advance(time.Minute)
	newest := s.mustOrder(t, s.p, planUnlimited.order(simP(4), false))

	s.clock.Set(time.Date(2024, 2, 10, 9, 30, 0, 0, opencube.BusinessZone))
	s.checkData(t, "/package/endOrder", []dataCase{
		{"by order_id", entP, map[string]any{"order_id": byID}, `{"order_id":"` + byID + `","device_id":"` + simP(0) + `","order_status":"5"}`},
		{"by device_id", entP, map[string]any{"device_id": simP(1)}, `{"order_id":"` + byDevice + `","device_id":"` + simP(1) + `","order_status":"5"}`},
		{"a suspended order", entP, map[string]any{"order_id": suspended, "keep_alive": "0"}, `{"order_id":"` + suspended + `","device_id":"` + simP(2) + `","order_status":"5"}`},
		{"keep_alive with nothing to start", entP, map[string]any{"device_id": simP(3), "keep_alive": "1"}, `{"order_id":"` + noNext + `","device_id":"` + simP(3) + `","order_status":"5"}`},
		{"keep_alive starts the oldest not-enabled order", entP, map[string]any{"order_id": running, "device_id": simP(4), "keep_alive": "1"},
			`{"order_id":"` + running + `","device_id":"` + simP(4) + `","order_status":"5"}`},
	})
	t.Run("states afterwards", func(t *testing.T) {
		got := map[string]string{}
		for _, id := range []string{byID, byDevice, suspended, noNext, running, otherSIM, cancelled, oldest, newest} {
			got[id] = s.order(t, s.p, id)["orderStatus"]
		}
		want := map[string]string{byID: "5", byDevice: "5", suspended: "5", noNext: "5", running: "5",
			otherSIM: "1", cancelled: "6", oldest: "2", newest: "1"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("orderStatus (-want +got):\n%s", diff)
		}
		item := s.order(t, s.p, oldest)
		dates := [3]string{item["startDate"], item["openDate"], item["expireDate"]}
		if want := [3]string{"2024-02-10 00:00:00", "2024-02-10 09:30:00", "2024-02-11 23:59:59"}; dates != want {
			t.Errorf("started order's startDate, openDate, expireDate = %q, want %q", dates, want)
		}
	})
	t.Run("typed EndOrder", func(t *testing.T) {
		o, err := s.p.EndOrder(t.Context(), opencube.EndOrderRequest{ICCID: simP(4)})
		if err != nil || o.ID != oldest || o.Status != opencube.OrderEnded {
			t.Errorf("EndOrder = %+v, %v", o, err)
		}
	})
}

func TestCSSSPauseResume(t *testing.T) {
	s := startServer(t)
	id := s.mustOrder(t, s.p, planMonthly.order(simP(0), true))
	other := s.mustOrder(t, s.p, planMonthly.order(simP(1), true))
	status := func(id, iccid, st string) string {
		return `{"order_id":"` + id + `","device_id":"` + iccid + `","order_status":"` + st + `"}`
	}
	steps := []struct {
		name, path string
		params     map[string]any
		want       string
	}{
		{"pause by device_id", "/device/pauseService", map[string]any{"device_id": simP(0)}, status(id, simP(0), "3")},
		{"resume by device_id", "/device/resumeService", map[string]any{"device_id": simP(0)}, status(id, simP(0), "2")},
		{"pause by device_id and order_id", "/device/pauseService", map[string]any{"device_id": simP(1), "order_id": other}, status(other, simP(1), "3")},
		{"renew while suspended", "/package/renewPackage", map[string]any{"order_id": other, "renew_period": 1},
			`{"order_expire_date":"2024-03-30 23:59:59","order_id":"` + other + `"}`},
		{"resume by device_id and order_id", "/device/resumeService", map[string]any{"device_id": simP(1), "order_id": other}, status(other, simP(1), "2")},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			s.clock.Advance(24 * time.Hour)
			resp := s.do(t, s.p, st.path, st.params, nil)
			wantCode(t, resp, csss.CodeOK)
			diffJSON(t, "data", signedData(t, resp), st.want)
		})
	}
	t.Run("suspension does not extend validity", func(t *testing.T) {
		if got := s.order(t, s.p, id)["expireDate"]; got != "2024-02-28 23:59:59" {
			t.Errorf("expireDate after pause and resume = %s, want 2024-02-28 23:59:59", got)
		}
	})
	t.Run("typed SuspendOrder and ResumeOrder", func(t *testing.T) {
		o, err := s.p.SuspendOrder(t.Context(), simP(0), "")
		if err != nil || o.ID != id || o.Status != opencube.OrderSuspended {
			t.Fatalf("SuspendOrder = %+v, %v", o, err)
		}
		o, err = s.p.ResumeOrder(t.Context(), simP(0), id)
		if err != nil || o.ID != id || o.Status != opencube.OrderInUse {
			t.Fatalf("ResumeOrder = %+v, %v", o, err)
		}
	})
}

func TestCSSSQueryDevicePackages(t *testing.T) {
	s := startServer(t)
	pPlans := `[` + dailyItem + `,` + unlimitedItem + `,` + monthlyItem + `,` + esimCoreItems + `]`
	dev := func(iccid, plans string) string { return `{"device_id":"` + iccid + `","package_list":` + plans + `}` }
	s.checkData(t, "/package/queryDevicePackages", []dataCase{
		{"a deviceList", entP, map[string]any{"deviceList": []string{simP(3), simP(1)}, "page_no": 1, "page_size": 10},
			`{"page":{"cur_page_no":1,"page_size":10,"total_count":2,"total_pages":1},"device_package":[` + dev(simP(3), pPlans) + `,` + dev(simP(1), pPlans) + `]}`},
		{"one device_id", entP, map[string]any{"device_id": simP(9), "page_no": 1, "page_size": 10},
			`{"page":{"cur_page_no":1,"page_size":10,"total_count":1,"total_pages":1},"device_package":[` + dev(simP(9), pPlans) + `]}`},
		{"every SIM, page 2", entP, map[string]any{"page_no": 2, "page_size": 4},
			`{"page":{"cur_page_no":2,"page_size":4,"total_count":10,"total_pages":3},"device_package":[` +
				dev(simP(4), pPlans) + `,` + dev(simP(5), pPlans) + `,` + dev(simP(6), pPlans) + `,` + dev(simP(7), pPlans) + `]}`},
		{"a deviceList, page 2", entP, map[string]any{"deviceList": []string{simP(0), simP(1), simP(2)}, "page_no": 2, "page_size": 2},
			`{"page":{"cur_page_no":2,"page_size":2,"total_count":3,"total_pages":2},"device_package":[` + dev(simP(2), pPlans) + `]}`},
		{"OTA SIMs get the OTA plan", entQ, map[string]any{"deviceList": []string{simQ(0)}, "page_no": 1, "page_size": 1},
			`{"page":{"cur_page_no":1,"page_size":1,"total_count":1,"total_pages":1},"device_package":[` + dev(simQ(0), `[`+otaItem+`]`) + `]}`},
	})
	t.Run("a non-OTA SIM of the OTA enterprise gets no OTA plan", func(t *testing.T) {
		s.importSIMs(t, &opencube.SIM{ICCID: "89852022018041800500", IMSI: "454008041800500", EnterpriseCode: entQ})
		resp := s.do(t, s.q, "/package/queryDevicePackages", map[string]any{"device_id": "89852022018041800500", "page_no": 1, "page_size": 1}, nil)
		wantCode(t, resp, csss.CodeOK)
		diffJSON(t, "data", signedData(t, resp),
			`{"page":{"cur_page_no":1,"page_size":1,"total_count":1,"total_pages":1},"device_package":[`+dev("89852022018041800500", `[]`)+`]}`)
	})
	t.Run("typed FindDevicePlans", func(t *testing.T) {
		dps, total, err := s.p.FindDevicePlans(t.Context(), []string{simP(0)}, opencube.PageOf(1, 5))
		if err != nil || total != 1 || len(dps) != 1 || dps[0].ICCID != simP(0) || len(dps[0].Plans) != 7 {
			t.Errorf("FindDevicePlans = %+v, %d, %v", dps, total, err)
		}
	})
}

func TestCSSSCreateOtaOrder(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		name   string
		params map[string]any
		expire string // after openOrder at clockStart
	}{
		{"the documented example", planOTA.ota(simQ(0)), "20250128"},
		{"timing_type 2, an mcc, 30 days", withParams(planOTA.ota(simQ(1)), "timing_type", "2", "mcc", "460", "days", 30), "20240229"},
		{"days as a string, two periods", withParams(planOTA.ota(simQ(2)), "days", "7", "order_period", "2"), "20240206"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.do(t, s.q, "/package/createOtaOrder", tt.params, nil)
			wantCode(t, resp, csss.CodeOK)
			id := dataOf(t, resp)["order_id"].(string)
			checkOrderID(t, id)
			want := `{"code":"0000","data":{"sign":null,"order_id":"` + id + `","order_start_date":null,"order_expire_date":null},"message":"成功","success":true}`
			if string(resp.Body) != want {
				t.Errorf("body\n got %s\nwant %s", resp.Body, want)
			}
			item := s.order(t, s.q, id)
			if item["isOta"] != "1" || item["orderStatus"] != "1" || item["packageCode"] != planOTA.code || item["flow"] != "102400" {
				t.Errorf("queryOrder item %v", item)
			}
			d := s.ok(t, s.q, "/package/openOrder", map[string]any{"order_id": id})
			if d["order_start_date"] != "20240131" || d["order_expire_date"] != tt.expire {
				t.Errorf("openOrder dates %v - %v, want 20240131 - %s", d["order_start_date"], d["order_expire_date"], tt.expire)
			}
		})
	}
	t.Run("typed OrderPlan with days", func(t *testing.T) {
		o, err := s.q.OrderPlan(t.Context(), opencube.OrderRequest{
			ICCID: simQ(3), PlanCode: planOTA.code, PlanName: planOTA.name, PlanType: opencube.PlanDaily,
			OrderPeriod: 1, PayType: "1", Days: 364, TimingType: opencube.TimingFirstAttach,
		})
		if err != nil {
			t.Fatal(err)
		}
		checkOrderID(t, o.ID)
		if o.StartedAt != nil || o.ExpiresAt != nil || o.ICCID != simQ(3) || o.Status != opencube.OrderNotEnabled {
			t.Errorf("OrderPlan = %+v", o)
		}
	})
}

// TestCSSSSameInstant sends different requests about one order while the
// clock stands still: each is its own request (D5 remembers signs, not
// instants) and each must run; the same body on another path is refused
// (D25: the clock standing still, the timestamps are the same).
func TestCSSSSameInstant(t *testing.T) {
	s := startServer(t)
	id := s.mustOrder(t, s.p, planMonthly.order(simP(0), true))
	steps := []struct {
		path   string
		params map[string]any
		code   string
		want   string // order_status or order_expire_date
	}{
		{"/package/renewPackage", map[string]any{"order_id": id, "renew_period": 1}, csss.CodeOK, "2024-03-30 23:59:59"},
		{"/package/renewPackage", map[string]any{"order_id": id, "renew_period": 2}, csss.CodeOK, "2024-05-30 23:59:59"},
		{"/device/pauseService", map[string]any{"device_id": simP(0)}, csss.CodeOK, "3"},
		{"/device/resumeService", map[string]any{"device_id": simP(0), "order_id": id}, csss.CodeOK, "2"},
		{"/device/pauseService", map[string]any{"device_id": simP(0), "order_id": id}, csss.CodeSignature, ""},
		{"/device/resumeService", map[string]any{"device_id": simP(0)}, csss.CodeSignature, ""},
	}
	for i, st := range steps {
		resp, err := s.p.Do(t.Context(), st.path, st.params, nil) // the clock does not move
		if err != nil {
			t.Fatal(err)
		}
		if resp.Code != st.code {
			t.Fatalf("step %d %s: %s, want code %s", i, st.path, resp.Body, st.code)
		}
		if st.code != csss.CodeOK {
			continue
		}
		d := dataOf(t, resp)
		if got, _ := d["order_status"].(string); got != st.want && d["order_expire_date"] != st.want {
			t.Errorf("step %d %s: data %v, want %s", i, st.path, d, st.want)
		}
	}
	if item := s.order(t, s.p, id); item["renewPeriod"] != "3" || item["orderStatus"] != "2" {
		t.Errorf("renewPeriod %s orderStatus %s, want 3 and 2", item["renewPeriod"], item["orderStatus"])
	}
}
