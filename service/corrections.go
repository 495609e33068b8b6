package service

import (
	"context"

	"github.com/opencube/opencube"
)

var _ opencube.OrderAdminService = (*Corrections)(nil)

// ReduceOrder implements opencube.OrderAdminService.
func (s *Corrections) ReduceOrder(ctx context.Context, orderID string, periods int) (*opencube.Order, error) {
	var o *opencube.Order
	err := s.Store.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		var err error
		if o, err = tx.OrderByID(ctx, orderID); err != nil {
			return err
		}
		ev, err := o.Reduce(periods, s.Clock.Now())
		if err != nil {
			return err
		}
		return saveMove(ctx, tx, o, ev, s.HLR)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// DownloadIMSI implements opencube.OrderAdminService. The SIM and its in-use order
// take the IMSI in one transaction with the event; RADIUS records then
// count under the new IMSI.
func (s *Corrections) DownloadIMSI(ctx context.Context, iccid, imsi string) (*opencube.Order, error) {
	if !opencube.ValidIMSI(imsi) {
		return nil, opencube.Invalid("imsi", "IMSI %q must be 6-15 digits", imsi)
	}
	var o *opencube.Order
	err := s.Store.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
		sim, err := tx.SIMByICCID(ctx, iccid)
		if err != nil {
			return err
		}
		if !sim.OTA {
			return opencube.Errorf(opencube.KindOTA, "SIM %s is not an OTA SIM: its IMSI cannot be downloaded", iccid).Because(opencube.CauseNotOTA)
		}
		if sim.IMSI == imsi {
			return opencube.Invalid("imsi", "SIM %s already has IMSI %s", iccid, imsi)
		}
		if o, err = tx.ActiveOrder(ctx, iccid); err != nil {
			return err
		}
		if o == nil || o.Status != opencube.OrderInUse {
			return opencube.Errorf(opencube.KindOrderState, "SIM %s has no order in use", iccid).Because(opencube.CauseNoOrderInUse)
		}
		if err := tx.UpdateSIMIMSI(ctx, iccid, imsi); err != nil {
			return err
		}
		// The register: the new IMSI created, the old one deleted.
		if err := s.HLR.sync(ctx, tx, iccid); err != nil {
			return err
		}
		if err := s.HLR.deleteIMSI(ctx, tx, sim.IMSI); err != nil {
			return err
		}
		o.IMSI, o.UpdatedAt = imsi, s.Clock.Now()
		if err := tx.UpdateOrder(ctx, o); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, opencube.NewEvent(opencube.EventDownloadIMSI, o))
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}
