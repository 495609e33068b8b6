package csss_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/service"
)

// causeCase is one request that breaks one rule: the answer keeps the
// documented code and names the rule, in Chinese and in English.
type causeCase struct {
	name   string
	access string // P000270 when empty
	path   string
	fields map[string]any
	code   string
	zh, en string // the whole messages
}

// TestCauses sends a request for every cause a CSSS answer states and
// checks the code and both messages, word for word.
func TestCauses(t *testing.T) {
	s := newEdgeServer(t)
	ctxP := opencube.NewContext(t.Context(), demoAccess)
	ctxQ := opencube.NewContext(t.Context(), otaAccess)
	const (
		qPlain      = "89852022018041800500" // QY-000001's SIM that is not OTA
		pSuspended  = "89852022018041800600"
		pTerminated = "89852022018041800601"
		pBusy       = "89852022018041800193" // an in-use order
		pWaiting    = "89852022018041800194" // a not-enabled order
		pFree       = "89852022018041800195" // no order
		otaBusy     = "89852022018041800301" // an in-use OTA order
	)
	if err := s.svc.Admin.ImportSIMs(t.Context(), []*opencube.SIM{
		{ICCID: qPlain, IMSI: "454008041800500", EnterpriseCode: otaAccess, Status: opencube.SIMActive},
		{ICCID: pSuspended, IMSI: "454008041800600", EnterpriseCode: demoAccess, Status: opencube.SIMSuspended},
		{ICCID: pTerminated, IMSI: "454008041800601", EnterpriseCode: demoAccess, Status: opencube.SIMTerminated},
	}); err != nil {
		t.Fatal(err)
	}
	place := func(ctx context.Context, r opencube.OrderRequest) *opencube.Order {
		t.Helper()
		r.PayRst, r.TestFlow, r.TestFlowFlag, r.OrderPeriod = "1", "0", "0", 1
		o, err := s.svc.Orders.OrderPlan(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	busy := place(ctxP, opencube.OrderRequest{ICCID: pBusy, PlanCode: monthlyCode, PlanName: monthlyName, PlanType: opencube.PlanMonthly, Open: true})
	waiting := place(ctxP, opencube.OrderRequest{ICCID: pWaiting, PlanCode: monthlyCode, PlanName: monthlyName, PlanType: opencube.PlanMonthly})
	ota := place(ctxQ, opencube.OrderRequest{ICCID: otaBusy, PlanCode: otaPlanCode, PlanName: otaPlanName, PlanType: opencube.PlanDaily, Days: 30, TimingType: opencube.TimingFirstAttach})
	if _, err := s.svc.Orders.EnableOrder(ctxQ, ota.ID, ""); err != nil {
		t.Fatal(err)
	}

	monthly := func(iccid string, kv ...any) map[string]any {
		return with(orderFields(iccid, monthlyCode, monthlyName, opencube.PlanMonthly), kv...)
	}
	otaOrder := func(iccid string, kv ...any) map[string]any {
		base := with(orderFields(iccid, otaPlanCode, otaPlanName, opencube.PlanDaily), "days", "30", "timing_type", "1")
		return with(base, kv...)
	}
	bulk := func(kv ...any) map[string]any {
		return with(monthly(""), append([]any{"device_id", nil}, kv...)...)
	}
	const (
		order, batch, otaPath  = "/package/orderPackage", "/package/batchOrderPackages", "/package/createOtaOrder"
		plan2002zh, plan2002en = "套餐不存在或该设备不可订购: ", "Data plan does not exist or cannot be ordered for this device: "
		bad1001zh, bad1001en   = "参数错误:", "Invalid or missing parameter: "
		state2004zh            = "当前订单状态不允许该操作: "
		state2004en            = "Current order status does not allow this operation: "
	)
	tests := []causeCase{
		// The three examples.
		{name: "package_name with a space", path: order, fields: monthly(pFree, "package_name", monthlyName+" "), code: csss.CodePlanNotOrderable,
			zh: plan2002zh + "package_name 与套餐 DP20190726001274 的名称不符",
			en: plan2002en + "package_name does not match plan DP20190726001274"},
		{name: "is_open=1 on an OTA SIM", access: otaAccess, path: order, fields: with(orderFields(otaSIM, otaPlanCode, otaPlanName, opencube.PlanDaily), "is_open", "1"), code: csss.CodeOTA,
			zh: "OTA卡不支持该操作: OTA卡须以 is_open=0 订购",
			en: "Operation not supported for OTA SIM: OTA SIMs are ordered with is_open=0"},
		{name: "timing_type 0", access: otaAccess, path: otaPath, fields: otaOrder(otaSIM, "timing_type", "0"), code: csss.CodeInvalid,
			zh: bad1001zh + "timing_type 须为 1-2",
			en: bad1001en + "timing_type must be 1-2"},

		// 1001: a field and the values it allows (D26), or the rule it breaks.
		{name: "is_open 2", path: order, fields: monthly(pFree, "is_open", "2"), code: csss.CodeInvalid,
			zh: bad1001zh + "is_open 须为 0 或 1", en: bad1001en + "is_open must be 0 or 1"},
		{name: "package_type 6", path: order, fields: monthly(pFree, "package_type", "6"), code: csss.CodeInvalid,
			zh: bad1001zh + "package_type 须为 0、1、2、3、4 或 5", en: bad1001en + "package_type must be 0, 1, 2, 3, 4 or 5"},
		{name: "page_size 101", path: "/package/queryOrder", fields: map[string]any{"page_no": 1, "page_size": 101}, code: csss.CodeInvalid,
			zh: bad1001zh + "page_size 须为 1-100", en: bad1001en + "page_size must be 1-100"},
		{name: "pay_amount with three decimals", path: order, fields: monthly(pFree, "pay_amount", "1.234"), code: csss.CodeInvalid,
			zh: bad1001zh + "pay_amount 须为 0-999999999999999 的金额,最多两位小数,最长 15 个字符",
			en: bad1001en + "pay_amount must be a decimal amount 0-999999999999999 with at most two decimals, at most 15 characters"},
		{name: "mcc of two digits", access: otaAccess, path: otaPath, fields: otaOrder(otaSIM, "mcc", "46"), code: csss.CodeInvalid,
			zh: bad1001zh + "mcc 须为 MCC:3 位数字,或空", en: bad1001en + "mcc must be an MCC: 3 digits, or empty"},
		{name: "direction x", path: "/sms/querySms", fields: map[string]any{"page_no": 1, "page_size": 1, "direction": "x"}, code: csss.CodeInvalid,
			zh: bad1001zh + "direction 须为 mt 或 mo", en: bad1001en + "direction must be mt or mo"},
		{name: "device_id missing: the field alone", path: order, fields: monthly(""), code: csss.CodeInvalid,
			zh: bad1001zh + "device_id", en: bad1001en + "device_id"},
		{name: "order_period of 101 years", path: order, fields: with(orderFields(pFree, yearlyCode, "yearly", opencube.PlanYearly), "order_period", "101"), code: csss.CodeInvalid,
			zh: bad1001zh + "order_period 将使订单有效期超过 100 年", en: bad1001en + "order_period would make the order last more than 100 years"},
		{name: "deviceList of 1001 devices", path: batch, fields: bulk("deviceList", iccids(1001)), code: csss.CodeInvalid,
			zh: bad1001zh + "deviceList 超过 1000 个设备", en: bad1001en + "deviceList holds more than 1000 devices"},
		{name: "deviceList with a repeated ICCID", path: batch, fields: bulk("deviceList", []string{pFree, pWaiting, pFree}), code: csss.CodeInvalid,
			zh: bad1001zh + "deviceList 中的 ICCID 89852022018041800195 重复", en: bad1001en + "deviceList repeats ICCID 89852022018041800195"},
		{name: "deviceList with an empty ICCID", path: batch, fields: bulk("deviceList", []string{pFree, ""}), code: csss.CodeInvalid,
			zh: bad1001zh + "deviceList 含有空的 ICCID", en: bad1001en + "deviceList holds an empty ICCID"},
		{name: "queryDevicePackages with a repeated ICCID", path: "/package/queryDevicePackages", fields: map[string]any{"page_no": 1, "page_size": 1, "deviceList": []string{pFree, pFree}}, code: csss.CodeInvalid,
			zh: bad1001zh + "deviceList 中的 ICCID 89852022018041800195 重复", en: bad1001en + "deviceList repeats ICCID 89852022018041800195"},
		{name: "binary SMS not in hex", path: "/sms/sendSms", fields: map[string]any{"device_id": pFree, "sms_type": "1", "content": "zz"}, code: csss.CodeInvalid,
			zh: bad1001zh + "sms_type 为 1 时 content 须为十六进制字节", en: bad1001en + "content must be hex octets when sms_type is 1"},

		// 2002: which rule the plan breaks.
		{name: "package_type of another type", path: order, fields: monthly(pFree, "package_type", "1"), code: csss.CodePlanNotOrderable,
			zh: plan2002zh + "package_type 与套餐 DP20190726001274 的类型 2 不符",
			en: plan2002en + "package_type does not match plan DP20190726001274, of type 2"},
		{name: "unknown package_code", path: order, fields: monthly(pFree, "package_code", "DP00000000000000"), code: csss.CodePlanNotOrderable,
			zh: plan2002zh + "该企业没有此编码的套餐", en: plan2002en + "the enterprise has no plan of that code"},
		{name: "a plan the enterprise is not granted", path: order, fields: orderFields(pFree, otaPlanCode, otaPlanName, opencube.PlanDaily), code: csss.CodePlanNotOrderable,
			zh: plan2002zh + "该企业没有此编码的套餐", en: plan2002en + "the enterprise has no plan of that code"},
		{name: "an OTA plan on a SIM that is not OTA", access: otaAccess, path: otaPath, fields: otaOrder(qPlain), code: csss.CodePlanNotOrderable,
			zh: plan2002zh + "套餐 DP20201218003915 仅限OTA卡订购", en: plan2002en + "plan DP20201218003915 is for OTA SIMs only"},

		// 2003, 2004, 2005, 2007.
		{name: "openOrder with another SIM's device_id", path: "/package/openOrder", fields: map[string]any{"order_id": waiting.ID, "device_id": pFree}, code: csss.CodeOrderNotFound,
			zh: "订单不存在: 订单 " + waiting.ID + " 不属于设备 " + pFree, en: "Order does not exist: order " + waiting.ID + " is not for device " + pFree},
		{name: "endOrder of a SIM without an active order", path: "/package/endOrder", fields: map[string]any{"device_id": pFree}, code: csss.CodeOrderNotFound,
			zh: "订单不存在: 该SIM卡没有使用中或暂停的订单", en: "Order does not exist: the SIM has no order in use or suspended"},
		{name: "cancelOrder of an in-use order", path: "/package/cancelOrder", fields: map[string]any{"order_id": busy.ID}, code: csss.CodeOrderState,
			zh: state2004zh + "订单状态 order_status 为 2", en: state2004en + "the order's order_status is 2"},
		{name: "is_open=1 while the SIM has an in-use order", path: order, fields: monthly(pBusy, "is_open", "1"), code: csss.CodeOrderState,
			zh: state2004zh + "该SIM卡已有生效的订单 " + busy.ID, en: state2004en + "the SIM already has active order " + busy.ID},
		{name: "endOrder keep_alive=1 of an OTA order", access: otaAccess, path: "/package/endOrder", fields: map[string]any{"order_id": ota.ID, "keep_alive": "1"}, code: csss.CodeOTA,
			zh: "OTA卡不支持该操作: OTA卡的订单不支持 keep_alive=1", en: "Operation not supported for OTA SIM: keep_alive=1 is not supported for OTA SIMs"},
		{name: "orderPackage for a suspended SIM", path: order, fields: monthly(pSuspended), code: csss.CodeSIMState,
			zh: "SIM卡状态不允许该操作: SIM卡已停机", en: "SIM state does not allow the operation: the SIM is suspended"},
		{name: "sendSms to a terminated SIM", path: "/sms/sendSms", fields: map[string]any{"device_id": pTerminated, "sms_type": "0", "content": "hi"}, code: csss.CodeSIMState,
			zh: "SIM卡状态不允许该操作: SIM卡已销户", en: "SIM state does not allow the operation: the SIM is terminated"},

		// 2006 names the first failing device and why it failed.
		{name: "bulk with a suspended SIM", path: batch, fields: bulk("deviceList", []string{pFree, pSuspended}), code: csss.CodeBulkRejected,
			zh: "批量订购失败:设备" + pSuspended + "不满足订购条件: SIM卡已停机",
			en: "Batch order rejected: device " + pSuspended + " does not meet ordering requirements: the SIM is suspended"},
		{name: "bulk with an unknown SIM", path: batch, fields: bulk("deviceList", []string{unknownICCID + "0000", pFree}), code: csss.CodeBulkRejected,
			zh: "批量订购失败:设备" + unknownICCID + "0000不满足订购条件: 设备不存在或不属于该企业",
			en: "Batch order rejected: device " + unknownICCID + "0000 does not meet ordering requirements: Device does not exist or does not belong to the enterprise"},

		// 2101 states the segments.
		{name: "an SMS of 11 segments", path: "/sms/sendSms", fields: map[string]any{"device_id": pFree, "sms_type": "0", "content": strings.Repeat("x", 153*10+1)}, code: csss.CodeSMSTooLong,
			zh: "短信过长,超过允许的分段数: 短信需 11 段,超过上限 10 段", en: "SMS too long: more segments than allowed: the message takes 11 segments, more than 10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			access := tc.access
			if access == "" {
				access = demoAccess
			}
			for _, want := range []struct {
				lang csss.Lang
				msg  string
			}{{csss.LangZH, tc.zh}, {csss.LangEN, tc.en}} {
				code, msg := s.callIn(t, want.lang, access, tc.path, tc.fields)
				if code != tc.code || msg != want.msg {
					t.Errorf("%s: %s %q, want %s %q", want.lang.Tag(), code, msg, tc.code, want.msg)
				}
			}
		})
	}
}

// TestCauseDirect checks causes that a request cannot reach on the real
// clock, and how a cause without a text falls back.
func TestCauseDirect(t *testing.T) {
	start := time.Date(9990, 1, 1, 0, 0, 0, 0, opencube.BusinessZone)
	late := &opencube.Order{PlanType: opencube.PlanYearly, OrderPeriod: 1, RenewPeriod: 20, StartedAt: &start}
	tests := []struct {
		name   string
		err    error
		code   string
		zh, en string
	}{
		{"a renewal past 9999", late.CheckValidity("renew_period"), csss.CodeInvalid,
			"参数错误:renew_period 将使订单在 9999-12-31 之后结束", "Invalid or missing parameter: renew_period would make the order end after 9999-12-31"},
		{"the daily limit", opencube.Errorf(opencube.KindSMSDailyLimit, "x").Because(opencube.CauseSMSDailyLimit, 100), csss.CodeSMSDailyLimit,
			"该SIM卡今日短信条数已达上限: 该SIM卡今日已收到 100 条短信,已达上限", "Daily SMS limit of the SIM card reached: the SIM was sent 100 messages today, the most allowed"},
		{"a wrapped error", errors.Join(errors.New("context"), opencube.Errorf(opencube.KindOTA, "x").Because(opencube.CauseOTAOpen)), csss.CodeOTA,
			"OTA卡不支持该操作: OTA卡须以 is_open=0 订购", "Operation not supported for OTA SIM: OTA SIMs are ordered with is_open=0"},
		{"an invalid field with an unknown cause", opencube.Invalid("order_id", "x").Because("no_such_cause"), csss.CodeInvalid,
			"参数错误:order_id", "Invalid or missing parameter: order_id"},
		{"a kind alone", opencube.Errorf(opencube.KindDeviceNotFound, "SIM x not found"), csss.CodeDeviceNotFound,
			"设备不存在或不属于该企业", "Device does not exist or does not belong to the enterprise"},
		{"not a domain error", errors.New("disk full"), csss.CodeSystem, "系统异常", "System error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, want := range []struct {
				lang csss.Lang
				msg  string
			}{{csss.LangZH, tt.zh}, {csss.LangEN, tt.en}} {
				if code, msg := csss.ErrorMessage(tt.err, want.lang); code != tt.code || msg != want.msg {
					t.Errorf("%s: %s %q, want %s %q", want.lang.Tag(), code, msg, tt.code, want.msg)
				}
			}
		})
	}
}

