package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/shop"
)

// The consumer shops' tables (migration 00005).

const esimPlanColumns = `id, enterprise_code, package_code, name, description, mccs, region, continent, hot,
	volume_bytes, period_days, prices, created_at, plan_code, starts, logo, min_periods, max_periods, apn`

func scanESIMPlan(s scanner) (*shop.ESIMPlan, error) {
	var (
		p                shop.ESIMPlan
		prices           string
		days, minP, maxP int32
		sales            int64
	)
	if err := s.Scan(&p.ID, &p.EnterpriseCode, &p.PackageCode, &p.Name, &p.Description, &p.MCCs, &p.Region, &p.Continent,
		&p.Hot, &p.VolumeBytes, &days, &prices, &p.CreatedAt, &p.PlanCode, &p.Starts, &p.Logo, &minP, &maxP, &p.APN, &sales); err != nil {
		return nil, err
	}
	p.PeriodDays, p.CreatedAt, p.MinPeriods, p.MaxPeriods, p.SaleCount = int(days), utc(p.CreatedAt), int(minP), int(maxP), int(sales)
	if err := json.Unmarshal([]byte(prices), &p.Prices); err != nil {
		return nil, err
	}
	return &p, nil
}

// CreateESIMPlan implements shop.ShopStore.
func (db *DB) CreateESIMPlan(ctx context.Context, p *shop.ESIMPlan) error {
	prices, err := json.Marshal(p.Prices)
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, "create eSIM plan", `INSERT INTO esim_plans (`+esimPlanColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		p.ID, p.EnterpriseCode, p.PackageCode, p.Name, p.Description, list(p.MCCs), p.Region, p.Continent, p.Hot,
		p.VolumeBytes, p.PeriodDays, string(prices), p.CreatedAt, p.PlanCode, p.Starts, p.Logo, p.MinPeriods, p.MaxPeriods, p.APN)
	switch {
	case violated(err, codeUniqueViolation, "esim_plans_pkey") != "":
		return opencube.Errorf(opencube.KindConflict, "eSIM plan %d exists", p.ID)
	case violated(err, codeForeignKeyViolation, "esim_plans_enterprise_fkey") != "":
		return unknownEnterprise(p.EnterpriseCode)
	case err != nil:
		return db.dbError("create eSIM plan", err)
	}
	return nil
}

// queryAll runs one statement, retried when retryable, and scans every
// row.
func queryAll[T any](ctx context.Context, db *DB, what, sql string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	var out []T
	err := retry(ctx, func() error {
		out = out[:0]
		rows, err := db.pool.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.dbError(what, err)
	}
	return out, nil
}

// FindESIMPlans implements shop.ShopStore.
func (db *DB) FindESIMPlans(ctx context.Context, f shop.ESIMPlanFilter) ([]*shop.ESIMPlan, error) {
	q := &query{}
	where := `enterprise_code = ` + q.arg(f.Enterprise)
	if f.ID != 0 {
		where += ` AND id = ` + q.arg(f.ID)
	}
	if f.MCC != "" {
		where += ` AND ` + q.arg(f.MCC) + ` = ANY(mccs)`
	}
	if f.Continent != "" {
		where += ` AND continent = ` + q.arg(f.Continent)
	}
	if f.HotOnly {
		where += ` AND hot`
	}
	return queryAll(ctx, db, "find eSIM plans", `SELECT `+esimPlanColumns+`, (SELECT count(*) FROM esim_orders o WHERE o.plan_id = esim_plans.id
		AND o.enterprise_code = esim_plans.enterprise_code AND o.status = 1) FROM esim_plans WHERE `+where+` ORDER BY id`, q.args, scanESIMPlan)
}

const profileColumns = `iccid, enterprise_code, smdp_address, matching_id, confirmation_code, state, order_id, created_at, updated_at,
	imsi, msisdn`

func scanProfile(s scanner) (*shop.Profile, error) {
	var (
		p     shop.Profile
		state string
	)
	if err := s.Scan(&p.ICCID, &p.EnterpriseCode, &p.SMDPAddress, &p.MatchingID, &p.ConfirmationCode, &state, &p.OrderID,
		&p.CreatedAt, &p.UpdatedAt, &p.IMSI, &p.MSISDN); err != nil {
		return nil, err
	}
	p.State, p.CreatedAt, p.UpdatedAt = shop.ProfileState(state), utc(p.CreatedAt), utc(p.UpdatedAt)
	return &p, nil
}

// ImportProfiles implements shop.ShopStore.
func (db *DB) ImportProfiles(ctx context.Context, ps []*shop.Profile) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		t := &orderTx{db: db, tx: tx}
		for _, p := range ps {
			_, err := t.write(ctx, `INSERT INTO esim_profiles (`+profileColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				p.ICCID, p.EnterpriseCode, p.SMDPAddress, p.MatchingID, p.ConfirmationCode, string(p.State), p.OrderID,
				p.CreatedAt, p.UpdatedAt, p.IMSI, p.MSISDN)
			switch {
			case violated(err, codeUniqueViolation, "esim_profiles_pkey") != "":
				return opencube.Errorf(opencube.KindConflict, "profile %s exists", p.ICCID)
			case violated(err, codeForeignKeyViolation, "esim_profiles_enterprise_fkey") != "":
				return unknownEnterprise(p.EnterpriseCode)
			case err != nil:
				return t.fail("import profiles", err)
			}
		}
		return t.retry
	})
}

