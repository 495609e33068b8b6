package main

// Every error code each Plan endpoint can answer, in both languages, and the
// order in which the checks run (D23).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/seal"
)

// codeMessages is the code table of docs/csss.md, codes and D6, written out again
// here so that a change to the server's table is noticed: zh-CN, en-US.
var codeMessages = map[string][2]string{
	"0000": {"成功", "success"},
	"1001": {"参数错误:{}", "Invalid or missing parameter: {}"},
	"1002": {"签名校验失败", "Signature verification failed"},
	"1003": {"时间戳无效或已过期", "Timestamp invalid or expired"},
	"1004": {"access_code无效", "Invalid access_code"},
	"1005": {"不支持的版本", "Unsupported version"},
	"1007": {"接口不存在或请求方法错误", "API does not exist or wrong request method"},
	"1008": {"幂等键已用于不同请求", "Idempotency key already used for a different request"},
	"2001": {"设备不存在或不属于该企业", "Device does not exist or does not belong to the enterprise"},
	"2002": {"套餐不存在或该设备不可订购", "Data plan does not exist or cannot be ordered for this device"},
	"2003": {"订单不存在", "Order does not exist"},
	"2004": {"当前订单状态不允许该操作", "Current order status does not allow this operation"},
	"2005": {"OTA卡不支持该操作", "Operation not supported for OTA SIM"},
	"2006": {"批量订购失败:设备{}不满足订购条件", "Batch order rejected: device {} does not meet ordering requirements"},
	"2007": {"SIM卡状态不允许该操作", "SIM state does not allow the operation"},
}

// codeMessage returns the text of code in the language of an Accept-Language
// value ("" is Chinese), with detail in place of its {} or, after a fixed
// text, as its cause.
func codeMessage(code, acceptLanguage, detail string) string {
	text := inLang(acceptLanguage, codeMessages[code])
	if !strings.Contains(text, "{}") && detail != "" {
		return text + ": " + detail
	}
	return strings.ReplaceAll(text, "{}", detail)
}

// inLang returns the text of zhEN in the language of an Accept-Language
// value.
func inLang(acceptLanguage string, zhEN [2]string) string {
	if strings.HasPrefix(strings.ToLower(acceptLanguage), "en") {
		return zhEN[1]
	}
	return zhEN[0]
}

// must is the cause of a field outside the values it allows (D26), in
// Chinese and English; zh "" is en (numbers).
func must(field, en, zh string) [2]string {
	if zh == "" {
		zh = en
	}
	return [2]string{field + " 须为 " + zh, field + " must be " + en}
}

// The ranges of the fields whose values are more than numbers.
var (
	mustBit        = func(field string) [2]string { return must(field, "0 or 1", "0 或 1") }
	mustPayAmount  = must("pay_amount", "a decimal amount 0-999999999999999 with at most two decimals, at most 15 characters", "0-999999999999999 的金额,最多两位小数,最长 15 个字符")
	mustTestFlow   = must("test_flow", "test volume in MB, a number 0-1048576", "以 MB 计的测试流量,0-1048576 的数")
	mustDeviceList = must("deviceList", "ICCIDs, distinct: 1-1000 (--max-bulk) for batchOrderPackages, 1-100 for the usage queries, at most 1000 for queryDevicePackages",
		"互不相同的 ICCID:batchOrderPackages 1-1000 个(--max-bulk),用量查询 1-100 个,queryDevicePackages 至多 1000 个")
)

// repeats is the cause of a deviceList that names iccid twice.
func repeats(iccid string) [2]string {
	return [2]string{"deviceList 中的 ICCID " + iccid + " 重复", "deviceList repeats ICCID " + iccid}
}

// Causes of the business codes, in Chinese and English.
var (
	notGranted   = [2]string{"该企业没有此编码的套餐", "the enterprise has no plan of that code"}
	nameMismatch = [2]string{"package_name 与套餐 DP20190726001274 的名称不符", "package_name does not match plan DP20190726001274"}
	typeMismatch = [2]string{"package_type 与套餐 DP20190726001274 的类型 2 不符", "package_type does not match plan DP20190726001274, of type 2"}
	otaOnly      = [2]string{"套餐 DP20201218003915 仅限OTA卡订购", "plan DP20201218003915 is for OTA SIMs only"}
	otaIsOpen    = [2]string{"OTA卡须以 is_open=0 订购", "OTA SIMs are ordered with is_open=0"}
	otaKeepAlive = [2]string{"OTA卡的订单不支持 keep_alive=1", "keep_alive=1 is not supported for OTA SIMs"}
	noActive     = [2]string{"该SIM卡没有使用中或暂停的订单", "the SIM has no order in use or suspended"}
	suspendedSIM = [2]string{"SIM卡已停机", "the SIM is suspended"}
)

// inState is the cause of a move the order's state forbids.
func inState(status int) [2]string {
	return [2]string{fmt.Sprintf("订单状态 order_status 为 %d", status), fmt.Sprintf("the order's order_status is %d", status)}
}

// notFor is the cause of an order named with another SIM's device_id.
func notFor(orderID, iccid string) [2]string {
	return [2]string{"订单 " + orderID + " 不属于设备 " + iccid, "order " + orderID + " is not for device " + iccid}
}

// activeOrder is the cause of an order the SIM's active order blocks.
func activeOrder(orderID string) [2]string {
	return [2]string{"该SIM卡已有生效的订单 " + orderID, "the SIM already has active order " + orderID}
}

