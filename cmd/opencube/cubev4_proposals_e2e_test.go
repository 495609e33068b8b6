package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2866"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/cubev4"
)

// TestCubeV4Catalogue: GET /bundles lists the plans granted to the
// enterprise, paged, with their volume, period, coverage and overage
// policy; another enterprise sees its own.
func TestCubeV4Catalogue(t *testing.T) {
	s := startV4(t, nil)
	ctx := t.Context()
	// Every plan granted to P000270: the demo's, and the core plans its
	// eSIM plans sell.
	_, granted, err := s.m.Store.FindPlans(ctx, opencube.PlanFilter{Enterprise: entP, Page: opencube.Page{Limit: 100}})
	if err != nil || granted < 3 {
		t.Fatalf("plans granted to %s: %d, %v", entP, granted, err)
	}
	all, n, err := s.p.Catalogue(ctx, 1, 100)
	if err != nil || n != granted || len(all) != n {
		t.Fatalf("Catalogue: %d of %d, %v; want %d", len(all), n, err, granted)
	}
	byID := map[string]cubev4.CatalogueBundle{}
	for _, b := range all {
		byID[b.ID] = b
	}
	m, ok := byID[planMonthly.code]
	if !ok || m.Name != planMonthly.name || m.Type != 1 || m.DataLimit != 20<<20 || m.PeriodUnit != 2 || m.PeriodNumber != 1 ||
		len(m.Coverage) != 1 || m.Coverage[0] != "CN" || m.OveragePolicy != cubev4.OverageStop || m.AllowAddOn || m.Price != "10.00" || m.Currency != "CNY" {
		t.Errorf("the monthly plan: %+v (%v)", m, ok)
	}
	if u := byID[planUnlimited.code]; u.PeriodUnit != 1 || u.OveragePolicy != "throttle 128 kbps" {
		t.Errorf("the unlimited daily plan: %+v", u)
	}
	page, n2, err := s.p.Catalogue(ctx, 2, 1)
	if err != nil || n2 != n || len(page) != 1 || page[0].ID != all[1].ID {
		t.Errorf("page 2 of 1: %+v (%d), %v", page, n2, err)
	}
	_, err = s.p.Do(ctx, "GET", "/bundles?page_size=101", nil, nil)
	wantV4(t, "page_size 101", err, 400, cubev4.CodeInvalid)
	q, n, err := s.q.Catalogue(ctx, 1, 100)
	if err != nil || n != 1 || q[0].ID != planOTA.code || !q[0].OTA {
		t.Errorf("QY-000001's catalogue: %+v (%d), %v", q, n, err)
	}
}

