package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/opencube/opencube/service"
)

// testHealth checks what a readiness check asks of a store: a fresh store
// answers a ping, and its schema is the one its binary knows.
func testHealth(t *testing.T, open func(*testing.T) service.Store) {
	s := open(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	current, known, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatalf("SchemaVersion: %v", err)
	}
	if known < 1 || current != known {
		t.Errorf("SchemaVersion = %d, %d; want a migrated store: the same version, at least 1", current, known)
	}
	done, stop := context.WithCancel(ctx)
	stop()
	if err := s.Ping(done); err == nil {
		t.Error("Ping with a cancelled context succeeded")
	}
}
