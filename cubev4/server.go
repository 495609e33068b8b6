package cubev4

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/operator"
)

// Keys resolves the keyId of a request to its enterprise's public key.
type Keys interface {
	// FindKey returns a key; KindUnauthenticated when unknown.
	FindKey(ctx context.Context, id string) (*operator.APIKey, error)
}

// Server serves the Cube v4 REST API: it authenticates each request
// (Signature v2, v1 when allowed), guards against replays and dispatches
// through the route table.
type Server struct {
	Keys        Keys
	Enterprises opencube.EnterpriseFinder
	SIMs        opencube.SIMService
	// Plans serves orders; a write acts through Plans.Replaying with its
	// replay claim, so that its answer is recorded with its change (D28).
	Plans   opencube.ReplayingPlanService
	Replays opencube.ReplayStore
	// Requests runs the asynchronous SIM operations; without it they
	// answer CB-99-9500.
	Requests Requests
	// SMS serves the SMS routes; without it they answer CB-04-9999.
	SMS SMS
	// Renewals serves the renewal orders; without it they answer
	// CB-99-9500.
	Renewals Renewals
	// Labels keeps the SIMs' tags, notes and device names; without it
	// PATCH /sims/{sim_id} answers CB-99-9500 and the detail shows none.
	Labels Labels
	// AddOns adds and finds add-on bundles; without it bundle_type 11
	// answers CB-02-9999.
	AddOns AddOns
	// Clock checks request timestamps and dates replay entries: the real
	// clock, also in sandbox mode (D27).
	Clock opencube.Clock
	// BusinessClock is the service clock of business times (usage date
	// rules); Clock when nil.
	BusinessClock opencube.Clock
	// Window is the accepted distance between a request's timestamp and
	// Clock (±10 minutes); a write's answer is remembered twice as long.
	Window time.Duration
	// SignatureV1 accepts Signature v1 requests (X-LF-Signature-Type: 1.0,
	// or no timestamp header), which Linksfield terminated: off by default.
	SignatureV1 bool
	// KeyTTL is how long a key is cached: a revoked key is refused on
	// every node within it.
	KeyTTL time.Duration
	// Limits are the per-source limits of the v4 routes; nil limits
	// nothing.
	Limits *Limits
	Logger *slog.Logger

	keys    sync.Map     // keyId -> *cachedKey
	unknown atomic.Int64 // unknown key ids cached
}

// maxUnknownKeys bounds the unknown key ids cached, so that a flood of
// made-up ids costs no memory beyond it (they are then read each time).
const maxUnknownKeys = 10_000

// NewServer returns a Server with the reference's defaults.
func NewServer(keys Keys, enterprises opencube.EnterpriseFinder, sims opencube.SIMService, plans opencube.ReplayingPlanService, replays opencube.ReplayStore) *Server {
	return &Server{Keys: keys, Enterprises: enterprises, SIMs: sims, Plans: plans, Replays: replays,
		Clock: opencube.SystemClock, Window: 10 * time.Minute, KeyTTL: 10 * time.Second, Logger: slog.Default()}
}

// MaxBody caps every request body, in bytes: the largest, an SMS to 100
// SIMs or a renewal order, is a few KiB.
const MaxBody = 64 << 10

// Param is a query parameter of a route.
type Param struct {
	Name string
	// Integer says the parameter is declared an integer: Signature v1
	// signs it as a JSON number (Signature v2 signs every query value as a
	// string).
	Integer  bool
	Required bool
	About    string
}

// Route is one endpoint of the route table.
type Route struct {
	Method string
	// Path is the pattern below Prefix: literal segments and {name}
	// segments. Routes are matched in table order: the first whose method
	// and segments match wins.
	Path    string
	Summary string
	Query   []Param
	// Request is a zero value of the body's type, nil for none;
	// BodyOptional says the body may be left out.
	Request      any
	BodyOptional bool
	// Answer is a zero value of the answer's data, for the docs; List says
	// the answer carries total_count.
	Answer any
	List   bool
	// V1Null says the route has two versions (X-LF-Api-Version): 1.0, the
	// default, answers data null, as its v1 page documents; 2.0 answers
	// the data. Every other route serves both versions alike.
	V1Null bool
	handle func(s *Server, r *request) (*answer, error)
}

