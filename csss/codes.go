package csss

import (
	"errors"
	"strconv"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
	"github.com/opencube/opencube/shop"
)

// Result codes of the CSSS protocol (docs/csss.md, codes and D6).
const (
	CodeOK                = "0000"
	CodeInvalid           = "1001"
	CodeSignature         = "1002"
	CodeTimestamp         = "1003"
	CodeAccessCode        = "1004"
	CodeVersion           = "1005"
	CodeTooFrequent       = "1006"
	CodeNoRoute           = "1007"
	CodeIdempotencyReused = "1008"
	CodeDeviceNotFound    = "2001"
	CodePlanNotOrderable  = "2002"
	CodeOrderNotFound     = "2003"
	CodeOrderState        = "2004"
	CodeOTA               = "2005"
	CodeBulkRejected      = "2006"
	CodeSIMState          = "2007"
	CodeQuota             = "2008"
	CodeSMSTooLong        = "2101"
	CodeSMSDailyLimit     = "2102"
	CodeSystem            = "9999"
)

// codeInfo is one row of the code table: the domain kind it stands for (if
// any) and its message in both languages; `{}` is replaced by the detail (a
// field name or an ICCID), and an error's cause (causes) completes it.
type codeInfo struct {
	kind   opencube.Kind
	zh, en string
}

// codes is the one table of codes, kinds and messages.
var codes = map[string]codeInfo{
	CodeOK:                {"", "成功", "success"},
	CodeInvalid:           {opencube.KindInvalid, "参数错误:{}", "Invalid or missing parameter: {}"},
	CodeSignature:         {"", "签名校验失败", "Signature verification failed"},
	CodeTimestamp:         {"", "时间戳无效或已过期", "Timestamp invalid or expired"},
	CodeAccessCode:        {opencube.KindUnauthenticated, "access_code无效", "Invalid access_code"},
	CodeVersion:           {"", "不支持的版本", "Unsupported version"},
	CodeTooFrequent:       {"", "请求过于频繁", "Request too frequent"},
	CodeNoRoute:           {"", "接口不存在或请求方法错误", "API does not exist or wrong request method"},
	CodeIdempotencyReused: {opencube.KindConflict, "幂等键已用于不同请求", "Idempotency key already used for a different request"},
	CodeDeviceNotFound:    {opencube.KindDeviceNotFound, "设备不存在或不属于该企业", "Device does not exist or does not belong to the enterprise"},
	CodePlanNotOrderable:  {opencube.KindPlanNotOrderable, "套餐不存在或该设备不可订购", "Data plan does not exist or cannot be ordered for this device"},
	CodeOrderNotFound:     {opencube.KindOrderNotFound, "订单不存在", "Order does not exist"},
	CodeOrderState:        {opencube.KindOrderState, "当前订单状态不允许该操作", "Current order status does not allow this operation"},
	CodeOTA:               {opencube.KindOTA, "OTA卡不支持该操作", "Operation not supported for OTA SIM"},
	CodeBulkRejected:      {opencube.KindBulkRejected, "批量订购失败:设备{}不满足订购条件", "Batch order rejected: device {} does not meet ordering requirements"},
	CodeSIMState:          {opencube.KindSIMState, "SIM卡状态不允许该操作", "SIM state does not allow the operation"},
	CodeQuota:             {opencube.KindQuota, "额度或余额不足", "Insufficient quota or balance"},
	CodeSMSTooLong:        {opencube.KindSMSTooLong, "短信过长,超过允许的分段数", "SMS too long: more segments than allowed"},
	CodeSMSDailyLimit:     {opencube.KindSMSDailyLimit, "该SIM卡今日短信条数已达上限", "Daily SMS limit of the SIM card reached"},
	CodeSystem:            {opencube.KindInternal, "系统异常", "System error"},
}

// Lang is a response language.
type Lang int

// Languages (D7).
const (
	LangZH Lang = iota // zh-CN, the default
	LangEN             // en-US
)

// Tag returns the language tag of l.
func (l Lang) Tag() string {
	if l == LangEN {
		return "en-US"
	}
	return "zh-CN"
}

