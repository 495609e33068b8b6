package esim

import (
	"bytes"
	"strings"

	"github.com/opencube/opencube/money"
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

// MoneyRange states the amounts ParseMoney reads.
const MoneyRange = "a decimal amount with at most 15 digits before the point and two after"

// ParseMoney reads a decimal amount ("4.99", "100", 4.9) as minor units:
// money.Parse of s without its surrounding white space, with at
// most 15 digits before the point; 0 and false when it is not one. It is
// not csss.ParseAmount (the Mall's payAmount): FMS amounts may carry
// surrounding spaces, and the 15-digit bound is on the whole part, not on
// the text.
func ParseMoney(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if whole, _, _ := strings.Cut(s, "."); len(whole) > 15 {
		return 0, false
	}
	n, err := money.Parse(s)
	return n, err == nil
}
