package mall_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/mall"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/sqlite"
	"github.com/opencube/opencube/storetest"
)

const (
	partner     = "P000270"
	sim         = "89852022018041800192"
	monthlyCode = "DP20190726001274" // 10.00 CNY a month
)

// mallServer is the Mall over a SQLite store with the demo data and three
// plans of P000270's own: a yearly one at 10.00 CNY, a free one and one at
// the highest price. It runs on the real clock (tradeTime is checked
// against it).
type mallServer struct {
	h     http.Handler
	store *sqlite.DB
	svc   *service.Set
	n     int
}

func newMallServer(t *testing.T) *mallServer {
	t.Helper()
	ctx := t.Context()
	store, svc := storetest.Demo(t, opencube.SystemClock)
	for _, p := range []*opencube.Plan{
		{Code: "YEARLY", Name: "yearly", Type: opencube.PlanYearly, PriceMinor: 1000, Currency: "CNY"},
		{Code: "FREE", Name: "free", Type: opencube.PlanMonthly, PriceMinor: 0, Currency: "CNY"},
		{Code: "DEAREST", Name: "dearest", Type: opencube.PlanMonthly, PriceMinor: opencube.MaxAmountMinor, Currency: "CNY"},
	} {
		if err := svc.Admin.CreatePlan(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := svc.Admin.GrantPlan(ctx, partner, p.Code); err != nil {
			t.Fatal(err)
		}
	}
	return &mallServer{h: mall.NewServer(svc.Mall, svc.Admin, opencube.SystemClock).Handler(), store: store, svc: svc}
}

// call signs fields (globals added, a new orderNo unless fields has one)
// and posts them to path; it returns the answer's code and English message.
func (s *mallServer) call(t *testing.T, path, tradeType string, fields map[string]string) (string, string) {
	t.Helper()
	return s.callIn(t, csss.LangEN, path, tradeType, fields)
}

// callIn is call with the answer in lang.
func (s *mallServer) callIn(t *testing.T, lang csss.Lang, path, tradeType string, fields map[string]string) (string, string) {
	t.Helper()
	s.n++
	p := map[string]string{"partnerCode": partner, "tradeType": tradeType, "version": "3.0",
		"tradeTime": strconv.FormatInt(time.Now().UnixMilli(), 10), "orderNo": fmt.Sprintf("NO%06d", s.n)}
	for k, v := range fields {
		p[k] = v
	}
	raw, _ := json.Marshal(p)
	sign, err := mall.SignBody(raw, service.DemoSecret)
	if err != nil {
		t.Fatal(err)
	}
	p["sign"] = sign
	body, _ := json.Marshal(p)
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Accept-Language", lang.Tag())
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	var env mall.Envelope
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatalf("%s: not an envelope: %s", path, rec.Body)
	}
	return env.Code, env.Message
}

// snapshot is everything a Mall order writes: P000270's orders, events and
// Mall orders.
func (s *mallServer) snapshot(t *testing.T) string {
	t.Helper()
	ctx := t.Context()
	orders, _, err := s.store.FindOrders(ctx, opencube.OrderFilter{Enterprise: partner})
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.store.FindEvents(ctx, partner)
	if err != nil {
		t.Fatal(err)
	}
	malls, err := s.store.FindMallOrders(ctx, shop.MallOrderFilter{Enterprise: partner})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal([]any{orders, events, malls})
	return string(raw)
}

// pass is a request whose bounded fields are all allowed, and its code.
type pass struct {
	name   string
	fields map[string]string
	code   string
}

// refusal is a request with one field just outside its range.
type refusal struct {
	name   string
	fields map[string]string
	field  string // the one 1001 names
}

