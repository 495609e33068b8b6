package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/cubev4"
	"github.com/opencube/opencube/docs"
	"github.com/opencube/opencube/service"
)

// hasV4 reports whether args ask for Cube v4 (--v4 or -v4), and returns
// them without it.
func hasV4(args []string) (bool, []string) {
	for i, a := range args {
		if a == "--" {
			break
		}
		if a == "--v4" || a == "-v4" {
			return true, append(slices.Clone(args[:i]), args[i+1:]...)
		}
	}
	return false, args
}

// v4Key reads the private key of --private-key, or the demo key's when
// the key id is the demo's and no file is given.
func v4Key(file, keyID string) (*rsa.PrivateKey, error) {
	var b []byte
	switch {
	case file == "" && keyID == service.DemoKeyID:
		b = docs.CubeV4DemoKey
	case file == "":
		return nil, errors.New("--private-key is required for a key other than the demo's")
	default:
		var err error
		if b, err = os.ReadFile(file); err != nil {
			return nil, err
		}
	}
	k, err := client.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("--private-key: %w", err)
	}
	return k, nil
}

// v4Parts turns key=value and key:=json arguments into a query (for GET
// and DELETE: a JSON array value is repeated, other values as their text)
// or a JSON body.
func v4Parts(method string, params map[string]any) (url.Values, []byte, error) {
	if method == http.MethodGet || method == http.MethodDelete {
		q := url.Values{}
		for k, v := range params {
			switch v := v.(type) {
			case string:
				q.Add(k, v)
			case json.RawMessage:
				var list []any
				if json.Unmarshal(v, &list) == nil {
					for _, e := range list {
						q.Add(k, fmt.Sprint(e))
					}
					continue
				}
				var s string
				if json.Unmarshal(v, &s) == nil {
					q.Add(k, s)
					continue
				}
				q.Add(k, string(v))
			}
		}
		return q, nil, nil
	}
	if len(params) == 0 {
		return nil, nil, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(params); err != nil {
		return nil, nil, err
	}
	return nil, bytes.TrimSpace(buf.Bytes()), nil
}

// v4Args reads METHOD PATH [key=value ...] and returns the method, the
// path below /cube/v4 with its query, and the body.
func v4Args(cmd string, args []string) (string, string, []byte, error) {
	if len(args) < 2 {
		return "", "", nil, usageError{cmd: cmd, err: errors.New("METHOD and PATH are required: GET /sims")}
	}
	method := strings.ToUpper(args[0])
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch:
	default:
		return "", "", nil, usageError{cmd: cmd, err: fmt.Errorf("METHOD %q is not GET, POST, PUT, DELETE or PATCH", args[0])}
	}
	path := "/" + strings.TrimPrefix(strings.TrimPrefix(args[1], cubev4.Prefix), "/")
	params, err := parseParams(args[2:])
	if err != nil {
		return "", "", nil, usageError{cmd: cmd, err: err}
	}
	q, body, err := v4Parts(method, params)
	if err != nil {
		return "", "", nil, err
	}
	if len(q) > 0 {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + q.Encode()
	}
	return method, path, body, nil
}

