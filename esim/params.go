package esim

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/shopwire"
)

// ParseParams reads an FMS request's fields (shopwire.Decode). FMS
// requests may come without a body: an empty body, or null, is an empty
// object.
func ParseParams(body []byte) (shopwire.Params, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return shopwire.Params{}, nil
	}
	p, err := shopwire.Decode(body)
	if err == nil && p == nil {
		p = shopwire.Params{}
	}
	return p, err
}

// ParseMoney reads a decimal amount ("4.99", "100", 4.9) as minor units:
// at most two decimals, never a float. It is not csss.ParseAmount (the
// Mall's payAmount): FMS amounts may carry surrounding spaces, and the
// 15-digit bound is on the whole part, not on the text.
func ParseMoney(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 15 || len(frac) > 2 || (dot && frac == "") {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, _ := strconv.ParseInt(whole, 10, 64)
	f := frac + strings.Repeat("0", 2-len(frac))
	m, _ := strconv.ParseInt(f, 10, 64)
	return n*100 + m, true
}

// FormatMoney renders minor units with two decimals (D16), as CSSS does
// (csss.FormatAmount).
func FormatMoney(minor int64) string { return csss.FormatAmount(minor) }
