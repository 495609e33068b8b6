package opencube

import (
	"context"
	"time"
)

// JobPurgeDeliveries is the job kind that deletes the webhook deliveries
// finished (delivered, or failed for good) longer ago than the retention,
// with their attempts. The job reschedules itself.
const JobPurgeDeliveries = "notify.purge_deliveries"

// purgeBatch is how many deliveries one purge transaction deletes at most.
const purgeBatch = 1000

// PurgeDeliveriesJob returns the delivery purge job due at at.
func PurgeDeliveriesJob(at time.Time) *Job {
	return &Job{ID: NewUUID(), Kind: JobPurgeDeliveries, Key: "deliveries", RunAt: at}
}

// SchedulePurgeDeliveries makes sure the delivery purge is scheduled, at at.
func (s *Service) SchedulePurgeDeliveries(ctx context.Context, at time.Time) error {
	return s.scheduleJob(ctx, PurgeDeliveriesJob(at))
}

// PurgeDeliveries returns the JobPurgeDeliveries handler: it deletes the
// deliveries that finished before retention ago, a batch a transaction,
// and schedules the next purge after every. Pending deliveries stay
// whatever their age; their events stay too, so Redeliver can send a
// purged delivery's event again.
func (s *Service) PurgeDeliveries(retention, every time.Duration) JobHandler {
	return s.periodic(every, PurgeDeliveriesJob, func(ctx context.Context, now time.Time) error {
		for {
			n, err := s.Store.PurgeDeliveries(ctx, now.Add(-retention), purgeBatch)
			if err != nil || n < purgeBatch {
				return err
			}
		}
	})
}
