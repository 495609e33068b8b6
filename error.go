package opencube

import (
	"errors"
	"fmt"
)

// Kind classifies a domain error. Protocol adapters map each kind to their own
// codes in exactly one place.
type Kind string

// Error kinds. The comment after each names the CSSS code it maps to.
const (
	KindInvalid          Kind = "invalid"            // 1001: missing or malformed input
	KindUnauthenticated  Kind = "unauthenticated"    // 1004: unknown or disabled enterprise
	KindConflict         Kind = "conflict"           // 1008: idempotency key reused for another request
	KindDeviceNotFound   Kind = "device_not_found"   // 2001: SIM unknown to the caller's enterprise
	KindPlanNotOrderable Kind = "plan_not_orderable" // 2002: plan unknown, mismatched or not orderable
	KindOrderNotFound    Kind = "order_not_found"    // 2003: order unknown to the caller's enterprise
	KindOrderState       Kind = "order_state"        // 2004: the order's state does not allow the move
	KindOTA              Kind = "ota"                // 2005: operation not supported for OTA SIMs
	KindBulkRejected     Kind = "bulk_rejected"      // 2006: an all-or-nothing bulk call failed
	KindSIMState         Kind = "sim_state"          // 2007: the SIM's state does not allow the operation
	KindQuota            Kind = "quota"              // 2008: insufficient quota or balance
	KindSMSTooLong       Kind = "sms_too_long"       // 2101: a message of more segments than allowed
	KindSMSDailyLimit    Kind = "sms_daily_limit"    // 2102: the SIM reached its MT messages of the day
	KindInternal         Kind = "internal"           // 9999: anything unexpected
	KindSMSNotFound      Kind = "sms_not_found"      // no CSSS code (querySms filters): an unknown message
	KindNotFound         Kind = "not_found"          // no CSSS code: an unknown webhook endpoint or delivery (admin API: 404)
)

// Error kinds of the consumer shops (the Mall and the eSIM QR Mall). The
// comment after each names the eSIM QR Mall code.
const (
	KindSoldOut         Kind = "sold_out"         // 6007: no eSIM profile left to reserve
	KindPriceMismatch   Kind = "price_mismatch"   // 10009: paid amount differs from the catalog
	KindPreOrderTimeout Kind = "preorder_timeout" // 6006: the pre-order ran out before payment
	KindTokenExpired    Kind = "token_expired"    // 7: x-access-token missing, unknown or expired
	KindNoQRCode        Kind = "no_qr_code"       // 3005: the order has no activation code (not paid)
)

// Error is the one error type of opencube's domain.
type Error struct {
	// Kind classifies the error.
	Kind Kind
	// Field names the offending input field, for KindInvalid.
	Field string
	// Range, for a value outside those Field allows (OutOfRange, MustBe),
	// states them ("1-1200", "1 or 2") for free-text messages (D26).
	Range string
	// Message is an English explanation for logs and operators.
	Message string
	// Failures lists the failing devices of a KindBulkRejected error, in
	// request order.
	Failures []DeviceFailure
}

// DeviceFailure is one device's reason for failing a bulk call.
type DeviceFailure struct {
	ICCID string
	Err   *Error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("opencube: %s: %s: %s", e.Kind, e.Field, e.Message)
	}
	return fmt.Sprintf("opencube: %s: %s", e.Kind, e.Message)
}

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a KindInvalid error about one input field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of err: its own when it is (or wraps) an *Error,
// KindInternal for any other non-nil error, and "" for nil.
func ErrorKind(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}
