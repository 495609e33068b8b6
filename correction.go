package opencube

import (
	"context"
	"time"
)

// OrderAdminService is the operator's corrections that emit the order
// events no CSSS call causes: a shorter validity (1010) and a new IMSI on
// an OTA SIM (1012). It acts for no enterprise.
type OrderAdminService interface {
	// ReduceOrder takes periods off an order (renewals first) and emits
	// 1010; KindOrderNotFound when unknown, KindOrderState when the order
	// is over, KindInvalid when fewer than one period would be left.
	ReduceOrder(ctx context.Context, orderID string, periods int) (*Order, error)
	// DownloadIMSI gives an OTA SIM whose order is in use a new IMSI and
	// emits 1012 for that order; KindDeviceNotFound when unknown, KindOTA
	// for a SIM that is not OTA, KindOrderState without an order in use,
	// KindConflict when another SIM has the IMSI.
	DownloadIMSI(ctx context.Context, iccid, imsi string) (*Order, error)
}

var _ OrderAdminService = (*Service)(nil)

// Reduce takes periods off o at time now: renewals first, then ordered
// periods (an OTA order's days shrink in proportion), keeping at least
// one. A started order's expiry moves earlier, possibly into the past, and
// then it expires at once. Any order not over may be reduced.
func (o *Order) Reduce(periods int, now time.Time) (EventType, error) {
	if periods < 1 {
		return "", Invalid("periods", "periods must be a positive integer")
	}
	if !o.Status.Renewable() {
		return "", Errorf(KindOrderState, "cannot reduce an order in state %d", o.Status)
	}
	if o.Periods()-periods < 1 {
		return "", Invalid("periods", "order %s has %d periods: it keeps at least one", o.ID, o.Periods())
	}
	fromRenewals := min(periods, o.RenewPeriod)
	o.RenewPeriod -= fromRenewals
	if rest := periods - fromRenewals; rest > 0 {
		if o.Days > 0 {
			o.Days = o.Days * (o.OrderPeriod - rest) / o.OrderPeriod
		}
		o.OrderPeriod -= rest
	}
	o.UpdatedAt = now
	if o.StartedAt != nil {
		exp := o.ExpiryFor(*o.StartedAt)
		o.ExpiresAt = &exp
	}
	return EventReduceCycle, nil
}

// ReduceOrder implements OrderAdminService.
func (s *Service) ReduceOrder(ctx context.Context, orderID string, periods int) (*Order, error) {
	var o *Order
	err := s.Store.UpdateOrders(ctx, func(tx OrderTx) error {
		var err error
		if o, err = tx.OrderByID(ctx, orderID); err != nil {
			return err
		}
		ev, err := o.Reduce(periods, s.Clock.Now())
		if err != nil {
			return err
		}
		return saveMove(ctx, tx, o, ev)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// DownloadIMSI implements OrderAdminService. The SIM and its in-use order
// take the IMSI in one transaction with the event; RADIUS records then
// count under the new IMSI.
func (s *Service) DownloadIMSI(ctx context.Context, iccid, imsi string) (*Order, error) {
	if !isDigits(imsi, 6, 15) {
		return nil, Invalid("imsi", "IMSI %q must be 6-15 digits", imsi)
	}
	var o *Order
	err := s.Store.UpdateUsage(ctx, func(tx UsageTx) error {
		sim, err := tx.SIMByICCID(ctx, iccid)
		if err != nil {
			return err
		}
		if !sim.OTA {
			return Errorf(KindOTA, "SIM %s is not an OTA SIM: its IMSI cannot be downloaded", iccid)
		}
		if sim.IMSI == imsi {
			return Invalid("imsi", "SIM %s already has IMSI %s", iccid, imsi)
		}
		if o, err = tx.ActiveOrder(ctx, iccid); err != nil {
			return err
		}
		if o == nil || o.Status != OrderInUse {
			return Errorf(KindOrderState, "SIM %s has no order in use", iccid)
		}
		if err := tx.UpdateSIMIMSI(ctx, iccid, imsi); err != nil {
			return err
		}
		o.IMSI, o.UpdatedAt = imsi, s.Clock.Now()
		if err := tx.UpdateOrder(ctx, o); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, NewEvent(EventDownloadIMSI, o))
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}
