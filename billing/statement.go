package billing

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/money"
)

// Amount is an amount of money in minor units, written in JSON as a
// two-decimal string ("12.30").
type Amount int64

// MarshalJSON implements json.Marshaler.
func (a Amount) MarshalJSON() ([]byte, error) { return json.Marshal(money.Format(int64(a))) }

// UnmarshalJSON implements json.Unmarshaler: a two-decimal string,
// negative or not.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	neg := strings.HasPrefix(s, "-")
	n, err := money.Parse(strings.TrimPrefix(s, "-"))
	if err != nil {
		return err
	}
	if neg {
		n = -n
	}
	*a = Amount(n)
	return nil
}

// String returns the amount with two decimals.
func (a Amount) String() string { return money.Format(int64(a)) }

// Statement is what an enterprise owed and paid in one UTC+8 month: per
// currency, the opening balance, every line, the closing balance and the
// totals by plan.
type Statement struct {
	Enterprise     string `json:"enterprise"`
	EnterpriseName string `json:"enterprise_name"`
	Operator       string `json:"operator,omitempty"`
	Mode           Mode   `json:"mode"`
	// Month is yyyymm; the month runs From (inclusive) to Until, UTC+8.
	Month int       `json:"month"`
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
	// Closed says the month closed (ClosesAt passed): it never changes
	// again; corrections land in the open month.
	Closed     bool                `json:"closed"`
	ClosesAt   time.Time           `json:"closes_at"`
	Currencies []CurrencyStatement `json:"currencies"`
}

// CurrencyStatement is a statement's part in one currency.
type CurrencyStatement struct {
	Currency string          `json:"currency"`
	Opening  Amount          `json:"opening_balance"`
	Charges  Amount          `json:"charges"` // the sum of the negative lines
	Credits  Amount          `json:"credits"` // the sum of the positive lines
	Closing  Amount          `json:"closing_balance"`
	Lines    []StatementLine `json:"lines"`
	ByPlan   []PlanTotal     `json:"totals_by_plan"`
}

