package main

// `opencube call --mall` and `opencube call --esim` against a demo server:
// the CLI signs the shops' requests as their protocols want.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube/csss"
)

func TestCLICallMall(t *testing.T) {
	s := startShopServer(t)
	s.clock.Set(time.Now()) // tradeTime is the wall clock's
	url := s.m.URL()
	sim := simP(3)
	call := func(t *testing.T, args ...string) (string, error) {
		t.Helper()
		out, _, err := runCLI(t, "", append([]string{"call", "--url", url, "--mall"}, args...)...)
		return out, err
	}

	t.Run("singleVerify answers 0000", func(t *testing.T) {
		out, err := call(t, "vshop/singleVerify", "deviceCode="+sim)
		if err != nil {
			t.Fatalf("call: %v\n%s", err, out)
		}
		resp := callOutput(t, out)
		wantCode(t, resp, csss.CodeOK)
		if d := dataOf(t, resp); d["deviceCode"] != sim || d["partnerCode"] != entP || d["imsi"] != imsiOf(sim) || !resp.Success {
			t.Errorf("answer %s", out)
		}
	})

	var orderID string
	t.Run("singleOrder, named by its tradeType, paid by Stripe's signed event, becomes the SIM's order", func(t *testing.T) {
		out, err := call(t, "--get", "data.payStatus", "singleOrder", "orderNo=CLI-MALL-1", "deviceCode="+sim,
			"packageCode="+planMonthly.code, "payCurrency=CNY", "payAmount=10.00", "orderPeriod:=1", "payId=PAY-CLI-1")
		if err != nil || out != "0\n" {
			t.Fatalf("call: %v\n%s", err, out)
		}
		out, err = call(t, "--get", "data.payStatus", "payment/stripe/webhook", "id=evt_cli_1", "type=payment_intent.succeeded",
			`data:={"object":{"id":"pi_cli_1","object":"payment_intent","amount":1000,"currency":"cny","metadata":{"shop":"mall","orderId":"CLI-MALL-1","partnerCode":"P000270"}}}`)
		if err != nil || out != "1\n" {
			t.Fatalf("Stripe event through call --mall: %v\n%s", err, out)
		}
		out, err = call(t, "--get", "data.orderId", "payment/queryPayResult", "orderNo=CLI-MALL-1")
		if err != nil {
			t.Fatalf("call: %v\n%s", err, out)
		}
		orderID = strings.TrimSpace(out)
		checkOrderID(t, orderID)
		if item := s.order(t, s.p, orderID); item["deviceId"] != sim || item["packageCode"] != planMonthly.code || item["orderStatus"] != "2" {
			t.Errorf("the CSSS view of the order: %v", item)
		}
	})

	t.Run("the GET route signs its query", func(t *testing.T) {
		out, err := call(t, "topup/order/detail", "orderNo=CLI-MALL-1")
		if err != nil {
			t.Fatalf("call: %v\n%s", err, out)
		}
		resp := callOutput(t, out)
		wantCode(t, resp, csss.CodeOK)
		if d := dataOf(t, resp); d["orderId"] != orderID || d["payStatus"] != "1" || d["payAmount"] != "10.00" {
			t.Errorf("detail %s", out)
		}
	})

	t.Run("queryPayResult", func(t *testing.T) {
		out, err := call(t, "--get", "data.payStatus", "payment/queryPayResult", "orderNo=CLI-MALL-1")
		if err != nil || out != "1\n" {
			t.Errorf("payStatus %q, %v; want 1", out, err)
		}
	})

	t.Run("a refusal prints the answer and exits 3", func(t *testing.T) {
		out, err := call(t, "vshop/singleVerify", "deviceCode=89852022018049999999")
		if exitCode(err) != 3 {
			t.Errorf("exit code %d (%v), want 3", exitCode(err), err)
		}
		if resp := callOutput(t, out); resp.Code == csss.CodeOK || resp.Success {
			t.Errorf("answer %s", out)
		}
	})

	t.Run("a wrong secret answers 1002", func(t *testing.T) {
		out, err := call(t, "--secret", "not-the-secret", "vshop/singleVerify", "deviceCode="+sim)
		if exitCode(err) != 3 {
			t.Errorf("exit code %d (%v), want 3", exitCode(err), err)
		}
		wantCode(t, callOutput(t, out), csss.CodeSignature)
	})

	t.Run("-v prints the request", func(t *testing.T) {
		_, errOut, err := runCLI(t, "", "call", "--url", url, "--mall", "-v", "vshop/singleVerify", "deviceCode="+sim)
		if err != nil {
			t.Fatal(err)
		}
		head, body, _ := strings.Cut(errOut, "\n\n")
		var p map[string]string
		if !strings.HasPrefix(head, "POST "+url+"/vshop/singleVerify\n") || json.Unmarshal([]byte(strings.TrimSpace(body)), &p) != nil {
			t.Fatalf("request printed:\n%s", errOut)
		}
		if p["partnerCode"] != entP || p["tradeType"] != "singleVerify" || p["version"] != "3.0" || len(p["tradeTime"]) != 13 || len(p["sign"]) != 32 {
			t.Errorf("globals %v", p)
		}
		// The sign is what `opencube sign --mall` computes for the body.
		out, _, err := runCLI(t, strings.TrimSpace(body), "sign", "--mall")
		if err != nil || !strings.HasSuffix(out, "\n"+p["sign"]+"\n") {
			t.Errorf("sign --mall printed %q (%v), want the sign %s", out, err, p["sign"])
		}
	})
}

