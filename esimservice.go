package opencube

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Job kinds of the eSIM QR Mall.
const (
	// JobESIMPreOrderTimeout cancels a pre-order not paid in time and
	// releases its profile; its key is the eSIM order id.
	JobESIMPreOrderTimeout = "esim.preorder_timeout"
	// JobESIMInstallMail e-mails the install material of a paid eSIM
	// order to its buyer; its key is the eSIM order id.
	JobESIMInstallMail = "esim.install_mail"
)

// Defaults of an ESIMService.
const (
	DefaultPreOrderTimeout = 60 * time.Minute
	DefaultTokenTTL        = 72 * time.Hour
	DefaultCodeTTL         = 10 * time.Minute
)

// ESIMService is the eSIM QR Mall's business: consumers, the catalog,
// pre-orders reserving profiles from the inventory, payments, and the
// operator's inventory management.
type ESIMService struct {
	Store Store
	Clock Clock
	IDs   *IDGenerator
	// PreOrderTimeout is how long a pre-order holds its profile unpaid.
	PreOrderTimeout time.Duration
	// TokenTTL is how long an x-access-token is valid.
	TokenTTL time.Duration
	// CodeTTL is how long an e-mail verification code is valid.
	CodeTTL time.Duration
	// Sandbox makes verification codes readable by the operator (D21).
	Sandbox bool
}

// NewESIMService returns an ESIMService with the default settings.
func NewESIMService(store Store, clock Clock, ids *IDGenerator) *ESIMService {
	return &ESIMService{Store: store, Clock: clock, IDs: ids,
		PreOrderTimeout: DefaultPreOrderTimeout, TokenTTL: DefaultTokenTTL, CodeTTL: DefaultCodeTTL}
}

// NormalizeEmail lower-cases and trims an address, and checks its shape.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	at := strings.IndexByte(e, '@')
	if at < 1 || at == len(e)-1 || len(e) > 254 || strings.ContainsAny(e, " \r\n<>,;\"") {
		return "", Invalid("email", "%q is not an e-mail address", email)
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
func (s *ESIMService) SendVerificationCode(ctx context.Context, accessCode, email string) (*VerificationCode, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	v := &VerificationCode{EnterpriseCode: accessCode, Email: e, Code: randomDigits(6), ExpiresAt: s.Clock.Now().Add(s.CodeTTL)}
	if err := s.Store.PutVerificationCode(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// VerificationCode returns the address's current code, for the sandbox aid
// of D21; KindUnauthenticated unless the service is a sandbox.
func (s *ESIMService) VerificationCode(ctx context.Context, accessCode, email string) (*VerificationCode, error) {
	if !s.Sandbox {
		return nil, Errorf(KindUnauthenticated, "verification codes are readable in sandbox mode only")
	}
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	return s.Store.FindVerificationCode(ctx, accessCode, e)
}

func checkPasswd(passwd string) error {
	if len(passwd) != 32 || strings.Trim(strings.ToLower(passwd), "0123456789abcdef") != "" {
		return Invalid("passwd", "passwd must be the 32 hex digits of the password's MD5")
	}
	return nil
}

// Register creates a consumer after checking the e-mail verification code,
// and logs it in: it returns the user and a new x-access-token.
func (s *ESIMService) Register(ctx context.Context, accessCode, email, passwdMD5, code string) (*ShopUser, string, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, "", err
	}
	if err := checkPasswd(passwdMD5); err != nil {
		return nil, "", err
	}
	if _, err := s.Store.FindEnterprise(ctx, accessCode); ErrorKind(err) == KindUnauthenticated {
		return nil, "", Invalid("partnerCode", "unknown partnerCode %q", accessCode)
	} else if err != nil {
		return nil, "", err
	}
	v, err := s.Store.FindVerificationCode(ctx, accessCode, e)
	if err != nil || v.Code != code || !s.Clock.Now().Before(v.ExpiresAt) {
		return nil, "", Invalid("verifyCode", "wrong or expired verification code")
	}
	u := &ShopUser{ID: NewUUID(), EnterpriseCode: accessCode, Email: e, PasswordMD5: strings.ToLower(passwdMD5), CreatedAt: s.Clock.Now()}
	if err := s.Store.CreateShopUser(ctx, u); err != nil {
		return nil, "", err
	}
	token, err := s.newSession(ctx, u)
	return u, token, err
}

// Login checks a consumer's password and returns a new x-access-token;
// KindUnauthenticated for an unknown address or a wrong password.
func (s *ESIMService) Login(ctx context.Context, accessCode, email, passwdMD5 string) (*ShopUser, string, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, "", err
	}
	u, err := s.Store.FindShopUser(ctx, accessCode, e)
	if err != nil {
		return nil, "", err
	}
	if !strings.EqualFold(u.PasswordMD5, passwdMD5) {
		return nil, "", Errorf(KindUnauthenticated, "wrong e-mail or password")
	}
	token, err := s.newSession(ctx, u)
	return u, token, err
}

func (s *ESIMService) newSession(ctx context.Context, u *ShopUser) (string, error) {
	token := NewUUID() + NewUUID()[:8]
	err := s.Store.PutSession(ctx, &Session{TokenHash: HashToken(token), UserID: u.ID, EnterpriseCode: u.EnterpriseCode,
		Email: u.Email, ExpiresAt: s.Clock.Now().Add(s.TokenTTL)})
	return token, err
}

// Authenticate returns the session of an x-access-token; KindTokenExpired
// when it is missing, unknown or expired.
func (s *ESIMService) Authenticate(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, Errorf(KindTokenExpired, "x-access-token is required")
	}
	sess, err := s.Store.FindSession(ctx, HashToken(token))
	if err != nil {
		return nil, err
	}
	if !s.Clock.Now().Before(sess.ExpiresAt) {
		return nil, Errorf(KindTokenExpired, "x-access-token expired")
	}
	return sess, nil
}