// errCase is one request and the error it must answer.
type errCase struct {
	name   string
	c      *client.Client // s.p when nil
	path   string
	params map[string]any // signed by c
	raw    []byte         // sent as is instead of params
	method string         // POST when empty
	status int            // HTTP status; 200 when 0
	code   string
	detail string    // the {} of the message
	why    [2]string // the cause the message names, zh and en, instead of detail
}

// send sends the case's request once with an Accept-Language header.
func (s *e2eServer) send(t *testing.T, tc errCase, acceptLanguage string) *client.Response {
	t.Helper()
	c := tc.c
	if c == nil {
		c = s.p
	}
	switch {
	case tc.method != "" && tc.method != http.MethodPost:
		req, err := http.NewRequestWithContext(t.Context(), tc.method, c.BaseURL+tc.path, bytes.NewReader(tc.raw))
		if err != nil {
			t.Fatal(err)
		}
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		out := &client.Response{Status: resp.StatusCode, Header: resp.Header, Body: buf.Bytes()}
		if err := json.Unmarshal(out.Body, out); err != nil {
			t.Fatalf("%s %s answered HTTP %d %q: %v", tc.method, tc.path, resp.StatusCode, out.Body, err)
		}
		return out
	case tc.raw != nil:
		resp, err := c.Post(t.Context(), tc.path, tc.raw, langHeader(acceptLanguage))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	default:
		return s.do(t, c, tc.path, tc.params, langHeader(acceptLanguage))
	}
}

// check sends the case in Chinese (no header and zh-CN) and in English and
// checks status, code, message, Content-Language and data:null.
func (s *e2eServer) check(t *testing.T, tc errCase) {
	t.Helper()
	status := tc.status
	if status == 0 {
		status = http.StatusOK
	}
	for _, al := range []string{"", "zh-CN", "en-US"} {
		resp := s.send(t, tc, al)
		wantLang := "zh-CN"
		if al == "en-US" {
			wantLang = "en-US"
		}
		if resp.Status != status || resp.Code != tc.code || resp.Success {
			t.Errorf("Accept-Language %q: HTTP %d code %s success %v, want HTTP %d code %s; body %s",
				al, resp.Status, resp.Code, resp.Success, status, tc.code, resp.Body)
			continue
		}
		detail := tc.detail
		if tc.why != ([2]string{}) {
			detail = inLang(al, tc.why)
		}
		if want := codeMessage(tc.code, al, detail); resp.Message != want {
			t.Errorf("Accept-Language %q: message %q, want %q", al, resp.Message, want)
		}
		if got := resp.Header.Get("Content-Language"); got != wantLang {
			t.Errorf("Accept-Language %q: Content-Language %q, want %q", al, got, wantLang)
		}
		if string(resp.Data) != "null" {
			t.Errorf("Accept-Language %q: data %s, want null", al, resp.Data)
		}
	}
}

// errFixture is a server with orders in every state an error needs.
type errFixture struct {
	*e2eServer
	notEnabled, inUse, busyNext, cancelled, ended, suspended string // P000270
	otaNotEnabled, otaInUse                                  string // QY-000001
	// Extra SIMs: a non-OTA SIM of QY-000001 and a suspended SIM of P000270.
	qPlain, pSuspended string
}

func newErrFixture(t *testing.T) *errFixture {
	s := startServer(t)
	f := &errFixture{e2eServer: s, qPlain: "89852022018041800500", pSuspended: "89852022018041800600"}
	s.importSIMs(t,
		&opencube.SIM{ICCID: f.qPlain, IMSI: "454008041800500", EnterpriseCode: entQ},
		&opencube.SIM{ICCID: f.pSuspended, IMSI: "454008041800600", EnterpriseCode: entP, Status: opencube.SIMSuspended})
	f.notEnabled = s.mustOrder(t, s.p, planMonthly.order(simP(0), false))
	f.inUse = s.mustOrder(t, s.p, planMonthly.order(simP(1), true))
	f.busyNext = s.mustOrder(t, s.p, planDaily.order(simP(1), false))
	f.cancelled = s.mustOrder(t, s.p, planDaily.order(simP(2), false))
	s.ok(t, s.p, "/package/cancelOrder", map[string]any{"order_id": f.cancelled})
	f.ended = s.mustOrder(t, s.p, planMonthly.order(simP(3), true))
	s.ok(t, s.p, "/package/endOrder", map[string]any{"order_id": f.ended})
	f.suspended = s.mustOrder(t, s.p, planMonthly.order(simP(4), true))
	s.ok(t, s.p, "/device/pauseService", map[string]any{"device_id": simP(4)})
	f.otaNotEnabled = s.ok(t, s.q, "/package/createOtaOrder", planOTA.ota(simQ(0)))["order_id"].(string)
	f.otaInUse = s.ok(t, s.q, "/package/createOtaOrder", planOTA.ota(simQ(1)))["order_id"].(string)
	s.ok(t, s.q, "/package/openOrder", map[string]any{"order_id": f.otaInUse})
	return f
}

