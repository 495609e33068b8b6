package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/cubev4"
	"github.com/opencube/opencube/docs"
	"github.com/opencube/opencube/notify"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// v4Server is a running server with a Cube v4 client of a new key of each
// demo enterprise.
type v4Server struct {
	*e2eServer
	p, q *client.V4
	keyP *rsa.PrivateKey
}

// startV4 starts the server and registers a new 2048-bit key for P000270
// and a 1024-bit one for QY-000001 through the admin API.
func startV4(t *testing.T, configure func(m *Main)) *v4Server {
	t.Helper()
	s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
		m.AdminToken = "admin-token"
		m.V4.Rate, m.V4.Concurrent, m.V4.Daily = 0, 0, 0 // TestCubeV4Limits tests them
		if configure != nil {
			configure(m)
		}
	})
	ad := client.NewAdmin(s.m.URL(), "admin-token")
	v := &v4Server{e2eServer: s}
	for _, c := range []struct {
		ent  string
		bits int
		out  **client.V4
	}{{entP, 2048, &v.p}, {entQ, 1024, &v.q}} {
		key := testKey(t, c.bits)
		k, err := ad.AddKey(t.Context(), c.ent, publicPEM(t, &key.PublicKey))
		if err != nil {
			t.Fatalf("AddKey(%s): %v", c.ent, err)
		}
		if k.Bits != c.bits || len(k.ID) != 32 {
			t.Fatalf("AddKey: %+v", k)
		}
		*c.out = v.v4(k.ID, key)
		if c.ent == entP {
			v.keyP = key
		}
	}
	return v
}

// v4 returns a client of the server signing as keyID, on its clock.
func (s *v4Server) v4(keyID string, key *rsa.PrivateKey) *client.V4 {
	c := client.NewV4(s.m.URL(), keyID, key)
	c.Now = func() time.Time { s.clock.Advance(time.Millisecond); return s.clock.Now() }
	return c
}

// wantV4 checks that err is a Cube v4 answer of code and HTTP status.
func wantV4(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	var e *client.V4Error
	if !errors.As(err, &e) {
		t.Errorf("%s: %v, want %s", what, err, code)
		return
	}
	if e.Code != code || e.HTTPStatus != status {
		t.Errorf("%s: HTTP %d %s (%s), want HTTP %d %s", what, e.HTTPStatus, e.Code, e.Detail, status, code)
	}
}

