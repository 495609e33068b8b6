package cubev4

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
)

// Prefix is the path prefix of every Cube v4 route, and part of the signed
// URI (x-sign-uri).
const Prefix = "/cube/v4"

// Header names of a signed request.
const (
	HeaderAuthorization = "Authorization"
	HeaderTimestamp     = "timestamp"
	HeaderNonce         = "nonce"
	HeaderSignatureType = "X-LF-Signature-Type"
	HeaderAPIVersion    = "X-LF-Api-Version"
	// AuthScheme starts the Authorization header: "LF {keyId}/{sign}".
	AuthScheme = "LF "
	// SignURIKey is the member of the string to sign holding the path.
	SignURIKey = "x-sign-uri"
)

// Signed is what a Signature v2 covers (cube-v4-api.md §1.6): the path
// with /cube/v4 and its path values, the query, the JSON body, and the
// timestamp and nonce headers.
type Signed struct {
	Path      string     // the request's path, escaped as sent: /cube/v4/sims/8985.../usage
	Query     url.Values // the decoded query
	Body      []byte     // the JSON body as sent; empty for none
	Timestamp string     // the timestamp header, epoch milliseconds
	Nonce     string     // the nonce header; "" when absent
}

// ErrBody is returned for a body that is not a JSON object.
var ErrBody = errors.New("cubev4: the body is not a JSON object")

// StringToSign returns the Signature v2 string to sign of s: a map of the
// query values as strings (repeated keys joined with commas), the body's
// top-level members with their JSON types, the timestamp and nonce as
// strings and x-sign-uri; null and "" members left out; keys sorted at
// every level; compact JSON, no HTML escaping, UTF-8 kept, numbers as
// their literal was sent. Header values win over body members of the same
// name.
func StringToSign(s Signed) ([]byte, error) {
	m := map[string]any{}
	for k, vs := range s.Query {
		if v := strings.Join(vs, ","); v != "" {
			m[k] = v
		}
	}
	if len(bytes.TrimSpace(s.Body)) > 0 {
		body, err := decodeObject(s.Body)
		if err != nil {
			return nil, err
		}
		for k, v := range body {
			if v == nil || v == "" {
				continue
			}
			m[k] = v
		}
	}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set(HeaderTimestamp, s.Timestamp)
	set(HeaderNonce, s.Nonce)
	set(SignURIKey, s.Path)
	var buf bytes.Buffer
	if err := canonical(&buf, m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeObject decodes a JSON object, keeping numbers as their literals.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, ErrBody
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrBody
	}
	return m, nil
}

// canonical writes v as compact JSON with sorted keys and no HTML escaping.
func canonical(w *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				w.WriteByte(',')
			}
			writeString(w, k)
			w.WriteByte(':')
			if err := canonical(w, v[k]); err != nil {
				return err
			}
		}
		w.WriteByte('}')
	case []any:
		w.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := canonical(w, e); err != nil {
				return err
			}
		}
		w.WriteByte(']')
	case string:
		writeString(w, v)
	case json.Number:
		w.WriteString(v.String())
	case bool:
		if v {
			w.WriteString("true")
		} else {
			w.WriteString("false")
		}
	case nil:
		w.WriteString("null")
	default:
		return errors.New("cubev4: cannot sign a value of this type")
	}
	return nil
}

// writeString writes s as a JSON string as Jackson and Python
// (ensure_ascii=False) write it: '"' and '\\' escaped, control characters
// as \b \f \n \r \t or lowercase \u00xx, everything else raw UTF-8 (no
// HTML escaping, U+2028 and U+2029 kept); invalid UTF-8 as U+FFFD.
func writeString(w *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	w.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			w.WriteByte('\\')
			w.WriteRune(r)
		case r == '\n':
			w.WriteString(`\n`)
		case r == '\r':
			w.WriteString(`\r`)
		case r == '\t':
			w.WriteString(`\t`)
		case r == '\b':
			w.WriteString(`\b`)
		case r == '\f':
			w.WriteString(`\f`)
		case r < 0x20:
			w.WriteString(`\u00`)
			w.WriteByte(hex[r>>4])
			w.WriteByte(hex[r&0xf])
		default:
			w.WriteRune(r) // utf8.RuneError for invalid bytes
		}
	}
	w.WriteByte('"')
}

// Sign returns the standard Base64 SHA1withRSA (PKCS#1 v1.5) signature of
// the string to sign.
func Sign(key *rsa.PrivateKey, stringToSign []byte) (string, error) {
	sum := sha1.Sum(stringToSign)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, sum[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Verify reports whether sign is key's SHA1withRSA signature of the
// string to sign.
func Verify(key *rsa.PublicKey, stringToSign []byte, sign string) bool {
	sig, err := base64.StdEncoding.DecodeString(sign)
	if err != nil {
		return false
	}
	sum := sha1.Sum(stringToSign)
	return rsa.VerifyPKCS1v15(key, crypto.SHA1, sum[:], sig) == nil
}

// ParseAuthorization splits "LF {keyId}/{sign}" at the first "/" after the
// scheme (the Base64 sign holds "/" too); ok is false when the header has
// not that shape.
func ParseAuthorization(h string) (keyID, sign string, ok bool) {
	rest, found := strings.CutPrefix(h, AuthScheme)
	if !found {
		return "", "", false
	}
	keyID, sign, found = strings.Cut(strings.TrimSpace(rest), "/")
	if !found || keyID == "" || sign == "" {
		return "", "", false
	}
	return keyID, sign, true
}

// Authorization returns the header value of a request signed by keyID.
func Authorization(keyID, sign string) string { return AuthScheme + keyID + "/" + sign }

// SignedV1 is what a Signature v1 covers (cube-v4-api.md §1.5): the path
// values by their names, the query values with their declared types, the
// body's members, and the timestamp (a string) and nonce (an integer),
// which travel in the query of a GET and in the body otherwise.
type SignedV1 struct {
	PathValues map[string]string
	Query      url.Values
	// Integers names the query parameters declared as integers, signed as
	// JSON numbers; every other query value is a string. The nonce is
	// always an integer.
	Integers map[string]bool
	Body     []byte
}

// StringToSignV1 returns the Signature v1 string to sign of s, by the
// canonical rules of StringToSign.
func StringToSignV1(s SignedV1) ([]byte, error) {
	m := map[string]any{}
	for k, v := range s.PathValues {
		if v != "" {
			m[k] = v
		}
	}
	for k, vs := range s.Query {
		v := strings.Join(vs, ",")
		switch {
		case v == "":
		case (s.Integers[k] || k == HeaderNonce) && isInteger(v):
			m[k] = json.Number(v)
		default:
			m[k] = v
		}
	}
	if len(bytes.TrimSpace(s.Body)) > 0 {
		body, err := decodeObject(s.Body)
		if err != nil {
			return nil, err
		}
		for k, v := range body {
			if v == nil || v == "" {
				continue
			}
			m[k] = v
		}
	}
	var buf bytes.Buffer
	if err := canonical(&buf, m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// isInteger reports whether s is an optional minus and 1-19 digits.
func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
