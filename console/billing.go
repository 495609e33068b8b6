package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/operator"
)

// billingView is the billing page's data: the enterprise's settings and
// balances, a month's statement, and (for operators) the forms that set
// the billing mode and record top-ups.
type billingView struct {
	picked
	Account   *admin.BillingAccount
	Balances  []admin.BalanceItem
	Month     int
	Months    []int // the statement months to pick from, newest first
	Statement *billing.Statement
	Operator  bool
	Form      *form // billing settings
	TopUp     *form
}

func (s *Server) billingPage(rq *request) error {
	return s.billingRender(rq, http.StatusOK, enterpriseOf(rq), nil, nil)
}

// billingRender renders the billing page of enterprise code; f and top are
// forms to show again (nil: as stored, empty).
func (s *Server) billingRender(rq *request, status int, code string, f, top *form) error {
	v := &billingView{picked: pickOf(rq, code), Operator: rq.actor.Role == operator.RoleOperator, Form: f, TopUp: top}
	if v.TopUp == nil {
		v.TopUp = newForm(url.Values{})
	}
	if code != "" {
		ctx := rq.r.Context()
		a, err := rq.api.Billing(ctx, code)
		if err != nil {
			return err
		}
		v.Account = a
		b, err := rq.api.Balance(ctx, code)
		if err != nil {
			return err
		}
		v.Balances = b.Balances
		now := a.CurrentMonth
		v.Month = now
		if m, err := billing.ParseMonth("month", rq.r.FormValue("month")); err == nil && m <= now {
			v.Month = m
		}
		for m, i := now, 0; i < 12; i++ {
			v.Months = append(v.Months, m)
			if m%100 == 1 {
				m -= 89
			} else {
				m--
			}
		}
		if v.Statement, err = rq.api.Statement(ctx, code, v.Month); err != nil {
			return err
		}
		if v.Form == nil {
			v.Form = newForm(url.Values{"mode": {a.Mode}, "currency": {a.Currency}, "credit_limit": {a.CreditLimit},
				"alert_below": {a.AlertBelow}, "enforce_price": {strconv.FormatBool(a.EnforcePrice)}})
		}
	}
	return s.renderStatus(rq, status, "billing", view{Title: rq.lang.T("billing.title"), Nav: "billing", Data: v})
}

// billingPut sets the enterprise's billing mode (operators).
func (s *Server) billingPut(rq *request) error {
	code := enterpriseOf(rq)
	f := newForm(rq.r.PostForm)
	req := admin.BillingRequest{Mode: f.Get("mode"), Currency: strings.TrimSpace(f.Get("currency")),
		CreditLimit: admin.Decimal(strings.TrimSpace(f.Get("credit_limit"))), AlertBelow: admin.Decimal(strings.TrimSpace(f.Get("alert_below"))),
		EnforcePrice: f.Get("enforce_price") == "true"}
	if _, err := rq.api.PutBilling(rq.r.Context(), code, req); err != nil {
		if typedWrong(f, err, nil) {
			return s.billingRender(rq, refusalStatus(err), code, f, nil)
		}
		return err
	}
	return redirect(rq, withEnterprise(rq, Prefix+"billing", code), "saved")
}

// billingTopUp records money received (operators).
func (s *Server) billingTopUp(rq *request) error {
	code := enterpriseOf(rq)
	f := newForm(rq.r.PostForm)
	req := admin.TopUpRequest{Amount: admin.Decimal(strings.TrimSpace(f.Get("amount"))), Currency: strings.TrimSpace(f.Get("currency")),
		Reason: strings.TrimSpace(f.Get("reason"))}
	if _, err := rq.api.TopUp(rq.r.Context(), code, req); err != nil {
		if typedWrong(f, err, nil) {
			return s.billingRender(rq, refusalStatus(err), code, nil, f)
		}
		return err
	}
	return redirect(rq, withEnterprise(rq, Prefix+"billing", code), "toppedup")
}

