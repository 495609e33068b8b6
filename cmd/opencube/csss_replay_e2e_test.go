package main

// Replays and retries (D5), bulk all-or-nothing (D15), tenancy (D17) and
// response signs (D8).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
)

// post sends a body as it is.
func (s *e2eServer) post(t *testing.T, c *client.Client, path string, body []byte, header http.Header) *client.Response {
	t.Helper()
	resp, err := c.Post(t.Context(), path, body, header)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return resp
}

// body signs params now.
func (s *e2eServer) body(t *testing.T, c *client.Client, params map[string]any) []byte {
	t.Helper()
	s.clock.Advance(time.Millisecond)
	b, err := c.Body(params)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCSSSReplay(t *testing.T) {
	s := startServer(t)

	t.Run("the same body twice orders once and answers the same bytes", func(t *testing.T) {
		body := s.body(t, s.p, planMonthly.order(simP(0), false))
		first := s.post(t, s.p, "/package/orderPackage", body, nil)
		wantCode(t, first, csss.CodeOK)
		for _, retry := range []struct{ path, lang string }{
			{"/package/orderPackage", ""},
			{"/package/orderPackage", "en-US"},
			{csss.Prefix + "/package/orderPackage", "en-US"},
		} {
			s.clock.Advance(time.Second)
			again := s.post(t, s.p, retry.path, body, langHeader(retry.lang))
			if !bytes.Equal(again.Body, first.Body) {
				t.Errorf("retry at %s in %q answered\n%s\nwant the first answer\n%s", retry.path, retry.lang, again.Body, first.Body)
			}
		}
		if n := len(s.orders(t, s.p, map[string]any{"device_id": simP(0)})); n != 1 {
			t.Errorf("%d orders after a request and its retries, want 1", n)
		}
	})

	t.Run("a retried move answers its first outcome", func(t *testing.T) {
		id := s.mustOrder(t, s.p, planMonthly.order(simP(1), false))
		body := s.body(t, s.p, map[string]any{"order_id": id})
		first := s.post(t, s.p, "/package/cancelOrder", body, nil)
		wantCode(t, first, csss.CodeOK)
		again := s.post(t, s.p, "/package/cancelOrder", body, nil)
		if !bytes.Equal(again.Body, first.Body) {
			t.Errorf("retry answered %s, want the first answer %s", again.Body, first.Body)
		}
	})

	t.Run("a retried renewal renews once", func(t *testing.T) {
		id := s.mustOrder(t, s.p, planMonthly.order(simP(2), true))
		body := s.body(t, s.p, map[string]any{"order_id": id, "renew_period": 1})
		for range 3 {
			wantCode(t, s.post(t, s.p, "/package/renewPackage", body, nil), csss.CodeOK)
		}
		if item := s.order(t, s.p, id); item["renewPeriod"] != "1" || item["expireDate"] != "2024-03-30 23:59:59" {
			t.Errorf("after three copies of one renewal: renewPeriod %s, expireDate %s", item["renewPeriod"], item["expireDate"])
		}
	})

	t.Run("the same body on another path is refused (D25)", func(t *testing.T) {
		id := s.mustOrder(t, s.p, planMonthly.order(simP(3), false))
		body := s.body(t, s.p, map[string]any{"order_id": id})
		opened := s.post(t, s.p, "/package/openOrder", body, nil)
		wantCode(t, opened, csss.CodeOK)
		ended := s.post(t, s.p, "/package/endOrder", body, langHeader("en-US"))
		wantCode(t, ended, csss.CodeSignature)
		if msg := ended.Message; !strings.Contains(msg, "already used for another request") {
			t.Errorf("endOrder with openOrder's body: message %q", msg)
		}
		// openOrder's body again is a retry of openOrder, not a new try.
		if again := s.post(t, s.p, "/package/openOrder", body, nil); !bytes.Equal(again.Body, opened.Body) {
			t.Errorf("openOrder retry answered %s, want %s", again.Body, opened.Body)
		}
		if st := s.order(t, s.p, id)["orderStatus"]; st != "2" {
			t.Errorf("orderStatus %s, want 2: the refused endOrder ended it", st)
		}
	})

	t.Run("an Idempotency-Key longer than the bound answers 1001", func(t *testing.T) {
		body := s.body(t, s.p, planMonthly.order(simP(6), false))
		long := http.Header{"Idempotency-Key": {strings.Repeat("k", csss.MaxIdempotencyKey+1)}}
		r := s.post(t, s.p, "/package/orderPackage", body, long)
		wantCode(t, r, csss.CodeInvalid)
		if !strings.Contains(r.Message, "Idempotency-Key") {
			t.Errorf("message %q does not name the header", r.Message)
		}
		ok := http.Header{"Idempotency-Key": {strings.Repeat("k", csss.MaxIdempotencyKey)}}
		wantCode(t, s.post(t, s.p, "/package/orderPackage", body, ok), csss.CodeOK)
	})

	t.Run("errors are replayed too", func(t *testing.T) {
		body := s.body(t, s.p, map[string]any{"order_id": "ORDER_99999999999999999"})
		first := s.post(t, s.p, "/package/cancelOrder", body, langHeader("en-US"))
		wantCode(t, first, csss.CodeOrderNotFound)
		if again := s.post(t, s.p, "/package/cancelOrder", body, nil); !bytes.Equal(again.Body, first.Body) {
			t.Errorf("retry answered %s, want %s", again.Body, first.Body)
		}
	})

	t.Run("concurrent copies run once", func(t *testing.T) {
		body := s.body(t, s.p, planDaily.order(simP(4), false))
		const n = 8
		answers := make([][]byte, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				resp, err := s.p.Post(t.Context(), "/package/orderPackage", body, nil)
				if err != nil {
					t.Error(err)
					return
				}
				answers[i] = resp.Body
			})
		}
		wg.Wait()
		for i := 1; i < n; i++ {
			if !bytes.Equal(answers[i], answers[0]) {
				t.Errorf("copy %d answered %s, copy 0 %s", i, answers[i], answers[0])
			}
		}
		if got := len(s.orders(t, s.p, map[string]any{"device_id": simP(4)})); got != 1 {
			t.Errorf("%d orders from %d concurrent copies, want 1", got, n)
		}
	})

	t.Run("a copy after the window is stale", func(t *testing.T) {
		body := s.body(t, s.p, planDaily.order(simP(5), false))
		wantCode(t, s.post(t, s.p, "/package/orderPackage", body, nil), csss.CodeOK)
		s.clock.Advance(601 * time.Second)
		wantCode(t, s.post(t, s.p, "/package/orderPackage", body, nil), csss.CodeTimestamp)
		if got := len(s.orders(t, s.p, map[string]any{"device_id": simP(5)})); got != 1 {
			t.Errorf("%d orders, want 1", got)
		}
	})
}

