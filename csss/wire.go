package csss

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/money"
)

// FormatMB renders a volume in bytes as CSSS megabytes (D19): a decimal
// string rounded half-up to two decimals, trailing zeros trimmed.
func FormatMB(bytes int64) string {
	neg := bytes < 0
	if neg {
		bytes = -bytes
	}
	hundredths := (bytes*100 + opencube.MB/2) / opencube.MB
	s := strconv.FormatInt(hundredths/100, 10)
	if frac := hundredths % 100; frac != 0 {
		f := strconv.FormatInt(frac+100, 10)[1:]
		s += "." + strings.TrimRight(f, "0")
	}
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}

// ParseAmount parses a pay_amount such as "12.5" into minor units (1250):
// money.Parse, of at most MaxAmountLen (15) characters; 0 and
// false when it is not one.
func ParseAmount(s string) (int64, bool) {
	if len(s) > MaxAmountLen {
		return 0, false
	}
	n, err := money.Parse(s)
	return n, err == nil
}

// compactDate renders a time as a UTC+8 YYYYMMDD date, nil for none (D10).
func compactDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.In(opencube.BusinessZone).Format("20060102")
	return &s
}

// longDate renders a time as UTC+8 `yyyy-MM-dd HH:mm:ss`, nil for none.
func longDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.In(opencube.BusinessZone).Format(time.DateTime)
	return &s
}

// itemDate is longDate for list items: "" for none.
func itemDate(t *time.Time) string {
	if s := longDate(t); s != nil {
		return *s
	}
	return ""
}

// params is a decoded request body: each top-level member's raw JSON.
type params map[string]json.RawMessage

// decodeParams decodes a request body: one JSON object, nothing after it
// but white space.
func decodeParams(body []byte) (params, bool) {
	var p params
	if err := json.Unmarshal(body, &p); err != nil || p == nil {
		return nil, false
	}
	return p, true
}

// str returns a member as a string: a JSON string as is, a number by its
// literal; "" for a missing or null member. ok is false for other types.
func (p params) str(name string) (string, bool) {
	raw, present := p[name]
	if !present || string(raw) == "null" {
		return "", true
	}
	switch raw[0] {
	case '"':
		// The body was checked as JSON: a string without escapes, in
		// valid UTF-8, is its bytes between the quotes.
		if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			return string(inner), true
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), true
	}
	return "", false
}

// field reads a string member, recording the first invalid field in v.
func (v *validator) str(name string, required bool) string {
	s, ok := v.p.str(name)
	if !ok || (required && s == "") {
		v.fail(name)
	}
	return s
}

// enum reads a member that must be one of the values of its rule
// (fieldRules), or "" when optional.
func (v *validator) enum(name string, required bool) string {
	s := v.str(name, required)
	if s == "" {
		return s
	}
	for _, want := range rule(name).enum {
		if s == want {
			return s
		}
	}
	v.fail(name)
	return s
}

// int reads an integer member (a JSON number or a numeric string) within
// the range of its rule (fieldRules); 0 when absent and optional.
func (v *validator) int(name string, required bool) int {
	s := v.str(name, required)
	if s == "" {
		return 0
	}
	r := rule(name)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < r.min || n > r.max {
		v.fail(name)
		return 0
	}
	return int(n)
}

// list reads an array of strings.
func (v *validator) list(name string, required bool) []string {
	raw, present := v.p[name]
	if !present || string(raw) == "null" {
		if required {
			v.fail(name)
		}
		return nil
	}
	var out []string
	if json.Unmarshal(raw, &out) != nil || (required && len(out) == 0) {
		v.fail(name)
		return nil
	}
	return out
}

// validator collects the first invalid field of a request.
type validator struct {
	p   params
	bad string
	// plans is the plan service acting for the request: Server.Plans, or
	// on a ClaimInTx route Server.Plans.Replaying with its replay claim.
	plans opencube.PlanService
	// sms is the SMS service acting for the request, likewise.
	sms opencube.SMSService
}

func (v *validator) fail(name string) {
	if v.bad == "" {
		v.bad = name
	}
}

// err returns the KindInvalid error of the first bad field, or nil. The
// answer names the field (1001); the error states what the field allows
// too, for the logs and the Go API (D26).
func (v *validator) err() error {
	if v.bad == "" {
		return nil
	}
	e := opencube.Invalid(v.bad, "missing or invalid")
	if r, ok := fieldRules[v.bad]; ok {
		e.Range = r.allowed()
		e.Message += ": " + v.bad + " must be " + e.Range
	}
	return e
}

// marshalIndent encodes v as indented JSON without HTML escaping.
func marshalIndent(v any) ([]byte, error) {
	raw, err := Marshal(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
