package main

// `opencube call` and `opencube sign` against a running server.

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/mall"
)

// runCLI runs an opencube command line and returns its output.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = dispatch(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// callOutput decodes what `opencube call` printed: the envelope, indented.
func callOutput(t *testing.T, out string) *client.Response {
	t.Helper()
	if !strings.HasPrefix(out, "{\n  \"code\": ") || !strings.HasSuffix(out, "}\n") {
		t.Errorf("output is not the indented envelope:\n%s", out)
	}
	var resp client.Response
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	resp.Status = 200
	resp.Body = []byte(out)
	return &resp
}

func TestCLICall(t *testing.T) {
	s := startServer(t)
	// `opencube call` stamps requests with the wall clock: the server's
	// clock stands at the same time.
	s.clock.Set(time.Now())
	url := s.m.URL()

	t.Run("queryPackage", func(t *testing.T) {
		out, _, err := runCLI(t, "", "call", "--url", url, "package/queryPackage")
		if err != nil {
			t.Fatalf("call: %v", err)
		}
		resp := callOutput(t, out)
		wantCode(t, resp, csss.CodeOK)
		if resp.Message != "成功" {
			t.Errorf("message %q, want 成功", resp.Message)
		}
		diffJSON(t, "data", signedData(t, resp),
			`{"page":{"cur_page_no":1,"page_size":7,"total_count":7,"total_pages":1},"package_list":[`+dailyItem+`,`+unlimitedItem+`,`+monthlyItem+`,`+esimCoreItems+`]}`)
	})

	var id string
	t.Run("orderPackage with key=value arguments, in English", func(t *testing.T) {
		out, _, err := runCLI(t, "", "call", "--url", url, "--lang", "en-US", "/package/orderPackage",
			"device_id="+simP(0), "global_order=0", "is_open=1", "order_period=1", "package_code="+planMonthly.code,
			"package_name="+planMonthly.name, "package_type=2", "pay_amount=0", "pay_rst=1", "test_flow=0", "test_flow_flag=0")
		if err != nil {
			t.Fatalf("call: %v", err)
		}
		resp := callOutput(t, out)
		wantCode(t, resp, csss.CodeOK)
		d := dataOf(t, resp)
		id, _ = d["order_id"].(string)
		checkOrderID(t, id)
		if resp.Message != "success" || d["sign"] != nil {
			t.Errorf("message %q, data %v", resp.Message, d)
		}
	})

	t.Run("queryOrder with key:=json arguments", func(t *testing.T) {
		out, _, err := runCLI(t, "", "call", "--url", url, "package/queryOrder", "page_no:=1", "page_size:=10", "order_status=2")
		if err != nil {
			t.Fatalf("call: %v", err)
		}
		resp := callOutput(t, out)
		wantCode(t, resp, csss.CodeOK)
		var d struct {
			PackageOrder []map[string]string `json:"package_order"`
		}
		json.Unmarshal(resp.Data, &d)
		if len(d.PackageOrder) != 1 || d.PackageOrder[0]["orderId"] != id {
			t.Errorf("package_order %v, want %s", d.PackageOrder, id)
		}
	})

	t.Run("a failure prints the answer and exits 3", func(t *testing.T) {
		out, _, err := runCLI(t, "", "call", "--url", url, "--access-code", entQ, "package/cancelOrder", "order_id="+id)
		var ec exitCoder
		if !errors.As(err, &ec) || ec.ExitCode() != 3 || !strings.Contains(err.Error(), "2003") {
			t.Errorf("call error %v, want exit code 3 naming 2003", err)
		}
		resp := callOutput(t, out)
		wantCode(t, resp, csss.CodeOrderNotFound)
		if resp.Message != "订单不存在" || string(resp.Data) != "null" {
			t.Errorf("answer %s", out)
		}
	})

	t.Run("--idempotency-key", func(t *testing.T) {
		args := []string{"call", "--url", url, "--idempotency-key", "cli-1", "package/renewPackage", "order_id=" + id, "renew_period:=1"}
		first, _, err := runCLI(t, "", args...)
		if err != nil {
			t.Fatalf("call: %v", err)
		}
		again, _, err := runCLI(t, "", args...)
		if err != nil {
			t.Fatalf("call: %v", err)
		}
		if first != again {
			t.Errorf("retry printed\n%s\nwant\n%s", again, first)
		}
		if item := s.order(t, s.p, id); item["renewPeriod"] != "1" {
			t.Errorf("renewPeriod %s after a renewal and its retry, want 1", item["renewPeriod"])
		}
	})

	t.Run("bad arguments", func(t *testing.T) {
		for _, args := range [][]string{
			{"call", "--url", url},
			{"call", "--url", url, "package/queryOrder", "page_no"},
			{"call", "--url", url, "package/queryOrder", "page_no:={"},
		} {
			if _, _, err := runCLI(t, "", args...); err == nil {
				t.Errorf("%q: no error", args)
			}
		}
	})
}

