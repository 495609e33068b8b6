package csss

import (
	"errors"
	"strings"

	"github.com/opencube/opencube"
)

// Result codes of the CSSS protocol (csss-api.md §2.2 and DECISIONS D6).
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
// field name or an ICCID).
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

// Message returns the text of code in lang with detail filled in.
func Message(code string, lang Lang, detail string) string {
	info, ok := codes[code]
	if !ok {
		info = codes[CodeSystem]
	}
	text := info.zh
	if lang == LangEN {
		text = info.en
	}
	if d, ok := details[detail]; ok {
		detail = d.zh
		if lang == LangEN {
			detail = d.en
		}
	}
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

// DetailSignReused is the detail of a 1002 answer to a request that changes
// state whose sign was already used on another path (D25).
const DetailSignReused = "sign_reused"

// details are the causes a fixed message can carry, by language.
var details = map[string]struct{ zh, en string }{
	DetailSignReused: {"该签名已用于另一请求", "the signature was already used for another request"},
}

// ErrorCode maps an error to its CSSS code and message detail; it is the one
// place where domain error kinds become protocol codes.
func ErrorCode(err error) (code, detail string) {
	var e *opencube.Error
	if !errors.As(err, &e) {
		return CodeSystem, ""
	}
	for c, info := range codes {
		if info.kind == e.Kind && info.kind != "" {
			code = c
			break
		}
	}
	switch e.Kind {
	case opencube.KindInvalid:
		detail = e.Field
	case opencube.KindBulkRejected:
		if len(e.Failures) > 0 {
			detail = e.Failures[0].ICCID
		}
	case "":
		code = CodeSystem
	}
	if code == "" {
		code = CodeSystem
	}
	return code, detail
}

// KindOf returns the domain kind a CSSS code stands for, KindInternal for a
// code with none (protocol codes such as 1002).
func KindOf(code string) opencube.Kind {
	if info, ok := codes[code]; ok && info.kind != "" {
		return info.kind
	}
	return opencube.KindInternal
}