// FindPlans returns the catalog plans f selects.
func (s *ESIMService) FindPlans(ctx context.Context, f ESIMPlanFilter) ([]*ESIMPlan, error) {
	if f.Enterprise == "" {
		return nil, Invalid("partnerCode", "partnerCode is required")
	}
	return s.Store.FindESIMPlans(ctx, f)
}

// Plan returns one catalog plan; KindPlanNotOrderable when unknown.
func (s *ESIMService) Plan(ctx context.Context, accessCode string, id int64) (*ESIMPlan, error) {
	ps, err := s.Store.FindESIMPlans(ctx, ESIMPlanFilter{Enterprise: accessCode, ID: id})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, Errorf(KindPlanNotOrderable, "plan %d not found", id)
	}
	return ps[0], nil
}

// PreOrderRequest asks for a plan at a price: the client's copy of the
// catalog price must match the catalog.
type PreOrderRequest struct {
	PlanID      int64
	PackageCode string
	Currency    string
	AmountMinor int64
	PeriodNum   int
	// ICCID, for a top-up, is the profile (bought before) to top up.
	ICCID string
}

// PreOrder reserves one available profile for the session's consumer and
// opens an order waiting for payment for PreOrderTimeout (or, with
// r.ICCID, opens a top-up order for a profile the consumer bought).
func (s *ESIMService) PreOrder(ctx context.Context, sess *Session, r PreOrderRequest) (*ESIMOrder, error) {
	if r.PeriodNum == 0 {
		r.PeriodNum = 1
	}
	if r.PeriodNum < 1 || r.PeriodNum > 12 {
		return nil, Invalid("periodNum", "periodNum must be 1-12")
	}
	plan, err := s.Plan(ctx, sess.EnterpriseCode, r.PlanID)
	if err != nil {
		return nil, err
	}
	if r.PackageCode != "" && r.PackageCode != plan.PackageCode {
		return nil, Errorf(KindPlanNotOrderable, "packageCode %s is not plan %d", r.PackageCode, plan.ID)
	}
	price, ok := plan.PriceIn(r.Currency)
	if !ok {
		return nil, Invalid("currency", "plan %d has no price in %q", plan.ID, r.Currency)
	}
	total := price * int64(r.PeriodNum)
	if r.AmountMinor != total {
		return nil, Errorf(KindPriceMismatch, "money %d differs from the catalog price %d", r.AmountMinor, total)
	}
	now := s.Clock.Now()
	o := &ESIMOrder{
		ID: ESIMOrderID(s.IDs.Next(now)), EnterpriseCode: sess.EnterpriseCode, UserID: sess.UserID, Email: sess.Email,
		PlanID: plan.ID, PackageCode: plan.PackageCode, PlanName: plan.Name, PeriodNum: r.PeriodNum,
		Currency: strings.ToUpper(r.Currency), AmountMinor: total, Status: ESIMWaiting,
		CreatedAt: now, ExpiresAt: now.Add(s.PreOrderTimeout), UpdatedAt: now,
	}
	reserve := true
	if r.ICCID != "" {
		ps, err := s.Store.FindProfiles(ctx, ProfileFilter{Enterprise: sess.EnterpriseCode, ICCID: r.ICCID})
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 || (ps[0].State != ProfileSold && ps[0].State != ProfileInstalled) {
			return nil, Errorf(KindDeviceNotFound, "no eSIM %s bought to top up", r.ICCID)
		}
		if prev, _, err := s.Store.FindESIMOrder(ctx, ps[0].OrderID); err != nil || prev.UserID != sess.UserID {
			return nil, Errorf(KindDeviceNotFound, "no eSIM %s bought to top up", r.ICCID)
		}
		o.TopUp, o.ICCID, reserve = true, r.ICCID, false
	}
	timeout := &Job{ID: NewUUID(), Kind: JobESIMPreOrderTimeout, Key: o.ID, RunAt: o.ExpiresAt}
	if err := s.Store.CreateESIMOrder(ctx, o, reserve, []*Job{timeout}); err != nil {
		return nil, err
	}
	return o, nil
}

