package service

import (
	"context"
	"time"

	"github.com/opencube/opencube"
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
		out = append(out, u)
	}
	return out, nil
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
