package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube"
)

// slowOutcomes is an OutcomeStore whose writes take a while and fail for
// the batches holding a delivery named "bad"; it keeps what it wrote.
type slowOutcomes struct {
	mu      sync.Mutex
	writing int
	most    int
	batches [][]string
}

func (s *slowOutcomes) FinishDeliveries(_ context.Context, outs []opencube.DeliveryOutcome) error {
	s.mu.Lock()
	s.writing++
	s.most = max(s.most, s.writing)
	s.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writing--
	var ids []string
	for _, o := range outs {
		if o.ID == "bad" {
			return errors.New("bad batch")
		}
		ids = append(ids, o.ID)
	}
	s.batches = append(s.batches, ids)
	return nil
}

// TestOutcomesGroupCommit: outcomes that end together are written
// together, each exactly once, one batch at a time, and
// each caller learns its own batch's result.
func TestOutcomesGroupCommit(t *testing.T) {
	st := &slowOutcomes{}
	var b outcomes
	const n = 400
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprint(i)
			if i == n/2 {
				id = "bad"
			}
			errs[i] = b.record(t.Context(), st, opencube.DeliveryOutcome{ID: id})
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, batch := range st.batches {
		for _, id := range batch {
			seen[id]++
		}
	}
	failed := 0
	for i, err := range errs {
		id := fmt.Sprint(i)
		switch {
		case err != nil:
			failed++
			if seen[id] != 0 {
				t.Errorf("outcome %s written, but its caller was told %v", id, err)
			}
		case seen[id] != 1:
			t.Errorf("outcome %s written %d times", id, seen[id])
		}
	}
	if errs[n/2] == nil {
		t.Error("the bad batch's caller was told it was written")
	}
	if len(st.batches)+1 >= n-failed {
		t.Errorf("%d outcomes written in %d batches: none shared a commit", n-failed, len(st.batches))
	}
	if st.most > 1 {
		t.Errorf("%d batches written at once", st.most)
	}
	if st.writing != 0 || b.busy || len(b.waiting) != 0 {
		t.Errorf("left: %d writing in the store, busy %v, %d waiting", st.writing, b.busy, len(b.waiting))
	}
}