// Payment is the verified outcome of one payment of an eSIM order, from
// whichever provider reported it.
type Payment struct {
	AccessCode  string
	OrderID     string
	Succeeded   bool
	AmountMinor int64
	Currency    string
	// Provider names the payment provider, Reference its payment id.
	Provider  string
	Reference string
}

// Pay settles an order with a verified payment. A success sells the
// reserved profile and schedules the install e-mail; a failure releases
// the profile. Nothing changes, and the error says why, for an unknown
// order (KindOrderNotFound), a second payment (KindOrderState), a pre-order
// that timed out (KindPreOrderTimeout) or an amount or currency that
// differs from the order (KindPriceMismatch).
func (s *ESIMService) Pay(ctx context.Context, p Payment) (*ESIMOrder, error) {
	var out *ESIMOrder
	err := s.Store.UpdateESIMOrder(ctx, p.OrderID, func(o *ESIMOrder, prof *Profile) ([]*Job, error) {
		now := s.Clock.Now()
		switch {
		case o.EnterpriseCode != p.AccessCode:
			return nil, Errorf(KindOrderNotFound, "order %s not found", p.OrderID)
		case o.Status == ESIMCancelled || (o.Status == ESIMWaiting && !now.Before(o.ExpiresAt)):
			return nil, Errorf(KindPreOrderTimeout, "pre-order %s timed out", o.ID)
		case o.Status != ESIMWaiting:
			return nil, Errorf(KindOrderState, "order %s is already settled (status %d)", o.ID, o.Status)
		}
		if !p.Succeeded {
			o.Status, o.UpdatedAt = ESIMFailed, now
			o.PaymentProvider, o.PaymentRef = p.Provider, p.Reference
			if prof != nil && !o.TopUp {
				prof.State, prof.OrderID, prof.UpdatedAt = ProfileAvailable, "", now
			}
			out = o
			return nil, nil
		}
		if p.AmountMinor != o.AmountMinor || !strings.EqualFold(p.Currency, o.Currency) {
			return nil, Errorf(KindPriceMismatch, "paid %d %s, order %s costs %d %s", p.AmountMinor, p.Currency, o.ID, o.AmountMinor, o.Currency)
		}
		if !o.TopUp && (prof == nil || prof.State != ProfileReserved || prof.OrderID != o.ID) {
			return nil, Errorf(KindInternal, "order %s holds no reserved profile", o.ID)
		}
		o.Status, o.PaidAt, o.UpdatedAt = ESIMPaid, &now, now
		o.PaymentProvider, o.PaymentRef = p.Provider, p.Reference
		if !o.TopUp {
			prof.State, prof.UpdatedAt = ProfileSold, now
		}
		out = o
		return []*Job{{ID: NewUUID(), Kind: JobESIMInstallMail, Key: o.ID, RunAt: now}}, nil
	})
	return out, err
}

