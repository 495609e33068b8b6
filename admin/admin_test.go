package admin_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/money"
	"github.com/opencube/opencube/sqlite"
	"github.com/opencube/opencube/storetest"
)

const token = "admin-test-token"

// t0 is the service clock of the tests.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// Seeded state of every fixture.
const (
	seedCode  = "ACME"
	seedICCID = "89852000000000000001"
	seedIMSI  = "454000000000001"
	seedPlan  = "PLAN-A"
)

type fixture struct {
	store    *sqlite.DB
	url      string // served with token
	disabled string // served with no token
}

// newFixture starts the admin API over a SQLite store in a temporary
// directory, holding one enterprise, one SIM and one plan.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	store, svc := storetest.Services(t, opencube.ClockFunc(func() time.Time { return t0 }))
	if err := svc.Admin.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: seedCode, Name: "Acme", Secrets: []string{"acme-secret-1"}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Admin.ImportSIMs(ctx, []*opencube.SIM{{ICCID: seedICCID, IMSI: seedIMSI, EnterpriseCode: seedCode}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Admin.CreatePlan(ctx, &opencube.Plan{Code: seedPlan, Name: "Plan A", Type: opencube.PlanMonthly, VolumeBytes: opencube.MB, Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	srv := admin.NewServer(svc.Admin, token)
	srv.SIMs, srv.Orders = svc.SIMs, svc.Corrections
	on := httptest.NewServer(srv.Handler())
	t.Cleanup(on.Close)
	off := httptest.NewServer(admin.NewServer(svc.Admin, "").Handler())
	t.Cleanup(off.Close)
	return &fixture{store: store, url: on.URL, disabled: off.URL}
}

// exchange is one request and the answer it must get.
type exchange struct {
	name        string
	method      string // POST unless set
	path        string
	contentType string // application/json unless set
	auth        string // "Bearer <token>" unless set; "-" sends none
	disabled    bool   // ask the server that has no token
	body        string
	status      int
	want        string          // the JSON answer of a success, "" for none
	wantErr     admin.ErrorBody // of a failure; Message is a substring
}

func (f *fixture) do(t *testing.T, x exchange) (int, []byte) {
	t.Helper()
	method, base := x.method, f.url
	if method == "" {
		method = http.MethodPost
	}
	if x.disabled {
		base = f.disabled
	}
	var body io.Reader
	if x.body != "" {
		body = strings.NewReader(x.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+x.path, body)
	if err != nil {
		t.Fatal(err)
	}
	switch x.auth {
	case "":
		req.Header.Set("Authorization", "Bearer "+token)
	case "-":
	default:
		req.Header.Set("Authorization", x.auth)
	}
	switch {
	case x.contentType != "":
		req.Header.Set("Content-Type", x.contentType)
	case body != nil:
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// check runs x and compares the answer.
func (f *fixture) check(t *testing.T, x exchange) {
	t.Helper()
	status, raw := f.do(t, x)
	if status != x.status {
		t.Fatalf("HTTP %d, want %d; body %s", status, x.status, raw)
	}
	if status >= 400 {
		var got admin.ErrorResponse
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("error body %s: %v", raw, err)
		}
		if !strings.Contains(got.Error.Message, x.wantErr.Message) {
			t.Errorf("message %q does not contain %q", got.Error.Message, x.wantErr.Message)
		}
		got.Error.Message = x.wantErr.Message
		if diff := cmp.Diff(x.wantErr, got.Error); diff != "" {
			t.Errorf("error (-want +got):\n%s", diff)
		}
		return
	}
	if x.want == "" {
		if len(raw) != 0 {
			t.Errorf("body %s, want none", raw)
		}
		return
	}
	var got, want any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("body %s: %v", raw, err)
	}
	if err := json.Unmarshal([]byte(x.want), &want); err != nil {
		t.Fatalf("want %s: %v", x.want, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
}

func invalid(field, message string) admin.ErrorBody {
	return admin.ErrorBody{Kind: opencube.KindInvalid, Field: field, Message: message}
}

func kind(k opencube.Kind, message string) admin.ErrorBody {
	return admin.ErrorBody{Kind: k, Message: message}
}

// TestAPI runs every endpoint's successes and failures. The exchanges run
// in order against one server: later ones see what earlier ones wrote.
func TestAPI(t *testing.T) {
	f := newFixture(t)
	const created = `"created_at":"2025-03-01T12:00:00Z"`
	tests := []exchange{
		// The token check.
		{name: "no token", path: "/admin/v1/enterprises", auth: "-", body: `{}`, status: 401, wantErr: kind(admin.KindUnauthorized, "missing")},
		{name: "wrong token", method: "GET", path: "/admin/v1/enterprises/ACME", auth: "Bearer nope", status: 401, wantErr: kind(admin.KindUnauthorized, "wrong admin token")},
		{name: "not bearer", method: "GET", path: "/admin/v1/enterprises/ACME", auth: "Basic " + token, status: 401, wantErr: kind(admin.KindUnauthorized, "Bearer")},
		{name: "disabled", method: "GET", path: "/admin/v1/enterprises/ACME", disabled: true, status: 403, wantErr: kind(admin.KindDisabled, "start the server with --admin-token")},
		{name: "disabled with token", method: "GET", path: "/admin/v1/enterprises/ACME", disabled: true, auth: "Bearer ", status: 403, wantErr: kind(admin.KindDisabled, "admin API disabled")},
		{name: "unknown endpoint", method: "GET", path: "/admin/v1/nothing", status: 404, wantErr: kind(admin.KindNoRoute, "GET /admin/v1/nothing")},
		{name: "wrong method", method: "DELETE", path: "/admin/v1/enterprises/ACME", status: 404, wantErr: kind(admin.KindNoRoute, "DELETE")},

		// Enterprises.
		{name: "create enterprise", path: "/admin/v1/enterprises", body: `{"access_code":"NEW1","name":"New One","secret":"new-secret-1"}`,
			status: 201, want: `{"access_code":"NEW1","name":"New One","secrets":1,` + created + `,"rate_limit":null,"status":"active"}`},
		{name: "create enterprise without name", path: "/admin/v1/enterprises", body: `{"access_code":"NEW2","secret":"new-secret-2"}`,
			status: 201, want: `{"access_code":"NEW2","name":"","secrets":1,` + created + `,"rate_limit":null,"status":"active"}`},
		{name: "create duplicate enterprise", path: "/admin/v1/enterprises", body: `{"access_code":"ACME","secret":"other-secret"}`, status: 409, wantErr: kind(opencube.KindConflict, "ACME")},
		{name: "create enterprise bad JSON", path: "/admin/v1/enterprises", body: `{"access_code":`, status: 400, wantErr: invalid("body", "JSON")},
		{name: "create enterprise not JSON", path: "/admin/v1/enterprises", body: `access_code=X`, status: 400, wantErr: invalid("body", "malformed JSON")},
		{name: "create enterprise empty body", path: "/admin/v1/enterprises", status: 400, wantErr: invalid("body", "empty")},
		{name: "create enterprise two values", path: "/admin/v1/enterprises", body: `{"access_code":"X","secret":"12345678"} {}`, status: 400, wantErr: invalid("body", "more than one")},
		{name: "create enterprise unknown field", path: "/admin/v1/enterprises", body: `{"access_code":"X","secrets":["12345678"]}`, status: 400, wantErr: invalid("secrets", "unknown field")},
		{name: "create enterprise mistyped field", path: "/admin/v1/enterprises", body: `{"access_code":7,"secret":"12345678"}`, status: 400, wantErr: invalid("access_code", "string")},
		{name: "create enterprise no code", path: "/admin/v1/enterprises", body: `{"secret":"12345678"}`, status: 400, wantErr: invalid("access_code", "1-64")},
		{name: "create enterprise no secret", path: "/admin/v1/enterprises", body: `{"access_code":"X"}`, status: 400, wantErr: invalid("secret", "required")},
		{name: "create enterprise short secret", path: "/admin/v1/enterprises", body: `{"access_code":"X","secret":"short"}`, status: 400, wantErr: invalid("secret", "8 characters")},
		{name: "create enterprise too large", path: "/admin/v1/enterprises", body: `{"name":"` + strings.Repeat("x", admin.MaxBody) + `"}`, status: 413, wantErr: kind(admin.KindTooLarge, "exceeds")},
		{name: "show enterprise", method: "GET", path: "/admin/v1/enterprises/ACME", status: 200, want: `{"access_code":"ACME","name":"Acme","secrets":1,` + created + `,"rate_limit":null,"status":"active"}`},
		{name: "show created enterprise", method: "GET", path: "/admin/v1/enterprises/NEW1", status: 200, want: `{"access_code":"NEW1","name":"New One","secrets":1,` + created + `,"rate_limit":null,"status":"active"}`},
		{name: "show unknown enterprise", method: "GET", path: "/admin/v1/enterprises/NOPE", status: 404, wantErr: kind(opencube.KindUnauthenticated, "NOPE")},
		{name: "rotate secret", path: "/admin/v1/enterprises/ACME/secrets", body: `{"secret":"acme-secret-2"}`, status: 200, want: `{"access_code":"ACME","name":"Acme","secrets":2,` + created + `,"rate_limit":null,"status":"active"}`},
		{name: "rotate secret again", path: "/admin/v1/enterprises/ACME/secrets", body: `{"secret":"acme-secret-3"}`, status: 200, want: `{"access_code":"ACME","name":"Acme","secrets":2,` + created + `,"rate_limit":null,"status":"active"}`},
		{name: "rotate to a held secret", path: "/admin/v1/enterprises/ACME/secrets", body: `{"secret":"acme-secret-3"}`, status: 409, wantErr: kind(opencube.KindConflict, "already holds")},
		{name: "rotate short secret", path: "/admin/v1/enterprises/ACME/secrets", body: `{"secret":"short"}`, status: 400, wantErr: invalid("secret", "8 characters")},
		{name: "rotate no secret", path: "/admin/v1/enterprises/ACME/secrets", body: `{}`, status: 400, wantErr: invalid("secret", "required")},
		{name: "rotate bad JSON", path: "/admin/v1/enterprises/ACME/secrets", body: `{"secret":}`, status: 400, wantErr: invalid("body", "malformed JSON")},
		{name: "rotate unknown enterprise", path: "/admin/v1/enterprises/NOPE/secrets", body: `{"secret":"nope-secret"}`, status: 404, wantErr: kind(opencube.KindUnauthenticated, "NOPE")},
		{name: "set rate limit", method: "PUT", path: "/admin/v1/enterprises/ACME/rate-limit", body: `{"rate":2.5,"burst":10}`, status: 200,
			want: `{"access_code":"ACME","name":"Acme","secrets":2,` + created + `,"rate_limit":{"rate":2.5,"burst":10},"status":"active"}`},
		{name: "show rate limit", method: "GET", path: "/admin/v1/enterprises/ACME", status: 200,
			want: `{"access_code":"ACME","name":"Acme","secrets":2,` + created + `,"rate_limit":{"rate":2.5,"burst":10},"status":"active"}`},
		{name: "rate limit without burst", method: "PUT", path: "/admin/v1/enterprises/ACME/rate-limit", body: `{"rate":2.5}`, status: 400, wantErr: invalid("burst", "burst must be 1-1000000")},
		{name: "rate limit zero", method: "PUT", path: "/admin/v1/enterprises/ACME/rate-limit", body: `{"rate":0,"burst":1}`, status: 400, wantErr: invalid("rate", "rate must be 0.001-1000000 (requests a second)")},
		{name: "rate limit too high", method: "PUT", path: "/admin/v1/enterprises/ACME/rate-limit", body: `{"rate":1000001,"burst":1}`, status: 400, wantErr: invalid("rate", "0.001-1000000")},
		{name: "rate limit burst too high", method: "PUT", path: "/admin/v1/enterprises/ACME/rate-limit", body: `{"rate":1,"burst":1000001}`, status: 400, wantErr: invalid("burst", "1-1000000")},
		{name: "rate limit unknown field", method: "PUT", path: "/admin/v1/enterprises/ACME/rate-limit", body: `{"rate":1,"burst":1,"per":"minute"}`, status: 400, wantErr: invalid("per", "unknown field")},
		{name: "rate limit unknown enterprise", method: "PUT", path: "/admin/v1/enterprises/NOPE/rate-limit", body: `{"rate":1,"burst":1}`, status: 404, wantErr: kind(opencube.KindUnauthenticated, "NOPE")},
		{name: "rate limit kept", method: "GET", path: "/admin/v1/enterprises/ACME", status: 200,
			want: `{"access_code":"ACME","name":"Acme","secrets":2,` + created + `,"rate_limit":{"rate":2.5,"burst":10},"status":"active"}`},
		{name: "clear rate limit", method: "DELETE", path: "/admin/v1/enterprises/ACME/rate-limit", status: 200,
			want: `{"access_code":"ACME","name":"Acme","secrets":2,` + created + `,"rate_limit":null,"status":"active"}`},
		{name: "clear unknown enterprise's rate limit", method: "DELETE", path: "/admin/v1/enterprises/NOPE/rate-limit", status: 404, wantErr: kind(opencube.KindUnauthenticated, "NOPE")},

		// SIMs.
		{name: "import CSV", path: "/admin/v1/sims", contentType: "text/csv; charset=utf-8",
			body:   "enterprise, ICCID,imsi,ota,msisdn\nACME,89852000000000000002,454000000000002,yes,85200000002\r\nACME,89852000000000000003,454000000000003,0,\n",
			status: 201, want: `{"imported":2}`},
		{name: "import CSV with BOM and status", path: "/admin/v1/sims", contentType: "text/csv",
			body:   "\uFEFFiccid,imsi,enterprise,status\n89852000000000000004,454000000000004,NEW1,inventory\n",
			status: 201, want: `{"imported":1}`},
		{name: "import JSON", path: "/admin/v1/sims",
			body:   `[{"iccid":"89852000000000000005","imsi":"454000000000005","enterprise":"ACME","ota":true},{"iccid":"89852000000000000006","imsi":"454000000000006","enterprise":"ACME","ota":"no"}]`,
			status: 201, want: `{"imported":2}`},
		{name: "import CSV bad ota", path: "/admin/v1/sims", contentType: "text/csv",
			body:   "iccid,imsi,ota,enterprise\n89852000000000000010,454000000000010,1,ACME\n89852000000000000011,454000000000011,maybe,ACME\n",
			status: 400, wantErr: invalid("ota", "line 3: ota \"maybe\"")},
		{name: "import CSV bad ICCID", path: "/admin/v1/sims", contentType: "text/csv",
			body:   "iccid,imsi,enterprise\n8985-bad,454000000000010,ACME\n",
			status: 400, wantErr: invalid("iccid", "line 2: ICCID")},
		{name: "import CSV missing field", path: "/admin/v1/sims", contentType: "text/csv",
			body:   "iccid,imsi,enterprise\n89852000000000000010,454000000000010,ACME\n\n89852000000000000011,454000000000011\n",
			status: 400, wantErr: invalid("csv", "line 4: wrong number of fields")},
		{name: "import CSV bad quote", path: "/admin/v1/sims", contentType: "text/csv",
			body:   "iccid,imsi,enterprise\n\"89852000000000000010,454000000000010,ACME\n",
			status: 400, wantErr: invalid("csv", "line 2")},
		{name: "import CSV no enterprise", path: "/admin/v1/sims", contentType: "text/csv",
			body:   "iccid,imsi,enterprise\n89852000000000000010,454000000000010,\n",
			status: 400, wantErr: invalid("enterprise", "line 2")},
		{name: "import CSV unknown column", path: "/admin/v1/sims", contentType: "text/csv",
			body: "iccid,imsi,enterprise,colour\n", status: 400, wantErr: invalid("csv", `unknown column "colour"`)},
		{name: "import CSV missing column", path: "/admin/v1/sims", contentType: "text/csv",
			body: "imsi,enterprise\n454000000000010,ACME\n", status: 400, wantErr: invalid("csv", `no "iccid" column`)},
		{name: "import CSV repeated column", path: "/admin/v1/sims", contentType: "text/csv",
			body: "iccid,imsi,iccid,enterprise\n", status: 400, wantErr: invalid("csv", "twice")},
		{name: "import empty CSV", path: "/admin/v1/sims", contentType: "text/csv", status: 400, wantErr: invalid("csv", "empty")},
		{name: "import CSV header only", path: "/admin/v1/sims", contentType: "text/csv", body: "iccid,imsi,enterprise\n", status: 400, wantErr: invalid("sims", "no SIMs")},
		{name: "import CSV existing ICCID", path: "/admin/v1/sims", contentType: "text/csv",
			body:   "iccid,imsi,enterprise\n89852000000000000020,454000000000020,ACME\n89852000000000000021,454000000000021,ACME\n" + seedICCID + ",454000000000022,ACME\n",
			status: 409, wantErr: kind(opencube.KindConflict, seedICCID)},
		{name: "import CSV existing IMSI", path: "/admin/v1/sims", contentType: "text/csv",
			body:   "iccid,imsi,enterprise\n89852000000000000020,454000000000020,ACME\n89852000000000000021," + seedIMSI + ",ACME\n",
			status: 409, wantErr: kind(opencube.KindConflict, seedIMSI)},
		{name: "import CSV repeated ICCID", path: "/admin/v1/sims", contentType: "text/csv",
			body:   "iccid,imsi,enterprise\n89852000000000000020,454000000000020,ACME\n89852000000000000020,454000000000021,ACME\n",
			status: 400, wantErr: invalid("iccid", "appears twice")},
		{name: "import CSV unknown enterprise", path: "/admin/v1/sims", contentType: "text/csv",
			body:   "iccid,imsi,enterprise\n89852000000000000020,454000000000020,ACME\n89852000000000000021,454000000000021,NOPE\n",
			status: 404, wantErr: kind(opencube.KindUnauthenticated, "NOPE")},
		{name: "import JSON bad SIM", path: "/admin/v1/sims",
			body:   `[{"iccid":"89852000000000000020","imsi":"454000000000020","enterprise":"ACME"},{"iccid":"89852000000000000021","imsi":"45x","enterprise":"ACME"}]`,
			status: 400, wantErr: invalid("imsi", "SIM 2: IMSI")},
		{name: "import JSON bad ota", path: "/admin/v1/sims", body: `[{"iccid":"89852000000000000020","imsi":"454000000000020","enterprise":"ACME","ota":"maybe"}]`,
			status: 400, wantErr: invalid("ota", "yes/no")},
		{name: "import JSON bad status", path: "/admin/v1/sims", body: `[{"iccid":"89852000000000000020","imsi":"454000000000020","enterprise":"ACME","status":"lost"}]`,
			status: 400, wantErr: invalid("status", "SIM 1")},
		{name: "import JSON object", path: "/admin/v1/sims", body: `{"iccid":"89852000000000000020"}`, status: 400, wantErr: invalid("body", "array")},
		{name: "import JSON empty", path: "/admin/v1/sims", body: `[]`, status: 400, wantErr: invalid("sims", "no SIMs")},
		{name: "import other type", path: "/admin/v1/sims", contentType: "text/plain", body: "x", status: 415, wantErr: kind(admin.KindMediaType, "text/csv or application/json")},

		// A refusal names the rule that failed (opencube.Cause).
		{name: "suspend a SIM in inventory", path: "/admin/v1/sims/89852000000000000004/suspend", status: 409,
			wantErr: admin.ErrorBody{Kind: opencube.KindSIMState, Cause: opencube.CauseSIMMove, Message: "cannot suspend a SIM that is inventory"}},
		{name: "IMSI of a SIM that is not OTA", path: "/admin/v1/sims/" + seedICCID + "/imsi", body: `{"imsi":"454000000000099"}`, status: 409,
			wantErr: admin.ErrorBody{Kind: opencube.KindOTA, Cause: opencube.CauseNotOTA, Message: "is not an OTA SIM"}},
		{name: "IMSI of an OTA SIM without an order in use", path: "/admin/v1/sims/89852000000000000005/imsi", body: `{"imsi":"454000000000099"}`, status: 409,
			wantErr: admin.ErrorBody{Kind: opencube.KindOrderState, Cause: opencube.CauseNoOrderInUse, Message: "has no order in use"}},

		// Plans.
		{name: "create plan", path: "/admin/v1/plans", body: `{"code":"P20M","name":"China 20MB","package_type":2,"volume_mb":"20","price":"12.50","countries":["CN"]}`,
			status: 201, want: `{"code":"P20M","name":"China 20MB","package_type":2,"volume_bytes":20971520,"price_minor":1250,"currency":"CNY","ota":false,"throttle_kbps":0,"countries":["CN"],` + created + `,"status":"active"}`},
		{name: "create plan numbers", path: "/admin/v1/plans", body: `{"code":"PHALF","name":"Half MB","package_type":1,"volume_mb":0.5,"price":3,"currency":"USD","ota":true}`,
			status: 201, want: `{"code":"PHALF","name":"Half MB","package_type":1,"volume_bytes":524288,"price_minor":300,"currency":"USD","ota":true,"throttle_kbps":0,` + created + `,"status":"active"}`},
		{name: "create plan bytes", path: "/admin/v1/plans", body: `{"code":"PUNL","name":"Unlimited","package_type":0,"volume_bytes":1000,"price":"0.05","throttle_kbps":128}`,
			status: 201, want: `{"code":"PUNL","name":"Unlimited","package_type":0,"volume_bytes":1000,"price_minor":5,"currency":"CNY","ota":false,"throttle_kbps":128,` + created + `,"status":"active"}`},
		{name: "create duplicate plan", path: "/admin/v1/plans", body: `{"code":"PLAN-A","name":"Again","package_type":2,"volume_mb":"1","price":"1"}`, status: 409, wantErr: kind(opencube.KindConflict, "PLAN-A")},
		{name: "create plan three decimals", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":2,"volume_mb":"1","price":"12.505"}`, status: 400, wantErr: invalid("price", "two decimals")},
		{name: "create plan negative price", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":2,"volume_mb":"1","price":-1}`, status: 400, wantErr: invalid("price", "non-negative")},
		{name: "create plan word price", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":2,"volume_mb":"1","price":"ten"}`, status: 400, wantErr: invalid("price", `"ten"`)},
		{name: "create plan no price", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":2,"volume_mb":"1"}`, status: 400, wantErr: invalid("price", "required")},
		{name: "create plan exponent volume", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":2,"volume_mb":1e3,"price":"1"}`, status: 400, wantErr: invalid("volume_mb", "1e3")},
		{name: "create plan two volumes", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":2,"volume_mb":"1","volume_bytes":1,"price":"1"}`, status: 400, wantErr: invalid("volume_mb", "not both")},
		{name: "create plan no volume", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":2,"price":"1"}`, status: 400, wantErr: invalid("volume_mb", "required")},
		{name: "create plan negative bytes", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":2,"volume_bytes":-1,"price":"1"}`, status: 400, wantErr: invalid("volume", "must be 0-1125899906842624")},
		{name: "create plan bad type", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":7,"volume_mb":"1","price":"1"}`, status: 400, wantErr: invalid("package_type", "0-5")},
		{name: "create plan string type", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":"2","volume_mb":"1","price":"1"}`, status: 400, wantErr: invalid("package_type", "number")},
		{name: "create plan no type", path: "/admin/v1/plans", body: `{"code":"X","name":"X","volume_mb":"1","price":"1"}`, status: 400, wantErr: invalid("package_type", "required")},
		{name: "create plan no name", path: "/admin/v1/plans", body: `{"code":"X","package_type":2,"volume_mb":"1","price":"1"}`, status: 400, wantErr: invalid("name", "required")},
		{name: "create plan no code", path: "/admin/v1/plans", body: `{"name":"X","package_type":2,"volume_mb":"1","price":"1"}`, status: 400, wantErr: invalid("code", "1-64")},
		{name: "create plan bad currency", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":2,"volume_mb":"1","price":"1","currency":"cny"}`, status: 400, wantErr: invalid("currency", "ISO 4217")},
		{name: "create plan negative throttle", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":0,"volume_mb":"1","price":"1","throttle_kbps":-1}`, status: 400, wantErr: invalid("throttle_kbps", "must be 0-10000000")},
		{name: "create plan unknown field", path: "/admin/v1/plans", body: `{"code":"X","name":"X","package_type":2,"volume":"1MB","price":"1"}`, status: 400, wantErr: invalid("volume", "unknown field")},

		// Grants.
		{name: "grant plan", path: "/admin/v1/enterprises/ACME/plans", body: `{"plan_code":"P20M"}`, status: 204},
		{name: "grant plan again", path: "/admin/v1/enterprises/ACME/plans", body: `{"plan_code":"P20M"}`, status: 204},
		{name: "grant seeded plan", path: "/admin/v1/enterprises/ACME/plans", body: `{"plan_code":"PLAN-A"}`, status: 204},
		{name: "grant unknown plan", path: "/admin/v1/enterprises/ACME/plans", body: `{"plan_code":"NOPE"}`, status: 404, wantErr: kind(opencube.KindPlanNotOrderable, "NOPE")},
		{name: "grant to unknown enterprise", path: "/admin/v1/enterprises/NOPE/plans", body: `{"plan_code":"P20M"}`, status: 404, wantErr: kind(opencube.KindUnauthenticated, "NOPE")},
		{name: "grant no plan", path: "/admin/v1/enterprises/ACME/plans", body: `{}`, status: 400, wantErr: invalid("plan_code", "required")},
		{name: "grant bad JSON", path: "/admin/v1/enterprises/ACME/plans", body: `["P20M"]`, status: 400, wantErr: invalid("body", "object")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { f.check(t, tt) })
	}

	// What the exchanges left in the store.
	ctx := t.Context()
	t.Run("state", func(t *testing.T) {
		e, err := f.store.FindEnterprise(ctx, "ACME")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"acme-secret-2", "acme-secret-3"}, e.Secrets); diff != "" {
			t.Errorf("secrets after two rotations (-want +got):\n%s", diff)
		}
		sims, total, err := f.store.FindSIMs(ctx, opencube.SIMFilter{Enterprise: "ACME"})
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			ICCID, MSISDN string
			OTA           bool
			Status        opencube.SIMStatus
		}
		var got []row
		for _, s := range sims {
			got = append(got, row{s.ICCID, s.MSISDN, s.OTA, s.Status})
		}
		want := []row{
			{seedICCID, "", false, opencube.SIMActive},
			{"89852000000000000002", "85200000002", true, opencube.SIMActive},
			{"89852000000000000003", "", false, opencube.SIMActive},
			{"89852000000000000005", "", true, opencube.SIMActive},
			{"89852000000000000006", "", false, opencube.SIMActive},
		}
		if diff := cmp.Diff(want, got); diff != "" || total != len(want) {
			t.Errorf("ACME's SIMs (total %d) (-want +got):\n%s", total, diff)
		}
		plans, _, err := f.store.FindPlans(ctx, opencube.PlanFilter{Enterprise: "ACME"})
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, p := range plans {
			codes = append(codes, p.Code)
		}
		if diff := cmp.Diff([]string{"P20M", "PLAN-A"}, codes); diff != "" {
			t.Errorf("ACME's plans (-want +got):\n%s", diff)
		}
	})
}

// TestImportAllOrNothing checks that a CSV whose last row repeats an
// existing ICCID imports none of its rows.
func TestImportAllOrNothing(t *testing.T) {
	f := newFixture(t)
	csv := "iccid,imsi,msisdn,ota,enterprise\n" +
		"89852000000000000030,454000000000030,85200000030,1,ACME\n" +
		"89852000000000000031,454000000000031,85200000031,0,ACME\n" +
		seedICCID + ",454000000000032,,0,ACME\n"
	f.check(t, exchange{path: "/admin/v1/sims", contentType: "text/csv", body: csv, status: 409, wantErr: kind(opencube.KindConflict, seedICCID)})
	sims, total, err := f.store.FindSIMs(t.Context(), opencube.SIMFilter{Enterprise: "ACME"})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(sims) != 1 || sims[0].ICCID != seedICCID {
		t.Fatalf("after a failed import ACME holds %d SIMs %v, want only the seeded one", total, sims)
	}
}

func TestParseVolume(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"20MB", 20 << 20, true},
		{"20mb", 20 << 20, true},
		{"1GB", 1 << 30, true},
		{"1.5 GiB", 3 << 29, true},
		{"512KB", 512 << 10, true},
		{"2T", 2 << 40, true},
		{"1048576", 1 << 20, true},
		{"100B", 100, true},
		{"0.1MB", 104858, true}, // 104857.6 rounds up
		{"0", 0, true},
		{"1.5", 0, false}, // a fraction of a byte
		{"", 0, false},
		{"MB", 0, false},
		{"-1MB", 0, false},
		{"1e3MB", 0, false},
		{"1.MB", 0, false},
		{".5MB", 0, false},
		{"20 PB", 0, false},
		{"9999999999TB", 0, false}, // overflows int64
	}
	for _, tt := range tests {
		got, err := admin.ParseVolume(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseVolume(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestPrice(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"12.50", 1250, true},
		{"12.5", 1250, true},
		{"12", 1200, true},
		{"0.01", 1, true},
		{"0", 0, true},
		{"92233720368547758.07", 9223372036854775807, true},
		{"92233720368547758.08", 0, false},
		{"12.505", 0, false},
		{"-1", 0, false},
		{"1,00", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := admin.ParsePrice(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParsePrice(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok {
			if back, _ := admin.ParsePrice(money.Format(got)); back != got {
				t.Errorf("money.Format(%d) = %q does not read back", got, money.Format(got))
			}
		}
	}
	if got := money.Format(-5); got != "-0.05" {
		t.Errorf("money.Format(-5) = %q", got)
	}
}

// FuzzReadSIMsCSV checks that no input makes the CSV reader panic, and that
// what it accepts is valid.
func FuzzReadSIMsCSV(f *testing.F) {
	f.Add("iccid,imsi,msisdn,ota,enterprise\n89852000000000000002,454000000000002,852,yes,ACME\n")
	f.Add("\uFEFFenterprise,iccid,imsi\nA,89852000000000000002,454000000000002\n")
	f.Add("iccid,imsi,enterprise\n\"x\n")
	f.Fuzz(func(t *testing.T, in string) {
		sims, err := admin.ReadSIMsCSV(strings.NewReader(in))
		if err != nil {
			if opencube.ErrorKind(err) != opencube.KindInvalid {
				t.Fatalf("error %v is not KindInvalid", err)
			}
			return
		}
		for _, s := range sims {
			s.Status = opencube.SIMActive
			if err := s.Validate(); err != nil {
				t.Fatalf("accepted an invalid SIM: %v", err)
			}
		}
	})
}

// TestHTTPStatusKnowsEveryKind: every domain kind but internal maps to a
// client-error status, so an operator never sees a 500 for a refusal.
func TestHTTPStatusKnowsEveryKind(t *testing.T) {
	for _, k := range []opencube.Kind{
		opencube.KindInvalid, opencube.KindUnauthenticated, opencube.KindConflict, opencube.KindDeviceNotFound,
		opencube.KindPlanNotOrderable, opencube.KindOrderNotFound, opencube.KindOrderState, opencube.KindOTA,
		opencube.KindBulkRejected, opencube.KindSIMState, opencube.KindQuota, opencube.KindNotFound,
		opencube.KindSoldOut, opencube.KindPriceMismatch, opencube.KindSMSTooLong, opencube.KindSMSDailyLimit,
		opencube.KindSMSNotFound,
	} {
		if got := admin.HTTPStatus(k); got < 400 || got >= 500 {
			t.Errorf("HTTPStatus(%s) = %d, want a 4xx", k, got)
		}
	}
	if got := admin.HTTPStatus(opencube.KindInternal); got != http.StatusInternalServerError {
		t.Errorf("HTTPStatus(internal) = %d", got)
	}
}