// ParseLang picks the response language from an Accept-Language header:
// en-US when its first range starts with "en", zh-CN otherwise.
func ParseLang(header string) Lang {
	first, _, _ := strings.Cut(header, ",")
	first = strings.ToLower(strings.TrimSpace(first))
	if strings.HasPrefix(first, "en") {
		return LangEN
	}
	return LangZH
}

// Message returns the text of code in lang with detail, a text in lang: in
// place of the code's {} (a field name, an ICCID; "-" when empty), or after
// a fixed text as its cause.
func Message(code string, lang Lang, detail string) string {
	info, ok := codes[code]
	if !ok {
		info = codes[CodeSystem]
	}
	text := info.in(lang)
	if !strings.Contains(text, "{}") {
		if detail == "" {
			return text
		}
		return text + ": " + detail // a cause beside a fixed message
	}
	if detail == "" {
		detail = "-"
	}
	return strings.ReplaceAll(text, "{}", detail)
}

// in returns the text of the row in lang.
func (c codeInfo) in(lang Lang) string {
	if lang == LangEN {
		return c.en
	}
	return c.zh
}

// CauseSignReused is the cause of a 1002 answer to a request that changes
// state whose sign was already used on another path (D25).
const CauseSignReused opencube.Cause = "sign_reused"

// causeMustBe states a KindInvalid error by its Field and Range (D26).
const causeMustBe opencube.Cause = "must_be"

