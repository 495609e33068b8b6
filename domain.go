package opencube

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// BusinessZone is the fixed UTC+8 offset in which opencube counts business
// days and months: plan start and expiry dates, daily resets, usage days.
var BusinessZone = time.FixedZone("UTC+8", 8*60*60)

// MB is the CSSS wire unit of data volume: 1,048,576 bytes.
const MB = 1 << 20

// Enterprise is a customer of the platform, identified on the wire by its
// access code. It holds one or two active secrets (two during a rotation).
type Enterprise struct {
	AccessCode string    `json:"access_code"`
	Name       string    `json:"name"`
	Secrets    []string  `json:"secrets,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// RateLimit is the enterprise's own request limit; nil: the server's.
	RateLimit *RateLimit `json:"rate_limit,omitempty"`
	// Status is EnterpriseDisabled while the enterprise's signed requests
	// are refused (1004) and its webhooks and SMS sends wait.
	Status EnterpriseStatus `json:"status"`
	// SecretsAdded holds when each of Secrets was added, in its order.
	SecretsAdded []time.Time `json:"-"`
}

// EnterpriseStatus is whether an enterprise is served.
type EnterpriseStatus string

// Enterprise states.
const (
	EnterpriseActive   EnterpriseStatus = "active"
	EnterpriseDisabled EnterpriseStatus = "disabled"
)

// RateLimit is how often an enterprise's signed requests (CSSS and Mall
// together) may come, in place of the server's --rate-limit and
// --rate-burst: a token bucket of Burst requests refilled at Rate a second,
// on each node.
type RateLimit struct {
	Rate  float64 `json:"rate"`
	Burst int     `json:"burst"`
}

// Bounds of a RateLimit.
const (
	// MinRate is the lowest rate: one request in 1,000 seconds.
	MinRate = 0.001
	// MaxRate is the highest rate: a million requests a second.
	MaxRate = 1e6
	// MaxBurst is the largest burst.
	MaxBurst = 1_000_000
)

// Validate reports whether l can be stored: a rate of MinRate-MaxRate and
// a burst of 1-MaxBurst.
func (l *RateLimit) Validate() error {
	if !(l.Rate >= MinRate && l.Rate <= MaxRate) { // also NaN
		return MustBe("rate", "0.001-1000000 (requests a second)")
	}
	if l.Burst < 1 || l.Burst > MaxBurst {
		return OutOfRange("burst", 1, MaxBurst)
	}
	return nil
}

// MaxSecrets is how many secrets an enterprise holds at once.
const MaxSecrets = 2

// SecretID names a secret without showing it: the first 8 hex digits of
// its SHA-256. The operator API shows and drops secrets by their ids.
func SecretID(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:4])
}

// Disabled reports whether e's signed requests are refused and its
// webhooks and SMS sends wait.
func (e *Enterprise) Disabled() bool { return e.Status == EnterpriseDisabled }

// Served returns nil when e's signed requests are served, and the
// KindUnauthenticated error of an unknown access code when e is disabled:
// every protocol answers a disabled enterprise as one it does not know
// (CSSS and the Mall 1004).
func (e *Enterprise) Served() error {
	if e.Disabled() {
		return Errorf(KindUnauthenticated, "enterprise %s is disabled", e.AccessCode)
	}
	return nil
}

// Validate reports whether e can be stored.
func (e *Enterprise) Validate() error {
	if e.AccessCode == "" || len(e.AccessCode) > 64 {
		return Invalid("access_code", "access code must be 1-64 characters")
	}
	if len(e.Secrets) == 0 || len(e.Secrets) > MaxSecrets {
		return Invalid("secret", "an enterprise holds one or two secrets")
	}
	for _, s := range e.Secrets {
		if len(s) < 8 {
			return Invalid("secret", "a secret must be at least 8 characters")
		}
	}
	return nil
}

// SIMStatus is the state of a SIM card in the operator's inventory.
type SIMStatus string

// SIM states.
const (
	SIMInventory  SIMStatus = "inventory"  // pre-activated, never used
	SIMActive     SIMStatus = "active"     // may order and use plans
	SIMSuspended  SIMStatus = "suspended"  // blocked by the operator
	SIMTerminated SIMStatus = "terminated" // retired for good
)

// SIM is one SIM card (or eSIM profile) owned by one enterprise.
type SIM struct {
	ICCID          string    `json:"iccid"`
	IMSI           string    `json:"imsi"`
	MSISDN         string    `json:"msisdn"`
	OTA            bool      `json:"ota"`
	EnterpriseCode string    `json:"enterprise"`
	Status         SIMStatus `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	// Auth is the SIM's authentication data, set only when a SIM is
	// imported with it (CreateSIMs stores it apart); never encoded.
	Auth *SIMAuth `json:"-"`
}