func TestCSSSErrors(t *testing.T) {
	f := newErrFixture(t)
	s := f.e2eServer
	free := simP(5) // a SIM without orders
	ord := func(kv ...any) map[string]any { return withParams(planMonthly.order(free, false), kv...) }
	bulk := func(kv ...any) map[string]any {
		return withParams(planMonthly.order("", false), append([]any{"device_id", nil, "deviceList", []string{free}}, kv...)...)
	}
	page := func(kv ...any) map[string]any {
		return withParams(map[string]any{"page_no": 1, "page_size": 10}, kv...)
	}
	id := func(id string) map[string]any { return map[string]any{"order_id": id} }
	dev := func(iccid string) map[string]any { return map[string]any{"device_id": iccid} }
	now := s.clock.Now()
	secs := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	millis := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).UnixMilli(), 10) }
	tooMany := make([]string, 1001)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("898520220180418%05d", 10000+i)
	}
	signed, err := s.p.Body(ord())
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(signed, []byte(`"pay_amount":"0"`), []byte(`"pay_amount":"1"`), 1)
	if bytes.Equal(signed, tampered) {
		t.Fatalf("cannot tamper with %s", signed)
	}
	const (
		order, batch, renew, query, open, cancel, end, pause, resume, queryPkg, devPkg, otaOrder = "/package/orderPackage",
			"/package/batchOrderPackages", "/package/renewPackage", "/package/queryOrder", "/package/openOrder",
			"/package/cancelOrder", "/package/endOrder", "/device/pauseService", "/device/resumeService",
			"/package/queryPackage", "/package/queryDevicePackages", "/package/createOtaOrder"
	)
	groups := []struct {
		name  string
		cases []errCase
	}{
		{"1001 invalid parameter", []errCase{
			{name: "body is not JSON", path: order, raw: []byte("not json"), code: "1001", detail: "body"},
			{name: "body is empty", path: order, raw: []byte{}, code: "1001", detail: "body"},
			{name: "body is a JSON array", path: order, raw: []byte(`["access_code"]`), code: "1001", detail: "body"},
			{name: "body is two JSON objects", path: order, raw: []byte(`{"a":"1"} {"b":"2"}`), code: "1001", detail: "body"},
			{name: "body is cut short", path: order, raw: signed[:len(signed)-1], code: "1001", detail: "body"},
			{name: "device_id missing", path: order, params: ord("device_id", nil), code: "1001", detail: "device_id"},
			{name: "package_code missing", path: order, params: ord("package_code", nil), code: "1001", detail: "package_code"},
			{name: "package_name empty", path: order, params: ord("package_name", ""), code: "1001", detail: "package_name"},
			{name: "test_flow missing", path: order, params: ord("test_flow", nil), code: "1001", why: mustTestFlow},
			{name: "test_flow not a number", path: order, params: ord("test_flow", "abc"), code: "1001", why: mustTestFlow},
			{name: "global_order not 0 or 1", path: order, params: ord("global_order", "2"), code: "1001", why: mustBit("global_order")},
			{name: "is_open not 0 or 1", path: order, params: ord("is_open", "2"), code: "1001", why: mustBit("is_open")},
			{name: "is_open a JSON boolean", path: order, params: ord("is_open", true), code: "1001", why: mustBit("is_open")},
			{name: "package_type 6", path: order, params: ord("package_type", "6"), code: "1001", why: must("package_type", "0, 1, 2, 3, 4 or 5", "0、1、2、3、4 或 5")},
			{name: "pay_rst 3", path: order, params: ord("pay_rst", "3"), code: "1001", why: must("pay_rst", "1 or 2", "1 或 2")},
			{name: "pay_type 3", path: order, params: ord("pay_type", "3"), code: "1001", why: must("pay_type", "0, 1 or 2", "0、1 或 2")},
			{name: "test_flow_flag 2", path: order, params: ord("test_flow_flag", "2"), code: "1001", why: mustBit("test_flow_flag")},
			{name: "pay_amount missing", path: order, params: ord("pay_amount", nil), code: "1001", why: mustPayAmount},
			{name: "pay_amount with three decimals", path: order, params: ord("pay_amount", "1.234"), code: "1001", why: mustPayAmount},
			{name: "pay_amount negative", path: order, params: ord("pay_amount", "-1"), code: "1001", why: mustPayAmount},
			{name: "pay_amount with an exponent", path: order, params: ord("pay_amount", "1e2"), code: "1001", why: mustPayAmount},
			{name: "pay_amount ending in a dot", path: order, params: ord("pay_amount", "1."), code: "1001", why: mustPayAmount},
			{name: "pay_amount not a number", path: order, params: ord("pay_amount", "ten"), code: "1001", why: mustPayAmount},
			{name: "order_period 0", path: order, params: ord("order_period", "0"), code: "1001", why: must("order_period", "1-1200", "")},
			{name: "order_period negative", path: order, params: ord("order_period", "-1"), code: "1001", why: must("order_period", "1-1200", "")},
			{name: "order_period a fraction", path: order, params: ord("order_period", "1.5"), code: "1001", why: must("order_period", "1-1200", "")},
			{name: "deviceList missing", path: batch, params: bulk("deviceList", nil), code: "1001", why: mustDeviceList},
			{name: "deviceList empty", path: batch, params: bulk("deviceList", []string{}), code: "1001", why: mustDeviceList},
			{name: "deviceList not an array", path: batch, params: bulk("deviceList", free), code: "1001", why: mustDeviceList},
			{name: "deviceList with a duplicate", path: batch, params: bulk("deviceList", []string{free, simP(6), free}), code: "1001", why: repeats(free)},
			{name: "deviceList of 1001 devices", path: batch, params: bulk("deviceList", tooMany), code: "1001", why: [2]string{"deviceList 超过 1000 个设备", "deviceList holds more than 1000 devices"}},
			{name: "bulk is_open not 0 or 1", path: batch, params: bulk("is_open", "x"), code: "1001", why: mustBit("is_open")},
			{name: "bulk pay_amount bad", path: batch, params: bulk("pay_amount", "0.001"), code: "1001", why: mustPayAmount},
			{name: "renew order_id missing", path: renew, params: map[string]any{"renew_period": 1}, code: "1001", detail: "order_id"},
			{name: "renew_period missing", path: renew, params: id(f.inUse), code: "1001", why: must("renew_period", "1-1200", "")},
			{name: "renew_period 0", path: renew, params: withParams(id(f.inUse), "renew_period", 0), code: "1001", why: must("renew_period", "1-1200", "")},
			{name: "renew_period negative", path: renew, params: withParams(id(f.inUse), "renew_period", -1), code: "1001", why: must("renew_period", "1-1200", "")},
			{name: "queryOrder page_no missing", path: query, params: page("page_no", nil), code: "1001", why: must("page_no", "1-1073741824", "")},
			{name: "queryOrder page_size missing", path: query, params: page("page_size", nil), code: "1001", why: must("page_size", "1-100", "")},
			{name: "queryOrder page_no 0", path: query, params: page("page_no", 0), code: "1001", why: must("page_no", "1-1073741824", "")},
			{name: "queryOrder page_size 0", path: query, params: page("page_size", 0), code: "1001", why: must("page_size", "1-100", "")},
			{name: "queryOrder page_size 101", path: query, params: page("page_size", 101), code: "1001", why: must("page_size", "1-100", "")},
			{name: "queryOrder order_status 7", path: query, params: page("order_status", "7"), code: "1001", why: must("order_status", "1-6", "")},
			{name: "queryOrder order_status not a number", path: query, params: page("order_status", "used"), code: "1001", why: must("order_status", "1-6", "")},
			{name: "queryOrder order_type 4", path: query, params: page("order_type", "4"), code: "1001", why: must("order_type", "1-3", "")},
			{name: "queryPackage page_size 101", path: queryPkg, params: page("page_size", 101), code: "1001", why: must("page_size", "1-100", "")},
			{name: "queryPackage page_size 0", path: queryPkg, params: page("page_size", 0), code: "1001", why: must("page_size", "1-100", "")},
			{name: "queryPackage page_no without page_size", path: queryPkg, params: page("page_size", nil), code: "1001", why: must("page_size", "1-100", "")},
			{name: "queryDevicePackages page_size 101", path: devPkg, params: page("page_size", 101), code: "1001", why: must("page_size", "1-100", "")},
			{name: "queryDevicePackages page_size 0", path: devPkg, params: page("page_size", 0), code: "1001", why: must("page_size", "1-100", "")},
			{name: "queryDevicePackages duplicate in deviceList", path: devPkg, params: page("deviceList", []string{simP(0), simP(1), simP(0)}), code: "1001", why: repeats(simP(0))},
			{name: "queryDevicePackages device_id repeats deviceList", path: devPkg, params: page("deviceList", []string{simP(0)}, "device_id", simP(0)), code: "1001", why: repeats(simP(0))},
			{name: "openOrder order_id missing", path: open, params: dev(simP(0)), code: "1001", detail: "order_id"},
			{name: "cancelOrder order_id missing", path: cancel, params: nil, code: "1001", detail: "order_id"},
			{name: "endOrder without order_id or device_id", path: end, params: map[string]any{"keep_alive": "1"}, code: "1001", detail: "order_id"},
			{name: "endOrder keep_alive 2", path: end, params: withParams(id(f.inUse), "keep_alive", "2"), code: "1001", why: mustBit("keep_alive")},
			{name: "pauseService device_id missing", path: pause, params: id(f.inUse), code: "1001", detail: "device_id"},
			{name: "resumeService device_id missing", path: resume, params: id(f.suspended), code: "1001", detail: "device_id"},
			{name: "createOtaOrder days missing", c: s.q, path: otaOrder, params: withParams(planOTA.ota(simQ(5)), "days", nil), code: "1001", why: must("days", "1-1200", "")},
			{name: "createOtaOrder days 0", c: s.q, path: otaOrder, params: withParams(planOTA.ota(simQ(5)), "days", 0), code: "1001", why: must("days", "1-1200", "")},
			{name: "createOtaOrder timing_type missing", c: s.q, path: otaOrder, params: withParams(planOTA.ota(simQ(5)), "timing_type", nil), code: "1001", why: must("timing_type", "1-2", "")},
			{name: "createOtaOrder timing_type 3", c: s.q, path: otaOrder, params: withParams(planOTA.ota(simQ(5)), "timing_type", "3"), code: "1001", why: must("timing_type", "1-2", "")},
			{name: "createOtaOrder pay_type missing", c: s.q, path: otaOrder, params: withParams(planOTA.ota(simQ(5)), "pay_type", nil), code: "1001", why: must("pay_type", "0, 1 or 2", "0、1 或 2")},
		}},
		{"1002 signature", []errCase{
			{name: "sign missing", path: queryPkg, raw: unsignedBody(t, map[string]any{"access_code": entP, "timestamp": millis(0), "version": "2.0"}), code: "1002"},
			{name: "sign empty", path: queryPkg, raw: unsignedBody(t, map[string]any{"access_code": entP, "timestamp": millis(0), "version": "2.0", "sign": ""}), code: "1002"},
			{name: "sign not Base64", path: queryPkg, raw: unsignedBody(t, map[string]any{"access_code": entP, "timestamp": millis(0), "version": "2.0", "sign": "not base64!"}), code: "1002"},
			{name: "sign of another secret", c: s.client(entP, "some-other-secret"), path: order, params: ord(), code: "1002"},
			{name: "body changed after signing", path: order, raw: tampered, code: "1002"},
		}},
		{"1003 timestamp", []errCase{
			{name: "601 s old, in seconds", path: queryPkg, params: map[string]any{"timestamp": secs(-601 * time.Second)}, code: "1003"},
			{name: "601 s ahead, in seconds", path: queryPkg, params: map[string]any{"timestamp": secs(601 * time.Second)}, code: "1003"},
			{name: "600.001 s old, in milliseconds", path: queryPkg, params: map[string]any{"timestamp": millis(-600001 * time.Millisecond)}, code: "1003"},
			{name: "a day ahead, in milliseconds", path: queryPkg, params: map[string]any{"timestamp": millis(24 * time.Hour)}, code: "1003"},
			{name: "the documented example's, from 2022", path: queryPkg, params: map[string]any{"timestamp": "1643253530"}, code: "1003"},
			{name: "not a number", path: queryPkg, params: map[string]any{"timestamp": "yesterday"}, code: "1003"},
			{name: "a fraction", path: queryPkg, params: map[string]any{"timestamp": secs(0) + ".5"}, code: "1003"},
			{name: "negative", path: queryPkg, params: map[string]any{"timestamp": "-" + secs(0)}, code: "1003"},
			{name: "in microseconds", path: queryPkg, params: map[string]any{"timestamp": millis(0) + "000"}, code: "1003"},
			{name: "empty", path: queryPkg, params: map[string]any{"timestamp": ""}, code: "1003"},
			{name: "missing", path: queryPkg, params: map[string]any{"timestamp": nil}, code: "1003"},
		}},
		{"1004 access_code", []errCase{
			{name: "unknown access_code", c: s.client("P999999", demoSecret), path: queryPkg, params: nil, code: "1004"},
			{name: "empty access_code", path: queryPkg, params: map[string]any{"access_code": ""}, code: "1004"},
			{name: "access_code missing, unsigned", path: queryPkg, raw: unsignedBody(t, map[string]any{"timestamp": millis(0), "version": "2.0"}), code: "1004"},
			{name: "access_code a JSON object", path: queryPkg, raw: []byte(`{"access_code":{"id":"P000270"}}`), code: "1004"},
		}},
		{"1005 version", []errCase{
			{name: "version 1.0", path: queryPkg, params: map[string]any{"version": "1.0"}, code: "1005"},
			{name: "version 2", path: order, params: ord("version", "2"), code: "1005"},
			{name: "version missing", path: queryPkg, params: map[string]any{"version": nil}, code: "1005"},
		}},
		{"1007 no such API", []errCase{
			{name: "unknown path", path: "/package/nope", params: nil, status: http.StatusNotFound, code: "1007"},
			{name: "unknown path under /cube/v4", path: "/cube/v4/package/nope", params: nil, status: http.StatusNotFound, code: "1007"},
			{name: "the root", path: "/", params: nil, status: http.StatusNotFound, code: "1007"},
			{name: "a route with a trailing slash", path: "/package/queryPackage/", params: nil, status: http.StatusNotFound, code: "1007"},
			{name: "a route under another prefix", path: "/cube/v3/package/queryPackage", params: nil, status: http.StatusNotFound, code: "1007"},
			{name: "GET of a route", path: queryPkg, method: http.MethodGet, status: http.StatusMethodNotAllowed, code: "1007"},
			{name: "GET of a route under /cube/v4", path: "/cube/v4" + order, method: http.MethodGet, status: http.StatusMethodNotAllowed, code: "1007"},
			{name: "PUT of a route", path: query, method: http.MethodPut, raw: signed, status: http.StatusMethodNotAllowed, code: "1007"},
			{name: "DELETE of a route", path: cancel, method: http.MethodDelete, status: http.StatusMethodNotAllowed, code: "1007"},
			{name: "GET of an unknown path", path: "/package/nope", method: http.MethodGet, status: http.StatusNotFound, code: "1007"},
		}},
		{"2001 device not found", []errCase{
			{name: "orderPackage for an unknown ICCID", path: order, params: ord("device_id", "89852022018041899999"), code: "2001"},
			{name: "orderPackage for another enterprise's SIM", path: order, params: ord("device_id", simQ(5)), code: "2001"},
			{name: "createOtaOrder for another enterprise's SIM", c: s.q, path: otaOrder, params: planOTA.ota(simP(5)), code: "2001"},
			{name: "pauseService of an unknown SIM", path: pause, params: dev("89852022018041899999"), code: "2001"},
			{name: "pauseService of another enterprise's SIM", path: pause, params: dev(simQ(1)), code: "2001"},
			{name: "resumeService of another enterprise's SIM", path: resume, params: dev(simQ(1)), code: "2001"},
			{name: "endOrder by another enterprise's SIM", path: end, params: dev(simQ(1)), code: "2001"},
			{name: "queryDevicePackages of an unknown SIM", path: devPkg, params: page("deviceList", []string{simP(0), "89852022018041899999"}), code: "2001"},
			{name: "queryDevicePackages of another enterprise's SIM", path: devPkg, params: page("device_id", simQ(0)), code: "2001"},
		}},
		{"2002 plan not orderable", []errCase{
			{name: "unknown package_code", path: order, params: ord("package_code", "DP00000000000000"), code: "2002", why: notGranted},
			{name: "package_name of another plan", path: order, params: ord("package_name", planDaily.name), code: "2002", why: nameMismatch},
			{name: "package_name with a space", path: order, params: ord("package_name", planMonthly.name+" "), code: "2002", why: nameMismatch},
			{name: "package_type of another type", path: order, params: ord("package_type", "1"), code: "2002", why: typeMismatch},
			{name: "a plan the enterprise is not granted", path: order, params: planOTA.order(free, false), code: "2002", why: notGranted},
			{name: "the other enterprise's plan on an OTA SIM", c: s.q, path: order, params: planMonthly.order(simQ(5), false), code: "2002", why: notGranted},
			{name: "OTA plan on a non-OTA SIM", c: s.q, path: order, params: planOTA.order(f.qPlain, false), code: "2002", why: otaOnly},
			{name: "OTA plan on a non-OTA SIM by createOtaOrder", c: s.q, path: otaOrder, params: planOTA.ota(f.qPlain), code: "2002", why: otaOnly},
			{name: "bulk of an unknown plan", path: batch, params: bulk("package_code", "DP00000000000000"), code: "2002", why: notGranted},
			{name: "bulk with a mismatched name", path: batch, params: bulk("package_name", "C_M_0_P_中国20M月套餐"), code: "2002", why: nameMismatch},
			{name: "bulk with a mismatched type", path: batch, params: bulk("package_type", "5"), code: "2002", why: typeMismatch},
		}},
		{"2003 order not found", []errCase{
			{name: "renewPackage of an unknown order", path: renew, params: withParams(id("ORDER_99999999999999999"), "renew_period", 1), code: "2003"},
			{name: "renewPackage of an old-style id", path: renew, params: withParams(id("202107061625560742397"), "renew_period", 1), code: "2003"},
			{name: "openOrder of an unknown order", path: open, params: id("ORDER_99999999999999999"), code: "2003"},
			{name: "openOrder with another SIM's device_id", path: open, params: withParams(id(f.notEnabled), "device_id", simP(6)), code: "2003", why: notFor(f.notEnabled, simP(6))},
			{name: "cancelOrder of an unknown order", path: cancel, params: id("ORDER_99999999999999999"), code: "2003"},
			{name: "endOrder of an unknown order", path: end, params: id("ORDER_99999999999999999"), code: "2003"},
			{name: "endOrder of a SIM without an active order", path: end, params: dev(simP(0)), code: "2003", why: noActive},
			{name: "endOrder with another SIM's device_id", path: end, params: withParams(id(f.inUse), "device_id", simP(4)), code: "2003", why: notFor(f.inUse, simP(4))},
			{name: "pauseService of a SIM without an active order", path: pause, params: dev(free), code: "2003", why: noActive},
			{name: "pauseService with another SIM's order_id", path: pause, params: withParams(dev(simP(0)), "order_id", f.inUse), code: "2003", why: notFor(f.inUse, simP(0))},
			{name: "pauseService of an unknown order", path: pause, params: withParams(dev(simP(1)), "order_id", "ORDER_99999999999999999"), code: "2003"},
			{name: "resumeService of a SIM without an active order", path: resume, params: dev(free), code: "2003", why: noActive},
		}},
		{"2004 order state", []errCase{
			{name: "openOrder of an in-use order", path: open, params: id(f.inUse), code: "2004", why: inState(2)},
			{name: "openOrder of a suspended order", path: open, params: id(f.suspended), code: "2004", why: inState(3)},
			{name: "openOrder of an ended order", path: open, params: id(f.ended), code: "2004", why: inState(5)},
			{name: "openOrder of a cancelled order", path: open, params: id(f.cancelled), code: "2004", why: inState(6)},
			{name: "openOrder while the SIM has an in-use order", path: open, params: id(f.busyNext), code: "2004", why: activeOrder(f.inUse)},
			{name: "openOrder while the SIM has a suspended order", path: open, params: id(s.mustOrder(t, s.p, planDaily.order(simP(4), false))), code: "2004", why: activeOrder(f.suspended)},
			{name: "orderPackage is_open=1 while the SIM has an in-use order", path: order, params: planMonthly.order(simP(1), true), code: "2004", why: activeOrder(f.inUse)},
			{name: "orderPackage is_open=1 while the SIM has a suspended order", path: order, params: planMonthly.order(simP(4), true), code: "2004", why: activeOrder(f.suspended)},
			{name: "cancelOrder of an in-use order", path: cancel, params: id(f.inUse), code: "2004", why: inState(2)},
			{name: "cancelOrder of a suspended order", path: cancel, params: id(f.suspended), code: "2004", why: inState(3)},
			{name: "cancelOrder of an ended order", path: cancel, params: id(f.ended), code: "2004", why: inState(5)},
			{name: "cancelOrder of a cancelled order", path: cancel, params: id(f.cancelled), code: "2004", why: inState(6)},
			{name: "endOrder of a not-enabled order", path: end, params: id(f.notEnabled), code: "2004", why: inState(1)},
			{name: "endOrder of an ended order", path: end, params: id(f.ended), code: "2004", why: inState(5)},
			{name: "endOrder of a cancelled order", path: end, params: id(f.cancelled), code: "2004", why: inState(6)},
			{name: "pauseService of a suspended SIM", path: pause, params: dev(simP(4)), code: "2004", why: inState(3)},
			{name: "pauseService of a not-enabled order", path: pause, params: withParams(dev(simP(0)), "order_id", f.notEnabled), code: "2004", why: inState(1)},
			{name: "pauseService of an ended order", path: pause, params: withParams(dev(simP(3)), "order_id", f.ended), code: "2004", why: inState(5)},
			{name: "resumeService of an in-use SIM", path: resume, params: dev(simP(1)), code: "2004", why: inState(2)},
			{name: "resumeService of a not-enabled order", path: resume, params: withParams(dev(simP(0)), "order_id", f.notEnabled), code: "2004", why: inState(1)},
			{name: "resumeService of a cancelled order", path: resume, params: withParams(dev(simP(2)), "order_id", f.cancelled), code: "2004", why: inState(6)},
			{name: "resumeService of an ended order", path: resume, params: withParams(dev(simP(3)), "order_id", f.ended), code: "2004", why: inState(5)},
			{name: "renewPackage of a cancelled order", path: renew, params: withParams(id(f.cancelled), "renew_period", 1), code: "2004", why: inState(6)},
			{name: "renewPackage of an ended order", path: renew, params: withParams(id(f.ended), "renew_period", 1), code: "2004", why: inState(5)},
		}},
		{"2005 OTA SIM", []errCase{
			{name: "orderPackage is_open=1 on an OTA SIM", c: s.q, path: order, params: planOTA.order(simQ(5), true), code: "2005", why: otaIsOpen},
			{name: "createOtaOrder is_open=1", c: s.q, path: otaOrder, params: withParams(planOTA.ota(simQ(5)), "is_open", "1"), code: "2005", why: otaIsOpen},
			{name: "endOrder keep_alive=1 of an OTA order", c: s.q, path: end, params: withParams(id(f.otaInUse), "keep_alive", "1"), code: "2005", why: otaKeepAlive},
		}},
		{"2007 SIM state", []errCase{
			{name: "orderPackage for a suspended SIM", path: order, params: ord("device_id", f.pSuspended), code: "2007", why: suspendedSIM},
		}},
	}
	before := s.orders(t, s.p, nil)
	beforeQ := s.orders(t, s.q, nil)
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.cases {
				t.Run(tc.name, func(t *testing.T) { s.check(t, tc) })
			}
		})
	}
	t.Run("errors change nothing", func(t *testing.T) {
		after := s.orders(t, s.p, nil)
		if len(after) != len(before) {
			t.Fatalf("P000270 has %d orders, want %d", len(after), len(before))
		}
		for i, o := range before {
			if a := after[i]; a["orderId"] != o["orderId"] || a["orderStatus"] != o["orderStatus"] || a["expireDate"] != o["expireDate"] || a["renewPeriod"] != o["renewPeriod"] {
				t.Errorf("order %s changed: %v -> %v", o["orderId"], o, a)
			}
		}
		if afterQ := s.orders(t, s.q, nil); len(afterQ) != len(beforeQ) {
			t.Errorf("QY-000001 has %d orders, want %d", len(afterQ), len(beforeQ))
		}
	})
}

