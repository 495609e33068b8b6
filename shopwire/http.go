package shopwire

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// WriteJSON writes a whole answer: status, the Content-Type
// "application/json; charset=utf-8" and v (the protocol's envelope) as
// JSON ended by a newline, with <, > and & left as they are.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
