package csss_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/opencube/opencube/csss"
)

// TestReferenceRequired checks the reference's required fields against the
// server: each route's example, with one required field left out, answers
// 1001 naming that field; the whole example passes the field checks.
func TestReferenceRequired(t *testing.T) {
	s := newEdgeServer(t)
	for _, rt := range csss.Reference().Routes {
		dec := json.NewDecoder(bytes.NewReader([]byte(rt.Example.Request)))
		dec.UseNumber()
		var fields map[string]any
		if err := dec.Decode(&fields); err != nil {
			t.Fatalf("%s: example: %v", rt.Path, err)
		}
		access := fields["access_code"].(string)
		for _, g := range []string{"access_code", "timestamp", "version", "sign"} {
			delete(fields, g)
		}
		t.Run(strings.TrimPrefix(rt.Path, "/"), func(t *testing.T) {
			for _, f := range rt.Body.Required {
				if _, own := fields[f]; !own {
					continue // a global
				}
				without := maps.Clone(fields)
				delete(without, f)
				code, msg := s.call(t, access, rt.Path, without)
				if code != csss.CodeInvalid || !strings.Contains(msg, f) {
					t.Errorf("without %s: %s %q, want %s naming it", f, code, msg, csss.CodeInvalid)
				}
			}
			if code, msg := s.call(t, access, rt.Path, fields); code == csss.CodeInvalid {
				t.Errorf("the example: %s %q", code, msg)
			}
		})
	}
}
