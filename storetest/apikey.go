package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// testAPIKeys: an enterprise's Cube v4 keys are stored, found by id, listed
// oldest first, bounded, never registered twice, and deleted only by their
// own enterprise.
func testAPIKeys(t *testing.T, open func(*testing.T) service.Store) {
	s, ctx := open(t), context.Background()
	for _, code := range []string{entA, entB} {
		if err := s.CreateEnterprise(ctx, newEnterprise(code)); err != nil {
			t.Fatalf("CreateEnterprise(%s): %v", code, err)
		}
	}
	key := func(n int, ent string) *operator.APIKey {
		return &operator.APIKey{ID: fmt.Sprintf("%032x", n), Enterprise: ent, PublicKey: fmt.Sprintf("MIGf-key-%d", n),
			Bits: 1024 << (n % 2), CreatedAt: at(time.Duration(n) * time.Second)}
	}
	a1, a2, b1 := key(2, entA), key(1, entA), key(3, entB)
	for _, k := range []*operator.APIKey{a1, a2, b1} {
		if err := s.CreateAPIKey(ctx, k); err != nil {
			t.Fatalf("CreateAPIKey(%s): %v", k.ID, err)
		}
	}
	got, err := s.FindAPIKey(ctx, a1.ID)
	if err != nil {
		t.Fatalf("FindAPIKey: %v", err)
	}
	if diff := cmp.Diff(a1, got, opts); diff != "" {
		t.Errorf("FindAPIKey (-want +got):\n%s", diff)
	}
	list, err := s.FindAPIKeys(ctx, entA)
	if err != nil {
		t.Fatalf("FindAPIKeys: %v", err)
	}
	if diff := cmp.Diff([]*operator.APIKey{a2, a1}, list, opts); diff != "" {
		t.Errorf("FindAPIKeys(A), oldest first (-want +got):\n%s", diff)
	}
	again := *b1
	again.Enterprise = entA
	checkKind(t, "the same key for another enterprise", s.CreateAPIKey(ctx, &again), opencube.KindConflict, false)
	checkKind(t, "unknown enterprise", s.CreateAPIKey(ctx, key(9, "nobody")), opencube.KindUnauthenticated, false)
	_, err = s.FindAPIKey(ctx, fmt.Sprintf("%032x", 99))
	checkKind(t, "unknown key", err, opencube.KindUnauthenticated, false)
	checkKind(t, "another enterprise's key", s.DeleteAPIKey(ctx, entA, b1.ID), opencube.KindNotFound, false)
	if err := s.DeleteAPIKey(ctx, entA, a1.ID); err != nil {
		t.Fatalf("DeleteAPIKey: %v", err)
	}
	_, err = s.FindAPIKey(ctx, a1.ID)
	checkKind(t, "deleted key", err, opencube.KindUnauthenticated, false)
	checkKind(t, "deleted twice", s.DeleteAPIKey(ctx, entA, a1.ID), opencube.KindNotFound, false)
	if list, _ := s.FindAPIKeys(ctx, entB); len(list) != 1 {
		t.Errorf("FindAPIKeys(B) = %d keys, want 1", len(list))
	}
	for n := 10; n < 10+operator.MaxAPIKeys-1; n++ {
		if err := s.CreateAPIKey(ctx, key(n, entA)); err != nil {
			t.Fatalf("CreateAPIKey(%d): %v", n, err)
		}
	}
	checkKind(t, "one key too many", s.CreateAPIKey(ctx, key(100, entA)), opencube.KindQuota, false)
}
