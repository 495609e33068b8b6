package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/stripepay"
)

// Orders is the order book: the Plan section of the CSSS API
// (opencube.PlanService) and the order jobs (expiry, expiry alerts).
type Orders struct {
	Store OrderStore
	Clock opencube.Clock
	IDs   *IDGenerator
	// MaxBulk is the largest deviceList of a bulk order (D15).
	MaxBulk int
	// HLR writes the subscriber register's jobs of order changes when
	// access follows the orders (HLRJobs.RequirePlan); nil when
	// provisioning is off.
	HLR *HLRJobs
	// claim is the replay claim of the request the copy made by Replaying
	// acts for; nil on the shared service.
	claim *opencube.ReplayClaim
	// noLedger leaves out the ledger line of a single order: only the
	// benchmark that measures what the line costs sets it.
	noLedger bool
}

// OrderStore is what Orders reads and writes.
type OrderStore interface {
	opencube.OrderStore
	opencube.PlanStore
	opencube.SIMStore
}

// SIMs is the SIM and Usage sections of the CSSS API
// (opencube.SIMService), the operator's SIM states
// (opencube.SIMAdminService), and the rating of the packet core's
// accounting (opencube.UsageService).
type SIMs struct {
	Store SIMStore
	Clock opencube.Clock
	// HLR writes the subscriber register's jobs of SIM changes; nil
	// when provisioning is off.
	HLR *HLRJobs
}

// SIMStore is what SIMs reads and writes.
type SIMStore interface {
	opencube.UsageStore
	opencube.OrderStore
	addon.Store
}

// Admin is the operator's enterprises, SIM inventory and plan catalog
// (opencube.AdminService).
type Admin struct {
	Store AdminStore
	Clock opencube.Clock
	// HLR writes the subscriber register's jobs of SIM changes; nil
	// when provisioning is off.
	HLR *HLRJobs
}

// AdminStore is what Admin reads and writes.
type AdminStore interface {
	opencube.EnterpriseStore
	opencube.SIMStore
	opencube.PlanStore
	// UpdateEnterprise changes an enterprise in its locked transaction
	// (operator.ChangeStore).
	UpdateEnterprise(ctx context.Context, accessCode string, now time.Time, fn func(e *opencube.Enterprise) error) (*opencube.Enterprise, error)
}

// Notify is the operator's view of notifications (opencube.NotifyService):
// webhook endpoints, deliveries, alert settings, and the delivery purge.
type Notify struct {
	Store NotifyStore
	Clock opencube.Clock
}

// NotifyStore is what Notify reads and writes.
type NotifyStore interface {
	opencube.NotifyStore
	operator.NotificationKeyStore
	opencube.EnterpriseStore
	opencube.OrderStore
}

// Corrections is the operator's corrections of orders
// (opencube.OrderAdminService).
type Corrections struct {
	Store CorrectionStore
	Clock opencube.Clock
	// HLR writes the subscriber register's jobs of SIM changes; nil
	// when provisioning is off.
	HLR *HLRJobs
}

// CorrectionStore is what Corrections reads and writes.
type CorrectionStore interface {
	opencube.OrderStore
	opencube.UsageStore
}

// Mall is the consumer Mall's business (mall.Service): card login,
// the plans a SIM may buy, purchases that become orders on the SIM (through
// Orders, in the purchase's transaction), and auto-renewals.
type Mall struct {
	Store  MallStore
	Clock  opencube.Clock
	Orders *Orders
	// Stripe is the operator's Stripe account: the Mall's payment intents
	// and renewal subscriptions are made there. Nil, or without an API
	// key, the Mall takes payments from partners' signed notifications
	// only.
	Stripe *stripepay.Client
	// Observe, when set, is told of each payment report acted on, once
	// its transaction committed (metrics.ShopPayment).
	Observe PaymentObserver
}

// PaymentObserver is told of a shop payment report: the shop (ShopMall,
// ShopESIM), the payment's kind (PaymentOrder, PaymentRenewal) and its
// outcome (PaymentPaid, PaymentFailed, PaymentRefused). A report repeated
// (a provider's retry of one acted on) is not told again.
type PaymentObserver func(shop, kind, outcome string)

