package shopwire

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriteJSON(t *testing.T) {
	w := httptest.NewRecorder()
	WriteJSON(w, http.StatusNotFound, map[string]any{"code": 2, "message": "a<b>&c"})
	if w.Code != http.StatusNotFound || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
	}
	if got := w.Body.String(); got != "{\"code\":2,\"message\":\"a<b>&c\"}\n" {
		t.Errorf("body %q", got)
	}
}

type testRoute struct{ method, path string }

func (rt testRoute) Pattern() string { return rt.method + " /p" + rt.path }

func TestNewMux(t *testing.T) {
	table := []testRoute{{"POST", "/a"}, {"GET", "/b"}}
	mux := NewMux(table, func(w http.ResponseWriter, r *http.Request, rt *testRoute) {
		w.Write([]byte("route " + rt.path))
	}, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "none", http.StatusNotFound)
	}, "/p", "/q")
	for _, tt := range []struct{ method, path, want string }{
		{"POST", "/p/a", "route /a"},
		{"GET", "/p/b", "route /b"},
		{"GET", "/p/c", "none\n"},
		{"GET", "/q/a", "none\n"},
	} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
		if got := w.Body.String(); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}
