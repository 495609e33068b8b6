package service

import (
	"context"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
)

var _ opencube.SIMAdminService = (*SIMs)(nil)

// MoveSIM implements opencube.SIMAdminService.
func (s *SIMs) MoveSIM(ctx context.Context, iccid string, move opencube.SIMMove) (*opencube.SIM, error) {
	var sim *opencube.SIM
	err := s.Store.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
		var err error
		if sim, err = tx.SIMByICCID(ctx, iccid); err != nil {
			return err
		}
		to, err := sim.Status.Next(move)
		if err != nil {
			return err
		}
		sim.Status = to
		if err := tx.UpdateSIMStatus(ctx, iccid, to); err != nil {
			return err
		}
		return s.HLR.sync(ctx, tx, iccid)
	})
	return sim, err
}

var _ opencube.SIMService = (*SIMs)(nil)

// FindDevices implements opencube.SIMService.
func (s *SIMs) FindDevices(ctx context.Context, f opencube.DeviceFilter) ([]*opencube.Device, int, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.Enterprise = code
	return s.Store.FindDevices(ctx, f)
}

// FindDevice implements opencube.SIMService.
func (s *SIMs) FindDevice(ctx context.Context, iccid string) (*opencube.Device, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	ds, _, err := s.Store.FindDevices(ctx, opencube.DeviceFilter{Enterprise: code, ICCIDs: []string{iccid}, WithSession: true, Page: opencube.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	return ds[0], nil
}

// DeviceUsage implements opencube.SIMService.
func (s *SIMs) DeviceUsage(ctx context.Context, iccids []string) ([]opencube.DeviceUsage, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	asOf, err := s.Store.UsageAsOf(ctx)
	if err != nil {
		return nil, err
	}
	ds, _, err := s.Store.FindDevices(ctx, opencube.DeviceFilter{Enterprise: code, ICCIDs: iccids, Page: opencube.Page{Limit: len(iccids)}})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*opencube.Device, len(ds))
	for _, d := range ds {
		byID[d.SIM.ICCID] = d
	}
	now := s.Clock.Now()
	orders := make([]*opencube.Order, 0, len(ds))
	for _, d := range ds {
		orders = append(orders, d.Order)
	}
	addOns, err := addOnsLeft(ctx, s.Store, orders, now)
	if err != nil {
		return nil, err
	}
	out := make([]opencube.DeviceUsage, 0, len(iccids))
	for _, id := range iccids {
		d := byID[id]
		if d == nil {
			return out, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", id)
		}
		out = append(out, usageOf(d, asOf, addOns, now))
	}
	return out, nil
}

// usageOf is a device's usage at now: what its current order has used and
// has left, its live add-ons' included.
func usageOf(d *opencube.Device, asOf time.Time, addOns map[string]addon.Volume, now time.Time) opencube.DeviceUsage {
	u := opencube.DeviceUsage{Device: d, AsOf: asOf}
	if d.Order != nil {
		sub := &opencube.Subscriber{SIM: d.SIM, Order: d.Order, Meter: d.Meter}
		u.UsedBytes, _ = Usage(sub, now)
		u.RemainingBytes = Remaining(sub, now)
		if v, ok := addOns[d.Order.ID]; ok {
			u.AddOnBytes = v.Bytes
			u.RemainingBytes += v.Left
		}
	}
	return u
}

// remainingOf returns the volume the current order of the enterprise's
// SIM iccid has left at now (as DeviceUsage reports it), 0 when it has no
// order; KindDeviceNotFound when the SIM is unknown.
func remainingOf(ctx context.Context, st SIMStore, code, iccid string, now time.Time) (int64, error) {
	ds, _, err := st.FindDevices(ctx, opencube.DeviceFilter{Enterprise: code, ICCIDs: []string{iccid}, Page: opencube.Page{Limit: 1}})
	if err != nil {
		return 0, err
	}
	if len(ds) == 0 {
		return 0, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	addOns, err := addOnsLeft(ctx, st, []*opencube.Order{ds[0].Order}, now)
	if err != nil {
		return 0, err
	}
	return usageOf(ds[0], time.Time{}, addOns, now).RemainingBytes, nil
}

// DailyUsage implements opencube.SIMService.
func (s *SIMs) DailyUsage(ctx context.Context, iccid string, from, to int) ([]opencube.DailyUsage, time.Time, error) {
	if _, err := s.FindDevice(ctx, iccid); err != nil { // the caller's SIM, or KindDeviceNotFound
		return nil, time.Time{}, err
	}
	asOf, err := s.Store.UsageAsOf(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	days, err := s.Store.FindDailyUsage(ctx, iccid, from, to)
	return days, asOf, err
}
