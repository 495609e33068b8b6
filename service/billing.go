package service

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/money"
)

// ledgerOf returns the ledger side of an order transaction.
func ledgerOf(tx opencube.OrderTx) (billing.Tx, error) {
	lt, ok := tx.(billing.Tx)
	if !ok {
		return nil, fmt.Errorf("service: the store's transaction %T keeps no ledger", tx)
	}
	return lt, nil
}

// mul returns a*b, false when it overflows (a, b >= 0).
func mul(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	return int64(lo), hi == 0 && lo <= 1<<63-1
}

// charge prices orders (new, of one plan and request r, or renewed when r
// is nil) at periods each and writes a ledger line an order, in tx. A
// prepaid enterprise whose balance and credit limit do not cover them
// all, or whose currency is not the price's, is refused (KindQuota)
// before any line is written; with enforce_price, a customer's own
// pay_amount (billing.CustomerAmount) other than the price is refused
// (KindPlanNotOrderable naming the price). A balance
// that falls under the enterprise's alert threshold writes a
// balance_alert event.
func charge(ctx context.Context, tx opencube.OrderTx, now time.Time, kind billing.Kind, plan string, periods int, r *opencube.OrderRequest, orders ...*opencube.Order) error {
	if len(orders) == 0 {
		return nil
	}
	q, err := quote(ctx, tx, now, orders[0].EnterpriseCode, kind, plan, periods, len(orders), r)
	if err != nil {
		return err
	}
	return q.book(ctx, tx, orders...)
}

// quoted is a charge checked and not yet written: its price, and what the
// enterprise's account allows.
type quoted struct {
	lt      billing.Tx
	now     time.Time
	code    string
	kind    billing.Kind
	plan    string
	periods int
	r       *opencube.OrderRequest
	acct    *billing.Account
	price   billing.Price
	each    int64
	total   int64
	before  int64
	prepaid bool
}

// quote checks the charge of n orders of code's plan at periods each, as
// charge does, and writes nothing: a change that must refuse a SIM before
// it writes anything of it quotes first and books once it is written.
func quote(ctx context.Context, tx opencube.OrderTx, now time.Time, code string, kind billing.Kind, plan string, periods, n int, r *opencube.OrderRequest) (*quoted, error) {
	lt, err := ledgerOf(tx)
	if err != nil {
		return nil, err
	}
	acct, price, err := lt.Terms(ctx, code, plan)
	if err != nil {
		return nil, err
	}
	each, ok := mul(price.AmountMinor, int64(periods))
	total, ok2 := mul(each, int64(n))
	if !ok || !ok2 {
		return nil, opencube.Invalid("order_period", "the price of %d periods of plan %s is too large", periods, plan)
	}
	if r != nil && acct.EnforcePrice && billing.CustomerAmount(ctx) && r.PayAmountMinor != each {
		return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "pay_amount must be %s %s", money.Format(each), price.Currency).
			Because(opencube.CausePrice, "pay_amount", money.Format(each), price.Currency)
	}
	q := &quoted{lt: lt, now: now, code: code, kind: kind, plan: plan, periods: periods, r: r, price: price, each: each, total: total}
	if acct.Mode == billing.Prepaid {
		if acct, err = lt.HoldAccount(ctx, code); err != nil {
			return nil, err
		}
	}
	q.acct, q.prepaid = acct, acct.Mode == billing.Prepaid
	if q.prepaid {
		if price.Currency != acct.Currency {
			return nil, opencube.Errorf(opencube.KindQuota, "plan %s is priced in %s, the enterprise is billed in %s", plan, price.Currency, acct.Currency).
				Because(opencube.CauseBillingCurrency, plan, price.Currency, acct.Currency)
		}
		if q.before, err = lt.Balance(ctx, code, acct.Currency); err != nil {
			return nil, err
		}
		if q.before-total < -acct.CreditLimitMinor {
			return nil, opencube.Errorf(opencube.KindQuota, "the balance of %s %s (credit limit %s) does not cover %s %s",
				money.Format(q.before), acct.Currency, money.Format(acct.CreditLimitMinor), money.Format(total), acct.Currency).
				Because(opencube.CauseBalance, money.Format(q.before), acct.Currency, money.Format(acct.CreditLimitMinor), money.Format(total))
		}
	}
	return q, nil
}

// book writes q's ledger line for each of orders (as many as quoted) and,
// when the balance falls under the alert threshold, its balance_alert.
func (q *quoted) book(ctx context.Context, tx opencube.OrderTx, orders ...*opencube.Order) error {
	for _, o := range orders {
		l := newLine(ctx, q.now, q.code, q.kind, q.price.Currency, -q.each)
		l.OrderID, l.ICCID, l.PlanCode, l.Periods = o.ID, o.ICCID, q.plan, q.periods
		if q.r != nil {
			l.PayAmountMinor, l.PayRst = q.r.PayAmountMinor, q.r.PayRst
		}
		if err := q.lt.InsertLine(ctx, l); err != nil {
			return err
		}
	}
	acct := q.acct
	if q.prepaid && acct.AlertBelowMinor > 0 && q.before >= acct.AlertBelowMinor && q.before-q.total < acct.AlertBelowMinor {
		return tx.InsertEvent(ctx, balanceAlert(orders[0], q.now, acct, q.before-q.total))
	}
	return nil
}

