package docs_test

import (
	"flag"
	"os"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"github.com/opencube/opencube/docs"
)

var update = flag.Bool("update", false, "write the generated pages of docs/")

// TestGenerated keeps this directory's generated pages equal to what the
// route tables say: it fails when a route, field, code or example changed
// without the pages (run go generate ./docs).
func TestGenerated(t *testing.T) {
	files, err := docs.Files()
	if err != nil {
		t.Fatal(err)
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range files {
			if !yield(name) {
				return
			}
		}
	})
	for _, name := range names {
		got := files[name]
		if *update {
			if err := os.WriteFile(name, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("docs/%s: %v (go generate ./docs writes it)", name, err)
			continue
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("docs/%s differs from the route tables (go generate ./docs):\n%s", name, diff)
		}
	}
}

// TestOpenAPIValid loads the document with an independent OpenAPI 3.1
// implementation (kin-openapi) and validates it, every example against
// its schema included; each protocol's routes are all in it, under its
// tag.
func TestOpenAPIValid(t *testing.T) {
	raw, err := docs.OpenAPI("test")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(t.Context(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	count := map[string]int{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, tag := range op.Tags {
				count[tag]++
			}
		}
	}
	for _, p := range docs.Protocols() {
		if count[p.Tag] != len(p.Routes) {
			t.Errorf("%s: %d operations for %d routes", p.Tag, count[p.Tag], len(p.Routes))
		}
	}
}