func TestCSSSIdempotencyKey(t *testing.T) {
	s := startServer(t)
	key := func(k string) http.Header { return http.Header{"Idempotency-Key": {k}} }
	order := planMonthly.order(simP(0), false)

	first := s.do(t, s.p, "/package/orderPackage", order, key("order-1"))
	wantCode(t, first, csss.CodeOK)

	t.Run("same key and body, new timestamp and sign: the first answer", func(t *testing.T) {
		for _, h := range []http.Header{key("order-1"), {"Idempotency-Key": {"order-1"}, "Accept-Language": {"en-US"}}} {
			s.clock.Advance(time.Minute)
			again := s.do(t, s.p, "/package/orderPackage", order, h)
			if !bytes.Equal(again.Body, first.Body) {
				t.Errorf("retry answered %s, want %s", again.Body, first.Body)
			}
		}
		s.clock.Advance(time.Minute)
		if again := s.do(t, s.p, csss.Prefix+"/package/orderPackage", order, key("order-1")); !bytes.Equal(again.Body, first.Body) {
			t.Errorf("retry under %s answered %s, want %s", csss.Prefix, again.Body, first.Body)
		}
		if n := len(s.orders(t, s.p, nil)); n != 1 {
			t.Errorf("%d orders, want 1", n)
		}
	})

	t.Run("same key, another request: 1008", func(t *testing.T) {
		for _, tc := range []errCase{
			{name: "another body", path: "/package/orderPackage", params: withParams(order, "device_id", simP(1)), code: "1008"},
			{name: "another value type", path: "/package/orderPackage", params: withParams(order, "order_period", 1), code: "1008"},
			{name: "another path", path: "/package/batchOrderPackages", params: order, code: "1008"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, al := range []string{"", "en-US"} {
					h := key("order-1")
					if al != "" {
						h.Set("Accept-Language", al)
					}
					resp := s.do(t, s.p, tc.path, tc.params, h)
					if resp.Code != tc.code || resp.Status != http.StatusOK || string(resp.Data) != "null" || resp.Message != codeMessage(tc.code, al, "") {
						t.Errorf("Accept-Language %q: answered HTTP %d %s", al, resp.Status, resp.Body)
					}
				}
			})
		}
		if n := len(s.orders(t, s.p, nil)); n != 1 {
			t.Errorf("%d orders, want 1", n)
		}
	})

	t.Run("a key never lets a signed body run twice", func(t *testing.T) {
		body := s.body(t, s.p, planDaily.order(simP(2), false))
		first := s.post(t, s.p, "/package/orderPackage", body, key("order-2"))
		wantCode(t, first, csss.CodeOK)
		for _, h := range []http.Header{nil, key("order-3"), key("order-2")} {
			if again := s.post(t, s.p, "/package/orderPackage", body, h); !bytes.Equal(again.Body, first.Body) {
				t.Errorf("the same body with header %v answered %s, want %s", h, again.Body, first.Body)
			}
		}
		if n := len(s.orders(t, s.p, map[string]any{"device_id": simP(2)})); n != 1 {
			t.Errorf("%d orders, want 1", n)
		}
	})

	t.Run("keys belong to one enterprise", func(t *testing.T) {
		resp := s.do(t, s.q, "/package/queryPackage", nil, key("order-1"))
		wantCode(t, resp, csss.CodeOK)
	})

	t.Run("a key is remembered for 24 hours", func(t *testing.T) {
		s.clock.Set(clockStart.Add(24*time.Hour - time.Second))
		if again := s.do(t, s.p, "/package/orderPackage", order, key("order-1")); !bytes.Equal(again.Body, first.Body) {
			t.Errorf("retry after 23:59:59 answered %s, want %s", again.Body, first.Body)
		}
		s.clock.Set(clockStart.Add(24*time.Hour + time.Second))
		again := s.do(t, s.p, "/package/orderPackage", order, key("order-1"))
		wantCode(t, again, csss.CodeOK)
		if bytes.Equal(again.Body, first.Body) {
			t.Errorf("after 24 h the key still answers the first order")
		}
		if n := len(s.orders(t, s.p, map[string]any{"device_id": simP(0)})); n != 2 {
			t.Errorf("%d orders, want 2", n)
		}
	})
}

