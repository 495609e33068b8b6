package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/esim"
	"github.com/opencube/opencube/mall"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/stripepay"
)

// callFailed is the error of a call the server answered with a code other
// than a success; the answer itself has been printed.
type callFailed struct{ code string }

func (e callFailed) Error() string { return "the server answered code " + e.code }
func (e callFailed) ExitCode() int { return 3 }

// callRequest is one request `opencube call` sends.
type callRequest struct {
	method string
	path   string // with its query, for a GET
	header http.Header
	body   []byte // nil for a GET
	// ok reports whether an answer's code is the protocol's success.
	ok func(code json.RawMessage) bool
}

// mallVersion is the version `opencube call --mall` sends, as the Mall's
// documentation does.
const mallVersion = "3.0"

// runCall implements `opencube call PATH key=value ...`: values are strings;
// key:=JSON passes a JSON value as is (page_no:=1, deviceList:='["a","b"]').
func runCall(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if v4, rest := hasV4(args); v4 {
		return runCallV4(ctx, rest, stdout, stderr)
	}
	fs := newFlagSet("opencube call", stderr)
	baseURL := fs.String("url", "http://127.0.0.1:8080", "server base URL (OPENCUBE_URL)")
	access := fs.String("access-code", "P000270", "enterprise access code: the CSSS access_code, the shops' partnerCode (OPENCUBE_ACCESS_CODE)")
	secret := fs.String("secret", service.DemoSecret, "enterprise secret (OPENCUBE_SECRET)")
	lang := fs.String("lang", "", "Accept-Language, such as en-US (OPENCUBE_LANG)")
	idem := fs.String("idempotency-key", "", "Idempotency-Key header")
	isMall := fs.Bool("mall", false, "PATH is a Mall route (vshop/..., payment/..., topup/...): sign with HMAC-MD5")
	isESIM := fs.Bool("esim", false, "PATH is an eSIM QR Mall route (fms/...)")
	token := fs.String("token", "", "with --esim: the x-access-token of a logged-in consumer")
	stripeSecret := fs.String("stripe-webhook-secret", service.DemoStripeWebhookSecret, "the Stripe webhook endpoint secret that signs Stripe events (OPENCUBE_STRIPE_WEBHOOK_SECRET)")
	get := fs.String("get", "", "print only this field of the answer, a dotted path: data.order_id, data.list.0.orderNo")
	verbose := fs.Bool("v", false, "also print the request on stderr")
	if err := parseWithEnv(fs, args, "url", "access-code", "secret", "lang", "stripe-webhook-secret"); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return usageError{cmd: "call", err: errors.New("PATH is missing")}
	}
	if *isMall && *isESIM {
		return usageError{cmd: "call", err: errors.New("--mall and --esim exclude each other")}
	}
	if *token != "" && !*isESIM {
		return usageError{cmd: "call", err: errors.New("--token goes with --esim")}
	}
	params, err := parseParams(fs.Args()[1:])
	if err != nil {
		return usageError{cmd: "call", err: err}
	}
	path := strings.TrimPrefix(fs.Arg(0), "/")
	var req *callRequest
	switch {
	case *isMall:
		req, err = mallRequest(path, params, *access, *secret, *stripeSecret, time.Now())
	case *isESIM:
		req, err = esimRequest(path, params, *access, *secret, *stripeSecret, *token, time.Now())
	default:
		req, err = csssRequest(path, params, *access, *secret)
	}
	if err != nil {
		return err
	}
	if *idem != "" {
		req.header.Set("Idempotency-Key", *idem)
	}
	if *lang != "" {
		req.header.Set("Accept-Language", *lang)
	}
	resp, err := send(ctx, strings.TrimRight(*baseURL, "/"), req, stderr, *verbose)
	if err != nil {
		return err
	}
	return printAnswer(stdout, stderr, req, resp, *get)
}

// callResponse is an answer to a callRequest.
type callResponse struct {
	status int
	header http.Header
	body   []byte
}

