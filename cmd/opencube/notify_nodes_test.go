package main

import (
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// TestWebhookAfterCrash: a node that stops after a change, before its
// delivery, loses nothing: the next node on the same database delivers it.
func TestWebhookAfterCrash(t *testing.T) {
	db := e2eDatabase(t)
	clock := &e2eClock{now: clockStart}
	r := newReceiver(t, 0)
	// The first node delivers nothing (no delivery loop) and stops.
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr, m.DB, m.Demo, m.Clock, m.Stderr, m.JobInterval = "127.0.0.1:0", db, true, clock, io.Discard, 0
	m.Notify.Interval = 0
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	w, err := m.Services.Notify.PutWebhook(t.Context(), &opencube.Webhook{EnterpriseCode: entP, URL: r.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	s := &e2eServer{m: m, clock: clock}
	s.p = s.client(entP, demoSecret)
	id := s.mustOrder(t, s.p, planMonthly.order(simP(0), true))
	closeMain(t, m)
	r.none(t)

	// A new node on the same database delivers both events.
	startNotifyServer(t, db, clock)
	got := map[string]bool{}
	for range 2 {
		d := r.next(t)
		verify(t, d, w.Secret, demoSecret, clock.Now())
		if d.payload["order_id"] != id {
			t.Errorf("delivered %s", d.body)
		}
		got[d.payload["type"].(string)] = true
	}
	if !got["1000"] || !got["1005"] {
		t.Errorf("delivered %v, want 1000 and 1005", got)
	}
}

// TestWebhookTwoNodes: two nodes on one PostgreSQL database, both running
// their delivery loops, deliver each event exactly once in normal running.
func TestWebhookTwoNodes(t *testing.T) {
	url := pgtest.Schema(t)
	a := startNode(t, url, true)
	b := startNode(t, url, false)
	r := newReceiver(t, 0)
	if _, err := a.Services.Notify.PutWebhook(t.Context(), &opencube.Webhook{EnterpriseCode: entP, URL: r.srv.URL}); err != nil {
		t.Fatal(err)
	}
	const orders = 40
	var wg sync.WaitGroup
	for i := range orders {
		wg.Go(func() {
			node := []*Main{a, b}[i%2]
			c := client.New(node.URL(), entP, service.DemoSecret)
			// Distinct bodies: identical ones within a millisecond are one request (D5).
			params := withParams(planMonthly.order(simP(i%10), false), "pay_amount", fmt.Sprintf("%d.00", i+1))
			resp, err := c.Do(t.Context(), "/package/orderPackage", params, nil)
			if err != nil || resp.Code != "0000" {
				t.Errorf("order %d: %v %+v", i, err, resp)
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for range orders {
		d := r.next(t)
		seen[d.header.Get("x-lf-delivery")]++
	}
	// Wait until the nodes have logged every delivery and no job is left:
	// a repeat would have to come from a job still pending or leased.
	deadline := time.Now().Add(20 * time.Second)
	for {
		ds, err := a.Services.Notify.FindDeliveries(t.Context(), opencube.DeliveryFilter{Enterprise: entP, State: opencube.DeliveryDelivered, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := a.Store.FindJobs(t.Context(), opencube.JobDeliver)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == orders && len(jobs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d delivered in the log, %d jobs left; want %d and 0", len(ds), len(jobs), orders)
		}
		runtimeGosched()
	}
	r.none(t)
	if len(seen) != orders {
		t.Errorf("%d distinct deliveries, want %d", len(seen), orders)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s arrived %d times", id, n)
		}
	}
}