// API versions (X-LF-Api-Version): when absent, the earlier maintained
// version is served (cube-v4-api.md §1.2).
const (
	APIVersion1 = "1.0"
	APIVersion2 = "2.0"
)

// apiVersions is the one table of accepted X-LF-Api-Version values.
var apiVersions = map[string]string{"": APIVersion1, "1": APIVersion1, "1.0": APIVersion1, "2": APIVersion2, "2.0": APIVersion2}

// request is one authenticated request, as a handler sees it.
type request struct {
	*http.Request
	ctx        context.Context // carries the enterprise (opencube.NewContext)
	route      *Route
	enterprise string
	keyID      string
	nonce      string
	body       []byte
	lang       Lang
	path       map[string]string
	// version is the API version served (apiVersions).
	version string
	// claim is a write's replay claim: the changes it makes through
	// plans() record its entry and answer in their transaction.
	claim *opencube.ReplayClaim
}

// data returns what an answer's data is under the request's version: nil
// for a V1Null route under 1.0.
func (r *request) data(v any) any {
	if r.route.V1Null && r.version == APIVersion1 {
		return nil
	}
	return v
}

// plans returns the order service acting for the request: one that records
// a write's replay claim with its change.
func (s *Server) plans(r *request) opencube.PlanService {
	if r.claim == nil {
		return s.Plans
	}
	return s.Plans.Replaying(r.claim)
}

// recorded returns the bytes a replay entry holds for an answer.
func recorded(status int, body []byte) []byte {
	return append([]byte(strconv.Itoa(status)+"\n"), body...)
}

// PathValue returns the value of the route's {name} segment.
func (r *request) PathValue(name string) string { return r.path[name] }

// answer is a handler's success: data and, for a list, total_count.
type answer struct {
	data  any
	total *int
}

// Envelope is every Cube v4 response body (cube-v4-api.md §1.7).
type Envelope struct {
	Data       json.RawMessage `json:"data"`
	TotalCount *int            `json:"total_count,omitempty"`
	Status     StatusBody      `json:"status"`
}

// StatusBody is the envelope's status.
type StatusBody struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Detail  *string `json:"detail"`
}