func order(code string, periods int, amount string, kv ...string) map[string]string {
	m := map[string]string{"deviceCode": sim, "packageCode": code, "orderPeriod": strconv.Itoa(periods), "payAmount": amount,
		"payCurrency": "CNY", "payId": "PAY-1"}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// TestEdges sends the edges of every bounded field of the Mall's order
// routes (D26): orderPeriod 1-120 and 100 years, payAmount, autoRenewal,
// payStatus, and tradeTime's window on every route.
func TestEdges(t *testing.T) {
	s := newMallServer(t)
	routes := []struct{ path, tradeType string }{
		{"/vshop/singleOrder", "singleOrder"},
		{"/vshop/synPartner/SynOrderInfo", "SynOrderInfo"},
	}
	passes := []pass{
		{"orderPeriod 1", order(monthlyCode, 1, "10.00"), "0000"},
		{"orderPeriod 120", order(monthlyCode, 120, "1200.00"), "0000"},
		{"orderPeriod empty is 1", order(monthlyCode, 1, "10", "orderPeriod", ""), "0000"},
		{"orderPeriod 100 of a yearly plan", order("YEARLY", 100, "1000.00"), "0000"},
		{"payAmount 0", order("FREE", 1, "0"), "0000"},
		{"payAmount 999999999999.99", order("DEAREST", 1, "999999999999.99"), "0000"},
		{"payAmount 15 characters, not the price", order(monthlyCode, 1, "999999999999999"), "1001"},
		{"autoRenewal 0", order(monthlyCode, 1, "10", "autoRenewal", "0"), "0000"},
		{"autoRenewal 1", order(monthlyCode, 1, "10", "autoRenewal", "1"), "0000"},
	}
	refusals := []refusal{
		{"orderPeriod 0", order(monthlyCode, 0, "0"), "orderPeriod"},
		{"orderPeriod 121", order(monthlyCode, 121, "1210.00"), "orderPeriod"},
		{"orderPeriod -1", order(monthlyCode, -1, "0"), "orderPeriod"},
		{"orderPeriod 101 of a yearly plan", order("YEARLY", 101, "1010.00"), "orderPeriod"},
		{"orderPeriod 120 of a yearly plan", order("YEARLY", 120, "1200.00"), "orderPeriod"},
		{"payAmount -1", order(monthlyCode, 1, "-1"), "payAmount"},
		{"payAmount 0.001", order(monthlyCode, 1, "0.001"), "payAmount"},
		{"payAmount 16 characters", order(monthlyCode, 1, "1000000000000000"), "payAmount"},
		{"autoRenewal 2", order(monthlyCode, 1, "10", "autoRenewal", "2"), "autoRenewal"},
		{"autoRenewal -1", order(monthlyCode, 1, "10", "autoRenewal", "-1"), "autoRenewal"},
	}
	for _, rt := range routes {
		for _, p := range passes {
			t.Run(rt.path+"/"+p.name+"/passes", func(t *testing.T) {
				code, msg := s.call(t, rt.path, rt.tradeType, p.fields)
				if code != p.code {
					t.Fatalf("%s %s, want %s", code, msg, p.code)
				}
				if code == csss.CodeInvalid && !namesCause(msg, "payAmount") {
					t.Fatalf("%s: a price that differs names payAmount and the price", msg)
				}
			})
		}
		for _, r := range refusals {
			t.Run(rt.path+"/"+r.name+"/refused", func(t *testing.T) {
				before := s.snapshot(t)
				code, msg := s.call(t, rt.path, rt.tradeType, r.fields)
				if code != csss.CodeInvalid || !namesCause(msg, r.field) {
					t.Fatalf("%s %q, want 1001 naming %s and why", code, msg, r.field)
				}
				if after := s.snapshot(t); after != before {
					t.Fatalf("a refused request wrote:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	}

	syn := routes[1]
	for _, st := range []string{"0", "1"} {
		t.Run(syn.path+"/payStatus "+st+"/passes", func(t *testing.T) {
			if code, msg := s.call(t, syn.path, syn.tradeType, order(monthlyCode, 1, "10", "payStatus", st)); code != "0000" {
				t.Fatalf("%s %s", code, msg)
			}
		})
	}
	for _, st := range []string{"-1", "2"} {
		t.Run(syn.path+"/payStatus "+st+"/refused", func(t *testing.T) {
			before := s.snapshot(t)
			code, msg := s.call(t, syn.path, syn.tradeType, order(monthlyCode, 1, "10", "payRst", "SUCCESS", "payStatus", st))
			if code != csss.CodeInvalid || msg != csss.Message(code, csss.LangEN, "payStatus must be 0 or 1") {
				t.Fatalf("%s %s", code, msg)
			}
			if s.snapshot(t) != before {
				t.Fatal("a refused request wrote")
			}
		})
	}

	// tradeTime: within 10 minutes of the clock, on every route.
	for _, rt := range mall.Routes {
		if rt.Method != http.MethodPost || rt.Stripe {
			continue
		}
		for _, tt := range []struct {
			name string
			off  time.Duration
			ok   bool
		}{{"590s ago", -590 * time.Second, true}, {"590s ahead", 590 * time.Second, true},
			{"610s ago", -610 * time.Second, false}, {"610s ahead", 610 * time.Second, false}} {
			t.Run(rt.Path+"/tradeTime "+tt.name, func(t *testing.T) {
				before := s.snapshot(t)
				ts := strconv.FormatInt(time.Now().Add(tt.off).UnixMilli(), 10)
				code, msg := s.call(t, rt.Path, rt.TradeType, order(monthlyCode, 1, "10", "tradeTime", ts))
				if (code == csss.CodeTimestamp) == tt.ok {
					t.Fatalf("%s %s", code, msg)
				}
				if !tt.ok && s.snapshot(t) != before {
					t.Fatal("a refused request wrote")
				}
			})
		}
	}
}

// namesCause reports whether msg, an English 1001 message, names field and
// then why it is refused ("payAmount must be 10.00 CNY, ...").
func namesCause(msg, field string) bool {
	return strings.HasPrefix(msg, csss.Message(csss.CodeInvalid, csss.LangEN, field)+" ")
}
