package service

import (
	"context"
	"time"

	"github.com/opencube/opencube"
)

// expiryJob returns the job that expires o, or nil when o has no expiry.
func expiryJob(o *opencube.Order) *opencube.Job {
	if o.ExpiresAt == nil {
		return nil
	}
	// Due the first second after the last one of the last day.
	return &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobExpireOrder, Key: o.ID, RunAt: o.ExpiresAt.Add(time.Second)}
}

// scheduleExpiry writes o's expiry job in tx, and its days-before-expiry
// alert job, when o is in use.
func scheduleExpiry(ctx context.Context, tx opencube.OrderTx, o *opencube.Order) error {
	if o.Status != opencube.OrderInUse {
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
func (s *Orders) ExpireOrder(ctx context.Context, j *opencube.Job) error {
	return s.Store.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		o, err := tx.OrderByID(ctx, j.Key)
		if opencube.ErrorKind(err) == opencube.KindOrderNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		if o.Status != opencube.OrderInUse || o.ExpiresAt == nil || !now.After(*o.ExpiresAt) {
			return nil
		}
		ev, err := o.Apply(opencube.MoveExpire, now)
		if err != nil {
			return err
		}
		if err := tx.UpdateOrder(ctx, o); err != nil {
			return err
		}
		if err := s.HLR.orderMoved(ctx, tx, o); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, opencube.NewEvent(ev, o))
	})
}
