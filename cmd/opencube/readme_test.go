package main

// The README is true for a newcomer: its shell blocks run, in order, as
// written, against the server it tells them to start, and it lists the
// whole demo dataset.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opencube/opencube/service"
)

// readmePath is the README, from this package's directory.
const readmePath = "../../README.md"

// readmeBlock is one ```sh block of the README, with the readme-test
// marker on the line before it (the HTML comment
// `<!-- readme-test: KIND (why) -->`), if any:
//
//   - skip: not run (it starts a server from the source tree, runs the
//     tests, or needs hosts or programs the test does not have);
//   - server: a single command that starts the server; it replaces the
//     running one (stopped first), and the blocks after it talk to it;
//   - each exits N: every command of the block is run on its own and must
//     exit with status N (the README's error examples);
//   - none: the block must exit 0.
type readmeBlock struct {
	line int // of the opening fence
	kind string
	text string
}

// readmeBlocks reads the README's ```sh blocks.
func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	f, err := os.Open(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		blocks []readmeBlock
		cur    *readmeBlock
		prev   string // the last non-empty line outside a block
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		case strings.HasPrefix(line, "```"):
			if line == "```sh" {
				cur = &readmeBlock{line: n}
				if m, ok := strings.CutPrefix(prev, "<!-- readme-test: "); ok {
					kind, _, _ := strings.Cut(strings.TrimSuffix(m, " -->"), " (")
					cur.kind = kind
				}
			}
			prev = line
		case strings.TrimSpace(line) != "":
			prev = line
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("README line %d: a block that does not end", cur.line)
	}
	return blocks
}

// commands splits a block into its commands: lines joined at a trailing
// backslash, without blank lines and comments.
func (b readmeBlock) commands() []string {
	var out []string
	var cmd string
	for _, line := range strings.Split(b.text, "\n") {
		if cmd == "" && (strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#")) {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cmd += line + "\n"
			continue
		}
		out = append(out, cmd+line)
		cmd = ""
	}
	return out
}

// needProgram returns a program's path; without it the test is skipped, or
// fails when CI=true.
func needProgram(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (apt install %s); CI=true requires it", name, pkg)
		}
		t.Skipf("%s not found (apt install %s)", name, pkg)
	}
	return path
}

// readmeRun runs the README's blocks in a directory of their own, as a
// newcomer would in a terminal: the variables a block sets are there for
// the next ones.
type readmeRun struct {
	t        *testing.T
	bash     string
	dir      string
	env      []string
	replacer *strings.Replacer // the README's addresses to the test's
	addr     string            // the server's HTTP address
	server   *exec.Cmd
	log      *lockedBuffer // every server's output
	exited   chan error
}

// TestREADME runs every shell block of README.md against the demo server
// the README starts (`./opencube serve --demo --admin-token T`, and later
// with RADIUS listeners), with the binary built from this tree. Only the
// addresses change: the README's fixed ports become free ones, the HTTP
// address through OPENCUBE_ADDR and OPENCUBE_URL, which the commands read.
// The blocks need bash and curl (and coreutils' date and tail).
func TestREADME(t *testing.T) {
	if os.Getenv("OPENCUBE_E2E_STORE") == "postgres" {
		t.Skip("the README's server runs on SQLite (opencube.db); the first pass ran it")
	}
	if testing.Short() {
		t.Skip("builds the binary and runs the README: not in -short")
	}
	r := &readmeRun{t: t, bash: needProgram(t, "bash", "bash"), dir: t.TempDir(), log: &lockedBuffer{}}
	needProgram(t, "curl", "curl")
	goBin := needProgram(t, "go", "golang")
	build := exec.CommandContext(t.Context(), goBin, "build", "-o", filepath.Join(r.dir, "opencube"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	r.addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	r.replacer = strings.NewReplacer(
		"127.0.0.1:8080", r.addr,
		"127.0.0.1:1813", fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t)),
		"127.0.0.1:1812", fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t)),
		"coa-port 3799", fmt.Sprintf("coa-port %d", freeUDPPort(t)),
	)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPENCUBE_") {
			r.env = append(r.env, kv)
		}
	}
	r.env = append(r.env, "OPENCUBE_URL=http://"+r.addr)
	t.Cleanup(r.stopServer)

	t.Run("the binary's exit codes", func(t *testing.T) {
		for args, want := range map[string]int{"--help": 0, "call --help": 0, "admin sims import -h": 0, "call": 2, "call --bogus x": 2, "admin": 2} {
			cmd := exec.CommandContext(t.Context(), filepath.Join(r.dir, "opencube"), strings.Fields(args)...)
			err := cmd.Run()
			var ee *exec.ExitError
			if got := 0; errors.As(err, &ee) {
				got = ee.ExitCode()
				if got != want {
					t.Errorf("opencube %s: exit status %d, want %d", args, got, want)
				}
			} else if err != nil || want != 0 {
				t.Errorf("opencube %s: %v, want exit status %d", args, err, want)
			}
		}
	})

	blocks := readmeBlocks(t)
	ran := 0
	for _, b := range blocks {
		switch b.kind {
		case "skip":
			continue
		case "server":
			r.startServer(b)
		case "":
			r.run(b, b.text, 0)
		default:
			want, err := strconv.Atoi(strings.TrimPrefix(b.kind, "each exits "))
			if !strings.HasPrefix(b.kind, "each exits ") || err != nil {
				t.Fatalf("README line %d: unknown readme-test marker %q", b.line, b.kind)
			}
			for _, cmd := range b.commands() {
				r.run(b, cmd, want)
			}
		}
		ran++
	}
	if ran < 20 {
		t.Errorf("ran %d of the README's %d blocks: the markers skip too much", ran, len(blocks))
	}
	r.stopServer()
	for _, line := range strings.Split(r.log.String(), "\n") {
		if strings.Contains(line, "Disconnect-Request failed") || strings.Contains(line, "level=ERROR") {
			t.Errorf("the server logged: %s", line)
		}
	}
}