func TestCLICallESIM(t *testing.T) {
	s := startShopServer(t)
	s.clock.Set(time.Now()) // Stripe-Signature's t= is the wall clock's
	url := s.m.URL()
	run := func(t *testing.T, args ...string) string {
		t.Helper()
		out, errOut, err := runCLI(t, "", args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
		}
		return strings.TrimSpace(out)
	}
	esim := func(t *testing.T, args ...string) string {
		t.Helper()
		return run(t, append([]string{"call", "--url", url, "--esim"}, args...)...)
	}
	const email = "cli@example.com"
	const passwd = "5f4dcc3b5aa765d61d8327deb882cf99" // MD5 of "password"

	if got := esim(t, "--get", "data.packageCode", "fms/package/detail", "id:=1002"); got != "ESIM-JP-3G-15D" {
		t.Errorf("detail packageCode %q", got)
	}
	if got := esim(t, "--get", "code", "package/queryCountry"); got != "0" { // fms/ may be left out
		t.Errorf("queryCountry code %q", got)
	}
	esim(t, "fms/user/emailVerificationCode", "email="+email)
	code := run(t, "admin", "--url", url, "--admin-token", shopAdminToken, "esim", "code", email)
	if len(code) != 6 {
		t.Fatalf("verification code %q", code)
	}
	token := esim(t, "--get", "data.token", "fms/user/emailRegister", "email="+email, "passwd="+passwd, "verifyCode="+code)
	if token == "" {
		t.Fatal("no token")
	}
	order := func() string {
		return esim(t, "--token", token, "--get", "data.orderId", "fms/v1.1/package/preOrderPackage", "id:=1002", "currency=USD", "money=9.99", "periodNum:=1")
	}

	t.Run("the sandbox payment webhook is signed as a CSSS body", func(t *testing.T) {
		id := order()
		if got := esim(t, "--get", "data.orderPayStatus", "fms/payment/webhook", "orderId="+id, "type=payment_intent.succeeded",
			"payAmount=9.99", "payCurrency=USD", "paypalId=PAY-CLI-1", fmt.Sprintf("dateTime=%d", time.Now().Unix())); got != "1" {
			t.Errorf("orderPayStatus %q", got)
		}
		if got := esim(t, "--token", token, "--get", "data.qrCode", "fms/package/queryOrdStatusAndEmail", "orderId="+id); !strings.HasPrefix(got, "LPA:1$") {
			t.Errorf("qrCode %q", got)
		}
		if got := esim(t, "--token", token, "--get", "data.smdpAddress", "fms/v1.1/order/myEsimDetail", "orderId="+id); got != "smdp.demo.opencube.dev" {
			t.Errorf("smdpAddress %q", got)
		}
		// The QR code is a PNG, written as it is.
		out, _, err := runCLI(t, "", "call", "--url", url, "--esim", "--token", token, "fms/v1.1/order/qrCode", "orderId="+id)
		if err != nil || !bytes.HasPrefix([]byte(out), []byte("\x89PNG\r\n")) {
			t.Errorf("qrCode: %v, %q...", err, out[:min(len(out), 16)])
		}
	})

	t.Run("the Stripe webhook is signed in Stripe-Signature", func(t *testing.T) {
		id := order()
		obj := fmt.Sprintf(`{"object":{"id":"pi_cli","amount":999,"currency":"usd","metadata":{"orderId":%q,"partnerCode":%q}}}`, id, entP)
		if got := esim(t, "--get", "data.orderPayStatus", "fms/payment/stripe/webhook", "id=evt_cli", "type=payment_intent.succeeded", "data:="+obj); got != "1" {
			t.Errorf("orderPayStatus %q", got)
		}
	})

	t.Run("without the token the server refuses, exit 3", func(t *testing.T) {
		out, _, err := runCLI(t, "", "call", "--url", url, "--esim", "fms/v1.1/package/preOrderPackage", "id:=1002", "currency=USD", "money=9.99")
		if exitCode(err) != 3 || !strings.Contains(out, `"code": `) {
			t.Errorf("exit code %d (%v)\n%s", exitCode(err), err, out)
		}
	})

	t.Run("admin esim profiles lists the sold ones; an empty list says so", func(t *testing.T) {
		out := run(t, "admin", "--url", url, "--admin-token", shopAdminToken, "esim", "profiles", "--access-code", entP, "--state", "sold")
		if n := strings.Count(out, "\n") + 1; n != 2 || !strings.Contains(out, "sold") {
			t.Errorf("sold profiles:\n%s", out)
		}
		out = run(t, "admin", "--url", url, "--admin-token", shopAdminToken, "esim", "profiles", "--access-code", entP, "--state", "deleted")
		if out != "no eSIM profiles of P000270 in state deleted" {
			t.Errorf("no deleted profiles: %q", out)
		}
		if out := run(t, "admin", "--url", url, "--admin-token", shopAdminToken, "--json", "esim", "profiles", "--access-code", entP, "--state", "deleted"); out != "[]" {
			t.Errorf("--json of none: %q", out)
		}
	})
}
