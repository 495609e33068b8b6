package esim

import (
	"errors"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
)

// Codes of the eSIM QR Mall envelope. 0, 2, 7, 1102, 3004, 3005, 6006,
// 9999, 10008 and 10009 are documented by FMS (links-field/fms-api); the
// others are opencube's, for outcomes FMS documents no code for.
const (
	CodeOK                = 0     // success
	CodeBadParams         = 2     // wrong parameters (also: bad webhook sign)
	CodeTokenExpired      = 7     // x-access-token missing, unknown or expired
	CodeTimeConversion    = 1102  // dateTime is not an epoch in seconds
	CodeOrderSystem       = 3004  // order-system exception: paid twice, wrong state
	CodeNoQRCode          = 3005  // qrCode null: the order is not paid
	CodeLoginFailed       = 4001  // unknown e-mail or wrong password [opencube]
	CodeEmailRegistered   = 4002  // e-mail already registered [opencube]
	CodePlanNotFound      = 6001  // no such plan [opencube]
	CodePreOrderTimeout   = 6006  // the pre-order timed out
	CodeSoldOut           = 6007  // no eSIM profile left [opencube]
	CodeNotFound          = 6008  // no such eSIM (top-up, profile) [opencube]
	CodeError             = 9999  // error
	CodeOrderNotFound     = 10008 // order does not exist
	CodePriceInconsistent = 10009 // price inconsistent
)

// KindTimeConversion is the kind of a dateTime that is not an epoch.
const KindTimeConversion opencube.Kind = "time_conversion"

// codeInfo is one row of the code table: the kind it stands for and its
// English message.
type codeInfo struct {
	kind    opencube.Kind
	message string
}

// codes is the one table of codes: kinds become codes here and nowhere else.
var codes = map[int]codeInfo{
	CodeOK:                {"", "success"},
	CodeBadParams:         {opencube.KindInvalid, "Wrong parameters"},
	CodeTokenExpired:      {opencube.KindTokenExpired, "Token expired, please log in again"},
	CodeTimeConversion:    {KindTimeConversion, "Time conversion exception"},
	CodeOrderSystem:       {opencube.KindOrderState, "Order system exception"},
	CodeNoQRCode:          {opencube.KindNoQRCode, "qrCode is null"},
	CodeLoginFailed:       {opencube.KindUnauthenticated, "Wrong e-mail or password"},
	CodeEmailRegistered:   {opencube.KindConflict, "E-mail already registered"},
	CodePlanNotFound:      {opencube.KindPlanNotOrderable, "Package does not exist"},
	CodePreOrderTimeout:   {opencube.KindPreOrderTimeout, "PreOrder Timeout"},
	CodeSoldOut:           {opencube.KindSoldOut, "eSIM sold out"},
	CodeNotFound:          {opencube.KindDeviceNotFound, "eSIM does not exist"},
	CodeError:             {opencube.KindInternal, "Error"},
	CodeOrderNotFound:     {opencube.KindOrderNotFound, "paypal The callback has no order number"},
	CodePriceInconsistent: {opencube.KindPriceMismatch, "Price inconsistent"},
}

// ErrorCode maps an error to its code and message: the one place where
// domain error kinds become eSIM QR Mall codes. The message names the
// error's cause in English, from the one table of causes (csss.Cause): an
// invalid field and the values it allows (D26), or the rule that failed.
func ErrorCode(err error) (int, string) {
	var e *opencube.Error
	if !errors.As(err, &e) {
		return CodeError, codes[CodeError].message
	}
	for c, info := range codes {
		if info.kind == e.Kind && info.kind != "" {
			msg := info.message
			if why := csss.Cause(e, csss.LangEN); why != "" {
				msg += ": " + why
			}
			return c, msg
		}
	}
	return CodeError, codes[CodeError].message
}
