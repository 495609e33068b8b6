package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
)

const (
	accountColumns = `enterprise_code, mode, currency, credit_limit_minor, alert_below_minor, enforce_price, updated_at`
	lineColumns    = `id, enterprise_code, month, created_at, kind, currency, amount_minor, order_id, iccid, plan_code,
		periods, request_id, pay_amount_minor, pay_rst, reason`
	sqlAccount     = `SELECT ` + accountColumns + ` FROM billing_accounts WHERE enterprise_code = $1`
	sqlHoldAccount = sqlAccount + ` FOR UPDATE`
	sqlTerms       = `SELECT COALESCE(g.price_minor, p.price_minor), p.currency, a.mode, a.currency, a.credit_limit_minor,
		a.alert_below_minor, a.enforce_price, a.updated_at
		FROM plans p JOIN plan_grants g ON g.plan_code = p.code LEFT JOIN billing_accounts a ON a.enterprise_code = g.enterprise_code
		WHERE p.code = $1 AND g.enterprise_code = $2`
	sqlBalance = `SELECT COALESCE(SUM(amount_minor), 0) FROM ledger_balances WHERE enterprise_code = $1 AND currency = $2`
)

// sqlInsertLine is one statement: the line and its addition to a running
// total. A running balance is spread over rows (slots); a line adds to the
// row of its server process (pg_backend_pid modulo 64), or in a shared
// commit to the row of its lane's slot (1000 plus the slot, claimSlot), so
// that transactions running at the same time, on any node, seldom write
// the same row, shared commits never, and one enterprise's concurrent
// postpaid orders do not queue on each other's commits. A balance is the
// sum of its slots. A deferred line may join other writes (see mergeable).
var sqlInsertLine = mergeable(`ln_row AS (INSERT INTO ledger_lines (`+lineColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15))`,
	`INSERT INTO ledger_balances (enterprise_code, currency, slot, amount_minor)
		VALUES ($2, $6, COALESCE(1000 + NULLIF(current_setting('opencube.slot', true), '')::int, pg_backend_pid() % 64)::smallint, $7)
		ON CONFLICT (enterprise_code, currency, slot) DO UPDATE SET amount_minor = ledger_balances.amount_minor + excluded.amount_minor`)

var _ billing.Tx = (*orderTx)(nil)
var _ billing.Store = (*DB)(nil)

func scanAccount(s scanner) (*billing.Account, error) {
	var a billing.Account
	var mode string
	if err := s.Scan(&a.Enterprise, &mode, &a.Currency, &a.CreditLimitMinor, &a.AlertBelowMinor, &a.EnforcePrice, &a.UpdatedAt); err != nil {
		return nil, err
	}
	a.Mode = billing.Mode(mode)
	a.UpdatedAt = utc(a.UpdatedAt)
	return &a, nil
}

func scanLine(s scanner) (*billing.Line, error) {
	var l billing.Line
	var kind string
	var month, periods int32
	if err := s.Scan(&l.ID, &l.Enterprise, &month, &l.CreatedAt, &kind, &l.Currency, &l.AmountMinor, &l.OrderID, &l.ICCID,
		&l.PlanCode, &periods, &l.RequestID, &l.PayAmountMinor, &l.PayRst, &l.Reason); err != nil {
		return nil, err
	}
	l.Kind = billing.Kind(kind)
	l.Month, l.Periods = int(month), int(periods)
	l.CreatedAt = utc(l.CreatedAt)
	return &l, nil
}

// Terms implements billing.Tx: one round trip, or none when SIMAndPlan
// read them with the SIM and the plan.
func (t *orderTx) Terms(ctx context.Context, enterprise, plan string) (*billing.Account, billing.Price, error) {
	if k := t.terms; k != nil && k.enterprise == enterprise && k.plan == plan {
		t.terms = nil
		return k.account, k.price, nil
	}
	return t.scanTerms(t.tx.QueryRow(ctx, sqlTerms, plan, enterprise), enterprise, plan)
}

// prefetchedTerms are the billing terms of an enterprise's plan read
// ahead, in the round trip of the SIM and the plan of an order.
type prefetchedTerms struct {
	enterprise, plan string
	account          *billing.Account
	price            billing.Price
}

// scanTerms reads the row of sqlTerms.
func (t *orderTx) scanTerms(row pgx.Row, enterprise, plan string) (*billing.Account, billing.Price, error) {
	var (
		p              billing.Price
		mode, currency *string
		credit, alert  *int64
		enforce        *bool
		updated        *time.Time
	)
	err := row.Scan(&p.AmountMinor, &p.Currency, &mode, &currency, &credit, &alert, &enforce, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, p, opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s is not orderable", plan).Because(opencube.CausePlanUnknown)
	}
	if err != nil {
		return nil, p, t.fail("find billing terms", err)
	}
	a := billing.Default(enterprise)
	if mode != nil {
		a.Mode, a.Currency, a.CreditLimitMinor, a.AlertBelowMinor, a.EnforcePrice, a.UpdatedAt = billing.Mode(*mode), *currency, *credit, *alert, *enforce, utc(*updated)
	}
	return a, p, nil
}

// HoldAccount implements billing.Tx: the account row stays locked (FOR
// UPDATE) until the transaction ends, on every node.
func (t *orderTx) HoldAccount(ctx context.Context, enterprise string) (*billing.Account, error) {
	a, err := scanAccount(t.tx.QueryRow(ctx, sqlHoldAccount, enterprise))
	if errors.Is(err, pgx.ErrNoRows) {
		return billing.Default(enterprise), nil
	}
	if err != nil {
		return nil, t.fail("find billing account", err)
	}
	return a, nil
}

// Balance implements billing.Tx.
func (t *orderTx) Balance(ctx context.Context, enterprise, currency string) (int64, error) {
	var n int64
	if err := t.tx.QueryRow(ctx, sqlBalance, enterprise, currency).Scan(&n); err != nil {
		return 0, t.fail("find balance", err)
	}
	return n, nil
}

// OrderLines implements billing.Tx.
func (t *orderTx) OrderLines(ctx context.Context, orderID string) ([]*billing.Line, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+lineColumns+` FROM ledger_lines WHERE order_id = $1 ORDER BY created_at, seq`, orderID)
	if err != nil {
		return nil, t.fail("find ledger lines", err)
	}
	lines, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*billing.Line, error) { return scanLine(r) })
	if err != nil {
		return nil, t.fail("find ledger lines", err)
	}
	return lines, nil
}

// InsertLine implements billing.Tx.
func (t *orderTx) InsertLine(ctx context.Context, l *billing.Line) error {
	// Deferred: the line and its running total go with the commit, so the
	// balance row is held only while the transaction commits.
	err := t.writeLater(ctx, sqlInsertLine, l.ID, l.Enterprise, int32(l.Month), l.CreatedAt, string(l.Kind), l.Currency,
		l.AmountMinor, l.OrderID, l.ICCID, l.PlanCode, int32(l.Periods), l.RequestID, l.PayAmountMinor, l.PayRst, l.Reason)
	if err != nil {
		return t.fail("insert ledger line", err)
	}
	return nil
}

// PutAccount implements billing.Store.
func (db *DB) PutAccount(ctx context.Context, a *billing.Account) error {
	_, err := db.exec(ctx, "put billing account", `INSERT INTO billing_accounts (`+accountColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (enterprise_code) DO UPDATE SET mode = excluded.mode, currency = excluded.currency,
			credit_limit_minor = excluded.credit_limit_minor, alert_below_minor = excluded.alert_below_minor,
			enforce_price = excluded.enforce_price, updated_at = excluded.updated_at`,
		a.Enterprise, string(a.Mode), a.Currency, a.CreditLimitMinor, a.AlertBelowMinor, a.EnforcePrice, a.UpdatedAt)
	if violated(err, codeForeignKeyViolation) != "" {
		return unknownEnterprise(a.Enterprise)
	}
	return err
}

