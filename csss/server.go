package csss

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/throttle"
)

// Version is the only accepted value of the `version` request field.
const Version = "2.0"

// Prefix is the second mount point of every route (D1), beside the root.
const Prefix = "/cube/v4"

// Server serves the CSSS protocol: it authenticates each request, guards
// against replays, and dispatches through the route table.
type Server struct {
	// Plans serves the Plan section (plan.go); on the routes that change
	// orders, each request acts through Plans.Replaying with its replay
	// claim.
	Plans opencube.ReplayingPlanService
	// SIMs serves the SIM and Usage sections (sim.go, usage.go).
	SIMs        opencube.SIMService
	SMS         opencube.ReplayingSMSService // the SMS section (sms.go)
	Enterprises opencube.EnterpriseFinder
	Replays     opencube.ReplayStore
	// Clock checks request timestamps (D4) and dates replay entries: the
	// real clock, also in sandbox mode (D27).
	Clock opencube.Clock
	// BusinessClock dates answers' business times (query_time): the
	// service clock, which sandbox mode moves ahead; Clock when nil.
	BusinessClock opencube.Clock
	// Window is the accepted distance between a request's timestamp and
	// the server's clock (D4); requests are remembered this long (D5).
	Window time.Duration
	// IdempotencyTTL is how long an Idempotency-Key is remembered.
	IdempotencyTTL time.Duration
	// MaxBulk is the largest deviceList of a bulk order (D15); the body
	// cap of the routes that take one grows with it (Server.BodyLimit).
	MaxBulk int
	Logger  *slog.Logger
	// EnterpriseTTL is how long an enterprise's secrets are cached.
	EnterpriseTTL time.Duration
	// Limits refuses requests over their tenant's or their source's
	// budget with 1006 (throttle.go); nil limits nothing.
	Limits *throttle.Guard

	cache sync.Map // access code -> cachedEnterprise
}

// NewServer returns a Server with the documented defaults.
func NewServer(plans opencube.ReplayingPlanService, sims opencube.SIMService, enterprises opencube.EnterpriseFinder, replays opencube.ReplayStore) *Server {
	s := &Server{
		Plans: plans, SIMs: sims, Enterprises: enterprises, Replays: replays, Clock: opencube.SystemClock,
		Window: 600 * time.Second, IdempotencyTTL: 24 * time.Hour, MaxBulk: DefaultMaxBulk,
		Logger: slog.Default(), EnterpriseTTL: 5 * time.Second,
	}
	return s
}

// SignMode says what a route's response data carries as `sign` (D8).
type SignMode int

// Sign modes.
const (
	SignHMAC SignMode = iota // data.sign is the HMAC of data
	SignNull                 // data.sign is null
	SignNone                 // data has no sign member
)

// Route is one CSSS endpoint of the route table.
type Route struct {
	Path    string
	Summary string
	Sign    SignMode
	// Fields lists the request's own fields (beyond the globals), for docs.
	Fields []string
	// MaxBody caps the request body in bytes: what the route's largest
	// legitimate request needs. 0 is DefaultMaxBody. A larger body is
	// refused (1001, body) before it is parsed.
	MaxBody int64
	// BodyPerDevice, on a route that takes a deviceList as long as a bulk
	// order's, adds this many bytes to MaxBody for each of Server.MaxBulk
	// devices.
	BodyPerDevice int64
	// ClaimInTx says the route changes state, and every write it makes
	// goes through its service's claiming transactions, so the replay
	// entries of D5 are recorded in the transaction of the change, with
	// its answer (opencube.ReplayClaim, D28): the handler acts through
	// v.plans and v.sms, which are Plans.Replaying(claim) and
	// SMS.Replaying(claim). Its sign is bound to its path (D25).
	ClaimInTx bool
	handle    func(s *Server, ctx context.Context, v *validator) (any, error)
	// answerOrder, answerOrders and answerSMS, on a ClaimInTx route, turn
	// the result of the route's change (one order, several, a message)
	// into the response
	// data, so that the answer is recorded in the transaction of the
	// change. They are what the handler itself returns on success.
	answerOrder  func(*opencube.Order) any
	answerOrders func([]*opencube.Order) any
	answerSMS    func(*opencube.SMS) any
}

