package esim

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/opencube/opencube"
)

// Params are the fields of one request body. FMS clients send numbers and
// strings interchangeably (`countryCode: 460` or `"460"`), so every scalar
// is kept as its text.
type Params map[string]string

// ParseParams reads a JSON object body. Scalars become their text (a
// number its literal, a bool "true"/"false", null ""); nested objects and
// arrays are refused, as no FMS request has them. An empty body is an
// empty object.
func ParseParams(body []byte) (Params, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return Params{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, opencube.Invalid("body", "the body is not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, opencube.Invalid("body", "the body holds more than one JSON value")
	}
	p := make(Params, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case nil:
		case string:
			p[k] = v
		case json.Number:
			p[k] = v.String()
		case bool:
			p[k] = strconv.FormatBool(v)
		default:
			return nil, opencube.Invalid(k, "%s must be a string or a number", k)
		}
	}
	return p, nil
}

// Require returns the named field, KindInvalid when it is empty.
func (p Params) Require(name string) (string, error) {
	v := strings.TrimSpace(p[name])
	if v == "" {
		return "", opencube.Invalid(name, "%s is required", name)
	}
	return v, nil
}

// Int returns the named field as an integer, def when it is empty.
func (p Params) Int(name string, def int64) (int64, error) {
	v := strings.TrimSpace(p[name])
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, opencube.Invalid(name, "%s must be an integer", name)
	}
	return n, nil
}

// ParseMoney reads a decimal amount ("4.99", "100", 4.9) as minor units:
// opencube.ParseMinor of s without its surrounding white space, with at
// most 15 digits before the point; 0 and false when it is not one.
func ParseMoney(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if whole, _, _ := strings.Cut(s, "."); len(whole) > 15 {
		return 0, false
	}
	n, err := opencube.ParseMinor(s)
	return n, err == nil
}
