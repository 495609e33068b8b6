package opencube

import (
	"fmt"
	"time"
)

// The bounds of D26 that more than one protocol shares; each protocol
// states its own ranges from these (README, "Bounds").
const (
	// MaxPeriods is the largest order_period, renew_period or days of one
	// request: they are 1-1200.
	MaxPeriods = 1200
	// MaxValidityYears is how many years after its start an order's
	// validity ends at the latest.
	MaxValidityYears = 100
	// MaxValidityMonths is the longest validity of a month-counted order
	// (plan types 2-5): N months end the day before start + N months.
	MaxValidityMonths = 12 * MaxValidityYears
	// MaxValidityDays is the longest validity of a day-counted order (plan
	// types 0 and 1, OTA): the fewest days any 100 years hold (24 leap days).
	MaxValidityDays = 365*MaxValidityYears + 24
	// MinYear is the first year of a date the server stores or writes.
	MinYear = 2000
	// MaxYear is the last year of a date the server stores or writes.
	MaxYear = 9999
	// MaxAmountMinor is the largest catalog price in minor units
	// (999,999,999,999.99); times MaxPeriods it still fits an int64.
	MaxAmountMinor int64 = 99_999_999_999_999
	// MaxVolumeBytes is the largest volume of a plan: 1 PiB (1,073,741,824 MB).
	MaxVolumeBytes int64 = 1 << 50
	// MaxTestFlowMB is the largest test volume (test_flow) of an order, in
	// MB: 1 TiB.
	MaxTestFlowMB = 1 << 20
	// MaxMallPeriods is the most periods one Mall order buys: orderPeriod
	// is 1-120, narrower than CSSS's order_period.
	MaxMallPeriods = 120
	// MaxESIMPeriods is the most periods one eSIM QR Mall order buys:
	// periodNum is 1-12 (the catalog's maxOrderPeriod).
	MaxESIMPeriods = 12
	// MaxThrottleKbps is the largest throttled speed of a plan: 10 Gbit/s.
	MaxThrottleKbps = 10_000_000
	// MaxCatalogID is the largest eSIM plan id: 2^53-1, the largest integer
	// every JSON reader carries exactly.
	MaxCatalogID int64 = 1<<53 - 1
	// MaxSessionBytes is the largest octet total of one data session in
	// each direction: 2^56-1 (64 PiB), what RADIUS carries with Gigawords
	// below 2^24, so that sums of totals never overflow.
	MaxSessionBytes int64 = 1<<56 - 1
)

// The instants the server stores lie in years MinYear-MaxYear both in UTC
// and in business time (UTC+8).
var (
	// MinTime is the first instant the server stores: 2000-01-01 00:00:00 UTC.
	MinTime = time.Date(MinYear, 1, 1, 0, 0, 0, 0, time.UTC)
	// MaxTime is the last instant the server stores: 9999-12-31 23:59:59 UTC+8.
	MaxTime = time.Date(MaxYear, 12, 31, 23, 59, 59, 0, BusinessZone)
)

// StorableTime reports whether t lies within MinTime-MaxTime.
func StorableTime(t time.Time) bool { return !t.Before(MinTime) && !t.After(MaxTime) }

// CheckTime returns nil for a StorableTime, else a KindInvalid error
// naming field.
func CheckTime(field string, t time.Time) error {
	if StorableTime(t) {
		return nil
	}
	return Invalid(field, "%s %s is outside years %d-%d", field, t.UTC().Format(time.RFC3339), MinYear, MaxYear)
}

// OutOfRange returns the KindInvalid error of a field outside the integers
// lo-hi, stating the range ("page_size must be 1-100").
func OutOfRange(field string, lo, hi int64) *Error { return MustBe(field, RangeText(lo, hi)) }

// MustBe returns the KindInvalid error of a field whose value is not among
// those allowed ("1 or 2"): its Range is allowed, its message "field must
// be allowed".
func MustBe(field, allowed string) *Error {
	return &Error{Kind: KindInvalid, Field: field, Range: allowed, Message: field + " must be " + allowed}
}

// RangeText writes the range lo-hi as messages and documents state it:
// "1-1200".
func RangeText(lo, hi int64) string { return fmt.Sprintf("%d-%d", lo, hi) }

// CheckRange returns nil when lo <= n <= hi, else OutOfRange(field, lo, hi).
func CheckRange(field string, n, lo, hi int64) error {
	if n < lo || n > hi {
		return OutOfRange(field, lo, hi)
	}
	return nil
}
