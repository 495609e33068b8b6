package apidoc

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Schema is a JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), with
// the keywords opencube's documents use. Properties keep the order they were
// added in for the pages; the JSON form sorts them.
type Schema struct {
	Title       string   `json:"title,omitempty"`
	Type        Types    `json:"type,omitempty"`
	Format      string   `json:"format,omitempty"`
	Description string   `json:"description,omitempty"`
	Enum        []any    `json:"enum,omitempty"`
	Const       any      `json:"const,omitempty"`
	Default     any      `json:"default,omitempty"`
	Minimum     *int64   `json:"minimum,omitempty"`
	Maximum     *int64   `json:"maximum,omitempty"`
	MinLength   *int     `json:"minLength,omitempty"`
	MaxLength   *int     `json:"maxLength,omitempty"`
	Pattern     string   `json:"pattern,omitempty"`
	Items       *Schema  `json:"items,omitempty"`
	MinItems    *int     `json:"minItems,omitempty"`
	MaxItems    *int     `json:"maxItems,omitempty"`
	Required    []string `json:"required,omitempty"`
	// Properties are an object's members; order keeps them in the order
	// they were added.
	Properties map[string]*Schema `json:"properties,omitempty"`
	// AdditionalProperties is a map's value schema, or false for an
	// object that takes no members beyond Properties.
	AdditionalProperties any       `json:"additionalProperties,omitempty"`
	OneOf                []*Schema `json:"oneOf,omitempty"`
	Examples             []any     `json:"examples,omitempty"`

	order []string
}

// Types is a schema's type: one name, or several (["integer", "string"],
// ["string", "null"]). One name is written as a string.
type Types []string

// MarshalJSON writes one type as a string, several as an array.
func (t Types) MarshalJSON() ([]byte, error) {
	if len(t) == 1 {
		return json.Marshal(t[0])
	}
	return json.Marshal([]string(t))
}

// String is the schema of a string.
func String(description string) *Schema {
	return &Schema{Type: Types{"string"}, Description: description}
}

// Integer is the schema of an integer.
func Integer(description string) *Schema {
	return &Schema{Type: Types{"integer"}, Description: description}
}

// Boolean is the schema of a boolean.
func Boolean(description string) *Schema {
	return &Schema{Type: Types{"boolean"}, Description: description}
}

// Array is the schema of an array of items.
func Array(items *Schema, description string) *Schema {
	return &Schema{Type: Types{"array"}, Items: items, Description: description}
}

// Object returns an empty object schema; Prop adds its members.
func Object(description string) *Schema {
	return &Schema{Type: Types{"object"}, Description: description}
}

// Null is the schema of JSON null.
func Null() *Schema { return &Schema{Type: Types{"null"}} }

// Prop adds (or replaces) the member name of an object schema, required or
// not, and returns s.
func (s *Schema) Prop(name string, p *Schema, required bool) *Schema {
	if s.Properties == nil {
		s.Properties = map[string]*Schema{}
	}
	if _, ok := s.Properties[name]; !ok {
		s.order = append(s.order, name)
	}
	s.Properties[name] = p
	if required && !slices.Contains(s.Required, name) {
		s.Required = append(s.Required, name)
	}
	return s
}

// Drop removes the member name of an object schema and returns s.
func (s *Schema) Drop(name string) *Schema {
	delete(s.Properties, name)
	s.order = slices.DeleteFunc(s.order, func(n string) bool { return n == name })
	s.Required = slices.DeleteFunc(s.Required, func(n string) bool { return n == name })
	return s
}

// Names returns an object's member names in the order they were added.
func (s *Schema) Names() []string { return s.order }

// IsRequired reports whether the member name is required.
func (s *Schema) IsRequired(name string) bool { return slices.Contains(s.Required, name) }

// Range sets the inclusive bounds of an integer schema and returns s.
func (s *Schema) Range(min, max int64) *Schema {
	s.Minimum, s.Maximum = &min, &max
	return s
}

// Values sets the allowed values of a schema and returns s.
func (s *Schema) Values(values ...any) *Schema {
	s.Enum = values
	return s
}

// Nullable adds null to the schema's types and returns s.
func (s *Schema) Nullable() *Schema {
	if !slices.Contains(s.Type, "null") {
		s.Type = append(s.Type, "null")
	}
	return s
}

