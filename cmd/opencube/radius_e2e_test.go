package main

// End-to-end tests of the packet core side: the real Main with its RADIUS
// accounting and authorization listeners, driven by radclient (Debian's
// freeradius-utils, installed by scripts/test), and a test NAS that takes
// Disconnect-Requests. They run on both stores, like the CSSS tests.

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
)

const radiusSecret = "radius-testing-123"

// needRadclient returns radclient's path; without it the test is skipped,
// or fails when CI=true.
func needRadclient(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("radclient")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("radclient not found (apt install freeradius-utils); CI=true requires it")
		}
		t.Skip("radclient not found (apt install freeradius-utils)")
	}
	return path
}

// startRADIUSServer is startServer with the RADIUS listeners on
// 127.0.0.1:0 and Disconnect-Requests sent to coaPort (0: none).
func startRADIUSServer(t *testing.T, coaPort int) *e2eServer {
	t.Helper()
	return startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
		m.RADIUS = radiusConfig{AcctAddr: "127.0.0.1:0", AuthAddr: "127.0.0.1:0", Secret: radiusSecret, CoAPort: coaPort, SessionTimeout: time.Hour}
	})
}

// radclient sends one request of kind (acct, auth) with the attributes
// given one per line, and returns radclient's output and whether it got
// the answer it expects (Accounting-Response, Access-Accept).
func radclient(t *testing.T, addr, kind string, attrs ...string) (string, bool) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), needRadclient(t), "-x", "-r", "1", "-t", "5", addr, kind, radiusSecret)
	cmd.Stdin = strings.NewReader(strings.Join(attrs, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil && !strings.Contains(string(out), "Access-Reject") {
		t.Fatalf("radclient %s: %v\n%s", kind, err, out)
	}
	return string(out), err == nil
}

// acct sends one accounting record of session sid of imsi, dated at.
func acct(t *testing.T, s *e2eServer, typ, imsi, sid string, at time.Time, in, out int64, extra ...string) {
	t.Helper()
	attrs := []string{
		"Acct-Status-Type = " + typ,
		fmt.Sprintf("3GPP-IMSI = \"%s\"", imsi),
		fmt.Sprintf("User-Name = \"%s\"", imsi),
		fmt.Sprintf("Acct-Session-Id = \"%s\"", sid),
		"NAS-IP-Address = 127.0.0.1",
		"3GPP-SGSN-MCC-MNC = \"46001\"",
		fmt.Sprintf("Event-Timestamp = %d", at.Unix()),
		fmt.Sprintf("Acct-Input-Octets = %d", in&0xffffffff),
		fmt.Sprintf("Acct-Output-Octets = %d", out&0xffffffff),
		fmt.Sprintf("Acct-Input-Gigawords = %d", in>>32),
		fmt.Sprintf("Acct-Output-Gigawords = %d", out>>32),
	}
	if typ != "Start" {
		attrs = append(attrs, fmt.Sprintf("Acct-Session-Time = %d", int(at.Sub(clockStart).Seconds())))
	}
	out2, ok := radclient(t, s.m.AcctAddr(), "acct", append(attrs, extra...)...)
	if !ok || !strings.Contains(out2, "Accounting-Response") {
		t.Fatalf("no Accounting-Response to %s:\n%s", typ, out2)
	}
}

// TestRADIUSAccounting plays a session with radclient — Start, Interims,
// a duplicated and a reordered Interim, Stop — and checks that the usage
// endpoints show exactly the octets sent, and the SIM endpoints the session.
func TestRADIUSAccounting(t *testing.T) {
	needRadclient(t)
	s := startRADIUSServer(t, 0)
	iccid := simP(0)
	imsi := imsiOf(iccid)
	s.mustOrder(t, s.p, planMonthly.order(iccid, true))
	t0 := clockStart.Add(time.Minute)

	acct(t, s, "Start", imsi, "sess-1", t0, 0, 0)
	info := s.ok(t, s.p, "/device/queryDeviceInfo", map[string]any{"device_id": iccid})
	if info["online"] != "1" || info["network"] != "46001" || info["session_start_time"] != "2024-01-31 10:01:00" {
		t.Errorf("queryDeviceInfo during the session = %v", info)
	}
	acct(t, s, "Interim-Update", imsi, "sess-1", t0.Add(5*time.Minute), 100_000, 200_000)
	acct(t, s, "Interim-Update", imsi, "sess-1", t0.Add(5*time.Minute), 100_000, 200_000) // duplicated
	acct(t, s, "Interim-Update", imsi, "sess-1", t0.Add(15*time.Minute), 1_000_000, 2_500_000)
	acct(t, s, "Interim-Update", imsi, "sess-1", t0.Add(10*time.Minute), 500_000, 900_000) // late, out of order
	acct(t, s, "Stop", imsi, "sess-1", t0.Add(20*time.Minute), 1_234_567, 2_654_321)
	const total = 1_234_567 + 2_654_321

	days, err := s.m.Store.FindDailyUsage(t.Context(), iccid, 20240131, 20240131)
	if err != nil || len(days) != 1 || days[0].Bytes != total {
		t.Fatalf("daily usage = %v, %v; want %d bytes on 20240131", days, err, total)
	}
	asOf := "2024-01-31 10:21:00"
	u := s.ok(t, s.p, "/flow/queryDeviceFlowUsage", map[string]any{"device_id": iccid})
	if u["order_used_flow"] != csss.FormatMB(total) || u["high_flow_balance"] != csss.FormatMB(20*opencube.MB-total) || u["as_of"] != asOf {
		t.Errorf("queryDeviceFlowUsage = %v; want used %s", u, csss.FormatMB(total))
	}
	d := s.ok(t, s.p, "/flow/queryDeviceDailyFlow", map[string]any{"device_id": iccid, "date": "20240131"})
	if d["used_flow"] != csss.FormatMB(total) || d["as_of"] != asOf {
		t.Errorf("queryDeviceDailyFlow = %v", d)
	}
	mo := s.ok(t, s.p, "/flow/batchQueryMonthFlow", map[string]any{"deviceList": []string{iccid, simP(1)}, "month": "202401"})
	items := mo["device_flow"].([]any)
	if items[0].(map[string]any)["used_flow"] != csss.FormatMB(total) || items[1].(map[string]any)["used_flow"] != "0" {
		t.Errorf("batchQueryMonthFlow = %v", mo)
	}
	b := s.ok(t, s.p, "/flow/batchQueryDeviceFlowUsage", map[string]any{"deviceList": []string{iccid, simQ(0)}})
	bi := b["device_flow"].([]any)
	if bi[0].(map[string]any)["order_used_flow"] != csss.FormatMB(total) || bi[1].(map[string]any)["error"] != "2001" {
		t.Errorf("batchQueryDeviceFlowUsage = %v", b)
	}
	g := s.ok(t, s.p, "/flow/getInfoByDeviceId", map[string]any{"device_id": iccid})
	if g["remaining_flow"] != csss.FormatMB(20*opencube.MB-total) || g["imsi"] != imsi {
		t.Errorf("getInfoByDeviceId = %v", g)
	}
	orders := s.orders(t, s.p, map[string]any{"device_id": iccid})
	if orders[0]["usedFlow"] != csss.FormatMB(total) {
		t.Errorf("queryOrder usedFlow = %s, want %s", orders[0]["usedFlow"], csss.FormatMB(total))
	}
	info = s.ok(t, s.p, "/device/queryDeviceInfo", map[string]any{"device_id": iccid})
	if info["online"] != "0" || info["imsi"] != imsi || info["status"] != "2" || info["package_code"] != planMonthly.code {
		t.Errorf("queryDeviceInfo after the Stop = %v", info)
	}
	using := s.ok(t, s.p, "/device/queryUsingDeviceList", map[string]any{"page_no": 1, "page_size": 10})
	if n := len(using["device_list"].([]any)); n != 1 {
		t.Errorf("queryUsingDeviceList lists %d SIMs, want 1: %v", n, using)
	}
	all := s.ok(t, s.p, "/device/queryDeviceList", map[string]any{"page_no": 1, "page_size": 3})
	if p := all["page"].(map[string]any); fmt.Sprint(p["total_count"]) != "10" || len(all["device_list"].([]any)) != 3 {
		t.Errorf("queryDeviceList = %v", all)
	}

	// D20: a session across UTC+8 midnight is split by the record times.
	late := time.Date(2024, 1, 31, 23, 50, 0, 0, opencube.BusinessZone)
	acct(t, s, "Start", imsiOf(simP(5)), "sess-m", late, 0, 0)
	acct(t, s, "Stop", imsiOf(simP(5)), "sess-m", late.Add(20*time.Minute), 1000, 200)
	for day, want := range map[string]string{"20240131": csss.FormatMB(600), "20240201": csss.FormatMB(600)} {
		d := s.ok(t, s.p, "/flow/queryDeviceDailyFlow", map[string]any{"device_id": simP(5), "date": day})
		if d["used_flow"] != want {
			t.Errorf("queryDeviceDailyFlow %s = %v, want %s", day, d["used_flow"], want)
		}
	}
	if days, err := s.m.Store.FindDailyUsage(t.Context(), simP(5), 20240131, 20240201); err != nil || len(days) != 2 || days[0].Bytes != 600 || days[1].Bytes != 600 {
		t.Errorf("daily usage across midnight = %v, %v; want 600 and 600 bytes", days, err)
	}

	// Gigawords: 2^32 + 5 input octets in one Stop of a SIM without order.
	acct(t, s, "Stop", imsiOf(simP(1)), "sess-g", t0.Add(30*time.Minute), 1<<32+5, 7)
	days, err = s.m.Store.FindDailyUsage(t.Context(), simP(1), 20240131, 20240131)
	if err != nil || len(days) != 1 || days[0].Bytes != 1<<32+12 {
		t.Errorf("daily usage with gigawords = %v, %v; want %d", days, err, int64(1<<32+12))
	}
}

// testNAS is a NAS's Disconnect-Request listener.
type testNAS struct {
	conn *net.UDPConn
	got  chan *radius.Packet
}

func startTestNAS(t *testing.T) *testNAS {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	n := &testNAS{conn: conn, got: make(chan *radius.Packet, 8)}
	go func() {
		buf := make([]byte, radius.MaxPacketLength)
		for {
			k, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			p, err := radius.Parse(buf[:k], []byte(radiusSecret))
			if err != nil {
				continue
			}
			n.got <- p
			if raw, err := p.Response(radius.CodeDisconnectACK).Encode(); err == nil {
				conn.WriteTo(raw, from)
			}
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return n
}

func (n *testNAS) port() int { return n.conn.LocalAddr().(*net.UDPAddr).Port }

// TestRADIUSQuotaRunsOut uses up a 20 MB order mid-session: the NAS gets a
// Disconnect-Request for the session, and the next session is rejected.
func TestRADIUSQuotaRunsOut(t *testing.T) {
	needRadclient(t)
	nas := startTestNAS(t)
	s := startRADIUSServer(t, nas.port())
	iccid := simP(2)
	imsi := imsiOf(iccid)
	auth := func() (string, bool) {
		return radclient(t, s.m.AuthAddr(), "auth", fmt.Sprintf("User-Name = \"%s\"", imsi), "User-Password = \"x\"",
			fmt.Sprintf("3GPP-IMSI = \"%s\"", imsi))
	}
	if out, ok := auth(); ok || !strings.Contains(out, "no plan in use") {
		t.Fatalf("auth without a plan: accepted=%v\n%s", ok, out)
	}
	s.mustOrder(t, s.p, planMonthly.order(iccid, true))
	if out, ok := auth(); !ok {
		t.Fatalf("auth with a fresh plan rejected:\n%s", out)
	}
	t0 := clockStart.Add(time.Minute)
	acct(t, s, "Start", imsi, "sess-q", t0, 0, 0)
	acct(t, s, "Interim-Update", imsi, "sess-q", t0.Add(time.Minute), 10*opencube.MB, 5*opencube.MB)
	select {
	case p := <-nas.got:
		t.Fatalf("Disconnect-Request before the quota ran out: %v", p.Code)
	default:
	}
	acct(t, s, "Interim-Update", imsi, "sess-q", t0.Add(2*time.Minute), 12*opencube.MB, 9*opencube.MB)
	select {
	case p := <-nas.got:
		if p.Code != radius.CodeDisconnectRequest || rfc2866.AcctSessionID_GetString(p) != "sess-q" || rfc2865.UserName_GetString(p) != imsi {
			t.Errorf("NAS got %v for session %q", p.Code, rfc2866.AcctSessionID_GetString(p))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no Disconnect-Request at the NAS")
	}
	acct(t, s, "Stop", imsi, "sess-q", t0.Add(3*time.Minute), 12*opencube.MB, 9*opencube.MB)
	out, ok := auth()
	if ok || !strings.Contains(out, "data quota used up") {
		t.Errorf("auth after the quota ran out: accepted=%v\n%s", ok, out)
	}
	// The operator suspends the SIM: rejected for that reason.
	if _, err := s.m.Services.SIMs.MoveSIM(t.Context(), iccid, opencube.SIMSuspend); err != nil {
		t.Fatal(err)
	}
	if out, _ := auth(); !strings.Contains(out, "SIM is suspended") {
		t.Errorf("auth of a suspended SIM:\n%s", out)
	}
}

// TestRADIUSThrottle: an unlimited daily plan past its high-speed volume is
// accepted with the throttle speed.
func TestRADIUSThrottle(t *testing.T) {
	needRadclient(t)
	s := startRADIUSServer(t, 0)
	iccid := simP(3)
	imsi := imsiOf(iccid)
	s.mustOrder(t, s.p, planUnlimited.order(iccid, true))
	acct(t, s, "Stop", imsi, "sess-u", clockStart.Add(time.Minute), 2048*opencube.MB, 1)
	out, ok := radclient(t, s.m.AuthAddr(), "auth", fmt.Sprintf("User-Name = \"%s\"", imsi), "User-Password = \"x\"")
	if !ok || !strings.Contains(out, "throttle=128kbps") {
		t.Errorf("auth of a throttled unlimited plan: accepted=%v\n%s", ok, out)
	}
}

// TestSIMMoves drives the SIM state machine through the admin CLI and API:
// allowed moves print the new state, refused ones a sim_state error (exit
// code 3, HTTP 409).
func TestSIMMoves(t *testing.T) {
	m := startAdminMain(t)
	if _, _, err := adminRun(t, m, "", "enterprise", "create", "--access-code", "ACME", "--secret", "acme-secret-1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := adminRun(t, m, "iccid,imsi,enterprise,status\n89852000000000000003,454000000000003,ACME,inventory\n", "sims", "import"); err != nil {
		t.Fatal(err)
	}
	const iccid = "89852000000000000003"
	tests := []struct {
		move, want, fail string
	}{
		{"suspend", "", "cannot suspend a SIM that is inventory"},
		{"activate", "SIM 89852000000000000003 is active\n", ""},
		{"activate", "", "cannot activate a SIM that is active"},
		{"suspend", "SIM 89852000000000000003 is suspended\n", ""},
		{"activate", "SIM 89852000000000000003 is active\n", ""},
		{"terminate", "SIM 89852000000000000003 is terminated\n", ""},
		{"activate", "", "cannot activate a SIM that is terminated"},
	}
	for i, tt := range tests {
		out, _, err := adminRun(t, m, "", "sim", tt.move, iccid)
		if tt.fail != "" {
			var ec exitCoder
			if err == nil || !strings.Contains(err.Error(), tt.fail) || !strings.Contains(err.Error(), "sim_state") || !errors.As(err, &ec) || ec.ExitCode() != 3 {
				t.Errorf("%d: sim %s: err = %v, want %q", i, tt.move, err, tt.fail)
			}
			continue
		}
		if err != nil || out != tt.want {
			t.Errorf("%d: sim %s = %q, %v; want %q", i, tt.move, out, err, tt.want)
		}
	}
	if _, _, err := adminRun(t, m, "", "sim", "activate", "89852000000000000999"); err == nil || !strings.Contains(err.Error(), "device_not_found") {
		t.Errorf("moving an unknown SIM: %v", err)
	}
	req, _ := http.NewRequest("POST", m.URL()+"/admin/v1/sims/"+iccid+"/activate", nil)
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("refused move: HTTP %d, want 409", resp.StatusCode)
	}
}

// TestRADIUSSessionTimeout loses a session's Stop: the node's session
// sweep, a background job, closes it once it has been silent for the
// session timeout, and the SIM shows offline.
func TestRADIUSSessionTimeout(t *testing.T) {
	needRadclient(t)
	s := startRADIUSServer(t, 0)
	iccid := simP(6)
	acct(t, s, "Start", imsiOf(iccid), "sess-lost", clockStart.Add(time.Minute), 0, 0)
	online := func() any {
		return s.ok(t, s.p, "/device/queryDeviceInfo", map[string]any{"device_id": iccid})["online"]
	}
	if got := online(); got != "1" {
		t.Fatalf("online = %v during the session", got)
	}
	s.clock.Advance(30 * time.Minute) // the sweep runs, but the session is not silent for an hour yet
	if _, err := s.m.Worker.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := online(); got != "1" {
		t.Fatalf("online = %v after 30 minutes", got)
	}
	s.clock.Advance(time.Hour)
	if _, err := s.m.Worker.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := online(); got != "0" {
		t.Errorf("online = %v after the session timeout", got)
	}
}
