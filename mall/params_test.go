package mall

import (
	"testing"

	"github.com/opencube/opencube"
)

// TestParseParamsNoBody checks the Mall's own rule: a request without a
// body (empty or null) is invalid, as it carries no globals.
func TestParseParamsNoBody(t *testing.T) {
	for _, body := range []string{``, ` `, `null`} {
		if _, err := ParseParams([]byte(body)); opencube.ErrorKind(err) != opencube.KindInvalid {
			t.Errorf("ParseParams(%q): %v, want invalid", body, err)
		}
	}
}
