package apidoc

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Generated is the first line of every generated page.
const Generated = "<!-- Generated from the route tables by `go generate ./docs`: edit the tables, not this file. -->"

// Markdown returns the protocol's page: overview, codes, and every route
// with its parameters, fields, answer, codes of failure and example.
func Markdown(p *Protocol) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\n# %s\n\n%s\n\n", Generated, p.Title, p.Summary)
	if p.Intro != "" {
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(p.Intro))
	}
	b.WriteString("## Codes\n\n")
	zh := false
	for _, c := range p.Codes {
		zh = zh || c.MessageZH != ""
	}
	if zh {
		b.WriteString("| Code | HTTP | Message (en-US) | Message (zh-CN) | When |\n|---|---|---|---|---|\n")
	} else {
		b.WriteString("| Code | HTTP | Message | When |\n|---|---|---|---|\n")
	}
	for _, c := range p.Codes {
		if zh {
			fmt.Fprintf(&b, "| `%s` | %d | %s | %s | %s |\n", c.Code, c.HTTP, cell(c.Message), cell(c.MessageZH), cell(c.About))
		} else {
			fmt.Fprintf(&b, "| `%s` | %d | %s | %s |\n", c.Code, c.HTTP, cell(c.Message), cell(c.About))
		}
	}
	b.WriteString("\n## Routes\n\n| Method | Path | What it does |\n|---|---|---|\n")
	for i := range p.Routes {
		rt := &p.Routes[i]
		fmt.Fprintf(&b, "| %s | [`%s`](#%s) | %s |\n", rt.Method, rt.Path, Anchor(rt.Method+" "+rt.Path), cell(rt.Summary))
	}
	for i := range p.Routes {
		writeRoute(&b, p, &p.Routes[i])
	}
	return b.Bytes()
}

func writeRoute(b *bytes.Buffer, p *Protocol, rt *Route) {
	fmt.Fprintf(b, "\n### %s %s\n\n%s.", rt.Method, rt.Path, strings.TrimSuffix(rt.Summary, "."))
	if rt.Description != "" {
		fmt.Fprintf(b, " %s", strings.TrimSpace(rt.Description))
	}
	b.WriteString("\n")
	if len(rt.Also) > 0 {
		fmt.Fprintf(b, "\nAlso served at %s.\n", strings.Join(quoteAll(rt.Also), ", "))
	}
	if rt.Security != "" {
		fmt.Fprintf(b, "\nAuthentication: `%s` (see above).\n", rt.Security)
	}
	if len(rt.Params) > 0 {
		b.WriteString("\n| Parameter | In | Type | Required | Values and meaning |\n|---|---|---|---|---|\n")
		for _, pr := range rt.Params {
			fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", pr.Name, pr.In, TypeText(pr.Schema), yes(pr.Required || pr.In == "path"), cell(join(ValuesText(pr.Schema), pr.About)))
		}
	}
	if rt.Body != nil {
		fmt.Fprintf(b, "\nRequest body (`%s`", mediaType(rt.BodyType))
		if rt.BodyOptional {
			b.WriteString(", may be left out")
		}
		b.WriteString(")")
		if rows := Fields(rt.Body); len(rows) > 0 {
			b.WriteString(":\n\n| Field | Type | Required | Values and meaning |\n|---|---|---|---|\n")
			for _, f := range rows {
				fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", f.Name, f.Type, yes(f.Required), cell(join(f.Values, f.About)))
			}
		} else {
			if rt.Body.Description != "" {
				fmt.Fprintf(b, ": %s", strings.TrimSuffix(rt.Body.Description, "."))
			}
			b.WriteString(".\n")
		}
	}
	for _, r := range rt.Responses {
		fmt.Fprintf(b, "\nAnswer `%s`", statusKey(r.Status))
		if r.Schema != nil {
			fmt.Fprintf(b, " (`%s`)", mediaType(r.Type))
		}
		fmt.Fprintf(b, ": %s", strings.TrimSuffix(r.About, "."))
		rows := Fields(r.Schema)
		if len(rows) == 0 {
			b.WriteString(".\n")
			continue
		}
		b.WriteString(".\n\n| Field | Type | Always | Values and meaning |\n|---|---|---|---|\n")
		for _, f := range rows {
			fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", f.Name, f.Type, yes(f.Required), cell(join(f.Values, f.About)))
		}
	}
	if errs := p.Errors(rt); len(errs) > 0 {
		fmt.Fprintf(b, "\nCodes of failure: %s.\n", strings.Join(quoteAll(errs), ", "))
	}
	if ex := rt.Example; ex != nil {
		b.WriteString("\nExample:\n\n```http\n")
		b.WriteString(ExampleRequest(rt))
		b.WriteString("\n```\n\n```http\n")
		b.WriteString(ExampleAnswer(rt))
		b.WriteString("\n```\n")
	}
}

// ExampleRequest is the route's example request as HTTP: the request line,
// its headers and its body.
func ExampleRequest(rt *Route) string {
	ex := rt.Example
	var b strings.Builder
	b.WriteString(rt.Method + " " + examplePath(rt))
	if ex.Query != "" {
		b.WriteString("?" + ex.Query)
	}
	for _, k := range sortedKeys(ex.Header) {
		fmt.Fprintf(&b, "\n%s: %s", k, ex.Header[k])
	}
	if ex.Request != "" {
		fmt.Fprintf(&b, "\nContent-Type: %s\n\n%s", mediaType(rt.BodyType), Indent(ex.Request))
	}
	return b.String()
}

