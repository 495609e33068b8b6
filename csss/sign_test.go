package csss

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// signVector is one entry of testdata/sign-vectors.json: signing examples
// worked out by hand (D3, docs/signing.md).
type signVector struct {
	Name         string `json:"name"`
	Secret       string `json:"secret"`
	Body         string `json:"body"`
	Canonical    string `json:"canonical"`
	Sign         string `json:"sign"`
	AlsoAccepted struct {
		ASCIIEscaped     string `json:"ascii_escaped"`
		ScalarsAsStrings string `json:"scalars_as_strings"`
	} `json:"also_accepted"`
}

func loadSignVectors(tb testing.TB) []signVector {
	tb.Helper()
	data, err := os.ReadFile("testdata/sign-vectors.json")
	if err != nil {
		tb.Fatal(err)
	}
	var file struct {
		Vectors []signVector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		tb.Fatal(err)
	}
	if len(file.Vectors) == 0 {
		tb.Fatal("no sign vectors")
	}
	return file.Vectors
}

// orderPackageVector returns the orderPackage doc example vector.
func orderPackageVector(tb testing.TB) signVector {
	tb.Helper()
	for _, v := range loadSignVectors(tb) {
		if strings.HasPrefix(v.Name, "orderPackage") {
			return v
		}
	}
	tb.Fatal("no orderPackage vector")
	return signVector{}
}

// otherSign returns a well-formed sign that differs from sign.
func otherSign(sign string) string {
	b := []byte(sign)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

func TestSignVectors(t *testing.T) {
	for _, v := range loadSignVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			body := []byte(v.Body)
			got, err := Canonical(body)
			if err != nil {
				t.Fatalf("Canonical: %v", err)
			}
			if diff := cmp.Diff(v.Canonical, string(got)); diff != "" {
				t.Errorf("Canonical mismatch (-want +got):\n%s", diff)
			}
			if got := Sign([]byte(v.Canonical), v.Secret); got != v.Sign {
				t.Errorf("Sign = %s, want %s", got, v.Sign)
			}

			primary, ascii, stringified, err := CanonicalForms(body)
			if err != nil {
				t.Fatalf("CanonicalForms: %v", err)
			}
			if diff := cmp.Diff(v.Canonical, string(primary)); diff != "" {
				t.Errorf("CanonicalForms primary mismatch (-want +got):\n%s", diff)
			}
			signs := map[string]struct{ got, want string }{
				"primary":            {Sign(primary, v.Secret), v.Sign},
				"ascii_escaped":      {Sign(ascii, v.Secret), v.AlsoAccepted.ASCIIEscaped},
				"scalars_as_strings": {Sign(stringified, v.Secret), v.AlsoAccepted.ScalarsAsStrings},
			}
			for form, s := range signs {
				if s.got != s.want {
					t.Errorf("%s sign = %s, want %s", form, s.got, s.want)
				}
			}

			for _, sign := range []string{v.Sign, v.AlsoAccepted.ASCIIEscaped, v.AlsoAccepted.ScalarsAsStrings} {
				if i, ok := Verify(body, sign, []string{v.Secret}); !ok || i != 0 {
					t.Errorf("Verify(%s) = %d, %t; want 0, true", sign, i, ok)
				}
			}
			if i, ok := Verify(body, otherSign(v.Sign), []string{v.Secret}); ok || i != -1 {
				t.Errorf("Verify(wrong sign) = %d, %t; want -1, false", i, ok)
			}
			if i, ok := Verify(body, v.Sign, []string{v.Secret + "x"}); ok || i != -1 {
				t.Errorf("Verify(wrong secret) = %d, %t; want -1, false", i, ok)
			}
			if i, ok := Verify(body, v.Sign, nil); ok || i != -1 {
				t.Errorf("Verify(no secrets) = %d, %t; want -1, false", i, ok)
			}
		})
	}
}

