package mall_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/mall"
	"github.com/opencube/opencube/service"
)

// TestCauses sends a Mall request for every cause a Mall answer states: the
// code stays the documented CSSS one, and the message names the field or
// rule that failed, in Chinese and in English.
func TestCauses(t *testing.T) {
	s := newMallServer(t)
	const (
		suspended = "89852022018041800600"
		plain     = "89852022018041800193" // no Mall order
	)
	if err := s.svc.Admin.ImportSIMs(t.Context(), []*opencube.SIM{
		{ICCID: suspended, IMSI: "454008041800600", EnterpriseCode: partner, Status: opencube.SIMSuspended},
	}); err != nil {
		t.Fatal(err)
	}
	// A pending purchase under orderNo PENDING-1, which a paid one of
	// another plan cannot take over.
	if code, msg := s.call(t, "/vshop/synPartner/SynOrderInfo", "SynOrderInfo", order(monthlyCode, 1, "10", "orderNo", "PENDING-1", "payRst", "PENDING")); code != csss.CodeOK {
		t.Fatalf("pending order: %s %s", code, msg)
	}
	const (
		single  = "/vshop/singleOrder"
		bad1001 = "参数错误:"
		badEN   = "Invalid or missing parameter: "
	)
	tests := []struct {
		name, path, tradeType string
		fields                map[string]string
		code                  string
		zh, en                string
	}{
		{"a price that is not the plan's", single, "singleOrder", order(monthlyCode, 1, "9.99"), csss.CodeInvalid,
			bad1001 + "payAmount 须为 10.00 CNY(套餐价格乘以周期数)", badEN + "payAmount must be 10.00 CNY, the plan's price times the periods"},
		{"a price in another currency", single, "singleOrder", order(monthlyCode, 2, "20", "payCurrency", "USD"), csss.CodeInvalid,
			bad1001 + "payAmount 须为 20.00 CNY(套餐价格乘以周期数)", badEN + "payAmount must be 20.00 CNY, the plan's price times the periods"},
		{"orderPeriod 121", single, "singleOrder", order(monthlyCode, 121, "1210"), csss.CodeInvalid,
			bad1001 + "orderPeriod 须为 1-120", badEN + "orderPeriod must be 1-120"},
		{"101 years of a yearly plan", single, "singleOrder", order("YEARLY", 101, "1010"), csss.CodeInvalid,
			bad1001 + "orderPeriod 将使订单有效期超过 100 年", badEN + "orderPeriod would make the order last more than 100 years"},
		{"autoRenewal 2", single, "singleOrder", order(monthlyCode, 1, "10", "autoRenewal", "2"), csss.CodeInvalid,
			bad1001 + "autoRenewal 须为 0 或 1", badEN + "autoRenewal must be 0 or 1"},
		{"payRst unknown", "/vshop/synPartner/SynOrderInfo", "SynOrderInfo", order(monthlyCode, 1, "10", "payRst", "MAYBE"), csss.CodeInvalid,
			bad1001 + "payRst 须为 SUCCESS、PENDING 或空", badEN + "payRst must be SUCCESS, PENDING or empty"},
		{"servicePlanCode of another plan", single, "singleOrder", order(monthlyCode, 1, "10", "servicePlanCode", "YEARLY"), csss.CodeInvalid,
			bad1001 + "servicePlanCode 须为 packageCode 的套餐", badEN + "servicePlanCode must name packageCode's plan"},
		{"the tradeType of another route", single, "singleVerify", order(monthlyCode, 1, "10"), csss.CodeInvalid,
			bad1001 + "tradeType 须为 singleOrder", badEN + "tradeType must be singleOrder"},
		{"an orderNo of another purchase", single, "singleOrder", order("YEARLY", 1, "10", "orderNo", "PENDING-1"), csss.CodeInvalid,
			bad1001 + "orderNo PENDING-1 已用于另一笔购买", badEN + "orderNo PENDING-1 names another purchase"},
		{"a plan the enterprise is not granted", single, "singleOrder", order("DP20201218003915", 1, "199"), csss.CodePlanNotOrderable,
			"套餐不存在或该设备不可订购: 该企业没有此编码的套餐", "Data plan does not exist or cannot be ordered for this device: the enterprise has no plan of that code"},
		{"a suspended SIM", "/vshop/singleVerify", "singleVerify", map[string]string{"deviceCode": suspended}, csss.CodeSIMState,
			"SIM卡状态不允许该操作: SIM卡已停机", "SIM state does not allow the operation: the SIM is suspended"},
		{"no order renewing itself", "/vshop/cancelAutoRenewal", "cancelAutoRenewal", map[string]string{"deviceCode": plain}, csss.CodeOrderNotFound,
			"订单不存在: 该SIM卡没有开启自动续订的订单", "Order does not exist: the SIM has no order with auto-renewal on"},
		{"an unknown Mall order: the code says it", "/payment/queryPayResult", "queryPayResult", map[string]string{"orderNo": "NO-SUCH"}, csss.CodeOrderNotFound,
			"订单不存在", "Order does not exist"},
		{"confirmPayResult of an unknown order", "/payment/confirmPayResult", "confirmPayResult", map[string]string{"orderNo": "NO-SUCH"}, csss.CodeOrderNotFound,
			"订单不存在", "Order does not exist"},
		{"a subscription of an unpaid order", "/payment/createSubscription", "createSubscription", map[string]string{"orderNo": "PENDING-1"}, csss.CodeOrderState,
			"当前订单状态不允许该操作", "Current order status does not allow this operation"},
		{"Stripe authorisation without a Stripe account", "/payment/stripeAuthorization", "stripeAuthorization", map[string]string{"orderNo": "PENDING-1"}, csss.CodeInvalid,
			bad1001 + "payType", badEN + "payType"},
		{"a new bundle group without its base plan", "/topup/bundleGroup/addSims", "addGroupSims", map[string]string{"groupId": "g", "deviceCodes": plain}, csss.CodeInvalid,
			bad1001 + "basePlan", badEN + "basePlan"},
		{"a bundle group of a plan not granted", "/topup/bundleGroup/addSims", "addGroupSims", map[string]string{"groupId": "g", "basePlan": "DP20201218003915", "deviceCodes": plain},
			csss.CodePlanNotOrderable, "套餐不存在或该设备不可订购: 该企业没有此编码的套餐", "Data plan does not exist or cannot be ordered for this device: the enterprise has no plan of that code"},
		{"a SIM twice in a group operation", "/topup/bundleGroup/addSims", "addGroupSims", map[string]string{"groupId": "g", "basePlan": monthlyCode, "deviceCodes": plain + "," + plain},
			csss.CodeInvalid, bad1001 + "deviceCodes", badEN + "deviceCodes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, want := range []struct {
				lang csss.Lang
				msg  string
			}{{csss.LangZH, tc.zh}, {csss.LangEN, tc.en}} {
				if code, msg := s.callIn(t, want.lang, tc.path, tc.tradeType, tc.fields); code != tc.code || msg != want.msg {
					t.Errorf("%s: %s %q, want %s %q", want.lang.Tag(), code, msg, tc.code, want.msg)
				}
			}
		})
	}
}

