package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/geo"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/money"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/stripepay"
)

// Defaults of an ESIM.
const (
	DefaultPreOrderTimeout = 60 * time.Minute
	DefaultTokenTTL        = 72 * time.Hour
	DefaultCodeTTL         = 10 * time.Minute
)

// ESIM is the eSIM QR Mall's business: consumers, the catalog,
// pre-orders reserving profiles from the inventory, payments, and the
// operator's inventory management.
type ESIM struct {
	Store ESIMStore
	Clock opencube.Clock
	IDs   *IDGenerator
	// Orders records the sales: a paid order becomes an order of the
	// plan's core plan on the profile's SIM.
	Orders *Orders
	// Stripe is the operator's Stripe account: pre-orders v1.2 get their
	// payment intent there. Nil, or without an API key, none is made.
	Stripe *stripepay.Client
	// Observe, when set, is told of each payment report acted on, once
	// its transaction committed (metrics.ShopPayment).
	Observe PaymentObserver
	// PreOrderTimeout is how long a pre-order holds its profile unpaid.
	PreOrderTimeout time.Duration
	// TokenTTL is how long an x-access-token is valid.
	TokenTTL time.Duration
	// CodeTTL is how long an e-mail verification code is valid.
	CodeTTL time.Duration
	// Sandbox makes verification codes readable by the operator (D21).
	Sandbox bool
}

// ESIMStore is what ESIM reads and writes.
type ESIMStore interface {
	opencube.Store
	shop.ShopStore
	addon.Store
}

// NewESIM returns an ESIM with the default settings.
func NewESIM(store ESIMStore, clock opencube.Clock, ids *IDGenerator, orders *Orders) *ESIM {
	return &ESIM{Store: store, Clock: clock, IDs: ids, Orders: orders,
		PreOrderTimeout: DefaultPreOrderTimeout, TokenTTL: DefaultTokenTTL, CodeTTL: DefaultCodeTTL}
}

// NormalizeEmail lower-cases and trims an address, and checks its shape.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	at := strings.IndexByte(e, '@')
	if at < 1 || at == len(e)-1 || len(e) > 254 || strings.ContainsAny(e, " \r\n<>,;\"") {
		e := opencube.Invalid("email", "%q is not an e-mail address", email)
		e.Range = "an e-mail address"
		return "", e
	}
	return e, nil
}

