package mall

import (
	"crypto/md5"
	"encoding/hex"
	"testing"
)

// The Mall documentation's example sign content (docs/signing.md).
const docContent = `{"deviceCode":"89430101521032420180","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"singleVerify","url":"https://dist.linksfield.net/login","version":"1.0"}`

func TestSignVariants(t *testing.T) {
	const secret = "opencube-demo-secret"
	body := []byte(`{"version":"1.0","url":"https://dist.linksfield.net/login","tradeType":"singleVerify","tradeTime":"1645683857572",
		"terminal":"1","partnerCode":"P000270","mark":"0","languageCode":"1","deviceCode":"89430101521032420180","empty":"","sign":"x"}`)
	sign, err := SignBody(body, secret)
	if err != nil {
		t.Fatal(err)
	}
	if want := Sign([]byte(docContent), secret); sign != want {
		t.Fatalf("SignBody %s, want the sign of the documented content %s", sign, want)
	}
	sum := md5.Sum([]byte(docContent + secret))
	plain := hex.EncodeToString(sum[:])
	if SignPlain([]byte(docContent), secret) != plain {
		t.Fatal("SignPlain is not MD5(content + secret)")
	}
	for _, tt := range []struct {
		name string
		sign string
		ok   bool
	}{
		{"HMAC-MD5", sign, true},
		{"MD5 of content and secret", plain, true},
		{"upper-case hex", upper(sign), true},
		{"other secret", Sign([]byte(docContent), "another-secret"), false},
		{"truncated", sign[:31], false},
		{"empty", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Verify(body, tt.sign, []string{"rotated-secret", secret}); got != tt.ok {
				t.Errorf("Verify = %v, want %v", got, tt.ok)
			}
		})
	}
	// The stringified fallback: a number sent where the signer had a string.
	num := []byte(`{"partnerCode":"P000270","orderPeriod":1}`)
	if !Verify(num, Sign([]byte(`{"orderPeriod":"1","partnerCode":"P000270"}`), secret), []string{secret}) {
		t.Error("the stringified fallback form is not accepted")
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func TestQueryBody(t *testing.T) {
	got := string(QueryBody(map[string][]string{"orderNo": {"NO1"}, "partnerCode": {"P000270"}, "empty": {}}))
	if got != `{"orderNo":"NO1","partnerCode":"P000270"}` {
		t.Errorf("QueryBody %s", got)
	}
}

// FuzzParseParams checks that any body either parses or is refused as
// invalid, and that a parsed body can be verified without panicking.
func FuzzParseParams(f *testing.F) {
	f.Add([]byte(`{"partnerCode":"P000270","tradeType":"singleVerify","tradeTime":"1645683857572","sign":"ea7a3bba7e345e0b8ca7f7e3b43d6e72"}`))
	f.Add([]byte(`{"orderPeriod":1,"autoRenewal":true,"payAmount":4.99,"x":null}`))
	f.Add([]byte(`{"a":{"b":1}}`))
	f.Add([]byte(`[1]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseParams(body)
		if err != nil {
			return
		}
		Verify(body, p["sign"], []string{"secret-12345"})
		if s, err := SignBody(body, "secret-12345"); err == nil && !Verify(body, s, []string{"secret-12345"}) {
			t.Errorf("a body's own sign does not verify: %q", body)
		}
	})
}
