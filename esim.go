package opencube

import (
	"strings"
	"time"
)

// ProfileState is the life-cycle state of an eSIM profile in the inventory.
type ProfileState string

// Profile states: available -> reserved (pre-order) -> sold (paid) ->
// installed (the SM-DP+ reports the download); a reservation not paid in
// time goes back to available, and any profile not reserved may be deleted.
const (
	ProfileAvailable ProfileState = "available"
	ProfileReserved  ProfileState = "reserved"
	ProfileSold      ProfileState = "sold"
	ProfileInstalled ProfileState = "installed"
	ProfileDeleted   ProfileState = "deleted"
)

// Valid reports whether s is one of the five profile states.
func (s ProfileState) Valid() bool {
	switch s {
	case ProfileAvailable, ProfileReserved, ProfileSold, ProfileInstalled, ProfileDeleted:
		return true
	}
	return false
}

// Profile is an eSIM profile the operator holds for sale (GSMA SGP.22):
// its ICCID, SM-DP+ address, matching ID and optional confirmation code.
type Profile struct {
	ICCID            string       `json:"iccid"`
	EnterpriseCode   string       `json:"enterprise"`
	SMDPAddress      string       `json:"smdp_address"`
	MatchingID       string       `json:"matching_id"`
	ConfirmationCode string       `json:"confirmation_code,omitempty"`
	State            ProfileState `json:"state"`
	OrderID          string       `json:"order_id,omitempty"` // the eSIM order that reserved or bought it
	CreatedAt        time.Time    `json:"created_at"`
	UpdatedAt        time.Time    `json:"updated_at"`
}

// Validate reports whether p can be stored.
func (p *Profile) Validate() error {
	switch {
	case !Digits(p.ICCID, 18, 22):
		return Invalid("iccid", "ICCID %q must be 18-22 digits", p.ICCID)
	case p.EnterpriseCode == "":
		return Invalid("enterprise", "a profile belongs to an enterprise")
	case p.SMDPAddress == "" || strings.ContainsAny(p.SMDPAddress, "$ /") || len(p.SMDPAddress) > 255:
		return Invalid("smdp_address", "SM-DP+ address %q must be a host name", p.SMDPAddress)
	case p.MatchingID == "" || strings.ContainsAny(p.MatchingID, "$ ") || len(p.MatchingID) > 255:
		return Invalid("matching_id", "matching ID %q must be non-empty, without '$' or spaces", p.MatchingID)
	case strings.ContainsAny(p.ConfirmationCode, "$ "):
		return Invalid("confirmation_code", "confirmation code must not hold '$' or spaces")
	case !p.State.Valid():
		return Invalid("state", "unknown profile state %q", p.State)
	}
	return nil
}

// ActivationCode is the SGP.22 activation code of the profile,
// LPA:1$<SM-DP+ address>$<matching ID>: what its QR code holds.
func (p *Profile) ActivationCode() string {
	return "LPA:1$" + p.SMDPAddress + "$" + p.MatchingID
}

// Mark moves the profile to state to on the operator's (or SM-DP+'s) word:
// installed once sold, deleted unless reserved; else KindOrderState.
func (p *Profile) Mark(to ProfileState, now time.Time) error {
	ok := false
	switch to {
	case ProfileInstalled:
		ok = p.State == ProfileSold || p.State == ProfileInstalled
	case ProfileDeleted:
		ok = p.State != ProfileReserved
	}
	if !ok {
		return Errorf(KindOrderState, "profile %s is %s: cannot mark it %s", p.ICCID, p.State, to)
	}
	p.State, p.UpdatedAt = to, now
	return nil
}

// ProfileFilter selects an enterprise's profiles.
type ProfileFilter struct {
	Enterprise string
	State      ProfileState // optional
	ICCID      string       // optional
}

// Price is one price of a plan, in minor units of its currency (D16).
type Price struct {
	Currency    string `json:"currency"`
	AmountMinor int64  `json:"amount_minor"`
}

// ESIMPlan is a plan of the eSIM QR Mall's catalog: what a traveller buys
// with an eSIM profile, for one country or a region, priced in several
// currencies.
type ESIMPlan struct {
	ID             int64     `json:"id"` // the catalog id the shop's pages use (FMS `id`)
	EnterpriseCode string    `json:"enterprise"`
	PackageCode    string    `json:"package_code"`
	Name           string    `json:"name"`
	Description    string    `json:"description,omitempty"`
	MCCs           []string  `json:"mccs"`      // the mobile country codes covered
	Region         bool      `json:"region"`    // sold as a region (FMS type 2)
	Continent      string    `json:"continent"` // its continent code
	Hot            bool      `json:"hot"`
	VolumeBytes    int64     `json:"volume_bytes"`
	PeriodDays     int       `json:"period_days"`
	Prices         []Price   `json:"prices"`
	CreatedAt      time.Time `json:"created_at"`
}

