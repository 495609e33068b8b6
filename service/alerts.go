package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/opencube/opencube"
)

// raiseVolumeAlerts is called by rating, inside the transaction that books usage
// to order o, with the order's used bytes before the booking (o.UsedBytes
// is after). It raises each volume alert the booking crossed, once per
// order and threshold (a daily plan's alert fires on the first day its
// threshold is reached, not every day).
func raiseVolumeAlerts(ctx context.Context, tx opencube.OrderTx, o *opencube.Order, usedBefore int64, now time.Time) error {
	atx, ok := tx.(opencube.AlertTx)
	// A daily plan's volume starts again each UTC+8 day: then the count is
	// below usedBefore, and each threshold reached counts as crossed.
	reset := o.UsedBytes < usedBefore
	if !ok || o.VolumeBytes <= 0 || o.UsedBytes == usedBefore {
		return nil
	}
	set, err := atx.AlertSettings(ctx, o.EnterpriseCode)
	if err != nil {
		return err
	}
	for _, p := range set.Percents {
		limit := (o.VolumeBytes*int64(p) + 99) / 100
		if o.UsedBytes < limit || (usedBefore >= limit && !reset) {
			continue // not reached, or crossed by an earlier booking
		}
		if err := alert(ctx, tx, atx, o, fmt.Sprintf("%d%%", p), now); err != nil {
			return err
		}
	}
	return nil
}

// alert writes one alert event unless it fired for the order before.
func alert(ctx context.Context, tx opencube.OrderTx, atx opencube.AlertTx, o *opencube.Order, threshold string, now time.Time) error {
	fresh, err := atx.MarkAlert(ctx, o.ID, threshold)
	if err != nil || !fresh {
		return err
	}
	data, _ := json.Marshal(opencube.AlertData{Threshold: threshold, UsedBytes: o.UsedBytes, TotalBytes: o.VolumeBytes})
	e := opencube.NewEvent(opencube.EventFlowAlert, o)
	e.CreatedAt = now
	e.Data = string(data)
	return tx.InsertEvent(ctx, e)
}

// scheduleExpiryAlert writes the days-before-expiry alert job of an in-use
// order, when the enterprise wants one.
func scheduleExpiryAlert(ctx context.Context, tx opencube.OrderTx, o *opencube.Order) error {
	atx, ok := tx.(opencube.AlertTx)
	if !ok || o.Status != opencube.OrderInUse || o.ExpiresAt == nil {
		return nil
	}
	set, err := atx.AlertSettings(ctx, o.EnterpriseCode)
	if err != nil || set.DaysBeforeExpiry <= 0 {
		return err
	}
	at := o.ExpiresAt.Add(time.Second).AddDate(0, 0, -set.DaysBeforeExpiry)
	return tx.InsertJob(ctx, &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobExpiryAlert, Key: o.ID, RunAt: at, Payload: []byte(fmt.Sprint(set.DaysBeforeExpiry))})
}

// ExpiryAlert is the JobExpiryAlert handler: it raises the alert when the
// order is still in use and within its days before expiry.
func (s *Orders) ExpiryAlert(ctx context.Context, j *opencube.Job) error {
	return s.Store.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		atx, ok := tx.(opencube.AlertTx)
		if !ok {
			return nil
		}
		o, err := tx.OrderByID(ctx, j.Key)
		if opencube.ErrorKind(err) == opencube.KindOrderNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if o.Status != opencube.OrderInUse || o.ExpiresAt == nil {
			return nil
		}
		days := string(j.Payload)
		var n int
		fmt.Sscan(days, &n)
		if s.Clock.Now().Before(o.ExpiresAt.Add(time.Second).AddDate(0, 0, -n)) {
			return nil // renewed since: a later job is scheduled
		}
		return alert(ctx, tx, atx, o, days+"d", s.Clock.Now())
	})
}

// AfterUsage raises the volume alerts of order o that a booking crossed,
// for tests and for callers outside rating that book usage themselves: it
// must run inside the booking transaction tx.
func (s *SIMs) AfterUsage(ctx context.Context, tx opencube.OrderTx, o *opencube.Order, usedBefore int64) error {
	return raiseVolumeAlerts(ctx, tx, o, usedBefore, s.Clock.Now())
}
