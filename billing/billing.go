package billing

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/opencube/opencube"
)

// Mode says how an enterprise pays.
type Mode string

// Billing modes.
const (
	// Postpaid enterprises (the default) accrue charges, per currency; a
	// statement says what is owed.
	Postpaid Mode = "postpaid"
	// Prepaid enterprises pay ahead: a move priced beyond the balance
	// plus the credit limit is refused (opencube.KindQuota, CSSS 2008).
	Prepaid Mode = "prepaid"
)

// Account is an enterprise's billing settings.
type Account struct {
	Enterprise string
	Mode       Mode
	// Currency is the one currency a prepaid enterprise is billed in
	// (upper case ISO 4217); "" for a postpaid one without a preference.
	Currency string
	// CreditLimitMinor is how far below zero a prepaid balance may go.
	CreditLimitMinor int64
	// AlertBelowMinor is the balance under which a prepaid enterprise is
	// sent a balance_alert event; 0 for none.
	AlertBelowMinor int64
	// EnforcePrice makes a CSSS pay_amount that differs from the price
	// answer 2002 naming the price.
	EnforcePrice bool
	UpdatedAt    time.Time
}

// Default is the account of an enterprise the operator never configured:
// postpaid, nothing enforced.
func Default(enterprise string) *Account {
	return &Account{Enterprise: enterprise, Mode: Postpaid}
}

// Validate checks a's settings.
func (a *Account) Validate() error {
	switch a.Mode {
	case Prepaid, Postpaid:
	default:
		return opencube.MustBe("mode", "prepaid or postpaid")
	}
	if a.Mode == Prepaid && a.Currency == "" {
		return opencube.Invalid("currency", "a prepaid enterprise needs a currency")
	}
	if a.Currency != "" && !currencyCode(a.Currency) {
		return opencube.Invalid("currency", "currency %q is not three upper-case letters", a.Currency)
	}
	return nil
}

// currencyCode reports whether s looks like an ISO 4217 code.
func currencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// CheckCurrency returns a KindInvalid error naming field unless s is three
// upper-case letters.
func CheckCurrency(field, s string) error {
	if !currencyCode(s) {
		return opencube.Invalid(field, "%s %q is not three upper-case letters (ISO 4217)", field, s)
	}
	return nil
}

// Kind is what a ledger line prices.
type Kind string

// Ledger line kinds.
const (
	KindOrder      Kind = "order"      // a new order: its price, negative
	KindRenewal    Kind = "renewal"    // periods added to an order, negative
	KindRefund     Kind = "refund"     // a not-enabled order cancelled: its charges back, positive
	KindMallSale   Kind = "mall_sale"  // a paid Mall order: the amount paid, negative
	KindESIMSale   Kind = "esim_sale"  // a paid eSIM QR Mall order: the amount paid, negative
	KindTopUp      Kind = "topup"      // money the operator received, positive
	KindAdjustment Kind = "adjustment" // an operator's correction with a reason, either sign
)

// Line is one line of the ledger: never updated or deleted (a correction
// is a new line).
type Line struct {
	ID         string
	Enterprise string
	// Month is the UTC+8 month (yyyymm) whose statement holds the line.
	Month     int
	CreatedAt time.Time
	Kind      Kind
	Currency  string
	// AmountMinor is signed from the enterprise's side: a charge is
	// negative, a top-up or refund positive.
	AmountMinor int64
	OrderID     string
	ICCID       string
	PlanCode    string
	// Periods is the number of periods an order or renewal line prices.
	Periods int
	// RequestID is the id of the request that made the change.
	RequestID string
	// PayAmountMinor and PayRst are the customer's own figures (CSSS
	// pay_amount and pay_rst), recorded as they came.
	PayAmountMinor int64
	PayRst         string
	Reason         string
}

// Balance is an amount of one currency.
type Balance struct {
	Currency    string
	AmountMinor int64
}

// Price is what one period of a plan costs an enterprise.
type Price struct {
	AmountMinor int64
	Currency    string
}

// Mismatch is an enterprise's currency whose running balance differs from
// the sum of its lines (Store.VerifyLedger).
type Mismatch struct {
	Enterprise string
	Currency   string
	LinesMinor int64 // the sum of the lines
	TotalMinor int64 // the running total
}

// UsageDay is a SIM's usage of one UTC+8 day.
type UsageDay struct {
	ICCID string
	Day   int // yyyymmdd
	Bytes int64
}

// OrderUsage is an order's used volume, for the usage export.
type OrderUsage struct {
	OrderID   string
	ICCID     string
	PlanCode  string
	Status    opencube.OrderStatus
	OrderedAt time.Time
	UsedBytes int64
}