func TestVerifyRotation(t *testing.T) {
	v := orderPackageVector(t)
	body := []byte(v.Body)
	content, err := Canonical(body)
	if err != nil {
		t.Fatal(err)
	}
	const oldSecret, newSecret = "old-secret", "new-secret"
	secrets := []string{oldSecret, newSecret}
	tests := []struct {
		name      string
		sign      string
		wantIndex int
		wantOK    bool
	}{
		{"old secret", Sign(content, oldSecret), 0, true},
		{"new secret", Sign(content, newSecret), 1, true},
		{"retired secret", Sign(content, v.Secret), -1, false},
		{"empty sign", "", -1, false},
		{"truncated sign", Sign(content, newSecret)[:27], -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, ok := Verify(body, tt.sign, secrets)
			if i != tt.wantIndex || ok != tt.wantOK {
				t.Errorf("Verify = %d, %t; want %d, %t", i, ok, tt.wantIndex, tt.wantOK)
			}
		})
	}
	// Both secrets equal: the first index wins.
	if i, ok := Verify(body, Sign(content, newSecret), []string{newSecret, newSecret}); i != 0 || !ok {
		t.Errorf("Verify with duplicate secrets = %d, %t; want 0, true", i, ok)
	}
}

// TestVerifyExactSignText checks that another Base64 spelling of the same
// MAC bytes is rejected: D5 identifies a request by its sign text.
func TestVerifyExactSignText(t *testing.T) {
	v := orderPackageVector(t)
	if !strings.HasSuffix(v.Sign, "U=") {
		t.Fatalf("vector sign %s: test assumes it ends in U=", v.Sign)
	}
	// 'U' and 'V' differ only in the two padding bits of the last group.
	alias := strings.TrimSuffix(v.Sign, "U=") + "V="
	if _, ok := Verify([]byte(v.Body), alias, []string{v.Secret}); ok {
		t.Errorf("Verify accepted %s, an alias of %s", alias, v.Sign)
	}
}

func TestSignKnownHMAC(t *testing.T) {
	// RFC 2202 test cases 2 and 6 (a key longer than the SHA-1 block).
	longKey := strings.Repeat("\xaa", 80)
	tests := []struct {
		key, data, want string
	}{
		{"Jefe", "what do ya want for nothing?", "7/zfauXrL6LSdBbV8YTfnCWafHk="},
		{longKey, "Test Using Larger Than Block-Size Key - Hash Key First", "qkrl4VJy0A6VcFY3zoo7Ve1AIRI="},
	}
	for _, tt := range tests {
		if got := Sign([]byte(tt.data), tt.key); got != tt.want {
			t.Errorf("Sign(%q) = %s, want %s", tt.data, got, tt.want)
		}
	}
	// Verify's allocation-free HMAC agrees with crypto/hmac for long keys too.
	body := []byte(`{"a":"1"}`)
	for _, key := range []string{"", "k", strings.Repeat("k", 64), strings.Repeat("k", 65), longKey} {
		if _, ok := Verify(body, Sign([]byte(`{"a":"1"}`), key), []string{key}); !ok {
			t.Errorf("Verify rejected a sign made with a %d-byte secret", len(key))
		}
	}
}

