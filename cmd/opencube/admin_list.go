package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// The operator's lists and detail pages: a table for people, JSON with
// --json; a page at a time (--limit, --cursor), the next page's cursor
// under the table.

// pageFlags adds --limit and --cursor to fs.
func pageFlags(fs *flag.FlagSet) (limit *int, cursor *string) {
	limit = fs.Int("limit", 0, "items a page, 1-500 (the server's default: 50)")
	cursor = fs.String("cursor", "", "the page after the one that printed this cursor")
	return limit, cursor
}

// boolFlag is an optional true/false flag.
type boolFlag struct{ v *bool }

func (b *boolFlag) String() string {
	if b.v == nil {
		return ""
	}
	return strconv.FormatBool(*b.v)
}

func (b *boolFlag) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	b.v = &v
	return nil
}

func (b *boolFlag) IsBoolFlag() bool { return true }

// table prints a page as a table: header, one row a line, the next cursor;
// or none when the page is empty (first page) or JSON with --json.
func table[T any](c *adminCLI, l *operator.List[T], none, header string, row func(T) string) error {
	if c.structured() {
		return c.print(l, "")
	}
	if len(l.Items) == 0 {
		if l.Next == nil {
			return c.print(nil, "%s", none)
		}
	}
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, header)
	for _, it := range l.Items {
		fmt.Fprintln(w, row(it))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if l.Total != nil {
		capped := ""
		if l.Capped {
			capped = " or more"
		}
		fmt.Fprintf(c.stdout, "%d%s in all\n", *l.Total, capped)
	}
	if l.Next != nil {
		fmt.Fprintf(c.stdout, "next page: --cursor %s\n", *l.Next)
	}
	return nil
}

// when formats an instant in UTC+8, as the protocols show times.
func when(t time.Time) string { return t.In(opencube.BusinessZone).Format(time.DateTime) }

// whenp is when of an optional instant, "-" when nil.
func whenp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return when(*t)
}

// dash is s, or "-" when empty.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (c *adminCLI) enterpriseList(args []string) error {
	fs := c.flags("enterprise list")
	q := fs.String("q", "", "an access code prefix, or a part of the name (any case)")
	status := fs.String("status", "", "active or disabled")
	count := fs.Bool("count", false, "count them all (up to 10,000)")
	limit, cursor := pageFlags(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	l, err := c.admin.ListEnterprises(c.ctx, operator.EnterpriseQuery{Q: *q, Status: opencube.EnterpriseStatus(*status),
		Page: operator.Page{Limit: *limit, Cursor: *cursor, Count: *count}})
	if err != nil {
		return err
	}
	return table(c, l, "no enterprises match", "ACCESS CODE\tNAME\tSTATUS\tSECRETS\tCREATED",
		func(e *admin.Enterprise) string {
			return fmt.Sprintf("%s\t%s\t%s\t%d\t%s", e.AccessCode, dash(e.Name), dash(string(e.Status)), e.Secrets, when(e.CreatedAt))
		})
}

func (c *adminCLI) simList(args []string) error {
	fs := c.flags("sim list")
	ent := fs.String("access-code", "", "only this enterprise's SIMs")
	status := fs.String("status", "", "inventory, active, suspended or terminated")
	var online, inUse boolFlag
	fs.Var(&online, "online", "only SIMs with an open data session (--online=false: without)")
	fs.Var(&inUse, "in-use", "only SIMs with an order in use (--in-use=false: without)")
	q := fs.String("q", "", "digits: the start of an ICCID, IMSI or MSISDN")
	count := fs.Bool("count", false, "count them all (up to 10,000)")
	limit, cursor := pageFlags(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	l, err := c.admin.ListSIMs(c.ctx, operator.SIMQuery{Enterprise: *ent, Status: opencube.SIMStatus(*status), Online: online.v, InUse: inUse.v,
		Q: *q, Page: operator.Page{Limit: *limit, Cursor: *cursor, Count: *count}})
	if err != nil {
		return err
	}
	return table(c, l, "no SIMs match", "ICCID\tIMSI\tMSISDN\tENTERPRISE\tSTATUS\tOTA",
		func(s *opencube.SIM) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", s.ICCID, s.IMSI, dash(s.MSISDN), s.EnterpriseCode, s.Status, yesNo(s.OTA))
		})
}