// Tx is the ledger inside an order transaction (opencube.OrderTx): both
// stores' order transactions implement it.
type Tx interface {
	// Terms returns, in one read, the enterprise's account (Default when
	// it has none) and its price of one period of the plan: its grant's
	// price when set, else the plan's list price; KindPlanNotOrderable
	// when the plan is not granted to it.
	Terms(ctx context.Context, enterprise, plan string) (*Account, Price, error)
	// HoldAccount returns the enterprise's account (Default when it has
	// none) and keeps other transactions from charging the enterprise
	// until this one ends (a prepaid check).
	HoldAccount(ctx context.Context, enterprise string) (*Account, error)
	// Balance returns the enterprise's balance in currency.
	Balance(ctx context.Context, enterprise, currency string) (int64, error)
	// OrderLines returns the lines of an order, oldest first.
	OrderLines(ctx context.Context, orderID string) ([]*Line, error)
	// InsertLine appends l to the ledger and adds it to the running
	// balance.
	InsertLine(ctx context.Context, l *Line) error
}

// Store keeps billing accounts, grant prices and the ledger.
type Store interface {
	// PutAccount sets an enterprise's account; KindUnauthenticated when
	// the enterprise is unknown.
	PutAccount(ctx context.Context, a *Account) error
	// FindAccount returns the enterprise's account, Default when it has
	// none.
	FindAccount(ctx context.Context, enterprise string) (*Account, error)
	// SetGrantPrice sets (or, nil, removes) the enterprise's own price of
	// a granted plan; KindPlanNotOrderable when the plan is not granted.
	SetGrantPrice(ctx context.Context, enterprise, plan string, priceMinor *int64) error
	// UpdateLedger runs fn in one transaction with the ledger (a top-up or
	// an adjustment, with the audit entry ctx carries).
	UpdateLedger(ctx context.Context, fn func(tx Tx) error) error
	// FindBalances returns the enterprise's balances from the running
	// totals, currency order.
	FindBalances(ctx context.Context, enterprise string) ([]Balance, error)
	// FindLines returns the enterprise's lines of a UTC+8 month, oldest
	// first.
	FindLines(ctx context.Context, enterprise string, month int) ([]*Line, error)
	// SumBefore returns the sums of the enterprise's lines of the months
	// before month, per currency.
	SumBefore(ctx context.Context, enterprise string, month int) ([]Balance, error)
	// VerifyLedger compares every running balance with the sum of its
	// lines and returns those that differ.
	VerifyLedger(ctx context.Context) ([]Mismatch, error)
	// ExportUsageDays calls fn for each SIM's usage of each UTC+8 day of
	// the enterprise in days from-to (yyyymmdd), ICCID then day order,
	// reading as it goes.
	ExportUsageDays(ctx context.Context, enterprise string, from, to int, fn func(*UsageDay) error) error
	// ExportOrderUsage calls fn for each order of the enterprise that was
	// ordered before until and not over before since, order time order.
	ExportOrderUsage(ctx context.Context, enterprise string, since, until time.Time, fn func(*OrderUsage) error) error
}

// MonthOf returns the UTC+8 month (yyyymm) of t.
func MonthOf(t time.Time) int {
	b := t.In(opencube.BusinessZone)
	return b.Year()*100 + int(b.Month())
}

// MonthStart returns the first instant of a UTC+8 month (yyyymm).
func MonthStart(month int) time.Time {
	return time.Date(month/100, time.Month(month%100), 1, 0, 0, 0, 0, opencube.BusinessZone)
}

// MonthEnd returns the first instant after a UTC+8 month.
func MonthEnd(month int) time.Time { return MonthStart(month).AddDate(0, 1, 0) }

// ParseMonth reads a month as yyyymm, years 2000-9999, naming field when
// it is not one.
func ParseMonth(field, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || len(s) != 6 || n/100 < opencube.MinYear || n/100 > opencube.MaxYear || n%100 < 1 || n%100 > 12 {
		return 0, opencube.Invalid(field, "%s %q is not a month yyyymm", field, s)
	}
	return n, nil
}

// FormatMonth renders a month as yyyy-mm.
func FormatMonth(month int) string { return fmt.Sprintf("%04d-%02d", month/100, month%100) }

type customerAmountKey struct{}

// WithCustomerAmount returns ctx saying that the pay_amount of its order
// requests is the customer's own figure (CSSS), which enforce_price
// compares with the price; the amounts the server fills in itself (Cube
// v4, the admin API) are not compared.
func WithCustomerAmount(ctx context.Context) context.Context {
	return context.WithValue(ctx, customerAmountKey{}, true)
}

// CustomerAmount reports whether ctx says so (WithCustomerAmount).
func CustomerAmount(ctx context.Context) bool {
	ok, _ := ctx.Value(customerAmountKey{}).(bool)
	return ok
}

type requestIDKey struct{}

// WithRequestID returns ctx naming the request its ledger lines are
// written for, where the store writes them (an eSIM sale).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id WithRequestID put in ctx, "" when
// none.
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ESIMSale returns the ledger line of a paid eSIM QR Mall order: the
// amount paid, charged to the enterprise.
func ESIMSale(ctx context.Context, id, enterprise, iccid, plan, currency string, paid int64, periods int, at time.Time) *Line {
	return &Line{ID: opencube.NewUUID(), Enterprise: enterprise, Month: MonthOf(at), CreatedAt: at, Kind: KindESIMSale,
		Currency: currency, AmountMinor: -paid, OrderID: id, ICCID: iccid, PlanCode: plan, Periods: periods,
		RequestID: RequestIDFrom(ctx), PayAmountMinor: paid, PayRst: "1"}
}