// Body caps (Route.MaxBody, Route.BodyPerDevice). A request carries its
// globals (about 120 bytes) and a few short fields, so every route but the
// ones below fits DefaultMaxBody many times over, even with every
// character \u-escaped.
const (
	// DefaultMaxBody is the body cap of a route that sets none.
	DefaultMaxBody = 16 << 10
	// SMSMaxBody is sendSms's cap: a content of 10,000 characters, each
	// \u-escaped (six bytes), over 60 segments of GSM text.
	SMSMaxBody = 64 << 10
	// DeviceBytes is what one ICCID of a deviceList takes: up to 22
	// digits, quotes, comma, and room for a line break and indentation.
	DeviceBytes = 32
	// BulkBaseBody is what a bulk order holds beside its deviceList: the
	// globals and the plan's fields (under 1 KiB even \u-escaped).
	BulkBaseBody = 4 << 10
	// DefaultMaxBulk is Server.MaxBulk unless set: the largest deviceList
	// of a bulk order (D15).
	DefaultMaxBulk = 1000
)

// BodyLimit returns the largest body rt accepts, in bytes.
func (s *Server) BodyLimit(rt *Route) int64 {
	n := rt.MaxBody
	if n <= 0 {
		n = DefaultMaxBody
	}
	if rt.BodyPerDevice > 0 {
		bulk := s.MaxBulk
		if bulk <= 0 {
			bulk = DefaultMaxBulk
		}
		n += rt.BodyPerDevice * int64(bulk)
	}
	return n
}

// Handler returns the HTTP handler of every route at both prefixes, with
// enveloped 404 and 405 answers for anything else.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for i := range Routes {
		rt := &Routes[i]
		h := func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, rt) }
		mux.HandleFunc(rt.Path, h)
		mux.HandleFunc(Prefix+rt.Path, h)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		metrics.SetRoute(w, metrics.ProtocolCSSS, metrics.Unmatched)
		s.writeError(w, r, http.StatusNotFound, CodeNoRoute, "")
	})
	return mux
}

// envelope is the CSSS response body.
type envelope struct {
	Code    string          `json:"code"`
	Data    json.RawMessage `json:"data"`
	Message string          `json:"message"`
	Success bool            `json:"success"`
}

// Marshal encodes v as compact JSON without HTML escaping, as CSSS bodies
// are written.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func encodeEnvelope(code string, lang Lang, detail string, data []byte) []byte {
	return envelopeBody(code, Message(code, lang, detail), data)
}

// envelopeBody encodes the envelope of code with message and data (null
// when nil).
func envelopeBody(code, message string, data []byte) []byte {
	if data == nil {
		data = []byte("null")
	}
	b, _ := Marshal(envelope{Code: code, Data: data, Message: message, Success: code == CodeOK})
	return b
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, code, detail string) {
	lang := ParseLang(r.Header.Get("Accept-Language"))
	writeBody(w, lang, status, encodeEnvelope(code, lang, detail, nil))
}

