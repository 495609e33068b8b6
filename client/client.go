package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
)

// Client talks to an opencube (or Cube) CSSS endpoint as one enterprise.
type Client struct {
	// BaseURL is the server root, such as http://127.0.0.1:8080 or
	// https://api-uat.io.linksfield.net/cube/v4.
	BaseURL    string
	AccessCode string
	Secret     string
	// Language is sent as Accept-Language when set ("en-US", "zh-CN").
	Language string
	HTTP     *http.Client
	// Now stamps requests; time.Now when nil.
	Now func() time.Time
}

// New returns a client for one enterprise.
func New(baseURL, accessCode, secret string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), AccessCode: accessCode, Secret: secret, HTTP: http.DefaultClient}
}

// Response is a decoded CSSS envelope.
type Response struct {
	Code    string          `json:"code"`
	Data    json.RawMessage `json:"data"`
	Message string          `json:"message"`
	Success bool            `json:"success"`
	// Status is the HTTP status; Header the HTTP headers; Body the raw bytes.
	Status int         `json:"-"`
	Header http.Header `json:"-"`
	Body   []byte      `json:"-"`
}

// Error is a CSSS answer other than 0000.
type Error struct {
	Code    string
	Message string
	Data    json.RawMessage
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("csss %s: %s", e.Code, e.Message) }

// Unwrap returns the domain error the code stands for, so that
// opencube.ErrorKind works on client errors too.
func (e *Error) Unwrap() error {
	return &opencube.Error{Kind: csss.KindOf(e.Code), Message: e.Message}
}

// Body returns the signed JSON body for params: the globals (access_code,
// timestamp in milliseconds, version) are added unless params sets them,
// then sign.
func (c *Client) Body(params map[string]any) ([]byte, error) {
	p := make(map[string]any, len(params)+4)
	p["access_code"] = c.AccessCode
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	p["timestamp"] = strconv.FormatInt(now().UnixMilli(), 10)
	p["version"] = csss.Version
	for k, v := range params {
		p[k] = v
	}
	delete(p, "sign")
	body, err := csss.Marshal(p)
	if err != nil {
		return nil, err
	}
	canonical, err := csss.Canonical(body)
	if err != nil {
		return nil, err
	}
	p["sign"] = csss.Sign(canonical, c.Secret)
	return csss.Marshal(p)
}

// Do signs params, posts them to path and decodes the envelope whatever its
// code; the error is for transport and decoding failures only. header adds
// request headers (Idempotency-Key, Accept-Language).
func (c *Client) Do(ctx context.Context, path string, params map[string]any, header http.Header) (*Response, error) {
	body, err := c.Body(params)
	if err != nil {
		return nil, err
	}
	return c.Post(ctx, path, body, header)
}

// Post sends a body as it is, unsigned by the client.
func (c *Client) Post(ctx context.Context, path string, body []byte, header http.Header) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Language != "" {
		req.Header.Set("Accept-Language", c.Language)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("client: %s answered HTTP %d with a body that is not an envelope: %w", path, resp.StatusCode, err)
	}
	return out, nil
}

// Call is Do that turns a code other than 0000 into an *Error and decodes
// data into out (when out is not nil).
func (c *Client) Call(ctx context.Context, path string, params map[string]any, out any) error {
	resp, err := c.Do(ctx, path, params, nil)
	if err != nil {
		return err
	}
	if resp.Code != csss.CodeOK {
		return &Error{Code: resp.Code, Message: resp.Message, Data: resp.Data}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(resp.Data, out)
}
