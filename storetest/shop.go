package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/shop"
)

// testShop checks the ShopStore: the eSIM catalog, profiles and their
// claims, consumers, sessions, codes, eSIM orders and Mall orders.
func testShop(t *testing.T, open func(*testing.T) service.Store) {
	t.Run("Plans", func(t *testing.T) { testShopPlans(t, open) })
	t.Run("Profiles", func(t *testing.T) { testShopProfiles(t, open) })
	t.Run("Users", func(t *testing.T) { testShopUsers(t, open) })
	t.Run("Orders", func(t *testing.T) { testShopOrders(t, open) })
	t.Run("ConcurrentClaims", func(t *testing.T) { testShopClaims(t, open) })
	t.Run("Mall", func(t *testing.T) { testShopMall(t, open) })
	t.Run("SIM", func(t *testing.T) { testShopSIM(t, open) })
	t.Run("GroupResults", func(t *testing.T) { testShopGroupResults(t, open) })
}

func newProfiles(ent string, from, n int) []*shop.Profile {
	var ps []*shop.Profile
	for i := from; i < from+n; i++ {
		ps = append(ps, &shop.Profile{ICCID: fmt.Sprintf("8944%016d", i), EnterpriseCode: ent, SMDPAddress: "smdp.example.com",
			MatchingID: fmt.Sprintf("MID-%d", i), IMSI: fmt.Sprintf("46099%010d", i), MSISDN: fmt.Sprintf("86139%08d", i), State: shop.ProfileAvailable, CreatedAt: base, UpdatedAt: base})
	}
	return ps
}

func testShopPlans(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	p1 := &shop.ESIMPlan{ID: 7, EnterpriseCode: entA, PackageCode: "CN", Name: "China", MCCs: []string{"460"}, Continent: "AS",
		Hot: true, VolumeBytes: 1 << 30, PeriodDays: 7, Prices: []shop.Price{{Currency: "USD", AmountMinor: 499}, {Currency: "CNY", AmountMinor: 3500}}, CreatedAt: at(time.Second),
		PlanCode: "CORE-CN", Starts: shop.StartOnAttach, Logo: "https://example.com/cn.png"}
	p2 := &shop.ESIMPlan{ID: 8, EnterpriseCode: entA, PackageCode: "EU", Name: "Europe", Description: "d", MCCs: []string{"208", "262"},
		Region: true, Continent: "EU", VolumeBytes: 1 << 31, PeriodDays: 30, Prices: []shop.Price{{Currency: "USD", AmountMinor: 1999}}, CreatedAt: at(time.Second)}
	for _, p := range []*shop.ESIMPlan{p2, p1} {
		if err := f.s.CreateESIMPlan(f.ctx, p); err != nil {
			t.Fatalf("CreateESIMPlan: %v", err)
		}
	}
	if err := f.s.CreateESIMPlan(f.ctx, p1); opencube.ErrorKind(err) != opencube.KindConflict {
		t.Errorf("CreateESIMPlan again: %v, want conflict", err)
	}
	bad := *p1
	bad.ID, bad.EnterpriseCode = 9, "nobody"
	if err := f.s.CreateESIMPlan(f.ctx, &bad); opencube.ErrorKind(err) != opencube.KindUnauthenticated {
		t.Errorf("CreateESIMPlan for an unknown enterprise: %v", err)
	}
	for _, tt := range []struct {
		name string
		f    shop.ESIMPlanFilter
		want []*shop.ESIMPlan
	}{
		{"all", shop.ESIMPlanFilter{Enterprise: entA}, []*shop.ESIMPlan{p1, p2}},
		{"id", shop.ESIMPlanFilter{Enterprise: entA, ID: 8}, []*shop.ESIMPlan{p2}},
		{"mcc", shop.ESIMPlanFilter{Enterprise: entA, MCC: "262"}, []*shop.ESIMPlan{p2}},
		{"mcc prefix is not a match", shop.ESIMPlanFilter{Enterprise: entA, MCC: "26"}, nil},
		{"continent", shop.ESIMPlanFilter{Enterprise: entA, Continent: "AS"}, []*shop.ESIMPlan{p1}},
		{"hot", shop.ESIMPlanFilter{Enterprise: entA, HotOnly: true}, []*shop.ESIMPlan{p1}},
		{"other enterprise", shop.ESIMPlanFilter{Enterprise: entB}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.FindESIMPlans(f.ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, opts); d != "" {
				t.Errorf("FindESIMPlans (-want +got):\n%s", d)
			}
		})
	}
}