// run runs script (a block, or one command of it) after the variables the
// blocks before it set, and checks its exit status.
func (r *readmeRun) run(b readmeBlock, script string, want int) {
	t := r.t
	t.Helper()
	script = r.replacer.Replace(script)
	state := filepath.Join(r.dir, ".readme-state")
	full := "set -a\n[ -f " + state + " ] && . " + state + "\nset -euo pipefail\n" + script + "\nexport -p > " + state + "\n"
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bash, "-c", full)
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.CombinedOutput()
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		t.Fatalf("README line %d: %v", b.line, err)
	}
	if got != want {
		t.Fatalf("README line %d: exit status %d, want %d:\n%s\n--- output:\n%s\n--- server log (last lines):\n%s",
			b.line, got, want, script, out, lastLines(r.log.String(), 20))
	}
	t.Logf("README line %d: exit status %d\n%s", b.line, got, lastLines(string(out), 8))
}

// startServer stops the running server, if any, and starts the one b
// starts, in the same directory (so on the same opencube.db); it returns
// once the server answers /healthz.
func (r *readmeRun) startServer(b readmeBlock) {
	t := r.t
	t.Helper()
	if cmds := b.commands(); len(cmds) != 1 || !strings.HasPrefix(cmds[0], "./opencube serve ") {
		t.Fatalf("README line %d: a server block is one ./opencube serve command, not:\n%s", b.line, b.text)
	}
	r.stopServer()
	cmd := exec.Command(r.bash, "-c", "exec "+r.replacer.Replace(b.text))
	cmd.Dir, cmd.Env = r.dir, append(append([]string(nil), r.env...), "OPENCUBE_ADDR="+r.addr)
	cmd.Stdout, cmd.Stderr = r.log, r.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.server, r.exited = cmd, make(chan error, 1)
	go func(exited chan error) { exited <- cmd.Wait() }(r.exited)
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-r.exited:
			r.server = nil
			t.Fatalf("README line %d: the server exited: %v\n%s", b.line, err, r.log.String())
		case <-time.After(50 * time.Millisecond):
		}
		if resp, err := http.Get("http://" + r.addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("README line %d: the server did not answer /healthz in 30 s\n%s", b.line, r.log.String())
		}
	}
}

// stopServer stops the running server as Ctrl-C would.
func (r *readmeRun) stopServer() {
	if r.server == nil {
		return
	}
	r.server.Process.Signal(syscall.SIGINT)
	select {
	case <-r.exited:
	case <-time.After(30 * time.Second):
		r.server.Process.Kill()
		<-r.exited
		r.t.Errorf("the server did not stop within 30 s of an interrupt")
	}
	r.server = nil
	http.DefaultClient.CloseIdleConnections()
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestREADMEListsTheDemo: every demo enterprise, SIM range, plan, eSIM
// plan and profile range is in the README.
func TestREADMEListsTheDemo(t *testing.T) {
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	want := []string{service.DemoSecret, service.DemoSMDPAddress}
	d := service.NewDemo(service.DemoSecret)
	for _, e := range d.Enterprises {
		want = append(want, "`"+e.AccessCode+"` "+e.Name)
		var first, last string
		for _, s := range d.SIMs {
			if s.EnterpriseCode == e.AccessCode {
				if first == "" {
					first = s.ICCID
				}
				last = s.ICCID
			}
		}
		want = append(want, "`"+first+"` to `"+last+"`")
	}
	for _, p := range d.Plans {
		want = append(want, "| `"+p.Code+"` | `"+p.Name+"` | `"+strconv.Itoa(int(p.Type))+"`")
	}
	sd := service.NewShopDemo()
	for _, p := range sd.Plans {
		want = append(want, fmt.Sprintf("| `%d` | `%s` | %s", p.ID, p.PackageCode, p.Name))
	}
	first, last := sd.Profiles[0], sd.Profiles[len(sd.Profiles)-1]
	want = append(want, "`"+first.ICCID+"` to `"+last.ICCID+"`", "`"+first.MatchingID+"` to `"+last.MatchingID+"`",
		fmt.Sprintf("%d eSIM profiles", len(sd.Profiles)))
	for _, w := range want {
		if !strings.Contains(readme, w) {
			t.Errorf("README lacks %q", w)
		}
	}
}