// send sends req, printing it first on stderr when verbose.
func send(ctx context.Context, baseURL string, req *callRequest, stderr io.Writer, verbose bool) (*callResponse, error) {
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, baseURL+req.path, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.header {
		hr.Header[k] = vs
	}
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if verbose {
		fmt.Fprintf(stderr, "%s %s\n", hr.Method, hr.URL)
		keys := make([]string, 0, len(hr.Header))
		for k := range hr.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(stderr, "%s: %s\n", k, strings.Join(hr.Header[k], ", "))
		}
		if req.body != nil {
			fmt.Fprintf(stderr, "\n%s\n", req.body)
		}
		fmt.Fprintln(stderr)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("call: cannot reach the server: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &callResponse{status: resp.StatusCode, header: resp.Header, body: raw}, nil
}

// printAnswer prints an answer: a JSON envelope indented (or the field
// --get names), anything else (a QR code PNG) as it is. A code other than
// the protocol's success is a callFailed.
func printAnswer(stdout, stderr io.Writer, req *callRequest, resp *callResponse, get string) error {
	var env map[string]json.RawMessage
	if json.Unmarshal(resp.body, &env) != nil || env["code"] == nil {
		if resp.status/100 == 2 && !strings.HasPrefix(resp.header.Get("Content-Type"), "application/json") {
			_, err := stdout.Write(resp.body) // a PNG, say
			return err
		}
		stderr.Write(resp.body)
		return fmt.Errorf("call: HTTP %d, not an answer envelope", resp.status)
	}
	var pretty bytes.Buffer
	body := bytes.TrimSpace(resp.body)
	if json.Indent(&pretty, body, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(body)
	}
	pretty.WriteByte('\n')
	ok := req.ok(env["code"])
	switch {
	case get == "":
		stdout.Write(pretty.Bytes())
	case !ok:
		stderr.Write(pretty.Bytes())
	default:
		v, err := lookup(resp.body, get)
		if err != nil {
			stderr.Write(pretty.Bytes())
			return fmt.Errorf("call: --get %s: %w", get, err)
		}
		fmt.Fprintln(stdout, v)
	}
	if !ok {
		return callFailed{strings.Trim(string(env["code"]), `"`)}
	}
	return nil
}

// lookup returns the value at a dotted path of a JSON document (object
// keys, array indexes): a string as it is, anything else as compact JSON.
func lookup(doc []byte, path string) (string, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	for _, step := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[step]; !ok {
				return "", fmt.Errorf("the answer has no %q", step)
			}
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(x) {
				return "", fmt.Errorf("%q is not an index of a list of %d", step, len(x))
			}
			v = x[i]
		default:
			return "", fmt.Errorf("%q: there is nothing under a %T", step, v)
		}
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// csssOK is the success of CSSS and the Mall: code "0000".
func csssOK(code json.RawMessage) bool { return string(code) == `"`+csss.CodeOK+`"` }

// esimOK is the success of the eSIM QR Mall: code 0.
func esimOK(code json.RawMessage) bool { return string(code) == strconv.Itoa(esim.CodeOK) }

// csssRequest is a signed CSSS request (client.Client.Body).
func csssRequest(path string, params map[string]any, access, secret string) (*callRequest, error) {
	body, err := client.New("", access, secret).Body(params)
	if err != nil {
		return nil, err
	}
	return &callRequest{method: http.MethodPost, path: "/" + path, header: http.Header{}, body: body, ok: csssOK}, nil
}

// mallRoute finds the Mall route of a path (vshop/singleOrder) or of a
// tradeType (singleOrder).
func mallRoute(path string) (*mall.Route, error) {
	for i, rt := range mall.Routes {
		if rt.Path == "/"+path || rt.TradeType == path {
			return &mall.Routes[i], nil
		}
	}
	var paths []string
	for _, rt := range mall.Routes {
		paths = append(paths, strings.TrimPrefix(rt.Path, "/"))
	}
	return nil, usageError{cmd: "call", err: fmt.Errorf("--mall: no Mall route %s; the routes are %s", path, strings.Join(paths, ", "))}
}

// mallRequest is a signed Mall request: the globals partnerCode,
// tradeTime (epoch ms, at now), version and the route's tradeType are
// added unless params holds them, then the HMAC-MD5 sign. A GET route
// carries them in its query, signed as a body of strings.
func mallRequest(path string, params map[string]any, access, secret, stripeSecret string, now time.Time) (*callRequest, error) {
	rt, err := mallRoute(path)
	if err != nil {
		return nil, err
	}
	if rt.Stripe {
		// A Stripe event: the params as given, signed in Stripe-Signature.
		body, err := json.Marshal(params)
		if err != nil {
			return nil, err
		}
		req := &callRequest{method: rt.Method, path: rt.Path, header: http.Header{}, body: body, ok: csssOK}
		req.header.Set("Stripe-Signature", stripepay.Sign(body, stripeSecret, now))
		return req, nil
	}
	p := map[string]any{"partnerCode": access, "tradeTime": strconv.FormatInt(now.UnixMilli(), 10), "version": mallVersion}
	if rt.TradeType != "" {
		p["tradeType"] = rt.TradeType
	}
	for k, v := range params {
		p[k] = v
	}
	delete(p, "sign")
	req := &callRequest{method: rt.Method, path: rt.Path, header: http.Header{}, ok: csssOK}
	if rt.Method == http.MethodGet {
		q := url.Values{}
		for k, v := range p {
			q.Set(k, scalarText(v))
		}
		q.Set("sign", mall.Sign(mustCanonical(mall.QueryBody(q)), secret))
		req.path += "?" + q.Encode()
		return req, nil
	}
	body, err := csss.Marshal(p)
	if err != nil {
		return nil, err
	}
	if p["sign"], err = mall.SignBody(body, secret); err != nil {
		return nil, err
	}
	if req.body, err = csss.Marshal(p); err != nil {
		return nil, err
	}
	return req, nil
}

// mustCanonical is csss.Canonical of a body known to be a JSON object.
func mustCanonical(body []byte) []byte {
	c, err := csss.Canonical(body)
	if err != nil {
		panic(err)
	}
	return c
}

// scalarText is a parameter as query text: a string as it is, a JSON
// value (key:=json) as its literal, a JSON string unquoted.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.RawMessage:
		var s string
		if json.Unmarshal(x, &s) == nil {
			return s
		}
		return string(x)
	}
	return fmt.Sprint(v)
}

