package main

// The OpenAPI conformance test: a real server, real requests of every
// route of every protocol, each request and answer checked against the
// served /openapi.json by an independent implementation (kin-openapi).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/cubev4"
	"github.com/opencube/opencube/docs"
	"github.com/opencube/opencube/esim"
	"github.com/opencube/opencube/mall"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/stripepay"
)

// conformance is an http.RoundTripper that validates every request to the
// server under test, and its answer, against the OpenAPI document, and
// records which operations answered a success.
type conformance struct {
	t      *testing.T
	host   string
	router routers.Router
	base   http.RoundTripper

	mu       sync.Mutex
	ok, seen map[string]int // operationId: answers
}

func newConformance(t *testing.T, serverURL string, raw []byte) *conformance {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load /openapi.json: %v", err)
	}
	// The examples are checked by the docs package's test: here the
	// traffic is.
	if err := doc.Validate(t.Context(), openapi3.DisableExamplesValidation()); err != nil {
		t.Fatalf("validate /openapi.json: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: serverURL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(serverURL)
	return &conformance{t: t, host: u.Host, router: router, base: http.DefaultTransport, ok: map[string]int{}, seen: map[string]int{}}
}

func init() {
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("image/png", openapi3filter.FileBodyDecoder)
}

// RoundTrip implements http.RoundTripper.
func (c *conformance) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != c.host {
		return c.base.RoundTrip(req) // not the server under test (a webhook receiver)
	}
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	reset := func() { req.Body = io.NopCloser(bytes.NewReader(body)) }
	reset()
	name := req.Method + " " + req.URL.Path
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Errorf("%s: not in the document: %v", name, err)
		return c.base.RoundTrip(req)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil && !expectBad(req) {
		c.t.Errorf("%s: the request does not conform: %s\n%s", name, short(err), body)
	}
	reset()
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(answer)), Options: &openapi3filter.Options{MultiError: true}}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		c.t.Errorf("%s: the answer (HTTP %d) does not conform: %s\n%s", name, resp.StatusCode, short(err), answer)
	}
	c.mu.Lock()
	c.seen[route.Operation.OperationID]++
	if succeeded(resp.StatusCode, answer) {
		c.ok[route.Operation.OperationID]++
	}
	c.mu.Unlock()
	return resp, nil
}

// short is an error's message without the schemas kin-openapi prints.
func short(err error) string {
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if strings.Contains(l, "Schema:") {
			break
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, " ")
}

// expectBad says a request is sent wrong on purpose (its answer is still
// checked).
func expectBad(req *http.Request) bool { return req.Header.Get("X-Test-Bad") != "" }

// succeeded reports whether an answer is a success: HTTP 2xx, and code
// 0000 or 0 when it is an envelope.
func succeeded(status int, body []byte) bool {
	if status < 200 || status > 299 {
		return false
	}
	var env struct {
		Code    json.RawMessage `json:"code"`
		Message *string         `json:"message"`
		Status  *struct {
			Code string `json:"code"`
		} `json:"status"`
	}
	if json.Unmarshal(body, &env) == nil && env.Status != nil && env.Status.Code != "" {
		return env.Status.Code == cubev4.CodeOK // the Cube v4 envelope
	}
	if json.Unmarshal(body, &env) != nil || env.Code == nil || env.Message == nil {
		return true // not an envelope
	}
	c := string(env.Code)
	return c == `"0000"` || c == "0"
}

