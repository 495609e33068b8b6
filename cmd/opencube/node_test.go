package main

import (
	"testing"
	"time"
)

// TestNodeLeaseLost: a node whose number was taken over after its lease ran
// out moves to a free number, and its next order ids carry that number.
func TestNodeLeaseLost(t *testing.T) {
	s := startServer(t)
	m := s.m
	old := m.node
	if old < 0 {
		t.Fatal("the node leased no number")
	}
	s.clock.Advance(2 * nodeLease)
	taken, err := m.Store.ClaimNode(t.Context(), "another-node", s.clock.Now(), nodeLease)
	if err != nil || taken != old {
		t.Fatalf("ClaimNode = %d, %v; want the lapsed number %d", taken, err, old)
	}
	m.renewNode(t.Context())
	if m.node == old || m.node < 0 {
		t.Fatalf("node number %d after losing %d", m.node, old)
	}
	n := m.Services.Orders.IDs.Next(s.clock.Now().Add(time.Second))
	if int(n&63) != m.node {
		t.Fatalf("next id %d carries node %d, want %d", n, n&63, m.node)
	}
	// The renewed lease holds: renewing again keeps the number.
	now := m.node
	m.renewNode(t.Context())
	if m.node != now {
		t.Fatalf("node moved from %d to %d on a good renewal", now, m.node)
	}
}
