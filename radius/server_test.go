package radius

import (
	"context"
	"testing"
	"time"

	"github.com/opencube/opencube"
)

// batchRecorder is a UsageService that books nothing and tells each batch's
// size on a channel.
type batchRecorder struct {
	batches chan int
}

func (u *batchRecorder) BookUsage(_ context.Context, records []*opencube.UsageRecord) ([]opencube.BookResult, error) {
	u.batches <- len(records)
	return make([]opencube.BookResult, len(records)), nil
}

func (u *batchRecorder) Authorize(context.Context, string) (*opencube.AuthDecision, error) {
	return &opencube.AuthDecision{Accept: true}, nil
}

// TestBatchWaitFromQueueing: a batch's first record waits BatchWait for
// others from when it was queued, so records that waited through the
// previous batch (here: queued an hour ago, with an hour's window) are
// booked at once, all in one batch, while a record that has just come
// still waits for company.
func TestBatchWaitFromQueueing(t *testing.T) {
	u := &batchRecorder{batches: make(chan int, 10)}
	s := NewServer(u, "secret")
	s.BatchWait = time.Hour
	s.init()
	defer s.Shutdown(context.Background())
	long := time.Now().Add(-2 * time.Hour)
	for range 3 {
		s.queue <- &pending{rec: &opencube.UsageRecord{}, at: long, done: make(chan result, 1)}
	}
	select {
	case n := <-u.batches:
		if n != 3 {
			t.Errorf("first batch: %d records, want the 3 queued", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("records queued for longer than BatchWait were not booked")
	}
	s.queue <- &pending{rec: &opencube.UsageRecord{}, at: time.Now(), done: make(chan result, 1)}
	select {
	case n := <-u.batches:
		t.Errorf("a record just queued was booked (%d records) without waiting for others", n)
	case <-time.After(100 * time.Millisecond):
	}
}