func TestCanonicalCorners(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty object", `{}`, `{}`},
		{"everything cleaned away",
			`{"sign":"x","a":"","b":null,"c":{},"d":[],"e":{"f":null,"g":{"h":""}}}`, `{}`},
		{"top-level sign of any type", `{"sign":{"a":1},"x":"1"}`, `{"x":"1"}`},
		{"nested sign kept", `{"o":{"sign":"s","t":""}}`, `{"o":{"sign":"s"}}`},
		{"nested arrays",
			`{"a":[[1,[{"b":"","c":2,"a":{"z":null}}]],[]],"z":[null,"",{}]}`,
			`{"a":[[1,[{"c":2}]],[]],"z":[null,"",{}]}`},
		{"object emptied inside an array stays", `{"a":[{"b":""}]}`, `{"a":[{}]}`},
		{"array objects sorted", `{"l":[{"b":"2","a":"1"}]}`, `{"l":[{"a":"1","b":"2"}]}`},
		{"duplicate key: last wins", `{"a":"1","b":"x","a":"2"}`, `{"a":"2","b":"x"}`},
		{"duplicate key: last empty wins", `{"a":"1","a":""}`, `{}`},
		{"duplicate key via escape", `{"a":"1","\u0061":"2"}`, `{"a":"2"}`},
		{"byte-wise key order",
			`{"b":1,"B":2,"a":3,"_":4,"é":5,"z":6,"aa":7,"\ufb01":8,"😀":9}`,
			`{"B":2,"_":4,"a":3,"aa":7,"b":1,"z":6,"é":5,"ﬁ":8,"😀":9}`},
		{"number literals",
			`{"a":10.0,"b":1.50,"c":-0,"d":1e+5,"e":1E-5,"f":0.0,"g":123456789012345678901234567890,"h":-12.50e0}`,
			`{"a":10.0,"b":1.50,"c":-0,"d":1e+5,"e":1E-5,"f":0.0,"g":123456789012345678901234567890,"h":-12.50e0}`},
		{"zero values are not empty", `{"a":0,"b":"0","c":false,"d":" "}`, `{"a":0,"b":"0","c":false,"d":" "}`},
		{"escapes",
			`{"s":"q\"b\\s/\/\b\f\n\r\t\u0001\u001F\u007f<>&\u2028\u2029\u00e9"}`,
			"{\"s\":\"q\\\"b\\\\s//\\b\\f\\n\\r\\t\\u0001\\u001f\x7f<>&\u2028\u2029é\"}"},
		{"whitespace", " \t{\n \"a\" : [ 1 , 2 ] ,\"b\"\r:\"c\" }\r\n", `{"a":[1,2],"b":"c"}`},
		{"booleans", `{"t":true,"f":false}`, `{"f":false,"t":true}`},
		{"surrogate pair escape", `{"e":"\ud83d\ude00"}`, `{"e":"😀"}`},
		{"invalid UTF-8 replaced", "{\"a\":\"x\xffy\",\"k\xc3\":1}", "{\"a\":\"x\uFFFDy\",\"k\uFFFD\":1}"},
		{"lone surrogates replaced", `{"a":"\ud800x","b":"\udc00","c":"\ud800\u0041"}`,
			"{\"a\":\"\uFFFDx\",\"b\":\"\uFFFD\",\"c\":\"\uFFFDA\"}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical([]byte(tt.body))
			if err != nil {
				t.Fatalf("Canonical(%s): %v", tt.body, err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("Canonical(%s) mismatch (-want +got):\n%s", tt.body, diff)
			}
			if !json.Valid(got) {
				t.Errorf("Canonical(%s) = %s: not valid JSON", tt.body, got)
			}
		})
	}
}

