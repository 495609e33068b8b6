package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/shop"
)

// The consumer shops' tables (migration 00005). Write transactions run
// prepared statements; the reads, whose filters vary, mostly run
// unprepared on the read pool.

const esimPlanColumns = `id, enterprise_code, package_code, name, description, mccs, region, continent, hot,
	volume_bytes, period_days, prices, created_at, plan_code, starts, logo, min_periods, max_periods, apn`

// saleCount is the column of a plan's paid orders.
const saleCount = `(SELECT count(*) FROM esim_orders o WHERE o.plan_id = esim_plans.id AND o.enterprise_code = esim_plans.enterprise_code AND o.status = 1)`

// qInsertESIMPlan creates an eSIM plan.
var qInsertESIMPlan = prepared(`INSERT INTO esim_plans (` + esimPlanColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)

func scanESIMPlan(s scanner) (*shop.ESIMPlan, error) {
	var (
		p            shop.ESIMPlan
		mccs, prices string
		region, hot  bool
		created      int64
	)
	if err := s.Scan(&p.ID, &p.EnterpriseCode, &p.PackageCode, &p.Name, &p.Description, &mccs, &region, &p.Continent, &hot,
		&p.VolumeBytes, &p.PeriodDays, &prices, &created, &p.PlanCode, &p.Starts, &p.Logo, &p.MinPeriods, &p.MaxPeriods, &p.APN,
		&p.SaleCount); err != nil {
		return nil, err
	}
	p.MCCs = strings.Split(strings.Trim(mccs, ","), ",")
	p.Region, p.Hot, p.CreatedAt = region, hot, instant(created)
	if err := json.Unmarshal([]byte(prices), &p.Prices); err != nil {
		return nil, dbError("decode prices", err)
	}
	return &p, nil
}

// CreateESIMPlan implements shop.ShopStore.
func (db *DB) CreateESIMPlan(ctx context.Context, p *shop.ESIMPlan) error {
	prices, err := json.Marshal(p.Prices)
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *txn) error {
		_, err := t.execStmt(qInsertESIMPlan,
			p.ID, p.EnterpriseCode, p.PackageCode, p.Name, p.Description, ","+strings.Join(p.MCCs, ",")+",", p.Region,
			p.Continent, p.Hot, p.VolumeBytes, p.PeriodDays, string(prices), micros(p.CreatedAt), p.PlanCode, p.Starts, p.Logo,
			p.MinPeriods, p.MaxPeriods, p.APN)
		switch code(err) {
		case 0:
			if err != nil {
				return dbError("create eSIM plan", err)
			}
			return nil
		case primaryKey:
			return opencube.Errorf(opencube.KindConflict, "eSIM plan %d exists", p.ID)
		case foreignKey:
			return unknownEnterprise(p.EnterpriseCode)
		}
		return dbError("create eSIM plan", err)
	})
}

// FindESIMPlans implements shop.ShopStore.
func (db *DB) FindESIMPlans(ctx context.Context, f shop.ESIMPlanFilter) ([]*shop.ESIMPlan, error) {
	q := `SELECT ` + esimPlanColumns + `, ` + saleCount + ` FROM esim_plans WHERE enterprise_code = ?`
	args := []any{f.Enterprise}
	if f.ID != 0 {
		q += ` AND id = ?`
		args = append(args, f.ID)
	}
	if f.MCC != "" {
		q += ` AND instr(mccs, ?) > 0`
		args = append(args, ","+f.MCC+",")
	}
	if f.Continent != "" {
		q += ` AND continent = ?`
		args = append(args, f.Continent)
	}
	if f.HotOnly {
		q += ` AND hot`
	}
	return queryAll(ctx, db.read, q+` ORDER BY id`, args, scanESIMPlan)
}