// TestErrorLog checks the one log line of an error answer: the path, the
// code and the cause in English, at info for the caller's error and at
// error for a system error; never the sign or the secret.
func TestErrorLog(t *testing.T) {
	s := newEdgeServer(t)
	var buf bytes.Buffer
	srv := csss.NewServer(s.svc.Orders, s.svc.SIMs, s.svc.Admin, s.store) // no SMS: querySms fails with 9999
	srv.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
	logged := *s
	logged.h = srv.Handler()

	type line struct {
		Level, Msg, Path, Code, Cause, Err string
	}
	tests := []struct {
		name   string
		path   string
		fields map[string]any
		want   line
	}{
		{"a loose package_name", "/package/orderPackage", with(orderFields(demoSIM, monthlyCode, monthlyName, opencube.PlanMonthly), "package_name", monthlyName+" "),
			line{Level: "INFO", Path: "/package/orderPackage", Code: csss.CodePlanNotOrderable,
				Cause: "Data plan does not exist or cannot be ordered for this device: package_name does not match plan DP20190726001274"}},
		{"timing_type 0", "/package/createOtaOrder", with(orderFields(otaSIM, otaPlanCode, otaPlanName, opencube.PlanDaily), "days", "30", "timing_type", "0"),
			line{Level: "INFO", Path: "/package/createOtaOrder", Code: csss.CodeInvalid, Cause: "Invalid or missing parameter: timing_type must be 1-2"}},
		{"a system error", "/sms/querySms", map[string]any{"page_no": 1, "page_size": 1},
			line{Level: "ERROR", Path: "/sms/querySms", Code: csss.CodeSystem, Cause: "System error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf.Reset()
			access := demoAccess
			if tt.path == "/package/createOtaOrder" {
				access = otaAccess
			}
			if code, msg := logged.callIn(t, csss.LangZH, access, tt.path, tt.fields); code != tt.want.Code {
				t.Fatalf("%s %s, want %s", code, msg, tt.want.Code)
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1:\n%s", len(lines), buf.String())
			}
			var got line
			if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
				t.Fatal(err)
			}
			if got.Err == "" {
				t.Errorf("no err in %s", lines[0])
			}
			got.Err, got.Msg = "", ""
			if got != tt.want {
				t.Errorf("log %+v, want %+v", got, tt.want)
			}
			if strings.Contains(lines[0], "sign") || strings.Contains(lines[0], service.DemoSecret) || strings.Contains(lines[0], "access_code") {
				t.Errorf("the log line holds the request: %s", lines[0])
			}
		})
	}
}