func TestCLISign(t *testing.T) {
	// The orderPackage vector of sign-vectors.json: the documented body with
	// the documented sign, checked against a test secret.
	const body = `{"access_code":"P000270","device_id":"89852022018041800192","global_order":"0","is_open":"0","order_period":"1","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","pay_amount":"0","pay_rst":"1","pay_type":"2","test_flow":"0","test_flow_flag":"0","timestamp":"1643253530","version":"2.0","sign":"zOoyHBVtE/pOeA7nOuzCLvAg8d8="}`
	const canonical = `{"access_code":"P000270","device_id":"89852022018041800192","global_order":"0","is_open":"0","order_period":"1","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","pay_amount":"0","pay_rst":"1","pay_type":"2","test_flow":"0","test_flow_flag":"0","timestamp":"1643253530","version":"2.0"}`
	signed := strings.Replace(body, "zOoyHBVtE/pOeA7nOuzCLvAg8d8=", "SdwZZCWTPdjkdJBXbE6kdohuY9U=", 1)
	tests := []struct {
		name    string
		stdin   string
		args    []string
		want    string // stdout
		wantErr string // stderr
	}{
		{name: "the documented sign does not match the test secret", stdin: body + "\n",
			want:    canonical + "\nSdwZZCWTPdjkdJBXbE6kdohuY9U=\n",
			wantErr: "the body's sign zOoyHBVtE/pOeA7nOuzCLvAg8d8= does not match\n"},
		{name: "a body signed with the test secret matches", stdin: signed,
			want:    canonical + "\nSdwZZCWTPdjkdJBXbE6kdohuY9U=\n",
			wantErr: "the body's sign SdwZZCWTPdjkdJBXbE6kdohuY9U= matches\n"},
		{name: "-v: the forms also accepted", stdin: signed, args: []string{"-v"},
			want: canonical + "\nSdwZZCWTPdjkdJBXbE6kdohuY9U=\n" +
				"also accepted:\n" +
				"  non-ASCII escaped:   QIzYoG5UVI91BDDc+pSZuQDkrhc=\n" +
				"  scalars as strings:  SdwZZCWTPdjkdJBXbE6kdohuY9U=\n",
			wantErr: "the body's sign SdwZZCWTPdjkdJBXbE6kdohuY9U= matches\n"},
		{name: "no sign in the body", stdin: `{"access_code":"P000270","page_no":1,"page_size":2,"timestamp":"1643251754","version":"2.0"}`,
			want: "{\"access_code\":\"P000270\",\"page_no\":1,\"page_size\":2,\"timestamp\":\"1643251754\",\"version\":\"2.0\"}\n" +
				"NtwGMWUDAICURHq5KS009+aXydw=\n"},
		// The Mall's sign of the same canonical form: lowercase hex
		// HMAC-MD5 (mall.Sign), checked with mall.Verify.
		{name: "--mall", stdin: `{"partnerCode":"P000270","tradeTime":"1643251754000","deviceCode":"89852022018041800192"}`, args: []string{"--mall"},
			want: `{"deviceCode":"89852022018041800192","partnerCode":"P000270","tradeTime":"1643251754000"}` + "\n" +
				mall.Sign([]byte(`{"deviceCode":"89852022018041800192","partnerCode":"P000270","tradeTime":"1643251754000"}`), "opencube-test-secret") + "\n"},
		{name: "--mall with the body's sign", stdin: `{"partnerCode":"P000270","sign":"` +
			mall.Sign([]byte(`{"partnerCode":"P000270"}`), "opencube-test-secret") + `"}`, args: []string{"--mall"},
			want:    `{"partnerCode":"P000270"}` + "\n" + mall.Sign([]byte(`{"partnerCode":"P000270"}`), "opencube-test-secret") + "\n",
			wantErr: "the body's sign " + mall.Sign([]byte(`{"partnerCode":"P000270"}`), "opencube-test-secret") + " matches\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runCLI(t, tt.stdin, append([]string{"sign", "--secret", "opencube-test-secret"}, tt.args...)...)
			if err != nil {
				t.Fatalf("sign: %v", err)
			}
			if out != tt.want || errOut != tt.wantErr {
				t.Errorf("output\n%s\n%s\nwant\n%s\n%s", out, errOut, tt.want, tt.wantErr)
			}
		})
	}
	t.Run("the demo secret by default, and a body the client signed", func(t *testing.T) {
		c := client.New("http://127.0.0.1", entP, demoSecret)
		b, err := c.Body(planMonthly.order(simP(0), false))
		if err != nil {
			t.Fatal(err)
		}
		_, errOut, err := runCLI(t, string(b), "sign")
		if err != nil || !strings.Contains(errOut, " matches\n") {
			t.Errorf("sign: %v\n%s", err, errOut)
		}
	})
	t.Run("a body that is not an object", func(t *testing.T) {
		if _, _, err := runCLI(t, `["a"]`, "sign"); err == nil {
			t.Error("no error")
		}
	})
}
