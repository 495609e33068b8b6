package notify_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/notify"
	"github.com/opencube/opencube/service"
)

// memStore is an in-memory notify.Store and operator.JobStore.
type memStore struct {
	mu         sync.Mutex
	webhooks   map[string]*opencube.Webhook
	deliveries map[string]*opencube.Delivery
	jobs       map[string]*opencube.Job
}

func newMemStore() *memStore {
	return &memStore{webhooks: map[string]*opencube.Webhook{}, deliveries: map[string]*opencube.Delivery{}, jobs: map[string]*opencube.Job{}}
}

// add registers an enterprise's endpoint and one event to deliver to it.
func (s *memStore) add(ent, url, eventID string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhooks[ent] = &opencube.Webhook{EnterpriseCode: ent, URL: url, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	e := &opencube.Event{ID: eventID, EnterpriseCode: ent, Type: opencube.EventCreateOrder, OrderID: "ORDER_1", ICCID: "8986", Status: 1, CreatedAt: now, Seq: 1}
	s.deliveries[eventID] = &opencube.Delivery{ID: eventID, EnterpriseCode: ent, Type: e.Type, State: opencube.DeliveryPending, Event: e, CreatedAt: now}
	s.jobs[eventID] = &opencube.Job{ID: eventID, Kind: opencube.JobDeliver, Key: eventID, RunAt: now}
}

func (s *memStore) FindEnterprise(_ context.Context, code string) (*opencube.Enterprise, error) {
	return &opencube.Enterprise{AccessCode: code, Secrets: []string{"secret"}}, nil
}

func (s *memStore) FindWebhook(_ context.Context, code string) (*opencube.Webhook, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := *s.webhooks[code]
	return &w, nil
}

func (s *memStore) FindDelivery(_ context.Context, id string) (*opencube.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := *s.deliveries[id]
	d.Attempts = append([]opencube.Attempt(nil), d.Attempts...)
	return &d, nil
}

func (s *memStore) RecordAttempt(_ context.Context, id string, a opencube.Attempt, state opencube.DeliveryState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.deliveries[id]
	a.N = len(d.Attempts) + 1
	d.Attempts = append(d.Attempts, a)
	d.State = state
	w := s.webhooks[d.EnterpriseCode]
	if a.OK {
		w.Failures = 0
	} else {
		w.Failures++
	}
	w.Failing = w.Failures >= opencube.FailingAfter
	return nil
}

func (s *memStore) ClaimJobs(_ context.Context, owner string, kinds []string, limit int, now time.Time, lease time.Duration) ([]*opencube.Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*opencube.Job
	for _, j := range s.jobs {
		if len(out) < limit && !j.RunAt.After(now) && !j.ClaimedUntil.After(now) {
			j.ClaimedBy, j.ClaimedUntil = owner, now.Add(lease)
			j.Attempts++
			c := *j
			out = append(out, &c)
		}
	}
	return out, nil
}

func (s *memStore) CompleteJob(_ context.Context, id, owner string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.jobs, id)
	return nil
}

func (s *memStore) RetryJob(_ context.Context, id, owner string, runAt time.Time, errText string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[id]
	j.RunAt, j.LastError, j.ClaimedBy, j.ClaimedUntil = runAt, errText, "", time.Time{}
	return nil
}

func (s *memStore) FindJobs(context.Context, string) ([]*opencube.Job, error) { return nil, nil }

// roundTrip is an http.RoundTripper over a function.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestBackoffSchedule runs the delivery worker in a synctest bubble against
// a receiver that always fails and one that never answers: the attempts of
// the failing delivery follow the exponential schedule with jitter (each
// wait within ±20 % of 30 s doubling to 6 h), span more than 24 hours, end
// with the delivery failed and the endpoint failing; the silent receiver
// costs each of its attempts the 10 s timeout and never delays the other.
func TestBackoffSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		st := newMemStore()
		st.add("fail", "http://fail.example/hook", "e-fail", start)
		st.add("slow", "http://slow.example/hook", "e-slow", start)
		var mu sync.Mutex
		attempts := map[string][]time.Time{}
		n := notify.New(st, opencube.SystemClock)
		n.Logger = discard()
		n.Client = &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			attempts[r.URL.Host] = append(attempts[r.URL.Host], time.Now())
			mu.Unlock()
			if r.URL.Host == "slow.example" {
				<-r.Context().Done()
				return nil, r.Context().Err()
			}
			return &http.Response{StatusCode: 503, Body: io.NopCloser(strings.NewReader("busy")), Request: r}, nil
		})}
		w := service.NewWorker(st, opencube.SystemClock, "node")
		w.Concurrency = 4
		w.Handlers[opencube.JobDeliver] = n.Deliver
		w.Logger = discard()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { w.Run(ctx, time.Second); close(done) }()
		time.Sleep(5 * 24 * time.Hour)
		cancel()
		<-done

		fails := attempts["fail.example"]
		if len(fails) != notify.DefaultMaxAttempts {
			t.Fatalf("%d attempts, want %d", len(fails), notify.DefaultMaxAttempts)
		}
		if !fails[0].Equal(start) {
			t.Errorf("first attempt at +%s, want at once", fails[0].Sub(start))
		}
		for i := 1; i < len(fails); i++ {
			wait := fails[i].Sub(fails[i-1])
			base := min(30*time.Second<<(i-1), 6*time.Hour)
			// The worker looks for due jobs every second.
			lo, hi := time.Duration(float64(base)*0.8), time.Duration(float64(base)*1.2)+time.Second
			if wait < lo || wait > hi {
				t.Errorf("wait before attempt %d: %s, want %s-%s", i+1, wait, lo, hi)
			}
		}
		if span := fails[len(fails)-1].Sub(start); span < 24*time.Hour {
			t.Errorf("retries span %s, want at least 24 h", span)
		}
		d, _ := st.FindDelivery(t.Context(), "e-fail")
		if d.State != opencube.DeliveryFailed || len(d.Attempts) != notify.DefaultMaxAttempts || d.Attempts[0].StatusCode != 503 {
			t.Errorf("delivery: %s with %d attempts", d.State, len(d.Attempts))
		}
		if wh, _ := st.FindWebhook(t.Context(), "fail"); !wh.Failing {
			t.Error("endpoint not marked failing")
		}
		// The silent receiver: each attempt timed out after 10 s while the
		// failing one went on; its first attempt started at once too.
		slow, _ := st.FindDelivery(t.Context(), "e-slow")
		if len(slow.Attempts) < 2 || slow.Attempts[0].Latency != notify.DefaultTimeout || slow.Attempts[0].Error == "" {
			t.Errorf("slow delivery attempts: %+v", slow.Attempts)
		}
		if !attempts["slow.example"][0].Equal(start) || fails[1].Sub(start) > 37*time.Second {
			t.Errorf("the slow receiver held up the other: attempts at %v and %v", attempts["slow.example"][0].Sub(start), fails[1].Sub(start))
		}
		if _, ok := st.jobs["e-fail"]; ok {
			t.Error("the failed delivery's job is still pending")
		}
	})
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
