package main

// The subscriber register end to end: a real OsmoHLR (hlrtest), a real
// server provisioning it, and the register read back through its own CTRL
// interface. OsmoHLR binds fixed ports: one test function, its steps as
// subtests.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/hlr"
	"github.com/opencube/opencube/hlr/hlrtest"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/seal"
)

// withHLR configures a server to provision the test's OsmoHLR.
func withHLR(m *Main) {
	m.HLR.Register, m.HLR.Ctrl, m.HLR.Reconcile, m.HLR.RetryMax = "osmo", hlrtest.CtrlAddr, 0, time.Minute
	m.AdminToken = "t"
}

// runHLRJobs runs a node's due register jobs until none is left due.
func runHLRJobs(t *testing.T, m *Main) {
	t.Helper()
	for i := 0; i < 100; i++ {
		n, err := m.HLR.Worker.RunOnce(t.Context())
		if err != nil {
			t.Fatalf("register jobs: %v", err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("register jobs never ran out")
}

// subscriberOf reads the register's subscriber of imsi; nil when absent.
func subscriberOf(t *testing.T, o *hlr.Osmo, imsi string) *hlr.Subscriber {
	t.Helper()
	s, err := o.Subscriber(t.Context(), imsi)
	if errors.Is(err, hlr.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatalf("subscriber %s: %v", imsi, err)
	}
	return s
}

// wantSubscriber checks the register's record of imsi: present with msisdn
// and access on, or off; absent when msisdn is "-".
func wantSubscriber(t *testing.T, o *hlr.Osmo, imsi, msisdn string, access bool) {
	t.Helper()
	s := subscriberOf(t, o, imsi)
	switch {
	case msisdn == "-" && s != nil:
		t.Errorf("subscriber %s is in the register: %+v", imsi, s)
	case msisdn == "-":
	case s == nil:
		t.Errorf("subscriber %s is not in the register", imsi)
	case s.MSISDN != msisdn || s.CS != access || s.PS != access:
		t.Errorf("subscriber %s = %+v, want MSISDN %s, CS and PS %v", imsi, s, msisdn, access)
	}
}

// counter reads a counter of a server's metrics with the label value.
func counter(t *testing.T, m *Main, name, label, value string) float64 {
	t.Helper()
	mfs, err := m.Metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var c *dto.Counter
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, mt := range mf.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					c = mt.GetCounter()
				}
			}
		}
	}
	return c.GetValue()
}

