package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/billing"
)

func (c *adminCLI) billingSet(args []string) error {
	fs := c.flags("billing set")
	code := fs.String("access-code", "", "enterprise access code")
	mode := fs.String("mode", "", "prepaid or postpaid")
	currency := fs.String("currency", "", "the enterprise's currency (ISO 4217; required when prepaid)")
	credit := fs.String("credit-limit", "", "how far below zero a prepaid balance may go (such as 100.00)")
	alert := fs.String("alert-below", "", "send a balance_alert event when a prepaid balance falls under this")
	enforce := fs.Bool("enforce-price", false, "a CSSS pay_amount other than the price answers 2002")
	if err := parse(fs, args, 0, "access-code", "mode"); err != nil {
		return err
	}
	a, err := c.admin.PutBilling(c.ctx, *code, admin.BillingRequest{Mode: *mode, Currency: *currency,
		CreditLimit: admin.Decimal(*credit), AlertBelow: admin.Decimal(*alert), EnforcePrice: *enforce})
	if err != nil {
		return err
	}
	return c.printAccount(a)
}

func (c *adminCLI) printAccount(a *admin.BillingAccount) error {
	return c.print(a, "%s: %s %s, credit limit %s, alert below %s, enforce price %t", a.Enterprise, a.Mode, a.Currency, a.CreditLimit, a.AlertBelow, a.EnforcePrice)
}

