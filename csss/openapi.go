package csss

import (
	"slices"

	"github.com/opencube/opencube"
)

// fieldSchema is the JSON schema of a request field: its rule in
// fieldRules (integers are numbers or numeric strings, as the server
// reads them), a string for free text.
func fieldSchema(name string) map[string]any {
	if name == "deviceList" {
		return map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "description": fieldRules[name].about}
	}
	r, ok := fieldRules[name]
	switch {
	case !ok:
		return map[string]any{"type": "string"}
	case len(r.enum) > 0:
		return map[string]any{"type": "string", "enum": r.enum}
	case r.max > 0:
		desc := "an integer " + opencube.RangeText(r.min, r.max) + ", a JSON number or a numeric string"
		if r.about != "" {
			desc += "; " + r.about
		}
		return map[string]any{"type": []string{"integer", "string"}, "minimum": r.min, "maximum": r.max, "description": desc}
	}
	return map[string]any{"type": "string", "description": r.about}
}

// OpenAPI returns the OpenAPI 3.1 description of the route table: every
// route, its request fields, and the envelope of its answer.
func OpenAPI(version string) ([]byte, error) {
	globals := []string{"access_code", "timestamp", "version", "sign"}
	paths := map[string]any{}
	for _, rt := range Routes {
		props := map[string]any{}
		for _, f := range slices.Concat(globals, rt.Fields) {
			props[f] = fieldSchema(f)
		}
		signNote := "data.sign is the HMAC-SHA1 of data (DECISIONS D8)"
		switch rt.Sign {
		case SignNull:
			signNote = "data.sign is null"
		case SignNone:
			signNote = "data has no sign member"
		}
		paths[rt.Path] = map[string]any{"post": map[string]any{
			"summary":     rt.Summary,
			"description": "Also served at " + Prefix + rt.Path + ". " + signNote + ".",
			"parameters": []any{map[string]any{
				"name": "Accept-Language", "in": "header", "schema": map[string]any{"type": "string", "example": "en-US"},
				"description": "en-US for English messages; anything else gives zh-CN",
			}},
			"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{
				"schema": map[string]any{"type": "object", "required": globals, "properties": props},
			}}},
			"responses": map[string]any{"200": map[string]any{
				"description": "The envelope: code 0000 on success, else an error code",
				"content":     map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Envelope"}}},
			}},
		}}
	}
	codeList := make([]string, 0, len(codes))
	for c := range codes {
		codeList = append(codeList, c)
	}
	slices.Sort(codeList)
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "opencube CSSS API",
			"version":     version,
			"description": "The Cube CSSS API (body-signed, version 2.0) as served by opencube.",
		},
		"paths": paths,
		"components": map[string]any{"schemas": map[string]any{"Envelope": map[string]any{
			"type": "object",
			"properties": map[string]any{
				"code":    map[string]any{"type": "string", "enum": codeList},
				"data":    map[string]any{"type": []string{"object", "null"}},
				"message": map[string]any{"type": "string"},
				"success": map[string]any{"type": "boolean"},
			},
		}}},
	}
	return marshalIndent(doc)
}
