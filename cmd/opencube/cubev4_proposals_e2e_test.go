package main

import (
	"testing"

	"github.com/opencube/opencube/cubev4"
)

// TestCubeV4Catalogue: GET /bundles lists the plans granted to the
// enterprise, paged, with their volume, period, coverage and overage
// policy; another enterprise sees its own.
func TestCubeV4Catalogue(t *testing.T) {
	s := startV4(t, nil)
	ctx := t.Context()
	all, n, err := s.p.Catalogue(ctx, 1, 100)
	if err != nil || n != 3 || len(all) != n {
		t.Fatalf("Catalogue: %d of %d, %v", len(all), n, err)
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