// FindProfiles implements shop.ShopStore.
func (db *DB) FindProfiles(ctx context.Context, f shop.ProfileFilter) ([]*shop.Profile, error) {
	q := &query{}
	where := `enterprise_code = ` + q.arg(f.Enterprise)
	if f.State != "" {
		where += ` AND state = ` + q.arg(string(f.State))
	}
	if f.ICCID != "" {
		where += ` AND iccid = ` + q.arg(f.ICCID)
	}
	return queryAll(ctx, db, "find profiles", `SELECT `+profileColumns+` FROM esim_profiles WHERE `+where+` ORDER BY iccid`, q.args, scanProfile)
}

func (t *orderTx) profile(ctx context.Context, iccid string) (*shop.Profile, error) {
	p, err := scanProfile(t.tx.QueryRow(ctx, `SELECT `+profileColumns+` FROM esim_profiles WHERE iccid = $1 FOR UPDATE`, iccid))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "profile %s not found", iccid)
	}
	if err != nil {
		return nil, t.fail("find profile", err)
	}
	return p, nil
}

func (t *orderTx) writeProfile(ctx context.Context, p *shop.Profile) error {
	if _, err := t.tx.Exec(ctx, `UPDATE esim_profiles SET state = $1, order_id = $2, updated_at = $3 WHERE iccid = $4`,
		string(p.State), p.OrderID, p.UpdatedAt, p.ICCID); err != nil {
		return t.fail("update profile", err)
	}
	return nil
}

// runTx runs fn in a transaction with an orderTx, honouring its retry: fn
// may run again on a serialization failure or deadlock.
func (db *DB) runTx(ctx context.Context, fn func(t *orderTx) error) error {
	return db.claiming(ctx, nil, false, fn)
}

// UpdateProfile implements shop.ShopStore.
func (db *DB) UpdateProfile(ctx context.Context, accessCode, iccid string, fn func(p *shop.Profile) error) (*shop.Profile, error) {
	var out *shop.Profile
	err := db.runTx(ctx, func(t *orderTx) error {
		p, err := t.profile(ctx, iccid)
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
		return t.writeProfile(ctx, p)
	})
	return out, err
}

// CreateShopUser implements shop.ShopStore.
func (db *DB) CreateShopUser(ctx context.Context, u *shop.ShopUser) error {
	_, err := db.exec(ctx, "create shop user", `INSERT INTO shop_users (id, enterprise_code, email, passwd_md5, created_at) VALUES ($1, $2, $3, $4, $5)`,
		u.ID, u.EnterpriseCode, u.Email, u.PasswordMD5, u.CreatedAt)
	switch {
	case violated(err, codeUniqueViolation, "shop_users_email_key", "shop_users_pkey") != "":
		return opencube.Errorf(opencube.KindConflict, "e-mail %s is registered", u.Email)
	case violated(err, codeForeignKeyViolation, "shop_users_enterprise_fkey") != "":
		return unknownEnterprise(u.EnterpriseCode)
	case err != nil:
		return db.dbError("create shop user", err)
	}
	return nil
}