// ExpirePreOrder is the JobESIMPreOrderTimeout handler: it cancels the
// order when it still waits for payment past its time, and releases its
// profile; otherwise it does nothing.
func (s *ESIMService) ExpirePreOrder(ctx context.Context, j *Job) error {
	err := s.Store.UpdateESIMOrder(ctx, j.Key, func(o *ESIMOrder, prof *Profile) ([]*Job, error) {
		now := s.Clock.Now()
		if o.Status != ESIMWaiting {
			return nil, nil
		}
		if now.Before(o.ExpiresAt) {
			return nil, &RetryLater{At: o.ExpiresAt, Err: fmt.Errorf("pre-order %s not due yet", o.ID)}
		}
		o.Status, o.UpdatedAt = ESIMCancelled, now
		if prof != nil && !o.TopUp && prof.OrderID == o.ID {
			prof.State, prof.OrderID, prof.UpdatedAt = ProfileAvailable, "", now
		}
		return nil, nil
	})
	if ErrorKind(err) == KindOrderNotFound {
		return nil
	}
	return err
}

// Order returns the session consumer's order and its profile;
// KindOrderNotFound for another consumer's.
func (s *ESIMService) Order(ctx context.Context, sess *Session, id string) (*ESIMOrder, *Profile, error) {
	o, p, err := s.Store.FindESIMOrder(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if o.EnterpriseCode != sess.EnterpriseCode || o.UserID != sess.UserID {
		return nil, nil, Errorf(KindOrderNotFound, "order %s not found", id)
	}
	return o, p, nil
}

// InstallCode returns the activation code of a paid order's profile;
// KindNoQRCode when the order is not paid.
func InstallCode(o *ESIMOrder, p *Profile) (string, error) {
	if o.Status != ESIMPaid || p == nil {
		return "", Errorf(KindNoQRCode, "order %s is not paid: no QR code yet", o.ID)
	}
	return p.ActivationCode(), nil
}

// CreatePlan adds a plan to the eSIM catalog.
func (s *ESIMService) CreatePlan(ctx context.Context, p *ESIMPlan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.Clock.Now()
	}
	return s.Store.CreateESIMPlan(ctx, p)
}

// ImportProfiles adds profiles to the inventory as available, all or
// nothing.
func (s *ESIMService) ImportProfiles(ctx context.Context, ps []*Profile) error {
	if len(ps) == 0 {
		return Invalid("profiles", "no profiles to import")
	}
	now := s.Clock.Now()
	seen := make(map[string]bool, len(ps))
	for _, p := range ps {
		p.State, p.OrderID, p.CreatedAt, p.UpdatedAt = ProfileAvailable, "", now, now
		if err := p.Validate(); err != nil {
			return err
		}
		if seen[p.ICCID] {
			return Invalid("iccid", "ICCID %s appears twice", p.ICCID)
		}
		seen[p.ICCID] = true
	}
	return s.Store.ImportProfiles(ctx, ps)
}

// MarkProfile records that a profile was installed or deleted (as an SM-DP+
// notification would say).
func (s *ESIMService) MarkProfile(ctx context.Context, accessCode, iccid string, to ProfileState) (*Profile, error) {
	if to != ProfileInstalled && to != ProfileDeleted {
		return nil, Invalid("state", "a profile can be marked installed or deleted, not %q", to)
	}
	return s.Store.UpdateProfile(ctx, accessCode, iccid, func(p *Profile) error {
		return p.Mark(to, s.Clock.Now())
	})
}