// TestCSSSCheckOrder checks that the checks of D23 run in their order: each
// request is wrong in two ways and must get the earlier one's code.
func TestCSSSCheckOrder(t *testing.T) {
	s := startServer(t)
	stale := strconv.FormatInt(s.clock.Now().Add(-time.Hour).Unix(), 10)
	tests := []errCase{
		{name: "an unknown path whatever the body", path: "/package/nope", raw: []byte("{"), status: http.StatusNotFound, code: "1007"},
		{name: "not JSON before access_code", path: "/package/queryOrder", raw: []byte(`{"access_code":"P999999",}`), code: "1001", detail: "body"},
		{name: "unknown access_code before a missing sign", path: "/package/queryOrder", raw: []byte(`{"access_code":"P999999","version":"1.0"}`), code: "1004"},
		{name: "missing sign before a bad version", path: "/package/queryOrder", raw: []byte(`{"access_code":"P000270","version":"1.0"}`), code: "1002"},
		{name: "wrong sign before a bad version", path: "/package/queryOrder", raw: []byte(`{"access_code":"P000270","version":"1.0","sign":"zOoyHBVtE/pOeA7nOuzCLvAg8d8="}`), code: "1002"},
		{name: "bad version before a stale timestamp", path: "/package/queryOrder", params: map[string]any{"version": "3.0", "timestamp": stale}, code: "1005"},
		{name: "stale timestamp before a missing field", path: "/package/queryOrder", params: map[string]any{"timestamp": stale}, code: "1003"},
		{name: "missing field before an unknown device", path: "/package/orderPackage", params: withParams(planMonthly.order("89852022018041899999", false), "package_name", nil), code: "1001", detail: "package_name"},
		{name: "bad field before a business error", path: "/package/openOrder", params: map[string]any{"order_id": "ORDER_99999999999999999", "device_id": []int{1}}, code: "1001", detail: "device_id"},
		{name: "unknown device before an unknown plan", path: "/package/orderPackage", params: withParams(planMonthly.order("89852022018041899999", false), "package_code", "DP0"), code: "2001"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { s.check(t, tc) })
	}
}