// FindShopUser implements shop.ShopStore.
func (db *DB) FindShopUser(ctx context.Context, accessCode, email string) (*shop.ShopUser, error) {
	var u shop.ShopUser
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT id, enterprise_code, email, passwd_md5, created_at FROM shop_users
			WHERE enterprise_code = $1 AND email = $2`, accessCode, email).Scan(&u.ID, &u.EnterpriseCode, &u.Email, &u.PasswordMD5, &u.CreatedAt)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindUnauthenticated, "wrong e-mail or password")
	}
	if err != nil {
		return nil, db.dbError("find shop user", err)
	}
	u.CreatedAt = utc(u.CreatedAt)
	return &u, nil
}

// PutSession implements shop.ShopStore.
func (db *DB) PutSession(ctx context.Context, s *shop.Session) error {
	_, err := db.exec(ctx, "put session", `INSERT INTO shop_sessions (token_hash, user_id, enterprise_code, email, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, s.TokenHash, s.UserID, s.EnterpriseCode, s.Email, s.ExpiresAt)
	return err
}

// FindSession implements shop.ShopStore.
func (db *DB) FindSession(ctx context.Context, tokenHash string) (*shop.Session, error) {
	var s shop.Session
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT token_hash, user_id, enterprise_code, email, expires_at FROM shop_sessions
			WHERE token_hash = $1`, tokenHash).Scan(&s.TokenHash, &s.UserID, &s.EnterpriseCode, &s.Email, &s.ExpiresAt)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindTokenExpired, "unknown x-access-token")
	}
	if err != nil {
		return nil, db.dbError("find session", err)
	}
	s.ExpiresAt = utc(s.ExpiresAt)
	return &s, nil
}

// PutVerificationCode implements shop.ShopStore.
func (db *DB) PutVerificationCode(ctx context.Context, v *shop.VerificationCode) error {
	_, err := db.exec(ctx, "put verification code", `INSERT INTO shop_codes (enterprise_code, email, code, expires_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (enterprise_code, email) DO UPDATE SET code = excluded.code, expires_at = excluded.expires_at`,
		v.EnterpriseCode, v.Email, v.Code, v.ExpiresAt)
	return err
}

// FindVerificationCode implements shop.ShopStore.
func (db *DB) FindVerificationCode(ctx context.Context, accessCode, email string) (*shop.VerificationCode, error) {
	var v shop.VerificationCode
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT enterprise_code, email, code, expires_at FROM shop_codes
			WHERE (enterprise_code = $1 OR $1 = '') AND email = $2 ORDER BY expires_at DESC LIMIT 1`, accessCode, email).Scan(&v.EnterpriseCode, &v.Email, &v.Code, &v.ExpiresAt)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Invalid("email", "no verification code was sent to %s", email)
	}
	if err != nil {
		return nil, db.dbError("find verification code", err)
	}
	v.ExpiresAt = utc(v.ExpiresAt)
	return &v, nil
}

const esimOrderColumns = `id, enterprise_code, user_id, email, plan_id, package_code, plan_name, period_num, currency,
	amount_minor, top_up, iccid, status, payment_provider, payment_ref, created_at, expires_at, paid_at, updated_at, sim_order_id`

func scanESIMOrder(s scanner) (*shop.ESIMOrder, error) {
	var (
		o              shop.ESIMOrder
		period, status int32
	)
	if err := s.Scan(&o.ID, &o.EnterpriseCode, &o.UserID, &o.Email, &o.PlanID, &o.PackageCode, &o.PlanName, &period,
		&o.Currency, &o.AmountMinor, &o.TopUp, &o.ICCID, &status, &o.PaymentProvider, &o.PaymentRef, &o.CreatedAt,
		&o.ExpiresAt, &o.PaidAt, &o.UpdatedAt, &o.SIMOrderID); err != nil {
		return nil, err
	}
	o.PeriodNum, o.Status = int(period), shop.ESIMOrderStatus(status)
	o.CreatedAt, o.ExpiresAt, o.UpdatedAt, o.PaidAt = utc(o.CreatedAt), utc(o.ExpiresAt), utc(o.UpdatedAt), utcp(o.PaidAt)
	return &o, nil
}