func writeBody(w http.ResponseWriter, lang Lang, status int, body []byte) {
	metrics.SetCode(w, codeOf(body))
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Language", lang.Tag())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// serve runs the checks of D23 in order, then the replay guard of D5, then
// the route.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt *Route) {
	metrics.SetRoute(w, metrics.ProtocolCSSS, rt.Path)
	if r.Method != http.MethodPost {
		s.writeError(w, r, http.StatusMethodNotAllowed, CodeNoRoute, "")
		return
	}
	lang := ParseLang(r.Header.Get("Accept-Language"))
	fail := func(code, detail string) { writeBody(w, lang, http.StatusOK, encodeEnvelope(code, lang, detail, nil)) }
	if wait := s.Limits.SourceWait(r.RemoteAddr); wait > 0 {
		tooFrequent(w, lang, wait)
		return
	}
	body, ok := readBody(w, r, s.BodyLimit(rt))
	if !ok {
		s.Limits.Failed(r.RemoteAddr)
		fail(CodeInvalid, "body")
		return
	}
	ctx := r.Context()
	// Authentication (D23: body 1001, access_code 1004, sign 1002) works
	// on one parse of the body, which finds the access code and the sign
	// and is then canonicalised; the body is decoded into the route's
	// fields only once the request is authentic, so that a refusal costs
	// one parse, whatever the body holds.
	accessCode, sign, ent, secretIdx, code := s.authenticateBody(ctx, body)
	if code == CodeTooFrequent {
		tooFrequent(w, lang, s.Limits.TenantWait(ent))
		return
	}
	if code != "" {
		detail := ""
		if code == CodeInvalid {
			detail = "body"
		}
		if code != CodeSystem {
			s.Limits.Failed(r.RemoteAddr)
		}
		fail(code, detail)
		return
	}
	metrics.SetAccessCode(ctx, accessCode)
	p, ok := decodeParams(body)
	if !ok {
		fail(CodeInvalid, "body")
		return
	}
	secret := ent.Secrets[secretIdx]
	if v, _ := p.str("version"); v != Version {
		fail(CodeVersion, "")
		return
	}
	sent, ok := s.fresh(p)
	if !ok {
		fail(CodeTimestamp, "")
		return
	}
	// Only a fresh request spends the tenant's budget: a stale copy of
	// one of its requests, replayed by someone who saw it, cannot empty it.
	if wait := s.Limits.TenantTake(ent); wait > 0 {
		tooFrequent(w, lang, wait)
		return
	}
	ctx = opencube.NewContext(ctx, accessCode)

	// The request is remembered by its sign (D5) always, and by its
	// Idempotency-Key too when it has one: a key never lets a signed body
	// run twice. The sign's entry is keyed by the body's timestamp and the
	// sign, not the path, and holds the path: a request that changes state
	// is refused when its sign was used on another path (D25). The key
	// starts with the timestamp (an identical body has the same one), so
	// that entries are stored in about the order they come and each new one
	// lands beside the last. An entry is written with its answer, never
	// before (D28): with the change, on a route that changes state, or
	// after the request otherwise.
	now := s.Clock.Now()
	entries := []*opencube.Replay{{AccessCode: accessCode, Key: fmt.Sprintf("%013d %s", sent.UnixMilli(), sign),
		Fingerprint: rt.Path, ExpiresAt: now.Add(2 * s.Window)}}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > MaxIdempotencyKey {
		fail(CodeInvalid, "Idempotency-Key")
		return
	}
	if key != "" {
		// The key's entry comes first: a retry of a keyed request with a
		// new timestamp finds it before the sign's entry is written.
		entries = append([]*opencube.Replay{{AccessCode: accessCode, Key: idempotencyPrefix + key,
			Fingerprint: fingerprint(rt.Path, p), ExpiresAt: now.Add(s.IdempotencyTTL)}}, entries...)
	}
	var claim *opencube.ReplayClaim
	if rt.ClaimInTx {
		claim = s.newClaim(ctx, rt, lang, secret, entries, now)
	}
	out := s.run(ctx, rt, p, lang, secret, claim)
	switch {
	case claim != nil && claim.Recorded:
		// Recorded with the change, in its transaction.
	case claim != nil && claim.Prior != nil:
		// A repeat, found in the transaction: its change was undone.
		out = s.repeat(ctx, rt, lang, claim.Prior, entries, out)
	case bytes.HasPrefix(out, []byte(`{"code":"`+CodeSystem)):
		// Not remembered: a retry runs the request again.
	default:
		out = s.record(context.WithoutCancel(ctx), rt, lang, entries, now, out)
	}
	writeBody(w, lang, http.StatusOK, out)
}