// TestCubeV4JobMessages: GET /sms/mt?job_id= lists the messages of one
// send, paged; another enterprise finds none; job_id is required.
func TestCubeV4JobMessages(t *testing.T) {
	s := startV4(t, nil)
	ctx := t.Context()
	sims := []string{simP(5), simP(6), simP(7)}
	job, err := s.p.SendSMS(ctx, cubev4.SendSMSRequest{SIMIDs: sims, Message: cubev4.SMSMessage{Type: 1, Content: "job"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.p.SendSMS(ctx, cubev4.SendSMSRequest{SIMIDs: sims[:1], Message: cubev4.SMSMessage{Type: 1, Content: "other"}})
	if err != nil || other == job {
		t.Fatalf("a second send: %q, %v", other, err)
	}
	ms, n, err := s.p.JobMessages(ctx, job, 0, 0)
	if err != nil || n != 3 || len(ms) != 3 {
		t.Fatalf("JobMessages: %+v (%d), %v", ms, n, err)
	}
	seen := map[string]bool{}
	for _, m := range ms {
		if m.JobID != job || m.Content.Message != "job" || m.Status != 3 || m.OrgID != entP {
			t.Errorf("a message of the send: %+v", m)
		}
		seen[m.SIMID] = true
	}
	if len(seen) != 3 {
		t.Errorf("the send's SIMs: %v", seen)
	}
	if page, n, err := s.p.JobMessages(ctx, job, 2, 2); err != nil || n != 3 || len(page) != 1 {
		t.Errorf("page 2 of 2: %+v (%d), %v", page, n, err)
	}
	if ms, n, err := s.q.JobMessages(ctx, job, 0, 0); err != nil || n != 0 || len(ms) != 0 {
		t.Errorf("another enterprise's send: %+v (%d), %v", ms, n, err)
	}
	_, err = s.p.Do(ctx, "GET", "/sms/mt", nil, nil)
	wantV4(t, "no job_id", err, 400, cubev4.CodeMissing)
}

// TestCubeV4PatchSIM: PATCH /sims/{sim_id} sets tags, notes and the
// device name, each on its own; the detail shows them; bounds, another
// enterprise's SIM, and the replay of a PATCH.
func TestCubeV4PatchSIM(t *testing.T) {
	s := startV4(t, nil)
	ctx := t.Context()
	sim := simP(2)
	if d, err := s.p.SIM(ctx, sim); err != nil || len(d.Tags) != 0 || d.Notes != nil || d.DeviceName != nil {
		t.Fatalf("a SIM without labels: %+v, %v", d, err)
	}
	tags := []string{"fleet-7", "冷链"}
	l, err := s.p.PatchSIM(ctx, sim, cubev4.PatchSIMRequest{Tags: &tags, DeviceName: ptrTo("truck 12")})
	if err != nil || len(l.Tags) != 2 || l.Tags[1] != "冷链" || l.DeviceName == nil || *l.DeviceName != "truck 12" || l.Notes != nil {
		t.Fatalf("PatchSIM: %+v, %v", l, err)
	}
	// Notes alone: the tags and name stay.
	if l, err = s.p.PatchSIM(ctx, sim, cubev4.PatchSIMRequest{Notes: ptrTo("installed 2026-01")}); err != nil || len(l.Tags) != 2 || l.Notes == nil {
		t.Fatalf("PatchSIM notes: %+v, %v", l, err)
	}
	d, err := s.p.SIM(ctx, sim)
	if err != nil || len(d.Tags) != 2 || d.Tags[0] != "fleet-7" || d.Notes == nil || *d.Notes != "installed 2026-01" || d.DeviceName == nil || *d.DeviceName != "truck 12" {
		t.Errorf("the detail after PATCH: %+v, %v", d, err)
	}
	// [] and "" remove.
	none := []string{}
	if l, err = s.p.PatchSIM(ctx, sim, cubev4.PatchSIMRequest{Tags: &none, DeviceName: ptrTo("")}); err != nil || len(l.Tags) != 0 || l.DeviceName != nil || l.Notes == nil {
		t.Errorf("PatchSIM removing: %+v, %v", l, err)
	}
	// The same PATCH again (its sign) answers the first answer, even
	// after another PATCH changed the labels.
	req, err := s.p.Sign("PATCH", "/sims/"+sim, []byte(`{"tags":["a"]}`))
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.p.Send(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.p.PatchSIM(ctx, sim, cubev4.PatchSIMRequest{Tags: &[]string{"b"}}); err != nil {
		t.Fatal(err)
	}
	again, err := s.p.Send(ctx, req)
	if err != nil || string(again.Body) != string(first.Body) {
		t.Errorf("a replayed PATCH: %s, %v; want %s", again.Body, err, first.Body)
	}
	if d, _ := s.p.SIM(ctx, sim); len(d.Tags) != 1 || d.Tags[0] != "b" {
		t.Errorf("a replayed PATCH changed the labels: %+v", d.Tags)
	}
	for _, c := range []struct {
		name string
		req  cubev4.PatchSIMRequest
		st   int
		code string
	}{
		{"nothing", cubev4.PatchSIMRequest{}, 400, cubev4.CodeMissing},
		{"an empty tag", cubev4.PatchSIMRequest{Tags: &[]string{""}}, 400, cubev4.CodeInvalid},
		{"21 tags", cubev4.PatchSIMRequest{Tags: &[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21"}}, 400, cubev4.CodeInvalid},
		{"a name of 101 characters", cubev4.PatchSIMRequest{DeviceName: ptrTo(strings.Repeat("n", 101))}, 400, cubev4.CodeInvalid},
	} {
		_, err := s.p.PatchSIM(ctx, sim, c.req)
		wantV4(t, c.name, err, c.st, c.code)
	}
	_, err = s.q.PatchSIM(ctx, sim, cubev4.PatchSIMRequest{Notes: ptrTo("mine")})
	wantV4(t, "another enterprise's SIM", err, 200, cubev4.CodeSIMNotFound)
}

// TestCubeV4Reset: PUT /sims/{sim_id}/reset answers a request id and locks
// the SIM; its job ends the SIM's open session at the NAS
// (Disconnect-Request) and keeps its bundle in use.
func TestCubeV4Reset(t *testing.T) {
	needRadclient(t)
	nas := startTestNAS(t)
	s := startV4(t, func(m *Main) {
		m.RADIUS = radiusConfig{AcctAddr: "127.0.0.1:0", AuthAddr: "127.0.0.1:0", Secret: radiusSecret, CoAPort: nas.port(), SessionTimeout: time.Hour}
	})
	ctx := t.Context()
	sim := simP(3)
	added, err := s.p.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10, Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	acct(t, s.e2eServer, "Start", imsiOf(sim), "reset-session", clockStart.Add(time.Minute), 0, 0)
	id, err := s.p.Reset(ctx, sim)
	if err != nil || id == "" {
		t.Fatalf("Reset: %q, %v", id, err)
	}
	_, err = s.p.Suspend(ctx, sim)
	wantV4(t, "suspend while resetting", err, 200, cubev4.CodePending)
	s.runJobs(t)
	select {
	case p := <-nas.got:
		if p.Code != radius.CodeDisconnectRequest || rfc2866.AcctSessionID_GetString(p) != "reset-session" {
			t.Errorf("the NAS got %v for session %q", p.Code, rfc2866.AcctSessionID_GetString(p))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no Disconnect-Request at the NAS")
	}
	if res, err := s.p.AsyncResult(ctx, id); err != nil || res.Status != 1 || res.Operation != "reset" {
		t.Fatalf("the reset: %+v, %v", res, err)
	}
	if bs, _, err := s.p.Bundles(ctx, sim, "1", 0, 0); err != nil || len(bs) != 1 || bs[0].OrderID != added.OrderID {
		t.Errorf("the bundle in use after a reset: %+v, %v", bs, err)
	}
	_, err = s.q.Reset(ctx, sim)
	wantV4(t, "reset another enterprise's SIM", err, 200, cubev4.CodeSIMNotFound)
}

// TestCubeV4NetworkLock: PUT /sims/{sim_id}/network_lock locks a SIM to a
// device and a network: RADIUS authorization refuses it from another
// device, without a device, or on another network, and accepts it again
// once unlocked; the SIM's session is ended so that it attaches again.
func TestCubeV4NetworkLock(t *testing.T) {
	needRadclient(t)
	nas := startTestNAS(t)
	s := startV4(t, func(m *Main) {
		m.RADIUS = radiusConfig{AcctAddr: "127.0.0.1:0", AuthAddr: "127.0.0.1:0", Secret: radiusSecret, CoAPort: nas.port(), SessionTimeout: time.Hour}
	})
	ctx := t.Context()
	sim := simP(4)
	imsi := imsiOf(sim)
	if _, err := s.p.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10, Activate: true}); err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	auth := func(extra ...string) (string, bool) {
		return radclient(t, s.m.AuthAddr(), "auth", append([]string{fmt.Sprintf("User-Name = \"%s\"", imsi), "User-Password = \"x\"",
			fmt.Sprintf("3GPP-IMSI = \"%s\"", imsi)}, extra...)...)
	}
	const mine, other = `3GPP-IMEISV = "4901542032375101"`, `3GPP-IMEISV = "3530000000000001"`
	if out, ok := auth(other); !ok {
		t.Fatalf("auth before the lock:\n%s", out)
	}
	acct(t, s.e2eServer, "Start", imsi, "lock-session", clockStart.Add(time.Minute), 0, 0, mine)
	id, err := s.p.NetworkLock(ctx, sim, cubev4.NetworkLockRequest{IMEI: "490154203237518", MCC: "460", MNC: "01"})
	if err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	if res, err := s.p.AsyncResult(ctx, id); err != nil || res.Status != 1 || res.Operation != "network_lock" {
		t.Fatalf("the lock: %+v, %v", res, err)
	}
	select {
	case p := <-nas.got:
		if rfc2866.AcctSessionID_GetString(p) != "lock-session" {
			t.Errorf("the NAS was asked to end %q", rfc2866.AcctSessionID_GetString(p))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no Disconnect-Request at the NAS")
	}
	for _, c := range []struct {
		name  string
		attrs []string
		ok    bool
		why   string
	}{
		{"its device on its network", []string{mine, `3GPP-SGSN-MCC-MNC = "46001"`}, true, ""},
		{"another device", []string{other, `3GPP-SGSN-MCC-MNC = "46001"`}, false, "locked to another device"},
		{"no device said", []string{`3GPP-SGSN-MCC-MNC = "46001"`}, false, "locked to another device"},
		{"another network", []string{mine, `3GPP-SGSN-MCC-MNC = "46000"`}, false, "locked to another network"},
	} {
		out, ok := auth(c.attrs...)
		if ok != c.ok || !strings.Contains(out, c.why) {
			t.Errorf("%s: accepted=%v\n%s", c.name, ok, out)
		}
	}
	// {} unlocks.
	if _, err := s.p.NetworkLock(ctx, sim, cubev4.NetworkLockRequest{}); err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	if out, ok := auth(other); !ok {
		t.Errorf("auth after unlocking:\n%s", out)
	}
	for _, c := range []struct {
		name string
		req  cubev4.NetworkLockRequest
		st   int
		code string
	}{
		{"a short IMEI", cubev4.NetworkLockRequest{IMEI: "4901542"}, 400, cubev4.CodeInvalid},
		{"mcc without mnc", cubev4.NetworkLockRequest{MCC: "460"}, 400, cubev4.CodeMissing},
		{"a 4-digit mnc", cubev4.NetworkLockRequest{MCC: "460", MNC: "0001"}, 400, cubev4.CodeInvalid},
	} {
		_, err := s.p.NetworkLock(ctx, sim, c.req)
		wantV4(t, c.name, err, c.st, c.code)
	}
	_, err = s.q.NetworkLock(ctx, sim, cubev4.NetworkLockRequest{})
	wantV4(t, "another enterprise's SIM", err, 200, cubev4.CodeSIMNotFound)
}
