package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube/cubev4"
)

// V4 talks to a Cube v4 REST endpoint (/cube/v4) as one API key: every
// request is signed with Signature v2 (SHA1withRSA).
type V4 struct {
	// BaseURL is the server root, such as http://127.0.0.1:8080; the
	// paths it is given start below /cube/v4.
	BaseURL string
	KeyID   string
	Key     *rsa.PrivateKey
	// Language is sent as Accept-Language when set ("zh-CN").
	Language string
	// APIVersion is sent as X-LF-Api-Version when set: NewV4 sets 2.0,
	// whose answers carry the ids the client returns; without it the
	// server serves 1.0.
	APIVersion string
	HTTP       *http.Client
	// Now stamps requests; time.Now when nil. Nonce returns the nonce of
	// a request; a random positive integer when nil.
	Now   func() time.Time
	Nonce func() string
}

// NewV4 returns a Cube v4 client signing with key as keyID.
func NewV4(baseURL, keyID string, key *rsa.PrivateKey) *V4 {
	return &V4{BaseURL: strings.TrimRight(baseURL, "/"), KeyID: keyID, Key: key, HTTP: http.DefaultClient, APIVersion: cubev4.APIVersion2}
}

// ParsePrivateKey reads an RSA private key: PEM (PKCS#8 PRIVATE KEY or
// PKCS#1 RSA PRIVATE KEY, text around it ignored) or Base64 PKCS#8 DER,
// the form Linksfield hands keys out in.
func ParsePrivateKey(b []byte) (*rsa.PrivateKey, error) {
	der := b
	if block, _ := pem.Decode(b); block != nil {
		der = block.Bytes
		if block.Type == "RSA PRIVATE KEY" {
			return x509.ParsePKCS1PrivateKey(der)
		}
	} else {
		var err error
		if der, err = decodeBase64(string(b)); err != nil {
			return nil, errors.New("the private key is neither PEM nor Base64 DER")
		}
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the private key is not an RSA key")
	}
	return rk, nil
}

// V4Response is a decoded Cube v4 envelope.
type V4Response struct {
	Data       json.RawMessage   `json:"data"`
	TotalCount *int              `json:"total_count"`
	Status     cubev4.StatusBody `json:"status"`
	// HTTPStatus is the HTTP status; Header the headers; Body the raw
	// bytes.
	HTTPStatus int         `json:"-"`
	Header     http.Header `json:"-"`
	Body       []byte      `json:"-"`
}

// V4Error is a Cube v4 answer other than CB-00-0000.
type V4Error struct {
	HTTPStatus int
	Code       string
	Message    string
	Detail     string
}

