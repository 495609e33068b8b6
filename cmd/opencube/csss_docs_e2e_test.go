package main

// The documentation's example requests, verbatim but for a fresh timestamp
// and a sign made with the demo secret, against the demo data.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube/csss"
)

// signDoc fills a documented body's timestamp (%[1]s) and returns its
// canonical form and the body with its sign (%[2]s) made by form, one of
// the forms csss.CanonicalForms returns.
func signDoc(t *testing.T, template, timestamp string, form int) (canonical, body string) {
	t.Helper()
	unsignedDoc := strings.Replace(fmt.Sprintf(template, timestamp, "REMOVED"), `,"sign":"REMOVED"`, "", 1)
	unsignedDoc = strings.Replace(unsignedDoc, `, "sign": "REMOVED"`, "", 1)
	primary, ascii, str, err := csss.CanonicalForms([]byte(unsignedDoc))
	if err != nil {
		t.Fatalf("CanonicalForms(%s): %v", unsignedDoc, err)
	}
	c := [][]byte{primary, ascii, str}[form]
	return string(primary), fmt.Sprintf(template, timestamp, csss.Sign(c, demoSecret))
}

var orderIDMember = regexp.MustCompile(`"order_id":"ORDER_[0-9]{17}"`)

func TestCSSSDocExamples(t *testing.T) {
	s := startServer(t)
	const (
		primary, asciiEscaped, stringified = 0, 1, 2
	)
	tests := []struct {
		name          string
		c             string // access code
		path          string
		template      string // %[1]s timestamp, %[2]s sign
		form          int
		wantCanonical string // %[1]s timestamp; "" to skip
		wantData      string // data with ORDER for each order id; "" to skip
	}{
		{
			name: "orderPackage (docs/csss.md)", c: entP, path: "/package/orderPackage",
			template:      `{"access_code":"P000270","device_id":"89852022018041800192","global_order":"0","is_open":"0","order_period":"1","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","pay_amount":"0","pay_rst":"1","pay_type":"2","test_flow":"0","test_flow_flag":"0","timestamp":"%[1]s","version":"2.0","sign":"%[2]s"}`,
			wantCanonical: `{"access_code":"P000270","device_id":"89852022018041800192","global_order":"0","is_open":"0","order_period":"1","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","pay_amount":"0","pay_rst":"1","pay_type":"2","test_flow":"0","test_flow_flag":"0","timestamp":"%[1]s","version":"2.0"}`,
			wantData:      `{"sign":null,"order_id":"ORDER","order_start_date":null,"order_expire_date":null}`,
		},
		{
			name: "queryOrder with its empty filters (§3.3.5)", c: entP, path: "/package/queryOrder",
			template:      `{"access_code":"P000270","device_id":"","order_id":"","order_status":"","order_type":"","page_no":1,"page_size":2,"timestamp":"%[1]s","version":"2.0","sign":"%[2]s"}`,
			wantCanonical: `{"access_code":"P000270","page_no":1,"page_size":2,"timestamp":"%[1]s","version":"2.0"}`,
		},
		{
			name: "queryOrder signed with every scalar as a string", c: entP, path: "/package/queryOrder", form: stringified,
			template: `{"access_code":"P000270","device_id":"","order_id":"","order_status":"","order_type":"","page_no":1,"page_size":2,"timestamp":"%[1]s","version":"2.0","sign":"%[2]s"}`,
		},
		{
			name: "batchOrderPackages (§3.3.3)", c: entP, path: "/package/batchOrderPackages",
			template:      `{"access_code":"P000270","deviceList":["89852022018041800192","89852022018041800193"],"global_order":"0","is_open":"0","order_period":"1","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","pay_rst":"2","pay_type":"1","test_flow":"0","test_flow_flag":"0","timestamp":"%[1]s","version":"2.0","sign":"%[2]s"}`,
			wantCanonical: `{"access_code":"P000270","deviceList":["89852022018041800192","89852022018041800193"],"global_order":"0","is_open":"0","order_period":"1","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","pay_rst":"2","pay_type":"1","test_flow":"0","test_flow_flag":"0","timestamp":"%[1]s","version":"2.0"}`,
			wantData: `{"device_order":[{"error":"0000","errorMsg":"success","order_id":"ORDER","device_id":"89852022018041800192","order_start_date":null,"order_expire_date":null},` +
				`{"error":"0000","errorMsg":"success","order_id":"ORDER","device_id":"89852022018041800193","order_start_date":null,"order_expire_date":null}]}`,
		},
		{
			name: "createOtaOrder as Python's json.dumps sends it (§3.5.1)", c: entQ, path: "/package/createOtaOrder",
			template:      `{"access_code": "QY-000001", "device_id": "89852022018041800300", "global_order": "0", "is_open": "0", "order_period": "1", "package_code": "DP20201218003915", "package_name": "T_T_T_0_P_S_\u4e2d\u56fd100G/365\u5929\u5957\u9910", "package_type": "1", "pay_amount": "0", "pay_rst": "1", "pay_type": "2", "test_flow": "0", "test_flow_flag": "0", "mcc": "", "days": 364, "timing_type": "1", "timestamp": "%[1]s", "version": "2.0", "sign": "%[2]s"}`,
			wantCanonical: `{"access_code":"QY-000001","days":364,"device_id":"89852022018041800300","global_order":"0","is_open":"0","order_period":"1","package_code":"DP20201218003915","package_name":"T_T_T_0_P_S_中国100G/365天套餐","package_type":"1","pay_amount":"0","pay_rst":"1","pay_type":"2","test_flow":"0","test_flow_flag":"0","timestamp":"%[1]s","timing_type":"1","version":"2.0"}`,
			wantData:      `{"sign":null,"order_id":"ORDER","order_start_date":null,"order_expire_date":null}`,
		},
		{
			name: "createOtaOrder signed over the ASCII-escaped form", c: entQ, path: "/package/createOtaOrder", form: asciiEscaped,
			template: `{"access_code": "QY-000001", "device_id": "89852022018041800301", "global_order": "0", "is_open": "0", "order_period": "1", "package_code": "DP20201218003915", "package_name": "T_T_T_0_P_S_\u4e2d\u56fd100G/365\u5929\u5957\u9910", "package_type": "1", "pay_amount": "0", "pay_rst": "1", "pay_type": "2", "test_flow": "0", "test_flow_flag": "0", "mcc": "", "days": 364, "timing_type": "1", "timestamp": "%[1]s", "version": "2.0", "sign": "%[2]s"}`,
			wantData: `{"sign":null,"order_id":"ORDER","order_start_date":null,"order_expire_date":null}`,
		},
		{
			name: "createOtaOrder signed with every scalar as a string", c: entQ, path: "/package/createOtaOrder", form: stringified,
			template: `{"access_code": "QY-000001", "device_id": "89852022018041800302", "global_order": "0", "is_open": "0", "order_period": "1", "package_code": "DP20201218003915", "package_name": "T_T_T_0_P_S_中国100G/365天套餐", "package_type": "1", "pay_amount": "0", "pay_rst": "1", "pay_type": "2", "test_flow": "0", "test_flow_flag": "0", "mcc": "", "days": 364, "timing_type": "1", "timestamp": "%[1]s", "version": "2.0", "sign": "%[2]s"}`,
			wantData: `{"sign":null,"order_id":"ORDER","order_start_date":null,"order_expire_date":null}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.clock.Advance(time.Second) // a new second: the examples stamp seconds
			ts := strconv.FormatInt(s.clock.Now().Unix(), 10)
			canonical, body := signDoc(t, tt.template, ts, tt.form)
			if tt.wantCanonical != "" {
				if want := fmt.Sprintf(tt.wantCanonical, ts); canonical != want {
					t.Errorf("canonical form\n got %s\nwant %s", canonical, want)
				}
			}
			resp := s.post(t, s.of(tt.c), tt.path, []byte(body), nil)
			wantCode(t, resp, csss.CodeOK)
			if resp.Message != "成功" {
				t.Errorf("message %q, want 成功", resp.Message)
			}
			if tt.wantData == "" {
				return
			}
			got := orderIDMember.ReplaceAllString(string(resp.Data), `"order_id":"ORDER"`)
			if got != tt.wantData {
				t.Errorf("data\n got %s\nwant %s", got, tt.wantData)
			}
		})
	}

	t.Run("renewPackage (§3.3.4) and pauseService (§3.3.9)", func(t *testing.T) {
		id := s.mustOrder(t, s.p, planMonthly.order(simP(5), true))
		for _, step := range []struct{ path, template string }{
			{"/package/renewPackage", `{"access_code":"P000270","order_id":"` + id + `","renew_period":1,"timestamp":"%[1]s","version":"2.0","sign":"%[2]s"}`},
			{"/device/pauseService", `{"access_code":"P000270","device_id":"` + simP(5) + `","timestamp":"%[1]s","version":"2.0","sign":"%[2]s"}`},
		} {
			s.clock.Advance(time.Second)
			_, body := signDoc(t, step.template, strconv.FormatInt(s.clock.Now().Unix(), 10), primary)
			resp := s.post(t, s.p, step.path, []byte(body), nil)
			wantCode(t, resp, csss.CodeOK)
			checkDataSign(t, resp, demoSecret)
		}
		if item := s.order(t, s.p, id); item["orderStatus"] != "3" || item["expireDate"] != "2024-03-30 23:59:59" {
			t.Errorf("after renew and pause: %v", item)
		}
	})
}