// runCallV4 implements `opencube call --v4 METHOD PATH [key=value ...]`.
func runCallV4(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("opencube call --v4", stderr)
	baseURL := fs.String("url", "http://127.0.0.1:8080", "server base URL (OPENCUBE_URL)")
	keyID := fs.String("key-id", service.DemoKeyID, "the keyId of the API key (OPENCUBE_KEY_ID; the demo key's by default)")
	keyFile := fs.String("private-key", "", "file of the private key: PEM (PKCS#8 or PKCS#1) or Base64 PKCS#8 (OPENCUBE_PRIVATE_KEY; the demo key's by default)")
	lang := fs.String("lang", "", "Accept-Language, such as zh-CN (OPENCUBE_LANG)")
	apiVersion := fs.String("api-version", "2.0", "X-LF-Api-Version header (\"\": none, the server then serves 1.0)")
	get := fs.String("get", "", "print only this field of the answer, a dotted path: data.sim_id, data.0.status")
	verbose := fs.Bool("v", false, "also print the request and its string to sign on stderr")
	if err := parseWithEnv(fs, args, "url", "key-id", "private-key", "lang"); err != nil {
		return err
	}
	method, path, body, err := v4Args("call", fs.Args())
	if err != nil {
		return err
	}
	key, err := v4Key(*keyFile, *keyID)
	if err != nil {
		return err
	}
	c := client.NewV4(*baseURL, *keyID, key)
	c.Language, c.APIVersion = *lang, *apiVersion
	req, err := c.Sign(method, path, body)
	if err != nil {
		return err
	}
	if *verbose {
		fmt.Fprintf(stderr, "%s %s%s\n", method, cubev4.Prefix, path)
		fmt.Fprintf(stderr, "Authorization: %s\n", req.Header.Get("Authorization"))
		for _, k := range []string{cubev4.HeaderTimestamp, cubev4.HeaderNonce} {
			fmt.Fprintf(stderr, "%s: %s\n", k, req.Header.Get(k))
		}
		if body != nil {
			fmt.Fprintf(stderr, "\n%s\n", body)
		}
		fmt.Fprintf(stderr, "string to sign: %s\n\n", req.StringToSign)
	}
	resp, err := c.Send(ctx, req)
	var v4err *client.V4Error
	if err != nil && !errors.As(err, &v4err) {
		if resp != nil {
			stderr.Write(resp.Body)
		}
		return fmt.Errorf("call: %w", err)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, resp.Body, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(resp.Body)
	}
	pretty.WriteByte('\n')
	switch {
	case v4err != nil:
		if *get == "" {
			stdout.Write(pretty.Bytes())
		} else {
			stderr.Write(pretty.Bytes())
		}
		return callFailed{v4err.Code}
	case *get == "":
		_, err = stdout.Write(pretty.Bytes())
		return err
	}
	v, err := lookup(resp.Body, *get)
	if err != nil {
		stderr.Write(pretty.Bytes())
		return fmt.Errorf("call: --get %s: %w", *get, err)
	}
	fmt.Fprintln(stdout, v)
	return nil
}

// runSignV4 implements `opencube sign --v4 METHOD PATH [key=value ...]`:
// the Signature v2 string to sign of a request, its sign and its
// Authorization header; with --sign, whether a customer's sign matches.
func runSignV4(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("opencube sign --v4", stderr)
	keyID := fs.String("key-id", service.DemoKeyID, "the keyId of the API key (OPENCUBE_KEY_ID; the demo key's by default)")
	keyFile := fs.String("private-key", "", "file of the private key (OPENCUBE_PRIVATE_KEY; the demo key's by default)")
	ts := fs.String("timestamp", "", "the timestamp header, epoch milliseconds (now by default)")
	nonce := fs.String("nonce", "1", "the nonce header (\"\" for none)")
	bodyFile := fs.String("body", "", "read the JSON body from this file (- for standard input) instead of key=value arguments")
	theirs := fs.String("sign", "", "a sign to check against the string to sign (with the public half of --private-key)")
	if err := parseWithEnv(fs, args, "key-id", "private-key"); err != nil {
		return err
	}
	method, path, body, err := v4Args("sign", fs.Args())
	if err != nil {
		return err
	}
	if *bodyFile != "" {
		var in io.Reader = stdin
		if *bodyFile != "-" {
			f, err := os.Open(*bodyFile)
			if err != nil {
				return err
			}
			defer f.Close()
			in = f
		}
		if body, err = io.ReadAll(in); err != nil {
			return err
		}
		body = bytes.TrimSpace(body)
	}
	key, err := v4Key(*keyFile, *keyID)
	if err != nil {
		return err
	}
	if *ts == "" {
		*ts = strconv.FormatInt(time.Now().UnixMilli(), 10)
	}
	c := client.NewV4("", *keyID, key)
	c.Now = func() time.Time {
		ms, _ := strconv.ParseInt(*ts, 10, 64)
		return time.UnixMilli(ms)
	}
	c.Nonce = func() string { return *nonce }
	if _, err := strconv.ParseInt(*ts, 10, 64); err != nil {
		return usageError{cmd: "sign", err: errors.New("--timestamp must be epoch milliseconds")}
	}
	req, err := c.Sign(method, path, body)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	sign := strings.TrimPrefix(req.Header.Get("Authorization"), cubev4.AuthScheme+*keyID+"/")
	fmt.Fprintf(stdout, "%s\n%s\nAuthorization: %s\n", req.StringToSign, sign, req.Header.Get("Authorization"))
	if *theirs != "" {
		verdict := "does not match: compare your string to sign with the first line"
		if cubev4.Verify(&key.PublicKey, req.StringToSign, *theirs) {
			verdict = "matches"
		}
		fmt.Fprintf(stderr, "the sign %s %s\n", *theirs, verdict)
	}
	return nil
}
