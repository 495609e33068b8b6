// Package money converts amounts of money between the integer minor units
// opencube keeps and the two-decimal strings every protocol shows (D16):
// one formatter and one parser for CSSS, the Mall, the eSIM QR Mall, the
// admin API and the webhooks. Money is converted only at the edge.
package money

import (
	"math"
	"strconv"
	"strings"

	"github.com/opencube/opencube"
)

// Format renders an amount of money in minor units as a decimal with
// two places (D16): 1230 is "12.30", 5 is "0.05", -250 is "-2.50".
func Format(n int64) string {
	sign, u := "", uint64(n)
	if n < 0 {
		sign, u = "-", -u
	}
	return sign + strconv.FormatUint(u/100, 10) + "." + strconv.FormatUint(u%100+100, 10)[1:]
}

// Parse reads an amount of money as minor units: ASCII digits, then
// optionally a point and one or two digits ("12.5" is 1250, "3" is 300,
// "0.07" is 7), without sign, exponent, white space or grouping. Any other
// input, or more than math.MaxInt64 minor units, is a KindInvalid *Error
// (and 0).
func Parse(s string) (int64, error) {
	whole, frac, dot := strings.Cut(s, ".")
	if !opencube.Digits(whole, 1, len(whole)) || (dot && frac == "") || !opencube.Digits(frac, 0, 2) {
		return 0, opencube.Invalid("amount", "%q is not a non-negative amount with at most two decimals", s)
	}
	n, ok := appendDigits(0, whole)
	if ok {
		n, ok = appendDigits(n, frac)
	}
	for i := len(frac); ok && i < 2; i++ {
		n, ok = appendDigits(n, "0")
	}
	if !ok {
		return 0, opencube.Invalid("amount", "%q is too large an amount", s)
	}
	return n, nil
}

// appendDigits returns n followed by the decimal digits of s, false when
// that overflows an int64.
func appendDigits(n int64, s string) (int64, bool) {
	for i := 0; i < len(s); i++ {
		d := int64(s[i] - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}
