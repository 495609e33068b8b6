package apidoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Protocol is the reference of one protocol opencube speaks, built by the
// protocol's package from its route table: what its pages under docs/ and
// /docs/ say, and its part of the OpenAPI document.
type Protocol struct {
	// Tag names the protocol: its operations' tag in the OpenAPI document.
	Tag string
	// Title is its page's title.
	Title string
	// File is its page's base name: docs/<File>.md and /docs/<File>.
	File string
	// Summary says in one sentence what the protocol is for.
	Summary string
	// Intro is the overview in Markdown: envelope, authentication,
	// conventions.
	Intro string
	// Codes are the codes its answers carry, each once.
	Codes []Code
	// CommonErrors are the codes any route may answer, beside each
	// route's own Errors.
	CommonErrors []string
	// Security are the protocol's authentication schemes by name, as
	// OpenAPI security scheme objects.
	Security map[string]any
	// Routes are its endpoints, in route table order.
	Routes []Route
}

// Code is one code of a protocol's answers.
type Code struct {
	// Code is the code as it travels ("1001", "2", "invalid").
	Code string
	// HTTP is the status it comes with.
	HTTP int
	// Message is its English message; MessageZH its Chinese one, when
	// the protocol has one.
	Message, MessageZH string
	// About says when it is answered.
	About string
}

// Route is one endpoint of a protocol.
type Route struct {
	Method string
	// Path is the path the route is documented at; Also lists the other
	// paths that serve it.
	Path string
	Also []string
	// Summary is one line; Description more, in Markdown.
	Summary, Description string
	// Security names the protocol's security scheme the route needs, ""
	// for none.
	Security string
	// Params are its path, query and header parameters.
	Params []Param
	// Body is the request body's schema, nil for none; BodyType its media
	// type ("application/json" when empty).
	Body     *Schema
	BodyType string
	// BodyOptional says the body may be left out.
	BodyOptional bool
	// Responses are its answers, the successful one first.
	Responses []Response
	// Errors are the codes the route answers beyond the protocol's
	// CommonErrors.
	Errors []string
	// Example is a request and its answer.
	Example *Example
}

// Param is a path, query or header parameter.
type Param struct {
	Name, In, About string
	Required        bool
	Schema          *Schema
}

// Response is one answer of a route.
type Response struct {
	Status int
	About  string
	// Type is the media type ("application/json" when empty).
	Type   string
	Schema *Schema
}

// Example is an example request and its answer, as they travel.
type Example struct {
	// Query is the query string, without "?"; Header headers to send.
	Query  string
	Header map[string]string
	// Request is the body (JSON, or the body's text for another media
	// type); "" for none.
	Request string
	// Status is the answer's HTTP status (200 when 0); Answer its body.
	Status int
	Answer string
}

// mediaType returns t, or JSON when empty.
func mediaType(t string) string {
	if t == "" {
		return "application/json"
	}
	return t
}

// OperationID is the route's operationId in the OpenAPI document: the
// protocol's tag, the method and the path's words.
func (p *Protocol) OperationID(rt *Route) string {
	words := regexp.MustCompile(`[A-Za-z0-9]+`).FindAllString(rt.Path, -1)
	return strings.ToLower(p.Tag) + "_" + strings.ToLower(rt.Method) + "_" + strings.Join(words, "_")
}

// Info is what the OpenAPI document says of itself.
type Info struct {
	Title, Version, Description string
}

// OpenAPI returns the OpenAPI 3.1 document of every route of protocols,
// each tagged with its protocol, as indented JSON.
func OpenAPI(info Info, protocols ...*Protocol) ([]byte, error) {
	paths := map[string]map[string]any{}
	schemes := map[string]any{}
	var tags []any
	for _, p := range protocols {
		tags = append(tags, map[string]any{"name": p.Tag, "description": p.Title + ": " + p.Summary})
		for name, s := range p.Security {
			schemes[name] = s
		}
		for i := range p.Routes {
			rt := &p.Routes[i]
			op, err := p.operation(rt)
			if err != nil {
				return nil, fmt.Errorf("%s %s %s: %w", p.Tag, rt.Method, rt.Path, err)
			}
			item := paths[rt.Path]
			if item == nil {
				item = map[string]any{}
				paths[rt.Path] = item
			}
			m := strings.ToLower(rt.Method)
			if _, dup := item[m]; dup {
				return nil, fmt.Errorf("%s %s documented twice", rt.Method, rt.Path)
			}
			item[m] = op
		}
	}
	doc := map[string]any{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info":              map[string]any{"title": info.Title, "version": info.Version, "description": info.Description},
		"tags":              tags,
		"paths":             paths,
	}
	if len(schemes) > 0 {
		doc["components"] = map[string]any{"securitySchemes": schemes}
	}
	return MarshalIndent(doc)
}

