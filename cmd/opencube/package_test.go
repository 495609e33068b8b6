package main

// The Debian package (scripts/package): what it holds, its systemd unit
// (systemd-analyze verify, on every run), its settings file against the
// server's flags; with CI=true it is installed with dpkg -i, run from
// /usr/bin, verified in place, and removed.

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// needTool returns the path of a program the test needs: a failure with
// CI=true when it is missing (scripts/test installs it), a skip otherwise.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required (scripts/test installs it)", name)
		}
		t.Skipf("%s not installed", name)
	}
	return path
}

// run runs a command and returns its standard output; it fails the test
// when the command does.
func runOut(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func TestPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package")
	}
	needTool(t, "dpkg-deb")
	analyze := needTool(t, "systemd-analyze")
	const version = "0.0.0~test1"
	arch := map[string]string{"amd64": "amd64", "arm64": "arm64", "386": "i386", "arm": "armhf"}[runtime.GOARCH]
	dist := t.TempDir()
	cmd := exec.Command("../../scripts/package")
	cmd.Env = append(os.Environ(), "VERSION="+version, "DIST="+dist, "GOARCH="+runtime.GOARCH)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/package: %v\n%s", err, out)
	}
	deb := filepath.Join(dist, "opencube_"+version+"_"+arch+".deb")
	if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); lines[len(lines)-1] != deb {
		t.Fatalf("scripts/package printed %q last, want %s", lines[len(lines)-1], deb)
	}

	for field, want := range map[string]string{"Package": "opencube", "Version": version, "Architecture": arch} {
		if got := strings.TrimSpace(runOut(t, "dpkg-deb", "-f", deb, field)); got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	contents := runOut(t, "dpkg-deb", "-c", deb)
	for path, mode := range map[string]string{
		"./usr/bin/opencube":                    "-rwxr-xr-x",
		"./lib/systemd/system/opencube.service": "-rw-r--r--",
		"./etc/opencube/opencube.env":           "-rw-r-----",
		"./usr/share/man/man1/opencube.1.gz":    "-rw-r--r--",
		"./etc/opencube/":                       "drwxr-x---",
	} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(mode) + ` root/root .* ` + regexp.QuoteMeta(path) + `$`).MatchString(contents) {
			t.Errorf("the package lacks %s %s:\n%s", mode, path, contents)
		}
	}
	control := t.TempDir()
	runOut(t, "dpkg-deb", "-e", deb, control)
	if got := string(mustRead(t, filepath.Join(control, "conffiles"))); strings.TrimSpace(got) != "/etc/opencube/opencube.env" {
		t.Errorf("conffiles %q", got)
	}
	if preinst := string(mustRead(t, filepath.Join(control, "preinst"))); !strings.Contains(preinst, "useradd --system") || !strings.Contains(preinst, " opencube\n") {
		t.Errorf("preinst makes no opencube system user:\n%s", preinst)
	}

	root := t.TempDir()
	runOut(t, "dpkg-deb", "-x", deb, root)
	bin := filepath.Join(root, "usr/bin/opencube")
	if got := runOut(t, bin, "--version"); got != "opencube "+version+"\n" {
		t.Errorf("--version: %q", got)
	}
	// The manual page is the binary's own (opencube man), which
	// TestManMatchesHelp holds to --help.
	gz, err := gzip.NewReader(bytes.NewReader(mustRead(t, filepath.Join(root, "usr/share/man/man1/opencube.1.gz"))))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(gz)
	if string(page) != runOut(t, bin, "man") {
		t.Error("the packaged manual page is not the binary's")
	}

	unit := string(mustRead(t, filepath.Join(root, "lib/systemd/system/opencube.service")))
	for _, line := range []string{"User=opencube", "ExecStart=/usr/bin/opencube serve", "EnvironmentFile=/etc/opencube/opencube.env",
		"StateDirectory=opencube", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "ExecReload=/bin/kill -HUP $MAINPID"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(line) + `$`).MatchString(unit) {
			t.Errorf("the unit lacks %s", line)
		}
	}
	// systemd-analyze verify checks that the programs a unit runs exist:
	// here the unit runs the binary where the package was unpacked (with
	// CI=true, the installed unit is verified as it is, below).
	verify := filepath.Join(t.TempDir(), "opencube.service")
	if err := os.WriteFile(verify, []byte(strings.ReplaceAll(unit, "/usr/bin/opencube", bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", "--man=no", verify).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}

	// Every setting of the env file, given or commented out, is a flag of
	// opencube serve (or the master key's).
	env := string(mustRead(t, filepath.Join(root, "etc/opencube/opencube.env")))
	serveHelp := runOut(t, bin, "serve", "--help")
	names := regexp.MustCompile(`(?m)^#?(OPENCUBE_[A-Z0-9_]+)=`).FindAllStringSubmatch(env, -1)
	if len(names) < 5 {
		t.Fatalf("the env file names %d settings", len(names))
	}
	for _, m := range names {
		flag := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(m[1], "OPENCUBE_"), "_", "-"))
		if m[1] == "OPENCUBE_MASTER_KEY" || m[1] == "OPENCUBE_MASTER_KEY_FILE" {
			continue // the master key's (docs/secrets.md)
		}
		if !strings.Contains(serveHelp, "\n  -"+flag+" ") && !strings.Contains(serveHelp, "\n  -"+flag+"\n") {
			t.Errorf("%s: opencube serve has no --%s", m[1], flag)
		}
	}

	if os.Getenv("CI") != "true" {
		t.Log("CI is not true: the package is not installed")
		return
	}
	dpkg := needTool(t, "dpkg")
	if os.Geteuid() != 0 {
		t.Fatal("installing the package needs root")
	}
	if _, err := os.Stat("/usr/bin/opencube"); err == nil {
		t.Fatal("/usr/bin/opencube exists: not installing over it")
	}
	runOut(t, dpkg, "-i", deb)
	t.Cleanup(func() {
		if out, err := exec.Command(dpkg, "-r", "opencube").CombinedOutput(); err != nil {
			t.Errorf("dpkg -r opencube: %v\n%s", err, out)
		}
		exec.Command(dpkg, "--purge", "opencube").Run()
		// Purging keeps the master key (docs/deployment.md): this test's goes.
		if _, err := os.Stat("/etc/opencube/master.key"); err != nil {
			t.Errorf("purging the package removed the master key: %v", err)
		}
		os.Remove("/etc/opencube/master.key")
		os.Remove("/etc/opencube")
	})
	if got := runOut(t, "/usr/bin/opencube", "--version"); got != "opencube "+version+"\n" {
		t.Errorf("installed --version: %q", got)
	}
	if got := runOut(t, "/usr/bin/opencube", "--help"); !strings.Contains(got, "opencube serve") {
		t.Errorf("installed --help:\n%s", got)
	}
	if out, err := exec.Command(analyze, "verify", "--man=no", "/lib/systemd/system/opencube.service").CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify of the installed unit: %v\n%s", err, out)
	}
	if out := runOut(t, "getent", "passwd", "opencube"); !strings.Contains(out, ":/var/lib/opencube:/usr/sbin/nologin") {
		t.Errorf("the opencube user: %q", out)
	}
	if st := runOut(t, "stat", "-c", "%U:%G %a", "/etc/opencube/opencube.env"); strings.TrimSpace(st) != "root:opencube 640" {
		t.Errorf("/etc/opencube/opencube.env is %s, want root:opencube 640", st)
	}
	// The master key the installation made opens what it seals: a database
	// made with it migrates again with it, and not without it.
	if st := runOut(t, "stat", "-c", "%U:%G %a", "/etc/opencube/master.key"); strings.TrimSpace(st) != "root:opencube 640" {
		t.Errorf("/etc/opencube/master.key is %s, want root:opencube 640", st)
	}
	db := filepath.Join(t.TempDir(), "opencube.db")
	for range 2 {
		runOut(t, "/usr/bin/opencube", "migrate", "--db", db, "--master-key-file", "/etc/opencube/master.key")
	}
	if out, err := exec.Command("/usr/bin/opencube", "migrate", "--db", db).CombinedOutput(); err == nil {
		t.Errorf("migrate without the master key succeeded:\n%s", out)
	}
}