// TestCSSSTimestampAccepted checks what D4 accepts: seconds and milliseconds,
// up to 600 s either side of the server's clock.
func TestCSSSTimestampAccepted(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		name string
		ts   func(now time.Time) any
	}{
		{"now in seconds", func(now time.Time) any { return strconv.FormatInt(now.Unix(), 10) }},
		{"now in milliseconds", func(now time.Time) any { return strconv.FormatInt(now.UnixMilli(), 10) }},
		{"600 s old in seconds", func(now time.Time) any { return strconv.FormatInt(now.Add(-600*time.Second).Unix(), 10) }},
		{"600 s ahead in seconds", func(now time.Time) any { return strconv.FormatInt(now.Add(600*time.Second).Unix(), 10) }},
		{"599.999 s old in milliseconds", func(now time.Time) any { return strconv.FormatInt(now.Add(-599999*time.Millisecond).UnixMilli(), 10) }},
		{"600 s ahead in milliseconds", func(now time.Time) any { return strconv.FormatInt(now.Add(600*time.Second).UnixMilli(), 10) }},
		{"a JSON number of seconds", func(now time.Time) any { return json.Number(strconv.FormatInt(now.Unix(), 10)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The whole second, so that seconds lose nothing.
			s.clock.Set(s.clock.Now().Truncate(time.Second).Add(time.Second))
			resp, err := s.p.Do(t.Context(), "/package/queryPackage", map[string]any{"timestamp": tt.ts(s.clock.Now())}, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantCode(t, resp, csss.CodeOK)
		})
	}
}

// TestCSSSTimestampWindow checks that the window of D4 is Main's setting.
func TestCSSSTimestampWindow(t *testing.T) {
	clock := &e2eClock{now: clockStart}
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", t.TempDir() + "/db", "--demo", "--timestamp-window", "30s"}); err != nil {
		t.Fatal(err)
	}
	m.Clock = clock
	m.Stderr = io.Discard
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer closeMain(t, m)
	s := &e2eServer{m: m, clock: clock}
	s.p = s.client(entP, demoSecret)
	for _, tt := range []struct {
		age  time.Duration
		code string
	}{{30 * time.Second, "0000"}, {31 * time.Second, "1003"}, {-30 * time.Second, "0000"}, {-31 * time.Second, "1003"}} {
		t.Run(tt.age.String(), func(t *testing.T) {
			s.clock.Advance(time.Millisecond)
			ts := strconv.FormatInt(s.clock.Now().Add(-tt.age).UnixMilli(), 10)
			resp, err := s.p.Do(t.Context(), "/package/queryPackage", map[string]any{"timestamp": ts}, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantCode(t, resp, tt.code)
		})
	}
}

// TestCSSSLanguages checks D7 on a success and on an error: the text follows
// Accept-Language, the code does not.
func TestCSSSLanguages(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		header string
		en     bool
	}{
		{"", false}, {"zh-CN", false}, {"zh", false}, {"zh-TW", false}, {"zh-CN,en-US;q=0.9", false}, {"fr-FR", false}, {"*", false},
		{"en-US", true}, {"en", true}, {"EN-us", true}, {"en-GB,zh-CN;q=0.8", true}, {" en-US ; q=1", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.header), func(t *testing.T) {
			wantTag, ok, failed := "zh-CN", "成功", "订单不存在"
			if tt.en {
				wantTag, ok, failed = "en-US", "success", "Order does not exist"
			}
			resp := s.do(t, s.p, "/package/queryOrder", map[string]any{"page_no": 1, "page_size": 1}, langHeader(tt.header))
			wantCode(t, resp, csss.CodeOK)
			if resp.Message != ok || resp.Header.Get("Content-Language") != wantTag {
				t.Errorf("success: message %q Content-Language %q, want %q %q", resp.Message, resp.Header.Get("Content-Language"), ok, wantTag)
			}
			resp = s.do(t, s.p, "/package/cancelOrder", map[string]any{"order_id": "ORDER_99999999999999999"}, langHeader(tt.header))
			wantCode(t, resp, csss.CodeOrderNotFound)
			if resp.Message != failed || resp.Header.Get("Content-Language") != wantTag {
				t.Errorf("error: message %q Content-Language %q, want %q %q", resp.Message, resp.Header.Get("Content-Language"), failed, wantTag)
			}
		})
	}
}

