package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/seal"
)

// kannelBinary finds a Kannel program: on PATH, else in Debian's
// directories. Without it the test skips, or fails under CI=true (the test
// script installs Kannel).
func kannelBinary(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/lib/kannel/test"} {
		if p := filepath.Join(dir, name); fileExists(p) {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found: install kannel and kannel-extras (scripts/test does)", name)
	}
	t.Skipf("%s not found: install kannel and kannel-extras to run the Kannel tests", name)
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitListening waits until something accepts connections at addr.
func waitListening(t *testing.T, addr string, what string) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(20 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		select {
		case <-deadline:
			t.Fatalf("%s did not listen on %s", what, addr)
		case <-tick.C:
		}
	}
}

// kannel is a running Kannel: bearerbox with a fake SMSC, smsbox, and
// fakesmsc playing the operator's side.
type kannel struct {
	dir      string
	sendsms  string         // the sendsms URL
	received chan string    // MT lines fakesmsc got: "from to type data..."
	mo       io.WriteCloser // fakesmsc's stdin: one MO message a line
	// smsbox is the running smsbox; startSmsbox starts another.
	smsbox      *exec.Cmd
	startSmsbox func()
}

// stopSmsbox stops smsbox: the gateway is down.
func (k *kannel) stopSmsbox(t *testing.T) {
	t.Helper()
	k.smsbox.Process.Kill()
	k.smsbox.Wait()
}

const (
	kannelUser     = "opencube"
	kannelPassword = "kannel-secret"
	kannelToken    = "callback-token-0123456789"
)

// startKannel writes a kannel.conf whose MO service calls opencube at
// opencubeURL, starts the three programs on free loopback ports, and stops
// them when the test ends.
func startKannel(t *testing.T, opencubeURL string) *kannel {
	t.Helper()
	bearerbox, smsbox, fakesmsc := kannelBinary(t, "bearerbox"), kannelBinary(t, "smsbox"), kannelBinary(t, "fakesmsc")
	k := &kannel{dir: t.TempDir(), received: make(chan string, 100)}
	admin, box, smsc, send := freePort(t), freePort(t), freePort(t), freePort(t)
	k.sendsms = fmt.Sprintf("http://127.0.0.1:%d/cgi-bin/sendsms", send)
	conf := fmt.Sprintf(`group = core
admin-port = %d
admin-password = admin-secret
admin-interface = 127.0.0.1
admin-allow-ip = "127.0.0.1"
smsbox-port = %d
box-allow-ip = "127.0.0.1"
log-file = "%s/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = %d
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = %d
sendsms-port = %d
sendsms-interface = 127.0.0.1
global-sender = 10086
log-file = "%s/smsbox.log"
log-level = 1

group = sendsms-user
username = %s
password = %s
max-messages = 10
concatenation = true

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "%s/kannel/mo?token=%s&from=%%p&to=%%P&text=%%a&bin=%%b&coding=%%c"
`, admin, box, k.dir, smsc, box, send, k.dir, kannelUser, kannelPassword, opencubeURL, kannelToken)
	path := filepath.Join(k.dir, "kannel.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	start := func(name string, cmd *exec.Cmd) {
		t.Helper()
		cmd.Dir = k.dir
		if cmd.Stderr == nil {
			out, err := os.Create(filepath.Join(k.dir, filepath.Base(name)+".out"))
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdout, cmd.Stderr = out, out
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
	}
	start(bearerbox, exec.Command(bearerbox, path))
	waitListening(t, fmt.Sprintf("127.0.0.1:%d", box), "bearerbox")
	waitListening(t, fmt.Sprintf("127.0.0.1:%d", smsc), "bearerbox's fake SMSC")
	k.startSmsbox = func() {
		t.Helper()
		k.smsbox = exec.Command(smsbox, path)
		start(smsbox, k.smsbox)
		waitListening(t, fmt.Sprintf("127.0.0.1:%d", send), "smsbox")
	}
	k.startSmsbox()

	fs := exec.Command(fakesmsc, "-H", "127.0.0.1", "-r", strconv.Itoa(smsc))
	stdin, err := fs.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	k.mo = stdin
	stderr, err := fs.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	fs.Stdout = io.Discard
	start(fakesmsc, fs)
	got := regexp.MustCompile(`Got message \d+: <(.*)>$`)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if m := got.FindStringSubmatch(sc.Text()); m != nil {
				k.received <- m[1]
			}
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			for _, f := range []string{"bearerbox.log", "smsbox.log"} {
				b, _ := os.ReadFile(filepath.Join(k.dir, f))
				t.Logf("%s (tail):\n%s", f, tail(string(b), 3000))
			}
		}
	})
	return k
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// next returns the next MT line fakesmsc received.
func (k *kannel) next(t *testing.T) string {
	t.Helper()
	select {
	case l := <-k.received:
		return l
	case <-time.After(30 * time.Second):
		t.Fatal("fakesmsc received no message")
		return ""
	}
}