// TestErrorLog checks the log line of an error answer: path, code and the
// cause in English, at info for the caller's error; never the sign.
func TestErrorLog(t *testing.T) {
	s := newMallServer(t)
	var buf bytes.Buffer
	srv := mall.NewServer(s.svc.Mall, s.svc.Admin, opencube.SystemClock)
	srv.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
	logged := *s
	logged.h = srv.Handler()
	if code, _ := logged.callIn(t, csss.LangZH, "/vshop/singleOrder", "singleOrder", order(monthlyCode, 1, "9.99")); code != csss.CodeInvalid {
		t.Fatalf("code %s", code)
	}
	var got struct{ Level, Path, Code, Cause, Err string }
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &got); err != nil {
		t.Fatalf("log %s: %v", buf.Bytes(), err)
	}
	if got.Level != "INFO" || got.Path != "/vshop/singleOrder" || got.Code != csss.CodeInvalid || got.Err == "" ||
		got.Cause != "Invalid or missing parameter: payAmount must be 10.00 CNY, the plan's price times the periods" {
		t.Errorf("log %s", buf.Bytes())
	}
	if strings.Contains(buf.String(), "sign") || strings.Contains(buf.String(), service.DemoSecret) {
		t.Errorf("the log line holds the request: %s", buf.Bytes())
	}
}
