package esim

import (
	"encoding/json"
	"testing"
)

// TestReferenceCoversRoutes keeps routeDocs in step with Routes.
func TestReferenceCoversRoutes(t *testing.T) {
	for _, rt := range Routes {
		doc, ok := routeDocs[rt.Method+" "+rt.Path]
		if !ok {
			t.Errorf("%s %s: no entry in routeDocs", rt.Method, rt.Path)
			continue
		}
		if rt.Method == "POST" && (!json.Valid([]byte(doc.example)) || !json.Valid([]byte(doc.answer)) || doc.data == nil) {
			t.Errorf("%s %s: no answer type, or an example that is not JSON", rt.Method, rt.Path)
		}
	}
	if len(routeDocs) != len(Routes) {
		t.Errorf("%d routeDocs for %d routes", len(routeDocs), len(Routes))
	}
}