func TestCSSSBulkAllOrNothing(t *testing.T) {
	s := startServer(t)
	plain := "89852022018041800500"
	suspended := "89852022018041800600"
	s.importSIMs(t,
		&opencube.SIM{ICCID: plain, IMSI: "454008041800500", EnterpriseCode: entQ},
		&opencube.SIM{ICCID: suspended, IMSI: "454008041800600", EnterpriseCode: entP, Status: opencube.SIMSuspended})
	busy := s.mustOrder(t, s.p, planMonthly.order(simP(3), true))
	qBefore := len(s.orders(t, s.q, nil))
	eventsBefore, err := s.m.Store.FindEvents(t.Context(), entP)
	if err != nil {
		t.Fatal(err)
	}
	bulk := func(p demoPlan, open bool, iccids ...string) map[string]any {
		return withParams(p.order("", open), "device_id", nil, "deviceList", iccids)
	}
	// failed is a device's item: its code and English message, which names
	// the cause (why) when the code's text does not say it all.
	failed := func(iccid, code string, why [2]string) string {
		return `{"error":"` + code + `","errorMsg":"` + codeMessage(code, "en", why[1]) + `","order_id":null,"device_id":"` + iccid +
			`","order_start_date":null,"order_expire_date":null}`
	}
	notFound := codeMessages["2001"] // the text of 2001 says why
	tests := []struct {
		name  string
		c     *client.Client
		body  map[string]any
		first string    // the ICCID the message names
		why   [2]string // why that device failed
		want  string    // data
	}{
		{"a foreign and an unknown ICCID among good ones", s.p,
			bulk(planMonthly, false, simP(0), simQ(0), simP(1), "89852022018041899999", simP(2)), simQ(0), notFound,
			`{"device_order":[` + failed(simQ(0), "2001", [2]string{}) + `,` + failed("89852022018041899999", "2001", [2]string{}) + `]}`},
		{"a SIM with an in-use order, is_open=1", s.p, bulk(planDaily, true, simP(4), simP(3), simP(5)), simP(3), activeOrder(busy),
			`{"device_order":[` + failed(simP(3), "2004", activeOrder(busy)) + `]}`},
		{"a suspended SIM", s.p, bulk(planDaily, false, simP(6), suspended), suspended, suspendedSIM,
			`{"device_order":[` + failed(suspended, "2007", suspendedSIM) + `]}`},
		{"failures of every kind, in request order", s.p, bulk(planDaily, true, suspended, simP(7), simP(3), simQ(1)), suspended, suspendedSIM,
			`{"device_order":[` + failed(suspended, "2007", suspendedSIM) + `,` + failed(simP(3), "2004", activeOrder(busy)) + `,` + failed(simQ(1), "2001", [2]string{}) + `]}`},
		{"an OTA plan for a non-OTA SIM", s.q, bulk(planOTA, false, simQ(0), plain, simQ(1)), plain, otaOnly,
			`{"device_order":[` + failed(plain, "2002", otaOnly) + `]}`},
		{"is_open=1 on OTA SIMs", s.q, bulk(planOTA, true, simQ(2), simQ(3)), simQ(2), otaIsOpen,
			`{"device_order":[` + failed(simQ(2), "2005", otaIsOpen) + `,` + failed(simQ(3), "2005", otaIsOpen) + `]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, al := range []string{"", "en-US"} {
				resp := s.do(t, tt.c, "/package/batchOrderPackages", tt.body, langHeader(al))
				if resp.Code != csss.CodeBulkRejected || resp.Success || resp.Status != http.StatusOK {
					t.Fatalf("answered HTTP %d %s", resp.Status, resp.Body)
				}
				if want := codeMessage("2006", al, tt.first) + ": " + inLang(al, tt.why); resp.Message != want {
					t.Errorf("message %q, want %q", resp.Message, want)
				}
				diffJSON(t, "data", resp.Data, tt.want)
			}
		})
	}
	t.Run("nothing was written", func(t *testing.T) {
		items := s.orders(t, s.p, nil)
		if len(items) != 1 || items[0]["orderId"] != busy || items[0]["orderStatus"] != "2" {
			t.Errorf("P000270's orders after failed bulk orders: %v, want only %s in use", items, busy)
		}
		if n := len(s.orders(t, s.q, nil)); n != qBefore {
			t.Errorf("QY-000001 has %d orders, want %d", n, qBefore)
		}
		events, err := s.m.Store.FindEvents(t.Context(), entP)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != len(eventsBefore) {
			t.Errorf("P000270 has %d events, want %d: failed bulk orders notify nothing", len(events), len(eventsBefore))
		}
	})
	t.Run("typed OrderPlans reports the code", func(t *testing.T) {
		_, err := s.p.OrderPlans(t.Context(), opencube.BulkOrderRequest{
			OrderRequest: opencube.OrderRequest{PlanCode: planDaily.code, PlanName: planDaily.name, PlanType: opencube.PlanDaily, OrderPeriod: 1},
			ICCIDs:       []string{simP(0), simQ(0)},
		})
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Code != "2006" || opencube.ErrorKind(err) != opencube.KindBulkRejected {
			t.Errorf("OrderPlans error %v, want a 2006 client.Error of kind %s", err, opencube.KindBulkRejected)
		}
	})
}

func TestCSSSTenancy(t *testing.T) {
	s := startServer(t)
	notEnabled := s.mustOrder(t, s.p, planMonthly.order(simP(0), false))
	inUse := s.mustOrder(t, s.p, planMonthly.order(simP(1), true))
	const (
		missingOrder = "ORDER_99999999999999999"
		missingSIM   = "89852022018041899999"
	)
	// Each pair: QY-000001 reaching for P000270's object, and for one that
	// does not exist. The answers must be the same, byte for byte.
	tests := []struct {
		name           string
		path           string
		foreign, alone map[string]any
		code           string
	}{
		{"openOrder", "/package/openOrder", map[string]any{"order_id": notEnabled}, map[string]any{"order_id": missingOrder}, "2003"},
		{"cancelOrder", "/package/cancelOrder", map[string]any{"order_id": notEnabled}, map[string]any{"order_id": missingOrder}, "2003"},
		{"renewPackage", "/package/renewPackage", map[string]any{"order_id": inUse, "renew_period": 1}, map[string]any{"order_id": missingOrder, "renew_period": 1}, "2003"},
		{"endOrder by order_id", "/package/endOrder", map[string]any{"order_id": inUse}, map[string]any{"order_id": missingOrder}, "2003"},
		{"endOrder by device_id", "/package/endOrder", map[string]any{"device_id": simP(1)}, map[string]any{"device_id": missingSIM}, "2001"},
		{"pauseService by device_id", "/device/pauseService", map[string]any{"device_id": simP(1)}, map[string]any{"device_id": missingSIM}, "2001"},
		{"pauseService of the order of an own SIM", "/device/pauseService", map[string]any{"device_id": simQ(0), "order_id": inUse}, map[string]any{"device_id": simQ(0), "order_id": missingOrder}, "2003"},
		{"resumeService by device_id", "/device/resumeService", map[string]any{"device_id": simP(1)}, map[string]any{"device_id": missingSIM}, "2001"},
		{"orderPackage for the SIM", "/package/orderPackage", planOTA.order(simP(2), false), planOTA.order(missingSIM, false), "2001"},
		{"createOtaOrder for the SIM", "/package/createOtaOrder", planOTA.ota(simP(2)), planOTA.ota(missingSIM), "2001"},
		{"queryDevicePackages of the SIM", "/package/queryDevicePackages", map[string]any{"device_id": simP(2), "page_no": 1, "page_size": 1}, map[string]any{"device_id": missingSIM, "page_no": 1, "page_size": 1}, "2001"},
		{"orderPackage of the other enterprise's plan", "/package/orderPackage", planMonthly.order(simQ(0), false), withParams(planMonthly.order(simQ(0), false), "package_code", "DP00000000000000"), "2002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, al := range []string{"", "en-US"} {
				foreign := s.do(t, s.q, tt.path, tt.foreign, langHeader(al))
				alone := s.do(t, s.q, tt.path, tt.alone, langHeader(al))
				wantCode(t, foreign, tt.code)
				if !bytes.Equal(foreign.Body, alone.Body) {
					t.Errorf("another enterprise's object answered %s, a missing one %s", foreign.Body, alone.Body)
				}
			}
		})
	}
	t.Run("bulk order for the SIM", func(t *testing.T) {
		resp := s.do(t, s.q, "/package/batchOrderPackages", withParams(planOTA.order("", false), "device_id", nil, "deviceList", []string{simQ(0), simP(2)}), nil)
		wantCode(t, resp, csss.CodeBulkRejected)
		var d struct {
			DeviceOrder []map[string]any `json:"device_order"`
		}
		json.Unmarshal(resp.Data, &d)
		if len(d.DeviceOrder) != 1 || d.DeviceOrder[0]["device_id"] != simP(2) || d.DeviceOrder[0]["error"] != "2001" {
			t.Errorf("device_order %v, want %s with 2001", d.DeviceOrder, simP(2))
		}
	})
	t.Run("queryOrder sees nothing of the other enterprise", func(t *testing.T) {
		for _, filter := range []map[string]any{{"order_id": notEnabled}, {"order_id": inUse}, {"device_id": simP(1)}, {"order_id": missingOrder}} {
			resp := s.do(t, s.q, "/package/queryOrder", withParams(filter, "page_no", 1, "page_size", 10), nil)
			wantCode(t, resp, csss.CodeOK)
			diffJSON(t, "data", signedData(t, resp), `{"page":{"cur_page_no":1,"page_size":10,"total_count":0,"total_pages":0},"package_order":[],"package_order_num":0}`)
		}
	})
	t.Run("P000270's orders are untouched", func(t *testing.T) {
		got := map[string][2]string{}
		for _, id := range []string{notEnabled, inUse} {
			item := s.order(t, s.p, id)
			got[id] = [2]string{item["orderStatus"], item["renewPeriod"]}
		}
		if diff := cmp.Diff(map[string][2]string{notEnabled: {"1", "0"}, inUse: {"2", "0"}}, got); diff != "" {
			t.Errorf("orderStatus, renewPeriod (-want +got):\n%s", diff)
		}
	})
}

// TestCSSSResponseSign checks D8 beyond the routes' own tests: data.sign is
// made with the secret that verified the request, during a rotation too.
func TestCSSSResponseSign(t *testing.T) {
	s := startServer(t)
	const second = "opencube-second-secret"
	if _, err := s.m.Services.Admin.RotateSecret(t.Context(), entP, second); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{demoSecret, second} {
		t.Run(secret, func(t *testing.T) {
			c := s.client(entP, secret)
			resp := s.do(t, c, "/package/queryPackage", nil, nil)
			wantCode(t, resp, csss.CodeOK)
			checkDataSign(t, resp, secret)
			resp = s.do(t, c, "/package/queryOrder", map[string]any{"page_no": 1, "page_size": 1}, nil)
			wantCode(t, resp, csss.CodeOK)
			checkDataSign(t, resp, secret)
		})
	}
	t.Run("the sign covers the data as sent", func(t *testing.T) {
		resp := s.do(t, s.p, "/package/queryPackage", nil, nil)
		tampered := bytes.Replace(resp.Data, []byte(`"price":"5.00"`), []byte(`"price":"0.05"`), 1)
		if bytes.Equal(tampered, resp.Data) {
			t.Fatal("cannot tamper with the data")
		}
		var d map[string]json.RawMessage
		json.Unmarshal(tampered, &d)
		var sign string
		json.Unmarshal(d["sign"], &sign)
		delete(d, "sign")
		b, _ := json.Marshal(d)
		c, err := csss.Canonical(b)
		if err != nil {
			t.Fatal(err)
		}
		if csss.Sign(c, demoSecret) == sign {
			t.Error("the sign of the data also matches tampered data")
		}
	})
}

// TestCSSSSignBoundToPath: a request that changes state whose sign was used
// on another path is refused with 1002 and changes nothing; reads may repeat
// a sign across paths; the same sign on the same path (under either prefix)
// is a replay (D25).
func TestCSSSSignBoundToPath(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		name   string
		params func(id string) map[string]any
		first  string // path, then second
		second string
		want   string // the second's code; "replay" for the first's bytes
		status string // the order's status after both
	}{
		{"read then write", func(id string) map[string]any { return map[string]any{"order_id": id, "page_no": 1, "page_size": 10} },
			"/package/queryOrder", "/package/endOrder", csss.CodeSignature, "2"},
		{"write then write", func(id string) map[string]any { return map[string]any{"order_id": id} },
			"/package/renewPackage", "/package/endOrder", csss.CodeSignature, "2"},
		{"read then read", func(string) map[string]any { return map[string]any{"device_id": simP(5)} },
			"/device/queryDeviceInfo", "/flow/queryDeviceFlowUsage", csss.CodeOK, "2"},
		{"write then read", func(id string) map[string]any { return map[string]any{"order_id": id, "page_no": 1, "page_size": 10} },
			"/package/cancelOrder", "/package/queryOrder", csss.CodeOK, "2"},
		{"same path", func(id string) map[string]any { return map[string]any{"device_id": simP(5)} },
			"/device/pauseService", "/device/pauseService", "replay", "3"},
		{"same path under the other prefix", func(id string) map[string]any { return map[string]any{"device_id": simP(5)} },
			"/device/pauseService", csss.Prefix + "/device/pauseService", "replay", "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := s.mustOrder(t, s.p, planMonthly.order(simP(5), true))
			t.Cleanup(func() {
				s.clock.Advance(time.Second) // a body of its own
				if _, err := s.p.EndOrder(context.Background(), opencube.EndOrderRequest{OrderID: id}); err != nil {
					t.Errorf("end order %s: %v", id, err)
				}
			})
			params := tt.params(id)
			if tt.first == "/package/renewPackage" {
				params["renew_period"] = 1
			}
			body := s.body(t, s.p, params)
			first := s.post(t, s.p, tt.first, body, nil)
			if tt.first != "/package/cancelOrder" { // refused: the order is in use
				wantCode(t, first, csss.CodeOK)
			}
			second := s.post(t, s.p, tt.second, body, nil)
			switch {
			case tt.want == "replay":
				if !bytes.Equal(second.Body, first.Body) {
					t.Errorf("%s then %s answered %s, want the first answer %s", tt.first, tt.second, second.Body, first.Body)
				}
			default:
				wantCode(t, second, tt.want)
			}
			if st := s.order(t, s.p, id)["orderStatus"]; st != tt.status {
				t.Errorf("orderStatus %s, want %s", st, tt.status)
			}
		})
	}
}
