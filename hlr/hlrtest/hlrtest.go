// Package hlrtest starts a real OsmoHLR for tests, on 127.0.0.1 with its
// own configuration and database in the test's temporary directory.
//
// OsmoHLR 1.5 binds fixed ports (CTRL 4259, VTY 4258, GSUP 4222), so one
// runs at a time on a machine: Start holds a file lock, across test
// processes, until the test ends.
package hlrtest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// CtrlAddr and VTYAddr are where the started OsmoHLR listens.
const (
	CtrlAddr = "127.0.0.1:4259"
	VTYAddr  = "127.0.0.1:4258"
)

const config = `log stderr
 logging level main notice
line vty
 bind 127.0.0.1
ctrl
 bind 127.0.0.1
hlr
 gsup
  bind ip 127.0.0.1
`

// Server is a running (or stopped) OsmoHLR.
type Server struct {
	t      testing.TB
	dir    string
	cmd    *exec.Cmd
	exited chan error // cmd's Wait
}

// Start starts OsmoHLR for t and stops it when t ends. It skips t when
// osmo-hlr is not installed, and fails it then with CI=true.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("osmo-hlr"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("osmo-hlr is not installed (Debian package osmo-hlr)")
		}
		t.Skip("osmo-hlr is not installed (Debian package osmo-hlr; scripts/test installs it)")
	}
	lock(t)
	s := &Server{t: t, dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(s.dir, "hlr.cfg"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// lock takes the machine-wide lock of the fixed ports until t ends.
func lock(t testing.TB) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "opencube-osmo-hlr.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
}

// Stop stops OsmoHLR; its database stays for Restart.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
	// The ports are free once nothing answers on them.
	for i := 0; i < 200; i++ {
		c, err := net.DialTimeout("tcp", CtrlAddr, 100*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
}

// Restart starts OsmoHLR (again) on its database and waits until its CTRL
// interface answers.
func (s *Server) Restart() {
	s.t.Helper()
	if s.cmd != nil {
		return
	}
	logf, err := os.OpenFile(filepath.Join(s.dir, "osmo-hlr.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	defer logf.Close()
	var last error
	for try := 0; try < 50; try++ { // a killed one's ports may take a moment to free
		cmd := exec.Command("osmo-hlr", "-c", filepath.Join(s.dir, "hlr.cfg"), "-l", filepath.Join(s.dir, "hlr.db"))
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			s.t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		for i := 0; i < 100; i++ {
			select {
			case last = <-exited:
				goto again
			default:
			}
			if c, err := net.DialTimeout("tcp", CtrlAddr, 100*time.Millisecond); err == nil {
				c.Close()
				// Ours answered, unless it exited, unable to bind: then
				// another OsmoHLR (not a test's) holds the ports.
				select {
				case err := <-exited:
					b, _ := os.ReadFile(filepath.Join(s.dir, "osmo-hlr.log"))
					s.t.Fatalf("osmo-hlr exited (%v) while something else answers on %s: stop the other OsmoHLR\n%s", err, CtrlAddr, b)
				case <-time.After(50 * time.Millisecond):
				}
				s.cmd, s.exited = cmd, exited
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		_ = cmd.Process.Kill()
		last = <-exited
	again:
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(filepath.Join(s.dir, "osmo-hlr.log"))
	s.t.Fatalf("osmo-hlr did not start (%v):\n%s", last, b)
}
