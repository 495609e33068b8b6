package shopwire

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/opencube/opencube"
)

// Params are the fields of one request. Shop clients send numbers and
// strings interchangeably (`countryCode: 460` or `"460"`, `orderPeriod: 1`
// or `"1"`), so every scalar is kept as its text.
type Params map[string]string

// Decode reads a body holding one JSON object. Scalars become their text
// (a string as is, a number its literal, a bool "true" or "false"); a null
// member is left out. Nested objects and arrays are refused, as no shop
// request has them, and so is anything after the object. Every refusal is
// KindInvalid.
//
// A body that is JSON null decodes to nil Params and no error; an empty
// body is refused. What either means is the protocol's to say.
func Decode(body []byte) (Params, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, opencube.Invalid("body", "the body is not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, opencube.Invalid("body", "the body holds more than one JSON value")
	}
	if raw == nil {
		return nil, nil
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

// QueryParams returns the fields of a GET request: the first value of each
// query parameter that has one.
func QueryParams(q url.Values) Params {
	p := make(Params, len(q))
	for k, v := range q {
		if len(v) > 0 {
			p[k] = v[0]
		}
	}
	return p
}

// Require returns the named field without surrounding spaces, KindInvalid
// when that is empty.
func (p Params) Require(name string) (string, error) {
	v := strings.TrimSpace(p[name])
	if v == "" {
		return "", opencube.Invalid(name, "%s is required", name)
	}
	return v, nil
}

// RequireAll returns the named fields, in order, as Require does; the
// first empty one is the error.
func (p Params) RequireAll(names ...string) ([]string, error) {
	vs := make([]string, len(names))
	for i, name := range names {
		v, err := p.Require(name)
		if err != nil {
			return nil, err
		}
		vs[i] = v
	}
	return vs, nil
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
