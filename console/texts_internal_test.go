package console

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/opencube/opencube"
)

// TestTexts: every text is in both languages and in one table only, and
// every text a template asks for exists.
func TestTexts(t *testing.T) {
	n := 0
	for _, table := range tables {
		n += len(table)
		for k, v := range table {
			if v[0] == "" || v[1] == "" {
				t.Errorf("text %q lacks a language: %q", k, v)
			}
		}
	}
	if n != len(catalog) {
		t.Errorf("%d texts in the tables, %d in the catalog: a key is in two tables", n, len(catalog))
	}
	// Texts asked for by a name made of a value: every event type's.
	for _, e := range opencube.EventTypes {
		if _, ok := catalog["hookevent."+string(e)]; !ok {
			t.Errorf("event type %s has no text hookevent.%s", e, e)
		}
	}
	used := regexp.MustCompile(`\.L\.T "([^"]+)"`)
	names, _ := fs.Glob(files, "templates/*.html")
	for _, name := range names {
		b, _ := fs.ReadFile(files, name)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := catalog[m[1]]; !ok {
				t.Errorf("%s asks for text %q, which does not exist", name, m[1])
			}
		}
	}
}
