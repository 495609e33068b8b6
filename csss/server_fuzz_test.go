package csss_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sms"
	"github.com/opencube/opencube/storetest"
)

// FuzzServe posts arbitrary bodies, signed and unsigned, to every route: the
// server never panics and always answers with a well-formed envelope whose
// code is in the table, never a system error.
func FuzzServe(f *testing.F) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	store, svc := storetest.Demo(f, opencube.ClockFunc(func() time.Time { return now }))
	srv := csss.NewServer(svc.Orders, svc.SIMs, svc.Admin, store)
	srv.Clock = svc.Orders.Clock
	srv.SMS = service.NewSMS(store, svc.Orders.Clock, sms.NewSandbox(svc.Orders.Clock))
	h := srv.Handler()
	ts := strconv.FormatInt(now.Unix(), 10)
	for _, seed := range []string{
		`{"device_id":"89852022018041800192","global_order":"0","is_open":"0","order_period":"1","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","pay_amount":"0","pay_rst":"1","pay_type":"2","test_flow":"0","test_flow_flag":"0"}`,
		`{"page_no":1,"page_size":2}`,
		`{"deviceList":["89852022018041800192",""],"page_no":"1","page_size":100}`,
		`{"order_id":"ORDER_1","renew_period":1.5}`,
		`{"order_id":null,"device_id":{"a":1}}`,
		`[1,2]`,
		`not json`,
	} {
		for i := range csss.Routes {
			f.Add(uint8(i), []byte(seed), true)
		}
		f.Add(uint8(0), []byte(seed), false)
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte, sign bool) {
		rt := csss.Routes[int(route)%len(csss.Routes)]
		if sign {
			var p map[string]any
			if json.Unmarshal(body, &p) == nil && p != nil {
				p["access_code"], p["timestamp"], p["version"] = "P000270", ts, "2.0"
				delete(p, "sign")
				raw, _ := json.Marshal(p)
				if c, err := csss.Canonical(raw); err == nil {
					p["sign"] = csss.Sign(c, service.DemoSecret)
					body, _ = json.Marshal(p)
				}
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, rt.Path, bytes.NewReader(body)))
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d for %s", rec.Code, body)
		}
		var env struct {
			Code    string          `json:"code"`
			Data    json.RawMessage `json:"data"`
			Message string          `json:"message"`
			Success *bool           `json:"success"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Success == nil || env.Message == "" {
			t.Fatalf("not an envelope: %s", rec.Body)
		}
		if *env.Success != (env.Code == csss.CodeOK) {
			t.Fatalf("success %v with code %s", *env.Success, env.Code)
		}
		if env.Code == csss.CodeSystem || csss.Message(env.Code, csss.LangEN, "") == csss.Message(csss.CodeSystem, csss.LangEN, "") {
			t.Fatalf("system error or unknown code for %s: %s", body, rec.Body)
		}
	})
}