// Error implements error.
func (e *V4Error) Error() string {
	s := fmt.Sprintf("cube v4 %s (HTTP %d): %s", e.Code, e.HTTPStatus, e.Message)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// V4Request is one signed request: its string to sign and headers, made
// by Sign.
type V4Request struct {
	Method, Path string // Path below /cube/v4, with its query
	Body         []byte
	StringToSign []byte
	Header       http.Header
}

// Sign signs a request: method, path below /cube/v4 (with its query),
// and body (nil for none).
func (c *V4) Sign(method, path string, body []byte) (*V4Request, error) {
	u, err := url.Parse(cubev4.Prefix + path)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	nonce := ""
	if c.Nonce != nil {
		nonce = c.Nonce()
	} else {
		n, _ := rand.Int(rand.Reader, big.NewInt(1<<31-1))
		nonce = strconv.FormatInt(n.Int64()+1, 10)
	}
	ts := strconv.FormatInt(now().UnixMilli(), 10)
	s, err := cubev4.StringToSign(cubev4.Signed{Path: u.EscapedPath(), Query: u.Query(), Body: body, Timestamp: ts, Nonce: nonce})
	if err != nil {
		return nil, err
	}
	sign, err := cubev4.Sign(c.Key, s)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set(cubev4.HeaderAuthorization, cubev4.Authorization(c.KeyID, sign))
	h.Set(cubev4.HeaderTimestamp, ts) // "Timestamp": header names are case-insensitive
	if nonce != "" {
		h.Set(cubev4.HeaderNonce, nonce)
	}
	h.Set(cubev4.HeaderSignatureType, "2.0")
	if c.Language != "" {
		h.Set("Accept-Language", c.Language)
	}
	if c.APIVersion != "" {
		h.Set(cubev4.HeaderAPIVersion, c.APIVersion)
	}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return &V4Request{Method: method, Path: path, Body: body, StringToSign: s, Header: h}, nil
}

// Send sends a signed request and decodes its envelope; an answer other
// than CB-00-0000 is a *V4Error, with the response.
func (c *V4) Send(ctx context.Context, req *V4Request) (*V4Response, error) {
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, c.BaseURL+cubev4.Prefix+req.Path, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	out := &V4Response{HTTPStatus: resp.StatusCode, Header: resp.Header, Body: raw}
	if err := json.Unmarshal(raw, out); err != nil || out.Status.Code == "" {
		return out, fmt.Errorf("cube v4: HTTP %d, not an envelope: %.200s", resp.StatusCode, raw)
	}
	if out.Status.Code != cubev4.CodeOK {
		e := &V4Error{HTTPStatus: resp.StatusCode, Code: out.Status.Code, Message: out.Status.Message}
		if out.Status.Detail != nil {
			e.Detail = *out.Status.Detail
		}
		return out, e
	}
	return out, nil
}

// Do signs and sends a request; in (nil for none) is encoded as the JSON
// body, and out (nil to skip) receives data.
func (c *V4) Do(ctx context.Context, method, path string, in, out any) (*V4Response, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return nil, err
		}
	}
	req, err := c.Sign(method, path, body)
	if err != nil {
		return nil, err
	}
	resp, err := c.Send(ctx, req)
	if err != nil {
		return resp, err
	}
	if out != nil && len(resp.Data) > 0 && string(resp.Data) != "null" {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			return resp, fmt.Errorf("cube v4: decode data: %w", err)
		}
	}
	return resp, nil
}

// SIMs lists the enterprise's SIMs (GET /sims); status 0 lists all.
func (c *V4) SIMs(ctx context.Context, status, pageNo, pageSize int) ([]cubev4.SIMItem, int, error) {
	q := url.Values{}
	if status != 0 {
		q.Set("status", strconv.Itoa(status))
	}
	if pageNo != 0 {
		q.Set("page_no", strconv.Itoa(pageNo))
	}
	if pageSize != 0 {
		q.Set("page_size", strconv.Itoa(pageSize))
	}
	var out []cubev4.SIMItem
	resp, err := c.Do(ctx, http.MethodGet, withQuery("/sims", q), nil, &out)
	if err != nil {
		return nil, 0, err
	}
	return out, total(resp), nil
}

