package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/esim"
	"github.com/opencube/opencube/operator"
)

// wantKind reports unless err has kind want and, when field is set, names
// field.
func wantKind(t *testing.T, what string, err error, want opencube.Kind, field string) {
	t.Helper()
	e, _ := err.(*opencube.Error)
	if opencube.ErrorKind(err) != want || (field != "" && (e == nil || e.Field != field)) {
		t.Errorf("%s: %v; want kind %s, field %q", what, err, want, field)
	}
}

// nextOf returns the next delivery r gets, which must be of type typ.
func nextOf(t *testing.T, r *receiver, typ string) map[string]any {
	t.Helper()
	p := r.next(t).payload
	if p["type"] != typ {
		t.Fatalf("delivery %v, want type %s", p, typ)
	}
	return p
}

// deliveries returns the next len(types) deliveries r gets, in any order
// (they are sent concurrently), which must be of those types; each is
// checked to be of order id.
func deliveries(t *testing.T, r *receiver, id string, types ...string) {
	t.Helper()
	var got []string
	for range types {
		p := r.next(t).payload
		got = append(got, fmt.Sprint(p["type"]))
		if p["order_id"] != id {
			t.Errorf("delivery %v, want of order %s", p, id)
		}
	}
	if diff := cmpSet(types, got); diff != "" {
		t.Errorf("deliveries of order %s: %s", id, diff)
	}
}

// TestPlanChanges: a plan's price and name change, its orders keep theirs;
// a retired plan is no longer listed by queryPackage nor orderable (2002),
// while its orders run on and renew; made active again it is; a revoked
// grant stops an enterprise's orders of the plan. Bad changes answer 400
// naming the field.
func TestPlanChanges(t *testing.T) {
	s := startNotifyServer(t, e2eDatabase(t), &e2eClock{now: clockStart})
	ctx := t.Context()
	ad := s.admin()
	listed := func(code string) bool {
		t.Helper()
		plans, _, err := s.p.FindPlans(ctx, opencube.PlanFilter{Page: opencube.PageOf(1, 50)}) // queryPackage
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range plans {
			if p.Code == code {
				return true
			}
		}
		return false
	}
	a := s.mustOrder(t, s.p, planDaily.order(simP(0), true))

	p, err := ad.UpdatePlan(ctx, planDaily.code, admin.PlanPatch{Price: ptrTo(admin.Decimal("7.50")), Countries: &[]string{"CN", "HK"}})
	if err != nil || p.PriceMinor != 750 || p.Name != planDaily.name || len(p.Countries) != 2 || p.Status != opencube.PlanActive {
		t.Fatalf("UpdatePlan = %+v, %v", p, err)
	}
	// Through the CLI: retire.
	if out, _, err := adminRun(t, s.m, "", "plan", "retire", planDaily.code); err != nil || !strings.Contains(out, "retired") {
		t.Fatalf("plan retire = %q, %v", out, err)
	}
	if listed(planDaily.code) || !listed(planMonthly.code) {
		t.Errorf("queryPackage after retiring: daily listed %v, monthly %v", listed(planDaily.code), listed(planMonthly.code))
	}
	wantCode(t, s.do(t, s.p, "/package/orderPackage", planDaily.order(simP(1), false), nil), csss.CodePlanNotOrderable)
	// The order of the retired plan runs on, and renews.
	s.ok(t, s.p, "/package/renewPackage", map[string]any{"order_id": a, "renew_period": 1})
	if got := s.order(t, s.p, a); got["orderStatus"] != "2" || got["renewPeriod"] != "1" {
		t.Errorf("the retired plan's order: %v", got)
	}
	if _, err := ad.RetirePlan(ctx, planDaily.code, false); err != nil {
		t.Fatal(err)
	}
	if !listed(planDaily.code) {
		t.Error("a plan made active again is not listed")
	}
	s.mustOrder(t, s.p, planDaily.order(simP(1), false))

	// A revoked grant: Q may not order the OTA plan any more.
	if out, _, err := adminRun(t, s.m, "", "grant", "revoke", "--access-code", entQ, "--plan", planOTA.code); err != nil || !strings.Contains(out, "no longer") {
		t.Fatalf("grant revoke = %q, %v", out, err)
	}
	wantCode(t, s.do(t, s.q, "/package/createOtaOrder", planOTA.ota(simQ(0)), nil), csss.CodePlanNotOrderable)
	wantKind(t, "revoke again", ad.RevokeGrant(ctx, entQ, planOTA.code), opencube.KindNotFound, "")

	// Bad changes: 400 naming the field; nothing changes.
	for _, tt := range []struct {
		name  string
		patch admin.PlanPatch
		field string
	}{
		{"status", admin.PlanPatch{Status: ptrTo(opencube.PlanStatus("gone"))}, "status"},
		{"empty name", admin.PlanPatch{Name: ptrTo("")}, "name"},
		{"negative volume", admin.PlanPatch{VolumeBytes: ptrTo(int64(-1))}, "volume"},
		{"price", admin.PlanPatch{Price: ptrTo(admin.Decimal("1.234"))}, "price"},
		{"currency", admin.PlanPatch{Currency: ptrTo("usd")}, "currency"},
		{"throttle", admin.PlanPatch{ThrottleKbps: ptrTo(-5)}, "throttle_kbps"},
	} {
		_, err := ad.UpdatePlan(ctx, planMonthly.code, tt.patch)
		wantKind(t, tt.name, err, opencube.KindInvalid, tt.field)
	}
	_, err = ad.UpdatePlan(ctx, "NOPE", admin.PlanPatch{Name: ptrTo("x")})
	wantKind(t, "unknown plan", err, opencube.KindPlanNotOrderable, "")
	if p, _, _ := s.m.Store.FindPlans(ctx, opencube.PlanFilter{Enterprise: entP, Code: planMonthly.code}); len(p) != 1 || p[0].PriceMinor != 1000 {
		t.Errorf("the monthly plan after refused changes: %+v", p)
	}
}

