package esim_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/esim"
	"github.com/opencube/opencube/service"
	ocshop "github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/sqlite"
	"github.com/opencube/opencube/storetest"
	"github.com/opencube/opencube/stripepay"
)

const partner = "P000270"

// shop is the eSIM QR Mall over a SQLite store with the demo catalog (plan
// 1001: 4.99 USD for 7 days) and a logged-in consumer.
type shop struct {
	h     http.Handler
	store *sqlite.DB
	svc   *service.Set
	token string
	n     int
}

func newShop(t *testing.T) *shop {
	t.Helper()
	ctx := t.Context()
	store, svc := storetest.Demo(t, opencube.SystemClock)
	if _, err := service.NewShopDemo().Load(ctx, svc.ESIM); err != nil {
		t.Fatal(err)
	}
	v, err := svc.ESIM.SendVerificationCode(ctx, partner, "edge@example.com")
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte("pa55word"))
	_, token, err := svc.ESIM.Register(ctx, partner, v.Email, hex.EncodeToString(sum[:]), v.Code)
	if err != nil {
		t.Fatal(err)
	}
	return &shop{h: esim.NewServer(svc.ESIM, svc.Admin, opencube.SystemClock, stripepay.New(stripepay.Config{WebhookSecret: service.DemoStripeWebhookSecret}, nil)).Handler(), store: store, svc: svc, token: token}
}

// post sends body to path (under /fms) with the consumer's token and
// header; it returns the HTTP status, the envelope's code and message.
func (s *shop) post(t *testing.T, path string, body []byte, header http.Header) (int, int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, esim.Prefix+path, bytes.NewReader(body))
	req.Header.Set("x-access-token", s.token)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	var env esim.Envelope
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatalf("%s: not an envelope: %s", path, rec.Body)
	}
	return rec.Code, env.Code, env.Message
}

// params posts fields as FMS parameters.
func (s *shop) params(t *testing.T, path string, fields map[string]any) (int, string) {
	t.Helper()
	body, _ := json.Marshal(fields)
	_, code, msg := s.post(t, path, body, nil)
	return code, msg
}

// webhook posts fields to the FMS payment webhook, signed as a CSSS request.
func (s *shop) webhook(t *testing.T, path string, fields map[string]any) (int, string) {
	t.Helper()
	p := map[string]any{"partnerCode": partner, "type": "payment_intent.succeeded", "orderId": "ESIM00000000000000001",
		"payAmount": "4.99", "payCurrency": "USD", "paypalId": "PP-1"}
	for k, v := range fields {
		p[k] = v
	}
	raw, _ := json.Marshal(p)
	c, err := csss.Canonical(raw)
	if err != nil {
		t.Fatal(err)
	}
	p["sign"] = csss.Sign(c, service.DemoSecret)
	body, _ := json.Marshal(p)
	_, code, msg := s.post(t, path, body, nil)
	return code, msg
}

