package cubev4

import (
	"errors"
	"net/http"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
)

// Business status codes ($.status.code, cube-v4-api.md §1.9), and the
// server's own (docs/cubev4-notes.md).
const (
	CodeOK            = "CB-00-0000"
	CodeStartAfterEnd = "CB-00-0001"
	CodeEndInFuture   = "CB-00-0002"
	CodeStartTooEarly = "CB-00-0003"
	CodeInvalid       = "CB-99-9400"
	CodeAuthMissing   = "CB-99-9401"
	CodeMissing       = "CB-99-9402"
	CodeForbidden     = "CB-99-9403"
	CodeNotFound      = "CB-99-9404"
	CodeTooMany       = "CB-99-9429"
	CodeBusy          = "CB-99-9500"
	CodeInternal      = "CB-99-9999"
	CodeSIMRule       = "CB-01-9999"
	CodeBundleRule    = "CB-02-9999"
	CodeSMSRule       = "CB-04-9999"
	CodeSIMNotFound   = "CB-01-0001"
	CodeIMEINotFound  = "CB-01-0002"
	CodeSNNotFound    = "CB-01-0003"
	CodeOTA           = "CB-01-0004"
	CodeOTAOnly       = "CB-01-0005"
	CodeNoBundle      = "CB-01-0102"
	CodeNoBundleInUse = "CB-01-0105"
	CodeStatus        = "CB-01-0107"
	CodePending       = "CB-01-0111"
	CodeEnded         = "CB-01-0204"
	CodePlanNotFound  = "CB-02-0003"
	CodeAlreadyActive = "CB-01-0101"
	CodeOrderNotFound = "CB-02-0004"
	CodeAsyncNotFound = "CB-01-0112"
	CodeSuspendFailed = "CB-01-0200"
	CodeIncompatible  = "CB-01-0202"
)

// codeInfo is one row of the code table: the HTTP status that carries the
// code and its message in both languages.
type codeInfo struct {
	status int
	en, zh string
}

// codes is the one table of codes, statuses and messages. Business-rule
// rejections are HTTP 200 with their code and data null (cube-v4-api.md
// §1.9, [PROPOSAL]); input errors 400, authentication 401 and 403, limits
// 429.
var codes = map[string]codeInfo{
	CodeOK:            {http.StatusOK, "Success", "成功"},
	CodeStartAfterEnd: {http.StatusBadRequest, "Start time is later than end time", "开始时间晚于结束时间"},
	CodeEndInFuture:   {http.StatusBadRequest, "End time is earlier than request time", "结束时间不能晚于当前时间"},
	CodeStartTooEarly: {http.StatusBadRequest, "Start time is too far from request time", "开始时间距当前时间过远"},
	CodeInvalid:       {http.StatusBadRequest, "Invalid parameters", "参数无效"},
	CodeAuthMissing:   {http.StatusUnauthorized, "Authorization missing", "缺少授权信息"},
	CodeMissing:       {http.StatusBadRequest, "Missing parameters", "缺少参数"},
	CodeForbidden:     {http.StatusForbidden, "Authentication failed", "鉴权失败,无权调用该接口"},
	CodeNotFound:      {http.StatusNotFound, "API not found", "接口不存在"},
	CodeTooMany:       {http.StatusTooManyRequests, "Too many requests", "请求过于频繁"},
	CodeBusy:          {http.StatusInternalServerError, "Internal call error", "系统繁忙,请稍后重试"},
	CodeInternal:      {http.StatusInternalServerError, "Internal service error", "系统内部错误"},
	CodeSIMRule:       {http.StatusOK, "SIM validation error", "SIM卡校验失败"},
	CodeBundleRule:    {http.StatusOK, "Bundle validation error", "套餐校验失败"},
	CodeSMSRule:       {http.StatusOK, "SMS validation error", "短信校验失败"},
	CodeSIMNotFound:   {http.StatusOK, "SIM does not exist", "SIM卡不存在"},
	CodeIMEINotFound:  {http.StatusOK, "IMEI does not exist", "IMEI不存在"},
	CodeSNNotFound:    {http.StatusOK, "SN does not exist", "SN不存在"},
	CodeOTA:           {http.StatusOK, "Operation not supported for OTA SIM", "OTA卡不支持该操作"},
	CodeOTAOnly:       {http.StatusOK, "Operation only supported for OTA (BIP) SIM", "该操作仅支持OTA(BIP)卡"},
	CodeAlreadyActive: {http.StatusOK, "SIM is already activated", "SIM卡已激活"},
	CodeNoBundle:      {http.StatusOK, "No valid bundle found for the SIM", "SIM卡没有有效套餐"},
	CodeNoBundleInUse: {http.StatusOK, "No bundle in use for the SIM", "SIM卡没有使用中的套餐"},
	CodeStatus:        {http.StatusOK, "Not allowed in the current status", "当前状态不允许该操作"},
	CodePending:       {http.StatusOK, "Last request still being processed", "上一个请求仍在处理中"},
	CodeAsyncNotFound: {http.StatusOK, "Request does not exist", "请求不存在"},
	CodeSuspendFailed: {http.StatusOK, "Failed to suspend", "停机失败"},
	CodeIncompatible:  {http.StatusOK, "Failed to order bundle: incompatible with SIM", "订购套餐失败:与SIM卡不兼容"},
	CodeEnded:         {http.StatusOK, "Not allowed for expired or terminated SIM", "已过期或已销户的SIM卡不允许该操作"},
	CodePlanNotFound:  {http.StatusOK, "Plan does not exist", "套餐不存在"},
	CodeOrderNotFound: {http.StatusOK, "Order does not exist", "订单不存在"},
}

