package service

import (
	"context"
	"time"
)

// purgeBatch is how many deliveries one purge transaction deletes at most.
const purgeBatch = 1000

// SchedulePurgeDeliveries makes sure the delivery purge is scheduled, at at.
func (s *Notify) SchedulePurgeDeliveries(ctx context.Context, at time.Time) error {
	return scheduleJob(ctx, s.Store, PurgeDeliveriesJob(at))
}

// PurgeDeliveries returns the JobPurgeDeliveries handler: it deletes the
// deliveries that finished before retention ago, a batch a transaction,
// and schedules the next purge after every. Pending deliveries stay
// whatever their age; their events stay too, so Redeliver can send a
// purged delivery's event again.
func (s *Notify) PurgeDeliveries(retention, every time.Duration) JobHandler {
	return periodic(s.Clock, s.Store, every, PurgeDeliveriesJob, func(ctx context.Context, now time.Time) error {
		for {
			n, err := s.Store.PurgeDeliveries(ctx, now.Add(-retention), purgeBatch)
			if err != nil || n < purgeBatch {
				return err
			}
		}
	})
}