// snapshot is everything a shop request writes: the profiles and the
// pending jobs (a pre-order schedules its timeout, a payment its mail).
func (s *shop) snapshot(t *testing.T) string {
	t.Helper()
	ps, err := s.store.FindProfiles(t.Context(), ocshop.ProfileFilter{Enterprise: partner})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.store.FindJobs(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal([]any{ps, jobs})
	return string(raw)
}

// edge is one bounded field of some routes: allowed values pass
// validation (with the code given), the others are refused with code 2
// naming the field and its range.
type edge struct {
	paths []string
	base  map[string]any
	field string
	ok    map[any]int
	bad   []any
	want  string // the message of a refusal
}

// TestEdges sends the edges of every bounded field of the eSIM QR Mall's
// routes (D26).
func TestEdges(t *testing.T) {
	s := newShop(t)
	preOrder := map[string]any{"partnerCode": partner, "id": 1001, "currency": "USD", "money": "4.99", "periodNum": 1, "deviceType": "10"}
	topUp := map[string]any{"partnerCode": partner, "id": 1001, "currency": "USD", "money": "4.99", "periodNum": 1, "iccid": "89445099000000099999"}
	lists := []string{"/package/countryPackageList", "/package/packageList", "/v1.1/package/packageList", "/package/selectPackageByContinents"}
	const idRange = "Wrong parameters: id must be 1-9007199254740991"
	edges := []edge{
		{paths: []string{"/package/detail", "/v1.1/package/detail"}, base: map[string]any{"partnerCode": partner}, field: "id",
			ok:  map[any]int{1: esim.CodePlanNotFound, 1001: esim.CodeOK, "1001": esim.CodeOK, opencube.MaxCatalogID: esim.CodePlanNotFound},
			bad: []any{0, -1, opencube.MaxCatalogID + 1, "x", 1.5}, want: idRange},
		{paths: lists, base: map[string]any{"partnerCode": partner}, field: "countryCode",
			ok:  map[any]int{"000": esim.CodeOK, "999": esim.CodeOK, 460: esim.CodeOK},
			bad: []any{"46", "4600", "46x", "-46"}, want: "Wrong parameters: countryCode must be 3 digits (an MCC)"},
		{paths: lists, base: map[string]any{"partnerCode": partner}, field: "type",
			ok: map[any]int{"1": esim.CodeOK, "2": esim.CodeOK, 2: esim.CodeOK}, bad: []any{"0", "3"}, want: "Wrong parameters: type must be 1 or 2"},
		{paths: []string{"/v1.1/package/preOrderPackage", "/package/preOrderPackage"}, base: preOrder, field: "periodNum",
			ok:  map[any]int{1: esim.CodeOK, "": esim.CodeOK, 12: esim.CodePriceInconsistent},
			bad: []any{0, 13, -1, "x"}, want: "Wrong parameters: periodNum must be 1-12"},
		{paths: []string{"/v1.1/package/preOrderPackage", "/package/preOrderPackage"}, base: with(preOrder, "money", "59.88"), field: "periodNum",
			ok: map[any]int{12: esim.CodeOK}},
		{paths: []string{"/v1.1/package/preOrderPackage", "/package/preOrderPackage"}, base: preOrder, field: "id",
			ok: map[any]int{opencube.MaxCatalogID: esim.CodePlanNotFound}, bad: []any{0, opencube.MaxCatalogID + 1}, want: idRange},
		{paths: []string{"/package/topUpOrder"}, base: topUp, field: "id",
			ok: map[any]int{1001: esim.CodeNotFound, opencube.MaxCatalogID: esim.CodePlanNotFound}, bad: []any{0, opencube.MaxCatalogID + 1}, want: idRange},
		{paths: []string{"/package/topUpOrder"}, base: topUp, field: "money",
			ok: map[any]int{"999999999999999.99": esim.CodePriceInconsistent}, bad: []any{"1000000000000000"}, want: "Wrong parameters: money must be " + esim.MoneyRange},
		{paths: []string{"/v1.1/package/preOrderPackage", "/package/preOrderPackage"}, base: preOrder, field: "money",
			ok:  map[any]int{"0": esim.CodePriceInconsistent, "999999999999999.99": esim.CodePriceInconsistent},
			bad: []any{"-1", "4.999", "1000000000000000"}, want: "Wrong parameters: money must be " + esim.MoneyRange},
		{paths: []string{"/v1.1/package/preOrderPackage", "/package/preOrderPackage"}, base: preOrder, field: "deviceType",
			ok: map[any]int{"10": esim.CodeOK}, bad: []any{"9", "11"}, want: "Wrong parameters: deviceType must be 10"},
		{paths: []string{"/package/topUpOrder"}, base: topUp, field: "periodNum",
			ok: map[any]int{1: esim.CodeNotFound, 12: esim.CodePriceInconsistent}, bad: []any{0, 13}, want: "Wrong parameters: periodNum must be 1-12"},
	}
	for _, e := range edges {
		for _, path := range e.paths {
			for v, want := range e.ok {
				t.Run(path+"/"+e.field+"="+short(v)+"/passes", func(t *testing.T) {
					if code, msg := s.params(t, path, with(e.base, e.field, v)); code != want {
						t.Fatalf("code %d %q, want %d", code, msg, want)
					}
				})
			}
			for _, v := range e.bad {
				t.Run(path+"/"+e.field+"="+short(v)+"/refused", func(t *testing.T) {
					before := s.snapshot(t)
					code, msg := s.params(t, path, with(e.base, e.field, v))
					if code != esim.CodeBadParams || msg != e.want {
						t.Fatalf("code %d %q, want %d %q", code, msg, esim.CodeBadParams, e.want)
					}
					if s.snapshot(t) != before {
						t.Fatal("a refused request wrote")
					}
				})
			}
		}
	}

	// The payment webhook: dateTime within 0 to 9999, payAmount a decimal.
	for _, path := range []string{"/payment/webhook", "/v1.1/payment/webhook"} {
		for _, tt := range []struct {
			field string
			value any
			code  int
			msg   string
		}{
			{"dateTime", 0, esim.CodeOrderNotFound, ""},
			{"dateTime", opencube.MaxTime.Unix(), esim.CodeOrderNotFound, ""},
			{"dateTime", -1, esim.CodeTimeConversion, ""},
			{"dateTime", opencube.MaxTime.Unix() + 1, esim.CodeTimeConversion, ""},
			{"payAmount", "0", esim.CodeOrderNotFound, ""},
			{"payAmount", "999999999999999.99", esim.CodeOrderNotFound, ""},
			{"payAmount", "-1", esim.CodeBadParams, "Wrong parameters: payAmount must be " + esim.MoneyRange},
			{"payAmount", "1000000000000000", esim.CodeBadParams, "Wrong parameters: payAmount must be " + esim.MoneyRange},
		} {
			t.Run(path+"/"+tt.field+"="+short(tt.value), func(t *testing.T) {
				before := s.snapshot(t)
				code, msg := s.webhook(t, path, map[string]any{tt.field: tt.value})
				if code != tt.code || (tt.msg != "" && msg != tt.msg) {
					t.Fatalf("code %d %q, want %d %q", code, msg, tt.code, tt.msg)
				}
				if s.snapshot(t) != before {
					t.Fatal("a refused payment wrote")
				}
			})
		}
	}

	// The Stripe webhook: amount is 0 or more.
	for _, tt := range []struct {
		amount int64
		code   int
	}{{0, esim.CodeOrderNotFound}, {1 << 62, esim.CodeOrderNotFound}, {-1, esim.CodeBadParams}} {
		t.Run("/payment/stripe/webhook/amount="+strconv.FormatInt(tt.amount, 10), func(t *testing.T) {
			body := []byte(`{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":` +
				strconv.FormatInt(tt.amount, 10) + `,"currency":"usd","metadata":{"orderId":"ESIM00000000000000001","partnerCode":"P000270"}}}}`)
			h := http.Header{"Stripe-Signature": {stripepay.Sign(body, service.DemoStripeWebhookSecret, time.Now())}}
			before := s.snapshot(t)
			if _, code, msg := s.post(t, "/payment/stripe/webhook", body, h); code != tt.code {
				t.Fatalf("code %d %q, want %d", code, msg, tt.code)
			}
			if s.snapshot(t) != before {
				t.Fatal("a refused payment wrote")
			}
		})
	}
}

// with returns a copy of base with key set to v.
func with(base map[string]any, key string, v any) map[string]any {
	out := map[string]any{}
	for k, x := range base {
		out[k] = x
	}
	out[key] = v
	return out
}

// short names a value in a subtest name.
func short(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