// TestOpenAPIConformance sends requests of every route of every protocol
// to a demo server, successes and failures, and checks each request and
// answer against the document the server serves; every operation of the
// document must have answered a success at least once.
func TestOpenAPIConformance(t *testing.T) {
	s := startShopServer(t, func(m *Main) { m.HLR.Register, m.HLR.Ctrl, m.HLR.Reconcile = "osmo", "127.0.0.1:1", 0 },
		withStripe(needStripeMock(t)))
	ctx := t.Context()
	resp, err := http.Get(s.m.URL() + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	c := newConformance(t, s.m.URL(), raw)
	saved := http.DefaultClient.Transport
	http.DefaultClient.Transport = c
	t.Cleanup(func() { http.DefaultClient.Transport = saved })
	ad := client.NewAdmin(s.m.URL(), shopAdminToken)

	// A webhook receiver, so that order moves make deliveries.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"code":"0000"}`) }))
	t.Cleanup(hook.Close)

	t.Run("admin setup", func(t *testing.T) {
		mustOK(t, ad.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "P000999", Name: "Conformance", Secrets: []string{"a-long-secret"}}))
		if _, err := ad.Enterprise(ctx, "P000999"); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.AddSecret(ctx, "P000999", "the-next-secret"); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.RateLimit(ctx, "P000999", &opencube.RateLimit{Rate: 50, Burst: 100}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.RateLimit(ctx, "P000999", nil); err != nil {
			t.Fatal(err)
		}
		mustOK(t, ad.CreatePlan(ctx, &opencube.Plan{Code: "DPC1", Name: "conformance month", Type: opencube.PlanMonthly, VolumeBytes: 100 * opencube.MB, PriceMinor: 1000, Currency: "CNY"}))
		mustOK(t, ad.GrantPlan(ctx, "P000999", "DPC1"))
		mustOK(t, ad.ImportSIMs(ctx, []*opencube.SIM{{ICCID: "89852022018041899001", IMSI: "454009999999001", EnterpriseCode: "P000999", Status: opencube.SIMActive}}))
		if _, err := ad.MoveSIM(ctx, "89852022018041899001", opencube.SIMSuspend); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.MoveSIM(ctx, "89852022018041899001", opencube.SIMActivate); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: hook.URL}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.FindWebhook(ctx, entP); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.RotateWebhookSecret(ctx, entP, time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: hook.URL, Format: opencube.WebhookV4}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.RotateNotificationKey(ctx, entP); err != nil {
			t.Fatal(err)
		}
		mustOK(t, ad.PutAlertSettings(ctx, &opencube.AlertSettings{EnterpriseCode: entP, Percents: []int{80, 100}, DaysBeforeExpiry: 3}))
		if _, err := ad.FindAlertSettings(ctx, entP); err != nil {
			t.Fatal(err)
		}
		// Billing.
		if _, err := ad.PutBilling(ctx, "P000999", admin.BillingRequest{Mode: "postpaid", Currency: "CNY", CreditLimit: "0", AlertBelow: "1.00"}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.Billing(ctx, "P000999"); err != nil {
			t.Fatal(err)
		}
		mustOK(t, ad.SetGrantPrice(ctx, "P000999", "DPC1", "8.50"))
		if _, err := ad.TopUp(ctx, "P000999", admin.TopUpRequest{Amount: "10.00", Currency: "CNY", Reason: "wire"}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.Adjust(ctx, "P000999", admin.AdjustmentRequest{Amount: "-1.25", Currency: "CNY", Reason: "fee"}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.Balance(ctx, "P000999"); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.Statement(ctx, "P000999", billing.MonthOf(s.clock.Now())); err != nil {
			t.Fatal(err)
		}
		if err := ad.ExportUsage(ctx, io.Discard, "P000999", billing.MonthOf(s.clock.Now()), "day"); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.VerifyLedger(ctx); err != nil {
			t.Fatal(err)
		}
		// Failures: unknown enterprise, a wrong token, a field out of range.
		if _, err := ad.Enterprise(ctx, "NOPE"); opencube.ErrorKind(err) == "" {
			t.Errorf("unknown enterprise: %v", err)
		}
		if _, err := client.NewAdmin(s.m.URL(), "wrong").Enterprise(ctx, entP); err == nil {
			t.Error("a wrong token was accepted")
		}
		if _, err := ad.ReduceOrder(ctx, "ORDER_00000000000000000", 0); err == nil {
			t.Error("reduce of an unknown order")
		}
	})

	t.Run("users and audit", func(t *testing.T) {
		if _, err := ad.Me(ctx); err != nil {
			t.Fatal(err)
		}
		u, err := ad.CreateUser(ctx, admin.UserRequest{Username: "conf-ops", Role: operator.RoleOperator, Password: "a good password"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ad.ListUsers(ctx, operator.UserQuery{Page: operator.Page{Limit: 10, Count: true}}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.User(ctx, u.Username); err != nil {
			t.Fatal(err)
		}
		tok, err := ad.CreateToken(ctx, u.Username, "ci")
		if err != nil {
			t.Fatal(err)
		}
		mustOK(t, ad.RevokeToken(ctx, u.Username, tok.ID))
		mustOK(t, ad.SetPassword(ctx, u.Username, "another good password"))
		if _, err := ad.DisableUser(ctx, u.Username, true); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.DisableUser(ctx, u.Username, false); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.Audit(ctx, operator.AuditQuery{Actor: "bootstrap"}); err != nil {
			t.Fatal(err)
		}
		// Failures: an unknown filter, a bad cursor.
		if _, err := ad.Audit(ctx, operator.AuditQuery{Page: operator.Page{Cursor: "nope"}}); opencube.ErrorKind(err) != opencube.KindInvalid {
			t.Errorf("bad cursor: %v", err)
		}
	})

	var orderA, orderB string
	t.Run("CSSS", func(t *testing.T) {
		p, q := s.p, s.q
		call := func(cl *client.Client, path string, params map[string]any, wantCode string) map[string]any {
			t.Helper()
			s.clock.Advance(time.Millisecond) // a timestamp, and so a sign, of its own (D25)
			var h http.Header
			if wantCode == "1001" {
				h = http.Header{"X-Test-Bad": {"1"}} // wrong on purpose
			}
			r, err := cl.Do(ctx, path, params, h)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if r.Code != wantCode {
				t.Fatalf("%s: %s %s, want %s", path, r.Code, r.Message, wantCode)
			}
			var data map[string]any
			json.Unmarshal(r.Data, &data)
			return data
		}
		order := func(sim string, periods int) map[string]any {
			return map[string]any{"device_id": sim, "global_order": "0", "is_open": "0", "order_period": periods, "package_code": "DP20190726001274",
				"package_name": "C_M_0_P_中国20M不限速月套餐", "package_type": "2", "pay_amount": "10.00", "pay_rst": "1", "pay_type": "2", "test_flow": "0", "test_flow_flag": "0"}
		}
		page := map[string]any{"page_no": 1, "page_size": 10}
		call(p, "/package/queryPackage", page, "0000")
		call(p, "/package/queryPackage", nil, "0000")
		orderA = call(p, "/package/orderPackage", order(simP(0), 2), "0000")["order_id"].(string)
		call(p, "/package/renewPackage", map[string]any{"order_id": orderA, "renew_period": 1}, "0000")
		call(p, "/package/openOrder", map[string]any{"order_id": orderA}, "0000")
		call(p, "/device/pauseService", map[string]any{"device_id": simP(0)}, "0000")
		call(p, "/device/resumeService", map[string]any{"device_id": simP(0)}, "0000")
		batch := order("", 1)
		delete(batch, "device_id")
		batch["deviceList"] = []string{simP(1), simP(2)}
		bo := call(p, "/package/batchOrderPackages", batch, "0000")["device_order"].([]any)
		orderB = bo[0].(map[string]any)["order_id"].(string)
		call(p, "/package/cancelOrder", map[string]any{"order_id": bo[1].(map[string]any)["order_id"]}, "0000")
		call(p, "/package/openOrder", map[string]any{"order_id": orderB, "device_id": simP(1)}, "0000")
		call(p, "/package/queryOrder", page, "0000")
		call(p, "/package/queryDevicePackages", map[string]any{"deviceList": []string{simP(0), simP(1)}, "page_no": 1, "page_size": 10}, "0000")
		call(p, "/device/queryDeviceList", page, "0000")
		call(p, "/device/queryUsingDeviceList", page, "0000")
		call(p, "/device/queryDeviceInfo", map[string]any{"device_id": simP(0)}, "0000")
		call(p, "/flow/queryDeviceFlowUsage", map[string]any{"device_id": simP(0)}, "0000")
		call(p, "/flow/batchQueryDeviceFlowUsage", map[string]any{"deviceList": []string{simP(0), "89852022018041800999"}}, "0000")
		call(p, "/flow/queryDeviceDailyFlow", map[string]any{"device_id": simP(0), "date": clockStart.Format("20060102")}, "0000")
		call(p, "/flow/batchQueryMonthFlow", map[string]any{"deviceList": []string{simP(0), "89852022018041800999"}, "month": clockStart.Format("200601")}, "0000")
		call(p, "/flow/getInfoByDeviceId", map[string]any{"device_id": simP(0)}, "0000")
		call(p, "/sms/sendSms", map[string]any{"device_id": simP(0), "content": "hello"}, "0000")
		call(p, "/sms/sendSms", map[string]any{"device_id": simP(0), "content": "68656c6c6f", "sms_type": 1}, "0000")
		call(p, "/sms/querySms", map[string]any{"page_no": 1, "page_size": 10, "direction": "mt"}, "0000")
		ota := order(simQ(0), 1)
		ota["package_code"], ota["package_name"], ota["package_type"], ota["pay_amount"] = "DP20201218003915", "T_T_T_0_P_S_中国100G/365天套餐", "1", "0"
		ota["days"], ota["timing_type"], ota["mcc"] = 30, "2", "460"
		otaOrder := call(q, "/package/createOtaOrder", ota, "0000")["order_id"].(string)
		call(q, "/package/openOrder", map[string]any{"order_id": otaOrder}, "0000")
		call(p, "/package/endOrder", map[string]any{"order_id": orderB, "keep_alive": "0"}, "0000")

		// Failures, each with its envelope.
		bad := order(simP(3), 1)
		delete(bad, "global_order")
		call(p, "/package/orderPackage", bad, "1001")
		call(p, "/package/openOrder", map[string]any{"order_id": "ORDER_00000000000000000"}, "2003")
		call(p, "/package/openOrder", map[string]any{"order_id": orderA}, "2004")
		call(p, "/device/queryDeviceInfo", map[string]any{"device_id": "89852022018041800999"}, "2001")
		batch["deviceList"] = []string{simP(4), "89852022018041800999"}
		call(p, "/package/batchOrderPackages", batch, "2006")
		wrong := client.New(s.m.URL(), entP, "not-the-secret")
		wrong.Now = s.clock.Now
		call(wrong, "/package/queryOrder", page, "1002")
		// The second mount and CSSS's enveloped 404 are the server's, not
		// the document's: checked without the validator.
		plain := &http.Client{}
		for _, tt := range []struct {
			method, path string
			status       int
		}{{"POST", "/cube/v4/package/queryPackage", 200}, {"POST", "/no/such/route", 404}, {"POST", "/", 404}, {"GET", "/package/queryPackage", 405}} {
			req, _ := http.NewRequest(tt.method, s.m.URL()+tt.path, strings.NewReader("{}"))
			resp, err := plain.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("%s %s: HTTP %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
			}
		}
	})

	t.Run("admin orders and SMS", func(t *testing.T) {
		if _, err := ad.ReduceOrder(ctx, orderA, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.DownloadIMSI(ctx, simQ(0), "454009999999999"); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.ReceiveMO(ctx, opencube.MORequest{From: simP(0), Content: "hi"}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.SetSandboxGateway(ctx, admin.SandboxGateway{Down: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.SetSandboxGateway(ctx, admin.SandboxGateway{}); err != nil {
			t.Fatal(err)
		}
		ds, err := ad.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP, Limit: 5})
		if err != nil || len(ds) == 0 {
			t.Fatalf("deliveries: %d, %v", len(ds), err)
		}
		if _, err := ad.Redeliver(ctx, ds[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.RedeliverSince(ctx, entP, clockStart.Add(-time.Hour), time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.Clock(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.AdvanceClock(ctx, time.Minute); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Mall", func(t *testing.T) {
		sim := simP(5)
		ok := func(path, tradeType string, kv ...string) json.RawMessage {
			t.Helper()
			r := s.mall(t, path, s.mallBody(t, tradeType, false, kv...))
			if r.Code != "0000" {
				t.Fatalf("%s: %s %s", path, r.Code, r.Message)
			}
			return r.Data
		}
		ok("/vshop/singleVerify", "singleVerify", "deviceCode", sim)
		ok("/vshop/singleServicePlanPage", "singleServicePlanPage", "deviceCode", sim)
		ok("/vshop/singleOrder", "singleOrder", "orderNo", "MC-1", "deviceCode", sim, "packageCode", "DP20190726001274",
			"payCurrency", "CNY", "payAmount", "10.00", "orderPeriod", "1", "payId", "PAY-1", "autoRenewal", "1")
		ok("/vshop/synPartner/SynOrderInfo", "SynOrderInfo", "orderNo", "MC-2", "deviceCode", sim, "packageCode", "DP20190726001274",
			"payCurrency", "CNY", "payAmount", "10.00", "payRst", "PENDING")
		var auth struct{ PayID string }
		if err := json.Unmarshal(ok("/payment/stripeAuthorization", "stripeAuthorization", "orderNo", "MC-1"), &auth); err != nil || auth.PayID == "" {
			t.Fatalf("stripeAuthorization: payId %q, %v", auth.PayID, err)
		}
		ok("/payment/confirmPayResult", "confirmPayResult", "orderNo", "MC-1")
		paid := intentEvent("payment_intent.succeeded", "mall", "MC-1", auth.PayID, 1000, "cny")
		if r, _ := s.mallStripe(t, paid, s.stripeSign(paid)); r.Code != "0000" {
			t.Fatalf("Stripe webhook: %s %s", r.Code, r.Message)
		}
		ok("/payment/createSubscription", "createSubscription", "orderNo", "MC-1", "paymentMethod", "pm_card_visa")
		ok("/vshop/queryActivePendingOrder", "queryActivePendingOrder", "deviceCode", sim)
		ok("/vshop/getActiveAutoRenewal", "getActiveAutoRenewal", "deviceCode", sim)
		ok("/vshop/cancelAutoRenewal", "cancelAutoRenewal", "deviceCode", sim, "orderNo", "MC-1")
		ok("/payment/queryPayResult", "queryPayResult", "orderNo", "MC-1")
		var grp struct{ RequestID string }
		if err := json.Unmarshal(ok("/topup/bundleGroup/addSims", "addGroupSims", "groupId", "g1", "basePlan", "DP20190726001274", "deviceCodes", sim), &grp); err != nil {
			t.Fatal(err)
		}
		for _, get := range []string{"/topup/bundleGroup/sims?" + s.mallGetQuery(t, "groupSims", "groupId", "g1"),
			"/topup/bundleGroup/list?" + s.mallGetQuery(t, "groupList"),
			"/topup/bundleGroup/result?" + s.mallGetQuery(t, "groupResult", "requestId", grp.RequestID)} {
			s.mallOK(t, get, nil, nil)
		}
		del, _ := http.NewRequest(http.MethodDelete, s.m.URL()+"/topup/bundleGroup/removeSims",
			bytes.NewReader(s.mallBody(t, "removeGroupSims", false, "groupId", "g1", "deviceCodes", sim)))
		del.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(del); err != nil {
			t.Fatal(err)
		} else {
			resp.Body.Close()
		}
		if r := s.mall(t, "/vshop/singleVerify", s.mallBody(t, "singleVerify", false, "deviceCode", "89852022018041800999")); r.Code != "2001" {
			t.Errorf("unknown SIM: %s", r.Code)
		}
		// The GET route: the globals in the query, signed as a JSON object.
		q := url.Values{"partnerCode": {entP}, "tradeType": {"orderDetail"}, "tradeTime": {fmt.Sprint(s.clock.Now().UnixMilli())}, "orderNo": {"MC-1"}}
		sign, err := mall.SignBody(mall.QueryBody(q), demoSecret)
		if err != nil {
			t.Fatal(err)
		}
		q.Set("sign", sign)
		resp, err := http.Get(s.m.URL() + "/topup/order/detail?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		var r mallReply
		decodeReply(t, resp, &r)
		if r.Code != "0000" {
			t.Errorf("order detail: %s %s", r.Code, r.Message)
		}
	})

	t.Run("eSIM QR Mall", func(t *testing.T) {
		token := s.consumer(t, "conformance@example.com")
		catalog := map[string]any{"partnerCode": entP}
		for _, path := range []string{"/package/queryCountry", "/package/selectContinentsCode", "/package/selectHotPackage"} {
			s.fmsOK(t, path, "", catalog, nil)
		}
		s.fmsOK(t, "/package/countryPackageList", "", map[string]any{"partnerCode": entP, "countryCode": "460", "type": 1}, nil)
		s.fmsOK(t, "/package/packageList", "", map[string]any{"partnerCode": entP, "isoCountryName": "JP"}, nil)
		s.fmsOK(t, "/v1.1/package/packageList", "", map[string]any{"partnerCode": entP, "type": "2"}, nil)
		s.fmsOK(t, "/package/selectPackageByContinents", "", map[string]any{"partnerCode": entP, "continentsCode": "EU"}, nil)
		s.fmsOK(t, "/package/detail", "", map[string]any{"partnerCode": entP, "id": 1001}, nil)
		s.fmsOK(t, "/v1.1/package/detail", "", map[string]any{"partnerCode": entP, "id": "1002"}, nil)

		paid := s.preOrder(t, token, 1001, "4.99", "USD")
		if r := s.webhook(t, webhookBody(t, paid, "4.99", "USD", "payment_intent.succeeded", s.clock.Now())); r.Code != 0 {
			t.Fatalf("webhook: %d %s", r.Code, r.Message)
		}
		var second struct{ OrderID string }
		s.fmsOK(t, "/package/preOrderPackage", token, preOrderBody(1002, "9.99", "USD"), &second)
		resp := s.post(t, esim.Prefix+"/v1.1/payment/webhook", nil, webhookBody(t, second.OrderID, "9.99", "USD", "payment_intent.payment_failed", s.clock.Now()))
		resp.Body.Close()
		third := s.preOrder(t, token, 1003, "14.99", "USD")
		s.fmsOK(t, "/v1.2/package/preOrderPackage", token, preOrderBody(1004, "19.99", "USD"), nil)
		body := stripeBody(third, 1499, "usd", "payment_intent.succeeded")
		if r := s.stripe(t, body, stripepay.Sign(body, service.DemoStripeWebhookSecret, s.clock.Now())); r.Code != 0 {
			t.Fatalf("stripe: %d %s", r.Code, r.Message)
		}
		s.status(t, token, paid)
		var detail struct{ ICCID string }
		s.fmsOK(t, "/v1.1/order/myEsimDetail", token, map[string]any{"orderId": paid}, &detail)
		req, _ := http.NewRequest(http.MethodGet, s.m.URL()+esim.Prefix+"/v1.1/order/qrCode?orderId="+paid, nil)
		req.Header.Set("x-access-token", token)
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
			t.Fatalf("qrCode: %v %v", resp, err)
		} else {
			resp.Body.Close()
		}
		s.fmsOK(t, "/package/selectTopUpList", token, nil, nil)
		top := preOrderBody(1001, "4.99", "USD")
		top["iccid"] = detail.ICCID
		s.fmsOK(t, "/package/topUpOrder", token, top, nil)

		// Failures: no token, an unknown order, a webhook that does not verify.
		wantFMS(t, s.fms(t, "/package/queryOrdStatusAndEmail", "", map[string]any{"orderId": paid}), esim.CodeTokenExpired)
		wantFMS(t, s.fms(t, "/v1.1/order/myEsimDetail", token, map[string]any{"orderId": "ESIM00000000000000000"}), esim.CodeOrderNotFound)
		bad := webhookBody(t, third, "14.99", "USD", "payment_intent.succeeded", s.clock.Now())
		bad = bytes.Replace(bad, []byte(`"sign":"`), []byte(`"sign":"x`), 1)
		if r := s.webhook(t, bad); r.Status != http.StatusBadRequest {
			t.Errorf("webhook with a bad sign: HTTP %d", r.Status)
		}

		// The operator's side of the eSIM QR Mall.
		n, err := ad.ImportProfilesCSV(ctx, entP, strings.NewReader("iccid,smdp_address,matching_id,imsi\n89445099000000000901,smdp.example.com,MATCH-0901,460990000000901\n"))
		if err != nil || n != 1 {
			t.Fatalf("import profiles: %d, %v", n, err)
		}
		if _, err := ad.Profiles(ctx, entP, shop.ProfileSold); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.MarkProfile(ctx, entP, detail.ICCID, shop.ProfileInstalled); err != nil {
			t.Fatal(err)
		}
		plan := `{"id":2001,"enterprise":"P000270","package_code":"ESIM-CN-2G-10D","name":"China 2GB 10 days","mccs":["460"],"continent":"AS","volume_bytes":2147483648,"period_days":10,"prices":[{"currency":"USD","amount_minor":699}],"plan_code":"ESIM-CORE-CN-1G","starts":"attach"}`
		req, _ = http.NewRequest(http.MethodPost, s.m.URL()+"/admin/v1/esim-plans", strings.NewReader(plan))
		req.Header.Set("Authorization", "Bearer "+shopAdminToken)
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("eSIM plan: %v %v", resp, err)
		} else {
			resp.Body.Close()
		}
	})

	t.Run("operator lists", func(t *testing.T) {
		count := operator.Page{Limit: 2, Count: true}
		if _, err := ad.ListEnterprises(ctx, operator.EnterpriseQuery{Q: "p0", Page: count}); err != nil {
			t.Fatal(err)
		}
		sims, err := ad.ListSIMs(ctx, operator.SIMQuery{Enterprise: entP, Page: count})
		if err != nil || len(sims.Items) == 0 {
			t.Fatalf("ListSIMs = %v, %v", sims, err)
		}
		if _, err := ad.ListSIMs(ctx, operator.SIMQuery{Q: "4540", Page: operator.Page{Cursor: *sims.Next}}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.SIM(ctx, sims.Items[0].ICCID); err != nil {
			t.Fatal(err)
		}
		orders, err := ad.ListOrders(ctx, operator.OrderQuery{Enterprise: entP, Page: count})
		if err != nil || len(orders.Items) == 0 {
			t.Fatalf("ListOrders = %v, %v", orders, err)
		}
		if _, err := ad.Order(ctx, orders.Items[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.ListPlans(ctx, operator.PlanQuery{Enterprise: entP}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.Plan(ctx, "DPC1"); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.Usage(ctx, operator.UsageQuery{Enterprise: entP, Granularity: operator.ByMonth}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.ListSessions(ctx, operator.SessionQuery{}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.ListSMS(ctx, operator.SMSQuery{Enterprise: entP}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.ListJobs(ctx, operator.JobQuery{State: operator.JobWaiting}); err != nil {
			t.Fatal(err)
		}
		// The shops, as the Mall and eSIM subtests left them.
		ml, err := ad.ListMallOrders(ctx, operator.MallOrderQuery{Enterprise: entP, Page: count})
		if err != nil || len(ml.Items) == 0 {
			t.Fatalf("ListMallOrders = %v, %v", ml, err)
		}
		if _, err := ad.MallOrder(ctx, entP, ml.Items[0].OrderNo); err != nil {
			t.Fatal(err)
		}
		paid := shop.ESIMPaid
		es, err := ad.ListESIMOrders(ctx, operator.ESIMOrderQuery{Enterprise: entP, Status: &paid, Page: count})
		if err != nil || len(es.Items) == 0 {
			t.Fatalf("ListESIMOrders = %v, %v", es, err)
		}
		if d, err := ad.ESIMOrder(ctx, es.Items[0].ID); err != nil || !d.IsSIM || d.Profile == nil {
			t.Fatalf("ESIMOrder = %+v, %v", d, err)
		}
		if l, err := ad.ListPayments(ctx, operator.PaymentQuery{Status: operator.PaymentSucceeded, Page: count}); err != nil || len(l.Items) == 0 {
			t.Fatalf("ListPayments = %v, %v", l, err)
		}
		if l, err := ad.ListGroups(ctx, operator.GroupQuery{Enterprise: entP}); err != nil || len(l.Items) == 0 {
			t.Fatalf("ListGroups = %v, %v", l, err)
		}
		if _, err := ad.Group(ctx, entP, "g1"); err != nil {
			t.Fatal(err)
		}
		// The subscriber register (no register listens: the changes wait,
		// the reconciliation reports it unreachable).
		if st, err := ad.HLRStatus(ctx); err != nil || st.Register != "osmo" {
			t.Fatalf("HLRStatus = %+v, %v", st, err)
		}
		if r, err := ad.ReconcileHLR(ctx); err != nil || !strings.Contains(r.Error, "unreachable") {
			t.Fatalf("ReconcileHLR = %+v, %v", r, err)
		}
		// The master keys: the server's only key seals the data key again.
		if r, err := ad.RotateMasterKeys(ctx); err != nil || r.DataKeys != 1 || r.Master != s.m.Masters.Keys[0].Check() {
			t.Fatalf("RotateMasterKeys = %+v, %v", r, err)
		}
		// A bad parameter answers the documented error.
		if _, err := ad.ListSIMs(ctx, operator.SIMQuery{Q: "x"}); opencube.ErrorKind(err) != opencube.KindInvalid {
			t.Errorf("ListSIMs(q=x): %v", err)
		}
	})

	t.Run("Cube v4", func(t *testing.T) {
		s.m.CubeV4.Limits = nil // the requests come from one address
		key, err := client.ParsePrivateKey(docs.CubeV4DemoKey)
		if err != nil {
			t.Fatal(err)
		}
		v4 := client.NewV4(s.m.URL(), service.DemoKeyID, key)
		v4.Now = s.clock.Now
		step := func() { s.clock.Advance(time.Millisecond) }
		jobs := func() {
			if _, err := s.m.Worker.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		sim := simP(6)
		if _, _, err := v4.SIMs(ctx, 0, 1, 5); err != nil {
			t.Fatal(err)
		}
		step()
		if _, _, err := v4.SIMs(ctx, 99, 1, 5); err == nil {
			t.Error("status 99 was accepted")
		}
		step()
		added, err := v4.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: "DP20190726001274", BundleType: 10, Cycles: ptrTo(2), Activate: true})
		if err != nil {
			t.Fatal(err)
		}
		jobs()
		if _, err := v4.AsyncResult(ctx, *added.RequestID); err != nil {
			t.Fatal(err)
		}
		for _, call := range []func() error{
			func() error { _, err := v4.SIM(ctx, sim); return err },
			func() error { _, err := v4.Status(ctx, sim); return err },
			func() error { _, err := v4.RemainingData(ctx, sim); return err },
			func() error { _, err := v4.AccuUsage(ctx, sim); return err },
			func() error { _, _, err := v4.Bundles(ctx, sim, "0,1", 1, 10); return err },
			func() error { _, err := v4.Usage(ctx, sim, 1, "2024-01-30", "2024-01-31"); return err },
		} {
			step()
			mustOK(t, call())
		}
		for _, op := range []func(context.Context, string) (string, error){v4.Suspend, v4.Resume} {
			step()
			if _, err := op(ctx, sim); err != nil {
				t.Fatal(err)
			}
			jobs()
		}
		step()
		if _, err := v4.Cancel(ctx, sim, cubev4.CancelRequest{OrderID: added.OrderID}); err != nil {
			t.Fatal(err)
		}
		jobs()
		step()
		if _, err := v4.AddBundle(ctx, simP(7), cubev4.AddBundleRequest{BundleID: "DP20190726001274", BundleType: 10}); err != nil {
			t.Fatal(err)
		}
		step()
		if _, err := v4.Activate(ctx, simP(7)); err != nil {
			t.Fatal(err)
		}
		jobs()
		step()
		r, err := v4.Renew(ctx, cubev4.RenewalRequest{Items: []cubev4.RenewalItem{{ID: "DP20190726001274", Quantity: 1, SIMIDs: []string{simP(7)}}}})
		if err != nil {
			t.Fatal(err)
		}
		step()
		if _, err := v4.RenewalOrder(ctx, r.OrderID); err != nil {
			t.Fatal(err)
		}
		step()
		job, err := v4.SendSMS(ctx, cubev4.SendSMSRequest{SIMIDs: []string{simP(7)}, Message: cubev4.SMSMessage{Type: 1, Content: "hello"}})
		if err != nil {
			t.Fatal(err)
		}
		step()
		if _, _, err := v4.JobMessages(ctx, job, 1, 10); err != nil {
			t.Fatal(err)
		}
		step()
		if _, _, err := v4.Catalogue(ctx, 1, 10); err != nil {
			t.Fatal(err)
		}
		step()
		if _, err := v4.PatchSIM(ctx, simP(7), cubev4.PatchSIMRequest{Tags: &[]string{"fleet"}, Notes: ptrTo("north")}); err != nil {
			t.Fatal(err)
		}
		step()
		if _, err := v4.Reset(ctx, simP(7)); err != nil {
			t.Fatal(err)
		}
		jobs()
		step()
		if _, err := v4.NetworkLock(ctx, simP(7), cubev4.NetworkLockRequest{MCC: "460", MNC: "01"}); err != nil {
			t.Fatal(err)
		}
		jobs()
		step()
		if _, _, err := v4.MTHistory(ctx, simP(7), 0); err != nil {
			t.Fatal(err)
		}
		step()
		if _, _, err := v4.MOHistory(ctx, simP(7)); err != nil {
			t.Fatal(err)
		}
		// Failures: another enterprise's SIM, an unknown route, no
		// Authorization.
		step()
		if _, err := v4.SIM(ctx, simQ(0)); err == nil {
			t.Error("another enterprise's SIM was found")
		}
		step()
		bad, err := v4.Sign("GET", "/sims/"+sim+"/usage?category=data", nil)
		if err != nil {
			t.Fatal(err)
		}
		bad.Header.Set("X-Test-Bad", "1")
		if _, err := v4.Send(ctx, bad); err == nil {
			t.Error("usage without its parameters answered")
		}
	})

	t.Run("operator changes", func(t *testing.T) {
		// Plans and grants.
		if _, err := ad.UpdatePlan(ctx, "DP20190726000001", admin.PlanPatch{Price: ptrTo(admin.Decimal("6.00"))}); err != nil {
			t.Fatal(err)
		}
		mustOK(t, ad.GrantPlan(ctx, "P000999", "DP20190726000001"))
		mustOK(t, ad.RevokeGrant(ctx, "P000999", "DP20190726000001"))
		if _, err := ad.UpdatePlan(ctx, "DP20190726000001", admin.PlanPatch{Status: ptrTo(opencube.PlanStatus("bogus"))}); opencube.ErrorKind(err) != opencube.KindInvalid {
			t.Errorf("a bad status: %v", err)
		}
		// Enterprises and secrets.
		if _, err := ad.DisableEnterprise(ctx, "P000999"); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.EnableEnterprise(ctx, "P000999"); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.AddSecret(ctx, "P000999", "another-long-secret"); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.DropSecret(ctx, "P000999", opencube.SecretID("another-long-secret")); err != nil {
			t.Fatal(err)
		}
		// Cube v4 keys.
		k, err := ad.AddKey(ctx, "P000999", testPublicKeyPEM(t, 1024))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ad.AddKey(ctx, "P000999", "not a key"); opencube.ErrorKind(err) != opencube.KindInvalid {
			t.Errorf("AddKey(not a key): %v", err)
		}
		if keys, err := ad.Keys(ctx, "P000999"); err != nil || len(keys) != 1 {
			t.Fatalf("Keys: %v, %v", keys, err)
		}
		mustOK(t, ad.RevokeKey(ctx, "P000999", k.ID))
		// SIMs: a move, and bulk changes.
		if _, err := ad.MoveSIMTo(ctx, simP(9), "P000999"); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.BulkSIMs(ctx, operator.BulkSIMRequest{ICCIDs: []string{simP(9)}, Action: operator.BulkSuspend}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.BulkSIMs(ctx, operator.BulkSIMRequest{ICCIDs: []string{simP(9), simP(9)}, Action: operator.BulkActivate}); opencube.ErrorKind(err) != opencube.KindInvalid {
			t.Errorf("a repeated ICCID: %v", err)
		}
		// Orders and SMS for a SIM's enterprise.
		o, err := ad.OrderPlan(ctx, operator.OrderRequest{ICCID: simP(8), PlanCode: "DP20190726001274", Periods: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, move := range []operator.OrderMove{operator.OrderEnable, operator.OrderSuspend, operator.OrderResume, operator.OrderRenew, operator.OrderEnd} {
			if _, err := ad.MoveOrder(ctx, o.ID, move, 1); err != nil {
				t.Fatalf("%s: %v", move, err)
			}
		}
		if o, err = ad.OrderPlan(ctx, operator.OrderRequest{ICCID: simP(8), PlanCode: "DP20190726001274", Periods: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.CancelOrder(ctx, o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.SendSMS(ctx, admin.SMSRequest{ICCID: simP(8), Content: "hello"}); err != nil {
			t.Fatal(err)
		}
	})

	// Every operation of the document answered a success at least once.
	var missing []string
	for _, p := range docs.Protocols() {
		for i := range p.Routes {
			if id := p.OperationID(&p.Routes[i]); c.ok[id] == 0 {
				missing = append(missing, fmt.Sprintf("%s %s (%d answers, none a success)", p.Routes[i].Method, p.Routes[i].Path, c.seen[id]))
			}
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("%d operations were never answered with a success:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// ptrTo returns a pointer to v.
func ptrTo[T any](v T) *T { return &v }