// codeOf returns the code of an encoded envelope, its first member (for
// metrics, without decoding the answer); "" when body is not one.
func codeOf(body []byte) string {
	const prefix = `{"code":"`
	if len(body) < len(prefix) || string(body[:len(prefix)]) != prefix {
		return ""
	}
	rest := body[len(prefix):]
	if end := bytes.IndexByte(rest, '"'); end > 0 && end <= 8 {
		return string(rest[:end])
	}
	return ""
}

// MaxIdempotencyKey is the longest Idempotency-Key accepted, in bytes (a
// UUID is 36): a longer one answers 1001 naming the header.
const MaxIdempotencyKey = 255

// idempotencyPrefix starts the key of an Idempotency-Key's entry.
const idempotencyPrefix = "idempotency-key "

// newClaim returns the replay claim of a request to a route that changes
// state: its entries, recorded by the route's service in the transaction of
// its change with the answer rendered there.
func (s *Server) newClaim(ctx context.Context, rt *Route, lang Lang, secret string, entries []*opencube.Replay, now time.Time) *opencube.ReplayClaim {
	claim := &opencube.ReplayClaim{Replays: entries, Now: now}
	if rt.answerOrder != nil {
		claim.RenderOrder = func(o *opencube.Order) []byte { return s.render(ctx, rt, lang, secret, rt.answerOrder(o), nil) }
	}
	if rt.answerOrders != nil {
		claim.RenderOrders = func(os []*opencube.Order) []byte { return s.render(ctx, rt, lang, secret, rt.answerOrders(os), nil) }
	}
	if rt.answerSMS != nil {
		claim.RenderSMS = func(m *opencube.SMS) []byte { return s.render(ctx, rt, lang, secret, rt.answerSMS(m), nil) }
	}
	return claim
}

// record remembers the answer out of a request that wrote nothing (it
// failed, or it reads) under each of its entries, and returns the answer
// to give: out, or the first answer of an identical request that got in
// first.
func (s *Server) record(ctx context.Context, rt *Route, lang Lang, entries []*opencube.Replay, now time.Time, out []byte) []byte {
	for _, e := range entries {
		r := *e
		r.Response = out
		prior, claimed, err := s.Replays.ClaimReplay(ctx, &r, now)
		if err != nil {
			// The answer stands; unremembered, a retry runs the request
			// again, which wrote nothing.
			s.Logger.ErrorContext(ctx, "record replay", "err", err)
			return out
		}
		if !claimed {
			return s.repeat(ctx, rt, lang, prior, entries, out)
		}
	}
	return out
}

// repeat returns the answer to a request one of whose entries, prior, was
// found: the first answer again (D5), 1008 for an Idempotency-Key used for
// another request, 1002 for a sign used on another path by a request that
// changes state (D25). A read whose sign was used on another path gets its
// own answer, out.
func (s *Server) repeat(ctx context.Context, rt *Route, lang Lang, prior *opencube.Replay, entries []*opencube.Replay, out []byte) []byte {
	for _, e := range entries {
		if e.Key != prior.Key {
			continue
		}
		code, cause := "", opencube.Cause("")
		switch {
		case prior.Fingerprint == e.Fingerprint:
			return prior.Response
		case strings.HasPrefix(e.Key, idempotencyPrefix):
			code = CodeIdempotencyReused
		case rt.ClaimInTx:
			code, cause = CodeSignature, CauseSignReused
		default:
			continue
		}
		s.logError(ctx, rt, code, Message(code, LangEN, causeIn(cause, nil, LangEN)), nil)
		return encodeEnvelope(code, lang, causeIn(cause, nil, lang), nil)
	}
	return out
}

// fingerprint identifies the request behind an Idempotency-Key: its path and
// the canonical form of its body without timestamp and sign, which every
// retry renews (D5: the same key and body with a new timestamp is the same
// request).
func fingerprint(path string, p params) string {
	rest := make(params, len(p))
	for k, v := range p {
		if k != "timestamp" && k != "sign" {
			rest[k] = v
		}
	}
	b, err := json.Marshal(rest)
	if err == nil {
		if c, cerr := Canonical(b); cerr == nil {
			b = c
		}
	}
	sum := sha256.Sum256(append([]byte(path+"\n"), b...))
	return hex.EncodeToString(sum[:])
}

