package main

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/cubev4"
)

// sendAll sends req n times at once and returns the bodies answered.
func sendAll(t *testing.T, c *client.V4, reqs ...*client.V4Request) [][]byte {
	t.Helper()
	out := make([][]byte, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := c.Send(t.Context(), r)
			if resp != nil {
				out[i] = resp.Body
			}
		}()
	}
	wg.Wait()
	return out
}

// same reports whether every body is the first, byte for byte.
func same(bodies [][]byte) bool {
	for _, b := range bodies {
		if b == nil || !bytes.Equal(b, bodies[0]) {
			return false
		}
	}
	return true
}

// TestCubeV4Retries: retries of a write that committed, sent at once or
// later, get its answer byte for byte and change nothing more (D28): an
// asynchronous operation, an add bundle that activates, a renewal order
// (by its sign and by its parameters), a batch SMS; and a batch SMS that
// fails on a later SIM sends nothing.
func TestCubeV4Retries(t *testing.T) {
	s := startV4(t, func(m *Main) { m.SMS.DailyLimit = 1 })
	ctx := t.Context()
	sim := simP(4)
	if _, err := s.p.AddBundle(ctx, sim, cubev4.AddBundleRequest{BundleID: planMonthly.code, BundleType: 10}); err != nil {
		t.Fatal(err)
	}

	// An activation sent four times at once: one request, one answer.
	act, err := s.p.Sign("POST", "/sims/"+sim+"/activate", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	bodies := sendAll(t, s.p, act, act, act, act)
	if !same(bodies) {
		t.Fatalf("concurrent retries of an activation answered differently: %q", bodies)
	}
	var env struct {
		Data cubev4.RequestAnswer `json:"data"`
	}
	if err := json.Unmarshal(bodies[0], &env); err != nil || env.Data.RequestID == "" {
		t.Fatalf("activation: %s, %v", bodies[0], err)
	}
	s.runJobs(t)
	if res, err := s.p.AsyncResult(ctx, env.Data.RequestID); err != nil || res.Status != 1 {
		t.Fatalf("the activation: %+v, %v", res, err)
	}
	// Once the SIM is active, the retry still gets the first answer.
	if later := sendAll(t, s.p, act); !bytes.Equal(later[0], bodies[0]) {
		t.Errorf("a retry after the job: %s, want %s", later[0], bodies[0])
	}

	// Add and activate, four times at once: one order, one request.
	other := simP(5)
	add, err := s.p.Sign("POST", "/sims/"+other+"/bundle", []byte(`{"bundle_id":"`+planMonthly.code+`","bundle_type":10,"activate":true}`))
	if err != nil {
		t.Fatal(err)
	}
	add.Header.Set(cubev4.HeaderAPIVersion, "2.0")
	bodies = sendAll(t, s.p, add, add, add, add)
	if !same(bodies) {
		t.Fatalf("concurrent retries of add and activate answered differently: %q", bodies)
	}
	if bs, n, err := s.p.Bundles(ctx, other, "", 0, 0); err != nil || n != 1 {
		t.Fatalf("after concurrent retries of add and activate: %+v (%d), %v", bs, n, err)
	}
	s.runJobs(t)
	if st, err := s.p.Status(ctx, other); err != nil || st.Status != cubev4.StatusActive || st.Pending {
		t.Errorf("after add and activate: %+v, %v", st, err)
	}

	// A renewal order, its sign four times at once, and the same
	// parameters newly signed: one renewal, one answer.
	body := []byte(`{"items":[{"id":"` + planMonthly.code + `","quantity":2,"sim_ids":["` + sim + `","` + other + `"]}]}`)
	var reqs []*client.V4Request
	first, err := s.p.Sign("POST", "/orders/service", body)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		reqs = append(reqs, first)
		r, err := s.p.Sign("POST", "/orders/service", body)
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, r)
	}
	bodies = sendAll(t, s.p, reqs...)
	if !same(bodies) {
		t.Fatalf("concurrent renewal orders answered differently: %q", bodies)
	}
	for _, id := range []string{sim, other} {
		if bs, _, err := s.p.Bundles(ctx, id, "1", 0, 0); err != nil || len(bs) != 1 || bs[0].Cycles != 3 {
			t.Errorf("%s after concurrent renewal orders: %+v, %v; want one bundle of 3 cycles", id, bs, err)
		}
	}
	var order struct {
		Data cubev4.RenewalAnswer `json:"data"`
	}
	if err := json.Unmarshal(bodies[0], &order); err != nil {
		t.Fatal(err)
	}
	if o, err := s.p.RenewalOrder(ctx, order.Data.OrderID); err != nil || len(o.Items[0].SIMIDs) != 2 {
		t.Errorf("the renewal order: %+v, %v", o, err)
	}
	// Past its 10 seconds the same parameters are a new order.
	s.clock.Advance(11 * time.Second)
	if again, err := s.p.Renew(ctx, cubev4.RenewalRequest{Items: []cubev4.RenewalItem{{ID: planMonthly.code, Quantity: 2, SIMIDs: []string{sim, other}}}}); err != nil || again.OrderID == order.Data.OrderID {
		t.Errorf("the same order 11 s later: %+v, %v; want a new order", again, err)
	}

	// A batch SMS sent at once twice: one message a SIM.
	sms, err := s.p.Sign("POST", "/sms", []byte(`{"sim_ids":["`+simP(6)+`","`+simP(7)+`"],"message":{"type":1,"content":"hi"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if bodies = sendAll(t, s.p, sms, sms); !same(bodies) {
		t.Fatalf("concurrent retries of an SMS batch: %q", bodies)
	}
	for _, id := range []string{simP(6), simP(7)} {
		if _, n, _ := s.p.MTHistory(ctx, id, 0); n != 1 {
			t.Errorf("%s was sent %d messages; want 1", id, n)
		}
	}
	// A batch whose last SIM is refused in the send (its daily limit,
	// reached above) sends nothing, to any SIM.
	_, err = s.p.SendSMS(ctx, cubev4.SendSMSRequest{SIMIDs: []string{simP(8), simP(6)}, Message: cubev4.SMSMessage{Type: 1, Content: "again"}})
	if err == nil {
		t.Fatal("a batch over a SIM's daily limit was sent")
	}
	if _, n, _ := s.p.MTHistory(ctx, simP(8), 0); n != 0 {
		t.Errorf("a refused batch sent %d messages to its first SIM", n)
	}
}