// TestEnterpriseDisable: a disabled enterprise's signed requests answer as
// an unknown access code's on every protocol (CSSS and the Mall 1004, the
// eSIM QR Mall's unknown partner), the other enterprise's are served; its
// webhook deliveries and MT messages wait, unfailed, and go once it is
// enabled; its SIMs keep their network service and its data is kept.
func TestEnterpriseDisable(t *testing.T) {
	clock := &e2eClock{now: clockStart}
	base := startNotifyServer(t, e2eDatabase(t), clock)
	s := &shopServer{e2eServer: base}
	s.m.CSSS.EnterpriseTTL = 0 // read every request's enterprise afresh
	ctx := t.Context()
	ad := s.admin()
	rp := newReceiver(t, 0)
	if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: rp.srv.URL}); err != nil {
		t.Fatal(err)
	}
	a := s.mustOrder(t, s.p, planMonthly.order(simP(0), true))
	deliveries(t, rp, a, "1000", "1005")
	// A delivery's outcome is recorded after the receiver answered.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		ds, err := ad.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP, State: opencube.DeliveryPending})
		if err == nil && len(ds) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries of order %s still pending: %d, %v", a, len(ds), err)
		}
	}

	if out, _, err := adminRun(t, s.m, "", "enterprise", "disable", entP); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("enterprise disable = %q, %v", out, err)
	}
	page := map[string]any{"page_no": 1, "page_size": 10}
	wantCode(t, s.do(t, s.p, "/package/queryPackage", page, nil), csss.CodeAccessCode)
	wantCode(t, s.do(t, s.p, "/package/orderPackage", planMonthly.order(simP(1), false), nil), csss.CodeAccessCode)
	s.ok(t, s.q, "/package/queryPackage", page)
	if r := s.mall(t, "/vshop/singleVerify", s.mallBody(t, "singleVerify", true, "deviceCode", simP(3), "url", "https://dist.linksfield.net/login")); r.Code != csss.CodeAccessCode {
		t.Errorf("Mall singleVerify of a disabled partner: %s %s, want %s", r.Code, r.Message, csss.CodeAccessCode)
	}
	if r := s.webhook(t, webhookBody(t, "ESIM00000000000000001", "4.99", "USD", "payment_intent.succeeded", clock.Now())); r.Code != esim.CodeBadParams || !strings.Contains(r.Message, "sign") {
		t.Errorf("eSIM payment webhook of a disabled partner: HTTP %d code %d %q", r.Status, r.Code, r.Message)
	}

	// Its SIMs keep their service.
	if d, err := s.m.Services.SIMs.Authorize(ctx, imsiOf(simP(0))); err != nil || !d.Accept {
		t.Errorf("RADIUS authorization of a disabled enterprise's SIM: %+v, %v", d, err)
	}
	// The operator still acts on its data: an order placed (1000, 1005)
	// and an MT message sent, both held.
	o, err := ad.OrderPlan(ctx, operator.OrderRequest{ICCID: simP(1), PlanCode: planMonthly.code, Periods: 1, Open: true})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ad.SendSMS(ctx, admin.SMSRequest{ICCID: simP(1), Content: "held"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		s.runDue(t)
	}
	rp.none(t)
	if n := s.m.SMS.Sandbox.Sent(m.ID); n != 0 {
		t.Errorf("a disabled enterprise's message was handed to the gateway %d times", n)
	}
	ds, err := ad.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP, State: opencube.DeliveryPending})
	if err != nil || len(ds) != 2 {
		t.Fatalf("pending deliveries while disabled: %d, %v", len(ds), err)
	}
	for _, d := range ds {
		if len(d.Attempts) != 0 || d.Event.OrderID != o.ID {
			t.Errorf("held delivery %s: %d attempts, order %s", d.ID, len(d.Attempts), d.Event.OrderID)
		}
	}
	// Held a day, it is still pending, never failed.
	clock.Advance(24 * time.Hour)
	for range 3 {
		s.runDue(t)
	}
	rp.none(t)
	if ds, _ := ad.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP, State: opencube.DeliveryFailed}); len(ds) != 0 {
		t.Errorf("%d deliveries failed while held", len(ds))
	}

	// Enabled: served again, and what waited goes at once.
	if e, err := ad.EnableEnterprise(ctx, entP); err != nil || e.Status != opencube.EnterpriseActive {
		t.Fatalf("EnableEnterprise = %+v, %v", e, err)
	}
	s.ok(t, s.p, "/package/queryPackage", page)
	s.runDue(t)
	deliveries(t, rp, o.ID, "1000", "1005")
	if n := s.m.SMS.Sandbox.Sent(m.ID); n != 1 {
		t.Errorf("the held message was handed over %d times after enabling, want 1", n)
	}
	if got := s.order(t, s.p, a); got["orderStatus"] != "2" {
		t.Errorf("the enterprise's order after all: %v", got)
	}
	_, err = ad.DisableEnterprise(ctx, "NOPE")
	wantKind(t, "disable unknown", err, opencube.KindUnauthenticated, "")
}

