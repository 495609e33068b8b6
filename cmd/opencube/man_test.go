package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestManMatchesHelp: every command section of the manual page is, word
// for word, what the command's --help prints, flags included.
func TestManMatchesHelp(t *testing.T) {
	var page bytes.Buffer
	if err := writeMan(t.Context(), &page); err != nil {
		t.Fatal(err)
	}
	got := manBlocks(t, page.String())
	sections := manSections()
	if len(got) != len(sections) {
		t.Fatalf("%d command sections in the manual page, want %d", len(got), len(sections))
	}
	for _, s := range sections {
		want, err := helpText(t.Context(), s.args)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(strings.TrimRight(want, "\n"), got[s.title]); diff != "" {
			t.Errorf("%s: --help (-) and the manual page (+) differ:\n%s", s.title, diff)
		}
	}
	for title, flag := range map[string]string{"opencube serve": "  -tls-cert string", "opencube restore": "  -force", "opencube backup": "  -out string"} {
		if !strings.Contains(got[title], flag) {
			t.Errorf("%s: the manual page lacks %q", title, flag)
		}
	}
	if _, err := exec.LookPath("groff"); err == nil {
		cmd := exec.Command("groff", "-man", "-Tutf8", "-ww", "-z")
		cmd.Stdin = bytes.NewReader(page.Bytes())
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("groff: %v\n%s", err, out)
		}
	}
}

// manBlocks returns the verbatim block of each .SS section of a manual
// page, unescaped, by title.
func manBlocks(t *testing.T, page string) map[string]string {
	t.Helper()
	blocks := map[string]string{}
	lines := strings.Split(page, "\n")
	for i := 0; i < len(lines); i++ {
		title, ok := strings.CutPrefix(lines[i], ".SS ")
		if !ok {
			continue
		}
		title = strings.Trim(title, `"`)
		if i+1 >= len(lines) || lines[i+1] != ".nf" {
			t.Fatalf("section %s: no .nf block", title)
		}
		var text []string
		for i += 2; i < len(lines) && lines[i] != ".fi"; i++ {
			text = append(text, untroffLine(lines[i]))
		}
		if _, dup := blocks[title]; dup {
			t.Errorf("section %s twice", title)
		}
		blocks[title] = strings.Join(text, "\n")
	}
	return blocks
}
