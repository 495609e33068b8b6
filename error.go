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
	// Cause names the rule that failed, beyond Kind, for the protocols
	// that state it in their answers: csss/codes.go holds the one table of
	// its texts in both languages, which name Args (a plan code, a count).
	// A KindInvalid error without one is stated by Field and Range.
	Cause Cause
	// Args are the values the text of Cause names.
	Args []string
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

// Because sets the cause of a new error e and the values its text names
// (formatted as by fmt.Sprint), and returns e.
func (e *Error) Because(cause Cause, args ...any) *Error {
	e.Cause, e.Args = cause, make([]string, len(args))
	for i, a := range args {
		e.Args[i] = fmt.Sprint(a)
	}
	return e
}

// Cause identifies the rule a domain error broke, so that every protocol
// states the same reason in its own words (csss/codes.go).
type Cause string

// Causes of domain errors; the comment after each says what broke, and the
// values its text names (Error.Args), if any.
const (
	CausePlanUnknown      Cause = "plan_unknown"       // no plan of the code the enterprise may order (unknown or not granted: no telling which)
	CausePlanName         Cause = "plan_name"          // package_name is not the plan's name: the plan
	CausePlanType         Cause = "plan_type"          // package_type is not the plan's type: the plan, its type
	CauseOTAPlan          Cause = "ota_plan"           // an OTA plan for a SIM that is not OTA: the plan
	CauseOTAOpen          Cause = "ota_is_open"        // an OTA SIM ordered with is_open=1
	CauseOTAKeepAlive     Cause = "ota_keep_alive"     // keep_alive=1 on an OTA order
	CauseSIMSuspended     Cause = "sim_suspended"      // the SIM is suspended
	CauseSIMTerminated    Cause = "sim_terminated"     // the SIM is terminated
	CauseSIMMove          Cause = "sim_move"           // the SIM's state forbids the move: the move, the state
	CauseNotOTA           Cause = "not_ota"            // an OTA-only operation on a SIM that is not OTA
	CauseSIMLocked        Cause = "sim_locked"         // a Cube v4 operation on the SIM is still being processed
	CauseNoOrderToStart   Cause = "no_order_to_start"  // the SIM has no order not enabled to start
	CauseOrderStatus      Cause = "order_status"       // the order's state forbids the move: the state
	CauseActiveOrder      Cause = "active_order"       // the SIM already has an active order
	CauseSIMHasOrder      Cause = "sim_has_order"      // the SIM has an order not over (in use, suspended, not enabled): the order
	CauseNoActiveOrder    Cause = "no_active_order"    // the SIM has no active order
	CauseNoOrderInUse     Cause = "no_order_in_use"    // the SIM has no order in use
	CauseOrderNotForSIM   Cause = "order_not_for_sim"  // the order is another SIM's: the order, the SIM
	CauseValidityYears    Cause = "validity_years"     // the order would last too long: the field, MaxValidityYears
	CauseValidityEnd      Cause = "validity_end"       // the order would end after MaxTime: the field, the last day
	CauseDeviceListSize   Cause = "device_list_size"   // deviceList holds too many devices: the most
	CauseDeviceListRepeat Cause = "device_list_repeat" // deviceList repeats an ICCID: the ICCID
	CauseDeviceListBlank  Cause = "device_list_blank"  // deviceList holds an empty ICCID
	CauseSMSSegments      Cause = "sms_segments"       // the message takes too many segments: its segments, the most
	CauseSMSDailyLimit    Cause = "sms_daily_limit"    // the SIM got its most messages today: how many
	CauseSMSHex           Cause = "sms_hex"            // binary content that is not hex octets
	CausePrice            Cause = "price"              // an amount that is not the price: the field, the price, its currency
	CauseOrderNoReused    Cause = "order_no_reused"    // a Mall orderNo of another purchase: the orderNo
	CauseServicePlan      Cause = "service_plan_code"  // a Mall servicePlanCode that is not packageCode's plan
	CauseNoAutoRenewal    Cause = "no_auto_renewal"    // the SIM has no Mall order renewing itself
	CausePartnerUnknown   Cause = "partner_unknown"    // partnerCode is no partner's
	CausePartnerNotUser   Cause = "partner_not_user"   // partnerCode is not the logged-in user's
	CauseVerifyCode       Cause = "verify_code"        // a wrong or expired e-mail verification code
	CausePackageCodePlan  Cause = "package_code_plan"  // an eSIM packageCode that is not the plan's: the code, the plan
	CauseNoPriceIn        Cause = "no_price_in"        // an eSIM plan without a price in the currency: the currency, the plan
	CauseOrderSettled     Cause = "order_settled"      // an eSIM order already paid or failed
	CauseBalance          Cause = "balance"            // a prepaid balance short of a price: the balance, the currency, the credit limit, the price
	CauseBillingCurrency  Cause = "billing_currency"   // a prepaid enterprise ordering a plan priced in another currency: the plan, its currency, the enterprise's
)

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
