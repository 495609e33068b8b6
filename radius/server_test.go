package radius

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube"
)

// gatedUsage is a UsageService whose calls booking a session of holds wait
// until its channel is closed, and which tells of each call as it begins.
type gatedUsage struct {
	mu      sync.Mutex
	calls   [][]string // the sessions of each call, in the order calls began
	started chan []string
	holds   map[string]chan struct{}
}

func (u *gatedUsage) BookUsage(_ context.Context, recs []*opencube.UsageRecord) ([]opencube.BookResult, error) {
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.SessionID)
	}
	slices.Sort(ids)
	u.mu.Lock()
	u.calls = append(u.calls, ids)
	u.mu.Unlock()
	u.started <- ids
	for _, id := range ids {
		if ch := u.holds[id]; ch != nil {
			<-ch
		}
	}
	return make([]opencube.BookResult, len(recs)), nil
}

func (u *gatedUsage) Authorize(context.Context, string) (*opencube.AuthDecision, error) {
	return &opencube.AuthDecision{}, nil
}

// TestFlushes: while a batch is in its transaction, the next batch is
// booked beside it (Flushes 2) and its records answered once it commits;
// with both slots taken, the records that arrive gather into one batch,
// which starts when a slot frees; Shutdown waits for the batches under way.
func TestFlushes(t *testing.T) {
	holdA, holdF := make(chan struct{}), make(chan struct{})
	u := &gatedUsage{started: make(chan []string, 16), holds: map[string]chan struct{}{"a": holdA, "f": holdF}}
	s := NewServer(u, "secret")
	s.BatchWait = time.Millisecond
	s.Logger = slogDiscard()
	answered := make(chan string, 16)
	book := func(id string) {
		go func() {
			if _, err := s.Book(context.Background(), &opencube.UsageRecord{SessionID: id}); err != nil {
				t.Errorf("Book(%s): %v", id, err)
			}
			answered <- id
		}()
	}
	started := func(want string) {
		t.Helper()
		select {
		case ids := <-u.started:
			if fmt.Sprint(ids) != want {
				t.Fatalf("a batch of %v began; want %s", ids, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the batch of %s did not begin", want)
		}
	}
	answers := func(want ...string) {
		t.Helper()
		var got []string
		for range want {
			select {
			case id := <-answered:
				got = append(got, id)
			case <-time.After(5 * time.Second):
				t.Fatalf("answered %v; want %v", got, want)
			}
		}
		if slices.Sort(got); !slices.Equal(got, want) {
			t.Fatalf("answered %v; want %v", got, want)
		}
	}
	book("a")
	started("[a]")
	book("b")
	started("[b]")
	answers("b") // beside a, which is held
	book("f")
	started("[f]")
	// Both slots are taken (a and f held): d and e wait, together.
	book("d")
	book("e")
	select {
	case ids := <-u.started:
		t.Fatalf("a batch of %v began with both slots taken", ids)
	case <-time.After(50 * time.Millisecond):
	}
	close(holdA)
	started("[d e]")
	answers("a", "d", "e")
	close(holdF)
	answers("f")
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-answered:
		t.Errorf("%s answered twice", id)
	default:
	}
}
