package admin_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/storetest"
)

// TestESIMOrderWithoutProfile shows an eSIM order whose ICCID has no
// profile in the inventory (a top-up of an eSIM that came from elsewhere):
// the order answers without its profile, never HTTP 500.
func TestESIMOrderWithoutProfile(t *testing.T) {
	ctx := t.Context()
	store, svc := storetest.Services(t, opencube.ClockFunc(func() time.Time { return t0 }))
	if err := svc.Admin.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: seedCode, Name: "Acme", Secrets: []string{"acme-secret-1"}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Admin.ImportSIMs(ctx, []*opencube.SIM{{ICCID: seedICCID, IMSI: seedIMSI, EnterpriseCode: seedCode}}); err != nil {
		t.Fatal(err)
	}
	o := &shop.ESIMOrder{ID: "E-TOPUP", EnterpriseCode: seedCode, UserID: "u1", Email: "a@example.com", PlanID: 7, PackageCode: "CN",
		PlanName: "China", PeriodNum: 1, Currency: "USD", AmountMinor: 499, TopUp: true, ICCID: seedICCID,
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), UpdatedAt: t0}
	if err := store.CreateESIMOrder(ctx, o, false, nil); err != nil {
		t.Fatal(err)
	}
	srv := admin.NewServer(svc.Admin, token)
	srv.Lists = svc.Lists
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	for _, tc := range []struct {
		name, id string
		status   int
	}{
		{"top-up without a profile", "E-TOPUP", http.StatusOK},
		{"unknown order", "E-NONE", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/admin/v1/esim-orders/"+tc.id, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("HTTP %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != http.StatusOK {
				return
			}
			var d operator.ESIMOrderDetail
			if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
				t.Fatal(err)
			}
			if d.Order == nil || d.Order.ID != tc.id || d.Order.ICCID != seedICCID || d.Profile != nil || !d.IsSIM {
				t.Errorf("answer %+v (order %+v), want the order, no profile, is_sim", d, d.Order)
			}
		})
	}
}
