package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
)

// The SQLite store has one writer, so its running balance is one row a
// currency (slot 0): nothing waits on it that would not wait anyway.

const (
	accountColumns = `enterprise_code, mode, currency, credit_limit_minor, alert_below_minor, enforce_price, updated_at`
	lineColumns    = `id, enterprise_code, month, created_at, kind, currency, amount_minor, order_id, iccid, plan_code,
		periods, request_id, pay_amount_minor, pay_rst, reason`
	sqlAccount = `SELECT ` + accountColumns + ` FROM billing_accounts WHERE enterprise_code = ?`
)

var (
	qPrice = prepared(`SELECT COALESCE(g.price_minor, p.price_minor), p.currency FROM plans p
		JOIN plan_grants g ON g.plan_code = p.code WHERE p.code = ? AND g.enterprise_code = ?`)
	qAccount    = prepared(sqlAccount)
	qBalance    = prepared(`SELECT COALESCE(SUM(amount_minor), 0) FROM ledger_balances WHERE enterprise_code = ? AND currency = ?`)
	qInsertLine = prepared(`INSERT INTO ledger_lines (` + lineColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	qAddBalance = prepared(`INSERT INTO ledger_balances (enterprise_code, currency, slot, amount_minor) VALUES (?, ?, 0, ?)
		ON CONFLICT (enterprise_code, currency, slot) DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor`)
)

var _ billing.Tx = (*txn)(nil)
var _ billing.Store = (*DB)(nil)

func scanAccount(s scanner) (*billing.Account, error) {
	var a billing.Account
	var mode string
	var updated int64
	if err := s.Scan(&a.Enterprise, &mode, &a.Currency, &a.CreditLimitMinor, &a.AlertBelowMinor, &a.EnforcePrice, &updated); err != nil {
		return nil, err
	}
	a.Mode = billing.Mode(mode)
	a.UpdatedAt = instant(updated)
	return &a, nil
}

func scanLine(s scanner) (*billing.Line, error) {
	var l billing.Line
	var kind string
	var created int64
	if err := s.Scan(&l.ID, &l.Enterprise, &l.Month, &created, &kind, &l.Currency, &l.AmountMinor, &l.OrderID, &l.ICCID,
		&l.PlanCode, &l.Periods, &l.RequestID, &l.PayAmountMinor, &l.PayRst, &l.Reason); err != nil {
		return nil, err
	}
	l.Kind = billing.Kind(kind)
	l.CreatedAt = instant(created)
	return &l, nil
}

// Terms implements billing.Tx.
func (t *txn) Terms(ctx context.Context, enterprise, plan string) (*billing.Account, billing.Price, error) {
	p, err := t.price(plan, enterprise)
	if err != nil {
		return nil, p, err
	}
	a, err := t.HoldAccount(ctx, enterprise)
	return a, p, err
}

// HoldAccount implements billing.Tx: the writer is alone, so reading the
// account holds it already.
func (t *txn) HoldAccount(_ context.Context, enterprise string) (*billing.Account, error) {
	a, err := scanAccount(t.queryRowStmt(qAccount, enterprise))
	if errors.Is(err, sql.ErrNoRows) {
		return billing.Default(enterprise), nil
	}
	if err != nil {
		return nil, dbError("find billing account", err)
	}
	return a, nil
}

// price returns the enterprise's price of one period of plan.
func (t *txn) price(plan, enterprise string) (billing.Price, error) {
	var p billing.Price
	err := t.queryRowStmt(qPrice, plan, enterprise).Scan(&p.AmountMinor, &p.Currency)
	if errors.Is(err, sql.ErrNoRows) {
		return p, opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s is not orderable", plan).Because(opencube.CausePlanUnknown)
	}
	if err != nil {
		return p, dbError("find price", err)
	}
	return p, nil
}

// Balance implements billing.Tx.
func (t *txn) Balance(_ context.Context, enterprise, currency string) (int64, error) {
	var n int64
	if err := t.queryRowStmt(qBalance, enterprise, currency).Scan(&n); err != nil {
		return 0, dbError("find balance", err)
	}
	return n, nil
}

// OrderLines implements billing.Tx.
func (t *txn) OrderLines(_ context.Context, orderID string) ([]*billing.Line, error) {
	rows, err := t.w.conn.QueryContext(t.ctx, `SELECT `+lineColumns+` FROM ledger_lines WHERE order_id = ? ORDER BY created_at, rowid`, orderID)
	if err != nil {
		return nil, dbError("find ledger lines", err)
	}
	return collectLines(rows)
}

func collectLines(rows *sql.Rows) ([]*billing.Line, error) {
	defer rows.Close()
	var out []*billing.Line
	for rows.Next() {
		l, err := scanLine(rows)
		if err != nil {
			return nil, dbError("find ledger lines", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("find ledger lines", err)
	}
	return out, nil
}

// InsertLine implements billing.Tx.
func (t *txn) InsertLine(_ context.Context, l *billing.Line) error {
	if _, err := t.execStmt(qInsertLine, l.ID, l.Enterprise, l.Month, micros(l.CreatedAt), string(l.Kind), l.Currency,
		l.AmountMinor, l.OrderID, l.ICCID, l.PlanCode, l.Periods, l.RequestID, l.PayAmountMinor, l.PayRst, l.Reason); err != nil {
		return dbError("insert ledger line", err)
	}
	if _, err := t.execStmt(qAddBalance, l.Enterprise, l.Currency, l.AmountMinor); err != nil {
		return dbError("insert ledger line", err)
	}
	return nil
}

// PutAccount implements billing.Store.
func (db *DB) PutAccount(ctx context.Context, a *billing.Account) error {
	return db.update(ctx, func(t *txn) error {
		var one int
		err := t.queryRow(`SELECT 1 FROM enterprises WHERE access_code = ?`, a.Enterprise).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return unknownEnterprise(a.Enterprise)
		}
		if err != nil {
			return dbError("put billing account", err)
		}
		_, err = t.exec(`INSERT INTO billing_accounts (`+accountColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (enterprise_code) DO UPDATE SET mode = excluded.mode, currency = excluded.currency,
				credit_limit_minor = excluded.credit_limit_minor, alert_below_minor = excluded.alert_below_minor,
				enforce_price = excluded.enforce_price, updated_at = excluded.updated_at`,
			a.Enterprise, string(a.Mode), a.Currency, a.CreditLimitMinor, a.AlertBelowMinor, a.EnforcePrice, micros(a.UpdatedAt))
		if err != nil {
			return dbError("put billing account", err)
		}
		return nil
	})
}

// FindAccount implements billing.Store.
func (db *DB) FindAccount(ctx context.Context, enterprise string) (*billing.Account, error) {
	a, err := scanAccount(db.read.QueryRowContext(ctx, sqlAccount, enterprise))
	if errors.Is(err, sql.ErrNoRows) {
		return billing.Default(enterprise), nil
	}
	if err != nil {
		return nil, dbError("find billing account", err)
	}
	return a, nil
}

// SetGrantPrice implements billing.Store.
func (db *DB) SetGrantPrice(ctx context.Context, enterprise, plan string, priceMinor *int64) error {
	return db.update(ctx, func(t *txn) error {
		res, err := t.exec(`UPDATE plan_grants SET price_minor = ? WHERE enterprise_code = ? AND plan_code = ?`, priceMinor, enterprise, plan)
		if err != nil {
			return dbError("set grant price", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s is not granted to %s", plan, enterprise).Because(opencube.CausePlanUnknown)
		}
		return nil
	})
}

// UpdateLedger implements billing.Store.
func (db *DB) UpdateLedger(ctx context.Context, fn func(tx billing.Tx) error) error {
	return db.updateOrders(ctx, func(t *txn) error { return fn(t) })
}

// FindBalances implements billing.Store.
func (db *DB) FindBalances(ctx context.Context, enterprise string) ([]billing.Balance, error) {
	return db.balances(ctx, `SELECT currency, SUM(amount_minor) FROM ledger_balances WHERE enterprise_code = ?
		GROUP BY currency ORDER BY currency`, enterprise)
}

// SumBefore implements billing.Store.
func (db *DB) SumBefore(ctx context.Context, enterprise string, month int) ([]billing.Balance, error) {
	return db.balances(ctx, `SELECT currency, SUM(amount_minor) FROM ledger_lines WHERE enterprise_code = ? AND month < ?
		GROUP BY currency ORDER BY currency`, enterprise, month)
}

func (db *DB) balances(ctx context.Context, query string, args ...any) ([]billing.Balance, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, dbError("find balances", err)
	}
	defer rows.Close()
	var out []billing.Balance
	for rows.Next() {
		var b billing.Balance
		if err := rows.Scan(&b.Currency, &b.AmountMinor); err != nil {
			return nil, dbError("find balances", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("find balances", err)
	}
	return out, nil
}

// FindLines implements billing.Store.
func (db *DB) FindLines(ctx context.Context, enterprise string, month int) ([]*billing.Line, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+lineColumns+` FROM ledger_lines WHERE enterprise_code = ? AND month = ?
		ORDER BY created_at, rowid`, enterprise, month)
	if err != nil {
		return nil, dbError("find ledger lines", err)
	}
	return collectLines(rows)
}

// VerifyLedger implements billing.Store.
func (db *DB) VerifyLedger(ctx context.Context) ([]billing.Mismatch, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT e, c, SUM(l), SUM(b) FROM (
			SELECT enterprise_code e, currency c, amount_minor l, 0 b FROM ledger_lines
			UNION ALL SELECT enterprise_code, currency, 0, amount_minor FROM ledger_balances)
		GROUP BY e, c HAVING SUM(l) <> SUM(b) ORDER BY e, c`)
	if err != nil {
		return nil, dbError("verify ledger", err)
	}
	defer rows.Close()
	var out []billing.Mismatch
	for rows.Next() {
		var m billing.Mismatch
		if err := rows.Scan(&m.Enterprise, &m.Currency, &m.LinesMinor, &m.TotalMinor); err != nil {
			return nil, dbError("verify ledger", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("verify ledger", err)
	}
	return out, nil
}

// ExportUsageDays implements billing.Store: rows are read as they come.
func (db *DB) ExportUsageDays(ctx context.Context, enterprise string, from, to int, fn func(*billing.UsageDay) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT iccid, day, bytes FROM usage_days WHERE enterprise_code = ? AND day BETWEEN ? AND ?
		ORDER BY iccid, day`, enterprise, from, to)
	if err != nil {
		return dbError("export usage", err)
	}
	defer rows.Close()
	var u billing.UsageDay
	for rows.Next() {
		if err := rows.Scan(&u.ICCID, &u.Day, &u.Bytes); err != nil {
			return dbError("export usage", err)
		}
		if err := fn(&u); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return dbError("export usage", err)
	}
	return nil
}

// ExportOrderUsage implements billing.Store.
func (db *DB) ExportOrderUsage(ctx context.Context, enterprise string, since, until time.Time, fn func(*billing.OrderUsage) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT id, iccid, plan_code, status, ordered_at, used_bytes FROM orders
		WHERE enterprise_code = ? AND ordered_at < ? AND (ended_at IS NULL OR ended_at >= ?) AND (expires_at IS NULL OR expires_at >= ?)
		ORDER BY ordered_at, id`, enterprise, micros(until), micros(since), micros(since))
	if err != nil {
		return dbError("export order usage", err)
	}
	defer rows.Close()
	var o billing.OrderUsage
	var status, ordered int64
	for rows.Next() {
		if err := rows.Scan(&o.OrderID, &o.ICCID, &o.PlanCode, &status, &ordered, &o.UsedBytes); err != nil {
			return dbError("export order usage", err)
		}
		o.Status, o.OrderedAt = opencube.OrderStatus(status), instant(ordered)
		if err := fn(&o); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return dbError("export order usage", err)
	}
	return nil
}
