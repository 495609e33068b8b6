package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/opencube/opencube"
)

// TestOperatorCorrections: the operator's corrections emit the events no
// CSSS call causes, each refusal with its status: reducing an order's
// periods (1010, through the CLI) and downloading a new IMSI to an OTA SIM
// (1012, through the admin API), after which the order and RADIUS use the
// new IMSI.
func TestOperatorCorrections(t *testing.T) {
	s := startNotifyServer(t, e2eDatabase(t), &e2eClock{now: clockStart})
	ctx := t.Context()
	ad := s.admin()
	rp, rq := newReceiver(t, 0), newReceiver(t, 0)
	for _, w := range []*opencube.Webhook{{EnterpriseCode: entP, URL: rp.srv.URL}, {EnterpriseCode: entQ, URL: rq.srv.URL}} {
		if _, err := ad.PutWebhook(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	next := func(r *receiver, typ string) map[string]any {
		t.Helper()
		for {
			p := r.next(t).payload
			if p["type"] == typ {
				return p
			}
		}
	}

	// 1010: a monthly order enabled on 2024-01-31 and renewed once ends on
	// 2024-03-30; one period less, on 2024-02-28.
	a := s.mustOrder(t, s.p, planMonthly.order(simP(0), true))
	s.ok(t, s.p, "/package/renewPackage", map[string]any{"order_id": a, "renew_period": 1})
	next(rp, "1009")
	out, _, err := adminRun(t, s.m, "", "order", "reduce", a, "1")
	if err != nil || !strings.Contains(out, "order "+a+" has 1 period(s), expires 2024-02-28 23:59:59") {
		t.Fatalf("order reduce = %q, %v", out, err)
	}
	if p := next(rp, "1010"); p["order_id"] != a || p["order_expire_date"] != "20240228" {
		t.Errorf("1010 payload %v", p)
	}
	if got := s.order(t, s.p, a); got["expireDate"] != "2024-02-28 23:59:59" || got["renewPeriod"] != "0" {
		t.Errorf("queryOrder after the reduction: expireDate %s renewPeriod %s", got["expireDate"], got["renewPeriod"])
	}
	// The kind of a refusal, and the HTTP status of the same request sent
	// by hand.
	kindOf := func(err error, path, body string) (opencube.Kind, int) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.m.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("Content-Type", "application/json")
		resp, herr := http.DefaultClient.Do(req)
		if herr != nil {
			t.Fatal(herr)
		}
		resp.Body.Close()
		return opencube.ErrorKind(err), resp.StatusCode
	}
	for _, tt := range []struct {
		name    string
		id      string
		periods int
		kind    opencube.Kind
		status  int
	}{
		{"below one period", a, 1, opencube.KindInvalid, http.StatusBadRequest},
		{"no periods", a, 0, opencube.KindInvalid, http.StatusBadRequest},
		{"unknown order", "ORDER_00000000000000001", 1, opencube.KindOrderNotFound, http.StatusNotFound},
	} {
		_, err := ad.ReduceOrder(ctx, tt.id, tt.periods)
		kind, status := kindOf(err, "/admin/v1/orders/"+tt.id+"/reduce", fmt.Sprintf(`{"periods":%d}`, tt.periods))
		if kind != tt.kind || status != tt.status {
			t.Errorf("reduce %s: %v (kind %s, HTTP %d); want %s, %d", tt.name, err, kind, status, tt.kind, tt.status)
		}
	}

	// 1012: an OTA SIM with its order in use takes a new IMSI.
	o := s.ok(t, s.q, "/package/createOtaOrder", planOTA.ota(simQ(0)))["order_id"].(string)
	s.ok(t, s.q, "/package/openOrder", map[string]any{"order_id": o})
	next(rq, "1007")
	const imsi = "454009999999999"
	got, err := ad.DownloadIMSI(ctx, simQ(0), imsi)
	if err != nil || got.ID != o || got.IMSI != imsi {
		t.Fatalf("DownloadIMSI = %+v, %v", got, err)
	}
	if p := next(rq, "1012"); p["order_id"] != o || p["imsi"] != imsi || p["device_id"] != simQ(0) {
		t.Errorf("1012 payload %v", p)
	}
	if got := s.order(t, s.q, o); got["imsi"] != imsi {
		t.Errorf("queryOrder imsi %s, want %s", got["imsi"], imsi)
	}
	_, err = s.m.Services.SIMs.BookUsage(ctx, []*opencube.UsageRecord{{Type: opencube.AcctStart, IMSI: imsi, NAS: "nas", SessionID: "s1", Time: s.clock.Now()}})
	if err != nil {
		t.Fatalf("a session under the new IMSI: %v", err)
	}
	for _, tt := range []struct {
		name, iccid, imsi string
		kind              opencube.Kind
		status            int
	}{
		{"not an OTA SIM", simP(1), "454008888888888", opencube.KindOTA, http.StatusConflict},
		{"no order in use", simQ(1), "454008888888888", opencube.KindOrderState, http.StatusConflict},
		{"another SIM's IMSI", simQ(0), imsiOf(simQ(2)), opencube.KindConflict, http.StatusConflict},
		{"not an IMSI", simQ(0), "45400x", opencube.KindInvalid, http.StatusBadRequest},
		{"unknown SIM", "89852022018041899999", "454008888888888", opencube.KindDeviceNotFound, http.StatusNotFound},
	} {
		_, err := ad.DownloadIMSI(ctx, tt.iccid, tt.imsi)
		kind, status := kindOf(err, "/admin/v1/sims/"+tt.iccid+"/imsi", `{"imsi":"`+tt.imsi+`"}`)
		if kind != tt.kind || status != tt.status {
			t.Errorf("IMSI %s: %v (kind %s, HTTP %d); want %s, %d", tt.name, err, kind, status, tt.kind, tt.status)
		}
	}
	out, _, err = adminRun(t, s.m, "", "sim", "imsi", simQ(0), "454007777777777")
	if err != nil || !strings.Contains(out, "SIM "+simQ(0)+" has IMSI 454007777777777") {
		t.Errorf("sim imsi = %q, %v", out, err)
	}
}