// Handler returns the handler of /cube/v4/: the route table first, by
// method and path; then, for a request carrying Authorization: LF, 404 in
// the v4 envelope; anything else goes to next (CSSS, D1).
func (s *Server) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt, vals := match(r.Method, r.URL.Path); rt != nil {
			s.serve(w, r, rt, vals)
			return
		}
		if strings.HasPrefix(r.Header.Get(HeaderAuthorization), AuthScheme) {
			metrics.SetRoute(w, metrics.ProtocolCubeV4, metrics.Unmatched)
			s.writeError(w, r, ParseLang(r.Header.Get("Accept-Language")), CodeNotFound, fmt.Sprintf("no Cube v4 API %s %s", r.Method, r.URL.Path))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// match returns the first route of the table whose method and path match,
// and its path values.
func match(method, path string) (*Route, map[string]string) {
	rest, ok := strings.CutPrefix(path, Prefix+"/")
	if !ok {
		return nil, nil
	}
	segs := strings.Split(rest, "/")
	for i := range Routes {
		rt := &Routes[i]
		if rt.Method != method {
			continue
		}
		if vals, ok := matchSegments(rt.segments(), segs); ok {
			return rt, vals
		}
	}
	return nil, nil
}

func (rt *Route) segments() []string { return strings.Split(strings.TrimPrefix(rt.Path, "/"), "/") }

func matchSegments(pattern, segs []string) (map[string]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var vals map[string]string
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if segs[i] == "" {
				return nil, false
			}
			if vals == nil {
				vals = map[string]string{}
			}
			vals[p[1:len(p)-1]] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return vals, true
}

// failure is an answer other than success: a code and its detail.
type failure struct {
	code, detail string
}

func (f *failure) Error() string { return f.code + ": " + f.detail }

func fail(code, format string, args ...any) *failure {
	return &failure{code: code, detail: fmt.Sprintf(format, args...)}
}

// serve authenticates a request, then runs its route, remembering the
// answer of a write for its replays.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt *Route, vals map[string]string) {
	metrics.SetRoute(w, metrics.ProtocolCubeV4, rt.Method+" "+rt.Path)
	lang := ParseLang(r.Header.Get("Accept-Language"))
	done, limit, wait := s.Limits.enter(r.RemoteAddr)
	if limit != "" {
		s.Limits.refuse(w, lang, limit, wait)
		return
	}
	defer done()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		s.writeError(w, r, lang, CodeInvalid, "the body is larger than 64 KiB or was not read")
		return
	}
	req, sign, f := s.authenticate(r, rt, vals, body, lang)
	if f != nil {
		s.writeError(w, r, lang, f.code, f.detail)
		return
	}
	metrics.SetAccessCode(r.Context(), req.enterprise)
	var entry *opencube.Replay
	if r.Method != http.MethodGet {
		// A write is remembered by its (keyId, sign): the same request
		// again gets the first answer (D5); the sign used on another path
		// is refused. A write that changes orders records its entry and
		// answer in the transaction of its change (D28); any other answer
		// is recorded after it.
		entry = &opencube.Replay{AccessCode: req.enterprise, Key: "v4 " + req.keyID + " " + sign,
			Fingerprint: r.Method + " " + r.URL.Path, ExpiresAt: s.Clock.Now().Add(2 * s.Window)}
		req.claim = &opencube.ReplayClaim{Replays: []*opencube.Replay{entry}, Now: s.Clock.Now()}
	}
	status, out := s.run(req)
	switch {
	case entry == nil:
	case req.claim.Recorded:
	case req.claim.Prior != nil:
		status, out = s.repeat(req, entry, req.claim.Prior)
	case status != http.StatusInternalServerError:
		status, out = s.record(req, entry, status, out)
	}
	writeBody(w, lang, status, out)
}

// run calls the route's handler and encodes its answer.
func (s *Server) run(req *request) (int, []byte) {
	a, err := req.route.handle(s, req)
	if err != nil && req.claim != nil && req.claim.Prior != nil {
		return 0, nil // a repeat: serve answers the first answer
	}
	if err != nil {
		code, detail := CodeOf(err), ""
		var f *failure
		if errors.As(err, &f) {
			code, detail = f.code, f.detail
		} else if e := (*opencube.Error)(nil); errors.As(err, &e) {
			detail = errorDetail(e)
		}
		if code == CodeInternal {
			s.Logger.ErrorContext(req.ctx, "cube v4 request failed", "route", req.route.Method+" "+req.route.Path, "err", err)
			detail = ""
		}
		return Status(code), encode(nil, nil, code, req.lang, detail)
	}
	return http.StatusOK, encode(req.data(a.data), a.total, CodeOK, req.lang, "")
}

