package notify

import (
	"context"
	"sync"

	"github.com/opencube/opencube"
)

// OutcomeStore is a Store that records an attempt and settles its job in
// one transaction (opencube.NotifyStore.FinishDeliveries). A Notifier on
// one does so, and commits the outcomes of the deliveries that end
// together in one transaction; on another Store it records the attempt
// alone and leaves the job to the worker.
type OutcomeStore interface {
	FinishDeliveries(ctx context.Context, outs []opencube.DeliveryOutcome) error
}

// maxOutcomes bounds the outcomes one transaction records.
const maxOutcomes = 64

// outcomes commits the outcomes of concurrent deliveries together (group
// commit): an outcome that arrives while none is being written writes at
// once, with every outcome waiting; those that arrive meanwhile wait, and
// the first of them writes the next batch when that write ends. No outcome
// waits for company: a lone delivery commits at once.
type outcomes struct {
	mu      sync.Mutex
	busy    bool // a batch is being written
	waiting []*pendingOutcome
}

// pendingOutcome is an outcome waiting for its batch to commit.
type pendingOutcome struct {
	o    opencube.DeliveryOutcome
	done chan error    // its batch's result
	lead chan struct{} // it is to write the next batch
}

// record commits o, in a batch with the outcomes of other deliveries that
// end meanwhile, and returns the batch's error. The write is not cut short
// when ctx ends: a delivery made is recorded.
func (b *outcomes) record(ctx context.Context, st OutcomeStore, o opencube.DeliveryOutcome) error {
	p := &pendingOutcome{o: o, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	b.mu.Lock()
	b.waiting = append(b.waiting, p)
	if b.busy {
		b.mu.Unlock()
		select {
		case err := <-p.done:
			return err
		case <-p.lead: // p is first in line
		}
		b.mu.Lock()
	}
	b.busy = true
	batch := make([]*pendingOutcome, min(len(b.waiting), maxOutcomes))
	copy(batch, b.waiting)
	b.waiting = append(b.waiting[:0], b.waiting[len(batch):]...)
	b.mu.Unlock()

	outs := make([]opencube.DeliveryOutcome, len(batch))
	for i, q := range batch {
		outs[i] = q.o
	}
	err := st.FinishDeliveries(context.WithoutCancel(ctx), outs)
	for _, q := range batch {
		q.done <- err
	}
	b.mu.Lock()
	if len(b.waiting) > 0 {
		b.waiting[0].lead <- struct{}{}
	} else {
		b.busy = false
	}
	b.mu.Unlock()
	return <-p.done
}