// esimRoute finds the eSIM QR Mall route of a path, with or without its
// fms/ prefix.
func esimRoute(path string) (*esim.Route, error) {
	rel := "/" + strings.TrimPrefix(strings.TrimPrefix(path, strings.TrimPrefix(esim.Prefix, "/")), "/")
	for i, rt := range esim.Routes {
		if rt.Path == rel {
			return &esim.Routes[i], nil
		}
	}
	var paths []string
	for _, rt := range esim.Routes {
		paths = append(paths, strings.TrimPrefix(esim.Prefix+rt.Path, "/"))
	}
	return nil, usageError{cmd: "call", err: fmt.Errorf("--esim: no eSIM QR Mall route %s; the routes are %s", path, strings.Join(paths, ", "))}
}

// esimRequest is an eSIM QR Mall request: partnerCode added unless params
// holds it; the x-access-token header with token; a payment webhook signed
// as its provider does (the sandbox one as a CSSS body, Stripe's in its
// Stripe-Signature header, at now, over the body as given).
func esimRequest(path string, params map[string]any, access, secret, stripeSecret, token string, now time.Time) (*callRequest, error) {
	rt, err := esimRoute(path)
	if err != nil {
		return nil, err
	}
	req := &callRequest{method: rt.Method, path: esim.Prefix + rt.Path, header: http.Header{}, ok: esimOK}
	if token != "" {
		req.header.Set("x-access-token", token)
	}
	p := map[string]any{}
	if !rt.Raw {
		p["partnerCode"] = access
	}
	for k, v := range params {
		p[k] = v
	}
	if rt.Method == http.MethodGet {
		q := url.Values{}
		for k, v := range p {
			q.Set(k, scalarText(v))
		}
		req.path += "?" + q.Encode()
		return req, nil
	}
	if rt.Webhook && !rt.Raw {
		delete(p, "sign")
		body, err := csss.Marshal(p)
		if err != nil {
			return nil, err
		}
		c, err := csss.Canonical(body)
		if err != nil {
			return nil, err
		}
		p["sign"] = csss.Sign(c, secret)
	}
	if req.body, err = csss.Marshal(p); err != nil {
		return nil, err
	}
	if rt.Raw {
		req.header.Set("Stripe-Signature", stripepay.Sign(req.body, stripeSecret, now))
	}
	return req, nil
}