// errSignature is the kind of a signature that does not verify.
const errSignature opencube.Kind = "signature"

// cachedEnterprise is an enterprise as read at a moment.
type cachedEnterprise struct {
	e  *opencube.Enterprise
	at time.Time
}

// authenticateBody parses a request body once and authenticates it: it
// returns the access code, the sign, the enterprise and the index of the
// secret that verified it, or the code that refuses the request: 1001
// (with detail "body") when it is not a JSON object, 1004 for a missing or
// unknown access code, 1002 for a missing or wrong sign, 9999 when the
// enterprise cannot be read, 1006 (with the enterprise) when the enterprise
// has spent its budget. An unknown access code, or one over its budget, is
// refused before the canonical form is built.
func (s *Server) authenticateBody(ctx context.Context, body []byte) (accessCode, sign string, ent *opencube.Enterprise, secretIdx int, code string) {
	cp := getCanonParser()
	defer putCanonParser(cp)
	root, err := cp.parse(body)
	if err != nil {
		return "", "", nil, 0, CodeInvalid
	}
	accessCode = string(cp.rootText(root, "access_code"))
	if accessCode == "" {
		return "", "", nil, 0, CodeAccessCode
	}
	sign = string(scalarText(cp.sign))
	ent, secretIdx, err = s.authenticate(ctx, accessCode, func(secrets []string) (int, bool) {
		return cp.verify(root, sign, secrets)
	})
	switch opencube.ErrorKind(err) {
	case "":
		return accessCode, sign, ent, secretIdx, ""
	case opencube.KindUnauthenticated:
		return accessCode, sign, nil, 0, CodeAccessCode
	case errSignature:
		return accessCode, sign, nil, 0, CodeSignature
	case errTooFrequent:
		return accessCode, sign, ent, 0, CodeTooFrequent
	}
	s.Logger.ErrorContext(ctx, "find enterprise", "err", err)
	return accessCode, sign, nil, 0, CodeSystem
}

// readBody reads a request body of at most limit bytes. A larger one is
// refused unread when its Content-Length says so, else as soon as it
// passes the limit, and the connection is closed after the answer, so that
// the rest of it is never read.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		return nil, false
	}
	size := r.ContentLength
	if size < 0 {
		size = 512
	}
	body := make([]byte, 0, size+1) // +1: the read that meets the end needs no room
	rd := http.MaxBytesReader(w, r.Body, limit)
	for {
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)]
		}
		n, err := rd.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if err == io.EOF {
			return body, true
		}
		if err != nil {
			// Over the limit, or cut (a timeout, a dropped client): what
			// is left of the body is not read.
			w.Header().Set("Connection", "close")
			return nil, false
		}
	}
}

// authenticate finds the enterprise and verifies the request against its
// secrets with verify, unless the enterprise has spent its budget
// (errTooFrequent, with the enterprise). Enterprises are cached for
// EnterpriseTTL; a request that fails against a cached copy is checked
// again against a fresh read when that read's secrets differ, so a new
// secret works at once, while a dropped one may verify for up to
// EnterpriseTTL.
func (s *Server) authenticate(ctx context.Context, code string, verify func(secrets []string) (int, bool)) (*opencube.Enterprise, int, error) {
	cached, hit := s.cache.Load(code)
	var tried []string // the secrets verify was run with
	for attempt := 0; attempt < 2; attempt++ {
		var ent *opencube.Enterprise
		if c, ok := cached.(cachedEnterprise); hit && ok && attempt == 0 && time.Since(c.at) < s.EnterpriseTTL {
			ent = c.e
		} else {
			fresh, err := s.Enterprises.FindEnterprise(ctx, code)
			if err != nil {
				s.cache.Delete(code)
				return nil, 0, err
			}
			ent, hit = fresh, false
			if s.EnterpriseTTL > 0 {
				s.cache.Store(code, cachedEnterprise{e: fresh, at: time.Now()})
			}
		}
		if attempt == 0 && s.Limits.TenantWait(ent) > 0 {
			return ent, 0, &opencube.Error{Kind: errTooFrequent, Message: "over the enterprise's rate limit"}
		}
		if attempt == 0 || !slices.Equal(ent.Secrets, tried) {
			if i, ok := verify(ent.Secrets); ok {
				return ent, i, nil
			}
			tried = ent.Secrets
		}
		if !hit {
			break // a fresh read failed: no second try
		}
	}
	return nil, 0, &opencube.Error{Kind: errSignature, Message: "signature verification failed"}
}

