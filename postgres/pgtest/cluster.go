package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// Cluster is a PostgreSQL cluster that one test started for itself (initdb
// and pg_ctl, as scripts/test does), on a free port of 127.0.0.1, so that
// it may stop and start it. It is removed when the test ends.
type Cluster struct {
	bin  string // the directory of initdb and pg_ctl
	dir  string // the cluster's directory: data/, server.log, the socket
	port int
	// owner runs the cluster's programs: "postgres" when the test runs as
	// root (initdb refuses root), else "" (the test's own user).
	owner string
}

// StartCluster initialises and starts a throwaway cluster. It skips the
// test when the PostgreSQL server programs are not installed (Debian's
// postgresql package), and fails it then when CI=true.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := serverBinDir()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("the PostgreSQL server programs (initdb, pg_ctl) are not installed: scripts/test installs Debian's postgresql")
		}
		t.Skip("the PostgreSQL server programs (initdb, pg_ctl) are not installed (Debian's postgresql package; scripts/test installs it)")
	}
	c := &Cluster{bin: bin}
	tmp := os.TempDir()
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			t.Fatalf("running as root, the cluster needs the user postgres (scripts/test creates it): %v", err)
		}
		c.owner, tmp = "postgres", "/tmp" // the postgres user may not reach root's TMPDIR
	}
	dir, err := os.MkdirTemp(tmp, "opencube-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() {
		if _, err := os.Stat(filepath.Join(c.dir, "data", "postmaster.pid")); err == nil {
			c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
		}
		os.RemoveAll(c.dir)
	})
	if c.owner != "" {
		u, _ := user.Lookup(c.owner)
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := c.run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	// Another process may take the port between the probe and the start.
	for attempt := 1; ; attempt++ {
		if c.port, err = freePort(); err != nil {
			t.Fatal(err)
		}
		out, err := c.start()
		if err == nil {
			return c
		}
		if attempt == 3 {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
		}
	}
}

// URL is the URL of the cluster's postgres database.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Stop stops the cluster (fast shutdown: open connections are ended) and
// returns once it has stopped.
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if out, err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "fast", "-w", "stop"); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// Start starts the stopped cluster again, on its port, and returns once it
// takes connections.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if out, err := c.start(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// start runs pg_ctl start on c.port, waiting until the server is up.
func (c *Cluster) start() ([]byte, error) {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
		c.port, c.dir)
	return c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
}

// run runs one of the server programs as the cluster's owner, from its
// directory, and returns what it wrote. The output goes through a file: the
// server that pg_ctl starts must not hold a pipe of the test open.
func (c *Cluster) run(prog string, args ...string) ([]byte, error) {
	name := filepath.Join(c.bin, prog)
	if c.owner != "" {
		args = append([]string{"-u", c.owner, "--", name}, args...)
		name = "runuser"
	}
	out, err := os.CreateTemp("", "pgtest-out-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	text, _ := os.ReadFile(out.Name())
	return text, err
}

// serverBinDir returns the directory of the newest installed PostgreSQL
// server programs (Debian keeps them in /usr/lib/postgresql/VERSION/bin),
// or "" when there are none.
func serverBinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) < version(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if executable(filepath.Join(dirs[i], "initdb")) && executable(filepath.Join(dirs[i], "pg_ctl")) {
			return dirs[i]
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if p, err = filepath.EvalSymlinks(p); err == nil && executable(filepath.Join(filepath.Dir(p), "pg_ctl")) {
			return filepath.Dir(p)
		}
	}
	return ""
}

// version is the major version of a /usr/lib/postgresql/VERSION/bin path.
func version(bin string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return n
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&0o111 != 0
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// StartReplica makes a second throwaway cluster a streaming replica (a hot
// standby) of c: pg_basebackup -R from c, started on a free port of
// 127.0.0.1. initdb's pg_hba lets local replication connections in, and
// PostgreSQL's default wal_level (replica) streams. It is removed when the
// test ends. The test fails when the replica cannot be made, or skips
// without pg_basebackup when CI is not "true".
func (c *Cluster) StartReplica(t testing.TB) *Cluster {
	t.Helper()
	r := &Cluster{bin: c.bin, owner: c.owner}
	dir, err := os.MkdirTemp(filepath.Dir(c.dir), "opencube-pgtest-replica-")
	if err != nil {
		t.Fatal(err)
	}
	r.dir = dir
	t.Cleanup(func() {
		if _, err := os.Stat(filepath.Join(r.dir, "data", "postmaster.pid")); err == nil {
			r.run("pg_ctl", "-D", filepath.Join(r.dir, "data"), "-m", "immediate", "-w", "stop")
		}
		os.RemoveAll(r.dir)
	})
	if r.owner != "" {
		u, _ := user.Lookup(r.owner)
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if !executable(filepath.Join(c.bin, "pg_basebackup")) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pg_basebackup is not in %s (Debian's postgresql package)", c.bin)
		}
		t.Skipf("pg_basebackup is not in %s (Debian's postgresql package; scripts/test installs it)", c.bin)
	}
	if out, err := r.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres",
		"-D", filepath.Join(dir, "data"), "-R", "-X", "stream", "-c", "fast", "--no-sync"); err != nil {
		t.Fatalf("pg_basebackup: %v\n%s", err, out)
	}
	for attempt := 1; ; attempt++ {
		if r.port, err = freePort(); err != nil {
			t.Fatal(err)
		}
		out, err := r.start()
		if err == nil {
			return r
		}
		if attempt == 3 {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("pg_ctl start (replica): %v\n%s\n%s", err, out, log)
		}
	}
}