// FindAccount implements billing.Store.
func (db *DB) FindAccount(ctx context.Context, enterprise string) (*billing.Account, error) {
	var a *billing.Account
	err := retry(ctx, func() error {
		var err error
		a, err = scanAccount(db.pool.QueryRow(ctx, sqlAccount, enterprise))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return billing.Default(enterprise), nil
	}
	if err != nil {
		return nil, db.dbError("find billing account", err)
	}
	return a, nil
}

// SetGrantPrice implements billing.Store.
func (db *DB) SetGrantPrice(ctx context.Context, enterprise, plan string, priceMinor *int64) error {
	tag, err := db.exec(ctx, "set grant price", `UPDATE plan_grants SET price_minor = $3 WHERE enterprise_code = $1 AND plan_code = $2`,
		enterprise, plan, priceMinor)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s is not granted to %s", plan, enterprise).Because(opencube.CausePlanUnknown)
	}
	return nil
}

// UpdateLedger implements billing.Store.
func (db *DB) UpdateLedger(ctx context.Context, fn func(tx billing.Tx) error) error {
	return db.claiming(ctx, nil, true, func(t *orderTx) error { return fn(t) })
}

// FindBalances implements billing.Store.
func (db *DB) FindBalances(ctx context.Context, enterprise string) ([]billing.Balance, error) {
	return db.balances(ctx, `SELECT currency, SUM(amount_minor) FROM ledger_balances WHERE enterprise_code = $1
		GROUP BY currency ORDER BY currency`, enterprise)
}