// newLine returns a ledger line of the request ctx belongs to, at now.
func newLine(ctx context.Context, now time.Time, code string, kind billing.Kind, currency string, amount int64) *billing.Line {
	id := metrics.RequestID(ctx)
	if id == "" {
		id = billing.RequestIDFrom(ctx)
	}
	return &billing.Line{ID: opencube.NewUUID(), Enterprise: code, Month: billing.MonthOf(now), CreatedAt: now, Kind: kind,
		Currency: currency, AmountMinor: amount, RequestID: id}
}

// balanceAlert is the balance_alert event of a prepaid balance that fell
// under the alert threshold with order o.
func balanceAlert(o *opencube.Order, now time.Time, acct *billing.Account, balance int64) *opencube.Event {
	e := opencube.NewEvent(opencube.EventBalanceAlert, o)
	e.CreatedAt = now
	data, _ := json.Marshal(map[string]string{
		"currency": acct.Currency, "balance": money.Format(balance), "alert_below": money.Format(acct.AlertBelowMinor),
	})
	e.Data = string(data)
	return e
}

// refund writes the lines that give back what an order was charged (its
// order, renewal and sale lines, less refunds), one a currency, when a
// not-enabled order is cancelled.
func refund(ctx context.Context, tx opencube.OrderTx, now time.Time, o *opencube.Order) error {
	lt, err := ledgerOf(tx)
	if err != nil {
		return err
	}
	lines, err := lt.OrderLines(ctx, o.ID)
	if err != nil {
		return err
	}
	var currencies []string
	sums := map[string]int64{}
	for _, l := range lines {
		if _, ok := sums[l.Currency]; !ok {
			currencies = append(currencies, l.Currency)
		}
		sums[l.Currency] += l.AmountMinor
	}
	for _, c := range currencies {
		if sums[c] >= 0 {
			continue
		}
		l := newLine(ctx, now, o.EnterpriseCode, billing.KindRefund, c, -sums[c])
		l.OrderID, l.ICCID, l.PlanCode = o.ID, o.ICCID, o.PlanCode
		if err := lt.InsertLine(ctx, l); err != nil {
			return err
		}
	}
	return nil
}

// sale writes the line of a Mall sale: the amount the consumer paid, for
// order o.
func sale(ctx context.Context, tx opencube.OrderTx, now time.Time, kind billing.Kind, o *opencube.Order, currency string, paid int64, periods int) error {
	lt, err := ledgerOf(tx)
	if err != nil {
		return err
	}
	l := newLine(ctx, now, o.EnterpriseCode, kind, currency, -paid)
	l.OrderID, l.ICCID, l.PlanCode, l.Periods, l.PayAmountMinor, l.PayRst = o.ID, o.ICCID, o.PlanCode, periods, paid, "1"
	return lt.InsertLine(ctx, l)
}

// Billing is the operator's side of billing: accounts, grant prices,
// top-ups and adjustments, balances, statements, the usage export and the
// ledger check.
type Billing struct {
	Store BillingStore
	Clock opencube.Clock
	// Grace is how long after its last UTC+8 day a month stays open.
	Grace time.Duration
	// OperatorName heads the statements.
	OperatorName string
}

// BillingStore is what Billing reads and writes.
type BillingStore interface {
	billing.Store
	opencube.EnterpriseStore
}

