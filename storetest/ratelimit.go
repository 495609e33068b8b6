package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// testRateLimit: an enterprise's own rate limit is stored, replaced and
// removed, apart from its secrets and from other enterprises.
func testRateLimit(t *testing.T, open func(*testing.T) service.Store) {
	s, ctx := open(t), context.Background()
	a, b := newEnterprise(entA), newEnterprise(entB)
	for _, e := range []*opencube.Enterprise{a, b} {
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatalf("CreateEnterprise(%s): %v", e.AccessCode, err)
		}
	}
	check := func(step, code string, want *opencube.RateLimit) {
		t.Helper()
		got, err := s.FindEnterprise(ctx, code)
		if err != nil {
			t.Fatalf("%s: FindEnterprise(%s): %v", step, code, err)
		}
		if diff := cmp.Diff(want, got.RateLimit); diff != "" {
			t.Errorf("%s: %s's rate limit (-want +got):\n%s", step, code, diff)
		}
	}
	check("new", entA, nil)
	for _, l := range []*opencube.RateLimit{{Rate: 2.5, Burst: 10}, {Rate: opencube.MinRate, Burst: 1}, {Rate: opencube.MaxRate, Burst: opencube.MaxBurst}} {
		if err := s.UpdateRateLimit(ctx, entA, l); err != nil {
			t.Fatalf("UpdateRateLimit(%+v): %v", *l, err)
		}
		check("set", entA, l)
	}
	check("other enterprise", entB, nil)
	if err := s.UpdateSecrets(ctx, entA, []string{"another-secret"}, []time.Time{base}); err != nil {
		t.Fatal(err)
	}
	check("secrets rotated", entA, &opencube.RateLimit{Rate: opencube.MaxRate, Burst: opencube.MaxBurst})
	if err := s.UpdateRateLimit(ctx, entA, nil); err != nil {
		t.Fatalf("UpdateRateLimit(nil): %v", err)
	}
	check("removed", entA, nil)
	checkKind(t, "unknown enterprise", s.UpdateRateLimit(ctx, "nobody", &opencube.RateLimit{Rate: 1, Burst: 1}), opencube.KindUnauthenticated, false)
}
