// Package shop is the vocabulary of the consumer shops beside the
// order book: the eSIM QR Mall's catalog, profiles, consumers, sessions,
// verification codes, orders and payments, and the Mall's orders, with the
// store that keeps them.
package shop

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/geo"
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
	ICCID            string `json:"iccid"`
	EnterpriseCode   string `json:"enterprise"`
	SMDPAddress      string `json:"smdp_address"`
	MatchingID       string `json:"matching_id"`
	ConfirmationCode string `json:"confirmation_code,omitempty"`
	// IMSI and MSISDN are the subscriber the profile holds: the SIM the
	// profile becomes once sold.
	IMSI      string       `json:"imsi"`
	MSISDN    string       `json:"msisdn,omitempty"`
	State     ProfileState `json:"state"`
	OrderID   string       `json:"order_id,omitempty"` // the eSIM order that reserved or bought it
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// Validate reports whether p can be stored.
func (p *Profile) Validate() error {
	switch {
	case !opencube.Digits(p.ICCID, 18, 22):
		return opencube.Invalid("iccid", "ICCID %q must be 18-22 digits", p.ICCID)
	case p.EnterpriseCode == "":
		return opencube.Invalid("enterprise", "a profile belongs to an enterprise")
	case p.SMDPAddress == "" || strings.ContainsAny(p.SMDPAddress, "$ /") || len(p.SMDPAddress) > 255:
		return opencube.Invalid("smdp_address", "SM-DP+ address %q must be a host name", p.SMDPAddress)
	case p.MatchingID == "" || strings.ContainsAny(p.MatchingID, "$ ") || len(p.MatchingID) > 255:
		return opencube.Invalid("matching_id", "matching ID %q must be non-empty, without '$' or spaces", p.MatchingID)
	case !opencube.Digits(p.IMSI, 6, 15):
		return opencube.Invalid("imsi", "IMSI %q must be 6-15 digits", p.IMSI)
	case p.MSISDN != "" && !opencube.Digits(p.MSISDN, 1, 15):
		return opencube.Invalid("msisdn", "MSISDN %q must be 1-15 digits", p.MSISDN)
	case strings.ContainsAny(p.ConfirmationCode, "$ "):
		return opencube.Invalid("confirmation_code", "confirmation code must not hold '$' or spaces")
	case !p.State.Valid():
		return opencube.Invalid("state", "unknown profile state %q", p.State)
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
		return opencube.Errorf(opencube.KindOrderState, "profile %s is %s: cannot mark it %s", p.ICCID, p.State, to)
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

// Plan starts: when the order an eSIM plan makes on the SIM starts counting.
const (
	StartAtPayment = "payment" // enabled when paid (unless another order is in use)
	StartOnAttach  = "attach"  // enabled by the SIM's first data session
)

// ESIMPlan is a plan of the eSIM QR Mall's catalog: what a traveller buys
// with an eSIM profile, for one country or a region, priced in several
// currencies. It sells the core plan PlanCode: a paid order makes the
// profile a SIM of the enterprise with an order of that plan.
type ESIMPlan struct {
	ID             int64    `json:"id"` // the catalog id the shop's pages use (FMS `id`)
	EnterpriseCode string   `json:"enterprise"`
	PackageCode    string   `json:"package_code"`
	Name           string   `json:"name"`
	Description    string   `json:"description,omitempty"`
	MCCs           []string `json:"mccs"`      // the mobile country codes covered
	Region         bool     `json:"region"`    // sold as a region (FMS type 2)
	Continent      string   `json:"continent"` // its continent code
	Hot            bool     `json:"hot"`
	VolumeBytes    int64    `json:"volume_bytes"`
	PeriodDays     int      `json:"period_days"`
	Prices         []Price  `json:"prices"`
	// PlanCode is the core plan sold, granted to the enterprise.
	PlanCode string `json:"plan_code"`
	// Starts says when the plan's order starts: StartAtPayment (the
	// default) or StartOnAttach.
	Starts string `json:"starts,omitempty"`
	// Logo is the URL of the plan's picture, if any.
	Logo string `json:"logo,omitempty"`
	// MinPeriods and MaxPeriods bound periodNum (0: 1 and
	// opencube.MaxESIMPeriods).
	MinPeriods int `json:"min_periods,omitempty"`
	MaxPeriods int `json:"max_periods,omitempty"`
	// APN is the access point the phone must be set to, when the profile
	// does not set it itself (FMS configFlag 1).
	APN string `json:"apn,omitempty"`
	// SaleCount is how many paid orders bought the plan (read only).
	SaleCount int       `json:"sale_count"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate reports whether p can be stored.
func (p *ESIMPlan) Validate() error {
	switch {
	case p.ID < 1 || p.ID > opencube.MaxCatalogID:
		return opencube.OutOfRange("id", 1, opencube.MaxCatalogID)
	case p.EnterpriseCode == "":
		return opencube.Invalid("enterprise", "a plan belongs to an enterprise")
	case p.PackageCode == "" || p.Name == "":
		return opencube.Invalid("package_code", "package code and name are required")
	case len(p.MCCs) == 0:
		return opencube.Invalid("mccs", "a plan covers at least one country")
	case p.PeriodDays < 1 || p.PeriodDays > opencube.MaxPeriods:
		return opencube.OutOfRange("period_days", 1, opencube.MaxPeriods)
	case p.VolumeBytes < 0 || p.VolumeBytes > opencube.MaxVolumeBytes:
		return opencube.MustBe("volume_bytes", opencube.RangeText(0, opencube.MaxVolumeBytes)+" (1 PiB)")
	case len(p.Prices) == 0:
		return opencube.Invalid("prices", "a plan has at least one price")
	case p.PlanCode == "" || len(p.PlanCode) > 64:
		return opencube.Invalid("plan_code", "plan_code names the core plan sold (1-64 characters)")
	case p.Starts != "" && p.Starts != StartAtPayment && p.Starts != StartOnAttach:
		return opencube.MustBe("starts", StartAtPayment+" or "+StartOnAttach)
	case p.Continent != "" && geo.Regions[p.Continent].Code == "":
		return opencube.MustBe("continent", "AF, AS, EU, NA, OC or SA")
	case p.MinPeriods < 0 || p.MinPeriods > opencube.MaxESIMPeriods:
		return opencube.OutOfRange("min_periods", 0, opencube.MaxESIMPeriods)
	case p.MaxPeriods < 0 || p.MaxPeriods > opencube.MaxESIMPeriods || (p.MaxPeriods > 0 && p.MaxPeriods < p.MinPeriods):
		return opencube.MustBe("max_periods", "0 or min_periods-"+strconv.Itoa(opencube.MaxESIMPeriods))
	case len(p.APN) > 100 || strings.ContainsAny(p.APN, " $"):
		return opencube.Invalid("apn", "apn must be an access point name of at most 100 characters")
	case len(p.Logo) > 1024:
		return opencube.Invalid("logo", "logo must be a URL of at most 1024 characters")
	}
	for _, m := range p.MCCs {
		if !opencube.Digits(m, 3, 3) {
			return opencube.Invalid("mccs", "MCC %q must be 3 digits", m)
		}
	}
	for _, pr := range p.Prices {
		if len(pr.Currency) != 3 || pr.AmountMinor < 0 || pr.AmountMinor > opencube.MaxAmountMinor {
			return opencube.Invalid("prices", "price %v: currency must be a 3-letter code and amount_minor 0-%d", pr, opencube.MaxAmountMinor)
		}
	}
	return nil
}

// Periods returns the least and the most periods one order of p buys.
func (p *ESIMPlan) Periods() (least, most int) {
	least, most = max(p.MinPeriods, 1), p.MaxPeriods
	if most == 0 {
		most = opencube.MaxESIMPeriods
	}
	return least, most
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
	// SIMOrderID is the order of the core plan the paid order made (or
	// renewed) on the SIM.
	SIMOrderID string `json:"sim_order_id,omitempty"`
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
	OrderNo        string `json:"order_no"` // the Mall's order number, unique per enterprise
	EnterpriseCode string `json:"enterprise"`
	ICCID          string `json:"iccid"`
	PackageCode    string `json:"package_code"`
	OrderPeriod    int    `json:"order_period"`
	PayID          string `json:"pay_id,omitempty"`
	PayType        string `json:"pay_type,omitempty"`
	PayAmountMinor int64  `json:"pay_amount_minor"`
	PayCurrency    string `json:"pay_currency"`
	Paid           bool   `json:"paid"`
	AutoRenewal    bool   `json:"auto_renewal"`
	OrderID        string `json:"order_id,omitempty"` // the SIM order the paid Mall order became
	// PayFailed says the payment provider reported the payment failed.
	PayFailed bool `json:"pay_failed"`
	// PayProvider names who reported the payment: "stripe" or "partner".
	PayProvider string `json:"pay_provider,omitempty"`
	// ClientSecret is the Stripe payment intent's client secret, for the
	// buyer's page to confirm the card.
	ClientSecret string `json:"-"`
	// CustomerID and SubscriptionID are the Stripe customer and
	// subscription of an auto-renewed order.
	CustomerID     string `json:"customer_id,omitempty"`
	SubscriptionID string `json:"subscription_id,omitempty"`
	// Renewals counts the periods renewal invoices paid; LastInvoice is
	// the last invoice acted on (each is acted on once).
	Renewals    int    `json:"renewals"`
	LastInvoice string `json:"last_invoice,omitempty"`
	// RenewalStopped says why auto-renewal ended: "cancelled" or
	// "payment_failed"; empty while it runs or was never on.
	RenewalStopped string    `json:"renewal_stopped,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// JobMallCancelSubscription cancels, at Stripe, the subscription of a
// Mall order whose auto-renewal ended: the key is the subscription id.
const JobMallCancelSubscription = opencube.JobMallCancelSubscription

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

// ShopStore keeps what the consumer shops add to the order book: the eSIM
// QR Mall's catalog, profile inventory, consumers, sessions, verification
// codes and orders, and the Mall's orders.
type ShopStore interface {
	// CreateESIMPlan inserts p; KindConflict when its id exists.
	CreateESIMPlan(ctx context.Context, p *ESIMPlan) error
	// FindESIMPlans returns the plans f selects, id order.
	FindESIMPlans(ctx context.Context, f ESIMPlanFilter) ([]*ESIMPlan, error)

	// ImportProfiles inserts every profile or none; KindConflict when an
	// ICCID exists.
	ImportProfiles(ctx context.Context, ps []*Profile) error
	// FindProfiles returns the profiles f selects, ICCID order.
	FindProfiles(ctx context.Context, f ProfileFilter) ([]*Profile, error)
	// UpdateProfile runs fn on the enterprise's profile, locked, and writes
	// what fn leaves in it; KindDeviceNotFound when unknown.
	UpdateProfile(ctx context.Context, accessCode, iccid string, fn func(p *Profile) error) (*Profile, error)

	// CreateShopUser inserts u; KindConflict when the e-mail is taken.
	CreateShopUser(ctx context.Context, u *ShopUser) error
	// FindShopUser returns a consumer; KindUnauthenticated when unknown.
	FindShopUser(ctx context.Context, accessCode, email string) (*ShopUser, error)
	// PutSession records a login.
	PutSession(ctx context.Context, s *Session) error
	// FindSession returns the session of a token hash; KindTokenExpired
	// when unknown.
	FindSession(ctx context.Context, tokenHash string) (*Session, error)
	// PutVerificationCode replaces the address's verification code.
	PutVerificationCode(ctx context.Context, v *VerificationCode) error
	// FindVerificationCode returns the address's code (the latest of any
	// enterprise when accessCode is empty); KindInvalid when none was sent.
	FindVerificationCode(ctx context.Context, accessCode, email string) (*VerificationCode, error)

	// CreateESIMOrder inserts o and jobs in one transaction. With reserve,
	// it first claims one available profile of o's enterprise for o
	// (setting o.ICCID), so that concurrent claimers, on any node, never
	// get the same profile; KindSoldOut when none is available.
	CreateESIMOrder(ctx context.Context, o *ESIMOrder, reserve bool, jobs []*opencube.Job) error
	// UpdateESIMOrder runs fn on the order and its profile (nil when it has
	// none), both locked, inside one order-book transaction (tx), and
	// writes both and the jobs fn returns with what fn wrote through tx, or
	// nothing when fn fails; KindOrderNotFound when unknown.
	UpdateESIMOrder(ctx context.Context, id string, fn func(tx MallTx, o *ESIMOrder, p *Profile) ([]*opencube.Job, error)) error
	// FindESIMOrder returns an order and its profile (nil when none);
	// KindOrderNotFound when unknown.
	FindESIMOrder(ctx context.Context, id string) (*ESIMOrder, *Profile, error)

	// UpdateMall runs fn in one order-book transaction that also reaches
	// the Mall's orders; see OrderStore.UpdateOrders.
	UpdateMall(ctx context.Context, fn func(tx MallTx) error) error
	// FindMallOrders returns the Mall orders f selects, newest first.
	FindMallOrders(ctx context.Context, f MallOrderFilter) ([]*MallOrder, error)

	GroupStore
}

// MallTx is the order book inside one transaction, with the Mall's orders
// and the SIMs the shops make of sold eSIM profiles.
type MallTx interface {
	opencube.OrderTx
	// InsertSIM adds a SIM to the inventory; KindConflict when its ICCID
	// or IMSI exists.
	InsertSIM(ctx context.Context, sim *opencube.SIM) error
	// MallOrder returns the enterprise's Mall order, or nil when unknown.
	MallOrder(ctx context.Context, accessCode, orderNo string) (*MallOrder, error)
	// PutMallOrder inserts or replaces a Mall order.
	PutMallOrder(ctx context.Context, m *MallOrder) error
}

// BundleGroup is a Mall bundle group: a named set of an enterprise's SIMs
// that share a base plan (a core plan code of the enterprise). A SIM is in
// one group at most.
type BundleGroup struct {
	EnterpriseCode string    `json:"enterprise"`
	ID             string    `json:"group_id"`
	Name           string    `json:"name"`
	BasePlan       string    `json:"base_plan"`
	SIMs           int       `json:"sims"` // how many SIMs it holds (read only)
	CreatedAt      time.Time `json:"created_at"`
}

// GroupSIM is one SIM of a bundle group.
type GroupSIM struct {
	ICCID   string    `json:"iccid"`
	AddedAt time.Time `json:"added_at"`
}

// GroupItem is what a bundle-group operation did to one SIM.
type GroupItem struct {
	ICCID  string `json:"deviceCode"`
	Result string `json:"result"` // one of the Group* results
	// OrderID is the order of the group's base plan that adding the SIM
	// made, when it made one.
	OrderID string `json:"orderId,omitempty"`
	// Message says, in English, why a SIM was refused (GroupNotOrderable),
	// for logs and operators.
	Message string `json:"message,omitempty"`
	// Cause and Args name the rule that refused it, so that each answer
	// states it in its own language (csss/codes.go holds the texts).
	Cause opencube.Cause `json:"cause,omitempty"`
	Args  []string       `json:"args,omitempty"`
}

// Results of a bundle-group operation for one SIM.
const (
	GroupAdded        = "added"          // put in the group (or already in it)
	GroupRemoved      = "removed"        // taken out of the group
	GroupUnknownSIM   = "unknown_sim"    // not a SIM of the enterprise
	GroupInOtherGroup = "in_other_group" // in another group: remove it there first
	GroupNotInGroup   = "not_in_group"   // not in the group
	GroupPending      = "pending"        // the operation's job has not run yet
	// GroupNotOrderable: the SIM needed an order of the base plan and
	// could not get one (the plan does not fit it, the SIM is not usable,
	// the enterprise's balance does not cover it); it is not in the group.
	GroupNotOrderable = "not_orderable"
)

// JobMallGroupOperation does a bundle-group operation (the key, its
// request id; the payload, its enterprise code).
const JobMallGroupOperation = opencube.JobMallGroupOperation

// GroupResult is the result of one bundle-group operation (adding or
// removing SIMs), kept to be asked for by its id.
type GroupResult struct {
	EnterpriseCode string      `json:"enterprise"`
	ID             string      `json:"requestId"`
	GroupID        string      `json:"groupId"`
	Operation      string      `json:"operation"` // add or remove
	Items          []GroupItem `json:"items"`
	CreatedAt      time.Time   `json:"createdAt"`
}

// Finished reports whether the operation's job has run: no SIM of it is
// pending any more.
func (r *GroupResult) Finished() bool {
	for _, it := range r.Items {
		if it.Result == GroupPending {
			return false
		}
	}
	return true
}

// GroupStore keeps the Mall's bundle groups.
type GroupStore interface {
	// UpdateGroups runs fn in one transaction over the bundle groups.
	UpdateGroups(ctx context.Context, fn func(tx GroupTx) error) error
	// FindGroups returns the enterprise's groups with their SIM counts,
	// by id.
	FindGroups(ctx context.Context, accessCode string) ([]*BundleGroup, error)
	// FindGroupSIMs returns a group's SIMs, ICCID order.
	FindGroupSIMs(ctx context.Context, accessCode, groupID string) ([]GroupSIM, error)
	// FindGroupResult returns an operation's result; KindOrderNotFound
	// when unknown.
	FindGroupResult(ctx context.Context, accessCode, id string) (*GroupResult, error)
}

// GroupTx is the bundle groups inside one order-book transaction (the
// orders a group's base plan makes commit with the group's change).
type GroupTx interface {
	MallTx
	// Group returns the enterprise's group, or nil.
	Group(ctx context.Context, accessCode, id string) (*BundleGroup, error)
	// InsertGroup creates a group.
	InsertGroup(ctx context.Context, g *BundleGroup) error
	// SIMGroup returns the group holding the enterprise's SIM iccid ("" for
	// none) and whether the SIM is the enterprise's.
	SIMGroup(ctx context.Context, accessCode, iccid string) (group string, known bool, err error)
	// AddGroupSIM puts a SIM in a group.
	AddGroupSIM(ctx context.Context, accessCode, groupID, iccid string, at time.Time) error
	// RemoveGroupSIM takes a SIM out of a group; false when it was not in it.
	RemoveGroupSIM(ctx context.Context, accessCode, groupID, iccid string) (bool, error)
	// PutGroupResult records an operation's result, replacing the one of
	// the same id.
	PutGroupResult(ctx context.Context, r *GroupResult) error
	// GroupResult returns an operation's result, locked, or nil.
	GroupResult(ctx context.Context, accessCode, id string) (*GroupResult, error)
}

// Causes of a bundle-group SIM that is not_orderable beyond those of the
// order it needed: the group was deleted before the operation ran; the
// base plan was refused for a reason of its own (the base plan).
const (
	CauseGroupGone opencube.Cause = "shop_group_gone"
	CauseBasePlan  opencube.Cause = "shop_base_plan"
)

// CauseOtherSubscription refuses a Stripe invoice that is not of the
// subscription the Mall order holds (or of an order that holds none): the
// invoice, its subscription, the order, the order's subscription.
const CauseOtherSubscription opencube.Cause = "shop_other_subscription"

// CauseOtherIntent refuses a Stripe payment intent's outcome for a Mall
// order that holds another intent: the intent, the order, the order's
// intent.
const CauseOtherIntent opencube.Cause = "shop_other_intent"