// fresh returns the request's timestamp and whether it is within the
// window (D4).
func (s *Server) fresh(p params) (time.Time, bool) {
	ts, ok := p.str("timestamp")
	if !ok || ts == "" || len(ts) > 16 {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, false
	}
	var t time.Time
	if len(ts) < 13 {
		t = time.Unix(n, 0)
	} else {
		t = time.UnixMilli(n)
	}
	d := s.Clock.Now().Sub(t)
	return t, d <= s.Window && d >= -s.Window
}

// run executes the route and returns the whole response body. With a
// claim, the route's changes record it (Route.ClaimInTx).
func (s *Server) run(ctx context.Context, rt *Route, p params, lang Lang, secret string, claim *opencube.ReplayClaim) []byte {
	v := &validator{p: p, plans: s.Plans}
	if s.SMS != nil {
		v.sms = s.SMS
	}
	if claim != nil {
		v.plans = s.Plans.Replaying(claim)
		if s.SMS != nil {
			v.sms = s.SMS.Replaying(claim)
		}
	}
	data, err := rt.handle(s, ctx, v)
	if err == nil && claim != nil && claim.Recorded && claim.Response != nil {
		return claim.Response // rendered in the transaction, and recorded there
	}
	return s.render(ctx, rt, lang, secret, data, err)
}

// render makes the response body of a route's outcome. An error's answer
// names its cause (ErrorMessage), and so does the log.
func (s *Server) render(ctx context.Context, rt *Route, lang Lang, secret string, data any, err error) []byte {
	code, msg := CodeOK, Message(CodeOK, lang, "")
	if err != nil {
		code, msg = ErrorMessage(err, lang)
		if !errors.Is(err, opencube.ErrReplayed) { // a repeat gets the first answer (Server.repeat)
			_, cause := ErrorMessage(err, LangEN)
			s.logError(ctx, rt, code, cause, err)
		}
	}
	if data == nil {
		return envelopeBody(code, msg, nil)
	}
	raw, merr := Marshal(data)
	if merr != nil {
		s.Logger.Error("encode response", "path", rt.Path, "err", merr)
		return encodeEnvelope(CodeSystem, lang, "", nil)
	}
	if err == nil {
		raw = withSign(raw, rt.Sign, secret)
	}
	return envelopeBody(code, msg, raw)
}

// logError logs an error answer of rt once, with its code and cause (the
// answer's message in English) but never the request's body or sign: at
// error level for a system error (9999), else at info, as the caller's.
func (s *Server) logError(ctx context.Context, rt *Route, code, cause string, err error) {
	level := slog.LevelInfo
	if code == CodeSystem {
		level = slog.LevelError
	}
	args := []any{"path", rt.Path, "code", code, "cause", cause}
	if err != nil {
		args = append(args, "err", err)
	}
	s.Logger.Log(ctx, level, "csss error answer", args...)
}

// withSign adds the `sign` member to encoded data as its route asks (D8).
func withSign(data []byte, mode SignMode, secret string) []byte {
	var member string
	switch mode {
	case SignNone:
		return data
	case SignNull:
		member = `"sign":null`
	default:
		c, err := Canonical(data)
		if err != nil {
			return data
		}
		member = `"sign":"` + Sign(c, secret) + `"`
	}
	rest := strings.TrimPrefix(string(data), "{")
	if rest != "}" {
		member += ","
	}
	return []byte("{" + member + rest)
}
