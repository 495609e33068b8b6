package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube/shop"
)

// TestShopPages: the shops' pages for each role. The operator and support
// see both enterprises' Mall and eSIM orders, payments and bundle groups;
// the enterprise user sees P000270's and not QY-000001's (whose eSIM order
// and group are not found); a bad status filter is shown beside its
// field, and the pages read in Chinese.
func TestShopPages(t *testing.T) {
	o := newOps(t)
	ctx := t.Context()
	st := o.svc.Mall.Store
	now := o.clock.Now()
	if err := st.UpdateMall(ctx, func(tx shop.MallTx) error {
		for _, m := range []*shop.MallOrder{
			{OrderNo: "MALL-P-1", EnterpriseCode: "P000270", ICCID: simP(1), PackageCode: planP, OrderPeriod: 1, PayID: "pi_p1",
				PayAmountMinor: 1000, PayCurrency: "CNY", Paid: true, PayProvider: "stripe", OrderID: "ORDER_00000000000000001", AutoRenewal: true,
				Renewals: 2, CreatedAt: now, UpdatedAt: now},
			{OrderNo: "MALL-Q-1", EnterpriseCode: "QY-000001", ICCID: simQ(1), PackageCode: planQ, OrderPeriod: 1, PayID: "pi_q1",
				PayAmountMinor: 500, PayCurrency: "USD", CreatedAt: now.Add(time.Second), UpdatedAt: now.Add(time.Second)},
		} {
			if err := tx.PutMallOrder(ctx, m); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var profiles []*shop.Profile
	for i, ent := range []string{"P000270", "QY-000001"} {
		profiles = append(profiles, &shop.Profile{ICCID: "8944509900000000000" + string(rune('1'+i)), EnterpriseCode: ent, SMDPAddress: "smdp.example.com",
			MatchingID: "MID-" + ent, IMSI: "46099000000000" + string(rune('1'+i)), State: shop.ProfileReserved, CreatedAt: now, UpdatedAt: now})
	}
	if err := st.ImportProfiles(ctx, profiles); err != nil {
		t.Fatal(err)
	}
	for _, e := range []*shop.ESIMOrder{
		{ID: "ESIM-P-1", EnterpriseCode: "P000270", Status: shop.ESIMFailed, PaymentProvider: "stripe", PaymentRef: "pi_e1", ICCID: "89445099000000000001"},
		{ID: "ESIM-Q-1", EnterpriseCode: "QY-000001", Status: shop.ESIMWaiting, ICCID: "89445099000000000002"},
	} {
		e.UserID, e.Email, e.PlanID, e.PackageCode, e.PlanName, e.PeriodNum = "u", "buyer@example.com", 1001, "ESIM-CN", "China 1GB", 1
		e.Currency, e.AmountMinor, e.CreatedAt, e.ExpiresAt, e.UpdatedAt = "USD", 499, now, now.Add(time.Hour), now
		if err := st.CreateESIMOrder(ctx, e, false, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.UpdateGroups(ctx, func(tx shop.GroupTx) error {
		for _, g := range []*shop.BundleGroup{
			{EnterpriseCode: "P000270", ID: "fleet-p", Name: "P fleet", BasePlan: planP, CreatedAt: now},
			{EnterpriseCode: "QY-000001", ID: "fleet-q", Name: "Q fleet", BasePlan: planQ, CreatedAt: now},
		} {
			if err := tx.InsertGroup(ctx, g); err != nil {
				return err
			}
		}
		return tx.AddGroupSIM(ctx, "P000270", "fleet-p", simP(2), now)
	}); err != nil {
		t.Fatal(err)
	}

	type want struct {
		status   int
		has, not string
	}
	for _, tt := range []struct {
		path string
		want [3]want // operator, support, enterprise
	}{
		{"/console/mall-orders", [3]want{{200, "MALL-Q-1", ""}, {200, "MALL-P-1", ""}, {200, "MALL-P-1", "MALL-Q-1"}}},
		{"/console/mall-orders?status=paid", [3]want{{200, "ORDER_00000000000000001", "MALL-Q-1"}, {200, "2 renewal(s) paid", ""}, {200, "MALL-P-1", ""}}},
		{"/console/mall-orders?status=bogus", [3]want{{200, "paid, pending or failed", ""}, {200, "", ""}, {200, "", "MALL-P-1"}}},
		{"/console/mall-orders/P000270/MALL-P-1", [3]want{{200, "pi_p1", ""}, {200, "2 renewal(s) paid", ""}, {200, "MALL-P-1", ""}}},
		{"/console/mall-orders/QY-000001/MALL-Q-1", [3]want{{200, "None yet", ""}, {200, "pi_q1", ""}, {404, "", "pi_q1"}}},
		{"/console/esim-orders", [3]want{{200, "ESIM-Q-1", ""}, {200, "ESIM-P-1", ""}, {200, "ESIM-P-1", "ESIM-Q-1"}}},
		{"/console/esim-orders?status=soon", [3]want{{200, "Choose a status from the list.", "ESIM-P-1"}, {200, "", ""}, {200, "", ""}}},
		{"/console/esim-orders/ESIM-P-1", [3]want{{200, "Not a SIM yet", ""}, {200, "pi_e1", ""}, {200, "payment failed", ""}}},
		{"/console/esim-orders/ESIM-Q-1", [3]want{{200, "waiting for payment", ""}, {200, "ESIM-Q-1", ""}, {404, "", "waiting for payment"}}},
		{"/console/payments", [3]want{{200, "pi_q1", ""}, {200, "pi_e1", ""}, {200, "pi_p1", "pi_q1"}}},
		{"/console/payments?iccid=" + simP(1), [3]want{{200, "pi_p1", "pi_q1"}, {200, "", ""}, {200, "pi_p1", ""}}},
		{"/console/payments?shop=esim&status=failed", [3]want{{200, "pi_e1", "pi_p1"}, {200, "", ""}, {200, "pi_e1", ""}}},
		{"/console/bundle-groups", [3]want{{200, "fleet-q", ""}, {200, "fleet-p", ""}, {200, "fleet-p", "fleet-q"}}},
		{"/console/bundle-groups/P000270/fleet-p", [3]want{{200, simP(2), ""}, {200, "P fleet", ""}, {200, simP(2), ""}}},
		{"/console/bundle-groups/QY-000001/fleet-q", [3]want{{200, "Q fleet", ""}, {200, "", ""}, {404, "", "Q fleet"}}},
		{"/console/sims/" + simP(1), [3]want{{200, "/console/mall-orders?iccid=" + simP(1), ""}, {200, "", ""}, {200, "/console/esim-orders?iccid=" + simP(1), ""}}},
	} {
		for i, role := range roles {
			status, body := o.get(t, role, tt.path)
			w := tt.want[i]
			if status != w.status || !strings.Contains(body, w.has) || (w.not != "" && strings.Contains(body, w.not)) {
				t.Errorf("%s as %s: %d, want %d with %q without %q\n%s", tt.path, role, status, w.status, w.has, w.not, body)
			}
		}
	}
	_, body := o.get(t, "operator", "/console/lang?to=zh-CN")
	_ = body
	if _, body := o.get(t, "operator", "/console/payments"); !strings.Contains(body, "商城支付") || !strings.Contains(body, "待支付") {
		t.Errorf("the payments page in Chinese:\n%s", body)
	}
}