// Validate reports whether s can be stored.
func (s *SIM) Validate() error {
	if !Digits(s.ICCID, 18, 22) {
		return Invalid("iccid", "ICCID %q must be 18-22 digits", s.ICCID)
	}
	if !ValidIMSI(s.IMSI) {
		return Invalid("imsi", "IMSI %q must be 6-15 digits", s.IMSI)
	}
	if s.MSISDN != "" && !Digits(s.MSISDN, 5, 15) {
		return Invalid("msisdn", "MSISDN %q must be 5-15 digits", s.MSISDN)
	}
	if s.EnterpriseCode == "" {
		return Invalid("enterprise", "a SIM belongs to an enterprise")
	}
	switch s.Status {
	case SIMInventory, SIMActive, SIMSuspended, SIMTerminated:
	default:
		return Invalid("status", "unknown SIM status %q", s.Status)
	}
	return nil
}

// ValidIMSI reports whether s has the shape of an IMSI: 6-15 digits.
func ValidIMSI(s string) bool { return Digits(s, 6, 15) }

// Digits reports whether s is min to max ASCII digits.
func Digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

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

// PlanType is the CSSS package_type: it fixes the unit of a plan's validity.
type PlanType int

// Plan types.
const (
	PlanUnlimitedDaily PlanType = 0 // unlimited daily plan (high speed quota a day, then throttled)
	PlanDaily          PlanType = 1 // validity in days
	PlanMonthly        PlanType = 2 // 1 month a period
	PlanQuarterly      PlanType = 3 // 3 months a period
	PlanHalfYearly     PlanType = 4 // 6 months a period
	PlanYearly         PlanType = 5 // 12 months a period
)

// Valid reports whether t is one of the six plan types.
func (t PlanType) Valid() bool { return t >= PlanUnlimitedDaily && t <= PlanYearly }

// Months is the calendar months of one period of t; 0 for day-counted types.
func (t PlanType) Months() int {
	switch t {
	case PlanMonthly:
		return 1
	case PlanQuarterly:
		return 3
	case PlanHalfYearly:
		return 6
	case PlanYearly:
		return 12
	}
	return 0
}

// Plan is a data plan of the catalog.
type Plan struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Type        PlanType `json:"package_type"`
	VolumeBytes int64    `json:"volume_bytes"`
	PriceMinor  int64    `json:"price_minor"` // in minor units (cents) of Currency
	Currency    string   `json:"currency"`
	OTA         bool     `json:"ota"`
	// ThrottleKbps is the speed after the daily high-speed quota of an
	// unlimited daily plan; 0 otherwise.
	ThrottleKbps int       `json:"throttle_kbps"`
	Countries    []string  `json:"countries,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	// Status is PlanRetired once no new order may be made of the plan;
	// its orders run on.
	Status PlanStatus `json:"status"`
	// AddOn marks an add-on plan: extra volume for the rest of the
	// current period of a basic order (package addon), never an order of
	// its own.
	AddOn bool `json:"add_on,omitempty"`
	// AllowAddOn lets add-ons be added to the orders of this basic plan.
	AllowAddOn bool `json:"allow_add_on,omitempty"`
}

// PlanStatus is whether a plan may be ordered.
type PlanStatus string

// Plan states.
const (
	PlanActive  PlanStatus = "active"
	PlanRetired PlanStatus = "retired"
)

// Validate reports whether p can be stored.
func (p *Plan) Validate() error {
	if p.Code == "" || len(p.Code) > 64 {
		return Invalid("code", "plan code must be 1-64 characters")
	}
	if p.Name == "" {
		return Invalid("name", "plan name is required")
	}
	if !p.Type.Valid() {
		return Invalid("package_type", "package_type must be 0-5")
	}
	if p.AddOn && p.AllowAddOn {
		return Invalid("allow_add_on", "an add-on plan cannot allow add-ons")
	}
	if p.VolumeBytes < 0 || p.VolumeBytes > MaxVolumeBytes {
		return MustBe("volume", RangeText(0, MaxVolumeBytes)+" bytes (1 PiB)")
	}
	if p.PriceMinor < 0 || p.PriceMinor > MaxAmountMinor {
		return MustBe("price", "0.00-999999999999.99") // MaxAmountMinor
	}
	if p.ThrottleKbps < 0 || p.ThrottleKbps > MaxThrottleKbps {
		return OutOfRange("throttle_kbps", 0, MaxThrottleKbps)
	}
	return nil
}

// Page is a window of a list: Offset items skipped, at most Limit (0: all) kept.
type Page struct {
	Offset int
	Limit  int
}

// PageOf returns the Page for a 1-based page number and a page size.
func PageOf(pageNo, pageSize int) Page {
	return Page{Offset: (pageNo - 1) * pageSize, Limit: pageSize}
}

// PlanFilter selects plans orderable by an enterprise.
type PlanFilter struct {
	Enterprise string
	Code       string // optional exact plan code
	Page       Page
}

// SIMFilter selects SIMs of an enterprise.
type SIMFilter struct {
	Enterprise string
	ICCIDs     []string // optional: only these
	Page       Page
}

// enterpriseKey is the context key of NewContext's access code.
type enterpriseKey struct{}

// NewContext returns a context carrying the authenticated enterprise's access
// code. Every service method acts for that enterprise only.
func NewContext(ctx context.Context, accessCode string) context.Context {
	return context.WithValue(ctx, enterpriseKey{}, accessCode)
}

// EnterpriseFrom returns the access code carried by ctx, or "".
func EnterpriseFrom(ctx context.Context) string {
	s, _ := ctx.Value(enterpriseKey{}).(string)
	return s
}