// queryAll runs a query on the read pool and scans every row.
func queryAll[T any](ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, dbError("query", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, dbError("scan", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("query", err)
	}
	return out, nil
}

const profileColumns = `iccid, enterprise_code, smdp_address, matching_id, confirmation_code, state, order_id, created_at, updated_at,
	imsi, msisdn`

// The statements of eSIM profiles.
var (
	qInsertProfile = prepared(`INSERT INTO esim_profiles (` + profileColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	// Run by write transactions and on the read pool (FindESIMOrder).
	qProfile          = prepared(`SELECT ` + profileColumns + ` FROM esim_profiles WHERE iccid = ?`)
	qAvailableProfile = prepared(`SELECT iccid FROM esim_profiles WHERE enterprise_code = ? AND state = ? ORDER BY iccid LIMIT 1`)
	qUpdateProfile    = prepared(`UPDATE esim_profiles SET state = ?, order_id = ?, updated_at = ? WHERE iccid = ?`)
)

func scanProfile(s scanner) (*shop.Profile, error) {
	var (
		p                shop.Profile
		state            string
		created, updated int64
	)
	if err := s.Scan(&p.ICCID, &p.EnterpriseCode, &p.SMDPAddress, &p.MatchingID, &p.ConfirmationCode, &state, &p.OrderID,
		&created, &updated, &p.IMSI, &p.MSISDN); err != nil {
		return nil, err
	}
	p.State, p.CreatedAt, p.UpdatedAt = shop.ProfileState(state), instant(created), instant(updated)
	return &p, nil
}

// ImportProfiles implements shop.ShopStore.
func (db *DB) ImportProfiles(ctx context.Context, ps []*shop.Profile) error {
	return db.update(ctx, func(t *txn) error {
		for _, p := range ps {
			_, err := t.execStmt(qInsertProfile,
				p.ICCID, p.EnterpriseCode, p.SMDPAddress, p.MatchingID, p.ConfirmationCode, string(p.State), p.OrderID,
				micros(p.CreatedAt), micros(p.UpdatedAt), p.IMSI, p.MSISDN)
			switch code(err) {
			case 0:
				if err != nil {
					return dbError("import profiles", err)
				}
			case primaryKey:
				return opencube.Errorf(opencube.KindConflict, "profile %s exists", p.ICCID)
			case foreignKey:
				return unknownEnterprise(p.EnterpriseCode)
			default:
				return dbError("import profiles", err)
			}
		}
		return nil
	})
}

// FindProfiles implements shop.ShopStore.
func (db *DB) FindProfiles(ctx context.Context, f shop.ProfileFilter) ([]*shop.Profile, error) {
	q := `SELECT ` + profileColumns + ` FROM esim_profiles WHERE enterprise_code = ?`
	args := []any{f.Enterprise}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, string(f.State))
	}
	if f.ICCID != "" {
		q += ` AND iccid = ?`
		args = append(args, f.ICCID)
	}
	return queryAll(ctx, db.read, q+` ORDER BY iccid`, args, scanProfile)
}

func (t *txn) profile(iccid string) (*shop.Profile, error) {
	p, err := scanProfile(t.queryRowStmt(qProfile, iccid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "profile %s not found", iccid)
	}
	if err != nil {
		return nil, dbError("find profile", err)
	}
	return p, nil
}

func (t *txn) writeProfile(p *shop.Profile) error {
	_, err := t.execStmt(qUpdateProfile,
		string(p.State), p.OrderID, micros(p.UpdatedAt), p.ICCID)
	if err != nil {
		return dbError("update profile", err)
	}
	return nil
}

// UpdateProfile implements shop.ShopStore.
func (db *DB) UpdateProfile(ctx context.Context, accessCode, iccid string, fn func(p *shop.Profile) error) (*shop.Profile, error) {
	var out *shop.Profile
	err := db.update(ctx, func(t *txn) error {
		p, err := t.profile(iccid)
		if err != nil {
			return err
		}
		if p.EnterpriseCode != accessCode {
			return opencube.Errorf(opencube.KindDeviceNotFound, "profile %s not found", iccid)
		}
		if err := fn(p); err != nil {
			return err
		}
		out = p
		return t.writeProfile(p)
	})
	return out, err
}

// The statements of shop accounts.
var (
	qInsertShopUser    = prepared(`INSERT INTO shop_users (id, enterprise_code, email, passwd_md5, created_at) VALUES (?, ?, ?, ?, ?)`)
	qInsertShopSession = prepared(`INSERT INTO shop_sessions (token_hash, user_id, enterprise_code, email, expires_at) VALUES (?, ?, ?, ?, ?)`)
	qPutCode           = prepared(`INSERT INTO shop_codes (enterprise_code, email, code, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (enterprise_code, email) DO UPDATE SET code = excluded.code, expires_at = excluded.expires_at`)
)

// CreateShopUser implements shop.ShopStore.
func (db *DB) CreateShopUser(ctx context.Context, u *shop.ShopUser) error {
	return db.update(ctx, func(t *txn) error {
		_, err := t.execStmt(qInsertShopUser,
			u.ID, u.EnterpriseCode, u.Email, u.PasswordMD5, micros(u.CreatedAt))
		switch code(err) {
		case 0:
			if err != nil {
				return dbError("create shop user", err)
			}
			return nil
		case unique, primaryKey:
			return opencube.Errorf(opencube.KindConflict, "e-mail %s is registered", u.Email)
		case foreignKey:
			return unknownEnterprise(u.EnterpriseCode)
		}
		return dbError("create shop user", err)
	})
}

