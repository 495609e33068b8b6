package csss

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
	"github.com/opencube/opencube/shop"
)

// rootCauses returns the opencube.Cause constants the root package
// declares, read from its source.
func rootCauses(t *testing.T) map[opencube.Cause]string {
	t.Helper()
	files, err := filepath.Glob("../*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[opencube.Cause]string{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				v := spec.(*ast.ValueSpec)
				if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Cause" {
					continue
				}
				for i, name := range v.Names {
					lit := v.Values[i].(*ast.BasicLit)
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[opencube.Cause(s)] = name.Name
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no opencube.Cause constants found")
	}
	return out
}

// TestCauseTable checks the one table of causes: every cause of the domain
// has a text in both languages, naming as many values in each, and the
// table holds no cause nobody raises.
func TestCauseTable(t *testing.T) {
	domain := rootCauses(t)
	for c, name := range domain {
		text, ok := causes[c]
		if !ok {
			t.Errorf("opencube.%s (%q) has no text in causes", name, c)
			continue
		}
		if zh, en := placeholders(text.zh), placeholders(text.en); text.zh == "" || text.en == "" || zh != en {
			t.Errorf("cause %q: zh %q and en %q do not name the same values", c, text.zh, text.en)
		}
	}
	for c := range causes {
		if _, ok := domain[c]; !ok && c != causeMustBe && c != CauseSignReused && !addOnCauses[c] {
			t.Errorf("causes holds %q, which no error carries", c)
		}
	}
}

// addOnCauses are the causes of packages addon and shop, which the table
// holds too.
var addOnCauses = map[opencube.Cause]bool{
	addon.CauseAddOnPlan: true, addon.CauseNotAddOn: true, addon.CauseNotAllowed: true, addon.CauseSIMNotActive: true,
	shop.CauseOtherSubscription: true, shop.CauseOtherIntent: true, shop.CauseGroupGone: true, shop.CauseBasePlan: true,
}

// TestRangesZH checks that every range a CSSS field states reads in
// Chinese: the forms of fieldRules have their Chinese, lists take 、 and 或.
func TestRangesZH(t *testing.T) {
	for name, r := range fieldRules {
		zh := rangeIn(r.allowed(), LangZH)
		if r.about != "" && r.max == 0 {
			if _, ok := rangesZH[r.about]; !ok {
				t.Errorf("%s: %q has no Chinese in rangesZH", name, r.about)
			}
		}
		if strings.Contains(zh, " or ") || strings.Contains(zh, ", ") {
			t.Errorf("%s: %q reads %q in Chinese", name, r.allowed(), zh)
		}
	}
	for en, zh := range map[string]string{"1-2": "1-2", "0 or 1": "0 或 1", "0, 1 or 2": "0、1 或 2", "SUCCESS, PENDING or empty": "SUCCESS、PENDING 或空"} {
		if got := rangeIn(en, LangZH); got != zh {
			t.Errorf("rangeIn(%q, zh) = %q, want %q", en, got, zh)
		}
		if got := rangeIn(en, LangEN); got != en {
			t.Errorf("rangeIn(%q, en) = %q", en, got)
		}
	}
}

// placeholders returns how many values a cause's text names, {0} to {n-1},
// or -1 when they are not all there, or it holds anything else in braces.
func placeholders(text string) int {
	n := 0
	for strings.Contains(text, "{"+strconv.Itoa(n)+"}") {
		text = strings.ReplaceAll(text, "{"+strconv.Itoa(n)+"}", "")
		n++
	}
	if strings.ContainsAny(text, "{}") {
		return -1
	}
	return n
}