// causes is the one table of the causes an error answer states beside the
// text of its code, in both languages: the domain's (opencube.Cause...)
// and the protocols' own. {0}, {1}... stand for the error's Args (so that
// each language puts them where it needs); the text names the field or the
// rule that failed.
var causes = map[opencube.Cause]struct{ zh, en string }{
	causeMustBe:     {"{0} 须为 {1}", "{0} must be {1}"},
	CauseSignReused: {"该签名已用于另一请求", "the signature was already used for another request"},

	opencube.CausePlanUnknown:      {"该企业没有此编码的套餐", "the enterprise has no plan of that code"},
	opencube.CausePlanName:         {"package_name 与套餐 {0} 的名称不符", "package_name does not match plan {0}"},
	opencube.CausePlanType:         {"package_type 与套餐 {0} 的类型 {1} 不符", "package_type does not match plan {0}, of type {1}"},
	opencube.CauseOTAPlan:          {"套餐 {0} 仅限OTA卡订购", "plan {0} is for OTA SIMs only"},
	opencube.CauseOTAOpen:          {"OTA卡须以 is_open=0 订购", "OTA SIMs are ordered with is_open=0"},
	opencube.CauseOTAKeepAlive:     {"OTA卡的订单不支持 keep_alive=1", "keep_alive=1 is not supported for OTA SIMs"},
	opencube.CauseSIMSuspended:     {"SIM卡已停机", "the SIM is suspended"},
	opencube.CauseSIMTerminated:    {"SIM卡已销户", "the SIM is terminated"},
	opencube.CauseSIMMove:          {"不能对状态为 {1} 的SIM卡执行 {0}", "cannot {0} a SIM that is {1}"},
	opencube.CauseNotOTA:           {"该SIM卡不是OTA卡", "the SIM is not an OTA SIM"},
	opencube.CauseSIMLocked:        {"该SIM卡有Cube v4请求仍在处理中", "a Cube v4 request on the SIM is still being processed"},
	opencube.CauseNoOrderToStart:   {"该SIM卡没有未启用的订单可启用", "the SIM has no order not enabled to start"},
	opencube.CauseOrderStatus:      {"订单状态 order_status 为 {0}", "the order's order_status is {0}"},
	opencube.CauseActiveOrder:      {"该SIM卡已有生效的订单 {0}", "the SIM already has active order {0}"},
	opencube.CauseSIMHasOrder:      {"该SIM卡有未结束的订单 {0}", "the SIM has order {0}, not over"},
	opencube.CauseNoActiveOrder:    {"该SIM卡没有使用中或暂停的订单", "the SIM has no order in use or suspended"},
	opencube.CauseNoOrderInUse:     {"该SIM卡没有使用中的订单", "the SIM has no order in use"},
	opencube.CauseOrderNotForSIM:   {"订单 {0} 不属于设备 {1}", "order {0} is not for device {1}"},
	opencube.CauseValidityYears:    {"{0} 将使订单有效期超过 {1} 年", "{0} would make the order last more than {1} years"},
	opencube.CauseValidityEnd:      {"{0} 将使订单在 {1} 之后结束", "{0} would make the order end after {1}"},
	opencube.CauseDeviceListSize:   {"deviceList 超过 {0} 个设备", "deviceList holds more than {0} devices"},
	opencube.CauseDeviceListRepeat: {"deviceList 中的 ICCID {0} 重复", "deviceList repeats ICCID {0}"},
	opencube.CauseDeviceListBlank:  {"deviceList 含有空的 ICCID", "deviceList holds an empty ICCID"},
	opencube.CauseSMSSegments:      {"短信需 {0} 段,超过上限 {1} 段", "the message takes {0} segments, more than {1}"},
	opencube.CauseSMSDailyLimit:    {"该SIM卡今日已收到 {0} 条短信,已达上限", "the SIM was sent {0} messages today, the most allowed"},
	opencube.CauseSMSHex:           {"sms_type 为 1 时 content 须为十六进制字节", "content must be hex octets when sms_type is 1"},
	opencube.CausePrice:            {"{0} 须为 {1} {2}(套餐价格乘以周期数)", "{0} must be {1} {2}, the plan's price times the periods"},
	opencube.CauseOrderNoReused:    {"orderNo {0} 已用于另一笔购买", "orderNo {0} names another purchase"},
	opencube.CauseServicePlan:      {"servicePlanCode 须为 packageCode 的套餐", "servicePlanCode must name packageCode's plan"},
	opencube.CauseNoAutoRenewal:    {"该SIM卡没有开启自动续订的订单", "the SIM has no order with auto-renewal on"},
	opencube.CausePartnerUnknown:   {"partnerCode 不是已知的合作方", "partnerCode is not a known partner"},
	opencube.CausePartnerNotUser:   {"partnerCode 不是已登录用户的", "partnerCode is not the logged-in user's"},
	opencube.CauseVerifyCode:       {"verifyCode 错误或已过期", "verifyCode is wrong or expired"},
	opencube.CausePackageCodePlan:  {"packageCode {0} 不是套餐 {1} 的编码", "packageCode {0} is not the code of plan {1}"},
	opencube.CauseNoPriceIn:        {"currency {0} 不是套餐 {1} 的币种", "currency {0} is not a currency of plan {1}"},
	opencube.CauseOrderSettled:     {"订单已支付或已失败", "the order is already paid or failed"},
	opencube.CauseBalance:          {"余额 {0} {1}(信用额度 {2})不足以支付 {3} {1}", "the balance of {0} {1} (credit limit {2}) does not cover {3} {1}"},
	opencube.CauseBillingCurrency:  {"套餐 {0} 以 {1} 计价,而该企业以 {2} 结算", "plan {0} is priced in {1}, but the enterprise is billed in {2}"},

	addon.CauseAddOnPlan:        {"套餐 {0} 是加油包,只能加到使用中的订单上", "plan {0} is an add-on plan, added to an order in use, not ordered"},
	addon.CauseNotAddOn:         {"套餐 {0} 不是加油包", "plan {0} is not an add-on plan"},
	addon.CauseNotAllowed:       {"使用中的套餐 {0} 不允许加油包", "the plan in use, {0}, takes no add-ons"},
	shop.CauseOtherSubscription: {"账单 {0} 属于订阅 \"{1}\"，商城订单 {2} 的订阅为 \"{3}\"", "invoice {0} is of subscription \"{1}\", Mall order {2} holds \"{3}\""},
	shop.CauseOtherIntent:       {"支付 {0} 不属于商城订单 {1}，该订单的支付为 {2}", "payment intent {0} is not of Mall order {1}, which holds {2}"},
	addon.CauseSIMNotActive:     {"加油包须加到已激活的SIM卡上", "add-ons need an active SIM"},
	shop.CauseGroupGone:         {"该组合已不存在", "the bundle group no longer exists"},
	shop.CauseBasePlan:          {"该组合的基础套餐 {0} 不能为此SIM卡订购", "the group's base plan {0} cannot be ordered for this SIM"},
}