func testShopProfiles(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	ps := newProfiles(entA, 1, 3)
	ps[2].ConfirmationCode = "1234"
	if err := f.s.ImportProfiles(f.ctx, ps); err != nil {
		t.Fatalf("ImportProfiles: %v", err)
	}
	dup := append(newProfiles(entA, 10, 1), newProfiles(entA, 1, 1)...)
	if err := f.s.ImportProfiles(f.ctx, dup); opencube.ErrorKind(err) != opencube.KindConflict {
		t.Errorf("ImportProfiles with a duplicate: %v, want conflict", err)
	}
	if got, _ := f.s.FindProfiles(f.ctx, shop.ProfileFilter{Enterprise: entA, ICCID: dup[0].ICCID}); len(got) != 0 {
		t.Errorf("a failed import kept %d profiles", len(got))
	}
	got, err := f.s.FindProfiles(f.ctx, shop.ProfileFilter{Enterprise: entA})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(ps, got, opts); d != "" {
		t.Errorf("FindProfiles (-want +got):\n%s", d)
	}
	p, err := f.s.UpdateProfile(f.ctx, entA, ps[0].ICCID, func(p *shop.Profile) error {
		p.State, p.UpdatedAt = shop.ProfileDeleted, at(time.Minute)
		return nil
	})
	if err != nil || p.State != shop.ProfileDeleted {
		t.Fatalf("UpdateProfile: %v, %+v", err, p)
	}
	if got, _ := f.s.FindProfiles(f.ctx, shop.ProfileFilter{Enterprise: entA, State: shop.ProfileDeleted}); len(got) != 1 || !got[0].UpdatedAt.Equal(at(time.Minute)) {
		t.Errorf("deleted profiles %+v", got)
	}
	if _, err := f.s.UpdateProfile(f.ctx, entB, ps[1].ICCID, func(*shop.Profile) error { return nil }); opencube.ErrorKind(err) != opencube.KindDeviceNotFound {
		t.Errorf("UpdateProfile of another enterprise's profile: %v", err)
	}
	refuse := opencube.Errorf(opencube.KindOrderState, "no")
	if _, err := f.s.UpdateProfile(f.ctx, entA, ps[1].ICCID, func(p *shop.Profile) error {
		p.State = shop.ProfileSold
		return refuse
	}); err != refuse {
		t.Errorf("UpdateProfile refused: %v", err)
	}
	if got, _ := f.s.FindProfiles(f.ctx, shop.ProfileFilter{Enterprise: entA, ICCID: ps[1].ICCID}); got[0].State != shop.ProfileAvailable {
		t.Errorf("a refused update wrote %s", got[0].State)
	}
}

