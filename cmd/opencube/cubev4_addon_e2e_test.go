package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/cubev4"
)

// TestCubeV4AddOn: the operator makes an add-on plan and lets a basic plan
// take add-ons; bundle_type 11 adds one to the SIM's bundle in use (with
// the codes of what it needs); RADIUS usage beyond the basic volume is
// spent from it, the remaining data (v4 and CSSS) and RADIUS authorization
// count it, and suspending the bundle ends it for good.
func TestCubeV4AddOn(t *testing.T) {
	needRadclient(t)
	s := startV4(t, func(m *Main) {
		m.RADIUS = radiusConfig{AcctAddr: "127.0.0.1:0", AuthAddr: "127.0.0.1:0", Secret: radiusSecret, SessionTimeout: time.Hour}
	})
	ctx := t.Context()
	ad := client.NewAdmin(s.m.URL(), "admin-token")
	yes := true
	if p, err := ad.UpdatePlan(ctx, planMonthly.code, admin.PlanPatch{AllowAddOn: &yes}); err != nil || !p.AllowAddOn {
		t.Fatalf("UpdatePlan allow_add_on: %+v, %v", p, err)
	}
	extra := &opencube.Plan{Code: "AO10M", Name: "10 MB add-on", Type: opencube.PlanMonthly, VolumeBytes: 10 << 20, PriceMinor: 300, AddOn: true}
	if err := ad.CreatePlan(ctx, extra); err != nil {
		t.Fatal(err)
	}
	if err := ad.GrantPlan(ctx, entP, extra.Code); err != nil {
		t.Fatal(err)
	}
	cat, _, err := s.p.Catalogue(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, b := range cat {
		switch b.ID {
		case planMonthly.code:
			seen++
			if !b.AllowAddOn || b.Type != 1 {
				t.Errorf("catalogue %s: allow_add_on %v, type %d; want true, 1", b.ID, b.AllowAddOn, b.Type)
			}
		case extra.Code:
			seen++
			if b.AllowAddOn || b.Type != 2 || b.DataLimit != 10<<20 {
				t.Errorf("catalogue %s: %+v; want an add-on (type 2) of 10 MB", b.ID, b)
			}
		case planDaily.code:
			if b.AllowAddOn {
				t.Errorf("catalogue %s allows add-ons", b.ID)
			}
		}
	}
	if seen != 2 {
		t.Errorf("catalogue %+v lacks the plans", cat)
	}

	sim := simP(4)
	imsi := imsiOf(sim)
	addOn := cubev4.AddBundleRequest{BundleID: extra.Code, BundleType: cubev4.BundleTypeAddOn, Cycles: ptrTo(5)}
	_, err = s.p.AddBundle(ctx, sim, addOn)
	wantV4(t, "an add-on without a bundle in use", err, 200, cubev4.CodeNoBundleInUse)
	_, err = s.p.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: extra.Code, BundleType: cubev4.BundleTypeBasic})
	wantV4(t, "an add-on plan as a basic bundle", err, 200, cubev4.CodeBundleRule)
	if _, err := s.p.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: cubev4.BundleTypeBasic, Activate: true}); err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	_, err = s.p.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: planDaily.code, BundleType: cubev4.BundleTypeAddOn})
	wantV4(t, "a basic plan as an add-on", err, 200, cubev4.CodeBundleRule)
	_, err = s.p.AddBundle(ctx, simQ(1), addOn)
	wantV4(t, "an add-on for another enterprise's SIM", err, 200, cubev4.CodeSIMNotFound)

	added, err := s.p.AddBundle(ctx, sim, addOn)
	if err != nil || !strings.HasPrefix(added.OrderID, "ORDER_") || added.RequestID != nil {
		t.Fatalf("add-on: %+v, %v", added, err)
	}
	// The add-on is on the ledger: one period of its plan.
	lines, err := s.m.Store.FindLines(ctx, entP, billing.MonthOf(s.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var charged []int64
	for _, l := range lines {
		if l.OrderID == added.OrderID {
			charged = append(charged, l.AmountMinor)
		}
	}
	if len(charged) != 1 || charged[0] != -300 {
		t.Errorf("the add-on's ledger lines: %v; want one of -3.00", charged)
	}
	// The same signed add-on twice: the first answer again, one add-on.
	wreq, err := s.p.Sign("POST", "/sims/"+simP(6)+"/bundle", []byte(`{"bundle_id":"`+planMonthly.code+`","bundle_type":10,"activate":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.p.Send(ctx, wreq); err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	if wreq, err = s.p.Sign("POST", "/sims/"+simP(6)+"/bundle", []byte(`{"bundle_id":"`+extra.Code+`","bundle_type":11}`)); err != nil {
		t.Fatal(err)
	}
	first, err := s.p.Send(ctx, wreq)
	if err != nil || !strings.Contains(string(first.Body), `"order_id":"ORDER_`) {
		t.Fatalf("a signed add-on: %s, %v", first.Body, err)
	}
	if again, err := s.p.Send(ctx, wreq); err != nil || !bytes.Equal(first.Body, again.Body) {
		t.Errorf("add-on replay: %s, %v; want %s", again.Body, err, first.Body)
	}
	if _, n, _ := s.p.Bundles(ctx, simP(6), "1", 0, 0); n != 2 {
		t.Errorf("after an add-on's replay, %d bundles in use; want 2 (the basic and one add-on)", n)
	}
	bs, n, err := s.p.Bundles(ctx, sim, "1", 0, 0)
	if err != nil || n != 2 {
		t.Fatalf("bundles in use: %+v (%d), %v", bs, n, err)
	}
	var ab *cubev4.Bundle
	for i := range bs {
		if bs[i].OrderID == added.OrderID {
			ab = &bs[i]
		}
	}
	if ab == nil || ab.Type != 2 || ab.ID != extra.Code || ab.DataLimit != 10<<20 || ab.Cycles != 1 || ab.EndAt == nil {
		t.Fatalf("the add-on's bundle: %+v", ab)
	}
	rd, err := s.p.RemainingData(ctx, sim)
	if err != nil || rd.DataLimit != 30<<20 || rd.Remaining != 30<<20 {
		t.Errorf("remaining data with the add-on: %+v, %v; want 30 MB of 30 MB", rd, err)
	}

	// 25 MB through RADIUS accounting: the basic 20 MB, then 5 MB of the add-on.
	t0 := s.clock.Now()
	acct(t, s.e2eServer, "Start", imsi, "addon-1", t0, 0, 0)
	acct(t, s.e2eServer, "Interim-Update", imsi, "addon-1", t0.Add(time.Minute), 15<<20, 10<<20)
	if rd, err = s.p.RemainingData(ctx, sim); err != nil || rd.Remaining != 5<<20 || rd.Used != 25<<20 {
		t.Errorf("remaining data after 25 MB: %+v, %v; want 5 MB left", rd, err)
	}
	u := s.ok(t, s.e2eServer.p, "/flow/queryDeviceFlowUsage", map[string]any{"device_id": sim})
	if u["high_flow_balance"] != csss.FormatMB(5<<20) {
		t.Errorf("CSSS queryDeviceFlowUsage: %v; want 5 MB left", u)
	}
	access := func() bool {
		t.Helper()
		_, ok := radclient(t, s.m.AuthAddr(), "auth", fmt.Sprintf("User-Name = \"%s\"", imsi), "User-Password = \"x\"")
		return ok
	}
	if !access() {
		t.Error("Access-Request refused with add-on volume left")
	}

	// Suspending the bundle ends the add-on; resuming does not bring it back.
	if _, err := s.p.Suspend(ctx, sim); err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	if _, err := s.p.Resume(ctx, sim); err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	if rd, err = s.p.RemainingData(ctx, sim); err != nil || rd.Remaining != 0 || rd.DataLimit != 20<<20 {
		t.Errorf("remaining data after suspend and resume: %+v, %v; want none left of 20 MB", rd, err)
	}
	if bs, _, err = s.p.Bundles(ctx, sim, "3", 0, 0); err != nil || len(bs) != 1 || bs[0].OrderID != added.OrderID {
		t.Errorf("ended bundles after suspend: %+v, %v; want the add-on", bs, err)
	}
	if access() {
		t.Error("Access-Request accepted with the add-on ended and the basic volume spent")
	}
	_, err = s.p.AddBundle(ctx, simP(5), addOn)
	wantV4(t, "an add-on for a SIM without a bundle", err, 200, cubev4.CodeNoBundleInUse)
}
