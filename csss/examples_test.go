package csss

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// signingExample is one of the runnable signing programs under docs/signing
// that docs/signing.md embeds verbatim. Each reads a JSON body on stdin and
// the secret as its only argument, and prints the canonical string and the
// sign on two lines.
type signingExample struct {
	name  string // subtest name
	file  string // path from the repository root
	fence string // info string of its code block in docs/signing.md
	tool  string // program that must be installed to run it
}

var signingExamples = []signingExample{
	{name: "go", file: "docs/signing/go/main.go", fence: "go", tool: "go"},
	{name: "python", file: "docs/signing/sign.py", fence: "python", tool: "python3"},
	{name: "java", file: "docs/signing/Sign.java", fence: "java", tool: "java"},
	{name: "node", file: "docs/signing/sign.js", fence: "js", tool: "node"},
}

// signingCases are bodies beyond the vectors that every example must
// canonicalise exactly like Canonical: nested and emptied values, key order
// beyond the BMP, escapes, duplicate keys and number literals.
var signingCases = []struct{ name, secret, body string }{
	{"nested cleaning", "s3cr3t/with+chars=",
		`{"sign":"x","b":{"y":"","x":[{"k":"","j":null,"i":{}},{}],"w":{"v":null}},` +
			`"a":[[],[null,""],[1.0,-0,2E+3]],"t":true,"f":false,"n":null,"e":"","o":{"sign":"kept"}}`},
	{"key order", "opencube-test-secret",
		`{"😀":"astral","\ufb01":"bmp-high","é":"latin","Z":"upper","a":"lower","a b":"space","a\u0000":"nul","":"empty key"}`},
	{"escapes", "opencube-test-secret",
		`{"s":"quote\" back\\ slash\/ ctrl\u0001\u001f\b\f\n\r\t del\u007f sep\u2028\u2029 html<>&'",` +
			`"u":"\u4e2d\ud83d\ude00 raw 中😀"}`},
	{"duplicate keys", "opencube-test-secret", `{"a":"first","a":"second","b":{"c":"1","c":""}}`},
	{"number literals", "opencube-test-secret",
		`{"big":123456789012345678901234567890.000,"small":1e-7,"neg":-0.0,"int":9007199254740993,"exp":5E+00}`},
	{"whitespace", "opencube-test-secret", "\n\t{ \"o\" : { \"sign\" : \"kept\" } ,\r\n \"sign\" : \"dropped\", \"l\" : [ ] }\n"},
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// needTool returns the path of an installed program, or skips the test; on
// CI (CI=true) a missing program fails it instead.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed: %v", name, err)
		}
		t.Skipf("%s is not installed: %v", name, err)
	}
	return path
}

// TestSigningDocEmbedsExamples keeps docs/signing.md and the runnable
// examples from drifting apart: the doc must hold each file's current
// contents as a fenced code block.
func TestSigningDocEmbedsExamples(t *testing.T) {
	root := repoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs/signing.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range signingExamples {
		src, err := os.ReadFile(filepath.Join(root, ex.file))
		if err != nil {
			t.Fatal(err)
		}
		block := "```" + ex.fence + "\n" + string(src) + "```\n"
		if !bytes.Contains(doc, []byte(block)) {
			t.Errorf("docs/signing.md does not embed the current %s in a ```%s block: paste the file in again", ex.file, ex.fence)
		}
	}
}

// command returns the command line that runs ex, building it first if that
// makes the test faster.
func (ex signingExample) command(t *testing.T, root string) []string {
	tool := needTool(t, ex.tool)
	src := filepath.Join(root, ex.file)
	switch ex.name {
	case "go":
		bin := filepath.Join(t.TempDir(), "sign")
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		runTool(t, root, nil, tool, "build", "-o", bin, "./"+filepath.ToSlash(filepath.Dir(ex.file)))
		return []string{bin}
	case "java":
		// Compile once if javac is there; otherwise launch the source file
		// (java Sign.java), as docs/signing.md shows.
		if javac, err := exec.LookPath("javac"); err == nil {
			dir := t.TempDir()
			runTool(t, root, nil, javac, "-d", dir, src)
			return []string{tool, "-cp", dir, "Sign"}
		}
		return []string{tool, src}
	}
	return []string{tool, src}
}

// runTool runs a program in dir with stdin and returns its standard output;
// it fails the test if the program fails.
func runTool(t *testing.T, dir string, stdin []byte, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.String()
}

// TestSigningExamples runs every example on every sign vector and on
// signingCases and checks both output lines.
func TestSigningExamples(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("runs external interpreters; skipped in -short mode")
	}
	root := repoRoot(t)

	type want struct{ name, secret, body, out string }
	var cases []want
	for _, v := range loadSignVectors(t) {
		cases = append(cases, want{v.Name, v.Secret, v.Body, v.Canonical + "\n" + v.Sign + "\n"})
	}
	for _, c := range signingCases {
		content, err := Canonical([]byte(c.body))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		cases = append(cases, want{c.name, c.secret, c.body, string(content) + "\n" + Sign(content, c.secret) + "\n"})
	}

	for _, ex := range signingExamples {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			argv := ex.command(t, root)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					args := append(argv[1:len(argv):len(argv)], c.secret)
					got := runTool(t, root, []byte(c.body), argv[0], args...)
					if diff := cmp.Diff(c.out, got); diff != "" {
						t.Errorf("%s output mismatch (-want +got):\n%s", ex.file, diff)
					}
				})
			}
			for _, body := range []string{`["not","an","object"]`, `{"a":"1"} trailing`} {
				args := append(argv[1:len(argv):len(argv)], "secret")
				cmd := exec.CommandContext(t.Context(), argv[0], args...)
				cmd.Dir = root
				cmd.Stdin = strings.NewReader(body)
				if out, err := cmd.Output(); err == nil {
					t.Errorf("%s accepted %s and printed %q; want an error", ex.file, body, out)
				}
			}
		})
	}
}
