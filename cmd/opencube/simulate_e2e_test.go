package main

// `opencube simulate` as a NAS: it answers the server's Disconnect-Requests
// and ends those sessions, and stops its open sessions when it ends.

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc3576"

	"github.com/opencube/opencube"
)

// lockedBuffer is a bytes.Buffer for writers on several goroutines (the
// server's log).
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freeUDPPort returns a loopback UDP port that was free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// simulateSummary reads simulate's last line.
var simulateSummary = regexp.MustCompile(`: (\d+) acknowledged, (\d+) failed; (\d+) Disconnect-Requests answered \((\d+) of unknown sessions\), (\d+) sessions stopped at the end\n$`)

// summary returns simulate's counts: acknowledged, failed, Disconnect-
// Requests answered, those of unknown sessions, sessions stopped at the end.
func summary(t *testing.T, out string) [5]int {
	t.Helper()
	m := simulateSummary.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("simulate printed %q", out)
	}
	var n [5]int
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return n
}

// online reports whether the CSSS shows a SIM in a session.
func online(t *testing.T, s *e2eServer, iccid string) bool {
	t.Helper()
	return s.ok(t, s.p, "/device/queryDeviceInfo", map[string]any{"device_id": iccid})["online"] == "1"
}

// TestSimulateDisconnect: a 20 MB order runs out under the simulator; the
// server's Disconnect-Requests reach it at its --coa-port, it answers each
// with Disconnect-ACK and a Stop of that session, and the server logs no
// failed Disconnect-Request. A Disconnect-Request for a session it does
// not hold gets Disconnect-NAK (Session-Context-Not-Found).
func TestSimulateDisconnect(t *testing.T) {
	coa := freeUDPPort(t)
	var log lockedBuffer
	s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
		m.RADIUS = radiusConfig{AcctAddr: "127.0.0.1:0", AuthAddr: "127.0.0.1:0", Secret: radiusSecret, CoAPort: coa, SessionTimeout: time.Hour}
		m.Stderr = &log
	})
	s.clock.Set(time.Now()) // the simulator stamps records with the wall clock
	sim := simP(0)
	s.mustOrder(t, s.p, planMonthly.order(sim, true))

	type result struct {
		out, errOut string
		err         error
	}
	done := make(chan result, 1)
	go func() {
		var out, errOut strings.Builder
		err := dispatch(context.Background(), []string{"simulate", "--server", s.m.AcctAddr(), "--secret", radiusSecret,
			"--sims", "1", "--imsi-start", imsiOf(sim), "--interims", "100000", "--rate", "200", "--duration", "2s",
			"--coa-port", strconv.Itoa(coa)}, nil, &out, &errOut)
		done <- result{out.String(), errOut.String(), err}
	}()

	// A Disconnect-Request of a session the simulator does not hold.
	req := radius.New(radius.CodeDisconnectRequest, []byte(radiusSecret))
	rfc2866.AcctSessionID_SetString(req, "no-such-session")
	var nak *radius.Packet
	for deadline := time.Now().Add(1500 * time.Millisecond); nak == nil && time.Now().Before(deadline); {
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		nak, _ = radius.Exchange(ctx, req, "127.0.0.1:"+strconv.Itoa(coa))
		cancel()
	}
	if nak == nil || nak.Code != radius.CodeDisconnectNAK || rfc3576.ErrorCause_Get(nak) != rfc3576.ErrorCause_Value_SessionContextNotFound {
		t.Errorf("Disconnect-Request of an unknown session answered %v", nak)
	}

	r := <-done
	if r.err != nil {
		t.Fatalf("simulate: %v\n%s%s", r.err, r.out, r.errOut)
	}
	n := summary(t, r.out)
	if n[1] != 0 || n[2] < 2 || n[3] != 1 {
		t.Errorf("simulate: %s(want no failure, Disconnect-Requests answered, one of them unknown)", r.out)
	}
	if strings.Contains(log.String(), "Disconnect-Request failed") {
		t.Errorf("the server could not disconnect the simulator's sessions:\n%s", log.String())
	}
	if online(t, s, sim) {
		t.Error("the SIM is still online after the simulator ended")
	}
	u := s.ok(t, s.p, "/flow/queryDeviceFlowUsage", map[string]any{"device_id": sim})
	if used, _ := strconv.ParseFloat(u["order_used_flow"].(string), 64); used < 20 {
		t.Errorf("usage %v MB: the order did not run out", u["order_used_flow"])
	}
}

// TestSimulateStopsAtTheEnd: sessions still open when --duration ends get
// their Stop, so the SIMs go offline at once.
func TestSimulateStopsAtTheEnd(t *testing.T) {
	s := startRADIUSServer(t, 0)
	s.clock.Set(time.Now())
	var out, errOut strings.Builder
	err := dispatch(t.Context(), []string{"simulate", "--server", s.m.AcctAddr(), "--secret", radiusSecret, "--coa-port", "0",
		"--sims", "3", "--interims", "100000", "--rate", "300", "--duration", "300ms"}, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("simulate: %v\n%s%s", err, out.String(), errOut.String())
	}
	if n := summary(t, out.String()); n[1] != 0 || n[4] != 3 {
		t.Errorf("simulate: %s(want 3 sessions stopped at the end)", out.String())
	}
	for i := range 3 {
		if online(t, s, simP(i)) {
			t.Errorf("SIM %s is still online after the simulator ended", simP(i))
		}
	}
	// The sessions were real: each booked usage before its Stop.
	for i := range 3 {
		now := time.Now()
		days, err := s.m.Store.FindDailyUsage(t.Context(), simP(i), opencube.Day(now.Add(-24*time.Hour)), opencube.Day(now.Add(24*time.Hour)))
		if err != nil || len(days) == 0 {
			t.Errorf("SIM %s booked nothing: %v %v", simP(i), days, err)
		}
	}
}
