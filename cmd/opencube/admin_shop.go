package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/shop"
)

// timeFlags reads the --from and --to flags of a list (RFC 3339).
func timeFlags(fs *flag.FlagSet, from, to string, into ...*time.Time) error {
	for i, t := range []struct{ name, s string }{{"from", from}, {"to", to}} {
		if t.s == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.s)
		if err != nil {
			return badUsage(fs, fmt.Errorf("--%s %q is not an RFC 3339 time", t.name, t.s))
		}
		*into[i] = v
	}
	return nil
}

func (c *adminCLI) mallOrders(args []string) error {
	fs := c.flags("mall orders")
	ent := fs.String("access-code", "", "only this enterprise's orders")
	iccid := fs.String("iccid", "", "only this SIM's orders")
	status := fs.String("status", "", "paid, pending or failed")
	from := fs.String("from", "", "created at or after, RFC 3339")
	to := fs.String("to", "", "created before, RFC 3339")
	count := fs.Bool("count", false, "count them all (up to 10,000)")
	limit, cursor := pageFlags(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	q := operator.MallOrderQuery{Enterprise: *ent, ICCID: *iccid, Status: operator.MallOrderStatus(*status),
		Page: operator.Page{Limit: *limit, Cursor: *cursor, Count: *count}}
	if err := timeFlags(fs, *from, *to, &q.From, &q.To); err != nil {
		return err
	}
	l, err := c.admin.ListMallOrders(c.ctx, q)
	if err != nil {
		return err
	}
	return table(c, l, "no Mall orders match", "ORDER NO\tENTERPRISE\tICCID\tPLAN\tAMOUNT\tPAYMENT\tSTATUS\tSIM ORDER\tCREATED",
		func(m *shop.MallOrder) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", m.OrderNo, m.EnterpriseCode, m.ICCID, m.PackageCode,
				formatPrice(m.PayAmountMinor, m.PayCurrency), dash(strings.Trim(m.PayProvider+" "+m.PayID, " ")), mallStatus(m), dash(m.OrderID), when(m.CreatedAt))
		})
}

func (c *adminCLI) mallOrder(args []string) error {
	fs := c.flags("mall order")
	ent := fs.String("access-code", "", "the order's enterprise")
	if err := parse(fs, args, 1, "access-code"); err != nil {
		return err
	}
	d, err := c.admin.MallOrder(c.ctx, *ent, fs.Arg(0))
	if err != nil {
		return err
	}
	if c.structured() {
		return c.print(d, "")
	}
	m := d.MallOrder
	var b strings.Builder
	fmt.Fprintf(&b, "Mall order %s of %s on SIM %s: plan %s, %d period(s), %s, %s\n", m.OrderNo, m.EnterpriseCode, m.ICCID, m.PackageCode,
		m.OrderPeriod, formatPrice(m.PayAmountMinor, m.PayCurrency), mallStatus(m))
	fmt.Fprintf(&b, "created %s; payment %s\n", when(m.CreatedAt), dash(strings.Trim(m.PayProvider+" "+m.PayID, " ")))
	if m.AutoRenewal || m.SubscriptionID != "" {
		fmt.Fprintf(&b, "auto-renewal %t, subscription %s, %d renewal(s) paid%s\n", m.AutoRenewal, dash(m.SubscriptionID), m.Renewals,
			map[bool]string{true: ", stopped: " + m.RenewalStopped, false: ""}[m.RenewalStopped != ""])
	}
	if o := d.Order; o != nil {
		fmt.Fprintf(&b, "SIM order %s: plan %s, status %d, expires %s\n", o.ID, o.PlanCode, o.Status, whenp(o.ExpiresAt))
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}

// mallStatus is a Mall order's payment status: paid, pending or failed.
func mallStatus(m *shop.MallOrder) string {
	switch {
	case m.Paid:
		return string(operator.MallPaid)
	case m.PayFailed:
		return string(operator.MallFailed)
	}
	return string(operator.MallPending)
}

// esimStatus names an eSIM order's status.
func esimStatus(s shop.ESIMOrderStatus) string {
	for name, st := range admin.ESIMOrderStatuses {
		if st == s {
			return name
		}
	}
	return fmt.Sprint(int(s))
}

func (c *adminCLI) esimOrders(args []string) error {
	fs := c.flags("esim orders")
	ent := fs.String("access-code", "", "only this enterprise's orders")
	iccid := fs.String("iccid", "", "only the orders of this eSIM profile")
	status := fs.String("status", "", "waiting, paid, failed or cancelled")
	from := fs.String("from", "", "created at or after, RFC 3339")
	to := fs.String("to", "", "created before, RFC 3339")
	count := fs.Bool("count", false, "count them all (up to 10,000)")
	limit, cursor := pageFlags(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	q := operator.ESIMOrderQuery{Enterprise: *ent, ICCID: *iccid, Page: operator.Page{Limit: *limit, Cursor: *cursor, Count: *count}}
	if *status != "" {
		st, ok := admin.ESIMOrderStatuses[*status]
		if !ok {
			return badUsage(fs, fmt.Errorf("--status %q is not waiting, paid, failed or cancelled", *status))
		}
		q.Status = &st
	}
	if err := timeFlags(fs, *from, *to, &q.From, &q.To); err != nil {
		return err
	}
	l, err := c.admin.ListESIMOrders(c.ctx, q)
	if err != nil {
		return err
	}
	return table(c, l, "no eSIM orders match", "ORDER\tENTERPRISE\tICCID\tPLAN\tAMOUNT\tPAYMENT\tSTATUS\tSIM ORDER\tCREATED",
		func(o *shop.ESIMOrder) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", o.ID, o.EnterpriseCode, dash(o.ICCID), o.PackageCode,
				formatPrice(o.AmountMinor, o.Currency), dash(strings.Trim(o.PaymentProvider+" "+o.PaymentRef, " ")), esimStatus(o.Status), dash(o.SIMOrderID), when(o.CreatedAt))
		})
}

