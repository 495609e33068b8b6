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