// randomDigits returns n random decimal digits.
func randomDigits(n int) string {
	var b strings.Builder
	for range n {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String()
}

// HashToken returns the hex SHA-256 under which a token's session is kept.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SendVerificationCode makes a new six-digit code for the address and
// returns it, for the protocol layer to e-mail.
func (s *ESIM) SendVerificationCode(ctx context.Context, accessCode, email string) (*shop.VerificationCode, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	v := &shop.VerificationCode{EnterpriseCode: accessCode, Email: e, Code: randomDigits(6), ExpiresAt: s.Clock.Now().Add(s.CodeTTL)}
	if err := s.Store.PutVerificationCode(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// VerificationCode returns the address's current code, for the sandbox aid
// of D21; KindUnauthenticated unless the service is a sandbox.
func (s *ESIM) VerificationCode(ctx context.Context, accessCode, email string) (*shop.VerificationCode, error) {
	if !s.Sandbox {
		return nil, opencube.Errorf(opencube.KindUnauthenticated, "verification codes are readable in sandbox mode only")
	}
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	return s.Store.FindVerificationCode(ctx, accessCode, e)
}

func checkPasswd(passwd string) error {
	if len(passwd) != 32 || strings.Trim(strings.ToLower(passwd), "0123456789abcdef") != "" {
		return opencube.MustBe("passwd", "the 32 hex digits of the password's MD5")
	}
	return nil
}

// Register creates a consumer after checking the e-mail verification code,
// and logs it in: it returns the user and a new x-access-token.
func (s *ESIM) Register(ctx context.Context, accessCode, email, passwdMD5, code string) (*shop.ShopUser, string, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, "", err
	}
	if err := checkPasswd(passwdMD5); err != nil {
		return nil, "", err
	}
	if _, err := s.Store.FindEnterprise(ctx, accessCode); opencube.ErrorKind(err) == opencube.KindUnauthenticated {
		return nil, "", opencube.Invalid("partnerCode", "unknown partnerCode %q", accessCode).Because(opencube.CausePartnerUnknown)
	} else if err != nil {
		return nil, "", err
	}
	v, err := s.Store.FindVerificationCode(ctx, accessCode, e)
	if err != nil || v.Code != code || !s.Clock.Now().Before(v.ExpiresAt) {
		return nil, "", opencube.Invalid("verifyCode", "wrong or expired verification code").Because(opencube.CauseVerifyCode)
	}
	u := &shop.ShopUser{ID: opencube.NewUUID(), EnterpriseCode: accessCode, Email: e, PasswordMD5: strings.ToLower(passwdMD5), CreatedAt: s.Clock.Now()}
	if err := s.Store.CreateShopUser(ctx, u); err != nil {
		return nil, "", err
	}
	token, err := s.newSession(ctx, u)
	return u, token, err
}

// Login checks a consumer's password and returns a new x-access-token;
// KindUnauthenticated for an unknown address or a wrong password.
func (s *ESIM) Login(ctx context.Context, accessCode, email, passwdMD5 string) (*shop.ShopUser, string, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, "", err
	}
	u, err := s.Store.FindShopUser(ctx, accessCode, e)
	if err != nil {
		return nil, "", err
	}
	if !strings.EqualFold(u.PasswordMD5, passwdMD5) {
		return nil, "", opencube.Errorf(opencube.KindUnauthenticated, "wrong e-mail or password")
	}
	token, err := s.newSession(ctx, u)
	return u, token, err
}

func (s *ESIM) newSession(ctx context.Context, u *shop.ShopUser) (string, error) {
	token := opencube.NewUUID() + opencube.NewUUID()[:8]
	err := s.Store.PutSession(ctx, &shop.Session{TokenHash: HashToken(token), UserID: u.ID, EnterpriseCode: u.EnterpriseCode,
		Email: u.Email, ExpiresAt: s.Clock.Now().Add(s.TokenTTL)})
	return token, err
}

// Authenticate returns the session of an x-access-token; KindTokenExpired
// when it is missing, unknown or expired.
func (s *ESIM) Authenticate(ctx context.Context, token string) (*shop.Session, error) {
	if token == "" {
		return nil, opencube.Errorf(opencube.KindTokenExpired, "x-access-token is required")
	}
	sess, err := s.Store.FindSession(ctx, HashToken(token))
	if err != nil {
		return nil, err
	}
	if !s.Clock.Now().Before(sess.ExpiresAt) {
		return nil, opencube.Errorf(opencube.KindTokenExpired, "x-access-token expired")
	}
	return sess, nil
}

// FindPlans returns the catalog plans f selects.
func (s *ESIM) FindPlans(ctx context.Context, f shop.ESIMPlanFilter) ([]*shop.ESIMPlan, error) {
	if f.Enterprise == "" {
		return nil, opencube.Invalid("partnerCode", "partnerCode is required")
	}
	return s.Store.FindESIMPlans(ctx, f)
}

// Plan returns one catalog plan; KindPlanNotOrderable when unknown.
func (s *ESIM) Plan(ctx context.Context, accessCode string, id int64) (*shop.ESIMPlan, error) {
	ps, err := s.Store.FindESIMPlans(ctx, shop.ESIMPlanFilter{Enterprise: accessCode, ID: id})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "plan %d not found", id)
	}
	return ps[0], nil
}

// PriceIn returns p's price in currency (any case), and whether it has one.
func PriceIn(p *shop.ESIMPlan, currency string) (int64, bool) {
	for _, pr := range p.Prices {
		if strings.EqualFold(pr.Currency, currency) {
			return pr.AmountMinor, true
		}
	}
	return 0, false
}

