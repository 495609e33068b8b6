package notify_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/notify"
	"github.com/opencube/opencube/service"
)

// batchStore is a memStore that reads several deliveries at once
// (notify.OutgoingsStore), leaving out those named in leaveOut, and
// counts its reads.
type batchStore struct {
	*memStore
	leaveOut string
	mu       sync.Mutex
	batches  [][]string // the ids of each FindOutgoings
	singles  []string   // the id of each FindOutgoing
}

func (s *batchStore) outgoing(ctx context.Context, id string) *opencube.Outgoing {
	d, _ := s.FindDelivery(ctx, id)
	e, _ := s.FindEnterprise(ctx, d.EnterpriseCode)
	w, _ := s.FindWebhook(ctx, d.EnterpriseCode)
	return &opencube.Outgoing{Delivery: d, Enterprise: e, Webhook: w}
}

func (s *batchStore) FindOutgoings(ctx context.Context, ids []string) (map[string]*opencube.Outgoing, error) {
	s.mu.Lock()
	s.batches = append(s.batches, slices.Sorted(slices.Values(ids)))
	s.mu.Unlock()
	outs := map[string]*opencube.Outgoing{}
	for _, id := range ids {
		if id != s.leaveOut {
			outs[id] = s.outgoing(ctx, id)
		}
	}
	return outs, nil
}

func (s *batchStore) FindOutgoing(ctx context.Context, id string) (*opencube.Outgoing, error) {
	s.mu.Lock()
	s.singles = append(s.singles, id)
	s.mu.Unlock()
	return s.outgoing(ctx, id), nil
}

// TestPrepare: the deliveries claimed together are read together before
// they run, once, and each run sends what was read for it; one the batch
// read left out is read by its own run; a later run of a job reads afresh.
func TestPrepare(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	st := &batchStore{memStore: newMemStore(), leaveOut: "ev3"}
	ids := []string{"ev1", "ev2", "ev3", "ev4", "ev5"}
	for _, id := range ids {
		st.add("ent", "http://receiver.example/hook", id, now)
	}
	var mu sync.Mutex
	var sent []string
	status := 200
	n := notify.New(st, opencube.ClockFunc(func() time.Time { return now }))
	n.Logger = discard()
	n.Client = &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, r.Header.Get(notify.HeaderDelivery))
		return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})}
	w := service.NewWorker(st, opencube.ClockFunc(func() time.Time { return now }), "node")
	w.Concurrency = 8
	w.Logger = discard()
	w.Handlers[opencube.JobDeliver] = n.Deliver
	w.Prepare[opencube.JobDeliver] = n.Prepare
	// The first attempts fail, so that the jobs run again.
	status = 503
	if ran, err := w.RunOnce(t.Context()); ran != 5 || err != nil {
		t.Fatalf("RunOnce = %d, %v", ran, err)
	}
	if want := [][]string{ids}; !slices.EqualFunc(st.batches, want, slices.Equal) {
		t.Errorf("batch reads %v; want %v", st.batches, want)
	}
	if want := []string{"ev3"}; !slices.Equal(st.singles, want) {
		t.Errorf("reads of one delivery %v; want %v", st.singles, want)
	}
	if slices.Sort(sent); !slices.Equal(sent, ids) {
		t.Errorf("sent %v; want %v", sent, ids)
	}

	// What a batch read holds is for its run alone: after the webhook moves,
	// the next runs (one at a time: no batch read) send to the new URL.
	st.mu.Lock()
	st.webhooks["ent"].URL = "http://moved.example/hook"
	for _, j := range st.jobs {
		j.RunAt = now
	}
	st.mu.Unlock()
	status, sent = 200, nil
	var hosts []string
	n.Client.Transport = roundTrip(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		hosts = append(hosts, r.URL.Host)
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})
	w.Batch = 1
	for range ids {
		if ran, err := w.RunOnce(t.Context()); ran != 1 || err != nil {
			t.Fatalf("RunOnce = %d, %v", ran, err)
		}
	}
	if len(hosts) != 5 || slices.ContainsFunc(hosts, func(h string) bool { return h != "moved.example" }) {
		t.Errorf("second runs sent to %v; want moved.example 5 times", hosts)
	}
	if len(st.batches) != 1 || len(st.singles) != 6 {
		t.Errorf("after the second runs: %d batch reads, %d single reads; want 1 and 6", len(st.batches), len(st.singles))
	}
}