// errorDetail is the detail of a domain error: its field and range, or
// its message.
func errorDetail(e *opencube.Error) string {
	switch {
	case e.Field != "" && e.Range != "":
		return e.Field + " must be " + e.Range
	case e.Field != "":
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// record remembers a write's answer under its entry, or returns the first
// answer when the same request was answered before.
func (s *Server) record(req *request, e *opencube.Replay, status int, out []byte) (int, []byte) {
	r := *e
	r.Response = recorded(status, out)
	prior, claimed, err := s.Replays.ClaimReplay(context.WithoutCancel(req.ctx), &r, s.Clock.Now())
	if err != nil {
		s.Logger.ErrorContext(req.ctx, "record cube v4 replay", "err", err)
		return status, out
	}
	if claimed {
		return status, out
	}
	return s.repeat(req, e, prior)
}

// repeat returns the answer to a write whose entry was found: the first
// answer again, or 403 when the sign was used on another path.
func (s *Server) repeat(req *request, e, prior *opencube.Replay) (int, []byte) {
	if prior.Fingerprint != e.Fingerprint {
		return Status(CodeForbidden), encode(nil, nil, CodeForbidden, req.lang, "the signature was already used for another request")
	}
	head, rest, ok := bytes.Cut(prior.Response, []byte("\n"))
	n, err := strconv.Atoi(string(head))
	if !ok || err != nil {
		return Status(CodeInternal), encode(nil, nil, CodeInternal, req.lang, "")
	}
	return n, rest
}

// authenticate checks the Authorization header, the timestamp and the
// signature, and finds the key's enterprise; it returns the request and
// its sign, or the failure to answer.
func (s *Server) authenticate(r *http.Request, rt *Route, vals map[string]string, body []byte, lang Lang) (*request, string, *failure) {
	keyID, sign, ok := ParseAuthorization(r.Header.Get(HeaderAuthorization))
	if !ok {
		return nil, "", fail(CodeAuthMissing, "Authorization must be LF {keyId}/{sign}")
	}
	apiVersion, ok := apiVersions[r.Header.Get(HeaderAPIVersion)]
	if !ok {
		return nil, "", fail(CodeInvalid, "X-LF-Api-Version must be 1.0 or 2.0")
	}
	ts, nonce := r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderNonce)
	version := r.Header.Get(HeaderSignatureType)
	if version == "" {
		version = "2.0"
		if ts == "" {
			version = "1.0"
		}
	}
	var (
		toSign []byte
		err    error
	)
	switch version {
	case "2.0", "2":
		if ts == "" {
			return nil, "", fail(CodeMissing, "timestamp header is required")
		}
		if f := s.fresh(ts); f != nil {
			return nil, "", f
		}
		if nonce != "" && !isInteger(nonce) {
			return nil, "", fail(CodeInvalid, "nonce must be an integer")
		}
		toSign, err = StringToSign(Signed{Path: r.URL.EscapedPath(), Query: r.URL.Query(), Body: body, Timestamp: ts, Nonce: nonce})
	case "1.0", "1":
		if !s.SignatureV1 {
			return nil, "", fail(CodeForbidden, "Signature v1 is terminated: sign with Signature v2")
		}
		ts, nonce = v1Globals(r, body)
		if ts == "" {
			return nil, "", fail(CodeMissing, "timestamp is required")
		}
		if f := s.fresh(ts); f != nil {
			return nil, "", f
		}
		ints := map[string]bool{}
		for _, p := range rt.Query {
			ints[p.Name] = p.Integer
		}
		toSign, err = StringToSignV1(SignedV1{PathValues: vals, Query: r.URL.Query(), Integers: ints, Body: body})
	default:
		return nil, "", fail(CodeInvalid, "X-LF-Signature-Type must be 1.0 or 2.0")
	}
	if err != nil {
		return nil, "", fail(CodeInvalid, "the body must be a JSON object")
	}
	key, f := s.key(r.Context(), keyID)
	if f != nil {
		return nil, "", f
	}
	if !Verify(key.pub, toSign, sign) {
		return nil, "", fail(CodeForbidden, "the signature does not verify: check the string to sign with 'opencube sign --v4'")
	}
	ent, err := s.Enterprises.FindEnterprise(r.Context(), key.enterprise)
	if err == nil {
		err = ent.Served()
	}
	if err != nil {
		if opencube.ErrorKind(err) == opencube.KindUnauthenticated {
			return nil, "", fail(CodeForbidden, "the key's enterprise is not served")
		}
		return nil, "", fail(CodeInternal, "")
	}
	req := &request{Request: r, ctx: opencube.NewContext(r.Context(), key.enterprise), route: rt, enterprise: key.enterprise,
		keyID: keyID, nonce: nonce, body: body, lang: lang, path: vals, version: apiVersion}
	return req, sign, nil
}

// v1Globals returns the timestamp and nonce of a Signature v1 request: in
// the query of a GET, in the body otherwise.
func v1Globals(r *http.Request, body []byte) (ts, nonce string) {
	if r.Method == http.MethodGet {
		return r.URL.Query().Get(HeaderTimestamp), r.URL.Query().Get(HeaderNonce)
	}
	m, err := decodeObject(body)
	if err != nil {
		return "", ""
	}
	str := func(v any) string {
		switch v := v.(type) {
		case string:
			return v
		case json.Number:
			return v.String()
		}
		return ""
	}
	return str(m[HeaderTimestamp]), str(m[HeaderNonce])
}

// fresh checks a timestamp header: epoch milliseconds within Window of
// the real clock (D27).
func (s *Server) fresh(ts string) *failure {
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ms <= 0 {
		return fail(CodeInvalid, "timestamp must be epoch milliseconds")
	}
	d := s.Clock.Now().Sub(time.UnixMilli(ms))
	if d < 0 {
		d = -d
	}
	if d > s.Window {
		return fail(CodeForbidden, "timestamp is more than %s from the server's clock", s.Window)
	}
	return nil
}

// cachedKey is a parsed key and its enterprise, cached for KeyTTL.
type cachedKey struct {
	pub        *rsa.PublicKey
	enterprise string
	until      time.Time
}

// key returns the key of keyID, parsed, from the cache or the store.
func (s *Server) key(ctx context.Context, keyID string) (*cachedKey, *failure) {
	now := time.Now()
	if v, ok := s.keys.Load(keyID); ok {
		k := v.(*cachedKey)
		if now.Before(k.until) {
			if k.pub == nil {
				return nil, fail(CodeForbidden, "unknown keyId")
			}
			return k, nil
		}
		if k.pub == nil && s.keys.CompareAndDelete(keyID, v) {
			s.unknown.Add(-1)
		}
	}
	if len(keyID) != 32 {
		return nil, fail(CodeForbidden, "unknown keyId")
	}
	k, err := s.Keys.FindKey(ctx, keyID)
	switch {
	case opencube.ErrorKind(err) == opencube.KindUnauthenticated:
		// Unknown keys are cached too, up to a bound, so that a flood of
		// them costs no more than known ones.
		if _, loaded := s.keys.LoadOrStore(keyID, &cachedKey{until: now.Add(s.KeyTTL)}); !loaded {
			if s.unknown.Add(1) > maxUnknownKeys {
				s.keys.Delete(keyID)
				s.unknown.Add(-1)
			}
		}
		return nil, fail(CodeForbidden, "unknown keyId")
	case err != nil:
		return nil, fail(CodeInternal, "")
	}
	der, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil {
		return nil, fail(CodeInternal, "")
	}
	p, err := x509.ParsePKIXPublicKey(der)
	pub, ok := p.(*rsa.PublicKey)
	if err != nil || !ok {
		return nil, fail(CodeInternal, "")
	}
	c := &cachedKey{pub: pub, enterprise: k.Enterprise, until: now.Add(s.KeyTTL)}
	s.keys.Store(keyID, c)
	return c, nil
}

// encode returns the envelope of data (null when nil) with code.
func encode(data any, total *int, code string, lang Lang, detail string) []byte {
	raw := json.RawMessage("null")
	if data != nil {
		b, err := marshal(data)
		if err != nil {
			return encode(nil, nil, CodeInternal, lang, "")
		}
		raw = b
	}
	var d *string
	if detail != "" {
		d = &detail
	}
	b, _ := marshal(Envelope{Data: raw, TotalCount: total, Status: StatusBody{Code: code, Message: Message(code, lang), Detail: d}})
	return b
}

// marshal encodes v as compact JSON without HTML escaping.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, lang Lang, code, detail string) {
	if code == CodeInternal {
		s.Logger.ErrorContext(r.Context(), "cube v4 request failed", "path", r.URL.Path)
		detail = ""
	}
	writeBody(w, lang, Status(code), encode(nil, nil, code, lang, detail))
}

func writeBody(w http.ResponseWriter, lang Lang, status int, body []byte) {
	metrics.SetCode(w, codeIn(body))
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Language", lang.Tag())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// codeIn returns the status code of an encoded envelope, for metrics,
// without decoding it: the status member is written after data.
func codeIn(body []byte) string {
	const key = `"status":{"code":"`
	i := bytes.LastIndex(body, []byte(key))
	if i < 0 {
		return metrics.NoCode
	}
	rest := body[i+len(key):]
	if end := bytes.IndexByte(rest, '"'); end > 0 && end <= 12 {
		return string(rest[:end])
	}
	return metrics.NoCode
}