// PutAccount sets an enterprise's billing account.
func (b *Billing) PutAccount(ctx context.Context, a *billing.Account) (*billing.Account, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	a.UpdatedAt = b.Clock.Now()
	if err := b.Store.PutAccount(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Account returns an enterprise's billing account; KindUnauthenticated
// when the enterprise is unknown.
func (b *Billing) Account(ctx context.Context, code string) (*billing.Account, error) {
	if _, err := b.Store.FindEnterprise(ctx, code); err != nil {
		return nil, err
	}
	return b.Store.FindAccount(ctx, code)
}

// SetGrantPrice sets (nil: removes) the enterprise's own price of one
// period of a granted plan.
func (b *Billing) SetGrantPrice(ctx context.Context, code, plan string, priceMinor *int64) error {
	return b.Store.SetGrantPrice(ctx, code, plan, priceMinor)
}

// Credit writes a top-up (kind billing.KindTopUp, a positive amount) or
// an adjustment (billing.KindAdjustment, either sign, with a reason) to an
// enterprise's ledger. month (yyyymm, 0 for the current one) places an
// adjustment in a month still open; a closed month is refused. A prepaid
// enterprise is credited in its own currency only.
func (b *Billing) Credit(ctx context.Context, code string, kind billing.Kind, amount int64, currency, reason string, month int) (*billing.Line, error) {
	if err := billing.CheckCurrency("currency", currency); err != nil {
		return nil, err
	}
	switch {
	case kind == billing.KindTopUp && amount <= 0:
		return nil, opencube.Invalid("amount", "a top-up is a positive amount")
	case kind == billing.KindAdjustment && amount == 0:
		return nil, opencube.Invalid("amount", "an adjustment is not zero")
	case kind == billing.KindAdjustment && reason == "":
		return nil, opencube.Invalid("reason", "an adjustment needs a reason")
	case len(reason) > 500:
		return nil, opencube.Invalid("reason", "reason is longer than 500 bytes")
	}
	now := b.Clock.Now()
	current := billing.MonthOf(now)
	if month == 0 {
		month = current
	}
	if month > current {
		return nil, opencube.Invalid("month", "month %d has not begun", month)
	}
	if !now.Before(billing.Closes(month, b.Grace)) {
		return nil, opencube.Invalid("month", "month %d is closed: corrections land in the open month", month)
	}
	acct, err := b.Account(ctx, code)
	if err != nil {
		return nil, err
	}
	if acct.Mode == billing.Prepaid && currency != acct.Currency {
		return nil, opencube.Invalid("currency", "the enterprise is billed in %s", acct.Currency)
	}
	l := newLine(ctx, now, code, kind, currency, amount)
	l.Month, l.Reason = month, reason
	err = b.Store.UpdateLedger(ctx, func(tx billing.Tx) error {
		if acct.Mode != billing.Prepaid || amount >= 0 || acct.AlertBelowMinor <= 0 {
			return tx.InsertLine(ctx, l)
		}
		// A debit of a prepaid account that takes its balance under the
		// alert threshold alerts, as a charge does.
		held, err := tx.HoldAccount(ctx, code)
		if err != nil {
			return err
		}
		before, err := tx.Balance(ctx, code, currency)
		if err != nil {
			return err
		}
		if err := tx.InsertLine(ctx, l); err != nil {
			return err
		}
		ev, ok := tx.(interface {
			InsertEvent(context.Context, *opencube.Event) error
		})
		if !ok || before < held.AlertBelowMinor || before+amount >= held.AlertBelowMinor {
			return nil
		}
		return ev.InsertEvent(ctx, balanceAlert(&opencube.Order{EnterpriseCode: code}, now, held, before+amount))
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Balances returns an enterprise's balances, from the running totals.
func (b *Billing) Balances(ctx context.Context, code string) ([]billing.Balance, error) {
	if _, err := b.Store.FindEnterprise(ctx, code); err != nil {
		return nil, err
	}
	return b.Store.FindBalances(ctx, code)
}

// Statement returns an enterprise's statement of a UTC+8 month (yyyymm).
func (b *Billing) Statement(ctx context.Context, code string, month int) (*billing.Statement, error) {
	e, err := b.Store.FindEnterprise(ctx, code)
	if err != nil {
		return nil, err
	}
	now := b.Clock.Now()
	if month > billing.MonthOf(now) {
		return nil, opencube.Invalid("month", "month %d has not begun", month)
	}
	acct, err := b.Store.FindAccount(ctx, code)
	if err != nil {
		return nil, err
	}
	opening, err := b.Store.SumBefore(ctx, code, month)
	if err != nil {
		return nil, err
	}
	lines, err := b.Store.FindLines(ctx, code, month)
	if err != nil {
		return nil, err
	}
	closes := billing.Closes(month, b.Grace)
	return &billing.Statement{
		Enterprise: code, EnterpriseName: e.Name, Operator: b.OperatorName, Mode: acct.Mode, Month: month,
		From: billing.MonthStart(month), Until: billing.MonthEnd(month), Closed: !now.Before(closes), ClosesAt: closes,
		Currencies: billing.BuildStatement(opening, lines),
	}, nil
}

// ExportUsage writes an enterprise's usage of a UTC+8 month as CSV, per
// SIM per day (billing.UsagePerDay) or per order (billing.UsagePerOrder).
func (b *Billing) ExportUsage(ctx context.Context, w io.Writer, code string, month int, per string) error {
	if _, err := b.Store.FindEnterprise(ctx, code); err != nil {
		return err
	}
	return billing.ExportUsage(ctx, b.Store, w, code, month, per)
}

// CurrentMonth returns the UTC+8 month of the business clock.
func (b *Billing) CurrentMonth() int { return billing.MonthOf(b.Clock.Now()) }

// VerifyLedger compares every running balance with the sum of its lines.
func (b *Billing) VerifyLedger(ctx context.Context) ([]billing.Mismatch, error) {
	return b.Store.VerifyLedger(ctx)
}
