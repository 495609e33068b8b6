package main

import (
	"testing"

	"github.com/opencube/opencube/csss"
)

// TestSecretRotationWithCache: enterprises are cached, yet a newly added
// secret verifies at once; a dropped secret stops verifying once the cache
// entry is gone (here: a zero TTL).
func TestSecretRotationWithCache(t *testing.T) {
	s := startServer(t)
	query := map[string]any{"page_no": 1, "page_size": 1}
	s.ok(t, s.p, "/package/queryPackage", query) // caches P000270 with the demo secret
	if _, err := s.m.Services.Admin.RotateSecret(t.Context(), entP, "second-secret-123"); err != nil {
		t.Fatal(err)
	}
	second := s.client(entP, "second-secret-123")
	s.ok(t, second, "/package/queryPackage", query)
	s.ok(t, s.p, "/package/queryPackage", query) // both secrets during the rotation
	if _, err := s.m.Services.Admin.RotateSecret(t.Context(), entP, "third-secret-1234"); err != nil {
		t.Fatal(err)
	}
	s.m.CSSS.EnterpriseTTL = 0
	wantCode(t, s.do(t, s.p, "/package/queryPackage", query, nil), csss.CodeSignature)
	s.ok(t, second, "/package/queryPackage", query)
	s.ok(t, s.client(entP, "third-secret-1234"), "/package/queryPackage", query)
}