// ExampleAnswer is the route's example answer as HTTP: the status line and
// the body.
func ExampleAnswer(rt *Route) string {
	ex := rt.Example
	status := ex.Status
	if status == 0 {
		status = 200
	}
	s := "HTTP/1.1 " + StatusText(status)
	if ex.Answer != "" {
		s += "\n\n" + Indent(ex.Answer)
	}
	return s
}

// examplePath is the route's path with the example's values in place of
// its path parameters (their schemas' first example).
func examplePath(rt *Route) string {
	path := rt.Path
	for _, pr := range rt.Params {
		if pr.In == "path" && pr.Schema != nil && len(pr.Schema.Examples) > 0 {
			path = strings.ReplaceAll(path, "{"+pr.Name+"}", fmt.Sprint(pr.Schema.Examples[0]))
		}
	}
	return path
}

// Field is one row of a field table: a member, by its path from the top
// (page.cur_page_no, package_list[].flow).
type Field struct {
	Name, Type, Values, About string
	Required                  bool
}

// Fields lists the members of an object schema, depth first, nested
// objects and arrays of objects by their paths. Of a schema with
// alternatives (oneOf), the first is listed.
func Fields(s *Schema) []Field {
	var out []Field
	addRows(&out, s, "", true)
	return out
}

func addRows(out *[]Field, s *Schema, prefix string, required bool) {
	if s == nil {
		return
	}
	if len(s.OneOf) > 0 {
		addRows(out, s.OneOf[0], prefix, required)
		return
	}
	for _, name := range s.Names() {
		p := s.Properties[name]
		path := prefix + name
		req := s.IsRequired(name)
		*out = append(*out, Field{Name: path, Type: TypeText(p), Values: ValuesText(p), About: p.Description, Required: req})
		switch {
		case len(p.Properties) > 0 || len(p.OneOf) > 0:
			addRows(out, p, path+".", req)
		case p.Items != nil && len(p.Items.Properties) > 0:
			addRows(out, p.Items, path+"[].", req)
		}
	}
}

// TypeText names a schema's type for a person: "string", "integer or
// string", "array of string", "string (date-time)".
func TypeText(s *Schema) string {
	if s == nil {
		return "any"
	}
	if len(s.OneOf) > 0 {
		var alts []string
		for _, o := range s.OneOf {
			alts = append(alts, TypeText(o))
		}
		return strings.Join(alts, " or ")
	}
	if len(s.Type) == 0 {
		if s.Const != nil {
			return jsonType(s.Const)
		}
		return "any"
	}
	var names []string
	for _, t := range s.Type {
		switch {
		case t == "array" && s.Items != nil:
			t = "array of " + TypeText(s.Items)
		case t == "object" && s.Title != "":
			t = "object"
		case t == "string" && s.Format != "":
			t = "string (" + s.Format + ")"
		}
		names = append(names, t)
	}
	return strings.Join(names, " or ")
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "number"
}

// ValuesText states what values a schema allows: its constant, enum,
// range, length, pattern or default.
func ValuesText(s *Schema) string {
	if s == nil {
		return ""
	}
	var parts []string
	switch {
	case s.Const != nil:
		parts = append(parts, "always "+literal(s.Const))
	case len(s.Enum) > 0:
		var vs []string
		seen := map[string]bool{}
		for _, v := range s.Enum {
			// 0 and "0" are one value for a person.
			l := strings.Trim(literal(v), `"`)
			if !seen[l] {
				seen[l] = true
				vs = append(vs, "`"+l+"`")
			}
		}
		parts = append(parts, "one of "+strings.Join(vs, ", "))
	}
	if s.Minimum != nil && s.Maximum != nil {
		parts = append(parts, strconv.FormatInt(*s.Minimum, 10)+"-"+strconv.FormatInt(*s.Maximum, 10))
	} else if s.Minimum != nil {
		parts = append(parts, "at least "+strconv.FormatInt(*s.Minimum, 10))
	}
	if s.MinItems != nil || s.MaxItems != nil {
		parts = append(parts, itemsText(s.MinItems, s.MaxItems))
	}
	if s.MaxLength != nil {
		parts = append(parts, "at most "+strconv.Itoa(*s.MaxLength)+" characters")
	}
	if s.Default != nil {
		parts = append(parts, "default "+literal(s.Default))
	}
	return strings.Join(parts, "; ")
}

func itemsText(min, max *int) string {
	switch {
	case min != nil && max != nil:
		return fmt.Sprintf("%d-%d items", *min, *max)
	case max != nil:
		return fmt.Sprintf("at most %d items", *max)
	}
	return fmt.Sprintf("at least %d items", *min)
}

func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return `"` + v + `"`
	}
	return fmt.Sprint(v)
}

func statusKey(status int) string {
	if status == 0 {
		return "default"
	}
	return StatusText(status)
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// join joins the non-empty parts with "; ".
func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

// cell makes text fit a table cell: no line breaks, pipes escaped.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// Anchor is the fragment that a heading of this text gets, as GitHub makes
// it: lower case, punctuation dropped, spaces as dashes.
func Anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