// TestSecretDrop: a secret is dropped by its id and stops verifying; the
// last one is never dropped; the ids and ages are those of the secrets.
func TestSecretDrop(t *testing.T) {
	clock := &e2eClock{now: clockStart}
	s := startNotifyServer(t, e2eDatabase(t), clock)
	s.m.CSSS.EnterpriseTTL = 0
	ctx := t.Context()
	ad := s.admin()
	clock.Advance(time.Hour)
	if _, err := ad.AddSecret(ctx, entP, "the-next-secret"); err != nil {
		t.Fatal(err)
	}
	e, err := s.m.Store.FindEnterprise(ctx, entP)
	if err != nil {
		t.Fatal(err)
	}
	ids := admin.SecretIDs(e)
	if len(ids) != 2 || ids[0].ID != opencube.SecretID(demoSecret) || ids[1].ID != opencube.SecretID("the-next-secret") ||
		!ids[0].AddedAt.Equal(e.CreatedAt) || !ids[1].AddedAt.Equal(clock.Now()) {
		t.Errorf("secret ids %+v (created %v, now %v)", ids, e.CreatedAt, clock.Now())
	}
	page := map[string]any{"page_no": 1, "page_size": 10}
	out, _, err := adminRun(t, s.m, "", "enterprise", "drop-secret", "--access-code", entP, opencube.SecretID(demoSecret))
	if err != nil || !strings.Contains(out, "holds 1 secret") {
		t.Fatalf("enterprise drop-secret = %q, %v", out, err)
	}
	wantCode(t, s.do(t, s.p, "/package/queryPackage", page, nil), csss.CodeSignature)
	s.ok(t, s.client(entP, "the-next-secret"), "/package/queryPackage", page)
	_, err = ad.DropSecret(ctx, entP, opencube.SecretID("the-next-secret"))
	wantKind(t, "drop the last secret", err, opencube.KindConflict, "")
	_, err = ad.DropSecret(ctx, entP, "00000000")
	wantKind(t, "drop an unknown secret", err, opencube.KindNotFound, "")
	if e, _ := ad.Enterprise(ctx, entP); e == nil || e.Secrets != 1 {
		t.Errorf("after the refusals: %+v", e)
	}
}

