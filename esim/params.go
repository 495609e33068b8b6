package esim

import (
	"bytes"
	"strconv"
	"strings"

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
// at most two decimals, never a float.
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

// FormatMoney renders minor units with two decimals (D16).
func FormatMoney(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return sign + strconv.FormatInt(minor/100, 10) + "." + strconv.FormatInt(100+minor%100, 10)[1:]
}
