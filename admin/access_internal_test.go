package admin

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSummaryMasksSecrets: an audit summary never holds a secret field's
// value, however its name is spelt (JSON field names match whatever their
// case, the Unicode way), at any depth.
func TestSummaryMasksSecrets(t *testing.T) {
	rt := &Route{Pattern: "POST /admin/v1/users", MaxBody: MaxBody}
	for _, body := range []string{
		`{"username":"a","password":"hunter22"}`,
		`{"username":"a","PASSWORD":"hunter22"}`,
		`{"username":"a","pa\u017f\u017fword":"hunter22"}`,
		`{"items":[{"secret":"hunter22"}]}`,
		`{"webhook":{"Secret":"hunter22"},"token":"hunter22"}`,
	} {
		r := httptest.NewRequest("POST", "/admin/v1/users", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		got := summarize(r, rt)
		if strings.Contains(got, "hunter22") || !strings.Contains(got, "***") {
			t.Errorf("summary of %s: %s", body, got)
		}
	}
}
