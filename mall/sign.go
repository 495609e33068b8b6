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
	"github.com/opencube/opencube/shopwire"
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

// QueryBody returns the JSON object of a GET request's query parameters
// (shopwire.QueryParams), every value a string, so that it is signed like
// a body.
func QueryBody(q map[string][]string) []byte {
	b, _ := json.Marshal(shopwire.QueryParams(q))
	return b
}

// ParseParams reads a Mall request's fields (shopwire.Decode). A Mall
// request always carries its globals: an empty body, or null, is invalid.
func ParseParams(body []byte) (shopwire.Params, error) {
	p, err := shopwire.Decode(body)
	if err == nil && p == nil {
		err = opencube.Invalid("body", "the body is not a JSON object")
	}
	return p, err
}