// CreateESIMOrder implements shop.ShopStore. The profile is claimed
// with FOR UPDATE SKIP LOCKED: concurrent pre-orders, on any node, each
// lock a different available row (or find none), and the state is re-checked
// on the locked row, so a profile is never reserved twice.
func (db *DB) CreateESIMOrder(ctx context.Context, o *shop.ESIMOrder, reserve bool, jobs []*opencube.Job) error {
	return db.runTx(ctx, func(t *orderTx) error {
		if reserve {
			var iccid string
			err := t.tx.QueryRow(ctx, `UPDATE esim_profiles SET state = $1, order_id = $2, updated_at = $3
				WHERE iccid = (SELECT iccid FROM esim_profiles WHERE enterprise_code = $4 AND state = $5
					ORDER BY iccid LIMIT 1 FOR UPDATE SKIP LOCKED)
				AND state = $5
				RETURNING iccid`,
				string(shop.ProfileReserved), o.ID, o.CreatedAt, o.EnterpriseCode, string(shop.ProfileAvailable)).Scan(&iccid)
			if errors.Is(err, pgx.ErrNoRows) {
				return opencube.Errorf(opencube.KindSoldOut, "no eSIM profile available")
			}
			if err != nil {
				return t.fail("claim profile", err)
			}
			o.ICCID = iccid
		}
		_, err := t.tx.Exec(ctx, `INSERT INTO esim_orders (`+esimOrderColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
			o.ID, o.EnterpriseCode, o.UserID, o.Email, o.PlanID, o.PackageCode, o.PlanName, o.PeriodNum, o.Currency,
			o.AmountMinor, o.TopUp, o.ICCID, int(o.Status), o.PaymentProvider, o.PaymentRef, o.CreatedAt, o.ExpiresAt,
			o.PaidAt, o.UpdatedAt, o.SIMOrderID)
		if violated(err, codeUniqueViolation, "esim_orders_pkey") != "" {
			return opencube.Errorf(opencube.KindConflict, "eSIM order %s exists", o.ID)
		}
		if err != nil {
			return t.fail("create eSIM order", err)
		}
		for _, j := range jobs {
			if err := t.InsertJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateESIMOrder implements shop.ShopStore.
func (db *DB) UpdateESIMOrder(ctx context.Context, id string, fn func(tx shop.MallTx, o *shop.ESIMOrder, p *shop.Profile) ([]*opencube.Job, error)) error {
	return db.runTx(ctx, func(t *orderTx) error {
		o, err := scanESIMOrder(t.tx.QueryRow(ctx, `SELECT `+esimOrderColumns+` FROM esim_orders WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", id)
		}
		if err != nil {
			return t.fail("find eSIM order", err)
		}
		var p *shop.Profile
		if o.ICCID != "" {
			if p, err = t.profile(ctx, o.ICCID); err != nil {
				return err
			}
		}
		paid := o.Status == shop.ESIMPaid
		jobs, err := fn(mallTx{t}, o, p)
		if err != nil {
			return err
		}
		if _, err := t.tx.Exec(ctx, `UPDATE esim_orders SET status = $1, payment_provider = $2, payment_ref = $3, paid_at = $4,
			updated_at = $5, sim_order_id = $6 WHERE id = $7`, int(o.Status), o.PaymentProvider, o.PaymentRef, o.PaidAt, o.UpdatedAt,
			o.SIMOrderID, o.ID); err != nil {
			return t.fail("update eSIM order", err)
		}
		if p != nil {
			if err := t.writeProfile(ctx, p); err != nil {
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
	var (
		o *shop.ESIMOrder
		p *shop.Profile
	)
	err := retry(ctx, func() error {
		var err error
		if o, err = scanESIMOrder(db.pool.QueryRow(ctx, `SELECT `+esimOrderColumns+` FROM esim_orders WHERE id = $1`, id)); err != nil {
			return err
		}
		p = nil
		if o.ICCID != "" {
			p, err = scanProfile(db.pool.QueryRow(ctx, `SELECT `+profileColumns+` FROM esim_profiles WHERE iccid = $1`, o.ICCID))
			if errors.Is(err, pgx.ErrNoRows) {
				// A top-up names an eSIM whose ICCID need not be in the
				// inventory: the order stands without a profile.
				p, err = nil, nil
			}
		}
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) && o == nil {
		return nil, nil, opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", id)
	}
	if err != nil {
		return nil, nil, db.dbError("find eSIM order", err)
	}
	return o, p, nil
}

const mallOrderColumns = `enterprise_code, order_no, iccid, package_code, order_period, pay_id, pay_type, pay_amount_minor,
	pay_currency, paid, auto_renewal, order_id, created_at, updated_at, pay_failed, pay_provider, client_secret, customer_id,
	subscription_id, renewals, last_invoice, renewal_stopped`

func scanMallOrder(s scanner) (*shop.MallOrder, error) {
	var (
		m                shop.MallOrder
		period, renewals int32
	)
	if err := s.Scan(&m.EnterpriseCode, &m.OrderNo, &m.ICCID, &m.PackageCode, &period, &m.PayID, &m.PayType,
		&m.PayAmountMinor, &m.PayCurrency, &m.Paid, &m.AutoRenewal, &m.OrderID, &m.CreatedAt, &m.UpdatedAt, &m.PayFailed,
		&m.PayProvider, &m.ClientSecret, &m.CustomerID, &m.SubscriptionID, &renewals, &m.LastInvoice, &m.RenewalStopped); err != nil {
		return nil, err
	}
	m.OrderPeriod, m.Renewals, m.CreatedAt, m.UpdatedAt = int(period), int(renewals), utc(m.CreatedAt), utc(m.UpdatedAt)
	return &m, nil
}

// UpdateMall implements shop.ShopStore.
func (db *DB) UpdateMall(ctx context.Context, fn func(tx shop.MallTx) error) error {
	return db.runTx(ctx, func(t *orderTx) error { return fn(mallTx{t}) })
}

// mallTx is an orderTx as an shop.MallTx.
type mallTx struct{ *orderTx }

// MallOrder implements shop.MallTx.
func (t mallTx) MallOrder(ctx context.Context, accessCode, orderNo string) (*shop.MallOrder, error) {
	m, err := scanMallOrder(t.tx.QueryRow(ctx, `SELECT `+mallOrderColumns+` FROM mall_orders
		WHERE enterprise_code = $1 AND order_no = $2 FOR UPDATE`, accessCode, orderNo))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, t.fail("find Mall order", err)
	}
	return m, nil
}

// InsertSIM implements shop.MallTx.
func (t mallTx) InsertSIM(ctx context.Context, s *opencube.SIM) error {
	_, err := t.write(ctx, `INSERT INTO sims (`+simColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.ICCID, s.IMSI, s.MSISDN, s.OTA, s.EnterpriseCode, string(s.Status), s.CreatedAt)
	if err != nil {
		if violated(err, codeUniqueViolation, "sims_pkey", "sims_imsi_key") == "" &&
			violated(err, codeForeignKeyViolation, "sims_enterprise_fkey") == "" {
			return t.fail("insert SIM", err)
		}
		return t.db.simError(s, err)
	}
	if a := s.Auth; a != nil {
		if _, err := t.write(ctx, `INSERT INTO sim_auth (iccid, algorithm, ki, opc) VALUES ($1, $2, $3, $4)`, s.ICCID, a.Algorithm, a.Ki, a.OPc); err != nil {
			return t.fail("insert SIM auth", err)
		}
	}
	return nil
}

// PutMallOrder implements shop.MallTx.
func (t mallTx) PutMallOrder(ctx context.Context, m *shop.MallOrder) error {
	_, err := t.write(ctx, `INSERT INTO mall_orders (`+mallOrderColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
		ON CONFLICT (enterprise_code, order_no) DO UPDATE SET pay_id = excluded.pay_id, pay_type = excluded.pay_type,
			paid = excluded.paid, auto_renewal = excluded.auto_renewal, order_id = excluded.order_id, updated_at = excluded.updated_at,
			pay_failed = excluded.pay_failed, pay_provider = excluded.pay_provider, client_secret = excluded.client_secret,
			customer_id = excluded.customer_id, subscription_id = excluded.subscription_id, renewals = excluded.renewals,
			last_invoice = excluded.last_invoice, renewal_stopped = excluded.renewal_stopped`,
		m.EnterpriseCode, m.OrderNo, m.ICCID, m.PackageCode, m.OrderPeriod, m.PayID, m.PayType, m.PayAmountMinor,
		m.PayCurrency, m.Paid, m.AutoRenewal, m.OrderID, m.CreatedAt, m.UpdatedAt, m.PayFailed, m.PayProvider,
		m.ClientSecret, m.CustomerID, m.SubscriptionID, m.Renewals, m.LastInvoice, m.RenewalStopped)
	if violated(err, codeForeignKeyViolation, "mall_orders_enterprise_fkey") != "" {
		return unknownEnterprise(m.EnterpriseCode)
	}
	if err != nil {
		return t.fail("put Mall order", err)
	}
	return nil
}

// FindMallOrders implements shop.ShopStore.
func (db *DB) FindMallOrders(ctx context.Context, f shop.MallOrderFilter) ([]*shop.MallOrder, error) {
	q := &query{}
	where := `enterprise_code = ` + q.arg(f.Enterprise)
	if f.ICCID != "" {
		where += ` AND iccid = ` + q.arg(f.ICCID)
	}
	if f.OrderNo != "" {
		where += ` AND order_no = ` + q.arg(f.OrderNo)
	}
	return queryAll(ctx, db, "find Mall orders", `SELECT `+mallOrderColumns+` FROM mall_orders WHERE `+where+
		` ORDER BY created_at DESC, order_no DESC`, q.args, scanMallOrder)
}