// Clone returns a deep copy of s.
func (s *Schema) Clone() *Schema {
	if s == nil {
		return nil
	}
	c := *s
	c.Type = slices.Clone(s.Type)
	c.Enum = slices.Clone(s.Enum)
	c.Required = slices.Clone(s.Required)
	c.order = slices.Clone(s.order)
	c.Examples = slices.Clone(s.Examples)
	c.Items = s.Items.Clone()
	if a, ok := s.AdditionalProperties.(*Schema); ok {
		c.AdditionalProperties = a.Clone()
	}
	if s.Properties != nil {
		c.Properties = make(map[string]*Schema, len(s.Properties))
		for k, v := range s.Properties {
			c.Properties[k] = v.Clone()
		}
	}
	c.OneOf = nil
	for _, o := range s.OneOf {
		c.OneOf = append(c.OneOf, o.Clone())
	}
	return &c
}

// Glossary describes fields by name: Describe gives every member of that
// name, at any depth, its description and, when the member has none yet,
// its allowed values.
type Glossary map[string]Term

// Term is what a glossary says of one field name.
type Term struct {
	About string
	// Enum lists the allowed values, as they travel (strings or numbers).
	Enum []any
}

// Describe applies g to every member of s, recursively, and returns s. A
// member that already has a description keeps it.
func (s *Schema) Describe(g Glossary) *Schema {
	if s == nil {
		return s
	}
	for name, p := range s.Properties {
		if t, ok := g[name]; ok {
			if p.Description == "" {
				p.Description = t.About
			}
			if len(p.Enum) == 0 && len(t.Enum) > 0 && (len(p.Type) == 0 || p.Type[0] != "array") {
				p.Enum = t.Enum
				if slices.Contains(p.Type, "null") {
					p.Enum = append(slices.Clone(t.Enum), nil)
				}
			}
		}
		p.Describe(g)
	}
	s.Items.Describe(g)
	if a, ok := s.AdditionalProperties.(*Schema); ok {
		a.Describe(g)
	}
	for _, o := range s.OneOf {
		o.Describe(g)
	}
	return s
}

var timeType = reflect.TypeFor[time.Time]()

// Reflect returns the schema of the JSON form of v's type, as
// encoding/json writes it: structs by their json tags (embedded structs
// flattened), members without omitempty required, pointers without
// omitempty nullable, time.Time an RFC 3339 string. A named struct's schema
// has its Go name as title.
func Reflect(v any) *Schema { return reflectType(reflect.TypeOf(v)) }

// marshalerType is json.Marshaler: a scalar type that implements it is
// written as a string (Decimal, an amount of money).
var marshalerType = reflect.TypeFor[json.Marshaler]()

func reflectType(t reflect.Type) *Schema {
	if t == timeType {
		return &Schema{Type: Types{"string"}, Format: "date-time"}
	}
	if t.Kind() != reflect.Struct && t.Kind() != reflect.Pointer && t.Implements(marshalerType) {
		// A scalar with its own JSON form (an amount of money as "12.30").
		return &Schema{Type: Types{"string"}}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return reflectType(t.Elem()).Nullable()
	case reflect.String:
		return &Schema{Type: Types{"string"}}
	case reflect.Bool:
		return &Schema{Type: Types{"boolean"}}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &Schema{Type: Types{"integer"}}
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: Types{"number"}}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return &Schema{Type: Types{"string"}, Format: "byte"}
		}
		return &Schema{Type: Types{"array"}, Items: reflectType(t.Elem())}
	case reflect.Map:
		return &Schema{Type: Types{"object"}, AdditionalProperties: reflectType(t.Elem())}
	case reflect.Struct:
		s := &Schema{Type: Types{"object"}, Title: t.Name()}
		addFields(s, t)
		return s
	}
	return &Schema{} // an interface: any value
}

// addFields adds the JSON members of struct type t to s.
func addFields(s *Schema, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			addFields(s, f.Type)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := slices.Contains(strings.Split(opts, ","), "omitempty") || slices.Contains(strings.Split(opts, ","), "omitzero")
		ft := f.Type
		var p *Schema
		if ft.Kind() == reflect.Pointer && optional {
			p = reflectType(ft.Elem())
		} else {
			p = reflectType(ft)
		}
		s.Prop(name, p, !optional)
	}
}
