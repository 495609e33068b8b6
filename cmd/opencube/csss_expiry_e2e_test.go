package main

import (
	"testing"
	"time"

	"github.com/opencube/opencube"
)

// runJobs runs the node's due background jobs and returns how many ran.
func (s *e2eServer) runJobs(t *testing.T) int {
	t.Helper()
	n, err := s.m.Worker.RunOnce(t.Context())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return n
}

// TestOrderExpiry: an in-use order expires (state 4, event 1008) once its
// last UTC+8 day is over, not a second earlier; a renewal moves the expiry;
// a suspended order does not expire while suspended.
func TestOrderExpiry(t *testing.T) {
	s := startServer(t)
	// Daily plan, enabled 2024-01-31 10:00 UTC+8: last day 2024-01-31.
	id := s.mustOrder(t, s.p, planDaily.order(simP(0), true))
	if got := s.order(t, s.p, id)["expireDate"]; got != "2024-01-31 23:59:59" {
		t.Fatalf("expireDate %s", got)
	}
	s.clock.Set(time.Date(2024, 1, 31, 23, 59, 59, 0, opencube.BusinessZone))
	s.runJobs(t)
	if got := s.order(t, s.p, id)["orderStatus"]; got != "2" {
		t.Fatalf("order %s before the end of its last day, want 2", got)
	}
	// Renew by one day: the job moves to the end of 1 February.
	s.ok(t, s.p, "/package/renewPackage", map[string]any{"order_id": id, "renew_period": 1})
	s.clock.Set(time.Date(2024, 2, 1, 0, 0, 1, 0, opencube.BusinessZone))
	s.runJobs(t)
	if got := s.order(t, s.p, id)["orderStatus"]; got != "2" {
		t.Fatalf("renewed order %s on its new last day, want 2", got)
	}
	s.clock.Set(time.Date(2024, 2, 2, 0, 0, 1, 0, opencube.BusinessZone))
	if n := s.runJobs(t); n != 1 {
		t.Fatalf("%d jobs ran, want 1", n)
	}
	if got := s.order(t, s.p, id)["orderStatus"]; got != "4" {
		t.Fatalf("order %s after its last day, want 4 (expired)", got)
	}
	events, err := s.m.Store.FindEvents(t.Context(), entP)
	if err != nil {
		t.Fatal(err)
	}
	if last := events[len(events)-1]; last.Type != opencube.EventExpireOrder || last.OrderID != id {
		t.Fatalf("last event %+v, want 1008 for %s", last, id)
	}
	if n := s.runJobs(t); n != 0 {
		t.Fatalf("%d jobs left after expiry", n)
	}

	// A suspended order past its expiry stays suspended; resumed, it expires.
	id2 := s.mustOrder(t, s.p, planDaily.order(simP(1), true))
	s.ok(t, s.p, "/device/pauseService", map[string]any{"device_id": simP(1)})
	s.clock.Set(time.Date(2024, 2, 4, 0, 0, 1, 0, opencube.BusinessZone))
	s.runJobs(t)
	if got := s.order(t, s.p, id2)["orderStatus"]; got != "3" {
		t.Fatalf("suspended order %s, want 3", got)
	}
	s.ok(t, s.p, "/device/resumeService", map[string]any{"device_id": simP(1)})
	s.runJobs(t)
	if got := s.order(t, s.p, id2)["orderStatus"]; got != "4" {
		t.Fatalf("resumed order past expiry %s, want 4", got)
	}
}
