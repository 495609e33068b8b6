package opencube

import (
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
		return "", Errorf(KindSIMState, "cannot %s a SIM that is %s", move, s).Because(CauseSIMMove, move, s)
	}
	return "", Invalid("move", "unknown SIM move %q (activate, suspend or terminate)", move)
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
