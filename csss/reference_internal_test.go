package csss

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestReferenceCoversRoutes keeps the reference's part of the route table
// (routeDocs) in step with Routes: one entry a route, its required fields
// among the route's, an example of the route's own fields.
func TestReferenceCoversRoutes(t *testing.T) {
	for _, rt := range Routes {
		doc, ok := routeDocs[rt.Path]
		if !ok {
			t.Errorf("%s: no entry in routeDocs", rt.Path)
			continue
		}
		for _, f := range doc.required {
			if !slices.Contains(rt.Fields, f) {
				t.Errorf("%s: required field %s is not among the route's fields", rt.Path, f)
			}
		}
		var ex map[string]any
		if err := json.Unmarshal([]byte(doc.example), &ex); err != nil {
			t.Errorf("%s: example: %v", rt.Path, err)
		}
		for f := range ex {
			if !slices.Contains(rt.Fields, f) {
				t.Errorf("%s: example field %s is not among the route's fields", rt.Path, f)
			}
		}
		if doc.data == nil || !json.Valid([]byte(doc.answer)) {
			t.Errorf("%s: no answer type, or an example answer that is not JSON", rt.Path)
		}
	}
	if len(routeDocs) != len(Routes) {
		t.Errorf("%d routeDocs for %d routes: remove the entries of routes that are gone", len(routeDocs), len(Routes))
	}
}
