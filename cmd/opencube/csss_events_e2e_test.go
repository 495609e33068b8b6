package main

// The notification events the Plan API's moves write (D12), read from the
// store's outbox.

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCSSSEvents(t *testing.T) {
	s := startServer(t)
	a := s.mustOrder(t, s.p, planMonthly.order(simP(0), false))
	s.ok(t, s.p, "/package/renewPackage", map[string]any{"order_id": a, "renew_period": 1}) // not in use: no 1009
	b := s.mustOrder(t, s.p, planMonthly.order(simP(1), true))
	s.clock.Advance(time.Minute)
	c := s.mustOrder(t, s.p, planDaily.order(simP(1), false))
	s.ok(t, s.p, "/package/openOrder", map[string]any{"order_id": a})
	s.ok(t, s.p, "/package/renewPackage", map[string]any{"order_id": b, "renew_period": 1})
	s.ok(t, s.p, "/device/pauseService", map[string]any{"device_id": simP(1)})
	s.ok(t, s.p, "/device/resumeService", map[string]any{"device_id": simP(1)})
	s.ok(t, s.p, "/package/endOrder", map[string]any{"order_id": b, "keep_alive": "1"})
	d := s.mustOrder(t, s.p, planUnlimited.order(simP(2), false))
	s.ok(t, s.p, "/package/cancelOrder", map[string]any{"order_id": d})
	// Refused moves write nothing.
	s.do(t, s.p, "/package/cancelOrder", map[string]any{"order_id": d}, nil)
	s.do(t, s.p, "/package/openOrder", map[string]any{"order_id": c}, nil)
	e := s.ok(t, s.q, "/package/createOtaOrder", planOTA.ota(simQ(0)))["order_id"].(string)
	s.ok(t, s.q, "/package/openOrder", map[string]any{"order_id": e})

	type event struct {
		Type, OrderID string
		Status        int
	}
	read := func(ent string) []event {
		events, err := s.m.Store.FindEvents(t.Context(), ent)
		if err != nil {
			t.Fatal(err)
		}
		out := []event{}
		ids := map[string]bool{}
		for _, ev := range events {
			if ids[ev.ID] {
				t.Errorf("event id %s twice", ev.ID)
			}
			ids[ev.ID] = true
			out = append(out, event{string(ev.Type), ev.OrderID, int(ev.Status)})
		}
		return out
	}
	want := []event{
		{"1000", a, 1},
		{"1000", b, 1}, {"1005", b, 2},
		{"1000", c, 1},
		{"1005", a, 2},
		{"1009", b, 2},
		{"1003", b, 3},
		{"1004", b, 2},
		{"1001", b, 5}, {"1005", c, 2}, // the end, then the start it causes
		{"1000", d, 1}, {"1002", d, 6},
	}
	if diff := cmp.Diff(want, read(entP)); diff != "" {
		t.Errorf("P000270's events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]event{{"1000", e, 1}, {"1007", e, 2}}, read(entQ)); diff != "" {
		t.Errorf("QY-000001's events (-want +got):\n%s", diff)
	}
}
