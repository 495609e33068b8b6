package admin

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/opencube/opencube"
)

// decode reads one JSON value into v, refusing unknown fields and trailing
// data, and names the offending field of a mistyped value.
func decode(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return opencube.Invalid("body", "the body holds more than one JSON value")
		}
		return nil
	}
	var (
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
		tooLarge *http.MaxBytesError
		own      *opencube.Error
	)
	switch {
	case errors.As(err, &tooLarge):
		return err
	case errors.As(err, &own):
		return own
	case errors.As(err, &syntax):
		return opencube.Invalid("body", "malformed JSON at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return opencube.Invalid(field, "%s must be a JSON %s, not a %s", field, jsonType(typ.Type), typ.Value)
	case errors.Is(err, io.EOF):
		return opencube.Invalid("body", "the body is empty: expected a JSON value")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return opencube.Invalid("body", "the JSON body ends early")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return opencube.Invalid(name, "unknown field %q", name)
	}
	return opencube.Invalid("body", "malformed JSON: %v", err)
}

// jsonType names the JSON type that decodes into t.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "string"
}