// PreOrder reserves one available profile for the session's consumer and
// opens an order waiting for payment for PreOrderTimeout (or, with
// r.ICCID, opens a top-up order for a profile the consumer bought).
func (s *ESIM) PreOrder(ctx context.Context, sess *shop.Session, r shop.PreOrderRequest) (*shop.ESIMOrder, error) {
	if r.PeriodNum == 0 {
		r.PeriodNum = 1
	}
	if r.PeriodNum < 1 || r.PeriodNum > opencube.MaxESIMPeriods {
		return nil, opencube.OutOfRange("periodNum", 1, opencube.MaxESIMPeriods)
	}
	if r.PlanID < 1 || r.PlanID > opencube.MaxCatalogID {
		return nil, opencube.OutOfRange("id", 1, opencube.MaxCatalogID)
	}
	if r.AmountMinor < 0 {
		return nil, opencube.Invalid("money", "money must not be negative")
	}
	plan, err := s.Plan(ctx, sess.EnterpriseCode, r.PlanID)
	if err != nil {
		return nil, err
	}
	if r.PackageCode != "" && r.PackageCode != plan.PackageCode {
		return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "packageCode %s is not plan %d", r.PackageCode, plan.ID).
			Because(opencube.CausePackageCodePlan, r.PackageCode, plan.ID)
	}
	if least, most := plan.Periods(); r.PeriodNum < least || r.PeriodNum > most {
		return nil, opencube.OutOfRange("periodNum", int64(least), int64(most))
	}
	price, ok := PriceIn(plan, r.Currency)
	if !ok {
		return nil, opencube.Invalid("currency", "plan %d has no price in %q", plan.ID, r.Currency).Because(opencube.CauseNoPriceIn, r.Currency, plan.ID)
	}
	total := price * int64(r.PeriodNum)
	if r.AmountMinor != total {
		return nil, opencube.Errorf(opencube.KindPriceMismatch, "money %d differs from the catalog price %d", r.AmountMinor, total).
			Because(opencube.CausePrice, "money", money.Format(total), strings.ToUpper(r.Currency))
	}
	now := s.Clock.Now()
	o := &shop.ESIMOrder{
		ID: ESIMOrderID(s.IDs.Next(now)), EnterpriseCode: sess.EnterpriseCode, UserID: sess.UserID, Email: sess.Email,
		PlanID: plan.ID, PackageCode: plan.PackageCode, PlanName: plan.Name, PeriodNum: r.PeriodNum,
		Currency: strings.ToUpper(r.Currency), AmountMinor: total, Status: shop.ESIMWaiting,
		CreatedAt: now, ExpiresAt: now.Add(s.PreOrderTimeout), UpdatedAt: now,
	}
	reserve := true
	if r.ICCID != "" {
		ps, err := s.Store.FindProfiles(ctx, shop.ProfileFilter{Enterprise: sess.EnterpriseCode, ICCID: r.ICCID})
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 || (ps[0].State != shop.ProfileSold && ps[0].State != shop.ProfileInstalled) {
			return nil, opencube.Errorf(opencube.KindDeviceNotFound, "no eSIM %s bought to top up", r.ICCID)
		}
		if prev, _, err := s.Store.FindESIMOrder(ctx, ps[0].OrderID); err != nil || prev.UserID != sess.UserID {
			return nil, opencube.Errorf(opencube.KindDeviceNotFound, "no eSIM %s bought to top up", r.ICCID)
		}
		fits, err := s.TopUpPlans(ctx, sess, r.ICCID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(fits, func(p *shop.ESIMPlan) bool { return p.ID == plan.ID }) {
			return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "plan %d cannot top up eSIM %s", plan.ID, r.ICCID)
		}
		o.TopUp, o.ICCID, reserve = true, r.ICCID, false
	}
	timeout := &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobESIMPreOrderTimeout, Key: o.ID, RunAt: o.ExpiresAt}
	if err := s.Store.CreateESIMOrder(ctx, o, reserve, []*opencube.Job{timeout}); err != nil {
		return nil, err
	}
	return o, nil
}

// PreOrderIntent is PreOrder that also creates, with a Stripe account
// configured, the Stripe payment intent the consumer pays the order
// with (metadata shop esim, orderId, partnerCode): the order is paid when
// Stripe's signed payment_intent.succeeded event says so. Without one, the
// intent is nil.
func (s *ESIM) PreOrderIntent(ctx context.Context, sess *shop.Session, r shop.PreOrderRequest) (*shop.ESIMOrder, *stripepay.Intent, error) {
	o, err := s.PreOrder(ctx, sess, r)
	if err != nil || !s.Stripe.CanCall() {
		return o, nil, err
	}
	in, err := s.Stripe.CreatePaymentIntent(ctx, o.AmountMinor, o.Currency, map[string]string{stripepay.MetaShop: stripepay.MetaShopESIM,
		stripepay.MetaOrder: o.ID, stripepay.MetaPartner: o.EnterpriseCode}, "")
	if err != nil {
		return nil, nil, err // the pre-order times out and releases its profile
	}
	return o, in, nil
}