// The label values of a PaymentObserver.
const (
	ShopMall = "mall"
	ShopESIM = "esim"
	// PaymentOrder pays an order; PaymentRenewal is a Mall subscription's
	// renewal invoice.
	PaymentOrder   = "order"
	PaymentRenewal = "renewal"
	// PaymentPaid and PaymentFailed are what the provider's verified
	// report said and the order now holds; PaymentRefused is a verified
	// report the order did not take (another amount, an order already
	// settled or timed out, unknown, of another subscription).
	PaymentPaid    = "paid"
	PaymentFailed  = "failed"
	PaymentRefused = "refused"
)

// observe tells o of one payment report's outcome: outcome when err is
// nil (nothing when it is empty: a repeat), refused when err is a
// domain refusal, nothing for a failure of the server.
func (o PaymentObserver) observe(shop, kind, outcome string, err error) {
	if o == nil {
		return
	}
	switch k := opencube.ErrorKind(err); {
	case err == nil && outcome != "":
		o(shop, kind, outcome)
	case err != nil && k != "" && k != opencube.KindInternal:
		o(shop, kind, PaymentRefused)
	}
}

// MallStore is what Mall reads and writes.
type MallStore interface {
	shop.ShopStore
	opencube.OrderStore
	opencube.SIMStore
	opencube.PlanStore
}

// Store is everything the services keep: what the protocols need
// (opencube.Store) and what the operator's users and audit trail need.
type Store interface {
	opencube.Store
	AccessStore
	operator.ListStore
	operator.ChangeStore
	operator.ProvisionStore
	operator.JobStore
	operator.NodeStore
	operator.ClockStore
	operator.HealthStore
	operator.BacklogStore
	operator.APIKeyStore
	operator.SIMRequestStore
	operator.ServiceOrderStore
	operator.SIMLabelStore
	operator.DeviceStore
	operator.NotificationKeyStore
	shop.ShopStore
	seal.Store
	billing.Store
	addon.Store
}

// Set is every service over one store, wired together: what a server runs.
// Each front door takes only the services (or service interfaces) it calls.
type Set struct {
	Access      *Access
	Lists       *Lists
	Orders      *Orders
	SIMs        *SIMs
	Admin       *Admin
	Notify      *Notify
	Corrections *Corrections
	Mall        *Mall
	ESIM        *ESIM
	// Keys are the enterprises' Cube v4 public keys.
	Keys *Keys
	// SIMRequests are the asynchronous SIM operations of Cube v4.
	SIMRequests *SIMRequests
	// Renewals are Cube v4's online renewal orders.
	Renewals *Renewals
	// Labels are the SIMs' tags, notes and device names (Cube v4).
	Labels *Labels
	// Billing is the operator's side of billing (accounts, top-ups,
	// statements, the usage export).
	Billing *Billing
	// AddOns are the SIMs' add-on bundles (Cube v4 bundle_type 11).
	AddOns *AddOns
	// Served finds the enterprises the front doors serve: not the
	// disabled ones.
	Served *ServedEnterprises
}

// New returns the services over store, on clock, numbering orders with ids.
func New(store Store, clock opencube.Clock, ids *IDGenerator) *Set {
	orders := &Orders{Store: store, Clock: clock, IDs: ids, MaxBulk: DefaultMaxBulk}
	return &Set{
		Access:      &Access{Store: store, Clock: opencube.SystemClock},
		Lists:       &Lists{Store: store, Clock: clock},
		Orders:      orders,
		SIMs:        &SIMs{Store: store, Clock: clock},
		Admin:       &Admin{Store: store, Clock: clock},
		Notify:      &Notify{Store: store, Clock: clock},
		Corrections: &Corrections{Store: store, Clock: clock},
		Mall:        &Mall{Store: store, Clock: clock, Orders: orders},
		ESIM:        NewESIM(store, clock, ids, orders),
		Served:      &ServedEnterprises{Store: store},
		Billing:     &Billing{Store: store, Clock: clock, Grace: DefaultStatementGrace},
		Keys:        &Keys{Store: store, Clock: clock},
		SIMRequests: &SIMRequests{Store: store, Clock: clock, Orders: orders, Logger: slog.Default()},
		Renewals:    &Renewals{Store: store, Clock: clock, Orders: orders},
		AddOns:      &AddOns{Orders: orders, Store: store},
		Labels:      &Labels{Store: store, Clock: clock},
	}
}

// DefaultStatementGrace is how long after its last UTC+8 day a month's
// statement stays open unless the operator says otherwise.
const DefaultStatementGrace = 24 * time.Hour

// DefaultMaxBulk is the largest deviceList of a bulk order unless the
// operator says otherwise.
const DefaultMaxBulk = 1000
