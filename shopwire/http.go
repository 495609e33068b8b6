package shopwire

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// ReadBody reads a request body of at most limit bytes. A larger one is
// refused with an *http.MaxBytesError: unread when its Content-Length says
// so, else as soon as it passes limit. On any error the answer closes the
// connection, so that the rest of the body is never read.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		return nil, &http.MaxBytesError{Limit: limit}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		w.Header().Set("Connection", "close")
		return nil, err
	}
	return body, nil
}

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

// Route is what NewMux needs of a row of a route table: its ServeMux
// pattern, "METHOD /full/path".
type Route interface {
	Pattern() string
}

// NewMux turns a route table into a ServeMux: each row's pattern is served
// by serve with a pointer to that row, and any other path under one of
// prefixes (each without its trailing slash) by noRoute.
func NewMux[R Route](table []R, serve func(http.ResponseWriter, *http.Request, *R), noRoute http.HandlerFunc, prefixes ...string) *http.ServeMux {
	mux := http.NewServeMux()
	for i := range table {
		rt := &table[i]
		mux.HandleFunc(table[i].Pattern(), func(w http.ResponseWriter, r *http.Request) { serve(w, r, rt) })
	}
	for _, p := range prefixes {
		mux.HandleFunc(p+"/", noRoute)
	}
	return mux
}
