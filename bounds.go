package opencube

import (
	"fmt"
	"time"
)

// The bounds of DECISIONS D26 that more than one protocol shares: periods,
// an order's longest validity, the years of stored dates, and the largest
// amounts, volumes and identifiers. Each protocol states its own ranges
// from these (README, "Bounds").
const (
	// MaxPeriods is the largest order_period, renew_period or days one
	// request carries: they are integers 1-1200.
	MaxPeriods = 1200
	// MaxValidityYears is how long an order may last: its validity ends no
	// later than this many years after its start.
	MaxValidityYears = 100
	// MaxValidityMonths is MaxValidityYears in months: the longest
	// validity of an order counted in months (plan types 2-5). An order
	// of N months ends on the day before start + N months, so 1,200
	// months end within 100 years of any start.
	MaxValidityMonths = 12 * MaxValidityYears
	// MaxValidityDays is the fewest days MaxValidityYears hold (a century
	// with 24 leap days): the longest validity of an order counted in
	// days (plan types 0 and 1, and OTA orders), so that it ends within
	// 100 years of any start.
	MaxValidityDays = 365*MaxValidityYears + 24
	// MinYear is the first year of a date the server stores or writes.
	MinYear = 2000
	// MaxYear is the last year of a date the server stores or writes.
	MaxYear = 9999
	// MaxAmountMinor is the largest amount of money of a catalog price, in
	// minor units: 999,999,999,999.99. Times MaxPeriods it still fits an
	// int64.
	MaxAmountMinor int64 = 99_999_999_999_999
	// MaxVolumeBytes is the largest data volume of a plan: 1 PiB
	// (1,073,741,824 MB).
	MaxVolumeBytes int64 = 1 << 50
	// MaxTestFlowMB is the largest test volume (test_flow) of an order, in
	// MB: 1 TiB.
	MaxTestFlowMB = 1 << 20
	// MaxMallPeriods is the most periods one Mall order buys: orderPeriod
	// is 1-120, the Mall's own range, narrower than CSSS's order_period.
	MaxMallPeriods = 120
	// MaxESIMPeriods is the most periods one eSIM QR Mall order buys:
	// periodNum is 1-12 (the catalog's maxOrderPeriod).
	MaxESIMPeriods = 12
	// MaxThrottleKbps is the largest throttled speed of a plan: 10 Gbit/s.
	MaxThrottleKbps = 10_000_000
	// MaxCatalogID is the largest catalog id (an eSIM plan's id): 2^53-1,
	// the largest integer a JSON number carries exactly everywhere.
	MaxCatalogID int64 = 1<<53 - 1
	// MaxSessionBytes is the largest octet total of one data session, in
	// each direction: 2^56-1 bytes (64 PiB), what RADIUS Gigawords below
	// 2^24 carry with their octets, so that sums of totals never overflow.
	MaxSessionBytes int64 = 1<<56 - 1
)

// The instants the server stores lie in years MinYear-MaxYear both in UTC
// and in business time (UTC+8).
var (
	// MinTime is the first instant the server stores: 2000-01-01 00:00:00
	// UTC.
	MinTime = time.Date(MinYear, 1, 1, 0, 0, 0, 0, time.UTC)
	// MaxTime is the last instant the server stores: 9999-12-31 23:59:59
	// UTC+8.
	MaxTime = time.Date(MaxYear, 12, 31, 23, 59, 59, 0, BusinessZone)
)

// StorableTime reports whether t lies within MinTime-MaxTime.
func StorableTime(t time.Time) bool { return !t.Before(MinTime) && !t.After(MaxTime) }

// CheckTime returns nil when t is a StorableTime, else a KindInvalid
// error naming field.
func CheckTime(field string, t time.Time) error {
	if StorableTime(t) {
		return nil
	}
	return Invalid(field, "%s %s is outside years %d-%d", field, t.UTC().Format(time.RFC3339), MinYear, MaxYear)
}

// OutOfRange returns the KindInvalid error of a field whose value is not
// an integer within [lo, hi]: its Range and message state the range
// ("page_size must be 1-100").
func OutOfRange(field string, lo, hi int64) *Error { return MustBe(field, RangeText(lo, hi)) }

// MustBe returns the KindInvalid error of a field whose value is not among
// those allowed, stated by allowed ("1 or 2", "0.00-999999999999.99"):
// its Range is allowed and its message "field must be allowed".
func MustBe(field, allowed string) *Error {
	return &Error{Kind: KindInvalid, Field: field, Range: allowed, Message: field + " must be " + allowed}
}

// RangeText writes the range [lo, hi] as the messages and documents state
// it: "1-1200".
func RangeText(lo, hi int64) string { return fmt.Sprintf("%d-%d", lo, hi) }

// CheckRange returns nil when lo <= n <= hi, else OutOfRange(field, lo, hi).
func CheckRange(field string, n, lo, hi int64) error {
	if n < lo || n > hi {
		return OutOfRange(field, lo, hi)
	}
	return nil
}