// SIM returns a SIM's detail (GET /sims/{sim_id}).
func (c *V4) SIM(ctx context.Context, iccid string) (*cubev4.SIMDetail, error) {
	var out cubev4.SIMDetail
	if _, err := c.Do(ctx, http.MethodGet, "/sims/"+url.PathEscape(iccid), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SIMByIMEI returns the enterprise's SIM last seen in a device (GET
// /sims?imei=).
func (c *V4) SIMByIMEI(ctx context.Context, imei string) (*cubev4.SIMItem, error) {
	return c.lookUp(ctx, "imei", imei)
}

// SIMBySN looks a SIM up by its device's serial number (GET /sims?sn=).
func (c *V4) SIMBySN(ctx context.Context, sn string) (*cubev4.SIMItem, error) {
	return c.lookUp(ctx, "sn", sn)
}

func (c *V4) lookUp(ctx context.Context, key, value string) (*cubev4.SIMItem, error) {
	var out []cubev4.SIMItem
	if _, err := c.Do(ctx, http.MethodGet, withQuery("/sims", url.Values{key: {value}}), nil, &out); err != nil {
		return nil, err
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("cube v4: GET /sims?%s= answered %d SIMs", key, len(out))
	}
	return &out[0], nil
}

// PatchSIM sets a SIM's tags, notes or device name (PATCH
// /sims/{sim_id}) and returns its labels.
func (c *V4) PatchSIM(ctx context.Context, iccid string, r cubev4.PatchSIMRequest) (*cubev4.SIMLabels, error) {
	var out cubev4.SIMLabels
	if _, err := c.Do(ctx, http.MethodPatch, "/sims/"+url.PathEscape(iccid), r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Status returns a SIM's status (GET /sims/{sim_id}/status).
func (c *V4) Status(ctx context.Context, iccid string) (*cubev4.SIMStatus, error) {
	var out cubev4.SIMStatus
	if _, err := c.Do(ctx, http.MethodGet, "/sims/"+url.PathEscape(iccid)+"/status", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Usage returns a SIM's usage per day (periodType 1) or month (2).
func (c *V4) Usage(ctx context.Context, iccid string, periodType int, from, to string) (*cubev4.Usage, error) {
	q := url.Values{"category": {"data"}, "period_type": {strconv.Itoa(periodType)}, "begin_from": {from}, "end_by": {to}}
	var out cubev4.Usage
	if _, err := c.Do(ctx, http.MethodGet, withQuery("/sims/"+url.PathEscape(iccid)+"/usage", q), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AccuUsage returns the usage of a SIM's bundle in use since it started.
func (c *V4) AccuUsage(ctx context.Context, iccid string) ([]cubev4.AccuUsage, error) {
	var out []cubev4.AccuUsage
	if _, err := c.Do(ctx, http.MethodGet, "/usage/statistics/"+url.PathEscape(iccid)+"/accu_usage", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// RemainingData returns the volume of a SIM's bundle in use.
func (c *V4) RemainingData(ctx context.Context, iccid string) (*cubev4.RemainingData, error) {
	var out cubev4.RemainingData
	if _, err := c.Do(ctx, http.MethodGet, "/sims/"+url.PathEscape(iccid)+"/remaining_data", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Bundles lists a SIM's bundles; status is a comma list ("" for all).
func (c *V4) Bundles(ctx context.Context, iccid, status string, pageNo, pageSize int) ([]cubev4.Bundle, int, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	if pageNo != 0 {
		q.Set("page_no", strconv.Itoa(pageNo))
	}
	if pageSize != 0 {
		q.Set("page_size", strconv.Itoa(pageSize))
	}
	var out []cubev4.Bundle
	resp, err := c.Do(ctx, http.MethodGet, withQuery("/sims/"+url.PathEscape(iccid)+"/bundles", q), nil, &out)
	if err != nil {
		return nil, 0, err
	}
	return out, total(resp), nil
}

// Catalogue lists the bundles the enterprise may add (GET /bundles): the
// plans granted to it.
func (c *V4) Catalogue(ctx context.Context, pageNo, pageSize int) ([]cubev4.CatalogueBundle, int, error) {
	q := url.Values{}
	if pageNo != 0 {
		q.Set("page_no", strconv.Itoa(pageNo))
	}
	if pageSize != 0 {
		q.Set("page_size", strconv.Itoa(pageSize))
	}
	var out []cubev4.CatalogueBundle
	resp, err := c.Do(ctx, http.MethodGet, withQuery("/bundles", q), nil, &out)
	if err != nil {
		return nil, 0, err
	}
	return out, total(resp), nil
}

// AddBundle adds a bundle to a SIM (POST /sims/{sim_id}/bundle).
func (c *V4) AddBundle(ctx context.Context, iccid string, r cubev4.AddBundleRequest) (*cubev4.AddBundleAnswer, error) {
	var out cubev4.AddBundleAnswer
	if _, err := c.Do(ctx, http.MethodPost, "/sims/"+url.PathEscape(iccid)+"/bundle", r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func total(r *V4Response) int {
	if r == nil || r.TotalCount == nil {
		return 0
	}
	return *r.TotalCount
}

// decodeBase64 decodes standard Base64, line breaks and spaces ignored.
func decodeBase64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
}

// Activate starts activating a pre-active SIM and returns the request id.
func (c *V4) Activate(ctx context.Context, iccid string) (string, error) {
	return c.operate(ctx, http.MethodPost, iccid, "activate", nil)
}

// Suspend starts suspending an active SIM and returns the request id.
func (c *V4) Suspend(ctx context.Context, iccid string) (string, error) {
	return c.operate(ctx, http.MethodPut, iccid, "suspend", nil)
}

// Resume starts resuming a paused SIM and returns the request id.
func (c *V4) Resume(ctx context.Context, iccid string) (string, error) {
	return c.operate(ctx, http.MethodPut, iccid, "resume", nil)
}

// Cancel starts ending a SIM's bundles (r.OrderID: one) and returns the
// request id.
func (c *V4) Cancel(ctx context.Context, iccid string, r cubev4.CancelRequest) (string, error) {
	return c.operate(ctx, http.MethodPut, iccid, "cancel", r)
}

// Reset resets a SIM's network attachment (PUT /sims/{sim_id}/reset) and
// returns the request id.
func (c *V4) Reset(ctx context.Context, iccid string) (string, error) {
	return c.operate(ctx, http.MethodPut, iccid, "reset", nil)
}

// NetworkLock locks a SIM to a device, a network or both ({} unlocks; PUT
// /sims/{sim_id}/network_lock) and returns the request id.
func (c *V4) NetworkLock(ctx context.Context, iccid string, r cubev4.NetworkLockRequest) (string, error) {
	return c.operate(ctx, http.MethodPut, iccid, "network_lock", r)
}

func (c *V4) operate(ctx context.Context, method, iccid, op string, in any) (string, error) {
	var out cubev4.RequestAnswer
	if _, err := c.Do(ctx, method, "/sims/"+url.PathEscape(iccid)+"/"+op, in, &out); err != nil {
		return "", err
	}
	return out.RequestID, nil
}

// AsyncResult returns the result of an asynchronous operation.
func (c *V4) AsyncResult(ctx context.Context, requestID string) (*cubev4.AsyncResult, error) {
	var out cubev4.AsyncResult
	if _, err := c.Do(ctx, http.MethodGet, "/sims/async_result/"+url.PathEscape(requestID), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SendSMS sends one message to SIMs (POST /sms) and returns the job id.
func (c *V4) SendSMS(ctx context.Context, r cubev4.SendSMSRequest) (string, error) {
	var out cubev4.SendSMSAnswer
	if _, err := c.Do(ctx, http.MethodPost, "/sms", r, &out); err != nil {
		return "", err
	}
	return out.JobID, nil
}

// MTHistory lists a SIM's MT messages (status 0: all).
func (c *V4) MTHistory(ctx context.Context, iccid string, status int) ([]cubev4.MTRecord, int, error) {
	q := url.Values{}
	if status != 0 {
		q.Set("status", strconv.Itoa(status))
	}
	var out []cubev4.MTRecord
	resp, err := c.Do(ctx, http.MethodGet, withQuery("/sms/mt/"+url.PathEscape(iccid), q), nil, &out)
	if err != nil {
		return nil, 0, err
	}
	return out, total(resp), nil
}

// JobMessages lists the messages of one send (GET /sms/mt?job_id=), the
// job id SendSMS answered.
func (c *V4) JobMessages(ctx context.Context, jobID string, pageNo, pageSize int) ([]cubev4.MTRecord, int, error) {
	q := url.Values{"job_id": {jobID}}
	if pageNo != 0 {
		q.Set("page_no", strconv.Itoa(pageNo))
	}
	if pageSize != 0 {
		q.Set("page_size", strconv.Itoa(pageSize))
	}
	var out []cubev4.MTRecord
	resp, err := c.Do(ctx, http.MethodGet, withQuery("/sms/mt", q), nil, &out)
	if err != nil {
		return nil, 0, err
	}
	return out, total(resp), nil
}

// MOHistory lists a SIM's MO messages.
func (c *V4) MOHistory(ctx context.Context, iccid string) ([]cubev4.MORecord, int, error) {
	var out []cubev4.MORecord
	resp, err := c.Do(ctx, http.MethodGet, "/sms/mo/"+url.PathEscape(iccid), nil, &out)
	if err != nil {
		return nil, 0, err
	}
	return out, total(resp), nil
}

// Renew places an online renewal order (POST /orders/service).
func (c *V4) Renew(ctx context.Context, r cubev4.RenewalRequest) (*cubev4.RenewalAnswer, error) {
	var out cubev4.RenewalAnswer
	if _, err := c.Do(ctx, http.MethodPost, "/orders/service", r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RenewalOrder returns a renewal order (GET /orders/{order_id}/service).
func (c *V4) RenewalOrder(ctx context.Context, id string) (*cubev4.ServiceOrder, error) {
	var out cubev4.ServiceOrder
	if _, err := c.Do(ctx, http.MethodGet, "/orders/"+url.PathEscape(id)+"/service", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
