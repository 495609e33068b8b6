package esim

import "testing"

// TestParseParamsNoBody checks FMS's own rule: a request without a body
// (empty, white space or null) is an empty object.
func TestParseParamsNoBody(t *testing.T) {
	for _, body := range []string{``, " \n", `null`, "\u00a0null\u00a0"} {
		if p, err := ParseParams([]byte(body)); err != nil || p == nil || len(p) != 0 {
			t.Errorf("ParseParams(%q) = %v, %v, want an empty object", body, p, err)
		}
	}
}
