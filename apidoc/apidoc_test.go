package apidoc

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type inner struct {
	A string `json:"a"`
}

type sample struct {
	inner
	N     int        `json:"n"`
	P     *string    `json:"p"`
	O     *string    `json:"o,omitempty"`
	T     time.Time  `json:"t"`
	L     []inner    `json:"l"`
	Skip  string     `json:"-"`
	Z     *time.Time `json:"z,omitzero"`
	lower int
}

func TestReflect(t *testing.T) {
	s := Reflect(sample{})
	got, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"title":"sample","type":"object","required":["a","n","p","t","l"],"properties":{` +
		`"a":{"type":"string"},"l":{"type":"array","items":{"title":"inner","type":"object","required":["a"],"properties":{"a":{"type":"string"}}}},` +
		`"n":{"type":"integer"},"o":{"type":"string"},"p":{"type":["string","null"]},"t":{"type":"string","format":"date-time"},` +
		`"z":{"type":"string","format":"date-time"}}}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Reflect (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "n", "p", "o", "t", "l", "z"}, s.Names()); diff != "" {
		t.Errorf("Names: %s", diff)
	}
}

func TestDescribe(t *testing.T) {
	s := Object("").Prop("status", String(""), true).Prop("list", Array(Object("").Prop("status", Integer("").Values(1, 2), true), ""), true)
	s.Describe(Glossary{"status": {About: "the state", Enum: []any{"a", "b"}}})
	top, item := s.Properties["status"], s.Properties["list"].Items.Properties["status"]
	if top.Description != "the state" || len(top.Enum) != 2 || item.Description != "the state" || item.Enum[0] != 1 {
		t.Errorf("described: %+v, %+v", top, item)
	}
}

func TestInlineHTML(t *testing.T) {
	for in, want := range map[string]string{
		"a `<b>` and <i>":                       "a <code>&lt;b&gt;</code> and &lt;i&gt;",
		"see [signing](signing.md), **now**":    `see <a href="signing.md">signing</a>, <strong>now</strong>`,
		`[x](javascript:alert(1))`:              "x)",
		"an odd ` tick":                         "an odd ` tick",
		`[q](a"onmouseover="x)`:                 `<a href="a&#34;onmouseover=&#34;x">q</a>`,
		"`[not a link](u)` stays code":          "<code>[not a link](u)</code> stays code",
		"two\n\nparagraphs are one line inline": "two\n\nparagraphs are one line inline",
	} {
		if got := string(inlineHTML(in)); got != want {
			t.Errorf("inlineHTML(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnchor(t *testing.T) {
	if got := Anchor("POST /admin/v1/enterprises/{code}/plans"); got != "post-adminv1enterprisescodeplans" {
		t.Errorf("Anchor = %q", got)
	}
}

func TestDecisionsNumbered(t *testing.T) {
	for i, d := range Decisions {
		if want := "D" + itoa(i+1); d.ID != want || d.Title == "" || d.Text == "" {
			t.Errorf("decision %d is %q %q", i, d.ID, d.Title)
		}
	}
	if md := string(DecisionsMarkdown()); !strings.Contains(md, "## D28. ") {
		t.Error("decisions.md lacks D28")
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
