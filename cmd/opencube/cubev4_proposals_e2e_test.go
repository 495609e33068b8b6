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