func (c *adminCLI) esimOrder(args []string) error {
	fs := c.flags("esim order")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	d, err := c.admin.ESIMOrder(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	if c.structured() {
		return c.print(d, "")
	}
	o := d.Order
	var b strings.Builder
	fmt.Fprintf(&b, "eSIM order %s of %s by %s: plan %d %s (%s), %d period(s), %s, %s\n", o.ID, o.EnterpriseCode, o.Email, o.PlanID, o.PackageCode,
		o.PlanName, o.PeriodNum, formatPrice(o.AmountMinor, o.Currency), esimStatus(o.Status))
	fmt.Fprintf(&b, "created %s, paid %s; payment %s\n", when(o.CreatedAt), whenp(o.PaidAt), dash(strings.Trim(o.PaymentProvider+" "+o.PaymentRef, " ")))
	if d.Profile != nil {
		fmt.Fprintf(&b, "profile %s (%s), IMSI %s\n", d.Profile.ICCID, d.Profile.State, d.Profile.IMSI)
	}
	if d.IsSIM {
		fmt.Fprintf(&b, "SIM %s, order %s\n", o.ICCID, dash(o.SIMOrderID))
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}

func (c *adminCLI) paymentList(args []string) error {
	fs := c.flags("payment list")
	ent := fs.String("access-code", "", "only this enterprise's payments")
	iccid := fs.String("iccid", "", "only the payments of this SIM's orders")
	shopName := fs.String("shop", "", "mall or esim")
	status := fs.String("status", "", "succeeded, failed or pending")
	from := fs.String("from", "", "order created at or after, RFC 3339")
	to := fs.String("to", "", "order created before, RFC 3339")
	count := fs.Bool("count", false, "count them all (up to 10,000)")
	limit, cursor := pageFlags(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	q := operator.PaymentQuery{Enterprise: *ent, ICCID: *iccid, Shop: *shopName, Status: operator.PaymentStatus(*status),
		Page: operator.Page{Limit: *limit, Cursor: *cursor, Count: *count}}
	if err := timeFlags(fs, *from, *to, &q.From, &q.To); err != nil {
		return err
	}
	l, err := c.admin.ListPayments(c.ctx, q)
	if err != nil {
		return err
	}
	return table(c, l, "no payments match", "SHOP\tORDER\tENTERPRISE\tICCID\tAMOUNT\tPROVIDER\tREFERENCE\tSTATUS\tRENEWALS\tSIM ORDER",
		func(p *operator.Payment) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s", p.Shop, p.OrderNo, p.Enterprise, dash(p.ICCID), formatPrice(p.AmountMinor, p.Currency),
				dash(p.Provider), dash(p.Reference), p.Status, p.Renewals, dash(p.SIMOrderID))
		})
}

func (c *adminCLI) mallGroups(args []string) error {
	fs := c.flags("mall groups")
	ent := fs.String("access-code", "", "only this enterprise's groups")
	count := fs.Bool("count", false, "count them all (up to 10,000)")
	limit, cursor := pageFlags(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	l, err := c.admin.ListGroups(c.ctx, operator.GroupQuery{Enterprise: *ent, Page: operator.Page{Limit: *limit, Cursor: *cursor, Count: *count}})
	if err != nil {
		return err
	}
	return table(c, l, "no bundle groups match", "ENTERPRISE\tGROUP\tNAME\tBASE PLAN\tSIMS\tCREATED",
		func(g *shop.BundleGroup) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%d\t%s", g.EnterpriseCode, g.ID, dash(g.Name), g.BasePlan, g.SIMs, when(g.CreatedAt))
		})
}

func (c *adminCLI) mallGroup(args []string) error {
	fs := c.flags("mall group")
	ent := fs.String("access-code", "", "the group's enterprise")
	if err := parse(fs, args, 1, "access-code"); err != nil {
		return err
	}
	d, err := c.admin.Group(c.ctx, *ent, fs.Arg(0))
	if err != nil {
		return err
	}
	if c.structured() {
		return c.print(d, "")
	}
	g := d.Group
	var b strings.Builder
	fmt.Fprintf(&b, "bundle group %s (%s) of %s: base plan %s, %d SIM(s)\n", g.ID, dash(g.Name), g.EnterpriseCode, g.BasePlan, len(d.SIMs))
	for _, s := range d.SIMs {
		fmt.Fprintf(&b, "  %s  added %s\n", s.ICCID, when(s.AddedAt))
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}