// TopUpPlans returns the catalog plans that can top up an eSIM: with
// iccid, one the session's consumer bought, the plans covering every
// country of the plan it was bought with; without, every plan. Either way
// only plans whose core plan the enterprise may order are listed.
// KindDeviceNotFound when iccid is not the consumer's eSIM.
func (s *ESIM) TopUpPlans(ctx context.Context, sess *shop.Session, iccid string) ([]*shop.ESIMPlan, error) {
	all, err := s.Store.FindESIMPlans(ctx, shop.ESIMPlanFilter{Enterprise: sess.EnterpriseCode})
	if err != nil {
		return nil, err
	}
	var countries []string
	if iccid != "" {
		first, err := s.boughtBy(ctx, sess, iccid)
		if err != nil {
			return nil, err
		}
		for _, p := range all {
			if p.ID == first.PlanID {
				countries = p.MCCs
			}
		}
	}
	core, _, err := s.Store.FindPlans(ctx, opencube.PlanFilter{Enterprise: sess.EnterpriseCode})
	if err != nil {
		return nil, err
	}
	sellable := map[string]bool{}
	for _, p := range core {
		sellable[p.Code] = p.Status != opencube.PlanRetired
	}
	out := []*shop.ESIMPlan{}
	for _, p := range all {
		if !sellable[p.PlanCode] {
			continue
		}
		covers := true
		for _, m := range countries {
			covers = covers && slices.Contains(p.MCCs, m)
		}
		if covers {
			out = append(out, p)
		}
	}
	return out, nil
}

// boughtBy returns the order that sold the eSIM iccid to the session's
// consumer; KindDeviceNotFound when iccid is not an eSIM the consumer
// bought (unknown, another's, not sold).
func (s *ESIM) boughtBy(ctx context.Context, sess *shop.Session, iccid string) (*shop.ESIMOrder, error) {
	ps, err := s.Store.FindProfiles(ctx, shop.ProfileFilter{Enterprise: sess.EnterpriseCode, ICCID: iccid})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 || ps[0].OrderID == "" || (ps[0].State != shop.ProfileSold && ps[0].State != shop.ProfileInstalled) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "no eSIM %s bought", iccid)
	}
	first, _, err := s.Store.FindESIMOrder(ctx, ps[0].OrderID)
	if opencube.ErrorKind(err) == opencube.KindOrderNotFound || (err == nil && first.UserID != sess.UserID) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "no eSIM %s bought", iccid)
	}
	return first, err
}

// Remaining returns the volume the current order of the consumer's eSIM
// iccid has left now, as CSSS and Cube v4 report a SIM's remaining
// volume: 0 when it has no order (yet, or any more). KindDeviceNotFound
// when iccid is not an eSIM the consumer bought.
func (s *ESIM) Remaining(ctx context.Context, sess *shop.Session, iccid string) (int64, error) {
	if _, err := s.boughtBy(ctx, sess, iccid); err != nil {
		return 0, err
	}
	n, err := remainingOf(ctx, s.Store, sess.EnterpriseCode, iccid, s.Clock.Now())
	if opencube.ErrorKind(err) == opencube.KindDeviceNotFound {
		return 0, nil // a profile sold before it was a SIM
	}
	return n, err
}

// SIMOrder implements esim.Service: the SIM order o made or renewed when
// it was paid, as the order book holds it now; nil when o made none (it
// is not paid).
func (s *ESIM) SIMOrder(ctx context.Context, o *shop.ESIMOrder) (*opencube.Order, error) {
	if o.SIMOrderID == "" {
		return nil, nil
	}
	os, _, err := s.Store.FindOrders(ctx, opencube.OrderFilter{Enterprise: o.EnterpriseCode, OrderID: o.SIMOrderID, Page: opencube.Page{Limit: 1}})
	if err != nil || len(os) == 0 {
		return nil, err
	}
	return os[0], nil
}

