package opencube

import (
	"context"
	"time"
)

// JobExpireOrder is the job kind that moves an in-use order to expired
// (state 4, event 1008) once its validity has run out (D11, D12).
const JobExpireOrder = "order.expire"

// expiryJob returns the job that expires o, or nil when o has no expiry.
func expiryJob(o *Order) *Job {
	if o.ExpiresAt == nil {
		return nil
	}
	// Due the first second after the last one of the last day.
	return &Job{ID: NewUUID(), Kind: JobExpireOrder, Key: o.ID, RunAt: o.ExpiresAt.Add(time.Second)}
}

// scheduleExpiry writes o's expiry job in tx, and its days-before-expiry
// alert job, when o is in use.
func scheduleExpiry(ctx context.Context, tx OrderTx, o *Order) error {
	if o.Status != OrderInUse {
		return nil
	}
	if j := expiryJob(o); j != nil {
		if err := tx.InsertJob(ctx, j); err != nil {
			return err
		}
	}
	return scheduleExpiryAlert(ctx, tx, o)
}

// ExpireOrder is the JobExpireOrder handler: it expires the order named by
// the job's key when it is in use and past its expiry, and does nothing
// otherwise (a renewal or a move has rescheduled or ended it).
func (s *Service) ExpireOrder(ctx context.Context, j *Job) error {
	return s.Store.UpdateOrders(ctx, func(tx OrderTx) error {
		o, err := tx.OrderByID(ctx, j.Key)
		if ErrorKind(err) == KindOrderNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		if o.Status != OrderInUse || o.ExpiresAt == nil || !now.After(*o.ExpiresAt) {
			return nil
		}
		ev, err := o.Apply(MoveExpire, now)
		if err != nil {
			return err
		}
		if err := tx.UpdateOrder(ctx, o); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, NewEvent(ev, o))
	})
}
