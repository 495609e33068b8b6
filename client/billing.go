package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/billing"
)

// PutBilling sets an enterprise's billing account (PUT .../billing).
func (a *Admin) PutBilling(ctx context.Context, accessCode string, r admin.BillingRequest) (*admin.BillingAccount, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out admin.BillingAccount
	if err := a.send(ctx, http.MethodPut, admin.EnterprisePath(accessCode, "billing"), "", r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Billing returns an enterprise's billing account.
func (a *Admin) Billing(ctx context.Context, accessCode string) (*admin.BillingAccount, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out admin.BillingAccount
	if err := a.send(ctx, http.MethodGet, admin.EnterprisePath(accessCode, "billing"), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetGrantPrice sets the enterprise's own price of one period of a
// granted plan ("12.50"); "" removes it.
func (a *Admin) SetGrantPrice(ctx context.Context, accessCode, plan, price string) error {
	if err := requireCode(accessCode); err != nil {
		return err
	}
	return a.send(ctx, http.MethodPut, admin.EnterprisePath(accessCode, "plans/"+url.PathEscape(plan)+"/price"), "",
		admin.GrantPriceRequest{Price: admin.Decimal(price)}, nil)
}

// TopUp credits an enterprise with money received.
func (a *Admin) TopUp(ctx context.Context, accessCode string, r admin.TopUpRequest) (*admin.LedgerLine, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out admin.LedgerLine
	if err := a.send(ctx, http.MethodPost, admin.EnterprisePath(accessCode, "topups"), "", r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Adjust writes an operator's correction to an enterprise's ledger.
func (a *Admin) Adjust(ctx context.Context, accessCode string, r admin.AdjustmentRequest) (*admin.LedgerLine, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out admin.LedgerLine
	if err := a.send(ctx, http.MethodPost, admin.EnterprisePath(accessCode, "adjustments"), "", r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Balance returns an enterprise's balances.
func (a *Admin) Balance(ctx context.Context, accessCode string) (*admin.Balances, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out admin.Balances
	if err := a.send(ctx, http.MethodGet, admin.EnterprisePath(accessCode, "balance"), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Statement returns an enterprise's statement of a UTC+8 month (yyyymm).
func (a *Admin) Statement(ctx context.Context, accessCode string, month int) (*billing.Statement, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out billing.Statement
	if err := a.send(ctx, http.MethodGet, admin.EnterprisePath(accessCode, "statements/"+strconv.Itoa(month)), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// StatementFile writes an enterprise's statement of a month to w as csv
// or pdf.
func (a *Admin) StatementFile(ctx context.Context, w io.Writer, accessCode string, month int, format string) error {
	if err := requireCode(accessCode); err != nil {
		return err
	}
	path := admin.EnterprisePath(accessCode, "statements/"+strconv.Itoa(month)) + "?format=" + url.QueryEscape(format)
	return a.send(ctx, http.MethodGet, path, "", nil, w)
}

// ExportUsage writes an enterprise's usage of a month to w as CSV, per
// SIM per day ("day") or per order ("order"), as the server streams it.
func (a *Admin) ExportUsage(ctx context.Context, w io.Writer, accessCode string, month int, per string) error {
	if err := requireCode(accessCode); err != nil {
		return err
	}
	q := url.Values{"month": {strconv.Itoa(month)}}
	if per != "" {
		q.Set("per", per)
	}
	return a.send(ctx, http.MethodGet, admin.EnterprisePath(accessCode, "usage-export")+"?"+q.Encode(), "", nil, w)
}

// VerifyLedger checks every running balance against its ledger lines.
func (a *Admin) VerifyLedger(ctx context.Context) (*admin.LedgerCheck, error) {
	var out admin.LedgerCheck
	if err := a.send(ctx, http.MethodGet, admin.Prefix+"ledger/verify", "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
