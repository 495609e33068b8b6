package main

import (
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
)

// requestIDs is a transport that sends each request with the next of its
// request ids.
type requestIDs struct {
	next func() string
}

func (r requestIDs) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set(metrics.HeaderRequestID, r.next())
	return http.DefaultTransport.RoundTrip(req)
}

// asUser returns a client of the admin API with a user's token, whose
// requests carry the request ids prefix-1, prefix-2...
func asUser(s *e2eServer, token, prefix string) *client.Admin {
	a := client.NewAdmin(s.m.URL(), token)
	n := 0
	a.HTTP = &http.Client{Transport: requestIDs{next: func() string {
		n++
		return prefix + "-" + strconv.Itoa(n)
	}}}
	return a
}

// TestUsersRolesAudit: a scripted session of an operator, a support user
// and an enterprise user: what each may do, tokens that stop working when
// revoked or their user disabled, and the audit trail that records every
// change (who, route, object, request id, a summary without secrets),
// never a read or a refusal.
func TestUsersRolesAudit(t *testing.T) {
	s := startNotifyServer(t, e2eDatabase(t), &e2eClock{now: clockStart})
	ctx := t.Context()
	boot := s.admin()

	// --demo made an operator and a P000270 user.
	l, err := boot.ListUsers(ctx, operator.UserQuery{Page: operator.Page{Count: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 2 || l.Items[0].Username != "admin" || l.Items[1].Username != "p000270" ||
		l.Items[1].Enterprise != entP || l.Items[1].Role != operator.RoleEnterprise || *l.Total != 2 {
		t.Fatalf("demo users: %+v", l)
	}

	mk := func(name string, role operator.Role, enterprise string) *admin.NewUser {
		t.Helper()
		u, err := boot.CreateUser(ctx, admin.UserRequest{Username: name, Role: role, Enterprise: enterprise, Password: "a good password"})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		if !strings.HasPrefix(u.Token, "ocu_") || u.TokenID == "" {
			t.Fatalf("create %s: token %q id %q", name, u.Token, u.TokenID)
		}
		return u
	}
	ops := asUser(s, mk("ops", operator.RoleOperator, "").Token, "ops")
	sup := asUser(s, mk("sup", operator.RoleSupport, "").Token, "sup")
	entUser := mk("ent", operator.RoleEnterprise, entP)
	ent := asUser(s, entUser.Token, "ent")

	kind := func(err error) opencube.Kind { return opencube.ErrorKind(err) }
	// The operator changes; its change is audited with its request id.
	if err := ops.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "P000888", Name: "Audited", Secrets: []string{"a-secret-never-logged"}}); err != nil {
		t.Fatal(err)
	}
	// Support reads everything, changes nothing.
	if _, err := sup.Enterprise(ctx, "P000888"); err != nil {
		t.Errorf("support read: %v", err)
	}
	if err := sup.CreatePlan(ctx, &opencube.Plan{Code: "X1", Name: "x", Type: opencube.PlanMonthly, VolumeBytes: opencube.MB, Currency: "CNY"}); kind(err) != admin.KindForbidden {
		t.Errorf("support change: %v; want forbidden", err)
	}
	// The enterprise user sees its own enterprise, not another's (as if
	// it did not exist), and no operator route.
	if _, err := ent.Enterprise(ctx, entP); err != nil {
		t.Errorf("own enterprise: %v", err)
	}
	_, errOther := ent.Enterprise(ctx, entQ)
	_, errMissing := boot.Enterprise(ctx, "NOPE")
	if kind(errOther) != kind(errMissing) || kind(errOther) != opencube.KindUnauthenticated {
		t.Errorf("another enterprise: %v; a missing one: %v", errOther, errMissing)
	}
	if err := ent.CreatePlan(ctx, &opencube.Plan{Code: "X1", Name: "x", Type: opencube.PlanMonthly, VolumeBytes: opencube.MB, Currency: "CNY"}); kind(err) != admin.KindForbidden {
		t.Errorf("enterprise user's plan: %v; want forbidden", err)
	}
	if _, err := ent.MoveSIM(ctx, simQ(0), opencube.SIMSuspend); kind(err) != opencube.KindDeviceNotFound {
		t.Errorf("another enterprise's SIM: %v; want device_not_found", err)
	}
	if _, err := ent.MoveSIM(ctx, simP(0), opencube.SIMSuspend); err != nil {
		t.Errorf("own SIM: %v", err)
	}
	// An enterprise user makes users of its own enterprise only.
	if _, err := ent.CreateUser(ctx, admin.UserRequest{Username: "ent-op", Role: operator.RoleOperator}); kind(err) != opencube.KindInvalid {
		t.Errorf("enterprise user makes an operator: %v", err)
	}
	if _, err := ent.CreateUser(ctx, admin.UserRequest{Username: "ent-q", Role: operator.RoleEnterprise, Enterprise: entQ}); kind(err) != opencube.KindUnauthenticated {
		t.Errorf("enterprise user makes another enterprise's user: %v", err)
	}
	ent2, err := ent.CreateUser(ctx, admin.UserRequest{Username: "ent2", Role: operator.RoleEnterprise})
	if err != nil || ent2.Enterprise != entP {
		t.Fatalf("enterprise user's user: %+v, %v", ent2, err)
	}
	if _, err := ent.User(ctx, "ops"); kind(err) != opencube.KindNotFound {
		t.Errorf("enterprise user reads an operator: %v; want not_found", err)
	}
	users, err := ent.ListUsers(ctx, operator.UserQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users.Items {
		names = append(names, u.Username)
	}
	if strings.Join(names, ",") != "ent,ent2,p000270" {
		t.Errorf("enterprise user's user list: %v", names)
	}

	// Tokens: another one, revoked; a disabled user's stop working.
	second, err := ent.CreateToken(ctx, "ent2", "script")
	if err != nil {
		t.Fatal(err)
	}
	e2 := client.NewAdmin(s.m.URL(), second.Secret)
	if me, err := e2.Me(ctx); err != nil || me.Actor != "ent2" || me.Enterprise != entP || me.TokenID != second.ID {
		t.Errorf("me: %+v, %v", me, err)
	}
	if err := ops.RevokeToken(ctx, "ent2", second.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e2.Me(ctx); kind(err) != admin.KindUnauthorized {
		t.Errorf("revoked token: %v; want unauthorized", err)
	}
	if _, err := ops.DisableUser(ctx, "ent2", true); err != nil {
		t.Fatal(err)
	}
	if _, err := client.NewAdmin(s.m.URL(), ent2.Token).Me(ctx); kind(err) != admin.KindUnauthorized {
		t.Errorf("disabled user's token: %v; want unauthorized", err)
	}
	if _, err := ops.DisableUser(ctx, "ops", true); kind(err) != opencube.KindInvalid {
		t.Errorf("a user disables itself: %v", err)
	}
	shown, err := boot.User(ctx, "ent2")
	if err != nil {
		t.Fatal(err)
	}
	if len(shown.Tokens) != 2 || shown.Tokens[0].RevokedAt == nil || shown.Tokens[0].LastUsedAt == nil || !shown.Disabled {
		t.Errorf("ent2 after revocation: %+v, tokens %+v", shown.User, shown.Tokens)
	}

	// The trail: every change above, newest first; no read, no refusal.
	trail, err := boot.Audit(ctx, operator.AuditQuery{Since: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range trail.Items {
		if e.Actor == "bootstrap" {
			continue // the users' creation
		}
		got = append(got, e.Actor+" "+e.Route+" "+e.Object+" "+e.RequestID)
		if strings.Contains(e.Summary, "a-secret-never-logged") || strings.Contains(e.Summary, "good password") {
			t.Errorf("a secret in the trail: %+v", e)
		}
	}
	want := []string{
		"ops POST /admin/v1/users/{username}/disable user:ent2 ops-3",
		"ops DELETE /admin/v1/users/{username}/tokens/{id} user:ent2 ops-2",
		"ent POST /admin/v1/users/{username}/tokens user:ent2 ent-11",
		"ent POST /admin/v1/users user:ent2 ent-8",
		"ent POST /admin/v1/sims/{iccid}/{move} sim:" + simP(0) + " ent-5",
		"ops POST /admin/v1/enterprises enterprise:P000888 ops-1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit trail:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range trail.Items {
		if e.Object == "enterprise:P000888" && !strings.Contains(e.Summary, `"secret":"***"`) {
			t.Errorf("the enterprise's summary: %s", e.Summary)
		}
	}
	// The enterprise user sees its enterprise's part of the trail.
	mine, err := ent.Audit(ctx, operator.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range mine.Items {
		if e.Enterprise != entP {
			t.Errorf("enterprise user sees %+v", e)
		}
	}
	if len(mine.Items) < 4 {
		t.Errorf("enterprise user's trail: %d entries", len(mine.Items))
	}
	if _, err := ent.Audit(ctx, operator.AuditQuery{Enterprise: entQ}); kind(err) != opencube.KindUnauthenticated {
		t.Errorf("enterprise user asks for another's trail: %v", err)
	}
	// Nothing in the API changes the trail.
	req, _ := http.NewRequest(http.MethodDelete, s.m.URL()+"/admin/v1/audit", nil)
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNotFound {
		t.Errorf("DELETE /admin/v1/audit: %d", resp.StatusCode)
	}
}

// TestFirstOperatorWithoutServer: `opencube admin user create --db` makes
// the first operator in a database no server runs on; a server started on
// it without --admin-token serves the admin API to that user, and a server
// with neither a token nor a user keeps it off.
func TestFirstOperatorWithoutServer(t *testing.T) {
	off := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) { m.Demo = false; m.SMS.Gateway = "sandbox" })
	if _, err := client.NewAdmin(off.m.URL(), "anything").Me(t.Context()); opencube.ErrorKind(err) != admin.KindDisabled {
		t.Errorf("no token, no user: %v; want disabled", err)
	}

	db := e2eDatabase(t)
	if !strings.HasPrefix(db, "postgres") {
		db = filepath.Join(t.TempDir(), "first.db")
	}
	var out, errOut strings.Builder
	err := dispatch(t.Context(), []string{"admin", "user", "create", "--db", db, "--master-key-file", keyFile(t, seal.DemoKey), "--username", "root", "--role", "operator", "--password-stdin"},
		strings.NewReader("the first password\n"), &out, &errOut)
	if err != nil {
		t.Fatalf("user create --db: %v (%s)", err, errOut.String())
	}
	_, token, ok := strings.Cut(out.String(), "token (shown once): ")
	token = strings.TrimSpace(token)
	if !ok || !strings.HasPrefix(token, "ocu_") {
		t.Fatalf("user create --db printed %q", out.String())
	}
	s := startServerWith(t, db, &e2eClock{now: clockStart}, func(m *Main) { m.Demo = false; m.SMS.Gateway = "sandbox" })
	me, err := client.NewAdmin(s.m.URL(), token).Me(t.Context())
	if err != nil || me.Actor != "root" || me.Role != operator.RoleOperator {
		t.Errorf("me = %+v, %v", me, err)
	}
	if _, err := client.NewAdmin(s.m.URL(), "ocu_wrong").Me(t.Context()); opencube.ErrorKind(err) != admin.KindUnauthorized {
		t.Errorf("a wrong token: %v; want unauthorized", err)
	}
}
