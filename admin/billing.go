package admin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/money"
)

// Billing serves the billing routes: accounts, grant prices, top-ups and
// adjustments, balances, statements, the usage export and the ledger
// check (service.Billing). They answer 404 when it is nil.
type Billing interface {
	PutAccount(ctx context.Context, a *billing.Account) (*billing.Account, error)
	Account(ctx context.Context, code string) (*billing.Account, error)
	SetGrantPrice(ctx context.Context, code, plan string, priceMinor *int64) error
	Credit(ctx context.Context, code string, kind billing.Kind, amount int64, currency, reason string, month int) (*billing.Line, error)
	Balances(ctx context.Context, code string) ([]billing.Balance, error)
	Statement(ctx context.Context, code string, month int) (*billing.Statement, error)
	ExportUsage(ctx context.Context, w io.Writer, code string, month int, per string) error
	VerifyLedger(ctx context.Context) ([]billing.Mismatch, error)
	// CurrentMonth is the UTC+8 month (yyyymm) of the server's business
	// clock: the open month.
	CurrentMonth() int
}

// BillingRequest sets an enterprise's billing account.
type BillingRequest struct {
	// Mode is prepaid or postpaid.
	Mode string `json:"mode"`
	// Currency is the enterprise's currency (ISO 4217), required when
	// prepaid.
	Currency string `json:"currency,omitempty"`
	// CreditLimit is how far below zero a prepaid balance may go.
	CreditLimit Decimal `json:"credit_limit,omitempty"`
	// AlertBelow sends a balance_alert event when a prepaid balance falls
	// under it ("0" or absent: never).
	AlertBelow Decimal `json:"alert_below,omitempty"`
	// EnforcePrice makes a CSSS pay_amount other than the price answer
	// 2002.
	EnforcePrice bool `json:"enforce_price,omitempty"`
}

// BillingAccount is an enterprise's billing account as the API shows it.
type BillingAccount struct {
	Enterprise   string `json:"enterprise"`
	Mode         string `json:"mode"`
	Currency     string `json:"currency"`
	CreditLimit  string `json:"credit_limit"`
	AlertBelow   string `json:"alert_below"`
	EnforcePrice bool   `json:"enforce_price"`
	// CurrentMonth is the month (yyyymm, UTC+8) lines are written to now.
	CurrentMonth int `json:"current_month"`
}

// AccountOf returns the API form of a in month, the current one.
func AccountOf(a *billing.Account, month int) BillingAccount {
	return BillingAccount{Enterprise: a.Enterprise, Mode: string(a.Mode), Currency: a.Currency, CreditLimit: money.Format(a.CreditLimitMinor),
		AlertBelow: money.Format(a.AlertBelowMinor), EnforcePrice: a.EnforcePrice, CurrentMonth: month}
}

// TopUpRequest credits an enterprise with money received.
type TopUpRequest struct {
	Amount   Decimal `json:"amount"`
	Currency string  `json:"currency"`
	Reason   string  `json:"reason,omitempty"`
}

// AdjustmentRequest corrects an enterprise's ledger with a new line.
type AdjustmentRequest struct {
	// Amount is signed: "-2.50" charges, "2.50" credits.
	Amount   Decimal `json:"amount"`
	Currency string  `json:"currency"`
	Reason   string  `json:"reason"`
	// Month (yyyymm) places the line in a month still open; the current
	// one when absent.
	Month string `json:"month,omitempty"`
}

// GrantPriceRequest sets an enterprise's own price of one period of a
// granted plan; an empty price removes it (the list price applies).
type GrantPriceRequest struct {
	Price Decimal `json:"price"`
}

