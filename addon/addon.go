package addon

import (
	"context"
	"time"

	"github.com/opencube/opencube"
)

// Status is an add-on's state as stored.
type Status int

// Add-on states. An add-on Live past its EndsAt is over by its time
// (Expired, as shown); one Ended went with its basic order.
const (
	Live Status = 1
	// Expired is shown for a Live add-on past its EndsAt: it is never
	// stored.
	Expired Status = 4
	// Ended: its basic order was suspended, ended or expired; an add-on is
	// not restored when the order resumes.
	Ended Status = 5
)

// AddOn is extra volume on a SIM's basic order (OrderID) from StartedAt
// until EndsAt, the end of the basic order's period current when it was
// added (or the order's own end, if earlier).
type AddOn struct {
	ID             string     `json:"id"` // ORDER_ and 17 digits, from the order ids
	EnterpriseCode string     `json:"enterprise_code"`
	ICCID          string     `json:"iccid"`
	OrderID        string     `json:"order_id"` // the basic order
	PlanCode       string     `json:"plan_code"`
	PlanName       string     `json:"plan_name"`
	VolumeBytes    int64      `json:"volume_bytes"`
	UsedBytes      int64      `json:"used_bytes"`
	Status         Status     `json:"status"`
	StartedAt      time.Time  `json:"started_at"`
	EndsAt         time.Time  `json:"ends_at"`
	EndedAt        *time.Time `json:"ended_at,omitempty"`
}

// LiveAt reports whether a's volume may be spent at t.
func (a *AddOn) LiveAt(t time.Time) bool { return a.Status == Live && t.Before(a.EndsAt) }

// StatusAt is a's state as shown at t: Live, Expired or Ended.
func (a *AddOn) StatusAt(t time.Time) Status {
	if a.Status == Live && !t.Before(a.EndsAt) {
		return Expired
	}
	return a.Status
}

// Left is the volume a has left.
func (a *AddOn) Left() int64 { return max(a.VolumeBytes-a.UsedBytes, 0) }

// Volume is what a basic order's live add-ons hold at one time.
type Volume struct {
	Bytes int64 // their volume
	Left  int64 // their volume left
}

// Causes of add-on refusals, beyond those of the root.
const (
	CauseSIMNotActive opencube.Cause = "addon_sim_not_active" // an add-on for a SIM that is not active
	CauseNotAllowed   opencube.Cause = "addon_not_allowed"    // the basic order's plan takes no add-ons: the plan
	CauseNotAddOn     opencube.Cause = "addon_not_add_on"     // the plan is not an add-on plan: the plan
	CauseAddOnPlan    opencube.Cause = "addon_plan"           // an add-on plan ordered as a basic order: the plan
)

// Tx keeps add-ons inside an order or usage transaction (both stores'
// transactions implement it). The stores' UpdateOrder also ends
// (Ended, at the order's UpdatedAt) the live add-ons of an order it
// writes in a state other than in use.
type Tx interface {
	// InsertAddOn inserts a new add-on.
	InsertAddOn(ctx context.Context, a *AddOn) error
	// SpendAddOns spends up to bytes from the add-ons of the basic order
	// orderID live at at, oldest first, and returns what it spent and the
	// volume they have left afterwards.
	SpendAddOns(ctx context.Context, orderID string, bytes int64, at time.Time) (spent, left int64, err error)
	// AllowsAddOns reports whether the plan of code (granted or not,
	// retired or not) lets its orders take add-ons; false when unknown.
	AllowsAddOns(ctx context.Context, code string) (bool, error)
}

// Store finds add-ons.
type Store interface {
	// FindAddOns returns a SIM's add-ons, oldest first.
	FindAddOns(ctx context.Context, iccid string) ([]*AddOn, error)
	// LiveVolumes returns, by basic order among orderIDs, the volume of
	// its add-ons live at at (orders without any are left out).
	LiveVolumes(ctx context.Context, orderIDs []string, at time.Time) (map[string]Volume, error)
}