func (c *adminCLI) billingShow(args []string) error {
	fs := c.flags("billing show")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	a, err := c.admin.Billing(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	return c.printAccount(a)
}

func (c *adminCLI) billingPrice(args []string) error {
	fs := c.flags("billing price")
	code := fs.String("access-code", "", "enterprise access code")
	plan := fs.String("plan", "", "a plan granted to it")
	price := fs.String("price", "", "its price of one period (empty: the plan's list price)")
	if err := parse(fs, args, 0, "access-code", "plan"); err != nil {
		return err
	}
	if err := c.admin.SetGrantPrice(c.ctx, *code, *plan, *price); err != nil {
		return err
	}
	if *price == "" {
		return c.print(map[string]string{"enterprise": *code, "plan": *plan}, "%s pays the list price of %s", *code, *plan)
	}
	return c.print(map[string]string{"enterprise": *code, "plan": *plan, "price": *price}, "%s pays %s a period of %s", *code, *price, *plan)
}

func (c *adminCLI) printLine(l *admin.LedgerLine) error {
	return c.print(l, "%s %s %s %s on %s's ledger (month %d)", l.Kind, l.Amount, l.Currency, l.ID, l.Enterprise, l.Month)
}

func (c *adminCLI) billingTopUp(args []string) error {
	fs := c.flags("billing topup")
	code := fs.String("access-code", "", "enterprise access code")
	amount := fs.String("amount", "", "money received, such as 100.00")
	currency := fs.String("currency", "", "its currency (ISO 4217)")
	reason := fs.String("reason", "", "what it was (a bank reference)")
	if err := parse(fs, args, 0, "access-code", "amount", "currency"); err != nil {
		return err
	}
	l, err := c.admin.TopUp(c.ctx, *code, admin.TopUpRequest{Amount: admin.Decimal(*amount), Currency: *currency, Reason: *reason})
	if err != nil {
		return err
	}
	return c.printLine(l)
}

func (c *adminCLI) billingAdjust(args []string) error {
	fs := c.flags("billing adjust")
	code := fs.String("access-code", "", "enterprise access code")
	amount := fs.String("amount", "", "signed amount: -2.50 charges, 2.50 credits")
	currency := fs.String("currency", "", "its currency (ISO 4217)")
	reason := fs.String("reason", "", "why")
	month := fs.String("month", "", "the month (yyyymm) whose statement takes it, while still open (default: the current one)")
	if err := parse(fs, args, 0, "access-code", "amount", "currency", "reason"); err != nil {
		return err
	}
	l, err := c.admin.Adjust(c.ctx, *code, admin.AdjustmentRequest{Amount: admin.Decimal(*amount), Currency: *currency, Reason: *reason, Month: *month})
	if err != nil {
		return err
	}
	return c.printLine(l)
}

func (c *adminCLI) billingBalance(args []string) error {
	fs := c.flags("billing balance")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	b, err := c.admin.Balance(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	parts := []string{}
	for _, x := range b.Balances {
		parts = append(parts, x.Amount+" "+x.Currency)
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing yet")
	}
	return c.print(b, "%s: %s", fs.Arg(0), strings.Join(parts, ", "))
}

// output returns where a file answer goes: --out, or standard output.
func (c *adminCLI) output(path string) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		return c.stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

func (c *adminCLI) billingStatement(args []string) error {
	fs := c.flags("billing statement")
	code := fs.String("access-code", "", "enterprise access code")
	month := fs.String("month", "", "the UTC+8 month, yyyymm")
	format := fs.String("format", "", "text (a summary; the default), json, csv or pdf")
	out := fs.String("out", "", "write to this file (csv, pdf) instead of standard output")
	if err := parse(fs, args, 0, "access-code", "month"); err != nil {
		return err
	}
	m, err := billing.ParseMonth("month", *month)
	if err != nil {
		return badUsage(fs, errors.New("--month must be yyyymm"))
	}
	if *format == "csv" || *format == "pdf" {
		w, done, err := c.output(*out)
		if err != nil {
			return err
		}
		if err := c.admin.StatementFile(c.ctx, w, *code, m, *format); err != nil {
			done()
			return err
		}
		return done()
	}
	if *format != "" && *format != "json" && *format != "text" {
		return badUsage(fs, errors.New("--format must be text, json, csv or pdf"))
	}
	s, err := c.admin.Statement(c.ctx, *code, m)
	if err != nil {
		return err
	}
	if *format == "json" {
		c.json = true
	}
	var b strings.Builder
	state := "open"
	if s.Closed {
		state = "closed"
	}
	fmt.Fprintf(&b, "%s %s (%s)", s.Enterprise, billing.FormatMonth(s.Month), state)
	for _, cur := range s.Currencies {
		fmt.Fprintf(&b, "\n  %s: opening %s, charges %s, credits %s, closing %s (%d lines)", cur.Currency, cur.Opening, cur.Charges, cur.Credits, cur.Closing, len(cur.Lines))
	}
	return c.print(s, "%s", b.String())
}

func (c *adminCLI) usageExport(args []string) error {
	fs := c.flags("usage export")
	code := fs.String("access-code", "", "enterprise access code")
	month := fs.String("month", "", "the UTC+8 month, yyyymm")
	per := fs.String("per", "day", "day: a row per SIM per UTC+8 day; order: a row per order with its used volume")
	out := fs.String("out", "", "write to this file instead of standard output")
	if err := parse(fs, args, 0, "access-code", "month"); err != nil {
		return err
	}
	m, err := billing.ParseMonth("month", *month)
	if err != nil {
		return badUsage(fs, errors.New("--month must be yyyymm"))
	}
	w, done, err := c.output(*out)
	if err != nil {
		return err
	}
	if err := c.admin.ExportUsage(c.ctx, w, *code, m, *per); err != nil {
		done()
		return err
	}
	return done()
}

// errLedgerMismatch is the failure of a ledger check that found running
// balances that differ from their lines.
var errLedgerMismatch = errors.New("running balances differ from their ledger lines")

func (c *adminCLI) ledgerVerify(args []string) error {
	fs := c.flags("ledger verify")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	r, err := c.admin.VerifyLedger(c.ctx)
	if err != nil {
		return err
	}
	var b strings.Builder
	if r.OK {
		b.WriteString("ledger ok: every running balance is the sum of its lines")
	}
	for _, m := range r.Mismatches {
		fmt.Fprintf(&b, "%s %s: lines sum to %s, running balance %s\n", m.Enterprise, m.Currency, m.Lines, m.Running)
	}
	if err := c.print(r, "%s", strings.TrimSuffix(b.String(), "\n")); err != nil {
		return err
	}
	if !r.OK {
		return errLedgerMismatch
	}
	return nil
}