func TestCanonicalFormsCorners(t *testing.T) {
	tests := []struct {
		name, body, ascii, stringified string
	}{
		{"astral char",
			`{"e":"😀é中","k😀":1}`,
			`{"e":"\ud83d\ude00\u00e9\u4e2d","k\ud83d\ude00":1}`,
			`{"e":"😀é中","k😀":"1"}`},
		{"scalars everywhere",
			`{"a":[1,true,null,{"b":false,"c":1.50}],"n":-0.0e1}`,
			`{"a":[1,true,null,{"b":false,"c":1.50}],"n":-0.0e1}`,
			`{"a":["1","true",null,{"b":"false","c":"1.50"}],"n":"-0.0e1"}`},
		{"control chars and separators",
			"{\"s\":\"\\u0000\\n\u2028/\"}",
			`{"s":"\u0000\n\u2028/"}`,
			`{"s":"\u0000\n` + "\u2028" + `/"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			primary, ascii, stringified, err := CanonicalForms([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := Canonical([]byte(tt.body))
			if diff := cmp.Diff(string(want), string(primary)); diff != "" {
				t.Errorf("primary mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.ascii, string(ascii)); diff != "" {
				t.Errorf("ascii_escaped mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.stringified, string(stringified)); diff != "" {
				t.Errorf("scalars_as_strings mismatch (-want +got):\n%s", diff)
			}
			for _, form := range [][]byte{ascii, stringified} {
				if _, ok := Verify([]byte(tt.body), Sign(form, "s"), []string{"s"}); !ok {
					t.Errorf("Verify rejected the sign of fallback form %s", form)
				}
			}
		})
	}
}

func TestCanonicalErrors(t *testing.T) {
	bodies := []string{
		``, ` `, `[]`, `"x"`, `1`, `null`, `true`,
		`{`, `{"a"`, `{"a":`, `{"a":}`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{a:1}`, `{'a':1}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":+1}`, `{"a":NaN}`, `{"a":Infinity}`,
		"{\"a\":\"\x01\"}", `{"a":"\q"}`, `{"a":"\u12"}`, `{"a":"\u12g4"}`, `{"a":"x`, `{"a":"x\`,
		`{"a":tru}`, `{"a":nul}`, `{"a":[1,]}`, `{"a":[1 2]}`, `{"a":[}`,
		`{} {}`, `{"a":1}x`, `{"a":1}]`, "\xef\xbb\xbf{}",
		strings.Repeat(`{"a":`, maxCanonDepth+1) + "1" + strings.Repeat("}", maxCanonDepth+1),
	}
	for _, body := range bodies {
		if got, err := Canonical([]byte(body)); err == nil {
			t.Errorf("Canonical(%.40q) = %s, want an error", body, got)
		}
		if _, _, _, err := CanonicalForms([]byte(body)); err == nil {
			t.Errorf("CanonicalForms(%.40q): want an error", body)
		}
		if _, ok := Verify([]byte(body), Sign([]byte(body), "s"), []string{"s"}); ok {
			t.Errorf("Verify(%.40q) = true, want false", body)
		}
	}
	// The depth limit is the same as encoding/json's.
	deep := strings.Repeat("[", maxCanonDepth-1) + strings.Repeat("]", maxCanonDepth-1)
	if _, err := Canonical([]byte(`{"a":` + deep + `}`)); err != nil {
		t.Errorf("Canonical rejected %d levels of nesting: %v", maxCanonDepth, err)
	}
	tooDeep := `{"a":[` + deep + `]}`
	if _, err := Canonical([]byte(tooDeep)); !errors.Is(err, errCanonTooDeep) {
		t.Errorf("Canonical(%d levels) error = %v, want errCanonTooDeep", maxCanonDepth+1, err)
	}
	if json.Valid([]byte(tooDeep)) {
		t.Errorf("encoding/json accepts %d levels; align maxCanonDepth", maxCanonDepth+1)
	}
}

func TestSignValue(t *testing.T) {
	type item struct {
		Name  string `json:"name"`
		Empty string `json:"empty"`
	}
	type data struct {
		Sign   *string        `json:"sign"`
		Amount json.Number    `json:"amount"`
		Note   string         `json:"note"`
		Count  int            `json:"count"`
		Items  []item         `json:"items"`
		Extra  map[string]any `json:"extra"`
		Date   *string        `json:"date"`
	}
	sign := "will be dropped"
	v := data{
		Sign:   &sign,
		Amount: "12.50",
		Note:   "<a&b> \u2028 /",
		Count:  3,
		Items:  []item{{Name: "x"}},
		Extra:  map[string]any{"z": "", "y": nil},
	}
	const content = "{\"amount\":12.50,\"count\":3,\"items\":[{\"name\":\"x\"}],\"note\":\"<a&b> \u2028 /\"}"
	got, err := SignValue(v, "secret")
	if err != nil {
		t.Fatal(err)
	}
	if want := Sign([]byte(content), "secret"); got != want {
		t.Errorf("SignValue = %s, want %s (the sign of %s)", got, want, content)
	}

	if _, err := SignValue([]int{1}, "secret"); err == nil {
		t.Error("SignValue(slice): want an error")
	}
	if _, err := SignValue(map[string]any{"c": make(chan int)}, "secret"); err == nil {
		t.Error("SignValue(chan): want an error")
	}
}

// TestCanonicalDoesNotAlias checks that results do not share memory with the
// body or with pooled parser buffers.
func TestCanonicalDoesNotAlias(t *testing.T) {
	body := []byte(`{"a":"plain","b":"\u00e9scaped","c":1}`)
	got, err := Canonical(body)
	if err != nil {
		t.Fatal(err)
	}
	want := string(got)
	for i := range body {
		body[i] = ' '
	}
	for range 10 {
		if _, err := Canonical([]byte(`{"x":"\u0041\u0042\u0043\u0044\u0045\u0046\u0047\u0048"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if string(got) != want {
		t.Errorf("Canonical result changed from %s to %s", want, got)
	}
}

// fuzzSeeds are extra corpus entries for FuzzCanonical.
var fuzzSeeds = []string{
	`{}`,
	`{"a":[[1,[{"b":"","c":2}]],[]],"z":[null,"",{}]}`,
	`{"a":"1","\u0061":"2","sign":{"x":1}}`,
	`{"e":"\ud83d\ude00\ud800\u0041","k😀":1e+5,"n":-0.0E-1}`,
	"{\"a\":\"x\xffy\",\"k\xc3\":true}",
	`{"s":"q\"b\\s/\/\b\f\n\r\t\u0001\u001F\u007f<>&\u2028"}`,
	`{"a":{"b":{"c":{"d":[{"e":null}]}}}}`,
	`[1]`,
	`{"a":01}`,
}

func FuzzCanonical(f *testing.F) {
	for _, v := range loadSignVectors(f) {
		f.Add([]byte(v.Body))
		f.Add([]byte(v.Canonical))
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := Canonical(body)
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		isObject := json.Valid(body) && len(trimmed) > 0 && trimmed[0] == '{'
		if err != nil {
			if isObject && !errors.Is(err, errCanonTooDeep) {
				t.Fatalf("Canonical rejected a JSON object %q: %v", body, err)
			}
			return
		}
		if !isObject {
			t.Fatalf("Canonical accepted %q, which is not a JSON object", body)
		}
		if !json.Valid(got) || !utf8.Valid(got) {
			t.Fatalf("Canonical(%q) = %q: not valid JSON", body, got)
		}
		again, err := Canonical(got)
		if err != nil {
			t.Fatalf("Canonical(Canonical(%q)): %v", body, err)
		}
		if !bytes.Equal(again, got) {
			t.Fatalf("Canonical is not idempotent on %q:\nonce:  %q\ntwice: %q", body, got, again)
		}

		primary, ascii, stringified, err := CanonicalForms(body)
		if err != nil {
			t.Fatalf("CanonicalForms(%q): %v", body, err)
		}
		if !bytes.Equal(primary, got) {
			t.Fatalf("CanonicalForms primary %q != Canonical %q", primary, got)
		}
		for _, c := range ascii {
			if c >= utf8.RuneSelf {
				t.Fatalf("ascii_escaped form %q has non-ASCII bytes", ascii)
			}
		}
		if !json.Valid(ascii) || !json.Valid(stringified) {
			t.Fatalf("fallback forms of %q are not valid JSON: %q, %q", body, ascii, stringified)
		}
		if fromASCII, err := Canonical(ascii); err != nil || !bytes.Equal(fromASCII, got) {
			t.Fatalf("Canonical(ascii_escaped %q) = %q, %v; want %q", ascii, fromASCII, err, got)
		}
		if _, ok := Verify(body, Sign(got, "k"), []string{"k"}); !ok {
			t.Fatalf("Verify rejected the sign of %q", got)
		}
	})
}

func BenchmarkCanonical(b *testing.B) {
	body := []byte(orderPackageVector(b).Body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Canonical(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	v := orderPackageVector(b)
	body := []byte(v.Body)
	secrets := []string{v.Secret}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Verify(body, v.Sign, secrets); !ok {
			b.Fatal("Verify failed")
		}
	}
}
