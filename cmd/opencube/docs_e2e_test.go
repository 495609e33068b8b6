package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/opencube/opencube/csss"
)

// TestPages checks what a person finds with a browser: GET / points to the
// reference and the OpenAPI document, /docs/ renders the reference, and
// the paths CSSS owns still answer its enveloped 404.
func TestPages(t *testing.T) {
	s := startServer(t)
	get := func(method, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, s.m.URL()+path, strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for _, tt := range []struct {
		path, want string
	}{
		{"/", `href="/docs/"`},
		{"/", `href="/openapi.json"`},
		{"/docs/", `href="/docs/csss"`},
		{"/docs/csss", "/package/orderPackage"},
		{"/docs/mall", "/vshop/singleOrder"},
		{"/docs/esim", "/fms/v1.1/package/preOrderPackage"},
		{"/docs/admin", "/admin/v1/enterprises"},
		{"/docs/decisions", "D28. Retries after a crash"},
	} {
		resp, body := get("GET", tt.path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s: HTTP %d %s, want a page with %q", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.want)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", tt.path, csp)
		}
	}
	for _, path := range []string{"/docs/signing.md", "/docs/csss.md", "/docs/style.css"} {
		if resp, body := get("GET", path); resp.StatusCode != 200 || len(body) < 100 {
			t.Errorf("GET %s: HTTP %d, %d bytes", path, resp.StatusCode, len(body))
		}
	}
	if resp, _ := get("GET", "/docs"); resp.StatusCode != 200 || resp.Request.URL.Path != "/docs/" {
		t.Errorf("GET /docs: HTTP %d at %s, want the reference", resp.StatusCode, resp.Request.URL.Path)
	}
	if resp, _ := get("GET", "/docs/nope"); resp.StatusCode != 404 {
		t.Errorf("GET /docs/nope: HTTP %d", resp.StatusCode)
	}
	// /openapi.json states the server's version and every protocol.
	resp, body := get("GET", "/openapi.json")
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct{ Version string }
		Tags    []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || resp.StatusCode != 200 || doc.OpenAPI != "3.1.0" || doc.Info.Version != version() || len(doc.Tags) != 5 {
		t.Errorf("GET /openapi.json: HTTP %d, %+v, %v", resp.StatusCode, doc, err)
	}
	// Other methods, and other paths, are CSSS's.
	for _, tt := range []struct {
		method, path string
		status       int
	}{{"POST", "/", 404}, {"POST", "/docs/", 404}, {"POST", "/openapi.json", 404}, {"GET", "/nope", 404}} {
		resp, body := get(tt.method, tt.path)
		var env struct{ Code string }
		if json.Unmarshal([]byte(body), &env); resp.StatusCode != tt.status || env.Code != csss.CodeNoRoute {
			t.Errorf("%s %s: HTTP %d %s, want %d with code %s", tt.method, tt.path, resp.StatusCode, body, tt.status, csss.CodeNoRoute)
		}
	}
}
