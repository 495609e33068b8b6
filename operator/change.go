package operator

import (
	"github.com/opencube/opencube"
)

// PlanUpdate is a partial change of a catalog plan: only the fields set
// change. Orders of the plan keep what they were ordered with (their
// volume, their price); a retired plan takes no new order.
type PlanUpdate struct {
	Name         *string
	VolumeBytes  *int64
	PriceMinor   *int64
	Currency     *string
	ThrottleKbps *int
	Countries    *[]string
	Status       *opencube.PlanStatus
	// AddOn and AllowAddOn set whether the plan is an add-on plan and
	// whether its orders take add-ons (opencube.Plan).
	AddOn      *bool
	AllowAddOn *bool
}

// Apply changes p as u says and validates the result.
func (u *PlanUpdate) Apply(p *opencube.Plan) error {
	if u.Name != nil {
		p.Name = *u.Name
	}
	if u.VolumeBytes != nil {
		p.VolumeBytes = *u.VolumeBytes
	}
	if u.PriceMinor != nil {
		p.PriceMinor = *u.PriceMinor
	}
	if u.Currency != nil {
		p.Currency = *u.Currency
	}
	if u.ThrottleKbps != nil {
		p.ThrottleKbps = *u.ThrottleKbps
	}
	if u.Countries != nil {
		p.Countries = *u.Countries
	}
	if u.AddOn != nil {
		p.AddOn = *u.AddOn
	}
	if u.AllowAddOn != nil {
		p.AllowAddOn = *u.AllowAddOn
	}
	if u.Status != nil {
		switch *u.Status {
		case opencube.PlanActive, opencube.PlanRetired:
			p.Status = *u.Status
		default:
			return opencube.MustBe("status", "active or retired")
		}
	}
	return p.Validate()
}

// BulkAction is what a bulk SIM change does to each SIM.
type BulkAction string

// Bulk actions: the SIM moves of opencube.SIMMove, and a move to another
// enterprise.
const (
	BulkActivate  BulkAction = BulkAction(opencube.SIMActivate)
	BulkSuspend   BulkAction = BulkAction(opencube.SIMSuspend)
	BulkTerminate BulkAction = BulkAction(opencube.SIMTerminate)
	BulkMove      BulkAction = "move"
)

// MaxBulkSIMs is how many SIMs one bulk change names at most.
const MaxBulkSIMs = 1000

// BulkSIMRequest changes many SIMs at once, each through the same service
// as a change of one SIM.
type BulkSIMRequest struct {
	ICCIDs []string   `json:"iccids"`
	Action BulkAction `json:"action"`
	// Enterprise is the enterprise a move gives the SIMs to.
	Enterprise string `json:"enterprise,omitempty"`
}

// BulkResult is the outcome of a bulk change for one SIM.
type BulkResult struct {
	ICCID string       `json:"iccid"`
	OK    bool         `json:"ok"`
	Error *ResultError `json:"error,omitempty"`
}

// ResultError says why one part of a bulk change failed.
type ResultError struct {
	Kind    opencube.Kind `json:"kind"`
	Message string        `json:"message"`
}

// BulkResults is the answer of a bulk change: one result a SIM, in the
// order of the request.
type BulkResults struct {
	Results []BulkResult `json:"results"`
}

// OrderRequest is an order the operator API places for a SIM, for the
// SIM's enterprise: the plan is named by its code alone.
type OrderRequest struct {
	ICCID    string `json:"iccid"`
	PlanCode string `json:"plan"`
	Periods  int    `json:"periods"`
	// Open enables the order at once (is_open=1).
	Open bool `json:"open,omitempty"`
	// Days, TimingType and MCC are an OTA order's (createOtaOrder).
	Days       int                 `json:"days,omitempty"`
	TimingType opencube.TimingType `json:"timing_type,omitempty"`
	MCC        string              `json:"mcc,omitempty"`
}

// OrderMove is a change of an existing order through the operator API.
type OrderMove string

// Order moves, each the CSSS call of the same name's.
const (
	OrderEnable  OrderMove = "enable"
	OrderRenew   OrderMove = "renew"
	OrderCancel  OrderMove = "cancel"
	OrderEnd     OrderMove = "end"
	OrderSuspend OrderMove = "suspend"
	OrderResume  OrderMove = "resume"
)