// FindShopUser implements shop.ShopStore.
func (db *DB) FindShopUser(ctx context.Context, accessCode, email string) (*shop.ShopUser, error) {
	var (
		u       shop.ShopUser
		created int64
	)
	err := db.read.QueryRowContext(ctx, `SELECT id, enterprise_code, email, passwd_md5, created_at FROM shop_users
		WHERE enterprise_code = ? AND email = ?`, accessCode, email).Scan(&u.ID, &u.EnterpriseCode, &u.Email, &u.PasswordMD5, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindUnauthenticated, "wrong e-mail or password")
	}
	if err != nil {
		return nil, dbError("find shop user", err)
	}
	u.CreatedAt = instant(created)
	return &u, nil
}

// PutSession implements shop.ShopStore.
func (db *DB) PutSession(ctx context.Context, s *shop.Session) error {
	return db.update(ctx, func(t *txn) error {
		_, err := t.execStmt(qInsertShopSession,
			s.TokenHash, s.UserID, s.EnterpriseCode, s.Email, micros(s.ExpiresAt))
		if err != nil {
			return dbError("put session", err)
		}
		return nil
	})
}

// FindSession implements shop.ShopStore.
func (db *DB) FindSession(ctx context.Context, tokenHash string) (*shop.Session, error) {
	var (
		s       shop.Session
		expires int64
	)
	err := db.read.QueryRowContext(ctx, `SELECT token_hash, user_id, enterprise_code, email, expires_at FROM shop_sessions
		WHERE token_hash = ?`, tokenHash).Scan(&s.TokenHash, &s.UserID, &s.EnterpriseCode, &s.Email, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindTokenExpired, "unknown x-access-token")
	}
	if err != nil {
		return nil, dbError("find session", err)
	}
	s.ExpiresAt = instant(expires)
	return &s, nil
}

// PutVerificationCode implements shop.ShopStore.
func (db *DB) PutVerificationCode(ctx context.Context, v *shop.VerificationCode) error {
	return db.update(ctx, func(t *txn) error {
		_, err := t.execStmt(qPutCode,
			v.EnterpriseCode, v.Email, v.Code, micros(v.ExpiresAt))
		if err != nil {
			return dbError("put verification code", err)
		}
		return nil
	})
}

// FindVerificationCode implements shop.ShopStore.
func (db *DB) FindVerificationCode(ctx context.Context, accessCode, email string) (*shop.VerificationCode, error) {
	var (
		v       shop.VerificationCode
		expires int64
	)
	err := db.read.QueryRowContext(ctx, `SELECT enterprise_code, email, code, expires_at FROM shop_codes
		WHERE (enterprise_code = ?1 OR ?1 = '') AND email = ?2 ORDER BY expires_at DESC LIMIT 1`, accessCode, email).Scan(&v.EnterpriseCode, &v.Email, &v.Code, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Invalid("email", "no verification code was sent to %s", email)
	}
	if err != nil {
		return nil, dbError("find verification code", err)
	}
	v.ExpiresAt = instant(expires)
	return &v, nil
}

const esimOrderColumns = `id, enterprise_code, user_id, email, plan_id, package_code, plan_name, period_num, currency,
	amount_minor, top_up, iccid, status, payment_provider, payment_ref, created_at, expires_at, paid_at, updated_at, sim_order_id`