// LedgerLine is a ledger line as the API shows it.
type LedgerLine struct {
	ID         string `json:"id"`
	Enterprise string `json:"enterprise"`
	Month      int    `json:"month"`
	At         string `json:"at"`
	Kind       string `json:"kind"`
	Currency   string `json:"currency"`
	Amount     string `json:"amount"`
	OrderID    string `json:"order_id,omitempty"`
	Reason     string `json:"reason,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
}

// BalanceItem is a balance in one currency.
type BalanceItem struct {
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
}

// Balances answers GET .../balance.
type Balances struct {
	Balances []BalanceItem `json:"balances"`
}

// LedgerCheck answers GET /admin/v1/ledger/verify.
type LedgerCheck struct {
	OK         bool             `json:"ok"`
	Mismatches []LedgerMismatch `json:"mismatches"`
}

// LedgerMismatch is a running balance that differs from its lines.
type LedgerMismatch struct {
	Enterprise string `json:"enterprise"`
	Currency   string `json:"currency"`
	Lines      string `json:"lines"`
	Running    string `json:"running"`
}

// Download is an answer that is not JSON (a CSV or PDF file): Write
// writes it as it is made.
type Download struct {
	ContentType string
	Filename    string
	Write       func(w io.Writer) error
}

func (s *Server) billing() (Billing, error) {
	if s.Billing == nil {
		return nil, &opencube.Error{Kind: KindNoRoute, Message: "billing is not served"}
	}
	return s.Billing, nil
}

// optionalAmount reads an optional non-negative amount of field.
func optionalAmount(field string, d Decimal) (int64, error) {
	if d == "" {
		return 0, nil
	}
	n, err := money.Parse(string(d))
	if err != nil {
		return 0, opencube.Invalid(field, "%s %q is not a non-negative amount with at most two decimals", field, d)
	}
	return n, nil
}

// putBilling sets an enterprise's billing account.
func (s *Server) putBilling(r *http.Request) (int, any, error) {
	b, err := s.billing()
	if err != nil {
		return 0, nil, err
	}
	var req BillingRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	code := r.PathValue("code")
	a := &billing.Account{Enterprise: code, Mode: billing.Mode(req.Mode), Currency: strings.ToUpper(req.Currency), EnforcePrice: req.EnforcePrice}
	if a.CreditLimitMinor, err = optionalAmount("credit_limit", req.CreditLimit); err != nil {
		return 0, nil, err
	}
	if a.AlertBelowMinor, err = optionalAmount("alert_below", req.AlertBelow); err != nil {
		return 0, nil, err
	}
	SetAudit(r, "enterprise:"+code, code, fmt.Sprintf("billing %s %s credit %s", a.Mode, a.Currency, money.Format(a.CreditLimitMinor)))
	if a, err = b.PutAccount(r.Context(), a); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, AccountOf(a, b.CurrentMonth()), nil
}

// findBilling shows an enterprise's billing account.
func (s *Server) findBilling(r *http.Request) (int, any, error) {
	b, err := s.billing()
	if err != nil {
		return 0, nil, err
	}
	a, err := b.Account(r.Context(), r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, AccountOf(a, b.CurrentMonth()), nil
}

// putGrantPrice sets an enterprise's own price of a granted plan.
func (s *Server) putGrantPrice(r *http.Request) (int, any, error) {
	b, err := s.billing()
	if err != nil {
		return 0, nil, err
	}
	var req GrantPriceRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	var price *int64
	if req.Price != "" {
		n, err := money.Parse(string(req.Price))
		if err != nil {
			return 0, nil, opencube.Invalid("price", "price %q is not a non-negative amount with at most two decimals", req.Price)
		}
		price = &n
	}
	code, plan := r.PathValue("code"), r.PathValue("plan")
	SetAudit(r, "plan:"+plan, code, fmt.Sprintf("price of plan %s for %s: %q", plan, code, req.Price))
	if err := b.SetGrantPrice(r.Context(), code, plan, price); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func lineOf(l *billing.Line) LedgerLine {
	return LedgerLine{ID: l.ID, Enterprise: l.Enterprise, Month: l.Month, At: l.CreatedAt.Format("2006-01-02T15:04:05Z07:00"), Kind: string(l.Kind),
		Currency: l.Currency, Amount: money.Format(l.AmountMinor), OrderID: l.OrderID, Reason: l.Reason, RequestID: l.RequestID}
}

// topUp credits an enterprise with money received.
func (s *Server) topUp(r *http.Request) (int, any, error) {
	b, err := s.billing()
	if err != nil {
		return 0, nil, err
	}
	var req TopUpRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.Amount == "" {
		return 0, nil, opencube.Invalid("amount", "amount is required")
	}
	n, err := optionalAmount("amount", req.Amount)
	if err != nil {
		return 0, nil, err
	}
	code := r.PathValue("code")
	SetAudit(r, "enterprise:"+code, code, fmt.Sprintf("top-up %s %s %s", req.Amount, req.Currency, req.Reason))
	l, err := b.Credit(r.Context(), code, billing.KindTopUp, n, strings.ToUpper(req.Currency), req.Reason, 0)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, lineOf(l), nil
}

// adjust writes an operator's correction.
func (s *Server) adjust(r *http.Request) (int, any, error) {
	b, err := s.billing()
	if err != nil {
		return 0, nil, err
	}
	var req AdjustmentRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	amount, neg := string(req.Amount), false
	if rest, ok := strings.CutPrefix(amount, "-"); ok {
		amount, neg = rest, true
	}
	if amount == "" {
		return 0, nil, opencube.Invalid("amount", "amount is required")
	}
	n, err := optionalAmount("amount", Decimal(amount))
	if err != nil {
		return 0, nil, err
	}
	if neg {
		n = -n
	}
	month := 0
	if req.Month != "" {
		if month, err = billing.ParseMonth("month", req.Month); err != nil {
			return 0, nil, err
		}
	}
	code := r.PathValue("code")
	SetAudit(r, "enterprise:"+code, code, fmt.Sprintf("adjustment %s %s: %s", req.Amount, req.Currency, req.Reason))
	l, err := b.Credit(r.Context(), code, billing.KindAdjustment, n, strings.ToUpper(req.Currency), req.Reason, month)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, lineOf(l), nil
}

// balance answers an enterprise's balances.
func (s *Server) balance(r *http.Request) (int, any, error) {
	b, err := s.billing()
	if err != nil {
		return 0, nil, err
	}
	bs, err := b.Balances(r.Context(), r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	out := Balances{Balances: []BalanceItem{}}
	for _, x := range bs {
		out.Balances = append(out.Balances, BalanceItem{Currency: x.Currency, Amount: money.Format(x.AmountMinor)})
	}
	return http.StatusOK, out, nil
}

// statement answers a month's statement as JSON, CSV or PDF (?format=).
func (s *Server) statement(r *http.Request) (int, any, error) {
	b, err := s.billing()
	if err != nil {
		return 0, nil, err
	}
	month, err := billing.ParseMonth("month", r.PathValue("month"))
	if err != nil {
		return 0, nil, err
	}
	format := r.URL.Query().Get("format")
	switch format {
	case "", "json", "csv", "pdf":
	default:
		return 0, nil, opencube.MustBe("format", "json, csv or pdf")
	}
	code := r.PathValue("code")
	st, err := b.Statement(r.Context(), code, month)
	if err != nil {
		return 0, nil, err
	}
	name := fmt.Sprintf("statement-%s-%d", code, month)
	var buf bytes.Buffer
	switch format {
	case "csv":
		err = st.WriteCSV(&buf)
		return http.StatusOK, &Download{ContentType: "text/csv; charset=utf-8", Filename: name + ".csv", Write: bufWriter(&buf)}, err
	case "pdf":
		err = st.WritePDF(&buf)
		return http.StatusOK, &Download{ContentType: "application/pdf", Filename: name + ".pdf", Write: bufWriter(&buf)}, err
	}
	return http.StatusOK, st, nil
}

func bufWriter(b *bytes.Buffer) func(io.Writer) error {
	return func(w io.Writer) error { _, err := b.WriteTo(w); return err }
}

// usageExport streams an enterprise's usage of a month as CSV.
func (s *Server) usageExport(r *http.Request) (int, any, error) {
	b, err := s.billing()
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	if q.Get("month") == "" {
		return 0, nil, opencube.Invalid("month", "month (yyyymm) is required")
	}
	month, err := billing.ParseMonth("month", q.Get("month"))
	if err != nil {
		return 0, nil, err
	}
	per := q.Get("per")
	switch per {
	case "":
		per = billing.UsagePerDay
	case billing.UsagePerDay, billing.UsagePerOrder:
	default:
		return 0, nil, opencube.MustBe("per", "day or order")
	}
	code := r.PathValue("code")
	// Checked before the answer starts, so an unknown enterprise is a 404.
	if _, err := b.Account(r.Context(), code); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	return http.StatusOK, &Download{ContentType: "text/csv; charset=utf-8", Filename: fmt.Sprintf("usage-%s-%d-%s.csv", code, month, per),
		Write: func(w io.Writer) error { return b.ExportUsage(ctx, w, code, month, per) }}, nil
}

// verifyLedger compares every running balance with its lines.
func (s *Server) verifyLedger(r *http.Request) (int, any, error) {
	b, err := s.billing()
	if err != nil {
		return 0, nil, err
	}
	ms, err := b.VerifyLedger(r.Context())
	if err != nil {
		return 0, nil, err
	}
	out := LedgerCheck{OK: len(ms) == 0, Mismatches: []LedgerMismatch{}}
	for _, m := range ms {
		out.Mismatches = append(out.Mismatches, LedgerMismatch{Enterprise: m.Enterprise, Currency: m.Currency,
			Lines: money.Format(m.LinesMinor), Running: money.Format(m.TotalMinor)})
	}
	return http.StatusOK, out, nil
}

// writeDownload writes a Download answer. An error once the answer has
// begun aborts the connection, so the client sees a cut answer, never a
// complete-looking one.
func (s *Server) writeDownload(w http.ResponseWriter, r *http.Request, status int, d *Download) {
	w.Header().Set("Content-Type", d.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", d.Filename))
	// A long export outlives --write-timeout: the deadline is lifted (the
	// client's reading paces it).
	http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.WriteHeader(status)
	if err := d.Write(w); err != nil {
		logger := s.Logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.ErrorContext(r.Context(), "admin: download cut short", "route", r.Pattern, "err", err)
		panic(http.ErrAbortHandler)
	}
}