// TestCubeV4SIMs drives the SIM, usage and bundle routes with a real RSA
// key: successes and their documented codes, and tenancy.
func TestCubeV4SIMs(t *testing.T) {
	s := startV4(t, nil)
	ctx := t.Context()

	sims, total, err := s.p.SIMs(ctx, 0, 1, 3)
	if err != nil || total != 10 || len(sims) != 3 || sims[0].SIMID != simP(0) || sims[0].Status != cubev4.StatusPreActive {
		t.Fatalf("SIMs: %+v total %d, %v", sims, total, err)
	}
	if _, _, err := s.p.SIMs(ctx, 0, 1, 101); err == nil {
		t.Error("page_size 101 accepted")
	} else {
		wantV4(t, "page_size 101", err, 400, cubev4.CodeInvalid)
	}
	_, _, err = s.p.SIMs(ctx, 99, 1, 10)
	wantV4(t, "status 99", err, 400, cubev4.CodeInvalid)

	// A bundle added, then enabled through CSSS: the SIM is active.
	added, err := s.p.AddBundle(ctx, simP(1), cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: cubev4.BundleTypeBasic, Cycles: ptrTo(3)})
	if err != nil || !strings.HasPrefix(added.OrderID, "ORDER_") || added.RequestID != nil {
		t.Fatalf("AddBundle: %+v, %v", added, err)
	}
	bs, n, err := s.p.Bundles(ctx, simP(1), "0", 0, 0)
	if err != nil || n != 1 || bs[0].OrderID != added.OrderID || bs[0].Status != cubev4.BundleNotStarted || bs[0].Cycles != 3 || bs[0].PeriodUnit != 2 {
		t.Fatalf("Bundles: %+v (%d), %v", bs, n, err)
	}
	if r := s.do(t, s.e2eServer.p, "/package/openOrder", map[string]any{"order_id": added.OrderID}, nil); r.Code != "0000" {
		t.Fatalf("openOrder: %s %s", r.Code, r.Message)
	}
	d, err := s.p.SIM(ctx, simP(1))
	if err != nil || d.Status != cubev4.StatusActive || len(d.SIMService.Bundles) != 1 || d.SIMService.Bundles[0].Status != cubev4.BundleInUse ||
		d.Profile[0].IMSI != imsiOf(simP(1)) || d.SIMService.Contract.StartAt == nil {
		t.Fatalf("SIM: %+v, %v", d, err)
	}
	active, total, err := s.p.SIMs(ctx, cubev4.StatusActive, 0, 0)
	if err != nil || total != 1 || active[0].SIMID != simP(1) {
		t.Errorf("SIMs(status 23): %+v (%d), %v", active, total, err)
	}
	if bs, n, err := s.p.Bundles(ctx, simP(1), "0,2,3", 0, 0); err != nil || n != 0 || len(bs) != 0 {
		t.Errorf("Bundles(0,2,3): %+v (%d), %v", bs, n, err)
	}
	st, err := s.p.Status(ctx, simP(1))
	if err != nil || st.Status != cubev4.StatusActive || st.Pending {
		t.Errorf("Status: %+v, %v", st, err)
	}
	rd, err := s.p.RemainingData(ctx, simP(1))
	if err != nil || rd.BundleID == nil || *rd.BundleID != planMonthly.code || rd.DataLimit != 20<<20 || rd.Remaining != 20<<20 {
		t.Errorf("RemainingData: %+v, %v", rd, err)
	}
	acc, err := s.p.AccuUsage(ctx, simP(1))
	if err != nil || len(acc) != 1 || acc[0].AccuUsage != "0" || acc[0].Type != "data" {
		t.Errorf("AccuUsage: %+v, %v", acc, err)
	}
	_, err = s.p.AccuUsage(ctx, simP(2))
	wantV4(t, "accu_usage without a bundle in use", err, 200, cubev4.CodeNoBundleInUse)

	// Usage on UTC+8 days and months, and the date rules.
	u, err := s.p.Usage(ctx, simP(1), 1, "2024-01-29", "2024-01-31")
	if err != nil || len(u.Usage) != 3 || u.Usage[0].Period != "2024-01-29" || u.Usage[2].Period != "2024-01-31" {
		t.Errorf("Usage daily: %+v, %v", u, err)
	}
	if u, err := s.p.Usage(ctx, simP(1), 2, "2023-11", "2024-01"); err != nil || len(u.Usage) != 3 || u.Usage[0].Period != "2023-11" {
		t.Errorf("Usage monthly: %+v, %v", u, err)
	}
	for _, c := range []struct {
		name     string
		pt       int
		from, to string
		status   int
		code     string
	}{
		{"start after end", 1, "2024-01-30", "2024-01-29", 400, cubev4.CodeStartAfterEnd},
		{"end in the future", 1, "2024-01-30", "2024-02-01", 400, cubev4.CodeEndInFuture},
		{"start too early", 1, "2023-07-01", "2024-01-01", 400, cubev4.CodeStartTooEarly},
		{"month too early", 2, "2023-07", "2023-08", 400, cubev4.CodeStartTooEarly},
		{"bad date", 1, "2024-1-30", "2024-01-30", 400, cubev4.CodeInvalid},
		{"bad period type", 3, "2024-01-30", "2024-01-30", 400, cubev4.CodeInvalid},
	} {
		_, err := s.p.Usage(ctx, simP(1), c.pt, c.from, c.to)
		wantV4(t, c.name, err, c.status, c.code)
	}
	_, err = s.p.Do(ctx, http.MethodGet, "/sims/"+simP(1)+"/usage?category=data", nil, nil)
	wantV4(t, "usage without its parameters", err, 400, cubev4.CodeMissing)

	// API versions: without X-LF-Api-Version the earlier (1.0) is served,
	// whose add bundle answers data null; an unknown one is refused.
	v1 := s.v4(s.p.KeyID, s.keyP)
	v1.APIVersion = ""
	resp, err := v1.Do(ctx, http.MethodPost, "/sims/"+simP(7)+"/bundle", cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10}, nil)
	if err != nil || string(resp.Data) != "null" {
		t.Errorf("add bundle 1.0: %s, %v", resp.Data, err)
	}
	if _, n, _ := s.p.Bundles(ctx, simP(7), "", 0, 0); n != 1 {
		t.Errorf("add bundle 1.0 made %d bundles", n)
	}
	v1.APIVersion = "3.0"
	_, _, err = v1.SIMs(ctx, 0, 0, 0)
	wantV4(t, "X-LF-Api-Version 3.0", err, 400, cubev4.CodeInvalid)

	// Add bundle's codes.
	for _, c := range []struct {
		name string
		sim  string
		req  cubev4.AddBundleRequest
		st   int
		code string
	}{
		{"unknown plan", simP(2), cubev4.AddBundleRequest{BundleID: "NOPE", BundleType: 10}, 200, cubev4.CodePlanNotFound},
		{"plan not granted", simP(2), cubev4.AddBundleRequest{BundleID: planOTA.code, BundleType: 10}, 200, cubev4.CodePlanNotFound},
		{"add-on", simP(2), cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 11}, 200, cubev4.CodeBundleRule},
		{"bad type", simP(2), cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 12}, 400, cubev4.CodeInvalid},
		{"no bundle_id", simP(2), cubev4.AddBundleRequest{BundleType: 10}, 400, cubev4.CodeMissing},
		{"cycles 0", simP(2), cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10, Cycles: ptrTo(0)}, 400, cubev4.CodeInvalid},
		{"cycles 1201", simP(2), cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10, Cycles: ptrTo(1201)}, 400, cubev4.CodeInvalid},
		{"unknown SIM", "89852022018041899999", cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10}, 200, cubev4.CodeSIMNotFound},
		// Tenancy: another enterprise's SIM is a missing one (D17).
		{"another enterprise's SIM", simQ(1), cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10}, 200, cubev4.CodeSIMNotFound},
	} {
		_, err := s.p.AddBundle(ctx, c.sim, c.req)
		wantV4(t, "AddBundle: "+c.name, err, c.st, c.code)
	}
	for _, path := range []string{"/sims/" + simQ(1), "/sims/" + simQ(1) + "/status", "/sims/" + simQ(1) + "/bundles", "/sims/" + simQ(1) + "/remaining_data",
		"/usage/statistics/" + simQ(1) + "/accu_usage", "/sims/x"} {
		_, err := s.p.Do(ctx, http.MethodGet, path, nil, nil)
		wantV4(t, "P000270 reads "+path, err, 200, cubev4.CodeSIMNotFound)
	}
	if d, err := s.q.SIM(ctx, simQ(1)); err != nil || !d.OTA {
		t.Errorf("QY-000001's own SIM: %+v, %v", d, err)
	}
	if _, n, err := s.q.SIMs(ctx, 0, 0, 0); err != nil || n != 10 {
		t.Errorf("QY-000001's SIMs: %d, %v", n, err)
	}
}