// StatementLine is a ledger line on a statement, with the balance after it.
type StatementLine struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Kind      Kind      `json:"kind"`
	Amount    Amount    `json:"amount"`
	Balance   Amount    `json:"balance"`
	OrderID   string    `json:"order_id,omitempty"`
	ICCID     string    `json:"iccid,omitempty"`
	PlanCode  string    `json:"plan_code,omitempty"`
	Periods   int       `json:"periods,omitempty"`
	PayAmount Amount    `json:"pay_amount"`
	PayRst    string    `json:"pay_rst,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	RequestID string    `json:"request_id,omitempty"`
}

// PlanTotal is the sum of a plan's lines in a statement.
type PlanTotal struct {
	PlanCode string `json:"plan_code"`
	Lines    int    `json:"lines"`
	Amount   Amount `json:"amount"`
}

// Closes returns when a UTC+8 month closes: grace after its last day.
func Closes(month int, grace time.Duration) time.Time { return MonthEnd(month).Add(grace) }

// BuildStatement assembles the parts of a statement from the balances
// before the month (opening) and the month's lines, oldest first.
func BuildStatement(opening []Balance, lines []*Line) []CurrencyStatement {
	out := []CurrencyStatement{}
	at := map[string]int{}
	part := func(c string) *CurrencyStatement {
		i, ok := at[c]
		if !ok {
			i = len(out)
			at[c] = i
			out = append(out, CurrencyStatement{Currency: c, Lines: []StatementLine{}, ByPlan: []PlanTotal{}})
		}
		return &out[i]
	}
	for _, b := range opening {
		p := part(b.Currency)
		p.Opening, p.Closing = Amount(b.AmountMinor), Amount(b.AmountMinor)
	}
	for _, l := range lines {
		p := part(l.Currency)
		p.Closing += Amount(l.AmountMinor)
		if l.AmountMinor < 0 {
			p.Charges += Amount(l.AmountMinor)
		} else {
			p.Credits += Amount(l.AmountMinor)
		}
		p.Lines = append(p.Lines, StatementLine{ID: l.ID, At: l.CreatedAt, Kind: l.Kind, Amount: Amount(l.AmountMinor), Balance: p.Closing,
			OrderID: l.OrderID, ICCID: l.ICCID, PlanCode: l.PlanCode, Periods: l.Periods, PayAmount: Amount(l.PayAmountMinor),
			PayRst: l.PayRst, Reason: l.Reason, RequestID: l.RequestID})
		if l.PlanCode != "" {
			i := slices.IndexFunc(p.ByPlan, func(t PlanTotal) bool { return t.PlanCode == l.PlanCode })
			if i < 0 {
				i = len(p.ByPlan)
				p.ByPlan = append(p.ByPlan, PlanTotal{PlanCode: l.PlanCode})
			}
			p.ByPlan[i].Lines++
			p.ByPlan[i].Amount += Amount(l.AmountMinor)
		}
	}
	slices.SortFunc(out, func(a, b CurrencyStatement) int {
		if a.Currency < b.Currency {
			return -1
		}
		if a.Currency > b.Currency {
			return 1
		}
		return 0
	})
	for i := range out {
		slices.SortFunc(out[i].ByPlan, func(a, b PlanTotal) int {
			if a.PlanCode < b.PlanCode {
				return -1
			}
			if a.PlanCode > b.PlanCode {
				return 1
			}
			return 0
		})
	}
	return out
}

// businessTime renders t as UTC+8 yyyy-mm-dd hh:mm:ss.
func businessTime(t time.Time) string { return t.In(opencube.BusinessZone).Format(time.DateTime) }

// WriteCSV writes s as CSV: a header, then per currency an opening row,
// a row a line (with the balance after it), the totals by plan and a
// closing row.
func (s *Statement) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"enterprise", "month", "currency", "row", "time_utc8", "kind", "order_id", "iccid", "plan_code", "periods",
		"amount", "balance", "pay_amount", "pay_rst", "reason", "request_id"})
	month := strconv.Itoa(s.Month)
	for _, c := range s.Currencies {
		row := func(kind string, rest ...string) {
			cw.Write(append([]string{s.Enterprise, month, c.Currency, kind}, rest...))
		}
		row("opening", "", "", "", "", "", "", "", c.Opening.String(), "", "", "", "")
		for _, l := range c.Lines {
			periods := ""
			if l.Periods > 0 {
				periods = strconv.Itoa(l.Periods)
			}
			row("line", businessTime(l.At), string(l.Kind), l.OrderID, l.ICCID, l.PlanCode, periods, l.Amount.String(),
				l.Balance.String(), l.PayAmount.String(), l.PayRst, l.Reason, l.RequestID)
		}
		for _, p := range c.ByPlan {
			row("plan_total", "", "", "", "", p.PlanCode, strconv.Itoa(p.Lines), p.Amount.String(), "", "", "", "", "")
		}
		row("closing", "", "", "", "", "", "", "", c.Closing.String(), "", "", "", "")
	}
	cw.Flush()
	return cw.Error()
}

// WritePDF renders s as a PDF document: the operator, the enterprise, the
// month, and per currency the opening balance, the lines, the totals by
// plan and the closing balance.
func (s *Statement) WritePDF(w io.Writer) error {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetTitle(fmt.Sprintf("Statement %s %s", s.Enterprise, FormatMonth(s.Month)), true)
	pdf.SetCreator("opencube", true)
	pdf.SetAutoPageBreak(true, 12)
	pdf.AddPage()
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252: Latin text
	pdf.SetFont("Helvetica", "B", 16)
	title := "Statement"
	if s.Operator != "" {
		title = s.Operator + " - Statement"
	}
	pdf.CellFormat(0, 9, tr(title), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	state := "open"
	if s.Closed {
		state = "closed"
	}
	for _, t := range []string{
		fmt.Sprintf("Enterprise: %s (%s)", s.EnterpriseName, s.Enterprise),
		fmt.Sprintf("Month: %s (UTC+8), %s, billing mode %s", FormatMonth(s.Month), state, s.Mode),
		fmt.Sprintf("Period: %s to %s UTC+8", businessTime(s.From), businessTime(s.Until)),
	} {
		pdf.CellFormat(0, 6, tr(t), "", 1, "L", false, 0, "")
	}
	cols := []struct {
		name  string
		width float64
		align string
	}{{"Time (UTC+8)", 36, "L"}, {"Kind", 22, "L"}, {"Order", 46, "L"}, {"ICCID", 44, "L"}, {"Plan", 34, "L"}, {"Periods", 16, "R"},
		{"Amount", 26, "R"}, {"Balance", 26, "R"}, {"Reason", 27, "L"}}
	for _, c := range s.Currencies {
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 12)
		pdf.CellFormat(0, 7, fmt.Sprintf("%s - opening balance %s", c.Currency, c.Opening), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "B", 8)
		for _, col := range cols {
			pdf.CellFormat(col.width, 6, col.name, "B", 0, col.align, false, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 8)
		for _, l := range c.Lines {
			periods := ""
			if l.Periods > 0 {
				periods = strconv.Itoa(l.Periods)
			}
			for i, v := range []string{businessTime(l.At), string(l.Kind), l.OrderID, l.ICCID, l.PlanCode, periods, l.Amount.String(), l.Balance.String(), l.Reason} {
				pdf.CellFormat(cols[i].width, 5, tr(v), "", 0, cols[i].align, false, 0, "")
			}
			pdf.Ln(-1)
		}
		pdf.Ln(2)
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(0, 6, "Totals by plan", "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		for _, p := range c.ByPlan {
			pdf.CellFormat(0, 5, tr(fmt.Sprintf("%s: %d lines, %s %s", p.PlanCode, p.Lines, p.Amount, c.Currency)), "", 1, "L", false, 0, "")
		}
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(0, 6, fmt.Sprintf("Charges %s, credits %s, closing balance %s %s", c.Charges, c.Credits, c.Closing, c.Currency), "", 1, "L", false, 0, "")
	}
	if len(s.Currencies) == 0 {
		pdf.Ln(4)
		pdf.CellFormat(0, 6, "No lines this month.", "", 1, "L", false, 0, "")
	}
	return pdf.Output(w)
}
