package opencube

import (
	"context"
	"time"
)

// SIMMove is an operator's change of a SIM's state.
type SIMMove string

// SIM moves.
const (
	SIMActivate  SIMMove = "activate"
	SIMSuspend   SIMMove = "suspend"
	SIMTerminate SIMMove = "terminate"
)

// simTransitions is the SIM state machine: from state, by move, to state.
var simTransitions = map[SIMStatus]map[SIMMove]SIMStatus{
	SIMInventory: {SIMActivate: SIMActive, SIMTerminate: SIMTerminated},
	SIMActive:    {SIMSuspend: SIMSuspended, SIMTerminate: SIMTerminated},
	SIMSuspended: {SIMActivate: SIMActive, SIMTerminate: SIMTerminated},
}

// Next returns the state move leads to from s, or a KindSIMState error when
// the move is not allowed.
func (s SIMStatus) Next(move SIMMove) (SIMStatus, error) {
	if to, ok := simTransitions[s][move]; ok {
		return to, nil
	}
	switch move {
	case SIMActivate, SIMSuspend, SIMTerminate:
		return "", Errorf(KindSIMState, "cannot %s a SIM that is %s", move, s)
	}
	return "", Invalid("move", "unknown SIM move %q (activate, suspend or terminate)", move)
}

// SIMAdminService is the operator's control of SIM states.
type SIMAdminService interface {
	// MoveSIM changes a SIM's state; KindSIMState when the move is refused.
	MoveSIM(ctx context.Context, iccid string, move SIMMove) (*SIM, error)
}

var _ SIMAdminService = (*Service)(nil)

// MoveSIM implements SIMAdminService.
func (s *Service) MoveSIM(ctx context.Context, iccid string, move SIMMove) (*SIM, error) {
	var sim *SIM
	err := s.Store.UpdateUsage(ctx, func(tx UsageTx) error {
		var err error
		if sim, err = tx.SIMByICCID(ctx, iccid); err != nil {
			return err
		}
		to, err := sim.Status.Next(move)
		if err != nil {
			return err
		}
		sim.Status = to
		return tx.UpdateSIMStatus(ctx, iccid, to)
	})
	return sim, err
}

// DeviceUsage is the usage of one SIM as the usage endpoints show it.
type DeviceUsage struct {
	Device *Device
	// UsedBytes is what the in-use order has used (today, for a daily plan).
	UsedBytes int64
	// RemainingBytes is the high-speed volume left.
	RemainingBytes int64
	// AsOf is until when the usage is complete.
	AsOf time.Time
}

// SIMService is the SIM and Usage sections of the CSSS API. Every method
// acts for the enterprise carried by ctx.
type SIMService interface {
	// FindDevices lists the enterprise's SIMs (only those with an in-use
	// order when f.InUse) and their total.
	FindDevices(ctx context.Context, f DeviceFilter) ([]*Device, int, error)
	// FindDevice returns one SIM with its order and open session.
	FindDevice(ctx context.Context, iccid string) (*Device, error)
	// DeviceUsage returns the usage of the SIMs' in-use orders, in order;
	// KindDeviceNotFound names the first unknown SIM.
	DeviceUsage(ctx context.Context, iccids []string) ([]DeviceUsage, error)
	// DailyUsage returns a SIM's usage per UTC+8 day from..to (yyyymmdd)
	// and as of when it is complete.
	DailyUsage(ctx context.Context, iccid string, from, to int) ([]DailyUsage, time.Time, error)
}

var _ SIMService = (*Service)(nil)

// FindDevices implements SIMService.
func (s *Service) FindDevices(ctx context.Context, f DeviceFilter) ([]*Device, int, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.Enterprise = code
	return s.Store.FindDevices(ctx, f)
}

// FindDevice implements SIMService.
func (s *Service) FindDevice(ctx context.Context, iccid string) (*Device, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	ds, _, err := s.Store.FindDevices(ctx, DeviceFilter{Enterprise: code, ICCIDs: []string{iccid}, WithSession: true, Page: Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, Errorf(KindDeviceNotFound, "SIM %s not found", iccid)
	}
	return ds[0], nil
}

// DeviceUsage implements SIMService.
func (s *Service) DeviceUsage(ctx context.Context, iccids []string) ([]DeviceUsage, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	asOf, err := s.Store.UsageAsOf(ctx)
	if err != nil {
		return nil, err
	}
	ds, _, err := s.Store.FindDevices(ctx, DeviceFilter{Enterprise: code, ICCIDs: iccids, Page: Page{Limit: len(iccids)}})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Device, len(ds))
	for _, d := range ds {
		byID[d.SIM.ICCID] = d
	}
	now := s.Clock.Now()
	out := make([]DeviceUsage, 0, len(iccids))
	for _, id := range iccids {
		d := byID[id]
		if d == nil {
			return out, Errorf(KindDeviceNotFound, "SIM %s not found", id)
		}
		u := DeviceUsage{Device: d, AsOf: asOf}
		if d.Order != nil {
			sub := &Subscriber{SIM: d.SIM, Order: d.Order, Meter: d.Meter}
			u.UsedBytes, _ = sub.Usage(now)
			u.RemainingBytes = sub.Remaining(now)
		}
		out = append(out, u)
	}
	return out, nil
}

// DailyUsage implements SIMService.
func (s *Service) DailyUsage(ctx context.Context, iccid string, from, to int) ([]DailyUsage, time.Time, error) {
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