// TestCSSSPrefixes checks D1: every route answers at /x and at /cube/v4/x.
func TestCSSSPrefixes(t *testing.T) {
	s := startServer(t)
	for _, rt := range csss.Routes {
		for _, prefix := range []string{"", csss.Prefix} {
			t.Run(prefix+rt.Path, func(t *testing.T) {
				resp := s.do(t, s.p, prefix+rt.Path, nil, nil)
				want := csss.CodeInvalid
				if rt.Path == "/package/queryPackage" {
					want = csss.CodeOK
				}
				wantCode(t, resp, want)
			})
		}
	}
	t.Run("a whole order's life under /cube/v4", func(t *testing.T) {
		c := client.New(s.m.URL()+csss.Prefix, entP, demoSecret)
		c.Now = s.clock.Now
		o, err := c.OrderPlan(t.Context(), opencube.OrderRequest{ICCID: simP(0), PlanCode: planMonthly.code, PlanName: planMonthly.name, PlanType: opencube.PlanMonthly, OrderPeriod: 1})
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name string
			do   func() (*opencube.Order, error)
			want opencube.OrderStatus
		}{
			{"enable", func() (*opencube.Order, error) { return c.EnableOrder(t.Context(), o.ID, simP(0)) }, opencube.OrderInUse},
			{"suspend", func() (*opencube.Order, error) { return c.SuspendOrder(t.Context(), simP(0), "") }, opencube.OrderSuspended},
			{"resume", func() (*opencube.Order, error) { return c.ResumeOrder(t.Context(), simP(0), "") }, opencube.OrderInUse},
			{"end", func() (*opencube.Order, error) {
				return c.EndOrder(t.Context(), opencube.EndOrderRequest{OrderID: o.ID})
			}, opencube.OrderEnded},
		}
		for _, st := range steps {
			s.clock.Advance(time.Second)
			got, err := st.do()
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if got.ID != o.ID || got.Status != st.want {
				t.Errorf("%s: order %s status %d, want %s %d", st.name, got.ID, got.Status, o.ID, st.want)
			}
		}
		// The same order through the root.
		if item := s.order(t, s.p, o.ID); item["orderStatus"] != "5" {
			t.Errorf("status through / = %s, want 5", item["orderStatus"])
		}
	})
}
