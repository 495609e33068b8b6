package service

import (
	"context"
	"time"

	"github.com/opencube/opencube"
)

// scheduleJob makes sure j's kind and key is scheduled, at j.RunAt: a
// pending job of the same kind and key takes that time.
func scheduleJob(ctx context.Context, store opencube.OrderStore, j *opencube.Job) error {
	return store.UpdateOrders(ctx, func(tx opencube.OrderTx) error { return tx.InsertJob(ctx, j) })
}

// periodic returns the handler of a job that does work and schedules
// itself again (next) every after it.
func periodic(clock opencube.Clock, store opencube.OrderStore, every time.Duration, next func(at time.Time) *opencube.Job, work func(ctx context.Context, now time.Time) error) JobHandler {
	return func(ctx context.Context, _ *opencube.Job) error {
		now := clock.Now()
		if err := work(ctx, now); err != nil {
			return err
		}
		return scheduleJob(ctx, store, next(now.Add(every)))
	}
}
