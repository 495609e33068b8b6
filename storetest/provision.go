package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// testProvisioning: CreateSIMs stores the SIMs' authentication data and
// writes the jobs of their import in its transaction (none of it when a
// SIM fails); a SIM's provisioning is pending while its sync job waits
// (with the job's last error), then the outcome written; the counts, the
// SIMs in ICCID order across enterprises, and the last report.
func testProvisioning(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	ctx := f.ctx
	s := f.s.(interface {
		service.Store
		operator.ProvisionStore
	})
	auth := &opencube.SIMAuth{Algorithm: "milenage", Ki: "00112233445566778899aabbccddeeff", OPc: "ffeeddccbbaa99887766554433221100"}
	a, b := newSIM(entA, 20), newSIM(entB, 21)
	a.Auth = auth
	job := func(key string) *opencube.Job {
		return &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobHLRSync, Key: key, RunAt: base}
	}
	// All or nothing: a failing SIM leaves no auth and no job.
	bad := newSIM(entA, 22)
	bad.IMSI = f.sims[1].IMSI
	bad.Auth = auth
	checkKind(t, "CreateSIMs with a taken IMSI", s.CreateSIMs(ctx, []*opencube.SIM{bad}, job(bad.ICCID)), opencube.KindConflict, true)
	if err := s.CreateSIMs(ctx, []*opencube.SIM{a, b}, job(a.ICCID), job(b.ICCID)); err != nil {
		t.Fatalf("CreateSIMs: %v", err)
	}
	jobs, err := s.FindJobs(ctx, opencube.JobHLRSync)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("sync jobs = %+v, %v; want 2", jobs, err)
	}
	if got, err := s.SIMAuth(ctx, a.ICCID); err != nil || !cmp.Equal(got, auth) {
		t.Errorf("SIMAuth = %+v, %v; want %+v", got, err, auth)
	}
	for _, iccid := range []string{b.ICCID, bad.ICCID} {
		if got, err := s.SIMAuth(ctx, iccid); err != nil || got != nil {
			t.Errorf("SIMAuth(%s) = %+v, %v; want none", iccid, got, err)
		}
	}
	if p, err := s.Provisioning(ctx, f.sims[1].ICCID); err != nil || p != nil {
		t.Errorf("Provisioning of a SIM never provisioned = %+v, %v", p, err)
	}
	// Pending, with the last failed attempt.
	claimed, err := s.ClaimJobs(ctx, "node", []string{opencube.JobHLRSync}, 10, at(time.Second), time.Minute)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("ClaimJobs = %d, %v", len(claimed), err)
	}
	for _, j := range claimed {
		if err := s.RetryJob(ctx, j.ID, "node", at(time.Minute), "hlr unreachable"); err != nil {
			t.Fatal(err)
		}
	}
	want := &operator.Provisioning{ICCID: a.ICCID, State: operator.ProvisionPending, Attempts: 1, LastError: "hlr unreachable"}
	if got, err := s.Provisioning(ctx, a.ICCID); err != nil || !cmp.Equal(got, want) {
		t.Errorf("Provisioning pending = %+v, %v; want %+v", got, err, want)
	}
	if p, fl, err := s.ProvisionCounts(ctx); err != nil || p != 2 || fl != 0 {
		t.Errorf("ProvisionCounts = %d, %d, %v; want 2, 0", p, fl, err)
	}
	// Done for one, failed for the other.
	claimed, err = s.ClaimJobs(ctx, "node", []string{opencube.JobHLRSync}, 10, at(2*time.Minute), time.Minute)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("ClaimJobs = %d, %v", len(claimed), err)
	}
	for _, j := range claimed {
		if err := s.CompleteJob(ctx, j.ID, "node"); err != nil {
			t.Fatal(err)
		}
	}
	done := &operator.Provisioning{ICCID: a.ICCID, State: operator.ProvisionDone, IMSI: a.IMSI, UpdatedAt: at(2 * time.Minute)}
	failed := &operator.Provisioning{ICCID: b.ICCID, State: operator.ProvisionFailed, IMSI: b.IMSI, LastError: "hlr refused: Invalid IMSI value.", UpdatedAt: at(2 * time.Minute)}
	alert := func(id string) *opencube.Event {
		return &opencube.Event{ID: id, EnterpriseCode: b.EnterpriseCode, Type: opencube.EventSIMProvisioning, ICCID: b.ICCID,
			IMSI: b.IMSI, CreatedAt: at(2 * time.Minute), Data: `{"answer":"Invalid IMSI value."}`}
	}
	for _, p := range []*operator.Provisioning{done, failed} {
		var a *opencube.Event
		if p == failed {
			a = alert("alert-1")
		}
		if err := s.SetProvisioning(ctx, p, a); err != nil {
			t.Fatal(err)
		}
		got, err := s.Provisioning(ctx, p.ICCID)
		if err != nil || !cmp.Equal(got, p, opts) {
			t.Errorf("Provisioning = %+v, %v; want %+v", got, err, p)
		}
	}
	if p, fl, err := s.ProvisionCounts(ctx); err != nil || p != 0 || fl != 1 {
		t.Errorf("ProvisionCounts = %d, %d, %v; want 0, 1", p, fl, err)
	}
	// The refusal's alert is in the outbox once: the same refusal again
	// writes none, another one does.
	if err := s.SetProvisioning(ctx, failed, alert("alert-2")); err != nil {
		t.Fatal(err)
	}
	again := *failed
	again.LastError = "hlr refused: another answer"
	if err := s.SetProvisioning(ctx, &again, alert("alert-3")); err != nil {
		t.Fatal(err)
	}
	var alerts []string
	evs, err := s.FindEvents(ctx, b.EnterpriseCode)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Type == opencube.EventSIMProvisioning {
			alerts = append(alerts, e.ID)
		}
	}
	if diff := cmp.Diff([]string{"alert-1", "alert-3"}, alerts); diff != "" {
		t.Errorf("provisioning alerts in the outbox (-want +got):\n%s", diff)
	}
	// Every SIM, ICCID order, in pages.
	var iccids []string
	for after := ""; ; {
		page, err := s.ProvisionSIMs(ctx, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, sim := range page {
			iccids = append(iccids, sim.ICCID)
		}
		after = page[len(page)-1].ICCID
	}
	wantIDs := []string{}
	for n := 1; n <= 8; n++ {
		wantIDs = append(wantIDs, f.sims[n].ICCID)
	}
	wantIDs = append(wantIDs, a.ICCID, b.ICCID)
	if d := cmp.Diff(wantIDs, iccids); d != "" {
		t.Errorf("ProvisionSIMs (-want +got):\n%s", d)
	}
	// The last report.
	if r, err := s.LastHLRReport(ctx); err != nil || r != nil {
		t.Errorf("LastHLRReport before any = %+v, %v", r, err)
	}
	for _, r := range []*operator.HLRReport{
		{Trigger: "schedule", StartedAt: base, FinishedAt: at(time.Second), SIMs: 10, Missing: []string{a.ICCID}, MissingCount: 1, Repaired: 1},
		{Trigger: "operator", StartedAt: at(time.Hour), FinishedAt: at(time.Hour + time.Second), SIMs: 10, Subscribers: 10, Error: "hlr unreachable"},
	} {
		if err := s.SaveHLRReport(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.LastHLRReport(ctx)
		if err != nil || !cmp.Equal(got, r, opts) {
			t.Errorf("LastHLRReport = %+v, %v; want %+v", got, err, r)
		}
	}
}