// Validate reports whether p can be stored.
func (p *ESIMPlan) Validate() error {
	switch {
	case p.ID < 1 || p.ID > MaxCatalogID:
		return OutOfRange("id", 1, MaxCatalogID)
	case p.EnterpriseCode == "":
		return Invalid("enterprise", "a plan belongs to an enterprise")
	case p.PackageCode == "" || p.Name == "":
		return Invalid("package_code", "package code and name are required")
	case len(p.MCCs) == 0:
		return Invalid("mccs", "a plan covers at least one country")
	case p.PeriodDays < 1 || p.PeriodDays > MaxPeriods:
		return OutOfRange("period_days", 1, MaxPeriods)
	case p.VolumeBytes < 0 || p.VolumeBytes > MaxVolumeBytes:
		return MustBe("volume_bytes", RangeText(0, MaxVolumeBytes)+" (1 PiB)")
	case len(p.Prices) == 0:
		return Invalid("prices", "a plan has at least one price")
	}
	for _, m := range p.MCCs {
		if !Digits(m, 3, 3) {
			return Invalid("mccs", "MCC %q must be 3 digits", m)
		}
	}
	for _, pr := range p.Prices {
		if len(pr.Currency) != 3 || pr.AmountMinor < 0 || pr.AmountMinor > MaxAmountMinor {
			return Invalid("prices", "price %v: currency must be a 3-letter code and amount_minor 0-%d", pr, MaxAmountMinor)
		}
	}
	return nil
}

// ESIMPlanFilter selects an enterprise's eSIM plans. Empty fields do not
// narrow.
type ESIMPlanFilter struct {
	Enterprise string
	ID         int64
	MCC        string
	Continent  string
	HotOnly    bool
}

// ShopUser is a consumer account of the eSIM QR Mall, one per enterprise
// and e-mail address.
type ShopUser struct {
	ID             string    `json:"id"`
	EnterpriseCode string    `json:"enterprise"`
	Email          string    `json:"email"`
	PasswordMD5    string    `json:"-"` // the lowercase hex MD5 the client sends as passwd
	CreatedAt      time.Time `json:"created_at"`
}

// Session is a logged-in consumer: the SHA-256 (hex) of its x-access-token
// and when it expires.
type Session struct {
	TokenHash      string    `json:"-"`
	UserID         string    `json:"user_id"`
	EnterpriseCode string    `json:"enterprise"`
	Email          string    `json:"email"`
	ExpiresAt      time.Time `json:"expires_at"`
}

// VerificationCode is the last e-mail verification code sent to an address.
type VerificationCode struct {
	EnterpriseCode string    `json:"enterprise"`
	Email          string    `json:"email"`
	Code           string    `json:"code"`
	ExpiresAt      time.Time `json:"expires_at"`
}

// ESIMOrderStatus is the FMS orderPayStatus of an eSIM order.
type ESIMOrderStatus int

// eSIM order states (queryOrdStatusAndEmail's orderPayStatus).
const (
	ESIMWaiting   ESIMOrderStatus = 0 // pre-ordered, waiting for payment
	ESIMPaid      ESIMOrderStatus = 1 // paid: the profile is sold
	ESIMFailed    ESIMOrderStatus = 2 // payment failed: the profile is released
	ESIMCancelled ESIMOrderStatus = 3 // not paid in time: the profile is released
)

// ESIMOrder is a purchase in the eSIM QR Mall: a pre-order reserving a
// profile (or, for a top-up, naming a profile bought before) until it is
// paid, fails or times out.
type ESIMOrder struct {
	ID             string `json:"id"`
	EnterpriseCode string `json:"enterprise"`
	UserID         string `json:"user_id"`
	Email          string `json:"email"`
	PlanID         int64  `json:"plan_id"`
	PackageCode    string `json:"package_code"`
	PlanName       string `json:"plan_name"`
	PeriodNum      int    `json:"period_num"`
	Currency       string `json:"currency"`
	AmountMinor    int64  `json:"amount_minor"`
	// TopUp marks a top-up of a profile bought before; ICCID is the
	// reserved (or topped-up) profile.
	TopUp  bool            `json:"top_up"`
	ICCID  string          `json:"iccid,omitempty"`
	Status ESIMOrderStatus `json:"status"`
	// PaymentProvider and PaymentRef name the payment that settled it.
	PaymentProvider string     `json:"payment_provider,omitempty"`
	PaymentRef      string     `json:"payment_ref,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	ExpiresAt       time.Time  `json:"expires_at"`
	PaidAt          *time.Time `json:"paid_at,omitempty"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// MallOrder is a Mall purchase of a plan for a SIM: paid (it then holds
// the order it became on the SIM) or pending a third-party payment.
type MallOrder struct {
	OrderNo        string    `json:"order_no"` // the Mall's order number, unique per enterprise
	EnterpriseCode string    `json:"enterprise"`
	ICCID          string    `json:"iccid"`
	PackageCode    string    `json:"package_code"`
	OrderPeriod    int       `json:"order_period"`
	PayID          string    `json:"pay_id,omitempty"`
	PayType        string    `json:"pay_type,omitempty"`
	PayAmountMinor int64     `json:"pay_amount_minor"`
	PayCurrency    string    `json:"pay_currency"`
	Paid           bool      `json:"paid"`
	AutoRenewal    bool      `json:"auto_renewal"`
	OrderID        string    `json:"order_id,omitempty"` // the SIM order the paid Mall order became
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// MallOrderFilter selects an enterprise's Mall orders, newest first.
type MallOrderFilter struct {
	Enterprise string
	ICCID      string // optional
	OrderNo    string // optional
}

// PreOrderRequest asks for a plan at a price: the client's copy of the
// catalog price must match the catalog.
type PreOrderRequest struct {
	PlanID      int64
	PackageCode string
	Currency    string
	AmountMinor int64
	PeriodNum   int
	ICCID       string // for a top-up: the profile, bought before, to top up
}

// Payment is the verified outcome of one payment of an eSIM order, from
// whichever provider reported it.
type Payment struct {
	AccessCode  string
	OrderID     string
	Succeeded   bool
	AmountMinor int64
	Currency    string
	Provider    string // the payment provider
	Reference   string // the provider's payment id
}