// parseParams reads key=value and key:=json arguments.
func parseParams(args []string) (map[string]any, error) {
	params := map[string]any{}
	for _, a := range args {
		if k, v, ok := strings.Cut(a, ":="); ok && !strings.Contains(k, "=") {
			var raw json.RawMessage
			if err := json.Unmarshal([]byte(v), &raw); err != nil {
				return nil, fmt.Errorf("%s: not JSON: %w", k, err)
			}
			params[k] = raw
			continue
		}
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("argument %q is not key=value or key:=json", a)
		}
		params[k] = v
	}
	return params, nil
}

// runSign implements `opencube sign`: the canonical string and the sign of
// a request body read from stdin, the two lines the example programs of
// docs/signing.md print; on stderr, whether the body's own sign matches;
// with -v, the other forms the server accepts.
func runSign(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if v4, rest := hasV4(args); v4 {
		return runSignV4(rest, stdin, stdout, stderr)
	}
	fs := newFlagSet("opencube sign", stderr)
	secret := fs.String("secret", service.DemoSecret, "enterprise secret (OPENCUBE_SECRET)")
	isMall := fs.Bool("mall", false, "the Mall's sign: HMAC-MD5 in lowercase hex")
	verbose := fs.Bool("v", false, "also print the other sign forms the server accepts")
	if err := parseWithEnv(fs, args, "secret"); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{cmd: "sign", err: fmt.Errorf("unexpected argument %q: the body is read on standard input", fs.Arg(0))}
	}
	body, err := io.ReadAll(stdin)
	if err != nil {
		return err
	}
	body = bytes.TrimSpace(body)
	primary, ascii, str, err := csss.CanonicalForms(body)
	if err != nil {
		return fmt.Errorf("sign: the body is not a JSON object: %w", err)
	}
	sign, verify := csss.Sign, func(got string) bool { _, ok := csss.Verify(body, got, []string{*secret}); return ok }
	if *isMall {
		sign, verify = mall.Sign, func(got string) bool { return mall.Verify(body, got, []string{*secret}) }
	}
	fmt.Fprintf(stdout, "%s\n%s\n", primary, sign(primary, *secret))
	var p map[string]any
	if json.Unmarshal(body, &p) == nil {
		if got, ok := p["sign"].(string); ok {
			verdict := "does not match"
			if verify(got) {
				verdict = "matches"
			}
			fmt.Fprintf(stderr, "the body's sign %s %s\n", got, verdict)
		}
	}
	if *verbose {
		fmt.Fprintf(stdout, "also accepted:\n  non-ASCII escaped:   %s\n  scalars as strings:  %s\n", sign(ascii, *secret), sign(str, *secret))
		if *isMall {
			fmt.Fprintf(stdout, "  MD5(content+secret): %s\n", mall.SignPlain(primary, *secret))
		}
	}
	return nil
}