func (c *adminCLI) sessionList(args []string) error {
	fs := c.flags("session list")
	ent := fs.String("access-code", "", "only this enterprise's sessions")
	iccid := fs.String("iccid", "", "only this SIM's sessions")
	count := fs.Bool("count", false, "count them all (up to 10,000)")
	limit, cursor := pageFlags(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	l, err := c.admin.ListSessions(c.ctx, operator.SessionQuery{Enterprise: *ent, ICCID: *iccid,
		Page: operator.Page{Limit: *limit, Cursor: *cursor, Count: *count}})
	if err != nil {
		return err
	}
	return table(c, l, "no open sessions", "ICCID\tENTERPRISE\tNAS\tSESSION\tSTARTED\tLAST RECORD\tBYTES IN\tBYTES OUT",
		func(s *opencube.DataSession) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d", s.ICCID, s.EnterpriseCode, s.NAS, s.ID, when(s.StartedAt), when(s.LastAt),
				s.InputBytes, s.OutputBytes)
		})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (c *adminCLI) simShow(args []string) error {
	fs := c.flags("sim show")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	d, err := c.admin.SIM(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	if c.structured() {
		return c.print(d, "")
	}
	s := d.SIM
	var b strings.Builder
	fmt.Fprintf(&b, "SIM %s (IMSI %s, MSISDN %s) of %s: %s%s\n", s.ICCID, s.IMSI, dash(s.MSISDN), s.EnterpriseCode, s.Status, map[bool]string{true: ", OTA"}[s.OTA])
	if o := d.Order; o != nil {
		fmt.Fprintf(&b, "order in use: %s %s (%s), used %s of %s, expires %s\n", o.ID, o.PlanCode, o.PlanName,
			formatVolume(o.UsedBytes), formatVolume(o.VolumeBytes), whenp(o.ExpiresAt))
	} else {
		b.WriteString("no order in use\n")
	}
	fmt.Fprintf(&b, "orders: %d recent\n", len(d.RecentOrders))
	for _, o := range d.RecentOrders {
		fmt.Fprintf(&b, "  %s  %s  status %d  ordered %s\n", o.ID, o.PlanCode, o.Status, when(o.OrderedAt))
	}
	fmt.Fprintf(&b, "open sessions: %d\n", len(d.Sessions))
	for _, ss := range d.Sessions {
		fmt.Fprintf(&b, "  %s/%s  since %s, last %s, %s in, %s out\n", ss.NAS, ss.ID, when(ss.StartedAt), when(ss.LastAt),
			formatVolume(ss.InputBytes), formatVolume(ss.OutputBytes))
	}
	var total int64
	for _, u := range d.Usage {
		total += u.Bytes
	}
	fmt.Fprintf(&b, "usage, last %d days: %s on %d day(s)\n", operator.UsageDays, formatVolume(total), len(d.Usage))
	if m := d.LastSMS; m != nil {
		fmt.Fprintf(&b, "last SMS: %s %s %s at %s\n", m.ID, m.Direction, m.State, when(m.CreatedAt))
	}
	if p := d.Provisioning; p != nil {
		fmt.Fprintf(&b, "register: %s", p.State)
		if p.LastError != "" {
			fmt.Fprintf(&b, " (%s)", p.LastError)
		}
		b.WriteString("\n")
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}

func (c *adminCLI) orderList(args []string) error {
	fs := c.flags("order list")
	ent := fs.String("access-code", "", "only this enterprise's orders")
	iccid := fs.String("iccid", "", "only this SIM's orders")
	status := fs.Int("status", 0, "only orders in this state: 1 not enabled, 2 in use, 3 suspended, 4 expired, 5 ended, 6 cancelled")
	plan := fs.String("plan", "", "only orders of this plan code")
	from := fs.String("from", "", "ordered at or after, RFC 3339")
	to := fs.String("to", "", "ordered before, RFC 3339")
	count := fs.Bool("count", false, "count them all (up to 10,000)")
	limit, cursor := pageFlags(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	q := operator.OrderQuery{Enterprise: *ent, ICCID: *iccid, Status: opencube.OrderStatus(*status), Plan: *plan,
		Page: operator.Page{Limit: *limit, Cursor: *cursor, Count: *count}}
	for _, t := range []struct {
		name, s string
		to      *time.Time
	}{{"from", *from, &q.From}, {"to", *to, &q.To}} {
		if t.s == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.s)
		if err != nil {
			return badUsage(fs, fmt.Errorf("--%s %q is not an RFC 3339 time", t.name, t.s))
		}
		*t.to = v
	}
	l, err := c.admin.ListOrders(c.ctx, q)
	if err != nil {
		return err
	}
	return table(c, l, "no orders match", "ORDER\tENTERPRISE\tICCID\tPLAN\tSTATUS\tORDERED\tEXPIRES",
		func(o *opencube.Order) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%d\t%s\t%s", o.ID, o.EnterpriseCode, o.ICCID, o.PlanCode, o.Status, when(o.OrderedAt), whenp(o.ExpiresAt))
		})
}

func (c *adminCLI) orderShow(args []string) error {
	fs := c.flags("order show")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	d, err := c.admin.Order(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	if c.structured() {
		return c.print(d, "")
	}
	o := d.Order
	var b strings.Builder
	fmt.Fprintf(&b, "order %s (%s) of %s on SIM %s: plan %s (%s), status %d\n", o.ID, o.Code, o.EnterpriseCode, o.ICCID, o.PlanCode, o.PlanName, o.Status)
	fmt.Fprintf(&b, "ordered %s, started %s, expires %s; %d period(s); used %s of %s\n", when(o.OrderedAt), whenp(o.StartedAt), whenp(o.ExpiresAt),
		o.Periods(), formatVolume(o.UsedBytes), formatVolume(o.VolumeBytes))
	fmt.Fprintf(&b, "events: %d\n", len(d.Events))
	for _, e := range d.Events {
		fmt.Fprintf(&b, "  %s  %s  status %d  %s\n", when(e.CreatedAt), e.Type, e.Status, e.ID)
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}

func (c *adminCLI) planList(args []string) error {
	fs := c.flags("plan list")
	ent := fs.String("access-code", "", "only the plans granted to this enterprise")
	status := fs.String("status", "", "active or retired")
	limit, cursor := pageFlags(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	l, err := c.admin.ListPlans(c.ctx, operator.PlanQuery{Enterprise: *ent, Status: opencube.PlanStatus(*status), Page: operator.Page{Limit: *limit, Cursor: *cursor}})
	if err != nil {
		return err
	}
	return table(c, l, "no plans match", "CODE\tNAME\tTYPE\tVOLUME\tPRICE\tSTATUS",
		func(p *opencube.Plan) string {
			return fmt.Sprintf("%s\t%s\t%d\t%s\t%s\t%s", p.Code, p.Name, p.Type, formatVolume(p.VolumeBytes), formatPrice(p.PriceMinor, p.Currency), dash(string(p.Status)))
		})
}

// formatPrice writes minor units as a decimal with the currency.
func formatPrice(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, minor/100, minor%100, currency)
}

func (c *adminCLI) planShow(args []string) error {
	fs := c.flags("plan show")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	d, err := c.admin.Plan(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	p := d.Plan
	granted := "granted to no enterprise"
	if len(d.Enterprises) > 0 {
		granted = "granted to " + strings.Join(d.Enterprises, ", ")
	}
	return c.print(d, "plan %s (%s): type %d, %s, %s a period; %s", p.Code, p.Name, p.Type, formatVolume(p.VolumeBytes),
		formatPrice(p.PriceMinor, p.Currency), granted)
}

func (c *adminCLI) usageShow(args []string) error {
	fs := c.flags("usage show")
	iccid := fs.String("iccid", "", "a SIM's usage")
	ent := fs.String("access-code", "", "the usage of an enterprise's SIMs together")
	month := fs.Bool("month", false, "a line a month, not a day")
	from := fs.Int("from", 0, "the first UTC+8 day, yyyymmdd (default: 30 days before --to)")
	to := fs.Int("to", 0, "the last UTC+8 day, yyyymmdd (default: today)")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if (*iccid == "") == (*ent == "") {
		return badUsage(fs, fmt.Errorf("give --iccid or --access-code"))
	}
	g := operator.ByDay
	if *month {
		g = operator.ByMonth
	}
	u, err := c.admin.Usage(c.ctx, operator.UsageQuery{ICCID: *iccid, Enterprise: *ent, Granularity: g, From: *from, To: *to})
	if err != nil {
		return err
	}
	if c.structured() {
		return c.print(u, "")
	}
	if len(u.Points) == 0 {
		return c.print(nil, "no usage from %d to %d", u.From, u.To)
	}
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "%s\tBYTES\tUSED\t\n", strings.ToUpper(string(u.Granularity)))
	for _, p := range u.Points {
		fmt.Fprintf(w, "%d\t%d\t%s\t\n", p.Period, p.Bytes, formatVolume(p.Bytes))
	}
	return w.Flush()
}