// Pay settles an order with a verified payment. A success sells the
// reserved profile and schedules the install e-mail; a failure releases
// the profile. Nothing changes, and the error says why, for an unknown
// order (KindOrderNotFound), a second payment (KindOrderState; the very
// notification that settled the order, again, answers as it did), a pre-order
// that timed out (KindPreOrderTimeout) or an amount or currency that
// differs from the order (KindPriceMismatch).
func (s *ESIM) Pay(ctx context.Context, p shop.Payment) (out *shop.ESIMOrder, err error) {
	var outcome string
	defer func() { s.Observe.observe(ShopESIM, PaymentOrder, outcome, err) }()
	ctx = billing.WithRequestID(ctx, metrics.RequestID(ctx)) // for the sale's ledger line
	// The catalog plan is read before the transaction (never a pool read
	// inside one); catalog plans do not change.
	first, _, err := s.Store.FindESIMOrder(ctx, p.OrderID)
	if err != nil {
		return nil, err
	}
	if first.EnterpriseCode != p.AccessCode {
		return nil, opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", p.OrderID)
	}
	plan, err := s.Plan(ctx, first.EnterpriseCode, first.PlanID)
	if err != nil {
		return nil, err
	}
	err = s.Store.UpdateESIMOrder(ctx, p.OrderID, func(tx shop.MallTx, o *shop.ESIMOrder, prof *shop.Profile) ([]*opencube.Job, error) {
		outcome = ""
		now := s.Clock.Now()
		switch {
		case o.EnterpriseCode != p.AccessCode:
			return nil, opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", p.OrderID)
		case o.Status != shop.ESIMWaiting && p.Reference != "" && o.PaymentProvider == p.Provider &&
			o.PaymentRef == p.Reference && (o.Status == shop.ESIMPaid) == p.Succeeded:
			// The notification that settled the order, again (a provider's
			// retry, its first answer lost): the same outcome (D28).
			out = o
			return nil, nil
		case o.Status == shop.ESIMCancelled || (o.Status == shop.ESIMWaiting && !now.Before(o.ExpiresAt)):
			return nil, opencube.Errorf(opencube.KindPreOrderTimeout, "pre-order %s timed out", o.ID)
		case o.Status != shop.ESIMWaiting:
			return nil, opencube.Errorf(opencube.KindOrderState, "order %s is already settled (status %d)", o.ID, o.Status).Because(opencube.CauseOrderSettled)
		}
		if !p.Succeeded {
			o.Status, o.UpdatedAt = shop.ESIMFailed, now
			o.PaymentProvider, o.PaymentRef = p.Provider, p.Reference
			if prof != nil && !o.TopUp {
				prof.State, prof.OrderID, prof.UpdatedAt = shop.ProfileAvailable, "", now
			}
			out, outcome = o, PaymentFailed
			return nil, nil
		}
		if p.AmountMinor != o.AmountMinor || !strings.EqualFold(p.Currency, o.Currency) {
			return nil, opencube.Errorf(opencube.KindPriceMismatch, "paid %d %s, order %s costs %d %s", p.AmountMinor, p.Currency, o.ID, o.AmountMinor, o.Currency).
				Because(opencube.CausePrice, "payAmount", money.Format(o.AmountMinor), o.Currency)
		}
		if !o.TopUp && (prof == nil || prof.State != shop.ProfileReserved || prof.OrderID != o.ID) {
			return nil, opencube.Errorf(opencube.KindInternal, "order %s holds no reserved profile", o.ID)
		}
		o.Status, o.PaidAt, o.UpdatedAt = shop.ESIMPaid, &now, now
		o.PaymentProvider, o.PaymentRef = p.Provider, p.Reference
		if !o.TopUp {
			prof.State, prof.UpdatedAt = shop.ProfileSold, now
		}
		order, err := s.Orders.RecordSale(ctx, tx, &Sale{Shop: "esim", EnterpriseCode: o.EnterpriseCode, ICCID: o.ICCID,
			Profile: prof, PlanCode: plan.PlanCode, Periods: o.PeriodNum, Days: plan.PeriodDays * o.PeriodNum,
			StartOnAttach: plan.Starts == shop.StartOnAttach, Renew: o.TopUp, AmountMinor: o.AmountMinor, Currency: o.Currency,
			PayType: p.Provider, PayRef: p.Reference})
		if err != nil {
			return nil, err
		}
		o.SIMOrderID = order.ID
		out, outcome = o, PaymentPaid
		return []*opencube.Job{{ID: opencube.NewUUID(), Kind: opencube.JobESIMInstallMail, Key: o.ID, RunAt: now}}, nil
	})
	return out, err
}

// ExpirePreOrder is the JobESIMPreOrderTimeout handler: it cancels the
// order when it still waits for payment past its time, and releases its
// profile; otherwise it does nothing.
func (s *ESIM) ExpirePreOrder(ctx context.Context, j *opencube.Job) error {
	err := s.Store.UpdateESIMOrder(ctx, j.Key, func(_ shop.MallTx, o *shop.ESIMOrder, prof *shop.Profile) ([]*opencube.Job, error) {
		now := s.Clock.Now()
		if o.Status != shop.ESIMWaiting {
			return nil, nil
		}
		if now.Before(o.ExpiresAt) {
			return nil, &RetryLater{At: o.ExpiresAt, Err: fmt.Errorf("pre-order %s not due yet", o.ID)}
		}
		o.Status, o.UpdatedAt = shop.ESIMCancelled, now
		if prof != nil && !o.TopUp && prof.OrderID == o.ID {
			prof.State, prof.OrderID, prof.UpdatedAt = shop.ProfileAvailable, "", now
		}
		return nil, nil
	})
	if opencube.ErrorKind(err) == opencube.KindOrderNotFound {
		return nil
	}
	return err
}