// The statements of eSIM orders.
var (
	qInsertESIMOrder = prepared(`INSERT INTO esim_orders (` + esimOrderColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	// Run by write transactions and on the read pool (FindESIMOrder).
	qESIMOrder       = prepared(`SELECT ` + esimOrderColumns + ` FROM esim_orders WHERE id = ?`)
	qUpdateESIMOrder = prepared(`UPDATE esim_orders SET status = ?, payment_provider = ?, payment_ref = ?, paid_at = ?, updated_at = ?,
		sim_order_id = ? WHERE id = ?`)
)

func scanESIMOrder(s scanner) (*shop.ESIMOrder, error) {
	var (
		o                         shop.ESIMOrder
		topUp                     bool
		status                    int
		created, expires, updated int64
		paid                      sql.NullInt64
	)
	if err := s.Scan(&o.ID, &o.EnterpriseCode, &o.UserID, &o.Email, &o.PlanID, &o.PackageCode, &o.PlanName, &o.PeriodNum,
		&o.Currency, &o.AmountMinor, &topUp, &o.ICCID, &status, &o.PaymentProvider, &o.PaymentRef, &created, &expires,
		&paid, &updated, &o.SIMOrderID); err != nil {
		return nil, err
	}
	o.TopUp, o.Status = topUp, shop.ESIMOrderStatus(status)
	o.CreatedAt, o.ExpiresAt, o.UpdatedAt = instant(created), instant(expires), instant(updated)
	if paid.Valid {
		t := instant(paid.Int64)
		o.PaidAt = &t
	}
	return &o, nil
}

// CreateESIMOrder implements shop.ShopStore. The single writer
// serialises claims: the first available profile is taken and marked in
// the same transaction, so no other claimer can see it available.
func (db *DB) CreateESIMOrder(ctx context.Context, o *shop.ESIMOrder, reserve bool, jobs []*opencube.Job) error {
	return db.update(ctx, func(t *txn) error {
		if reserve {
			var iccid string
			err := t.queryRowStmt(qAvailableProfile, o.EnterpriseCode, string(shop.ProfileAvailable)).Scan(&iccid)
			if errors.Is(err, sql.ErrNoRows) {
				return opencube.Errorf(opencube.KindSoldOut, "no eSIM profile available")
			}
			if err != nil {
				return dbError("claim profile", err)
			}
			if _, err := t.execStmt(qUpdateProfile,
				string(shop.ProfileReserved), o.ID, micros(o.CreatedAt), iccid); err != nil {
				return dbError("claim profile", err)
			}
			o.ICCID = iccid
		}
		_, err := t.execStmt(qInsertESIMOrder,
			o.ID, o.EnterpriseCode, o.UserID, o.Email, o.PlanID, o.PackageCode, o.PlanName, o.PeriodNum, o.Currency,
			o.AmountMinor, o.TopUp, o.ICCID, int(o.Status), o.PaymentProvider, o.PaymentRef, micros(o.CreatedAt),
			micros(o.ExpiresAt), paidMicros(o), micros(o.UpdatedAt), o.SIMOrderID)
		if code(err) == primaryKey {
			return opencube.Errorf(opencube.KindConflict, "eSIM order %s exists", o.ID)
		}
		if err != nil {
			return dbError("create eSIM order", err)
		}
		for _, j := range jobs {
			if err := t.InsertJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

func paidMicros(o *shop.ESIMOrder) any {
	if o.PaidAt == nil {
		return nil
	}
	return micros(*o.PaidAt)
}

// UpdateESIMOrder implements shop.ShopStore.
func (db *DB) UpdateESIMOrder(ctx context.Context, id string, fn func(tx shop.MallTx, o *shop.ESIMOrder, p *shop.Profile) ([]*opencube.Job, error)) error {
	return db.update(ctx, func(t *txn) error {
		o, err := scanESIMOrder(t.queryRowStmt(qESIMOrder, id))
		if errors.Is(err, sql.ErrNoRows) {
			return opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", id)
		}
		if err != nil {
			return dbError("find eSIM order", err)
		}
		var p *shop.Profile
		if o.ICCID != "" {
			if p, err = t.profile(o.ICCID); err != nil {
				return err
			}
		}
		paid := o.Status == shop.ESIMPaid
		jobs, err := fn(mallTxn{t}, o, p)
		if err != nil {
			return err
		}
		if _, err := t.execStmt(qUpdateESIMOrder, int(o.Status), o.PaymentProvider, o.PaymentRef, paidMicros(o), micros(o.UpdatedAt), o.SIMOrderID, o.ID); err != nil {
			return dbError("update eSIM order", err)
		}
		if p != nil {
			if err := t.writeProfile(p); err != nil {
				return err
			}
		}
		if o.Status == shop.ESIMPaid && !paid { // the sale, on the ledger
			if err := t.InsertLine(ctx, billing.ESIMSale(ctx, o.ID, o.EnterpriseCode, o.ICCID, o.PackageCode, o.Currency, o.AmountMinor, o.PeriodNum, o.UpdatedAt)); err != nil {
				return err
			}
		}
		for _, j := range jobs {
			if err := t.InsertJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

// FindESIMOrder implements shop.ShopStore.
func (db *DB) FindESIMOrder(ctx context.Context, id string) (*shop.ESIMOrder, *shop.Profile, error) {
	o, err := scanESIMOrder(db.reads.queryRow(ctx, qESIMOrder, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", id)
	}
	if err != nil {
		return nil, nil, dbError("find eSIM order", err)
	}
	if o.ICCID == "" {
		return o, nil, nil
	}
	p, err := scanProfile(db.reads.queryRow(ctx, qProfile, o.ICCID))
	if errors.Is(err, sql.ErrNoRows) {
		// A top-up names an eSIM whose ICCID need not be in the
		// inventory: the order stands without a profile.
		return o, nil, nil
	}
	if err != nil {
		return nil, nil, dbError("find profile", err)
	}
	return o, p, nil
}

const mallOrderColumns = `enterprise_code, order_no, iccid, package_code, order_period, pay_id, pay_type, pay_amount_minor,
	pay_currency, paid, auto_renewal, order_id, created_at, updated_at, pay_failed, pay_provider, client_secret, customer_id,
	subscription_id, renewals, last_invoice, renewal_stopped`

// The statements of Mall orders.
var (
	qMallOrder    = prepared(`SELECT ` + mallOrderColumns + ` FROM mall_orders WHERE enterprise_code = ? AND order_no = ?`)
	qPutMallOrder = prepared(`INSERT INTO mall_orders (` + mallOrderColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (enterprise_code, order_no) DO UPDATE SET pay_id = excluded.pay_id, pay_type = excluded.pay_type,
			paid = excluded.paid, auto_renewal = excluded.auto_renewal, order_id = excluded.order_id, updated_at = excluded.updated_at,
			pay_failed = excluded.pay_failed, pay_provider = excluded.pay_provider, client_secret = excluded.client_secret,
			customer_id = excluded.customer_id, subscription_id = excluded.subscription_id, renewals = excluded.renewals,
			last_invoice = excluded.last_invoice, renewal_stopped = excluded.renewal_stopped`)
)

func scanMallOrder(s scanner) (*shop.MallOrder, error) {
	var (
		m                shop.MallOrder
		paid, renew      bool
		created, updated int64
	)
	if err := s.Scan(&m.EnterpriseCode, &m.OrderNo, &m.ICCID, &m.PackageCode, &m.OrderPeriod, &m.PayID, &m.PayType,
		&m.PayAmountMinor, &m.PayCurrency, &paid, &renew, &m.OrderID, &created, &updated, &m.PayFailed, &m.PayProvider,
		&m.ClientSecret, &m.CustomerID, &m.SubscriptionID, &m.Renewals, &m.LastInvoice, &m.RenewalStopped); err != nil {
		return nil, err
	}
	m.Paid, m.AutoRenewal, m.CreatedAt, m.UpdatedAt = paid, renew, instant(created), instant(updated)
	return &m, nil
}

// UpdateMall implements shop.ShopStore.
func (db *DB) UpdateMall(ctx context.Context, fn func(tx shop.MallTx) error) error {
	return db.update(ctx, func(t *txn) error { return fn(mallTxn{t}) })
}

// mallTxn is the write transaction as an shop.MallTx.
type mallTxn struct{ *txn }

// MallOrder implements shop.MallTx.
func (t mallTxn) MallOrder(_ context.Context, accessCode, orderNo string) (*shop.MallOrder, error) {
	m, err := scanMallOrder(t.queryRowStmt(qMallOrder, accessCode, orderNo))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError("find Mall order", err)
	}
	return m, nil
}

// InsertSIM implements shop.MallTx.
func (t mallTxn) InsertSIM(_ context.Context, s *opencube.SIM) error {
	return t.insertSIM(s)
}

// PutMallOrder implements shop.MallTx.
func (t mallTxn) PutMallOrder(_ context.Context, m *shop.MallOrder) error {
	_, err := t.execStmt(qPutMallOrder,
		m.EnterpriseCode, m.OrderNo, m.ICCID, m.PackageCode, m.OrderPeriod, m.PayID, m.PayType, m.PayAmountMinor,
		m.PayCurrency, m.Paid, m.AutoRenewal, m.OrderID, micros(m.CreatedAt), micros(m.UpdatedAt), m.PayFailed, m.PayProvider,
		m.ClientSecret, m.CustomerID, m.SubscriptionID, m.Renewals, m.LastInvoice, m.RenewalStopped)
	if code(err) == foreignKey {
		return unknownEnterprise(m.EnterpriseCode)
	}
	if err != nil {
		return dbError("put Mall order", err)
	}
	return nil
}

// FindMallOrders implements shop.ShopStore.
func (db *DB) FindMallOrders(ctx context.Context, f shop.MallOrderFilter) ([]*shop.MallOrder, error) {
	q := `SELECT ` + mallOrderColumns + ` FROM mall_orders WHERE enterprise_code = ?`
	args := []any{f.Enterprise}
	if f.ICCID != "" {
		q += ` AND iccid = ?`
		args = append(args, f.ICCID)
	}
	if f.OrderNo != "" {
		q += ` AND order_no = ?`
		args = append(args, f.OrderNo)
	}
	return queryAll(ctx, db.read, q+` ORDER BY created_at DESC, order_no DESC`, args, scanMallOrder)
}