// TestSIMMoveAndBulk: a SIM without an order not over moves to another
// enterprise (which then owns it on CSSS), one with such an order stays
// (409 order_state); a bulk change is checked whole first, a bad request
// changing nothing, then answers a result a SIM.
func TestSIMMoveAndBulk(t *testing.T) {
	s := startNotifyServer(t, e2eDatabase(t), &e2eClock{now: clockStart})
	ctx := t.Context()
	ad := s.admin()
	s.mustOrder(t, s.p, planMonthly.order(simP(0), true))
	pending := s.mustOrder(t, s.p, planMonthly.order(simP(1), false))

	for _, iccid := range []string{simP(0), simP(1)} {
		_, err := ad.MoveSIMTo(ctx, iccid, entQ)
		wantKind(t, "move of a SIM with an order", err, opencube.KindOrderState, "")
	}
	s.ok(t, s.p, "/package/cancelOrder", map[string]any{"order_id": pending})
	if out, _, err := adminRun(t, s.m, "", "sim", "move", "--enterprise", entQ, simP(1)); err != nil || !strings.Contains(out, "belongs to enterprise "+entQ) {
		t.Fatalf("sim move = %q, %v", out, err)
	}
	wantCode(t, s.do(t, s.p, "/device/queryDeviceInfo", map[string]any{"device_id": simP(1)}, nil), csss.CodeDeviceNotFound)
	s.ok(t, s.q, "/device/queryDeviceInfo", map[string]any{"device_id": simP(1)})
	// The first enterprise keeps its past order of the SIM.
	if got := s.order(t, s.p, pending); got["orderStatus"] != "6" {
		t.Errorf("the moved SIM's past order: %v", got)
	}
	_, err := ad.MoveSIMTo(ctx, simP(2), "NOPE")
	wantKind(t, "move to an unknown enterprise", err, opencube.KindUnauthenticated, "")
	_, err = ad.MoveSIMTo(ctx, simP(2), "")
	wantKind(t, "move to no enterprise", err, opencube.KindInvalid, "enterprise")
	_, err = ad.MoveSIMTo(ctx, "89852022018041800999", entQ)
	wantKind(t, "move of an unknown SIM", err, opencube.KindDeviceNotFound, "")

	// Bulk: bad requests change nothing.
	statuses := func() map[string]opencube.SIMStatus {
		t.Helper()
		out := map[string]opencube.SIMStatus{}
		for _, ent := range []string{entP, entQ} {
			sims, _, err := s.m.Store.FindSIMs(ctx, opencube.SIMFilter{Enterprise: ent})
			if err != nil {
				t.Fatal(err)
			}
			for _, sim := range sims {
				out[sim.ICCID] = opencube.SIMStatus(ent + "/" + string(sim.Status))
			}
		}
		return out
	}
	before := statuses()
	many := make([]string, operator.MaxBulkSIMs+1)
	for i := range many {
		many[i] = fmt.Sprintf("8985202201804%07d", i)
	}
	for _, tt := range []struct {
		name  string
		r     operator.BulkSIMRequest
		field string
	}{
		{"unknown action", operator.BulkSIMRequest{ICCIDs: []string{simP(2)}, Action: "explode"}, "action"},
		{"no SIMs", operator.BulkSIMRequest{Action: operator.BulkSuspend}, "iccids"},
		{"malformed ICCID", operator.BulkSIMRequest{ICCIDs: []string{simP(2), "8985x"}, Action: operator.BulkSuspend}, "iccids"},
		{"repeated ICCID", operator.BulkSIMRequest{ICCIDs: []string{simP(2), simP(3), simP(2)}, Action: operator.BulkSuspend}, "iccids"},
		{"unknown SIM", operator.BulkSIMRequest{ICCIDs: []string{simP(2), "89852022018041800999"}, Action: operator.BulkSuspend}, "iccids"},
		{"too many", operator.BulkSIMRequest{ICCIDs: many, Action: operator.BulkSuspend}, "iccids"},
		{"move nowhere", operator.BulkSIMRequest{ICCIDs: []string{simP(2)}, Action: operator.BulkMove}, "enterprise"},
		{"move to an unknown enterprise", operator.BulkSIMRequest{ICCIDs: []string{simP(2)}, Action: operator.BulkMove, Enterprise: "NOPE"}, "enterprise"},
		{"enterprise without move", operator.BulkSIMRequest{ICCIDs: []string{simP(2)}, Action: operator.BulkSuspend, Enterprise: entQ}, "enterprise"},
	} {
		_, err := ad.BulkSIMs(ctx, tt.r)
		wantKind(t, "bulk "+tt.name, err, opencube.KindInvalid, tt.field)
	}
	if diff := cmpMap(before, statuses()); diff != "" {
		t.Errorf("bad bulk requests changed SIMs: %s", diff)
	}

	// A result a SIM: one already suspended is refused, the others change.
	if _, err := ad.MoveSIM(ctx, simP(3), opencube.SIMSuspend); err != nil {
		t.Fatal(err)
	}
	res, err := ad.BulkSIMs(ctx, operator.BulkSIMRequest{ICCIDs: []string{simP(2), simP(3), simP(4)}, Action: operator.BulkSuspend})
	if err != nil || len(res) != 3 {
		t.Fatalf("bulk suspend = %+v, %v", res, err)
	}
	if !res[0].OK || res[1].OK || res[1].Error == nil || res[1].Error.Kind != opencube.KindSIMState || !res[2].OK || res[1].ICCID != simP(3) {
		t.Errorf("bulk suspend results %+v", res)
	}
	if d, err := s.m.Services.SIMs.Authorize(ctx, imsiOf(simP(2))); err != nil || d.Accept {
		t.Errorf("a suspended SIM's authorization: %+v, %v", d, err)
	}
	// The CLI: ICCIDs from standard input; a table, or JSON.
	out, _, err := adminRun(t, s.m, simP(2)+"\n"+simP(3)+","+simP(4)+"\n", "sim", "bulk", "--action", "activate", "--file", "-")
	if err != nil || !strings.Contains(out, "3 SIMs: 3 changed, 0 not") {
		t.Fatalf("sim bulk = %q, %v", out, err)
	}
	out, _, err = adminRun(t, s.m, "", "--json", "sim", "bulk", "--action", "move", "--enterprise", entQ, simP(5), simP(0))
	if err != nil || !strings.Contains(out, `"ok": true`) || !strings.Contains(out, `"kind": "order_state"`) {
		t.Fatalf("sim bulk move --json = %q, %v", out, err)
	}
	s.ok(t, s.q, "/device/queryDeviceInfo", map[string]any{"device_id": simP(5)})
}

