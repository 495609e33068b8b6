package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// testUsers: users and their tokens are stored, found by a token's hash,
// revoked, disabled, listed by username with cursors, and scoped to an
// existing enterprise.
func testUsers(t *testing.T, open func(*testing.T) service.Store) {
	store, ctx := open(t), context.Background()
	s := store.(service.AccessStore)
	if err := store.CreateEnterprise(ctx, newEnterprise(entA)); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)
	users := []*operator.User{
		{Username: "zoe", Role: operator.RoleOperator, CreatedAt: t0},
		{Username: "amy", Role: operator.RoleSupport, CreatedAt: t0, PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA"},
		{Username: "ent-1", Role: operator.RoleEnterprise, Enterprise: entA, CreatedAt: t0},
	}
	for i, u := range users {
		tok := &operator.Token{ID: "tok" + u.Username, Username: u.Username, Name: "first", CreatedAt: t0, Hash: "hash-" + u.Username}
		if i == 1 {
			tok = nil
		}
		if err := s.CreateUser(ctx, u, tok); err != nil {
			t.Fatalf("CreateUser(%s): %v", u.Username, err)
		}
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 3 {
		t.Errorf("CountUsers = %d, %v; want 3", n, err)
	}
	if err := s.CreateUser(ctx, &operator.User{Username: "zoe", Role: operator.RoleSupport, CreatedAt: t0}, nil); opencube.ErrorKind(err) != opencube.KindConflict {
		t.Errorf("CreateUser(existing) = %v; want conflict", err)
	}
	if err := s.CreateUser(ctx, &operator.User{Username: "x", Role: operator.RoleEnterprise, Enterprise: "NOPE", CreatedAt: t0}, nil); opencube.ErrorKind(err) != opencube.KindUnauthenticated {
		t.Errorf("CreateUser(unknown enterprise) = %v; want unauthenticated", err)
	}
	// A user whose token fails is not created either.
	dup := &operator.Token{ID: "tokzoe", Username: "y", CreatedAt: t0, Hash: "other"}
	if err := s.CreateUser(ctx, &operator.User{Username: "y", Role: operator.RoleOperator, CreatedAt: t0}, dup); opencube.ErrorKind(err) != opencube.KindConflict {
		t.Errorf("CreateUser(duplicate token) = %v; want conflict", err)
	}
	if _, err := s.FindUser(ctx, "y"); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("FindUser(y) after a failed create = %v; want not_found", err)
	}

	got, err := s.FindUser(ctx, "amy")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(users[1], got); diff != "" {
		t.Errorf("FindUser(amy) (-want +got):\n%s", diff)
	}
	tok, u, err := s.TokenByHash(ctx, "hash-ent-1")
	if err != nil || u.Enterprise != entA || tok.ID != "tokent-1" {
		t.Errorf("TokenByHash = %+v, %+v, %v", tok, u, err)
	}
	if _, _, err := s.TokenByHash(ctx, "nope"); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("TokenByHash(unknown) = %v; want not_found", err)
	}
	t1 := t0.Add(time.Hour)
	if err := s.CreateToken(ctx, &operator.Token{ID: "tok2", Username: "zoe", Name: "ci", CreatedAt: t1, Hash: "hash-2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateToken(ctx, &operator.Token{ID: "tok3", Username: "nobody", CreatedAt: t1, Hash: "hash-3"}); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("CreateToken(unknown user) = %v; want not_found", err)
	}
	if err := s.TouchToken(ctx, "tok2", t1.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, "zoe", "tokzoe", t1); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, "amy", "tok2", t1); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("RevokeToken(another user's) = %v; want not_found", err)
	}
	tokens, err := s.FindTokens(ctx, "zoe")
	if err != nil {
		t.Fatal(err)
	}
	used := t1.Add(time.Minute)
	want := []*operator.Token{
		{ID: "tok2", Username: "zoe", Name: "ci", CreatedAt: t1, LastUsedAt: &used, Hash: "hash-2"},
		{ID: "tokzoe", Username: "zoe", Name: "first", CreatedAt: t0, RevokedAt: &t1, Hash: "hash-zoe"},
	}
	if diff := cmp.Diff(want, tokens); diff != "" {
		t.Errorf("FindTokens(zoe) (-want +got):\n%s", diff)
	}
	yes := true
	if err := s.UpdateUser(ctx, "zoe", &yes, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindUser(ctx, "zoe"); !got.Disabled || got.PasswordHash != "" {
		t.Errorf("after disabling: %+v", got)
	}
	// A password alone leaves the disabled flag as it is.
	if err := s.UpdateUser(ctx, "zoe", nil, "$argon2id$new"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindUser(ctx, "zoe"); !got.Disabled || got.PasswordHash != "$argon2id$new" {
		t.Errorf("after a password: %+v", got)
	}
	if err := s.UpdateUser(ctx, "nobody", &yes, ""); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("UpdateUser(unknown) = %v; want not_found", err)
	}

	// Lists: username order, two a page, then the enterprise's.
	var names []string
	page := operator.Page{Limit: 2, Count: true}
	for i := 0; ; i++ {
		l, err := s.ListUsers(ctx, operator.UserQuery{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		if l.Total == nil || *l.Total != 3 {
			t.Errorf("page %d: total %v; want 3", i, l.Total)
		}
		for _, u := range l.Items {
			names = append(names, u.Username)
		}
		if l.Next == nil {
			break
		}
		page.Cursor = *l.Next
	}
	if diff := cmp.Diff([]string{"amy", "ent-1", "zoe"}, names); diff != "" {
		t.Errorf("ListUsers (-want +got):\n%s", diff)
	}
	l, err := s.ListUsers(ctx, operator.UserQuery{Enterprise: entA})
	if err != nil || len(l.Items) != 1 || l.Items[0].Username != "ent-1" || l.Next != nil {
		t.Errorf("ListUsers(enterprise) = %+v, %v", l, err)
	}
	if _, err := s.ListUsers(ctx, operator.UserQuery{Page: operator.Page{Cursor: "!!"}}); opencube.ErrorKind(err) != opencube.KindInvalid {
		t.Errorf("ListUsers(bad cursor) = %v; want invalid", err)
	}
}

// testAudit: an audit entry rides with the first change committed under
// its context, in the change's transaction; a change that fails writes none
// and leaves it for the next; AppendAudit writes one alone; the trail lists
// newest first, filtered.
func testAudit(t *testing.T, open func(*testing.T) service.Store) {
	store, ctx := open(t), context.Background()
	s := store.(service.AccessStore)
	t0 := time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)
	entry := func(actor, object string, at time.Time) *operator.AuditEntry {
		return &operator.AuditEntry{At: at, Actor: actor, ActorKind: operator.ActorToken, TokenID: "t1",
			Route: "POST /admin/v1/x", Object: object, RequestID: "req", Summary: "{}", Enterprise: entA, Source: "198.51.100.7"}
	}
	// A change that fails: nothing written, the entry still pending.
	e1 := entry("zoe", "enterprise:"+entA, t0)
	actx := operator.WithAudit(ctx, e1)
	err := store.UpdateOrders(actx, func(opencube.OrderTx) error { return errors.New("no") })
	if err == nil || e1.Recorded() {
		t.Fatalf("failed change: err %v, recorded %v", err, e1.Recorded())
	}
	// The next change commits it, with the change.
	if err := store.CreateEnterprise(actx, newEnterprise(entA)); err != nil {
		t.Fatal(err)
	}
	if !e1.Recorded() || e1.ID == 0 {
		t.Fatalf("entry after a committed change: recorded %v, id %d", e1.Recorded(), e1.ID)
	}
	// A second change under the same context writes no second entry.
	if err := store.UpdateSecrets(actx, entA, []string{"another-secret"}, []time.Time{t0}); err != nil {
		t.Fatal(err)
	}
	e2 := entry("amy", "sim:89860000000000000001", t0.Add(time.Hour))
	if err := s.AppendAudit(ctx, e2); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, e2); err != nil { // written already: nothing
		t.Fatal(err)
	}
	e3 := entry("zoe", "sim:89860000000000000002", t0.Add(2*time.Hour))
	e3.Enterprise = entB
	if err := s.AppendAudit(ctx, e3); err != nil {
		t.Fatal(err)
	}
	ids := func(q operator.AuditQuery) []int64 {
		t.Helper()
		l, err := s.ListAudit(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, e := range l.Items {
			out = append(out, e.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		q    operator.AuditQuery
		want []int64
	}{
		{"all", operator.AuditQuery{}, []int64{e3.ID, e2.ID, e1.ID}},
		{"actor", operator.AuditQuery{Actor: "zoe"}, []int64{e3.ID, e1.ID}},
		{"object", operator.AuditQuery{Object: "sim:89860000000000000001"}, []int64{e2.ID}},
		{"object kind", operator.AuditQuery{Object: "sim"}, []int64{e3.ID, e2.ID}},
		{"enterprise", operator.AuditQuery{Enterprise: entA}, []int64{e2.ID, e1.ID}},
		{"since", operator.AuditQuery{Since: t0.Add(time.Hour)}, []int64{e3.ID, e2.ID}},
		{"actor and enterprise", operator.AuditQuery{Actor: "zoe", Enterprise: entA}, []int64{e1.ID}},
	} {
		if diff := cmp.Diff(tt.want, ids(tt.q)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	// Pages of one, in order.
	var got []int64
	p := operator.Page{Limit: 1}
	for {
		l, err := s.ListAudit(ctx, operator.AuditQuery{Page: p})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range l.Items {
			got = append(got, e.ID)
		}
		if l.Next == nil {
			break
		}
		p.Cursor = *l.Next
	}
	if diff := cmp.Diff([]int64{e3.ID, e2.ID, e1.ID}, got); diff != "" {
		t.Errorf("paged (-want +got):\n%s", diff)
	}
	l, err := s.ListAudit(ctx, operator.AuditQuery{Object: "enterprise:" + entA})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("ListAudit(enterprise) = %v, %v", l, err)
	}
	want := entry("zoe", "enterprise:"+entA, t0)
	want.ID = e1.ID
	if diff := cmp.Diff(want, l.Items[0], cmpopts.IgnoreUnexported(operator.AuditEntry{})); diff != "" {
		t.Errorf("entry (-want +got):\n%s", diff)
	}
}

// testConsoleSessions: a console session is found by its hash until its
// absolute expiry, touched, and deleted on sign-out with every expired
// one.
func testConsoleSessions(t *testing.T, open func(*testing.T) service.Store) {
	store, ctx := open(t), context.Background()
	s := store.(service.AccessStore)
	t0 := time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)
	if err := s.CreateUser(ctx, &operator.User{Username: "zoe", Role: operator.RoleOperator, CreatedAt: t0}, nil); err != nil {
		t.Fatal(err)
	}
	a := &operator.ConsoleSession{Hash: "ha", Username: "zoe", CSRF: "ca", CreatedAt: t0, SeenAt: t0, ExpiresAt: t0.Add(time.Hour)}
	b := &operator.ConsoleSession{Hash: "hb", Username: "zoe", CSRF: "cb", CreatedAt: t0, SeenAt: t0, ExpiresAt: t0.Add(2 * time.Hour)}
	for _, cs := range []*operator.ConsoleSession{a, b} {
		if err := s.PutConsoleSession(ctx, cs); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutConsoleSession(ctx, &operator.ConsoleSession{Hash: "hx", Username: "nobody", CreatedAt: t0, SeenAt: t0, ExpiresAt: t0}); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("a session of an unknown user: %v; want not_found", err)
	}
	got, err := s.FindConsoleSession(ctx, "ha", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("FindConsoleSession (-want +got):\n%s", diff)
	}
	if err := s.TouchConsoleSession(ctx, "ha", t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindConsoleSession(ctx, "ha", t0.Add(11*time.Minute)); got == nil || !got.SeenAt.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("after a touch: %+v", got)
	}
	if _, err := s.FindConsoleSession(ctx, "ha", t0.Add(time.Hour)); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("an expired session: %v; want not_found", err)
	}
	// A user's sessions end together.
	c := &operator.ConsoleSession{Hash: "hc", Username: "zoe", CSRF: "cc", CreatedAt: t0, SeenAt: t0, ExpiresAt: t0.Add(3 * time.Hour)}
	if err := s.PutConsoleSession(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.EndUserSessions(ctx, "zoe"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindConsoleSession(ctx, "hc", t0); opencube.ErrorKind(err) != opencube.KindNotFound {
		t.Errorf("a session after EndUserSessions: %v", err)
	}
	if err := s.PutConsoleSession(ctx, b); err != nil {
		t.Fatal(err)
	}
	// Signing b out at 90 minutes forgets a (expired) too.
	if err := s.DeleteConsoleSession(ctx, "hb", t0.Add(90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"ha", "hb"} {
		if _, err := s.FindConsoleSession(ctx, h, t0); opencube.ErrorKind(err) != opencube.KindNotFound {
			t.Errorf("session %s after sign-out: %v", h, err)
		}
	}
}
