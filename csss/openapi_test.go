package csss_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/opencube/opencube/csss"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestOpenAPI keeps docs/openapi.json equal to what the route table says.
func TestOpenAPI(t *testing.T) {
	got, err := csss.OpenAPI("2.0")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Paths) != len(csss.Routes) {
		t.Fatalf("%d paths for %d routes", len(doc.Paths), len(csss.Routes))
	}
	for _, rt := range csss.Routes {
		if _, ok := doc.Paths[rt.Path]; !ok {
			t.Errorf("route %s missing from the document", rt.Path)
		}
	}
	golden := filepath.Join("..", "docs", "openapi.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./csss -run TestOpenAPI -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("docs/openapi.json is stale (go test ./csss -run TestOpenAPI -update):\n%s", diff)
	}
}
