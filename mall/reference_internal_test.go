package mall

import (
	"encoding/json"
	"testing"
)

// TestReferenceCoversRoutes keeps routeDocs in step with Routes, and the
// examples signed as the server checks them.
func TestReferenceCoversRoutes(t *testing.T) {
	for _, rt := range Routes {
		doc, ok := routeDocs[rt.Path]
		if !ok || doc.data == nil || !json.Valid([]byte(doc.example)) || !json.Valid([]byte(doc.answer)) {
			t.Errorf("%s: no entry in routeDocs, or an example that is not JSON", rt.Path)
		}
	}
	if len(routeDocs) != len(Routes) {
		t.Errorf("%d routeDocs for %d routes", len(routeDocs), len(Routes))
	}
	for _, rt := range Reference().Routes {
		if rt.Method != "POST" || rt.Path == "/payment/stripe/webhook" { // signed in Stripe-Signature
			continue
		}
		p, err := ParseParams([]byte(rt.Example.Request))
		if err != nil || !Verify([]byte(rt.Example.Request), p["sign"], []string{exampleSecret}) {
			t.Errorf("%s: the example's sign does not verify (%v)", rt.Path, err)
		}
	}
}