// TestCubeV4Auth: 401 for a missing or unparseable Authorization, 403 for
// a sign that does not verify, an unknown or revoked key, a stale
// timestamp, Signature v1 while it is off; the replay of a write answers
// the first response; an unmatched path with LF answers 404 in the v4
// envelope, and CSSS keeps /cube/v4.
func TestCubeV4Auth(t *testing.T) {
	s := startV4(t, nil)
	ctx := t.Context()
	base := s.m.URL() + cubev4.Prefix
	raw := func(method, path string, h http.Header, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct {
		name   string
		h      http.Header
		status int
		code   string
	}{
		{"no Authorization", http.Header{}, 401, cubev4.CodeAuthMissing},
		{"Bearer", http.Header{"Authorization": {"Bearer x"}}, 401, cubev4.CodeAuthMissing},
		{"no sign", http.Header{"Authorization": {"LF " + s.p.KeyID}}, 401, cubev4.CodeAuthMissing},
		{"no timestamp", http.Header{"Authorization": {"LF " + s.p.KeyID + "/abc"}, "X-Lf-Signature-Type": {"2.0"}}, 400, cubev4.CodeMissing},
		{"v1 off", http.Header{"Authorization": {"LF " + s.p.KeyID + "/abc"}}, 403, cubev4.CodeForbidden},
	} {
		st, body := raw("GET", "/sims", c.h, "")
		if st != c.status || !strings.Contains(body, `"code":"`+c.code+`"`) {
			t.Errorf("%s: %d %s; want %d %s", c.name, st, body, c.status, c.code)
		}
	}
	// A sign of another string, an unknown key, a stale timestamp.
	req, err := s.p.Sign("GET", "/sims", nil)
	if err != nil {
		t.Fatal(err)
	}
	h := req.Header.Clone()
	h.Set("Authorization", cubev4.Authorization(s.p.KeyID, "AAAA"+strings.TrimPrefix(h.Get("Authorization"), "LF "+s.p.KeyID+"/")[4:]))
	if st, body := raw("GET", "/sims", h, ""); st != 403 || !strings.Contains(body, cubev4.CodeForbidden) {
		t.Errorf("a wrong sign: %d %s", st, body)
	}
	if st, body := raw("GET", "/sims?page_no=2", req.Header, ""); st != 403 || !strings.Contains(body, cubev4.CodeForbidden) {
		t.Errorf("a query not signed: %d %s", st, body)
	}
	other := s.v4(strings.Repeat("ab", 16), s.keyP)
	_, _, err = other.SIMs(ctx, 0, 0, 0)
	wantV4(t, "unknown key", err, 403, cubev4.CodeForbidden)
	stale := s.v4(s.p.KeyID, s.keyP)
	stale.Now = func() time.Time { return s.clock.Now().Add(-11 * time.Minute) }
	_, _, err = stale.SIMs(ctx, 0, 0, 0)
	wantV4(t, "a timestamp 11 minutes old", err, 403, cubev4.CodeForbidden)
	stale.Now = func() time.Time { return s.clock.Now().Add(9 * time.Minute) }
	if _, _, err = stale.SIMs(ctx, 0, 0, 0); err != nil {
		t.Errorf("a timestamp 9 minutes ahead: %v", err)
	}

	// The demo key, whose private half is published, signs for P000270.
	demo, err := client.ParsePrivateKey(docs.CubeV4DemoKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, n, err := s.v4(service.DemoKeyID, demo).SIMs(ctx, 0, 0, 0); err != nil || n != 10 {
		t.Errorf("the demo key: %d, %v", n, err)
	}

	// The same write twice: the first answer again, one order.
	wreq, err := s.p.Sign("POST", "/sims/"+simP(3)+"/bundle", []byte(`{"bundle_id":"`+planMonthly.code+`","bundle_type":10}`))
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.p.Send(ctx, wreq)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.p.Send(ctx, wreq)
	if err != nil || !bytes.Equal(first.Body, again.Body) {
		t.Errorf("replay: %s, %v; want %s", again.Body, err, first.Body)
	}
	if _, n, _ := s.p.Bundles(ctx, simP(3), "", 0, 0); n != 1 {
		t.Errorf("after a replay, %d bundles; want 1", n)
	}

	// Unmatched paths: 404 in the v4 envelope with LF, CSSS's otherwise;
	// CSSS routes keep /cube/v4.
	_, err = s.p.Do(ctx, "GET", "/nothing/here", nil, nil)
	wantV4(t, "unmatched path with LF", err, 404, cubev4.CodeNotFound)
	_, err = s.p.Do(ctx, "DELETE", "/sims", nil, nil)
	wantV4(t, "unmatched method with LF", err, 404, cubev4.CodeNotFound)
	if st, body := raw("GET", "/nothing/here", nil, ""); st != 404 || !strings.Contains(body, `"code":"1007"`) {
		t.Errorf("unmatched path without LF: %d %s", st, body)
	}
	csss := client.New(s.m.URL()+cubev4.Prefix, entP, demoSecret)
	csss.Now = s.clock.Now
	if r, err := csss.Do(ctx, "/package/queryPackage", map[string]any{}, nil); err != nil || r.Code != "0000" {
		t.Errorf("CSSS under /cube/v4: %+v, %v", r, err)
	}

	// Languages: en-US by default, zh-CN asked for.
	zh := s.v4(s.p.KeyID, s.keyP)
	zh.Language = "zh-CN"
	resp, err := zh.Do(ctx, "GET", "/sims/"+simQ(0), nil, nil)
	if err == nil || resp.Status.Message != "SIM卡不存在" || resp.Header.Get("Content-Language") != "zh-CN" {
		t.Errorf("zh-CN: %+v, %v", resp, err)
	}

	// A revoked key is refused (once the cache of a key runs out: a new
	// server sees it at once).
	ad := client.NewAdmin(s.m.URL(), "admin-token")
	if err := ad.RevokeKey(ctx, entQ, s.q.KeyID); err != nil {
		t.Fatal(err)
	}
	s.m.CubeV4.KeyTTL = 0
	_, _, err = s.q.SIMs(ctx, 0, 0, 0)
	wantV4(t, "a revoked key", err, 403, cubev4.CodeForbidden)
	// And a disabled enterprise's keys too.
	if _, err := ad.DisableEnterprise(ctx, entP); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.p.SIMs(ctx, 0, 0, 0)
	wantV4(t, "a disabled enterprise", err, 403, cubev4.CodeForbidden)
}

// TestCubeV4SignatureV1: with --v4-signature-v1, a v1 request (timestamp
// and nonce in the query of a GET, path values signed by name) is served.
func TestCubeV4SignatureV1(t *testing.T) {
	s := startV4(t, func(m *Main) { m.V4.SignatureV1 = true })
	ts := s.clock.Now().UnixMilli()
	q := "timestamp=" + itoa(ts) + "&nonce=128"
	str, err := cubev4.StringToSignV1(cubev4.SignedV1{PathValues: map[string]string{"sim_id": simP(0)},
		Query: map[string][]string{"timestamp": {itoa(ts)}, "nonce": {"128"}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"nonce":128,"sim_id":"` + simP(0) + `","timestamp":"` + itoa(ts) + `"}`; string(str) != want {
		t.Fatalf("v1 string to sign %s, want %s", str, want)
	}
	sign, err := cubev4.Sign(s.keyP, str)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(context.Background(), "GET", s.m.URL()+cubev4.Prefix+"/sims/"+simP(0)+"?"+q, nil)
	req.Header.Set("Authorization", cubev4.Authorization(s.p.KeyID, sign))
	req.Header.Set("X-LF-Signature-Type", "1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), cubev4.CodeOK) {
		t.Errorf("v1: %d %s", resp.StatusCode, b)
	}
}

// runJobs runs the due background jobs, as a node's worker would.
func (s *v4Server) runJobs(t *testing.T) {
	t.Helper()
	if _, err := s.m.Worker.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestCubeV4Async: an operation from request to result through a job; the
// SIM locked meanwhile (CB-01-0111, and CSSS 2007); suspend, resume and
// cancel; a failed operation's result.
func TestCubeV4Async(t *testing.T) {
	s := startV4(t, nil)
	ctx := t.Context()
	sim := simP(4)
	_, err := s.p.Activate(ctx, sim)
	wantV4(t, "activate without a bundle", err, 200, cubev4.CodeNoBundle)
	first, err := s.p.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.p.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: planDaily.code, BundleType: 10, Cycles: ptrTo(7)})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.p.Activate(ctx, sim)
	if err != nil || id == "" {
		t.Fatalf("Activate: %q, %v", id, err)
	}
	res, err := s.p.AsyncResult(ctx, id)
	if err != nil || res.Status != 0 || res.Operation != "activate" || res.SIMID != sim || res.FinishedAt != nil {
		t.Fatalf("AsyncResult before the job: %+v, %v", res, err)
	}
	if st, err := s.p.Status(ctx, sim); err != nil || !st.Pending || st.Status != cubev4.StatusPreActive {
		t.Errorf("Status while pending: %+v, %v", st, err)
	}
	// Locked: a second operation, an activating add, and a CSSS move.
	_, err = s.p.Suspend(ctx, sim)
	wantV4(t, "suspend while activating", err, 200, cubev4.CodePending)
	_, err = s.p.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10, Activate: true})
	wantV4(t, "add and activate while activating", err, 200, cubev4.CodePending)
	if r := s.do(t, s.e2eServer.p, "/package/openOrder", map[string]any{"order_id": first.OrderID}, nil); r.Code != "2007" {
		t.Errorf("CSSS openOrder on a locked SIM: %s %s", r.Code, r.Message)
	}
	s.runJobs(t)
	res, err = s.p.AsyncResult(ctx, id)
	if err != nil || res.Status != 1 || res.Error != nil || res.FinishedAt == nil {
		t.Fatalf("AsyncResult after the job: %+v, %v", res, err)
	}
	bs, _, err := s.p.Bundles(ctx, sim, "1", 0, 0)
	if err != nil || len(bs) != 1 || bs[0].OrderID != first.OrderID {
		t.Fatalf("the oldest bundle is in use: %+v, %v", bs, err)
	}
	_, err = s.p.Activate(ctx, sim)
	wantV4(t, "activate an active SIM", err, 200, cubev4.CodeAlreadyActive)
	_, err = s.p.Resume(ctx, sim)
	wantV4(t, "resume an active SIM", err, 200, cubev4.CodeStatus)

	// Suspend, resume.
	for _, step := range []struct {
		op   func(context.Context, string) (string, error)
		want int
	}{{s.p.Suspend, cubev4.StatusPaused}, {s.p.Resume, cubev4.StatusActive}} {
		id, err := step.op(ctx, sim)
		if err != nil {
			t.Fatal(err)
		}
		s.runJobs(t)
		if res, err := s.p.AsyncResult(ctx, id); err != nil || res.Status != 1 {
			t.Fatalf("%+v, %v", res, err)
		}
		if st, err := s.p.Status(ctx, sim); err != nil || st.Status != step.want || st.Pending {
			t.Errorf("after %s: %+v, %v", res.Operation, st, err)
		}
	}

	// Cancel the bundle in use, keeping the SIM alive with the next one.
	id, err = s.p.Cancel(ctx, sim, cubev4.CancelRequest{OrderID: first.OrderID, KeepAlive: true})
	if err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	if res, err := s.p.AsyncResult(ctx, id); err != nil || res.Status != 1 {
		t.Fatalf("cancel keep_alive: %+v, %v", res, err)
	}
	bs, _, err = s.p.Bundles(ctx, sim, "", 0, 0)
	if err != nil || len(bs) != 2 || bs[0].OrderID != second.OrderID || bs[0].Status != cubev4.BundleInUse || bs[1].Status != cubev4.BundleEnded {
		t.Fatalf("after cancel keep_alive: %+v, %v", bs, err)
	}
	// Cancel everything: the SIM is expired (Retention).
	if id, err = s.p.Cancel(ctx, sim, cubev4.CancelRequest{}); err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	if st, err := s.p.Status(ctx, sim); err != nil || st.Status != cubev4.StatusExpired {
		t.Errorf("after cancel: %+v, %v", st, err)
	}
	_, err = s.p.Cancel(ctx, sim, cubev4.CancelRequest{OrderID: "ORDER_00000000000000001"})
	wantV4(t, "cancel another order", err, 200, cubev4.CodeOrderNotFound)

	// Add and activate: the answer carries both ids; the job starts it.
	added, err := s.p.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10, Activate: true})
	if err != nil || added.RequestID == nil {
		t.Fatalf("AddBundle activate: %+v, %v", added, err)
	}
	s.runJobs(t)
	if res, err := s.p.AsyncResult(ctx, *added.RequestID); err != nil || res.Status != 1 {
		t.Fatalf("add and activate: %+v, %v", res, err)
	}
	if st, _ := s.p.Status(ctx, sim); st.Status != cubev4.StatusActive {
		t.Errorf("after add and activate: %+v", st)
	}

	// Unknown requests, another enterprise's, OTA SIMs.
	_, err = s.p.AsyncResult(ctx, "nope")
	wantV4(t, "an unknown request", err, 200, cubev4.CodeAsyncNotFound)
	_, err = s.q.AsyncResult(ctx, id)
	wantV4(t, "another enterprise's request", err, 200, cubev4.CodeAsyncNotFound)
	_, err = s.q.Suspend(ctx, simQ(1))
	wantV4(t, "suspend an OTA SIM", err, 200, cubev4.CodeOTA)
	_, err = s.p.Suspend(ctx, simQ(1))
	wantV4(t, "suspend another enterprise's SIM", err, 200, cubev4.CodeSIMNotFound)
}

// TestCubeV4Limits: over a source's rate or daily budget a v4 request is
// 429 CB-99-9429 with Retry-After, counted in the metrics; CSSS under the
// same prefix is not limited.
func TestCubeV4Limits(t *testing.T) {
	s := startV4(t, func(m *Main) { m.V4.Rate, m.V4.Daily = 2, 4 })
	ctx := t.Context()
	for i := range 2 {
		if _, _, err := s.p.SIMs(ctx, 0, 0, 0); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	resp, err := s.p.Do(ctx, "GET", "/sims", nil, nil)
	wantV4(t, "the third request in a second", err, 429, cubev4.CodeTooMany)
	if resp == nil || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After: %+v", resp)
	}
	csss := client.New(s.m.URL()+cubev4.Prefix, entP, demoSecret)
	csss.Now = s.clock.Now
	for range 5 {
		if r, err := csss.Do(ctx, "/package/queryPackage", map[string]any{}, nil); err != nil || r.Code != "0000" {
			t.Fatalf("CSSS under /cube/v4: %+v, %v", r, err)
		}
	}
	s.clock.Advance(2 * time.Second)
	for range 2 {
		if _, _, err := s.p.SIMs(ctx, 0, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	s.clock.Advance(2 * time.Second)
	_, err = s.p.Do(ctx, "GET", "/sims", nil, nil)
	wantV4(t, "the fifth request of the day", err, 429, cubev4.CodeTooMany)
	s.clock.Advance(24 * time.Hour)
	if _, _, err := s.p.SIMs(ctx, 0, 0, 0); err != nil {
		t.Errorf("the next day: %v", err)
	}
	m, err := http.Get(s.m.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(m.Body)
	m.Body.Close()
	for _, want := range []string{`opencube_cubev4_limited_total{limit="rate"} 1`, `opencube_cubev4_limited_total{limit="daily"} 1`,
		`opencube_http_requests_total{code="CB-99-9429",protocol="cubev4",route="GET /sims",status="429"} 2`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestCubeV4SMS: a send to several SIMs answers a job id, the messages
// go out (the sandbox device delivers them) and show in the MT history;
// the same nonce, SIMs and message within 10 seconds are one send; a batch
// with another enterprise's SIM or a repeated one is refused whole; an MO
// message shows in the MO history.
func TestCubeV4SMS(t *testing.T) {
	s := startV4(t, nil)
	ctx := t.Context()
	req := cubev4.SendSMSRequest{SIMIDs: []string{simP(5), simP(6)}, Message: cubev4.SMSMessage{Type: 1, Content: "hello <b>&</b> 你好"}}
	job, err := s.p.SendSMS(ctx, req)
	if err != nil || len(job) != 18 {
		t.Fatalf("SendSMS: %q, %v", job, err)
	}
	mt, n, err := s.p.MTHistory(ctx, simP(5), 0)
	if err != nil || n != 1 || mt[0].Status != 3 || mt[0].Content.Message != req.Message.Content || mt[0].Content.Type != 1 || mt[0].OrgID != entP {
		t.Fatalf("MTHistory: %+v (%d), %v", mt, n, err)
	}
	// The same nonce and payload within 10 s: the same job, sent once.
	same := s.v4(s.p.KeyID, s.keyP)
	same.Nonce = func() string { return "4242" }
	first, err := same.SendSMS(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(5 * time.Second)
	again, err := same.SendSMS(ctx, req)
	if err != nil || again != first {
		t.Errorf("the same nonce and payload: %q, %v; want %q", again, err, first)
	}
	if _, n, _ := s.p.MTHistory(ctx, simP(6), 0); n != 2 {
		t.Errorf("after a repeated nonce, %d messages to %s; want 2", n, simP(6))
	}
	s.clock.Advance(6 * time.Second)
	if later, err := same.SendSMS(ctx, req); err != nil || later == first {
		t.Errorf("the same nonce 11 s later: %q, %v; want a new job", later, err)
	}
	for _, c := range []struct {
		name string
		req  cubev4.SendSMSRequest
		st   int
		code string
	}{
		{"another enterprise's SIM", cubev4.SendSMSRequest{SIMIDs: []string{simP(7), simQ(1)}, Message: req.Message}, 200, cubev4.CodeSIMNotFound},
		{"a repeated SIM", cubev4.SendSMSRequest{SIMIDs: []string{simP(7), simP(7)}, Message: req.Message}, 200, cubev4.CodeSMSRule},
		{"no SIM", cubev4.SendSMSRequest{Message: req.Message}, 400, cubev4.CodeMissing},
		{"141 characters", cubev4.SendSMSRequest{SIMIDs: []string{simP(7)}, Message: cubev4.SMSMessage{Content: strings.Repeat("x", 141)}}, 400, cubev4.CodeInvalid},
		{"type 3", cubev4.SendSMSRequest{SIMIDs: []string{simP(7)}, Message: cubev4.SMSMessage{Type: 3, Content: "x"}}, 400, cubev4.CodeInvalid},
	} {
		_, err := s.p.SendSMS(ctx, c.req)
		wantV4(t, c.name, err, c.st, c.code)
	}
	if _, n, _ := s.p.MTHistory(ctx, simP(7), 0); n != 0 {
		t.Errorf("a refused batch sent %d messages", n)
	}
	ad := client.NewAdmin(s.m.URL(), "admin-token")
	if _, err := ad.ReceiveMO(ctx, opencube.MORequest{From: simP(5), Content: "reply"}); err != nil {
		t.Fatal(err)
	}
	mo, n, err := s.p.MOHistory(ctx, simP(5))
	if err != nil || n != 1 || mo[0].Message.Content != "reply" || mo[0].Message.Type != 1 || mo[0].SIMID != simP(5) {
		t.Errorf("MOHistory: %+v (%d), %v", mo, n, err)
	}
	_, _, err = s.p.MTHistory(ctx, simQ(1), 0)
	wantV4(t, "another enterprise's history", err, 200, cubev4.CodeSIMNotFound)
	_, err = s.p.Do(ctx, "GET", "/sms/mt/"+simP(5)+"?status=5", nil, nil)
	wantV4(t, "status 5", err, 400, cubev4.CodeInvalid)
}

// verifyV4Notification checks a Cube v4 notification as a receiver
// following the reference's recipe (cube-v4-api.md §3.3) would: the body
// JSON-encoded with its top-level keys sorted, prefixed with
// version:algo:timestamp:, HMAC-SHA1 keyed with the hex-decoded
// Notification Key, lowercase hex, after the key id and "/".
func verifyV4Notification(t *testing.T, h http.Header, body []byte, keyID, keyHex string) {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatalf("notification body: %v", err)
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sorted bytes.Buffer
	sorted.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			sorted.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		sorted.Write(kb)
		sorted.WriteByte(':')
		var compact bytes.Buffer
		json.Compact(&compact, top[k])
		sorted.Write(compact.Bytes())
	}
	sorted.WriteByte('}')
	version, algo, ts := h.Get("x-lf-notification-version"), h.Get("x-lf-algo"), h.Get("x-lf-timestamp")
	if version != "1.0" || algo != "HMAC-SHA1" || ts == "" {
		t.Fatalf("headers: version %q algo %q timestamp %q", version, algo, ts)
	}
	key, err := hex.DecodeString(keyHex)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha1.New, key)
	mac.Write([]byte(version + ":" + algo + ":" + ts + ":"))
	mac.Write(sorted.Bytes())
	if want := keyID + "/" + hex.EncodeToString(mac.Sum(nil)); h.Get("x-lf-signature") != want {
		t.Errorf("x-lf-signature %q, want %q (body %s)", h.Get("x-lf-signature"), want, body)
	}
}

// TestCubeV4Webhook: an enterprise that chooses v4 webhooks gets its
// events as Cube v4 notifications through the same outbox and delivery
// log, signed with its Notification Key (shown once).
func TestCubeV4Webhook(t *testing.T) {
	s := startV4(t, nil)
	ctx := t.Context()
	hook := newReceiver(t, 1) // the first attempt fails: retried
	ad := client.NewAdmin(s.m.URL(), "admin-token")
	w, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: hook.srv.URL, Format: opencube.WebhookV4})
	if err != nil || w.Format != opencube.WebhookV4 || len(w.NotificationKeyID) != 32 || len(w.NotificationKey) != 64 {
		t.Fatalf("PutWebhook v4: %+v, %v", w, err)
	}
	if again, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: hook.srv.URL, Format: opencube.WebhookV4}); err != nil ||
		again.NotificationKey != "" || again.NotificationKeyID != w.NotificationKeyID {
		t.Fatalf("PutWebhook again shows the key or another id: %+v, %v", again, err)
	}
	added, err := s.p.AddBundle(ctx, simP(8), cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10})
	if err != nil {
		t.Fatal(err)
	}
	// attempts waits until the delivery log holds n attempts.
	attempts := func(n int) []*opencube.Delivery {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; {
			ds, err := ad.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: entP})
			if err == nil && len(ds) == 1 && len(ds[0].Attempts) >= n {
				return ds
			}
			if time.Now().After(deadline) {
				t.Fatalf("delivery log: %d attempts never recorded: %+v, %v", n, ds, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for attempt := 1; attempt <= 2; attempt++ {
		if attempt == 2 {
			attempts(1) // the failed first attempt is recorded: the retry is due in an hour
			s.clock.Advance(time.Hour)
			if _, err := s.m.Notify.Worker.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := hook.next(t)
		verifyV4Notification(t, got.header, got.body, w.NotificationKeyID, w.NotificationKey)
		var n notify.V4Event
		if err := json.Unmarshal(got.body, &n); err != nil {
			t.Fatal(err)
		}
		if n.EventType != "bundle.status_changed" || n.OrgID != entP || n.SIMID != simP(8) || n.Data["order_id"] != added.OrderID ||
			n.Data["operation"] != "1000" || n.Data["status"] != float64(0) || n.Data["bundle_id"] != planMonthly.code {
			t.Errorf("attempt %d: %+v", attempt, n)
		}
	}
	if ds := attempts(2); ds[0].State != opencube.DeliveryDelivered {
		t.Errorf("delivery %s: state %s after a failed and a successful attempt", ds[0].ID, ds[0].State)
	}

	// The result of an asynchronous operation is notified too
	// (sim.async_result), to an endpoint that asks for it alone.
	results := newReceiver(t, 0)
	if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: results.srv.URL, Format: opencube.WebhookV4,
		Events: []opencube.EventType{opencube.EventSIMAsyncResult}}); err != nil {
		t.Fatal(err)
	}
	id, err := s.p.Activate(ctx, simP(8))
	if err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	got := results.next(t)
	verifyV4Notification(t, got.header, got.body, w.NotificationKeyID, w.NotificationKey)
	var n notify.V4Event
	if err := json.Unmarshal(got.body, &n); err != nil {
		t.Fatal(err)
	}
	if n.EventType != "sim.async_result" || n.SIMID != simP(8) || n.Data["request_id"] != id || n.Data["operation"] != "activate" ||
		n.Data["status"] != float64(1) || n.Data["error"] != nil {
		t.Errorf("sim.async_result: %s", got.body)
	}

	// A new Notification Key, shown once: deliveries are signed with it,
	// never with the old one.
	k, err := ad.RotateNotificationKey(ctx, entP)
	if err != nil || len(k.NotificationKeyID) != 32 || len(k.NotificationKey) != 64 || k.NotificationKeyID == w.NotificationKeyID || k.NotificationKey == w.NotificationKey {
		t.Fatalf("RotateNotificationKey: %+v, %v", k, err)
	}
	if shown, err := ad.FindWebhook(ctx, entP); err != nil || shown.NotificationKey != "" || shown.NotificationKeyID != k.NotificationKeyID {
		t.Errorf("FindWebhook after a new key: %+v, %v", shown, err)
	}
	if id, err = s.p.Suspend(ctx, simP(8)); err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	got = results.next(t)
	verifyV4Notification(t, got.header, got.body, k.NotificationKeyID, k.NotificationKey)
	old, err := notify.V4Signature(w.NotificationKey, notify.V4StringToSign(notify.V4Version, notify.V4Algo, got.header.Get(notify.HeaderV4Timestamp), got.body))
	if err != nil || strings.HasSuffix(got.header.Get(notify.HeaderV4Signature), "/"+old) {
		t.Errorf("a delivery after the new key is signed with the old one: %s (%v)", got.header.Get(notify.HeaderV4Signature), err)
	}
	// A CSSS-format endpoint has no Notification Key.
	if _, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: results.srv.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := ad.RotateNotificationKey(ctx, entP); opencube.ErrorKind(err) != opencube.KindInvalid {
		t.Errorf("a new key for a CSSS endpoint: %v", err)
	}
	if _, err := ad.RotateNotificationKey(ctx, entQ); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("a new key without an endpoint: %v", err)
	}
}

// TestCubeV4LatestSession: what RADIUS accounting says of the device
// (3GPP-IMEISV, 3GPP-RAT-Type, 3GPP-User-Location-Info, Framed-IP-Address)
// fills the v4 SIM detail's imei and latest_session, and CSSS's imei.
func TestCubeV4LatestSession(t *testing.T) {
	needRadclient(t)
	s := startV4(t, func(m *Main) {
		m.RADIUS = radiusConfig{AcctAddr: "127.0.0.1:0", AuthAddr: "127.0.0.1:0", Secret: radiusSecret, SessionTimeout: time.Hour}
	})
	ctx := t.Context()
	sim := simP(9)
	acct(t, s.e2eServer, "Start", imsiOf(sim), "v4-session", clockStart.Add(-time.Minute), 0, 0,
		`3GPP-IMEISV = "4901542032375101"`, "3GPP-RAT-Type = EUTRAN", "3GPP-User-Location-Info = 0x8254f0040001000000010203", "Framed-IP-Address = 10.1.2.3")
	d, err := s.p.SIM(ctx, sim)
	if err != nil {
		t.Fatal(err)
	}
	ls := d.LatestSession
	if d.IMEI == nil || *d.IMEI != "490154203237518" || ls == nil || ls.Status != 1 || ls.Session != "v4-session" || ls.IMSI != imsiOf(sim) {
		t.Fatalf("SIM detail: imei %v, latest_session %+v", d.IMEI, ls)
	}
	str := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	if str(ls.MCC) != "460" || str(ls.MNC) != "01" || str(ls.Country) != "CN" || str(ls.RAT) != "eutran" || str(ls.IP) != "10.1.2.3" || str(ls.Network) != "46001" {
		t.Errorf("latest_session: mcc %s mnc %s country %s rat %s ip %s network %s", str(ls.MCC), str(ls.MNC), str(ls.Country), str(ls.RAT), str(ls.IP), str(ls.Network))
	}
	r := s.do(t, s.e2eServer.p, "/device/queryDeviceInfo", map[string]any{"device_id": sim}, nil)
	if r.Code != "0000" || !strings.Contains(string(r.Data), `"imei":"490154203237518"`) || !strings.Contains(string(r.Data), `"activate_date":""`) {
		t.Errorf("CSSS queryDeviceInfo: %s %s", r.Code, r.Data)
	}

	// The SIM of the device: GET /sims?imei=.
	if it, err := s.p.SIMByIMEI(ctx, "490154203237518"); err != nil || it.SIMID != sim {
		t.Errorf("SIMByIMEI: %+v, %v", it, err)
	}
	_, err = s.q.SIMByIMEI(ctx, "490154203237518")
	wantV4(t, "another enterprise's device", err, 200, cubev4.CodeIMEINotFound)
	_, err = s.p.SIMByIMEI(ctx, "490154203237519")
	wantV4(t, "an unknown device", err, 200, cubev4.CodeIMEINotFound)
	_, err = s.p.SIMByIMEI(ctx, "4901542032375")
	wantV4(t, "a short IMEI", err, 400, cubev4.CodeInvalid)
	_, err = s.p.SIMBySN(ctx, "SN-1")
	wantV4(t, "a serial number", err, 200, cubev4.CodeSNNotFound)

	// Closed, the session stays the SIM's latest, and its IMEI the SIM's;
	// CSSS says it is offline.
	acct(t, s.e2eServer, "Stop", imsiOf(sim), "v4-session", clockStart, 100, 200, `3GPP-IMEISV = "4901542032375101"`)
	if d, err = s.p.SIM(ctx, sim); err != nil || d.LatestSession == nil || d.LatestSession.Status != 0 || d.LatestSession.EndAt == nil ||
		d.LatestSession.Session != "v4-session" || d.IMEI == nil || *d.IMEI != "490154203237518" {
		t.Errorf("SIM detail after the session closed: %+v, %v", d, err)
	}
	info := s.ok(t, s.e2eServer.p, "/device/queryDeviceInfo", map[string]any{"device_id": sim})
	if info["online"] != "0" || info["imei"] != "490154203237518" {
		t.Errorf("CSSS queryDeviceInfo after the session closed: %v", info)
	}

	// activate_date is when the SIM's first order started, not when it
	// joined the inventory.
	s.clock.Advance(48 * time.Hour)
	if _, err := s.p.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10, Activate: true}); err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	want := s.clock.Now().In(opencube.BusinessZone).Format("2006-01-02")
	info = s.ok(t, s.e2eServer.p, "/device/queryDeviceInfo", map[string]any{"device_id": sim})
	if got, _ := info["activate_date"].(string); !strings.HasPrefix(got, want) {
		t.Errorf("activate_date %q, want the first order's start on %s", got, want)
	}
}

// TestCubeV4Renewal: a renewal order renews a SIM's order of the plan,
// orders it for a SIM without one (started at once), lists another
// enterprise's SIM as abnormal, and answers the first order to identical
// parameters within 10 seconds.
func TestCubeV4Renewal(t *testing.T) {
	s := startV4(t, nil)
	ctx := t.Context()
	added, err := s.p.AddBundle(ctx, simP(2), cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10, Cycles: ptrTo(2)})
	if err != nil {
		t.Fatal(err)
	}
	req := cubev4.RenewalRequest{Items: []cubev4.RenewalItem{{ID: planMonthly.code, Quantity: 3, SIMIDs: []string{simP(2), simP(3), simQ(1)}}},
		Extra: &cubev4.OrderExtra{PO: "PO-1", Remarks: "renew"}}
	out, err := s.p.Renew(ctx, req)
	if err != nil || out.Status != 1 || !strings.HasPrefix(out.OrderID, "OL-") {
		t.Fatalf("Renew: %+v, %v", out, err)
	}
	bs, _, err := s.p.Bundles(ctx, simP(2), "", 0, 0)
	if err != nil || len(bs) != 1 || bs[0].OrderID != added.OrderID || bs[0].Cycles != 5 {
		t.Errorf("the renewed bundle: %+v, %v", bs, err)
	}
	if bs, _, err := s.p.Bundles(ctx, simP(3), "1", 0, 0); err != nil || len(bs) != 1 || bs[0].Cycles != 3 {
		t.Errorf("the ordered bundle: %+v, %v", bs, err)
	}
	o, err := s.p.RenewalOrder(ctx, out.OrderID)
	if err != nil || o.ID != out.OrderID || o.Type != 2 || len(o.Items) != 1 || len(o.Items[0].SIMIDs) != 2 || o.Items[0].Price != "60.00" ||
		o.Accounting.TotalAmount != "60.00" || o.Accounting.Currency != "CNY" || len(o.Abnormal) != 1 || o.Abnormal[0].SIMID != simQ(1) ||
		o.Abnormal[0].Code != cubev4.CodeSIMNotFound || o.Extra == nil || o.Extra.PO != "PO-1" || o.CreatedAt != strconv.FormatInt(out.CreatedAt, 10) {
		t.Errorf("RenewalOrder: %+v, %v", o, err)
	}
	s.clock.Advance(5 * time.Second)
	again, err := s.p.Renew(ctx, req)
	if err != nil || *again != *out {
		t.Errorf("the same order 5 s later: %+v, %v; want %+v", again, err, out)
	}
	if bs, _, _ := s.p.Bundles(ctx, simP(2), "", 0, 0); len(bs) != 1 || bs[0].Cycles != 5 {
		t.Errorf("a repeat renewed again: %+v", bs)
	}
	_, err = s.q.RenewalOrder(ctx, out.OrderID)
	wantV4(t, "another enterprise's renewal order", err, 200, cubev4.CodeOrderNotFound)
	_, err = s.p.Renew(ctx, cubev4.RenewalRequest{Items: []cubev4.RenewalItem{{ID: planMonthly.code, Quantity: 0, SIMIDs: []string{simP(2)}}}})
	wantV4(t, "quantity 0", err, 400, cubev4.CodeInvalid)
	_, err = s.p.Renew(ctx, cubev4.RenewalRequest{})
	wantV4(t, "no items", err, 400, cubev4.CodeMissing)
}

// TestCubeV4AsyncOnceAcrossNodes: two nodes on one database run their job
// workers at once; every asynchronous operation is done once: one start
// event and one result event a request.
func TestCubeV4AsyncOnceAcrossNodes(t *testing.T) {
	db := e2eDatabase(t)
	clock := &e2eClock{now: clockStart}
	off := func(m *Main) { m.V4 = v4Config{} }
	a, _ := startStoppable(t, db, clock, off)
	b, _ := startStoppable(t, db, clock, off)
	key, err := client.ParsePrivateKey(docs.CubeV4DemoKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var ids []string
	for i, node := range []*e2eServer{a, b, a, b, a} {
		c := client.NewV4(node.m.URL(), service.DemoKeyID, key)
		c.Now = func() time.Time { clock.Advance(time.Millisecond); return clock.Now() }
		sim := simP(i)
		if _, err := c.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10}); err != nil {
			t.Fatal(err)
		}
		id, err := c.Activate(ctx, sim)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for range 3 {
		var wg sync.WaitGroup
		for _, node := range []*e2eServer{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := node.m.Worker.RunOnce(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	evs, err := a.m.Store.FindEvents(ctx, entP)
	if err != nil {
		t.Fatal(err)
	}
	count := map[opencube.EventType]int{}
	for _, e := range evs {
		count[e.Type]++
	}
	if count[opencube.EventStartOrder] != 5 || count[opencube.EventSIMAsyncResult] != 5 {
		t.Errorf("events: %v; want 5 starts and 5 results", count)
	}
	for _, id := range ids {
		r, err := a.m.Store.FindSIMRequest(ctx, entP, id)
		if err != nil || r.Status != operator.SIMRequestSucceeded {
			t.Errorf("request %s: %+v, %v", id, r, err)
		}
	}
}

// TestCubeV4RenewalBilled: a renewal order on a prepaid enterprise writes a
// ledger line for each SIM it renews or orders for, and refuses the SIMs
// the balance no longer covers (CB-02-9999 in abnormal) without writing
// anything of them.
func TestCubeV4RenewalBilled(t *testing.T) {
	s := startV4(t, nil)
	ctx := t.Context()
	ad := client.NewAdmin(s.m.URL(), "admin-token")
	added, err := s.p.AddBundle(ctx, simP(2), cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ad.PutBilling(ctx, entP, admin.BillingRequest{Mode: "prepaid", Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ad.TopUp(ctx, entP, admin.TopUpRequest{Amount: "50.00", Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	// The bundle added while postpaid cost 10.00: 40.00 left. 30.00 renews
	// simP(2); 30.00 more is not covered for simP(3).
	out, err := s.p.Renew(ctx, cubev4.RenewalRequest{Items: []cubev4.RenewalItem{{ID: planMonthly.code, Quantity: 3, SIMIDs: []string{simP(2), simP(3)}}}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.p.RenewalOrder(ctx, out.OrderID)
	if err != nil || len(o.Items) != 1 || len(o.Items[0].SIMIDs) != 1 || o.Items[0].SIMIDs[0] != simP(2) ||
		len(o.Abnormal) != 1 || o.Abnormal[0].SIMID != simP(3) || o.Abnormal[0].Code != cubev4.CodeBundleRule {
		t.Fatalf("RenewalOrder: %+v, %v", o, err)
	}
	if bs, _, err := s.p.Bundles(ctx, simP(2), "", 0, 0); err != nil || len(bs) != 1 || bs[0].OrderID != added.OrderID || bs[0].Cycles != 4 {
		t.Errorf("the renewed bundle: %+v, %v", bs, err)
	}
	if bs, _, err := s.p.Bundles(ctx, simP(3), "", 0, 0); err != nil || len(bs) != 0 {
		t.Errorf("the refused SIM has bundles: %+v, %v", bs, err)
	}
	if b, err := ad.Balance(ctx, entP); err != nil || len(b.Balances) != 1 || b.Balances[0].Amount != "10.00" {
		t.Errorf("balance = %+v, %v; want 10.00 (50.00 - 10.00 - 30.00)", b, err)
	}
	// With 20.00 more, a new order of the plan for simP(3) is charged too.
	if _, err := ad.TopUp(ctx, entP, admin.TopUpRequest{Amount: "20.00", Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(11 * time.Second) // past the 10 s of identical requests
	if _, err := s.p.Renew(ctx, cubev4.RenewalRequest{Items: []cubev4.RenewalItem{{ID: planMonthly.code, Quantity: 3, SIMIDs: []string{simP(3)}}}}); err != nil {
		t.Fatal(err)
	}
	if b, err := ad.Balance(ctx, entP); err != nil || len(b.Balances) != 1 || b.Balances[0].Amount != "0.00" {
		t.Errorf("balance = %+v, %v; want 0.00", b, err)
	}
	if r, err := ad.VerifyLedger(ctx); err != nil || !r.OK {
		t.Errorf("ledger verify: %+v, %v", r, err)
	}
}
