package opencube

import "context"

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
	CreateESIMOrder(ctx context.Context, o *ESIMOrder, reserve bool, jobs []*Job) error
	// UpdateESIMOrder runs fn on the order and its profile (nil when it has
	// none), both locked, and writes both and the jobs fn returns, or
	// nothing when fn fails; KindOrderNotFound when unknown.
	UpdateESIMOrder(ctx context.Context, id string, fn func(o *ESIMOrder, p *Profile) ([]*Job, error)) error
	// FindESIMOrder returns an order and its profile (nil when none);
	// KindOrderNotFound when unknown.
	FindESIMOrder(ctx context.Context, id string) (*ESIMOrder, *Profile, error)

	// UpdateMall runs fn in one order-book transaction that also reaches
	// the Mall's orders; see OrderStore.UpdateOrders.
	UpdateMall(ctx context.Context, fn func(tx MallTx) error) error
	// FindMallOrders returns the Mall orders f selects, newest first.
	FindMallOrders(ctx context.Context, f MallOrderFilter) ([]*MallOrder, error)
}

// MallTx is the order book inside one transaction, with the Mall's orders.
type MallTx interface {
	OrderTx
	// MallOrder returns the enterprise's Mall order, or nil when unknown.
	MallOrder(ctx context.Context, accessCode, orderNo string) (*MallOrder, error)
	// PutMallOrder inserts or replaces a Mall order.
	PutMallOrder(ctx context.Context, m *MallOrder) error
}