func TestHLRProvisioning(t *testing.T) {
	reg := hlrtest.Start(t)
	o := hlr.NewOsmo(hlrtest.CtrlAddr)
	t.Cleanup(func() { o.Close() })
	ctx := t.Context()
	s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, withHLR)
	ad := s.admin()
	const ki, opc = "00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100"

	t.Run("demo SIMs", func(t *testing.T) {
		runHLRJobs(t, s.m)
		for i := 0; i < 10; i++ {
			wantSubscriber(t, o, imsiOf(simP(i)), "852"+simP(i)[len(simP(i))-8:], true)
		}
	})
	t.Run("import", func(t *testing.T) {
		csv := "iccid,imsi,msisdn,enterprise,status,ki,opc,algorithm\n" +
			"89860000000000024001,901700000024001,491700024001,P000270,active," + ki + "," + opc + ",\n" +
			"89860000000000024002,901700000024002,491700024002,P000270,inventory," + ki + ",,comp128v1\n" +
			"89860000000000024003,901700000024003,,P000270,,,,\n"
		if n, err := ad.ImportCSV(ctx, strings.NewReader(csv)); err != nil || n != 3 {
			t.Fatalf("import = %d, %v", n, err)
		}
		d, err := ad.SIM(ctx, "89860000000000024001")
		if err != nil || d.Provisioning == nil || d.Provisioning.State != operator.ProvisionPending {
			t.Fatalf("before the jobs ran: %+v, %v", d.Provisioning, err)
		}
		runHLRJobs(t, s.m)
		wantSubscriber(t, o, "901700000024001", "491700024001", true)
		wantSubscriber(t, o, "901700000024002", "491700024002", false) // inventory: known, not attached
		wantSubscriber(t, o, "901700000024003", "", true)
		// Through the Go SDK's JSON import too.
		if err := ad.ImportSIMs(ctx, []*opencube.SIM{{ICCID: "89860000000000024006", IMSI: "901700000024006", MSISDN: "491700024006", EnterpriseCode: entP,
			Auth: &opencube.SIMAuth{Ki: ki, OPc: opc}}}); err != nil {
			t.Fatal(err)
		}
		if a, err := s.m.Store.SIMAuth(ctx, "89860000000000024006"); err != nil || a == nil || a.Algorithm != "milenage" || a.Ki != ki || a.OPc != opc {
			t.Fatalf("stored auth = %+v, %v", a != nil, err)
		}
		runHLRJobs(t, s.m)
		wantSubscriber(t, o, "901700000024006", "491700024006", true)
		// The authentication data reached the register.
		for imsi, want := range map[string][2]string{"901700000024001": {"", "MILENAGE"}, "901700000024002": {"COMP128v1", ""},
			"901700000024003": {"", ""}, "901700000024006": {"", "MILENAGE"}} {
			if g2, g3, err := o.AuthAlgorithms(ctx, imsi); err != nil || g2 != want[0] || g3 != want[1] {
				t.Errorf("register auth of %s = %q, %q, %v; want %q", imsi, g2, g3, err, want)
			}
		}
		d, err = ad.SIM(ctx, "89860000000000024001")
		if err != nil || d.Provisioning == nil || d.Provisioning.State != operator.ProvisionDone || d.Provisioning.IMSI != "901700000024001" {
			t.Fatalf("after: %+v, %v", d.Provisioning, err)
		}
		// The keys are never shown: not in the SIM's page, nor its list.
		for _, path := range []string{"/admin/v1/sims/89860000000000024001", "/admin/v1/sims?q=8986000000000002400"} {
			body := adminGet(t, s, path)
			if strings.Contains(strings.ToLower(body), ki) || strings.Contains(strings.ToLower(body), opc) {
				t.Errorf("%s shows the SIM's key: %s", path, body)
			}
		}
		// A bad key is refused at the import, without quoting it.
		_, err = ad.ImportCSV(ctx, strings.NewReader("iccid,imsi,enterprise,ki\n89860000000000024009,901700000024009,P000270,0011zz\n"))
		if opencube.ErrorKind(err) != opencube.KindInvalid || strings.Contains(err.Error(), "0011zz") {
			t.Errorf("bad ki: %v", err)
		}
	})
	t.Run("states", func(t *testing.T) {
		const iccid, imsi = "89860000000000024001", "901700000024001"
		for _, step := range []struct {
			move   opencube.SIMMove
			access bool
		}{{opencube.SIMSuspend, false}, {opencube.SIMActivate, true}} {
			if _, err := ad.MoveSIM(ctx, iccid, step.move); err != nil {
				t.Fatal(err)
			}
			runHLRJobs(t, s.m)
			wantSubscriber(t, o, imsi, "491700024001", step.access)
		}
		// Several changes before the job runs: the register ends where the
		// SIM does.
		for _, move := range []opencube.SIMMove{opencube.SIMSuspend, opencube.SIMActivate, opencube.SIMSuspend} {
			if _, err := ad.MoveSIM(ctx, iccid, move); err != nil {
				t.Fatal(err)
			}
		}
		runHLRJobs(t, s.m)
		wantSubscriber(t, o, imsi, "491700024001", false)
		if _, err := ad.MoveSIM(ctx, iccid, opencube.SIMTerminate); err != nil {
			t.Fatal(err)
		}
		runHLRJobs(t, s.m)
		wantSubscriber(t, o, imsi, "-", false)
	})
	t.Run("IMSI change", func(t *testing.T) {
		ord := s.ok(t, s.q, "/package/createOtaOrder", planOTA.ota(simQ(0)))["order_id"].(string)
		s.ok(t, s.q, "/package/openOrder", map[string]any{"order_id": ord})
		const imsi = "454009999924001"
		if _, err := ad.DownloadIMSI(ctx, simQ(0), imsi); err != nil {
			t.Fatal(err)
		}
		runHLRJobs(t, s.m)
		wantSubscriber(t, o, imsi, "852"+simQ(0)[len(simQ(0))-8:], true)
		wantSubscriber(t, o, imsiOf(simQ(0)), "-", false)
	})
	t.Run("register down", func(t *testing.T) {
		reg.Stop()
		// Every change commits while the register is down.
		if _, err := ad.MoveSIM(ctx, simP(1), opencube.SIMSuspend); err != nil {
			t.Fatal(err)
		}
		if err := ad.ImportSIMs(ctx, []*opencube.SIM{{ICCID: "89860000000000024004", IMSI: "901700000024004", MSISDN: "491700024004", EnterpriseCode: entP}}); err != nil {
			t.Fatal(err)
		}
		if _, err := ad.MoveSIM(ctx, simP(2), opencube.SIMTerminate); err != nil {
			t.Fatal(err)
		}
		runHLRJobs(t, s.m)
		d, err := ad.SIM(ctx, simP(1))
		if err != nil || d.Provisioning == nil || d.Provisioning.State != operator.ProvisionPending ||
			!strings.Contains(d.Provisioning.LastError, "unreachable") || d.Provisioning.Attempts != 1 {
			t.Fatalf("while the register is down: %+v, %v", d.Provisioning, err)
		}
		if st, err := ad.HLRStatus(ctx); err != nil || st.Pending != 3 || st.Register != "osmo" {
			t.Fatalf("status = %+v, %v", st, err)
		}
		reg.Restart()
		s.clock.Advance(2 * time.Minute) // the retries come due
		runHLRJobs(t, s.m)
		wantSubscriber(t, o, imsiOf(simP(1)), "852"+simP(1)[len(simP(1))-8:], false)
		wantSubscriber(t, o, "901700000024004", "491700024004", true)
		wantSubscriber(t, o, imsiOf(simP(2)), "-", false)
		if st, err := ad.HLRStatus(ctx); err != nil || st.Pending != 0 || st.Failed != 0 {
			t.Fatalf("status after = %+v, %v", st, err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		// A subscriber made by hand holds the MSISDN the import gives a SIM:
		// the register refuses it the MSISDN.
		if err := o.Create(ctx, "901700000024099"); err != nil {
			t.Fatal(err)
		}
		if err := o.SetMSISDN(ctx, "901700000024099", "491700024005"); err != nil {
			t.Fatal(err)
		}
		if err := ad.ImportSIMs(ctx, []*opencube.SIM{{ICCID: "89860000000000024005", IMSI: "901700000024005", MSISDN: "491700024005", EnterpriseCode: entP}}); err != nil {
			t.Fatal(err)
		}
		runHLRJobs(t, s.m)
		d, err := ad.SIM(ctx, "89860000000000024005")
		if err != nil || d.Provisioning == nil || d.Provisioning.State != operator.ProvisionFailed || !strings.Contains(d.Provisioning.LastError, "hlr refused") {
			t.Fatalf("refused: %+v, %v", d.Provisioning, err)
		}
		if st, err := ad.HLRStatus(ctx); err != nil || st.Failed != 1 {
			t.Fatalf("status = %+v, %v", st, err)
		}
		if n := counter(t, s.m, "opencube_hlr_provisions_total", "outcome", "failed"); n != 1 {
			t.Errorf("failed provisions counted %v, want 1", n)
		}
		// The enterprise is alerted through its webhooks' outbox, once.
		events, err := s.m.Store.FindEvents(ctx, entP)
		if err != nil {
			t.Fatal(err)
		}
		var alerts []*opencube.Event
		for _, e := range events {
			if e.Type == opencube.EventSIMProvisioning {
				alerts = append(alerts, e)
			}
		}
		if len(alerts) != 1 || alerts[0].ICCID != "89860000000000024005" || !strings.Contains(alerts[0].Data, `"answer"`) || !strings.Contains(alerts[0].Data, `"imsi":"901700000024005"`) {
			t.Errorf("provisioning alerts = %+v", alerts)
		}
		// Once the subscriber by hand is gone, reconciliation provisions it.
		if err := o.Delete(ctx, "901700000024099"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("reconcile", func(t *testing.T) {
		// Drift made by hand: a subscriber deleted, another disabled, a
		// terminated SIM's subscriber back.
		if err := o.Delete(ctx, imsiOf(simP(3))); err != nil {
			t.Fatal(err)
		}
		if err := o.SetAccess(ctx, imsiOf(simP(4)), false, false); err != nil {
			t.Fatal(err)
		}
		if err := o.Create(ctx, imsiOf(simP(2))); err != nil {
			t.Fatal(err)
		}
		if err := o.Create(ctx, "901700000024098"); err != nil { // no SIM's
			t.Fatal(err)
		}
		r, err := ad.ReconcileHLR(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.Trigger != "operator" || r.Error != "" || r.MissingCount != 1 || r.DriftedCount != 2 || r.StaleCount != 1 || r.UnknownCount != 1 || r.Repaired != 4 || r.FailedCount != 0 {
			t.Fatalf("report = %+v", r)
		}
		// The refused SIM's subscriber was made without its MSISDN: drifted.
		if r.Missing[0] != simP(3) || strings.Join(r.Drifted, ",") != simP(4)+",89860000000000024005" || r.Stale[0] != imsiOf(simP(2)) || r.Unknown[0] != "901700000024098" {
			t.Errorf("report lists = %+v", r)
		}
		wantSubscriber(t, o, imsiOf(simP(3)), "852"+simP(3)[len(simP(3))-8:], true)
		wantSubscriber(t, o, imsiOf(simP(4)), "852"+simP(4)[len(simP(4))-8:], true)
		wantSubscriber(t, o, imsiOf(simP(2)), "-", false)
		wantSubscriber(t, o, "901700000024005", "491700024005", true)
		st, err := ad.HLRStatus(ctx)
		if err != nil || st.Failed != 0 || st.Last == nil || st.Last.Repaired != 4 {
			t.Fatalf("status = %+v, %v", st, err)
		}
		// A second run finds nothing to do.
		if r, err := ad.ReconcileHLR(ctx); err != nil || r.Repaired != 0 || r.MissingCount+r.DriftedCount+r.StaleCount != 0 || r.UnknownCount != 1 {
			t.Fatalf("second report = %+v, %v", r, err)
		}
		audit, err := ad.Audit(ctx, operator.AuditQuery{Object: "hlr:reconcile"})
		if err != nil || len(audit.Items) != 2 || !strings.Contains(audit.Items[1].Summary, "4 repaired") {
			t.Fatalf("audit = %+v, %v", audit, err)
		}
		if n := counter(t, s.m, "opencube_hlr_reconcile_total", "item", "repaired"); n != 4 {
			t.Errorf("repairs counted %v, want 4", n)
		}
		out, _, err := adminRun(t, s.m, "", "hlr", "status")
		if err != nil || !strings.Contains(out, "register osmo: 0 SIM(s) pending, 0 failed") {
			t.Errorf("hlr status = %q, %v", out, err)
		}
	})
	t.Run("scheduled reconcile", func(t *testing.T) {
		if err := o.Delete(ctx, imsiOf(simP(5))); err != nil {
			t.Fatal(err)
		}
		p := s.m.HLR.Provisioner
		s.m.HLR.Worker.Handlers[opencube.JobHLRReconcile] = p.ReconcileJob(time.Hour)
		if err := p.ScheduleReconcile(ctx, s.clock.Now()); err != nil {
			t.Fatal(err)
		}
		runHLRJobs(t, s.m)
		wantSubscriber(t, o, imsiOf(simP(5)), "852"+simP(5)[len(simP(5))-8:], true)
		jobs, err := s.m.Store.FindJobs(ctx, opencube.JobHLRReconcile)
		if err != nil || len(jobs) != 1 || !jobs[0].RunAt.Equal(s.clock.Now().Add(time.Hour)) {
			t.Fatalf("next reconciliation: %+v, %v", jobs, err)
		}
	})
	t.Run("require plan", func(t *testing.T) {
		// A second server on its own database whose SIMs attach only with
		// a usable order: the demo SIMs of QY-000001 have none.
		r := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
			withHLR(m)
			m.HLR.RequirePlan = true
		})
		runHLRJobs(t, r.m)
		msisdn := "852" + simQ(1)[len(simQ(1))-8:]
		wantSubscriber(t, o, imsiOf(simQ(1)), msisdn, false)
		// An order placed, not enabled yet (it may start on first attach):
		// the SIM may attach.
		ord := r.ok(t, r.q, "/package/createOtaOrder", planOTA.ota(simQ(1)))["order_id"].(string)
		runHLRJobs(t, r.m)
		wantSubscriber(t, o, imsiOf(simQ(1)), msisdn, true)
		r.ok(t, r.q, "/package/openOrder", map[string]any{"order_id": ord})
		runHLRJobs(t, r.m)
		wantSubscriber(t, o, imsiOf(simQ(1)), msisdn, true)
		// Ended: no usable order left.
		r.ok(t, r.q, "/package/endOrder", map[string]any{"order_id": ord})
		runHLRJobs(t, r.m)
		wantSubscriber(t, o, imsiOf(simQ(1)), msisdn, false)
	})

	t.Run("two nodes", func(t *testing.T) {
		if testing.Short() {
			t.Skip("short")
		}
		url := pgtest.Schema(t)
		nodes := []*Main{startHLRNode(t, url, true), startHLRNode(t, url, false)}
		// The demo SIMs, and 50 more imported through the second node.
		var sims []*opencube.SIM
		for i := 0; i < 50; i++ {
			sims = append(sims, &opencube.SIM{ICCID: "8986000000000003" + pad4(i), IMSI: "90170000003" + pad4(i), MSISDN: "49170003" + pad4(i), EnterpriseCode: entP})
		}
		if err := nodeAdmin(nodes[1]).ImportSIMs(ctx, sims); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, m := range nodes {
			wg.Go(func() { runHLRJobs(t, m) })
		}
		wg.Wait()
		// Each change ran once: provisioned, or refused (a demo SIM whose
		// MSISDN the first server's IMSI change gave another subscriber).
		total := 0.0
		for _, m := range nodes {
			total += counter(t, m, "opencube_hlr_provisions_total", "outcome", "provisioned") +
				counter(t, m, "opencube_hlr_provisions_total", "outcome", "failed")
			if n := counter(t, m, "opencube_hlr_provisions_total", "outcome", "retry"); n != 0 {
				t.Errorf("%v retries", n)
			}
		}
		if total != 70 {
			t.Errorf("the nodes ran %v changes, want each of 70 once", total)
		}
		for _, sim := range sims {
			wantSubscriber(t, o, sim.IMSI, sim.MSISDN, true)
		}
	})
	t.Run("restart", func(t *testing.T) {
		// A change made while the register is down waits in the database
		// through the server's restart.
		db, clock := e2eDatabase(t), &e2eClock{now: clockStart}
		r, stop := startStoppable(t, db, clock, withHLR)
		runHLRJobs(t, r.m)
		reg.Stop()
		if _, err := r.admin().MoveSIM(ctx, simP(7), opencube.SIMSuspend); err != nil {
			t.Fatal(err)
		}
		runHLRJobs(t, r.m)
		stop()
		reg.Restart()
		r, _ = startStoppable(t, db, clock, withHLR)
		clock.Advance(2 * time.Minute)
		runHLRJobs(t, r.m)
		wantSubscriber(t, o, imsiOf(simP(7)), "852"+simP(7)[len(simP(7))-8:], false)
	})
}

// startHLRNode runs one node provisioning the test's OsmoHLR on the
// PostgreSQL database at url.
func startHLRNode(t *testing.T, url string, demo bool) *Main {
	t.Helper()
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr, m.DB, m.Demo = "127.0.0.1:0", url, demo
	m.SMS.Gateway = "sandbox"
	m.Stderr = io.Discard
	m.JobInterval = 0
	withHLR(m)
	if err := m.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() { closeMain(t, m) })
	return m
}

func pad4(i int) string { return fmt.Sprintf("%04d", i) }

// nodeAdmin is an admin client of a node.
func nodeAdmin(m *Main) *client.Admin { return client.NewAdmin(m.URL(), "t") }

// adminGet reads an admin path's raw answer.
func adminGet(t *testing.T, s *e2eServer, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.m.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