// cmpMap says how two maps differ, "" when they do not.
func cmpMap[K comparable, V comparable](want, got map[K]V) string {
	var b strings.Builder
	for k, v := range want {
		if got[k] != v {
			fmt.Fprintf(&b, "%v: %v -> %v; ", k, v, got[k])
		}
	}
	if len(got) != len(want) {
		fmt.Fprintf(&b, "%d entries, want %d", len(got), len(want))
	}
	return b.String()
}

// TestAdminOrders: orders placed and moved through the admin API, for the
// SIM's enterprise, with the rules and the events of CSSS; an MT message
// sent for the SIM's enterprise.
func TestAdminOrders(t *testing.T) {
	s := startNotifyServer(t, e2eDatabase(t), &e2eClock{now: clockStart})
	ctx := t.Context()
	ad := s.admin()
	rp := newReceiver(t, 0)
	if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: rp.srv.URL}); err != nil {
		t.Fatal(err)
	}
	out, _, err := adminRun(t, s.m, "", "--get", "order_id", "order", "create", "--iccid", simP(0), "--plan", planMonthly.code, "--open")
	if err != nil {
		t.Fatalf("order create: %v", err)
	}
	id := strings.TrimSpace(out)
	checkOrderID(t, id)
	deliveries(t, rp, id, "1000", "1005")
	if got := s.order(t, s.p, id); got["orderStatus"] != "2" {
		t.Errorf("queryOrder of the admin's order: %v", got)
	}
	for _, step := range []struct {
		args []string
		typ  string
	}{
		{[]string{"order", "suspend", id}, "1003"},
		{[]string{"order", "resume", id}, "1004"},
		{[]string{"order", "renew", id, "2"}, "1009"},
		{[]string{"order", "end", id}, "1001"},
	} {
		if _, _, err := adminRun(t, s.m, "", step.args...); err != nil {
			t.Fatalf("%v: %v", step.args, err)
		}
		if p := nextOf(t, rp, step.typ); p["order_id"] != id {
			t.Errorf("%v: %v", step.args, p)
		}
	}
	o, err := ad.OrderPlan(ctx, operator.OrderRequest{ICCID: simP(0), PlanCode: planMonthly.code, Periods: 1})
	if err != nil || o.EnterpriseCode != entP || o.Status != opencube.OrderNotEnabled {
		t.Fatalf("OrderPlan = %+v, %v", o, err)
	}
	nextOf(t, rp, "1000")
	if _, err := ad.EnableOrder(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	nextOf(t, rp, "1005")
	o2, err := ad.OrderPlan(ctx, operator.OrderRequest{ICCID: simP(0), PlanCode: planMonthly.code, Periods: 1})
	if err != nil {
		t.Fatal(err)
	}
	nextOf(t, rp, "1000")
	if _, err := ad.CancelOrder(ctx, o2.ID); err != nil {
		t.Fatal(err)
	}
	nextOf(t, rp, "1002")

	// The rules of CSSS, and bad input naming the field.
	_, err = ad.EnableOrder(ctx, o2.ID)
	wantKind(t, "enable a cancelled order", err, opencube.KindOrderState, "")
	o3, err := ad.OrderPlan(ctx, operator.OrderRequest{ICCID: simP(1), PlanCode: planMonthly.code, Periods: 1, Open: true})
	if err != nil {
		t.Fatal(err)
	}
	deliveries(t, rp, o3.ID, "1000", "1005")
	for _, tt := range []struct {
		name  string
		r     operator.OrderRequest
		kind  opencube.Kind
		field string
	}{
		{"unknown SIM", operator.OrderRequest{ICCID: "89852022018041800999", PlanCode: planMonthly.code, Periods: 1}, opencube.KindDeviceNotFound, ""},
		{"no SIM", operator.OrderRequest{PlanCode: planMonthly.code, Periods: 1}, opencube.KindInvalid, "iccid"},
		{"plan not granted", operator.OrderRequest{ICCID: simP(2), PlanCode: planOTA.code, Periods: 1}, opencube.KindPlanNotOrderable, ""},
		{"no plan", operator.OrderRequest{ICCID: simP(2), Periods: 1}, opencube.KindInvalid, "plan"},
		{"no periods", operator.OrderRequest{ICCID: simP(2), PlanCode: planMonthly.code}, opencube.KindInvalid, "periods"},
		{"too many periods", operator.OrderRequest{ICCID: simP(2), PlanCode: planMonthly.code, Periods: 5000}, opencube.KindInvalid, "periods"},
		{"second active order", operator.OrderRequest{ICCID: simP(1), PlanCode: planMonthly.code, Periods: 1, Open: true}, opencube.KindOrderState, ""},
	} {
		_, err := ad.OrderPlan(ctx, tt.r)
		wantKind(t, tt.name, err, tt.kind, tt.field)
	}
	_, err = ad.RenewOrder(ctx, o.ID, 0)
	wantKind(t, "renew of no periods", err, opencube.KindInvalid, "periods")
	_, err = ad.EndOrder(ctx, "ORDER_00000000000000001")
	wantKind(t, "end of an unknown order", err, opencube.KindOrderNotFound, "")
	rp.none(t)

	// An MT message for the SIM's enterprise, seen by its querySms.
	out, _, err = adminRun(t, s.m, "", "sms", "send", simP(0), "hello from the operator")
	if err != nil || !strings.Contains(out, "enterprise "+entP) {
		t.Fatalf("sms send = %q, %v", out, err)
	}
	ms, _, err := s.p.FindSMS(ctx, opencube.SMSFilter{Direction: opencube.SMSMT, Page: opencube.PageOf(1, 10)})
	if err != nil || len(ms) != 1 || ms[0].Content != "hello from the operator" {
		t.Errorf("querySms after the operator's message: %+v, %v", ms, err)
	}
	_, err = ad.SendSMS(ctx, admin.SMSRequest{ICCID: simP(0)})
	wantKind(t, "an empty message", err, opencube.KindInvalid, "content")
}
