package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/service"
)

// callFailed is the error of a call the server answered with a code other
// than 0000; the answer itself has been printed.
type callFailed struct{ code string }

func (e callFailed) Error() string { return "the server answered code " + e.code }
func (e callFailed) ExitCode() int { return 3 }

// runCall implements `opencube call PATH key=value ...`: values are strings;
// key:=JSON passes a JSON value as is (page_no:=1, deviceList:='["a","b"]').
func runCall(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("opencube call", stderr)
	url := fs.String("url", "http://127.0.0.1:8080", "server base URL")
	access := fs.String("access-code", "P000270", "enterprise access code")
	secret := fs.String("secret", service.DemoSecret, "enterprise secret")
	lang := fs.String("lang", "", "Accept-Language, such as en-US")
	idem := fs.String("idempotency-key", "", "Idempotency-Key header")
	if err := parseWithEnv(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return fmt.Errorf("call: usage: opencube call [flags] PATH key=value key:=json ...")
	}
	path := fs.Arg(0)
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	params, err := parseParams(fs.Args()[1:])
	if err != nil {
		return err
	}
	c := client.New(*url, *access, *secret)
	c.Language = *lang
	header := http.Header{}
	if *idem != "" {
		header.Set("Idempotency-Key", *idem)
	}
	resp, err := c.Do(ctx, path, params, header)
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, resp.Body, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(resp.Body)
	}
	fmt.Fprintln(stdout, pretty.String())
	if resp.Code != csss.CodeOK {
		return callFailed{resp.Code}
	}
	return nil
}

// parseParams reads key=value and key:=json arguments.
func parseParams(args []string) (map[string]any, error) {
	params := map[string]any{}
	for _, a := range args {
		if k, v, ok := strings.Cut(a, ":="); ok && !strings.Contains(k, "=") {
			var raw json.RawMessage
			if err := json.Unmarshal([]byte(v), &raw); err != nil {
				return nil, fmt.Errorf("call: %s: not JSON: %w", k, err)
			}
			params[k] = raw
			continue
		}
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("call: argument %q is not key=value or key:=json", a)
		}
		params[k] = v
	}
	return params, nil
}

// runSign implements `opencube sign`: the canonical string and the sign of
// a request body read from stdin.
func runSign(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := newFlagSet("opencube sign", stdout)
	secret := fs.String("secret", service.DemoSecret, "enterprise secret")
	if err := parseWithEnv(fs, args); err != nil {
		return err
	}
	body, err := io.ReadAll(stdin)
	if err != nil {
		return err
	}
	primary, ascii, str, err := csss.CanonicalForms(bytes.TrimSpace(body))
	if err != nil {
		return fmt.Errorf("sign: the body is not a JSON object: %w", err)
	}
	fmt.Fprintf(stdout, "canonical: %s\nsign:      %s\n", primary, csss.Sign(primary, *secret))
	var p map[string]any
	if json.Unmarshal(body, &p) == nil {
		if got, ok := p["sign"].(string); ok {
			verdict := "does not match"
			if _, ok := csss.Verify(body, got, []string{*secret}); ok {
				verdict = "matches"
			}
			fmt.Fprintf(stdout, "the body's sign %s %s\n", got, verdict)
		}
	}
	fmt.Fprintf(stdout, "also accepted:\n  non-ASCII escaped:   %s\n  scalars as strings:  %s\n",
		csss.Sign(ascii, *secret), csss.Sign(str, *secret))
	return nil
}
