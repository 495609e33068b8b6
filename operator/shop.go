package operator

import (
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/shop"
)

// MallOrderStatus is where a Mall order's payment is, as the operator's
// lists filter it.
type MallOrderStatus string

// Mall order statuses: paid (the order became an order of the SIM),
// pending (no verified payment yet) and failed (the provider said the
// payment failed).
const (
	MallPaid    MallOrderStatus = "paid"
	MallPending MallOrderStatus = "pending"
	MallFailed  MallOrderStatus = "failed"
)

// MallOrderQuery selects Mall orders, newest first (creation time, then
// enterprise and order number).
type MallOrderQuery struct {
	Enterprise string
	ICCID      string
	Status     MallOrderStatus // empty: any
	From, To   time.Time       // created within [From, To); zero: open
	Page
}

// MallOrderDetail is a Mall order as the operator sees it: the order and
// the order of the SIM it became (nil while unpaid).
type MallOrderDetail struct {
	MallOrder *shop.MallOrder `json:"mall_order"`
	Order     *opencube.Order `json:"order"`
}

// ESIMOrderQuery selects eSIM QR Mall orders, newest first (creation
// time, then id).
type ESIMOrderQuery struct {
	Enterprise string
	ICCID      string
	Status     *shop.ESIMOrderStatus // nil: any
	From, To   time.Time
	Page
}

// ESIMOrderDetail is an eSIM order as the operator sees it: the order,
// the profile it reserved or bought (nil when none), and whether the
// profile's ICCID is a SIM (then SIMOrderID of the order is its order).
type ESIMOrderDetail struct {
	Order   *shop.ESIMOrder `json:"order"`
	Profile *shop.Profile   `json:"profile"`
	// IsSIM says the profile's ICCID is a SIM of the enterprise.
	IsSIM bool `json:"is_sim"`
}

// Shops: the two consumer shops a payment is of.
const (
	ShopMall = "mall"
	ShopESIM = "esim"
)

// PaymentStatus is a shop payment's outcome.
type PaymentStatus string

// Payment outcomes: succeeded and failed are the provider's verified word
// (a Stripe event whose Stripe-Signature verified, a partner's signed
// notification); pending, none yet.
const (
	PaymentSucceeded PaymentStatus = "succeeded"
	PaymentFailed    PaymentStatus = "failed"
	PaymentPending   PaymentStatus = "pending"
)

// Payment is the payment of one shop order: a Mall order that names a
// payment (its payId, a Stripe payment intent) or was reported by a
// provider, or an eSIM order a provider reported on.
type Payment struct {
	Shop       string `json:"shop"` // ShopMall or ShopESIM
	Enterprise string `json:"enterprise"`
	// OrderNo is the Mall order number, or the eSIM order id.
	OrderNo string `json:"order_no"`
	ICCID   string `json:"iccid,omitempty"`
	// Provider is who reported the payment: stripe (a signed Stripe
	// event), partner (a Mall partner's signed order sync) or sandbox (an
	// eSIM partner's signed payment webhook); empty while none has.
	Provider string `json:"provider,omitempty"`
	// Reference is the provider's payment id: the Stripe payment intent,
	// the partner's payId or paypalId.
	Reference   string        `json:"reference,omitempty"`
	AmountMinor int64         `json:"amount_minor"`
	Currency    string        `json:"currency"`
	Status      PaymentStatus `json:"status"`
	// Renewals counts the Mall order's renewal invoices paid.
	Renewals int `json:"renewals,omitempty"`
	// SIMOrderID is the order of the SIM the payment made or renewed.
	SIMOrderID string    `json:"sim_order_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// PaymentQuery selects shop payments, newest order first (creation time,
// shop, enterprise, order).
type PaymentQuery struct {
	Enterprise string
	ICCID      string
	Shop       string        // ShopMall, ShopESIM or empty: both
	Status     PaymentStatus // empty: any
	From, To   time.Time
	Page
}

// GroupQuery selects Mall bundle groups, enterprise then group id order.
type GroupQuery struct {
	Enterprise string
	Page
}

// GroupDetail is a bundle group with its SIMs, ICCID order.
type GroupDetail struct {
	Group *shop.BundleGroup `json:"group"`
	SIMs  []shop.GroupSIM   `json:"sims"`
}
