package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/service"
)

// needPdftotext returns the path of pdftotext (poppler-utils), skipping
// the test without it unless CI=true.
func needPdftotext(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not found (apt install poppler-utils); CI=true requires it")
		}
		t.Skip("pdftotext not found (apt install poppler-utils)")
	}
	return path
}

// TestBillingPrepaid: a prepaid enterprise orders until 2008, is topped
// up, orders again; its month's statement as JSON, CSV and PDF; the usage
// CSV of the month; the ledger check; a closed month never changes.
func TestBillingPrepaid(t *testing.T) {
	clock := &e2eClock{now: clockStart}
	s := startServerWith(t, e2eDatabase(t), clock, func(m *Main) { m.AdminToken = "t"; m.OperatorName = "Example Mobile" })
	ctx := t.Context()
	ad := client.NewAdmin(s.m.URL(), "t")
	run := func(args ...string) string {
		t.Helper()
		out, errOut, err := adminRun(t, s.m, "", args...)
		if err != nil {
			t.Fatalf("admin %s: %v (%s)", strings.Join(args, " "), err, errOut)
		}
		return out
	}
	if out := run("billing", "set", "--access-code", entP, "--mode", "prepaid", "--currency", "cny", "--alert-below", "5.00"); !strings.Contains(out, "prepaid CNY") {
		t.Errorf("billing set: %q", out)
	}
	hook := newReceiver(t, 0)
	if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: hook.srv.URL, Events: []opencube.EventType{opencube.EventBalanceAlert}}); err != nil {
		t.Fatal(err)
	}
	order := func(i int) *client.Response {
		return s.do(t, s.p, "/package/orderPackage", withParams(planMonthly.order(simP(i), false), "pay_amount", "10.00"), nil)
	}
	// Nothing paid yet: 2008, and nothing written.
	resp := order(0)
	wantCode(t, resp, csss.CodeQuota)
	if !strings.Contains(resp.Message, "0.00 CNY") {
		t.Errorf("2008 message %q does not state the balance", resp.Message)
	}
	if len(s.orders(t, s.p, nil)) != 0 {
		t.Fatal("a refused order was written")
	}
	run("billing", "topup", "--access-code", entP, "--amount", "25", "--currency", "CNY", "--reason", "wire 1")
	var ids []string
	for i := 0; i < 2; i++ {
		resp := order(i)
		wantCode(t, resp, csss.CodeOK)
		ids = append(ids, dataOf(t, resp)["order_id"].(string))
	}
	wantCode(t, order(2), csss.CodeQuota) // 5.00 left, 10.00 needed
	// A bulk order is priced whole.
	bulk := withParams(planMonthly.order("", false), "device_id", nil, "deviceList", []string{simP(3), simP(4)}, "pay_amount", "10.00")
	wantCode(t, s.do(t, s.p, "/package/batchOrderPackages", bulk, nil), csss.CodeQuota)
	if _, err := ad.TopUp(ctx, entP, admin.TopUpRequest{Amount: "20.00", Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.do(t, s.p, "/package/batchOrderPackages", bulk, nil), csss.CodeOK)
	wantCode(t, order(2), csss.CodeQuota)
	// A cancel gives the price back; an adjustment corrects.
	wantCode(t, s.do(t, s.p, "/package/cancelOrder", map[string]any{"order_id": ids[0]}, nil), csss.CodeOK)
	if out := run("billing", "adjust", "--access-code", entP, "--amount", "-2.50", "--currency", "CNY", "--reason", "roaming surcharge"); !strings.Contains(out, "adjustment -2.50 CNY") {
		t.Errorf("billing adjust: %q", out)
	}
	if out := run("billing", "balance", entP); !strings.Contains(out, "12.50 CNY") {
		t.Errorf("billing balance: %q, want 12.50 CNY (25 - 20 + 20 - 20 + 10 - 2.50)", out)
	}
	if b, err := ad.Balance(ctx, entP); err != nil || len(b.Balances) != 1 || b.Balances[0] != (admin.BalanceItem{Currency: "CNY", Amount: "12.50"}) {
		t.Errorf("balance = %+v, %v", b, err)
	}

	// The statement of January 2024 (UTC+8).
	st, err := ad.Statement(ctx, entP, 202401)
	if err != nil {
		t.Fatal(err)
	}
	if st.Closed || len(st.Currencies) != 1 {
		t.Fatalf("statement: closed %v, %d currencies", st.Closed, len(st.Currencies))
	}
	c := st.Currencies[0]
	if c.Opening != 0 || c.Closing != 1250 || c.Charges != -4250 || c.Credits != 5500 || len(c.Lines) != 8 {
		t.Errorf("statement CNY: opening %s closing %s charges %s credits %s, %d lines", c.Opening, c.Closing, c.Charges, c.Credits, len(c.Lines))
	}
	if len(c.ByPlan) != 1 || c.ByPlan[0] != (billing.PlanTotal{PlanCode: planMonthly.code, Lines: 5, Amount: -3000}) {
		t.Errorf("totals by plan: %+v", c.ByPlan)
	}
	for _, l := range c.Lines {
		if l.Kind == billing.KindOrder && (l.PayAmount != 1000 || l.PayRst != "1" || l.RequestID == "") {
			t.Errorf("order line %+v: want the customer's pay_amount and pay_rst and a request id", l)
		}
	}
	var csvOut bytes.Buffer
	if err := ad.StatementFile(ctx, &csvOut, entP, 202401, "csv"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"row,time_utc8,kind", "P000270,202401,CNY,opening,", "P000270,202401,CNY,closing,,,,,,,,12.50,", ids[0] + "," + simP(0),
		",refund,", ",-2.50,", "roaming surcharge", "plan_total,,,,," + planMonthly.code + ",5,-30.00"} {
		if !strings.Contains(csvOut.String(), want) {
			t.Errorf("statement CSV lacks %q:\n%s", want, csvOut.String())
		}
	}
	pdftotext := needPdftotext(t)
	pdf := filepath.Join(t.TempDir(), "statement.pdf")
	run("billing", "statement", "--access-code", entP, "--month", "202401", "--format", "pdf", "--out", pdf)
	text, err := exec.Command(pdftotext, "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"Example Mobile", "Enterprise: ", "(" + entP + ")", "2024-01", ids[1], simP(1), "refund", "roaming surcharge",
		planMonthly.code + ": 5 lines, -30.00 CNY", "closing balance 12.50 CNY", "opening balance 0.00"} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("statement PDF lacks %q:\n%s", want, text)
		}
	}

	// Usage of the month, per SIM per day and per order.
	file := filepath.Join(t.TempDir(), "usage.csv")
	records := "id,imsi,start,end,input_bytes,output_bytes\n" +
		"r1," + imsiOf(simP(1)) + ",2024-01-31T10:00:00+08:00,2024-01-31T10:30:00+08:00,1048576,1048576\n" +
		"r2," + imsiOf(simP(3)) + ",2024-01-31T11:00:00+08:00,2024-01-31T11:30:00+08:00,524288,0\n"
	if err := os.WriteFile(file, []byte(records), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := runCLI(t, "", "usage", "import", "--db", s.m.DB, file); err != nil {
		t.Fatalf("usage import: %v %s", err, errOut)
	}
	usage := run("usage", "export", "--access-code", entP, "--month", "202401")
	if want := "iccid,day_utc8,bytes,mb\n" + simP(1) + ",2024-01-31,2097152,2.00\n" + simP(3) + ",2024-01-31,524288,0.50\n"; usage != want {
		t.Errorf("usage export:\n%s\nwant\n%s", usage, want)
	}
	perOrder := run("usage", "export", "--access-code", entP, "--month", "202401", "--per", "order")
	if lines := strings.Split(strings.TrimSpace(perOrder), "\n"); len(lines) != 5 || lines[0] != "order_id,iccid,plan_code,order_status,ordered_at_utc8,used_bytes,used_mb" {
		t.Errorf("usage export per order:\n%s", perOrder)
	}
	if out := run("ledger", "verify"); !strings.Contains(out, "ledger ok") {
		t.Errorf("ledger verify: %q", out)
	}

	// February: January closes 24 h after its last day, then never
	// changes; corrections land in the open month.
	clock.Set(time.Date(2024, 2, 1, 12, 0, 0, 0, opencube.BusinessZone))
	if _, err := ad.Adjust(ctx, entP, admin.AdjustmentRequest{Amount: "1.00", Currency: "CNY", Reason: "late credit", Month: "202401"}); err != nil {
		t.Fatalf("adjustment of January within the grace: %v", err)
	}
	clock.Set(time.Date(2024, 2, 2, 0, 0, 1, 0, opencube.BusinessZone))
	before, _ := json.Marshal(mustStatement(t, ad, 202401))
	if _, err := ad.Adjust(ctx, entP, admin.AdjustmentRequest{Amount: "1.00", Currency: "CNY", Reason: "too late", Month: "202401"}); opencube.ErrorKind(err) != opencube.KindInvalid {
		t.Errorf("adjustment of a closed month: %v, want invalid", err)
	}
	if _, err := ad.Adjust(ctx, entP, admin.AdjustmentRequest{Amount: "1.00", Currency: "CNY", Reason: "correction of January"}); err != nil {
		t.Fatal(err)
	}
	hook.none(t) // the balance never fell under 5.00 so far
	wantCode(t, order(5), csss.CodeOK)
	// 14.50 - 10.00 falls under 5.00: the balance_alert, through the outbox.
	if got := hook.next(t).payload; got["type"] != "balance_alert" || got["balance"] != "4.50" || got["alert_below"] != "5.00" ||
		got["currency"] != "CNY" || got["access_code"] != entP || got["sign"] == nil {
		t.Errorf("balance_alert delivery %v", got)
	}
	// A debit under the threshold again, after a top-up: an adjustment alerts too.
	if _, err := ad.TopUp(ctx, entP, admin.TopUpRequest{Amount: "3.00", Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ad.Adjust(ctx, entP, admin.AdjustmentRequest{Amount: "-3.00", Currency: "CNY", Reason: "roaming"}); err != nil {
		t.Fatal(err)
	}
	if got := hook.next(t).payload; got["type"] != "balance_alert" || got["balance"] != "4.50" {
		t.Errorf("balance_alert of an adjustment: %v", got)
	}
	after := mustStatement(t, ad, 202401)
	if got, _ := json.Marshal(after); !after.Closed || string(got) != string(before) || after.Currencies[0].Closing != 1350 {
		t.Errorf("closed January changed or is not closed:\n%s\n%s", before, got)
	}
	// enforce_price: a pay_amount other than the price answers 2002 naming
	// it; the price itself is taken.
	run("billing", "set", "--access-code", entP, "--mode", "postpaid", "--enforce-price")
	resp = s.do(t, s.p, "/package/orderPackage", withParams(planMonthly.order(simP(6), false), "pay_amount", "9.99"), nil)
	wantCode(t, resp, csss.CodePlanNotOrderable)
	if !strings.Contains(resp.Message, "10.00 CNY") {
		t.Errorf("2002 message %q does not name the price", resp.Message)
	}
	wantCode(t, order(6), csss.CodeOK)
	feb := mustStatement(t, ad, 202402)
	if feb.Closed || feb.Currencies[0].Opening != 1350 || feb.Currencies[0].Closing != 1350+100-1000-1000 || len(feb.Currencies[0].Lines) != 5 {
		t.Errorf("February: %+v", feb.Currencies)
	}
}

func mustStatement(t *testing.T, ad *client.Admin, month int) *billing.Statement {
	t.Helper()
	st, err := ad.Statement(t.Context(), entP, month)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestBillingPrepaidTwoNodes: concurrent prepaid orders through two nodes
// on one PostgreSQL database never take the balance below its limit.
func TestBillingPrepaidTwoNodes(t *testing.T) {
	url := pgtest.Schema(t)
	a := startNode(t, url, true)
	b := startNode(t, url, false)
	ctx := t.Context()
	if _, err := a.Services.Billing.PutAccount(ctx, &billing.Account{Enterprise: entP, Mode: billing.Prepaid, Currency: "CNY", CreditLimitMinor: 500}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Services.Billing.Credit(ctx, entP, billing.KindTopUp, 5000, "CNY", "", 0); err != nil {
		t.Fatal(err)
	}
	nodes := []*Main{a, b}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client.New(nodes[i%2].URL(), entP, service.DemoSecret)
			resp, err := c.Do(ctx, "/package/orderPackage", withParams(planMonthly.order(simP(i%10), false), "pay_amount", fmt.Sprint(i)), nil)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				codes[err.Error()]++
				return
			}
			codes[resp.Code]++
		}()
	}
	wg.Wait()
	// 50.00 and a credit limit of 5.00 pay for five orders of 10.00.
	if codes[csss.CodeOK] != 5 || codes[csss.CodeQuota] != 15 {
		t.Errorf("answers %v, want 5 %s and 15 %s", codes, csss.CodeOK, csss.CodeQuota)
	}
	bs, err := b.Services.Billing.Balances(ctx, entP)
	if err != nil || len(bs) != 1 || bs[0].AmountMinor != 0 {
		t.Errorf("balances %+v, %v; want 0.00 CNY", bs, err)
	}
	if m, err := b.Services.Billing.VerifyLedger(ctx); err != nil || len(m) != 0 {
		t.Errorf("VerifyLedger = %+v, %v", m, err)
	}
}