// operation returns the OpenAPI operation object of rt.
func (p *Protocol) operation(rt *Route) (map[string]any, error) {
	desc := rt.Description
	if len(rt.Also) > 0 {
		desc = strings.TrimSpace(desc + "\n\nAlso served at " + strings.Join(quoteAll(rt.Also), ", ") + ".")
	}
	if errs := p.Errors(rt); len(errs) > 0 {
		desc = strings.TrimSpace(desc + "\n\nCodes of failure: " + strings.Join(errs, ", ") + ".")
	}
	op := map[string]any{
		"tags":        []string{p.Tag},
		"operationId": p.OperationID(rt),
		"summary":     rt.Summary,
	}
	if desc != "" {
		op["description"] = desc
	}
	if rt.Security != "" {
		op["security"] = []any{map[string]any{rt.Security: []string{}}}
	}
	var params []any
	for _, pr := range rt.Params {
		m := map[string]any{"name": pr.Name, "in": pr.In, "schema": pr.Schema}
		if pr.About != "" {
			m["description"] = pr.About
		}
		if pr.Required || pr.In == "path" {
			m["required"] = true
		}
		params = append(params, m)
	}
	if params != nil {
		op["parameters"] = params
	}
	ex := rt.Example
	if rt.Body != nil {
		media := map[string]any{"schema": rt.Body}
		if ex != nil && ex.Request != "" {
			v, err := exampleValue(mediaType(rt.BodyType), ex.Request)
			if err != nil {
				return nil, fmt.Errorf("example request: %w", err)
			}
			media["example"] = v
		}
		op["requestBody"] = map[string]any{"required": !rt.BodyOptional, "content": map[string]any{mediaType(rt.BodyType): media}}
	}
	responses := map[string]any{}
	for i, r := range rt.Responses {
		resp := map[string]any{"description": r.About}
		if r.Schema != nil {
			media := map[string]any{"schema": r.Schema}
			status := 200
			if ex != nil && ex.Status != 0 {
				status = ex.Status
			}
			if ex != nil && ex.Answer != "" && (r.Status == status || (i == 0 && ex.Status == 0)) {
				v, err := exampleValue(mediaType(r.Type), ex.Answer)
				if err != nil {
					return nil, fmt.Errorf("example answer: %w", err)
				}
				media["example"] = v
			}
			resp["content"] = map[string]any{mediaType(r.Type): media}
		}
		key := strconv.Itoa(r.Status)
		if r.Status == 0 {
			key = "default"
		}
		responses[key] = resp
	}
	op["responses"] = responses
	return op, nil
}

// Errors returns the codes of failure of rt: the protocol's common ones
// and the route's own, in the order of the protocol's code table.
func (p *Protocol) Errors(rt *Route) []string {
	var out []string
	for _, c := range p.Codes {
		if slices.Contains(p.CommonErrors, c.Code) || slices.Contains(rt.Errors, c.Code) {
			out = append(out, c.Code)
		}
	}
	return out
}

// exampleValue decodes an example of media type t: JSON into its value,
// anything else as its text.
func exampleValue(t, text string) (any, error) {
	if !strings.Contains(t, "json") {
		return text, nil
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return out
}

// MarshalIndent encodes v as JSON indented by two spaces, without HTML
// escaping, ended by a newline.
func MarshalIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Indent returns a JSON text indented by two spaces, keeping its members'
// order and its numbers as written; text that is not JSON comes back as it
// is.
func Indent(text string) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(text), "", "  "); err != nil {
		return text
	}
	return buf.String()
}

// StatusText is "200 OK" for 200.
func StatusText(status int) string { return strconv.Itoa(status) + " " + http.StatusText(status) }
