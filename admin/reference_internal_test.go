package admin

import (
	"encoding/json"
	"testing"
)

// TestReferenceCoversRoutes keeps routeDocs in step with Routes.
func TestReferenceCoversRoutes(t *testing.T) {
	for _, rt := range Routes {
		doc, ok := routeDocs[rt.Pattern]
		if !ok || doc.status == 0 {
			t.Errorf("%s: no entry in routeDocs, or no status", rt.Pattern)
			continue
		}
		if doc.answerType != "" {
			if doc.answer != nil || doc.reply == "" {
				t.Errorf("%s: a %s answer needs an example and no JSON type", rt.Pattern, doc.answerType)
			}
		} else if (doc.answer == nil) != (doc.reply == "") || (doc.reply != "" && !json.Valid([]byte(doc.reply))) {
			t.Errorf("%s: the answer's type and example disagree", rt.Pattern)
		}
		if rt.Request != nil && doc.example == "" {
			t.Errorf("%s: a request body without an example", rt.Pattern)
		}
	}
	if len(routeDocs) != len(Routes) {
		t.Errorf("%d routeDocs for %d routes", len(routeDocs), len(Routes))
	}
}
