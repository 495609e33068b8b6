package service

import (
	"context"
	"unicode/utf8"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// Bounds of a SIM's labels (D26).
const (
	MaxSIMTags       = 20
	MaxSIMTagLength  = 64
	MaxSIMNotes      = 500
	MaxSIMDeviceName = 100
)

// Labels keeps the enterprises' own words on their SIMs: tags, notes and
// the device's name (Cube v4 PATCH /sims/{sim_id}).
type Labels struct {
	Store interface {
		operator.SIMLabelStore
		operator.DeviceStore
	}
	Clock opencube.Clock
}

// Patch applies p to the labels of the enterprise's SIM, with claim's
// replay entries answered by render(the labels) in its transaction (D28).
// KindInvalid naming the field when a label is out of its bounds (up to 20
// tags of 1-64 characters, notes up to 500, a device name up to 100),
// KindDeviceNotFound when the enterprise has no such SIM.
func (s *Labels) Patch(ctx context.Context, iccid string, p operator.SIMLabelPatch, claim *opencube.ReplayClaim, render func(*operator.SIMLabels) []byte) (*operator.SIMLabels, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if p.Tags != nil {
		if len(*p.Tags) > MaxSIMTags {
			return nil, opencube.MustBe("tags", "up to 20 tags")
		}
		for _, t := range *p.Tags {
			if n := utf8.RuneCountInString(t); n < 1 || n > MaxSIMTagLength {
				return nil, opencube.MustBe("tags", "tags of 1-64 characters")
			}
		}
	}
	if p.Notes != nil && utf8.RuneCountInString(*p.Notes) > MaxSIMNotes {
		return nil, opencube.MustBe("notes", "up to 500 characters")
	}
	if p.DeviceName != nil && utf8.RuneCountInString(*p.DeviceName) > MaxSIMDeviceName {
		return nil, opencube.MustBe("device_name", "up to 100 characters")
	}
	return s.Store.PatchSIMLabels(ctx, code, iccid, p, s.Clock.Now(), claim, render)
}

// SIMByIMEI returns the enterprise's SIM last seen in device imei (its
// data session with that IMEI is the latest); "" when none was.
func (s *Labels) SIMByIMEI(ctx context.Context, imei string) (string, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return "", err
	}
	return s.Store.FindICCIDByIMEI(ctx, code, imei)
}

// Refusals of RADIUS authorization for a locked SIM (the Reply-Message).
const (
	RejectOtherDevice  = "locked to another device"
	RejectOtherNetwork = "locked to another network"
)

// CheckLock returns why the SIM of imsi may not attach from device imei
// (15 digits, "" when the request did not say) on network (MCC and MNC,
// "" when not said): its lock names another, or the request does not say
// which; "" when it may.
func (s *Labels) CheckLock(ctx context.Context, imsi, imei, network string) (string, error) {
	l, err := s.Store.FindSIMLock(ctx, imsi)
	if err != nil || l == nil {
		return "", err
	}
	switch {
	case l.IMEI != "" && imei != l.IMEI:
		return RejectOtherDevice, nil
	case l.Network != "" && network != l.Network:
		return RejectOtherNetwork, nil
	}
	return "", nil
}

// Find returns a SIM's labels (the caller checked that the SIM is the
// enterprise's): empty ones when none were set.
func (s *Labels) Find(ctx context.Context, iccid string) (*operator.SIMLabels, error) {
	return s.Store.FindSIMLabels(ctx, iccid)
}