// billingDownload answers a month's statement as CSV or PDF.
func (s *Server) billingDownload(rq *request) error {
	code := enterpriseOf(rq)
	month, err := billing.ParseMonth("month", rq.r.PathValue("month"))
	if err != nil {
		return err
	}
	format := rq.r.PathValue("format")
	types := map[string]string{"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}
	if types[format] == "" {
		return s.notFound(rq)
	}
	var buf strings.Builder
	if err := rq.api.StatementFile(rq.r.Context(), &buf, code, month, format); err != nil {
		return err
	}
	h := rq.w.Header()
	h.Set("Content-Type", types[format])
	h.Set("Content-Disposition", "attachment; filename=\"statement-"+code+"-"+strconv.Itoa(month)+"."+format+"\"")
	h.Set("Cache-Control", "no-store")
	_, err = rq.w.Write([]byte(buf.String()))
	return err
}

// billingTexts are the billing page's texts.
var billingTexts = texts{
	"nav.billing":             {"Billing", "计费"},
	"billing.title":           {"Billing", "计费"},
	"billing.about":           {"Every priced move (an order, a renewal, a cancel's refund, a shop sale, a top-up, an adjustment) is a line of the ledger; the balance is their sum, negative when owed.", "每一笔计价操作（订购、续订、取消退款、商城销售、充值、调整）都是账本中的一行；余额为各行之和，负数表示欠款。"},
	"billing.settings":        {"Settings", "计费设置"},
	"billing.mode":            {"Billing mode", "计费模式"},
	"billing.prepaid":         {"Prepaid", "预付费"},
	"billing.postpaid":        {"Postpaid", "后付费"},
	"billing.currency":        {"Currency", "币种"},
	"billing.credit":          {"Credit limit", "信用额度"},
	"billing.alert":           {"Alert below", "余额预警阈值"},
	"billing.enforce":         {"pay_amount must be the price", "pay_amount 须等于价格"},
	"billing.yes":             {"Yes", "是"},
	"billing.no":              {"No", "否"},
	"billing.balances":        {"Balance", "余额"},
	"billing.nobalance":       {"No ledger line yet.", "账本中还没有记录。"},
	"billing.statement":       {"Statement", "对账单"},
	"billing.month":           {"Month (UTC+8)", "月份（UTC+8）"},
	"billing.open":            {"Open: it may still change.", "未结：仍可能变化。"},
	"billing.closed":          {"Closed: it never changes.", "已结：不再变化。"},
	"billing.opening":         {"Opening balance", "期初余额"},
	"billing.closing":         {"Closing balance", "期末余额"},
	"billing.charges":         {"Charges", "扣费"},
	"billing.credits":         {"Credits", "入账"},
	"billing.time":            {"Time (UTC+8)", "时间（UTC+8）"},
	"billing.kind":            {"Kind", "类型"},
	"billing.amount":          {"Amount", "金额"},
	"billing.after":           {"Balance after", "变动后余额"},
	"billing.order":           {"Order", "订单"},
	"billing.reason":          {"Reason", "原因"},
	"billing.byplan":          {"Totals by plan", "按套餐合计"},
	"billing.nolines":         {"No line this month.", "本月没有记录。"},
	"billing.csv":             {"Download CSV", "下载 CSV"},
	"billing.pdf":             {"Download PDF", "下载 PDF"},
	"billing.save":            {"Save the settings", "保存设置"},
	"billing.topup":           {"Record a top-up", "登记充值"},
	"billing.topupamount":     {"Amount received", "收到金额"},
	"billing.topupreason":     {"Reference (optional)", "备注（可选）"},
	"billing.topupsave":       {"Record it", "登记"},
	"billing.modehint":        {"Prepaid refuses an order beyond the balance plus the credit limit (code 2008).", "预付费企业的订单金额超过余额与信用额度之和时将被拒绝（2008）。"},
	"notice.toppedup":         {"The top-up is on the ledger.", "充值已记入账本。"},
	"billing.kind.order":      {"Order", "订购"},
	"billing.kind.renewal":    {"Renewal", "续订"},
	"billing.kind.refund":     {"Refund", "退款"},
	"billing.kind.mall_sale":  {"Mall sale", "商城销售"},
	"billing.kind.esim_sale":  {"eSIM sale", "eSIM 销售"},
	"billing.kind.topup":      {"Top-up", "充值"},
	"billing.kind.adjustment": {"Adjustment", "调整"},
}
