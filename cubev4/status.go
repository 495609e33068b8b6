package cubev4

import "github.com/opencube/opencube"

// SIM status codes of Cube v4 (cube-v4-api.md §2.1).
const (
	StatusPreActive  = 10 // Pre-active (Silent)
	StatusActive     = 23 // Active-live
	StatusPaused     = 30 // Paused (Suspended)
	StatusExpired    = 40 // Expired (Retention)
	StatusTerminated = 50 // Terminated
)

// simState is what a SIM's v4 status is made of: its inventory state, and
// its order, summed up as the state of the order in use or suspended, or
// OrderExpired when it has none but had one that is over, or 0 when it
// never had one started.
type simState struct {
	sim   opencube.SIMStatus
	order opencube.OrderStatus
}

// statusTable is the one mapping of opencube's states to the v4 SIM status
// codes (docs/cubev4-notes.md, "SIM status").
var statusTable = map[simState]int{
	{opencube.SIMInventory, 0}:                        StatusPreActive,
	{opencube.SIMInventory, opencube.OrderExpired}:    StatusPreActive,
	{opencube.SIMActive, 0}:                           StatusPreActive,
	{opencube.SIMActive, opencube.OrderInUse}:         StatusActive,
	{opencube.SIMActive, opencube.OrderSuspended}:     StatusPaused,
	{opencube.SIMActive, opencube.OrderExpired}:       StatusExpired,
	{opencube.SIMSuspended, 0}:                        StatusPaused,
	{opencube.SIMSuspended, opencube.OrderInUse}:      StatusPaused,
	{opencube.SIMSuspended, opencube.OrderSuspended}:  StatusPaused,
	{opencube.SIMSuspended, opencube.OrderExpired}:    StatusPaused,
	{opencube.SIMTerminated, 0}:                       StatusTerminated,
	{opencube.SIMTerminated, opencube.OrderInUse}:     StatusTerminated,
	{opencube.SIMTerminated, opencube.OrderSuspended}: StatusTerminated,
	{opencube.SIMTerminated, opencube.OrderExpired}:   StatusTerminated,
}

// v4Status returns the v4 status of a SIM in state sim whose active order
// is active (nil for none), and whose other orders include one that is
// over (ended).
func v4Status(sim opencube.SIMStatus, active *opencube.Order, ended bool) int {
	st := simState{sim: sim}
	switch {
	case active != nil:
		st.order = active.Status
	case ended:
		st.order = opencube.OrderExpired
	}
	if code, ok := statusTable[st]; ok {
		return code
	}
	return StatusPreActive
}

// Bundle status codes (cube-v4-api.md §2.3).
const (
	BundleNotStarted = 0
	BundleInUse      = 1
	BundlePaused     = 2
	BundleEnded      = 3
)

// bundleStatus is the one mapping of order states to bundle status codes.
var bundleStatus = map[opencube.OrderStatus]int{
	opencube.OrderNotEnabled: BundleNotStarted,
	opencube.OrderInUse:      BundleInUse,
	opencube.OrderSuspended:  BundlePaused,
	opencube.OrderExpired:    BundleEnded,
	opencube.OrderEnded:      BundleEnded,
	opencube.OrderCancelled:  BundleEnded,
}