// mtLine is an MT message as fakesmsc prints it.
type mtLine struct {
	from, to string
	udh      []byte
	kind     string // text, data or ucs-2
	data     []byte
}

// parseMT reads "from to [udh UDH] kind DATA" (URL-encoded UDH and data,
// but for text).
func parseMT(t *testing.T, line string) mtLine {
	t.Helper()
	f := strings.SplitN(line, " ", 3)
	if len(f) != 3 {
		t.Fatalf("fakesmsc line %q", line)
	}
	l := mtLine{from: f[0], to: f[1]}
	rest := f[2]
	if strings.HasPrefix(rest, "udh ") {
		udh, after, _ := strings.Cut(strings.TrimPrefix(rest, "udh "), " ")
		b, err := url.QueryUnescape(udh)
		if err != nil {
			t.Fatalf("udh of %q: %v", line, err)
		}
		l.udh, rest = []byte(b), after
	}
	kind, data, _ := strings.Cut(rest, " ")
	l.kind = kind
	if kind == "text" {
		l.data = []byte(data)
		return l
	}
	b, err := url.QueryUnescape(data)
	if err != nil {
		t.Fatalf("data of %q: %v", line, err)
	}
	l.data = []byte(b)
	return l
}

// webhookReceiver is a customer's notification endpoint: it answers 200
// and passes on every body.
func webhookReceiver(t *testing.T) (*httptest.Server, chan map[string]any) {
	t.Helper()
	ch := make(chan map[string]any, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		ch <- v
		w.Write([]byte(`{"code":"0000"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

// awaitNotice waits for a notification of type typ whose key field is val.
func awaitNotice(t *testing.T, ch chan map[string]any, typ, key, val string) map[string]any {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case v := <-ch:
			if v["type"] == typ && v[key] == val {
				return v
			}
		case <-timeout:
			t.Fatalf("no %s notification with %s=%s", typ, key, val)
			return nil
		}
	}
}

// TestKannel: MT messages go through a real Kannel to fakesmsc with the
// right encoding and segments, their delivery reports come back to the
// customer's webhook, and an MO message from fakesmsc reaches it too.
func TestKannel(t *testing.T) {
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	k := startKannel(t, base)

	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	m.DB = e2eDatabase(t)
	m.Demo = true
	m.Stderr = io.Discard
	m.JobInterval = 20 * time.Millisecond
	m.Notify.Interval = 20 * time.Millisecond
	if err := m.ParseFlags([]string{
		"--sms-gateway", "kannel", "--kannel-url", k.sendsms, "--kannel-user", kannelUser,
		"--kannel-password", kannelPassword, "--kannel-callback-token", kannelToken, "--public-url", base,
	}); err != nil {
		t.Fatal(err)
	}
	m.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	if err := m.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() { closeMain(t, m) })
	ctx := context.Background()
	hook, notices := webhookReceiver(t)
	if _, err := m.Services.Notify.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: hook.URL}); err != nil {
		t.Fatal(err)
	}
	sims, _, err := m.Store.FindSIMs(ctx, opencube.SIMFilter{Enterprise: entP})
	if err != nil || len(sims) == 0 {
		t.Fatalf("demo SIMs: %v", err)
	}
	sim := sims[0]
	c := client.New(m.URL(), entP, demoSecret)

	send := func(content string, typ opencube.SMSType) string {
		t.Helper()
		s, err := c.SendSMS(ctx, opencube.SendSMSRequest{ICCID: sim.ICCID, Content: content, Type: typ})
		if err != nil {
			t.Fatalf("sendSms: %v", err)
		}
		return s.ID
	}

	t.Run("GSM 7-bit in two segments", func(t *testing.T) {
		text := strings.Repeat("opencube ", 22) // 198 septets: 153 + 45
		id := send(text, opencube.SMSText)
		var joined []byte
		for seq := byte(1); seq <= 2; seq++ {
			l := parseMT(t, k.next(t))
			if l.to != sim.MSISDN || len(l.udh) != 6 || l.udh[0] != 5 || l.udh[4] != 2 || l.udh[5] != seq {
				t.Fatalf("segment %d: to %s, UDH % x", seq, l.to, l.udh)
			}
			joined = append(joined, l.data...)
		}
		if string(joined) != text {
			t.Errorf("segments join to %q, want %q", joined, text)
		}
		n := awaitNotice(t, notices, string(opencube.EventSMSReport), "sms_id", id)
		if n["status"] != "success" || n["device_id"] != sim.ICCID || n["sign"] == "" {
			t.Errorf("report %v", n)
		}
		ms, _, err := c.FindSMS(ctx, opencube.SMSFilter{ICCID: sim.ICCID, Page: opencube.PageOf(1, 10)})
		if err != nil || len(ms) == 0 || ms[0].ID != id || ms[0].State != opencube.SMSDelivered || ms[0].Segments != 2 || ms[0].Encoding != "gsm7" {
			t.Errorf("querySms = %+v, %v", ms, err)
		}
	})

	t.Run("GSM extension characters", func(t *testing.T) {
		text := "price: 5€ [ok] {x}"
		id := send(text, opencube.SMSText)
		l := parseMT(t, k.next(t))
		if l.kind != "text" || string(l.data) != text || l.udh != nil {
			t.Errorf("got %s %q, UDH % x", l.kind, l.data, l.udh)
		}
		awaitNotice(t, notices, string(opencube.EventSMSReport), "sms_id", id)
	})

	t.Run("UCS-2 with an emoji", func(t *testing.T) {
		text := "你好, 设备 😀"
		id := send(text, opencube.SMSText)
		l := parseMT(t, k.next(t))
		if l.kind != "ucs-2" || len(l.data)%2 != 0 {
			t.Fatalf("got %s % x", l.kind, l.data)
		}
		u := make([]uint16, len(l.data)/2)
		for i := range u {
			u[i] = uint16(l.data[2*i])<<8 | uint16(l.data[2*i+1])
		}
		if got := string(utf16.Decode(u)); got != text {
			t.Errorf("UCS-2 decodes to %q, want %q", got, text)
		}
		awaitNotice(t, notices, string(opencube.EventSMSReport), "sms_id", id)
	})

	t.Run("binary", func(t *testing.T) {
		id := send("DEADBEEF0001", opencube.SMSBinary)
		l := parseMT(t, k.next(t))
		if l.kind != "data" || fmt.Sprintf("%x", l.data) != "deadbeef0001" {
			t.Errorf("got %s % x", l.kind, l.data)
		}
		awaitNotice(t, notices, string(opencube.EventSMSReport), "sms_id", id)
	})

	t.Run("MO", func(t *testing.T) {
		if _, err := fmt.Fprintf(k.mo, "%s 10086 text hello from the device\n", sim.MSISDN); err != nil {
			t.Fatal(err)
		}
		n := awaitNotice(t, notices, string(opencube.EventSMSMO), "device_id", sim.ICCID)
		if n["content"] != "hello from the device" || n["msisdn"] != sim.MSISDN || n["data_coding"] != "0" {
			t.Errorf("MO notice %v", n)
		}
		ms, _, err := c.FindSMS(ctx, opencube.SMSFilter{Direction: opencube.SMSMO, Page: opencube.PageOf(1, 10)})
		if err != nil || len(ms) != 1 || ms[0].Content != "hello from the device" {
			t.Errorf("querySms MO = %+v, %v", ms, err)
		}
	})

	t.Run("gateway down, then back: sent once", func(t *testing.T) {
		k.stopSmsbox(t)
		id := send("sent while Kannel was down", opencube.SMSText)
		// Wait for a failed hand-over (connection refused): still queued.
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		timeout := time.After(30 * time.Second)
		for {
			ms, _, err := c.FindSMS(ctx, opencube.SMSFilter{State: opencube.SMSQueued, Page: opencube.PageOf(1, 10)})
			if err != nil {
				t.Fatal(err)
			}
			var attempts int
			err = m.Store.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
				got, err := tx.SMSByID(ctx, id)
				if err == nil {
					attempts = got.Attempts
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) == 1 && ms[0].ID == id && attempts >= 1 {
				break
			}
			select {
			case <-tick.C:
			case <-timeout:
				t.Fatal("no failed hand-over while Kannel was down")
			}
		}
		k.startSmsbox()
		if l := parseMT(t, k.next(t)); string(l.data) != "sent while Kannel was down" {
			t.Fatalf("got %q", l.data)
		}
		awaitNotice(t, notices, string(opencube.EventSMSReport), "sms_id", id)
		// The next message is the next line fakesmsc gets: no second copy.
		send("next", opencube.SMSText)
		if l := parseMT(t, k.next(t)); string(l.data) != "next" {
			t.Errorf("after the message sent once, fakesmsc got %q", l.data)
		}
	})

	t.Run("callbacks need the token", func(t *testing.T) {
		resp, err := http.Get(base + "/kannel/dlr?token=wrong&id=x&type=1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("wrong token: HTTP %d", resp.StatusCode)
		}
	})
}