func testShopUsers(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), false)
	u := &shop.ShopUser{ID: "u1", EnterpriseCode: entA, Email: "a@example.com", PasswordMD5: "0123456789abcdef0123456789abcdef", CreatedAt: base}
	if err := f.s.CreateShopUser(f.ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := f.s.CreateShopUser(f.ctx, &shop.ShopUser{ID: "u2", EnterpriseCode: entA, Email: "a@example.com", CreatedAt: base}); opencube.ErrorKind(err) != opencube.KindConflict {
		t.Errorf("same e-mail: %v, want conflict", err)
	}
	if err := f.s.CreateShopUser(f.ctx, &shop.ShopUser{ID: "u3", EnterpriseCode: entB, Email: "a@example.com", CreatedAt: base}); err != nil {
		t.Errorf("same e-mail, another enterprise: %v", err)
	}
	got, err := f.s.FindShopUser(f.ctx, entA, "a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(u, got, opts); d != "" {
		t.Errorf("FindShopUser (-want +got):\n%s", d)
	}
	if _, err := f.s.FindShopUser(f.ctx, entA, "b@example.com"); opencube.ErrorKind(err) != opencube.KindUnauthenticated {
		t.Errorf("unknown user: %v", err)
	}
	s := &shop.Session{TokenHash: "h1", UserID: "u1", EnterpriseCode: entA, Email: "a@example.com", ExpiresAt: at(time.Hour)}
	if err := f.s.PutSession(f.ctx, s); err != nil {
		t.Fatal(err)
	}
	gs, err := f.s.FindSession(f.ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(s, gs, opts); d != "" {
		t.Errorf("FindSession (-want +got):\n%s", d)
	}
	if _, err := f.s.FindSession(f.ctx, "h2"); opencube.ErrorKind(err) != opencube.KindTokenExpired {
		t.Errorf("unknown session: %v", err)
	}
	for i, code := range []string{"111111", "222222"} {
		if err := f.s.PutVerificationCode(f.ctx, &shop.VerificationCode{EnterpriseCode: entA, Email: "c@example.com", Code: code, ExpiresAt: at(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, ent := range []string{entA, ""} {
		v, err := f.s.FindVerificationCode(f.ctx, ent, "c@example.com")
		if err != nil || v.Code != "222222" || !v.ExpiresAt.Equal(at(time.Minute)) || v.EnterpriseCode != entA {
			t.Errorf("FindVerificationCode(%q): %+v, %v", ent, v, err)
		}
	}
	if _, err := f.s.FindVerificationCode(f.ctx, entB, "c@example.com"); opencube.ErrorKind(err) != opencube.KindInvalid {
		t.Errorf("no code: %v", err)
	}
}

func newESIMOrder(id string) *shop.ESIMOrder {
	return &shop.ESIMOrder{ID: id, EnterpriseCode: entA, UserID: "u1", Email: "a@example.com", PlanID: 7, PackageCode: "CN",
		PlanName: "China", PeriodNum: 1, Currency: "USD", AmountMinor: 499, CreatedAt: base, ExpiresAt: at(time.Hour), UpdatedAt: base}
}

func testShopOrders(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), false)
	if err := f.s.ImportProfiles(f.ctx, newProfiles(entA, 1, 1)); err != nil {
		t.Fatal(err)
	}
	o := newESIMOrder("E1")
	job := &opencube.Job{ID: "j-e1", Kind: opencube.JobESIMPreOrderTimeout, Key: "E1", RunAt: at(time.Hour)}
	if err := f.s.CreateESIMOrder(f.ctx, o, true, []*opencube.Job{job}); err != nil {
		t.Fatal(err)
	}
	if o.ICCID != fmt.Sprintf("8944%016d", 1) {
		t.Errorf("claimed %q", o.ICCID)
	}
	if err := f.s.CreateESIMOrder(f.ctx, newESIMOrder("E2"), true, nil); opencube.ErrorKind(err) != opencube.KindSoldOut {
		t.Errorf("second claim: %v, want sold out", err)
	}
	if _, _, err := f.s.FindESIMOrder(f.ctx, "E2"); opencube.ErrorKind(err) != opencube.KindOrderNotFound {
		t.Errorf("a sold-out order was written: %v", err)
	}
	if jobs, _ := f.s.FindJobs(f.ctx, opencube.JobESIMPreOrderTimeout); len(jobs) != 1 || jobs[0].Key != "E1" {
		t.Errorf("timeout jobs %+v", jobs)
	}
	// A top-up may name an eSIM that is not in the inventory: the order
	// stands without a profile.
	topUp := newESIMOrder("E-TOPUP")
	topUp.TopUp, topUp.ICCID = true, "89449999999999999999"
	if err := f.s.CreateESIMOrder(f.ctx, topUp, false, nil); err != nil {
		t.Fatal(err)
	}
	if got, p, err := f.s.FindESIMOrder(f.ctx, "E-TOPUP"); err != nil || got.ICCID != topUp.ICCID || p != nil {
		t.Errorf("FindESIMOrder of a top-up without a profile: %+v, %+v, %v; want the order, no profile", got, p, err)
	}
	got, p, err := f.s.FindESIMOrder(f.ctx, "E1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(o, got, opts); d != "" {
		t.Errorf("FindESIMOrder (-want +got):\n%s", d)
	}
	if p.State != shop.ProfileReserved || p.OrderID != "E1" {
		t.Errorf("profile %+v, want reserved for E1", p)
	}
	paid := at(time.Minute)
	err = f.s.UpdateESIMOrder(f.ctx, "E1", func(_ shop.MallTx, o *shop.ESIMOrder, p *shop.Profile) ([]*opencube.Job, error) {
		o.Status, o.PaidAt, o.UpdatedAt, o.PaymentProvider, o.PaymentRef = shop.ESIMPaid, &paid, paid, "sandbox", "ref"
		o.SIMOrderID = "ORDER_E1"
		p.State, p.UpdatedAt = shop.ProfileSold, paid
		return []*opencube.Job{{ID: "j-mail", Kind: opencube.JobESIMInstallMail, Key: "E1", RunAt: paid}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, p, _ = f.s.FindESIMOrder(f.ctx, "E1")
	if got.Status != shop.ESIMPaid || got.PaidAt == nil || !got.PaidAt.Equal(paid) || got.PaymentRef != "ref" || p.State != shop.ProfileSold ||
		got.SIMOrderID != "ORDER_E1" || p.IMSI == "" || p.MSISDN == "" {
		t.Errorf("after payment: %+v %+v", got, p)
	}
	if jobs, _ := f.s.FindJobs(f.ctx, opencube.JobESIMInstallMail); len(jobs) != 1 {
		t.Errorf("mail jobs %+v", jobs)
	}
	refuse := opencube.Errorf(opencube.KindOrderState, "no")
	if err := f.s.UpdateESIMOrder(f.ctx, "E1", func(_ shop.MallTx, o *shop.ESIMOrder, p *shop.Profile) ([]*opencube.Job, error) {
		o.Status, p.State = shop.ESIMFailed, shop.ProfileAvailable
		return nil, refuse
	}); err != refuse {
		t.Errorf("refused update: %v", err)
	}
	if got, p, _ := f.s.FindESIMOrder(f.ctx, "E1"); got.Status != shop.ESIMPaid || p.State != shop.ProfileSold {
		t.Errorf("a refused update wrote %+v %+v", got, p)
	}
	// The sale is on the ledger, once (billing.go).
	if lines, err := f.s.FindLines(f.ctx, o.EnterpriseCode, billing.MonthOf(paid)); err != nil || len(lines) != 1 ||
		lines[0].Kind != billing.KindESIMSale || lines[0].AmountMinor != -o.AmountMinor || lines[0].OrderID != "E1" {
		t.Errorf("ledger after the sale: %+v, %v; want one esim_sale line", lines, err)
	}
	if err := f.s.UpdateESIMOrder(f.ctx, "nope", func(shop.MallTx, *shop.ESIMOrder, *shop.Profile) ([]*opencube.Job, error) { return nil, nil }); opencube.ErrorKind(err) != opencube.KindOrderNotFound {
		t.Errorf("unknown order: %v", err)
	}
	top := newESIMOrder("E3")
	top.TopUp, top.ICCID = true, p.ICCID
	if err := f.s.CreateESIMOrder(f.ctx, top, false, nil); err != nil {
		t.Fatalf("top-up order: %v", err)
	}
}

// testShopClaims races claims: every profile goes to one order.
func testShopClaims(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), false)
	if err := f.s.ImportProfiles(f.ctx, newProfiles(entA, 1, 8)); err != nil {
		t.Fatal(err)
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		claimed = map[string]string{}
		soldOut int
	)
	for i := range 20 {
		wg.Go(func() {
			o := newESIMOrder(fmt.Sprintf("R%02d", i))
			err := f.s.CreateESIMOrder(f.ctx, o, true, nil)
			mu.Lock()
			defer mu.Unlock()
			switch opencube.ErrorKind(err) {
			case "":
				if prev, dup := claimed[o.ICCID]; dup {
					t.Errorf("profile %s claimed by %s and %s", o.ICCID, prev, o.ID)
				}
				claimed[o.ICCID] = o.ID
			case opencube.KindSoldOut:
				soldOut++
			default:
				t.Errorf("claim: %v", err)
			}
		})
	}
	wg.Wait()
	if len(claimed) != 8 || soldOut != 12 {
		t.Errorf("%d claimed, %d sold out; want 8 and 12", len(claimed), soldOut)
	}
}

func testShopMall(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), false)
	m := &shop.MallOrder{OrderNo: "NO1", EnterpriseCode: entA, ICCID: f.sims[1].ICCID, PackageCode: "P1", OrderPeriod: 1,
		PayID: "pi", PayAmountMinor: 1000, PayCurrency: "CNY", AutoRenewal: true, CreatedAt: base, UpdatedAt: base}
	m2 := *m
	m2.OrderNo, m2.CreatedAt, m2.UpdatedAt = "NO2", at(time.Second), at(time.Second)
	err := f.s.UpdateMall(f.ctx, func(tx shop.MallTx) error {
		if got, err := tx.MallOrder(f.ctx, entA, "NO1"); err != nil || got != nil {
			return fmt.Errorf("MallOrder before insert: %v, %v", got, err)
		}
		if err := tx.PutMallOrder(f.ctx, m); err != nil {
			return err
		}
		return tx.PutMallOrder(f.ctx, &m2)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.s.FindMallOrders(f.ctx, shop.MallOrderFilter{Enterprise: entA, ICCID: f.sims[1].ICCID})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]*shop.MallOrder{&m2, m}, got, opts); d != "" {
		t.Errorf("FindMallOrders, newest first (-want +got):\n%s", d)
	}
	m.Paid, m.OrderID, m.AutoRenewal, m.UpdatedAt = true, "ORDER_1", false, at(time.Minute)
	m.PayFailed, m.PayProvider, m.ClientSecret, m.CustomerID, m.SubscriptionID = true, "stripe", "pi_secret", "cus_1", "sub_1"
	m.Renewals, m.LastInvoice, m.RenewalStopped = 2, "in_2", "payment_failed"
	refuse := opencube.Errorf(opencube.KindOrderState, "no")
	if err := f.s.UpdateMall(f.ctx, func(tx shop.MallTx) error {
		if err := tx.PutMallOrder(f.ctx, m); err != nil {
			return err
		}
		return refuse
	}); err != refuse {
		t.Errorf("refused: %v", err)
	}
	if err := f.s.UpdateMall(f.ctx, func(tx shop.MallTx) error { return tx.PutMallOrder(f.ctx, m) }); err != nil {
		t.Fatal(err)
	}
	if err := f.s.UpdateMall(f.ctx, func(tx shop.MallTx) error {
		got, err := tx.MallOrder(f.ctx, entA, "NO1")
		if err != nil {
			return err
		}
		if d := cmp.Diff(m, got, opts); d != "" {
			t.Errorf("MallOrder (-want +got):\n%s", d)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.s.FindMallOrders(f.ctx, shop.MallOrderFilter{Enterprise: entA, OrderNo: "NO2"}); len(got) != 1 {
		t.Errorf("by order number: %d", len(got))
	}
}

// testShopSIM checks MallTx.InsertSIM: the SIM a sold eSIM profile
// becomes is written in the transaction of the order that sells it, or
// not at all.
func testShopSIM(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), false)
	sim := &opencube.SIM{ICCID: "89445099000000777001", IMSI: "460997770001", MSISDN: "8613977700001", OTA: true,
		EnterpriseCode: entA, Status: opencube.SIMActive, CreatedAt: base}
	refuse := opencube.Errorf(opencube.KindOrderState, "no")
	if err := f.s.UpdateMall(f.ctx, func(tx shop.MallTx) error {
		if err := tx.InsertSIM(f.ctx, sim); err != nil {
			return err
		}
		return refuse
	}); err != refuse {
		t.Fatalf("refused: %v", err)
	}
	if got, _, _ := f.s.FindSIMs(f.ctx, opencube.SIMFilter{Enterprise: entA, ICCIDs: []string{sim.ICCID}}); len(got) != 0 {
		t.Fatalf("a refused transaction left SIM %v", got)
	}
	if err := f.s.UpdateMall(f.ctx, func(tx shop.MallTx) error {
		if err := tx.InsertSIM(f.ctx, sim); err != nil {
			return err
		}
		got, err := tx.SIM(f.ctx, entA, sim.ICCID)
		if err != nil {
			return err
		}
		if d := cmp.Diff(sim, got, opts); d != "" {
			t.Errorf("SIM in the transaction (-want +got):\n%s", d)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	dup := *sim
	dup.ICCID = "89445099000000777002" // the same IMSI
	if err := f.s.UpdateMall(f.ctx, func(tx shop.MallTx) error { return tx.InsertSIM(f.ctx, &dup) }); opencube.ErrorKind(err) != opencube.KindConflict {
		t.Errorf("a second SIM of the IMSI: %v, want conflict", err)
	}
	if err := f.s.UpdateMall(f.ctx, func(tx shop.MallTx) error { return tx.InsertSIM(f.ctx, sim) }); opencube.ErrorKind(err) != opencube.KindConflict {
		t.Errorf("the SIM again: %v, want conflict", err)
	}
}

// testShopGroupResults: a bundle-group operation's result is written
// pending with its group in one transaction (nothing of a refused one
// stays), read back locked in a later transaction, and replaced by its
// outcome.
func testShopGroupResults(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), false)
	g := &shop.BundleGroup{EnterpriseCode: entA, ID: "fleet-1", Name: "Fleet 1", BasePlan: "P1", CreatedAt: base}
	pending := &shop.GroupResult{EnterpriseCode: entA, ID: "op-1", GroupID: g.ID, Operation: "add", CreatedAt: base,
		Items: []shop.GroupItem{{ICCID: "89445099000000777101", Result: shop.GroupPending}, {ICCID: "89445099000000777102", Result: shop.GroupPending}}}
	refuse := opencube.Errorf(opencube.KindOrderState, "no")
	if err := f.s.UpdateGroups(f.ctx, func(tx shop.GroupTx) error {
		if err := tx.InsertGroup(f.ctx, g); err != nil {
			return err
		}
		if err := tx.PutGroupResult(f.ctx, pending); err != nil {
			return err
		}
		return refuse
	}); err != refuse {
		t.Fatalf("refused: %v", err)
	}
	if _, err := f.s.FindGroupResult(f.ctx, entA, "op-1"); opencube.ErrorKind(err) != opencube.KindOrderNotFound {
		t.Fatalf("a refused transaction left its result: %v", err)
	}
	if err := f.s.UpdateGroups(f.ctx, func(tx shop.GroupTx) error {
		if err := tx.InsertGroup(f.ctx, g); err != nil {
			return err
		}
		return tx.PutGroupResult(f.ctx, pending)
	}); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.FindGroupResult(f.ctx, entA, "op-1")
	if err != nil || got.Finished() {
		t.Fatalf("pending result: %+v %v", got, err)
	}
	if d := cmp.Diff(pending, got, opts); d != "" {
		t.Errorf("pending result (-want +got):\n%s", d)
	}
	done := *pending
	done.Items = []shop.GroupItem{{ICCID: "89445099000000777101", Result: shop.GroupAdded, OrderID: "ORDER_1"},
		{ICCID: "89445099000000777102", Result: shop.GroupNotOrderable, Message: "no balance",
			Cause: opencube.CauseBalance, Args: []string{"0.00", "CNY", "0.00", "19.99"}}}
	if err := f.s.UpdateGroups(f.ctx, func(tx shop.GroupTx) error {
		r, err := tx.GroupResult(f.ctx, entA, "op-1")
		if err != nil {
			return err
		}
		if r == nil || r.Finished() || len(r.Items) != 2 {
			t.Errorf("the result in a transaction: %+v", r)
		}
		if none, err := tx.GroupResult(f.ctx, entB, "op-1"); err != nil || none != nil {
			t.Errorf("another enterprise's result: %+v %v", none, err)
		}
		return tx.PutGroupResult(f.ctx, &done)
	}); err != nil {
		t.Fatal(err)
	}
	got, err = f.s.FindGroupResult(f.ctx, entA, "op-1")
	if err != nil || !got.Finished() {
		t.Fatalf("finished result: %+v %v", got, err)
	}
	if d := cmp.Diff(&done, got, opts); d != "" {
		t.Errorf("finished result (-want +got):\n%s", d)
	}
}