// SumBefore implements billing.Store.
func (db *DB) SumBefore(ctx context.Context, enterprise string, month int) ([]billing.Balance, error) {
	return db.balances(ctx, `SELECT currency, SUM(amount_minor) FROM ledger_lines WHERE enterprise_code = $1 AND month < $2
		GROUP BY currency ORDER BY currency`, enterprise, int32(month))
}

func (db *DB) balances(ctx context.Context, sql string, args ...any) ([]billing.Balance, error) {
	var out []billing.Balance
	err := retry(ctx, func() error {
		rows, err := db.pool.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (billing.Balance, error) {
			var b billing.Balance
			err := r.Scan(&b.Currency, &b.AmountMinor)
			return b, err
		})
		return err
	})
	if err != nil {
		return nil, db.dbError("find balances", err)
	}
	return out, nil
}

// FindLines implements billing.Store.
func (db *DB) FindLines(ctx context.Context, enterprise string, month int) ([]*billing.Line, error) {
	var out []*billing.Line
	err := retry(ctx, func() error {
		rows, err := db.pool.Query(ctx, `SELECT `+lineColumns+` FROM ledger_lines WHERE enterprise_code = $1 AND month = $2
			ORDER BY created_at, seq`, enterprise, int32(month))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*billing.Line, error) { return scanLine(r) })
		return err
	})
	if err != nil {
		return nil, db.dbError("find ledger lines", err)
	}
	return out, nil
}

// VerifyLedger implements billing.Store.
func (db *DB) VerifyLedger(ctx context.Context) ([]billing.Mismatch, error) {
	var out []billing.Mismatch
	err := retry(ctx, func() error {
		rows, err := db.pool.Query(ctx, sqlVerifyLedger)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (billing.Mismatch, error) {
			var m billing.Mismatch
			err := r.Scan(&m.Enterprise, &m.Currency, &m.LinesMinor, &m.TotalMinor)
			return m, err
		})
		return err
	})
	if err != nil {
		return nil, db.dbError("verify ledger", err)
	}
	return out, nil
}

// sqlVerifyLedger compares the running totals with the lines (in one
// snapshot, so a concurrent change is seen whole or not at all).
const sqlVerifyLedger = `SELECT e, c, SUM(l)::bigint, SUM(b)::bigint FROM (
		SELECT enterprise_code e, currency c, amount_minor l, 0 b FROM ledger_lines
		UNION ALL SELECT enterprise_code, currency, 0, amount_minor FROM ledger_balances) x
	GROUP BY e, c HAVING SUM(l) <> SUM(b) ORDER BY e, c`

// ExportUsageDays implements billing.Store: the rows are read as they
// come (pgx streams a query's rows), so memory does not grow with them.
func (db *DB) ExportUsageDays(ctx context.Context, enterprise string, from, to int, fn func(*billing.UsageDay) error) error {
	rows, err := db.pool.Query(ctx, `SELECT iccid, day, bytes FROM usage_days WHERE enterprise_code = $1 AND day BETWEEN $2 AND $3
		ORDER BY iccid, day`, enterprise, int32(from), int32(to))
	if err != nil {
		return db.dbError("export usage", err)
	}
	defer rows.Close()
	var u billing.UsageDay
	var day int32
	for rows.Next() {
		if err := rows.Scan(&u.ICCID, &day, &u.Bytes); err != nil {
			return db.dbError("export usage", err)
		}
		u.Day = int(day)
		if err := fn(&u); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.dbError("export usage", err)
	}
	return nil
}

// ExportOrderUsage implements billing.Store.
func (db *DB) ExportOrderUsage(ctx context.Context, enterprise string, since, until time.Time, fn func(*billing.OrderUsage) error) error {
	rows, err := db.pool.Query(ctx, `SELECT id, iccid, plan_code, status, ordered_at, used_bytes FROM orders
		WHERE enterprise_code = $1 AND ordered_at < $3 AND (ended_at IS NULL OR ended_at >= $2) AND (expires_at IS NULL OR expires_at >= $2)
		ORDER BY ordered_at, id`, enterprise, since, until)
	if err != nil {
		return db.dbError("export order usage", err)
	}
	defer rows.Close()
	var o billing.OrderUsage
	var status int64
	for rows.Next() {
		if err := rows.Scan(&o.OrderID, &o.ICCID, &o.PlanCode, &status, &o.OrderedAt, &o.UsedBytes); err != nil {
			return db.dbError("export order usage", err)
		}
		o.Status = opencube.OrderStatus(status)
		o.OrderedAt = utc(o.OrderedAt)
		if err := fn(&o); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.dbError("export order usage", err)
	}
	return nil
}