// Lang is a response language.
type Lang int

// Languages: en-US is the default of Cube v4 (cube-v4-api.md §1.2).
const (
	LangEN Lang = iota
	LangZH
)

// Tag returns the language tag of l.
func (l Lang) Tag() string {
	if l == LangZH {
		return "zh-CN"
	}
	return "en-US"
}

// ParseLang picks the response language of an Accept-Language header:
// zh-CN when its first range starts with "zh" (zh-CN, and the overview's
// zh-CH), en-US otherwise.
func ParseLang(header string) Lang {
	first, _, _ := strings.Cut(header, ",")
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(first)), "zh") {
		return LangZH
	}
	return LangEN
}

// Message returns the text of code in lang.
func Message(code string, lang Lang) string {
	info, ok := codes[code]
	if !ok {
		info = codes[CodeInternal]
	}
	if lang == LangZH {
		return info.zh
	}
	return info.en
}

// Status returns the HTTP status that carries code.
func Status(code string) int {
	if info, ok := codes[code]; ok {
		return info.status
	}
	return http.StatusInternalServerError
}

// causeCodes names the code of the domain causes that have one of their
// own; other errors take their kind's (kindCodes).
var causeCodes = map[opencube.Cause]string{
	opencube.CauseSIMTerminated:  CodeEnded,
	opencube.CauseNotOTA:         CodeOTAOnly,
	opencube.CauseOTAPlan:        CodeIncompatible,
	opencube.CauseOTAKeepAlive:   CodeOTA,
	opencube.CauseOTAOpen:        CodeOTA,
	opencube.CausePlanUnknown:    CodePlanNotFound,
	opencube.CauseNoActiveOrder:  CodeNoBundleInUse,
	opencube.CauseNoOrderInUse:   CodeNoBundleInUse,
	opencube.CauseSIMLocked:      CodePending,
	opencube.CauseNoOrderToStart: CodeNoBundle,
	opencube.CauseActiveOrder:    CodeAlreadyActive,
	// A prepaid balance short of a bundle's price is a bundle rule.
	opencube.CauseBalance:         CodeBundleRule,
	opencube.CauseBillingCurrency: CodeBundleRule,
	addon.CauseSIMNotActive:       CodeStatus,
	addon.CauseNotAllowed:         CodeBundleRule,
	addon.CauseNotAddOn:           CodeBundleRule,
	addon.CauseAddOnPlan:          CodeBundleRule,
}

// kindCodes is the code of each domain error kind. Another enterprise's
// SIM is KindDeviceNotFound, so it answers exactly as a missing one
// (CB-01-0001, D17); CB-01-0006 is never sent.
var kindCodes = map[opencube.Kind]string{
	opencube.KindInvalid:          CodeInvalid,
	opencube.KindUnauthenticated:  CodeForbidden,
	opencube.KindConflict:         CodePending,
	opencube.KindDeviceNotFound:   CodeSIMNotFound,
	opencube.KindPlanNotOrderable: CodePlanNotFound,
	opencube.KindOrderNotFound:    CodeOrderNotFound,
	opencube.KindOrderState:       CodeStatus,
	opencube.KindOTA:              CodeOTA,
	opencube.KindBulkRejected:     CodeSIMRule,
	opencube.KindSIMState:         CodeStatus,
	opencube.KindQuota:            CodeSMSRule,
	opencube.KindSMSTooLong:       CodeSMSRule,
	opencube.KindSMSDailyLimit:    CodeSMSRule,
	opencube.KindSMSNotFound:      CodeSMSRule,
	opencube.KindNotFound:         CodeAsyncNotFound,
	opencube.KindInternal:         CodeInternal,
}

// CodeOf is the one mapping of errors to codes: the code of the error's
// cause, else of its kind; CB-99-9999 for anything else.
func CodeOf(err error) string {
	var e *opencube.Error
	if !errors.As(err, &e) {
		return CodeInternal
	}
	if c, ok := causeCodes[e.Cause]; ok {
		return c
	}
	if c, ok := kindCodes[e.Kind]; ok {
		return c
	}
	return CodeInternal
}
