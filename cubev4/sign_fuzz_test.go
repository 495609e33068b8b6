package cubev4_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/opencube/opencube/cubev4"
)

// FuzzStringToSign: any body and query give a string to sign that is
// valid JSON holding x-sign-uri, or the body is refused; the same input
// gives the same string.
func FuzzStringToSign(f *testing.F) {
	f.Add(`{"bundle_id":"LP09823222320","bundle_type":10,"cycles":3}`, "begin_from=2023-01&period_type=2")
	f.Add(`{"message":{"type":1,"content":"hello 你好 <b>&\u2028"},"sim_ids":["1","2"]}`, "")
	f.Add(`{"a":null,"b":"","c":[],"d":{},"e":1e400}`, "x=1&x=2")
	f.Add(`[1,2]`, "%zz")
	f.Fuzz(func(t *testing.T, body, query string) {
		q, _ := url.ParseQuery(query)
		s := cubev4.Signed{Path: "/cube/v4/sims", Query: q, Body: []byte(body), Timestamp: "1700000000000", Nonce: "1"}
		out, err := cubev4.StringToSign(s)
		if err != nil {
			return
		}
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber() // numbers are kept as sent, 1e400 too
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("not JSON: %v: %s", err, out)
		}
		if m["x-sign-uri"] != "/cube/v4/sims" || m["timestamp"] != "1700000000000" {
			t.Fatalf("headers lost: %s", out)
		}
		again, _ := cubev4.StringToSign(s)
		if string(again) != string(out) {
			t.Fatalf("not deterministic: %s vs %s", out, again)
		}
	})
}