// rangesZH holds the Chinese of the ranges (opencube.Error.Range) that say
// more than numbers and lists: fieldRules' forms and the Mall's. A list
// ("0, 1 or 2") is written with 、 and 或.
var rangesZH = map[string]string{
	fieldRules["pay_amount"].about: "0-999999999999999 的金额,最多两位小数,最长 15 个字符",
	fieldRules["test_flow"].about:  "以 MB 计的测试流量,0-" + strconv.Itoa(opencube.MaxTestFlowMB) + " 的数",
	fieldRules["mcc"].about:        "MCC:3 位数字,或空",
	fieldRules["date"].about:       "2000-9999 年间的 UTC+8 日期 YYYYMMDD",
	fieldRules["month"].about:      "2000-9999 年间的 UTC+8 月份 YYYYMM",
	epochAbout:                     "纪元秒(少于 13 位)或毫秒,0 至 UTC+8 9999-12-31 23:59:59",
	fieldRules["deviceList"].about: "互不相同的 ICCID:batchOrderPackages 1-1000 个(--max-bulk),用量查询 1-100 个,queryDevicePackages 至多 1000 个",
	"SUCCESS, PENDING or empty":    "SUCCESS、PENDING 或空",
}

// rangeIn returns a range in lang.
func rangeIn(r string, lang Lang) string {
	if lang == LangEN {
		return r
	}
	if zh, ok := rangesZH[r]; ok {
		return zh
	}
	return strings.ReplaceAll(strings.ReplaceAll(r, ", ", "、"), " or ", " 或 ")
}

// Cause returns what err says failed, in lang: the text of its cause, or
// for an invalid field without one the field and the values it allows
// (D26), or the field alone; "" when err states nothing beyond its kind.
func Cause(err error, lang Lang) string {
	var e *opencube.Error
	if !errors.As(err, &e) {
		return ""
	}
	cause, args := e.Cause, e.Args
	if cause == "" && e.Kind == opencube.KindInvalid {
		if e.Range == "" {
			return e.Field
		}
		cause, args = causeMustBe, []string{e.Field, rangeIn(e.Range, lang)}
	}
	if _, ok := causes[cause]; !ok && e.Kind == opencube.KindInvalid {
		return e.Field // a cause with no text: the field still names it
	}
	return causeIn(cause, args, lang)
}

// causeIn returns the text of cause in lang with its {0}, {1}... filled by
// args; "" for a cause not in the table.
func causeIn(cause opencube.Cause, args []string, lang Lang) string {
	text, ok := causes[cause]
	if !ok {
		return ""
	}
	out := text.zh
	if lang == LangEN {
		out = text.en
	}
	for i, a := range args {
		out = strings.ReplaceAll(out, "{"+strconv.Itoa(i)+"}", a)
	}
	return out
}

// ErrorMessage returns the code of err and its message in lang: the text of
// the code, naming the error's Cause. A rejected bulk order names its first
// failing device and why that device failed.
func ErrorMessage(err error, lang Lang) (code, message string) {
	code = ErrorCode(err)
	var e *opencube.Error
	if errors.As(err, &e) && e.Kind == opencube.KindBulkRejected && len(e.Failures) > 0 {
		f := e.Failures[0]
		why := Cause(f.Err, lang)
		if why == "" {
			why = Message(ErrorCode(f.Err), lang, "")
		}
		return code, Message(code, lang, f.ICCID) + ": " + why
	}
	return code, Message(code, lang, Cause(err, lang))
}

// ErrorCode maps an error to its CSSS code; it is the one place where
// domain error kinds become protocol codes.
func ErrorCode(err error) string {
	var e *opencube.Error
	if !errors.As(err, &e) || e.Kind == "" {
		return CodeSystem
	}
	for c, info := range codes {
		if info.kind == e.Kind {
			return c
		}
	}
	return CodeSystem
}

// KindOf returns the domain kind a CSSS code stands for, KindInternal for a
// code with none (protocol codes such as 1002).
func KindOf(code string) opencube.Kind {
	if info, ok := codes[code]; ok && info.kind != "" {
		return info.kind
	}
	return opencube.KindInternal
}
