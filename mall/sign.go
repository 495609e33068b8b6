package mall

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
)

// Sign returns the Mall sign of a canonical sign content (D22): the
// lowercase hex HMAC-MD5 with the enterprise's secret.
func Sign(content []byte, secret string) string {
	m := hmac.New(md5.New, []byte(secret))
	m.Write(content)
	return hex.EncodeToString(m.Sum(nil))
}

// SignPlain returns the other accepted Mall sign: lowercase hex
// MD5(content + secret).
func SignPlain(content []byte, secret string) string {
	sum := md5.Sum(append(append([]byte(nil), content...), secret...))
	return hex.EncodeToString(sum[:])
}

// SignBody returns the Mall sign of a JSON request body: the canonical
// form of D3 (csss.Canonical), then Sign.
func SignBody(body []byte, secret string) (string, error) {
	c, err := csss.Canonical(body)
	if err != nil {
		return "", err
	}
	return Sign(c, secret), nil
}

// Verify reports whether sign is a Mall sign of body with one of the
// secrets: HMAC-MD5 or MD5(content + secret), over the primary canonical
// form or either fallback of D3 (non-ASCII escaped, scalars stringified).
// The hex is compared case-insensitively and in constant time.
func Verify(body []byte, sign string, secrets []string) bool {
	if len(sign) != 32 || len(secrets) == 0 {
		return false
	}
	want := []byte(strings.ToLower(sign))
	primary, ascii, str, err := csss.CanonicalForms(body)
	if err != nil {
		return false
	}
	ok := 0
	for i, form := range [][]byte{primary, ascii, str} {
		if i > 0 && bytes.Equal(form, primary) {
			continue
		}
		for _, s := range secrets {
			ok |= subtle.ConstantTimeCompare(want, []byte(Sign(form, s)))
			ok |= subtle.ConstantTimeCompare(want, []byte(SignPlain(form, s)))
		}
	}
	return ok == 1
}

// QueryBody returns the JSON object of a GET request's query parameters,
// every value a string, so that it is signed like a body.
func QueryBody(q map[string][]string) []byte {
	m := make(map[string]string, len(q))
	for k, v := range q {
		if len(v) > 0 {
			m[k] = v[0]
		}
	}
	b, _ := json.Marshal(m)
	return b
}

// Params are a request's fields; scalars are kept as their text, since the
// Mall's examples send every value as a string.
type Params map[string]string

// ParseParams reads a JSON object body; nested objects and arrays are
// refused (no Mall request has them).
func ParseParams(body []byte) (Params, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, opencube.Invalid("body", "the body is not a JSON object")
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
			if v {
				p[k] = "true"
			} else {
				p[k] = "false"
			}
		default:
			return nil, opencube.Invalid(k, "%s must be a string or a number", k)
		}
	}
	return p, nil
}