// Order returns the session consumer's order and its profile;
// KindOrderNotFound for another consumer's.
func (s *ESIM) Order(ctx context.Context, sess *shop.Session, id string) (*shop.ESIMOrder, *shop.Profile, error) {
	o, p, err := s.Store.FindESIMOrder(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if o.EnterpriseCode != sess.EnterpriseCode || o.UserID != sess.UserID {
		return nil, nil, opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", id)
	}
	return o, p, nil
}

// CreatePlan adds a plan to the eSIM catalog. Its core plan must be one
// its enterprise may order (KindPlanNotOrderable naming plan_code).
func (s *ESIM) CreatePlan(ctx context.Context, p *shop.ESIMPlan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	core, err := s.corePlan(ctx, p.EnterpriseCode, p.PlanCode)
	if err != nil {
		return err
	}
	// The core plan, when it names its countries, covers every one the
	// eSIM plan is sold for (the geo table maps MCCs to countries).
	if len(core.Countries) > 0 {
		for _, mcc := range p.MCCs {
			c, ok := geo.ByMCC(mcc)
			if ok && !slices.ContainsFunc(core.Countries, func(iso string) bool { return strings.EqualFold(iso, c.ISO) }) {
				return opencube.Invalid("plan_code", "plan %s does not cover %s (MCC %s)", core.Code, c.NameEN, mcc)
			}
		}
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.Clock.Now()
	}
	return s.Store.CreateESIMPlan(ctx, p)
}

// corePlan returns the enterprise's orderable plan code; KindInvalid
// naming plan_code when it has none of that code.
func (s *ESIM) corePlan(ctx context.Context, accessCode, code string) (*opencube.Plan, error) {
	ps, _, err := s.Store.FindPlans(ctx, opencube.PlanFilter{Enterprise: accessCode, Code: code, Page: opencube.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Code == code && p.Status != opencube.PlanRetired {
			return p, nil
		}
	}
	return nil, opencube.Invalid("plan_code", "plan %s is not orderable by enterprise %s", code, accessCode)
}

// ImportProfiles adds profiles to the inventory as available, all or
// nothing.
func (s *ESIM) ImportProfiles(ctx context.Context, ps []*shop.Profile) error {
	if len(ps) == 0 {
		return opencube.Invalid("profiles", "no profiles to import")
	}
	now := s.Clock.Now()
	seen := make(map[string]bool, len(ps))
	for _, p := range ps {
		p.State, p.OrderID, p.CreatedAt, p.UpdatedAt = shop.ProfileAvailable, "", now, now
		if err := p.Validate(); err != nil {
			return err
		}
		if seen[p.ICCID] {
			return opencube.Invalid("iccid", "ICCID %s appears twice", p.ICCID)
		}
		seen[p.ICCID] = true
	}
	return s.Store.ImportProfiles(ctx, ps)
}

// MarkProfile records that a profile was installed or deleted (as an SM-DP+
// notification would say).
func (s *ESIM) MarkProfile(ctx context.Context, accessCode, iccid string, to shop.ProfileState) (*shop.Profile, error) {
	if to != shop.ProfileInstalled && to != shop.ProfileDeleted {
		return nil, opencube.Invalid("state", "a profile can be marked installed or deleted, not %q", to)
	}
	return s.Store.UpdateProfile(ctx, accessCode, iccid, func(p *shop.Profile) error {
		return p.Mark(to, s.Clock.Now())
	})
}

// FindOrder implements esim.Service.
func (s *ESIM) FindOrder(ctx context.Context, id string) (*shop.ESIMOrder, *shop.Profile, error) {
	return s.Store.FindESIMOrder(ctx, id)
}

// FindProfiles implements admin.ESIMService.
func (s *ESIM) FindProfiles(ctx context.Context, f shop.ProfileFilter) ([]*shop.Profile, error) {
	return s.Store.FindProfiles(ctx, f)
}

// CodesReadable implements admin.ESIMService.
func (s *ESIM) CodesReadable() bool { return s.Sandbox }

// ESIMOrderID formats an order number as an eSIM order id.
func ESIMOrderID(n int64) string { return fmt.Sprintf("ESIM%017d", n) }
