package shopwire

import (
	"errors"
	"maps"
	"testing"

	"github.com/opencube/opencube"
)

func TestDecode(t *testing.T) {
	for _, tt := range []struct {
		body string
		want Params // nil with ok: JSON null
		ok   bool
		bad  string // the invalid field
	}{
		{`{"a":"x","n":460,"f":4.90,"t":true,"u":false,"z":null}`, Params{"a": "x", "n": "460", "f": "4.90", "t": "true", "u": "false"}, true, ""},
		{` {} `, Params{}, true, ""},
		{`null`, nil, true, ""},
		{``, nil, false, "body"},
		{`[1]`, nil, false, "body"},
		{`{} {}`, nil, false, "body"},
		{`{"a":{"b":1}}`, nil, false, "a"},
		{`{"a":[1]}`, nil, false, "a"},
	} {
		p, err := Decode([]byte(tt.body))
		if tt.ok != (err == nil) {
			t.Errorf("Decode(%q): %v, want ok=%v", tt.body, err, tt.ok)
			continue
		}
		if err != nil {
			var e *opencube.Error
			if !errors.As(err, &e) || e.Kind != opencube.KindInvalid || e.Field != tt.bad {
				t.Errorf("Decode(%q): %v, want KindInvalid of %s", tt.body, err, tt.bad)
			}
			continue
		}
		if (p == nil) != (tt.want == nil) || !maps.Equal(p, tt.want) {
			t.Errorf("Decode(%q) = %#v, want %#v", tt.body, p, tt.want)
		}
	}
}

func TestQueryParams(t *testing.T) {
	got := QueryParams(map[string][]string{"orderId": {"E1", "E2"}, "empty": {}})
	if !maps.Equal(got, Params{"orderId": "E1"}) {
		t.Errorf("QueryParams = %v", got)
	}
}

func TestRequireInt(t *testing.T) {
	p := Params{"a": " x ", "blank": "  ", "n": " 12 ", "bad": "1.5"}
	if v, err := p.Require("a"); v != "x" || err != nil {
		t.Errorf("Require(a) = %q, %v", v, err)
	}
	for _, name := range []string{"blank", "missing"} {
		if _, err := p.Require(name); opencube.ErrorKind(err) != opencube.KindInvalid {
			t.Errorf("Require(%s): %v", name, err)
		}
	}
	if vs, err := p.RequireAll("a", "n"); err != nil || len(vs) != 2 || vs[0] != "x" || vs[1] != "12" {
		t.Errorf("RequireAll(a, n) = %q, %v", vs, err)
	}
	var e *opencube.Error
	if _, err := p.RequireAll("a", "missing", "blank"); !errors.As(err, &e) || e.Field != "missing" {
		t.Errorf("RequireAll(a, missing, blank): %v, want missing first", err)
	}
	if n, err := p.Int("n", 0); n != 12 || err != nil {
		t.Errorf("Int(n) = %d, %v", n, err)
	}
	if n, err := p.Int("missing", 7); n != 7 || err != nil {
		t.Errorf("Int(missing) = %d, %v", n, err)
	}
	if _, err := p.Int("bad", 0); opencube.ErrorKind(err) != opencube.KindInvalid {
		t.Errorf("Int(bad): %v", err)
	}
}
