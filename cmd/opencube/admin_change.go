package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/money"
	"github.com/opencube/opencube/operator"
)

func (c *adminCLI) enterpriseDisable(args []string) error {
	return c.enterpriseStatus("enterprise disable", args, c.admin.DisableEnterprise)
}

func (c *adminCLI) enterpriseEnable(args []string) error {
	return c.enterpriseStatus("enterprise enable", args, c.admin.EnableEnterprise)
}

// enterpriseStatus runs `opencube admin enterprise disable|enable C`.
func (c *adminCLI) enterpriseStatus(name string, args []string, act func(ctx context.Context, code string) (*admin.Enterprise, error)) error {
	fs := c.flags(name)
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	e, err := act(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	return c.print(e, "enterprise %s is %s", e.AccessCode, e.Status)
}

// enterpriseDropSecret runs `opencube admin enterprise drop-secret
// --access-code C ID`.
func (c *adminCLI) enterpriseDropSecret(args []string) error {
	fs := c.flags("enterprise drop-secret")
	code := fs.String("access-code", "", "access code of the enterprise")
	if err := parse(fs, args, 1, "access-code"); err != nil {
		return err
	}
	e, err := c.admin.DropSecret(c.ctx, *code, fs.Arg(0))
	if err != nil {
		return err
	}
	return c.print(e, "dropped secret %s of enterprise %s: it now holds %d secret%s", fs.Arg(0), e.AccessCode, e.Secrets, plural(e.Secrets))
}

// simMoveTo runs `opencube admin sim move --enterprise C ICCID`.
func (c *adminCLI) simMoveTo(args []string) error {
	fs := c.flags("sim move")
	to := fs.String("enterprise", "", "access code of the enterprise the SIM moves to")
	if err := parse(fs, args, 1, "enterprise"); err != nil {
		return err
	}
	sim, err := c.admin.MoveSIMTo(c.ctx, fs.Arg(0), *to)
	if err != nil {
		return err
	}
	return c.print(sim, "SIM %s belongs to enterprise %s", sim.ICCID, sim.EnterpriseCode)
}

// simBulk runs `opencube admin sim bulk --action A [--enterprise C]
// [--file F] [ICCID...]`: ICCIDs from the arguments, or else one a line
// (or separated by commas or spaces) from the file or standard input.
func (c *adminCLI) simBulk(args []string) error {
	fs := c.flags("sim bulk")
	action := fs.String("action", "", "activate, suspend, terminate or move")
	to := fs.String("enterprise", "", "with --action move: the enterprise the SIMs move to")
	file := fs.String("file", "", "a file of ICCIDs (- for standard input), when none is given as arguments")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if *action == "" {
		return badUsage(fs, errors.New("--action is required"))
	}
	iccids := fs.Args()
	if len(iccids) == 0 || *file != "" {
		if len(iccids) > 0 {
			return badUsage(fs, errors.New("give ICCIDs as arguments or with --file, not both"))
		}
		in, err := c.input(*file)
		if err != nil {
			return err
		}
		defer in.Close()
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			iccids = append(iccids, strings.FieldsFunc(sc.Text(), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })...)
		}
		if err := sc.Err(); err != nil {
			return err
		}
	}
	results, err := c.admin.BulkSIMs(c.ctx, operator.BulkSIMRequest{ICCIDs: iccids, Action: operator.BulkAction(*action), Enterprise: *to})
	if err != nil {
		return err
	}
	if c.structured() {
		return c.print(operator.BulkResults{Results: results}, "")
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ICCID\tRESULT")
	failed := 0
	for _, r := range results {
		outcome := "ok"
		if !r.OK {
			failed++
			outcome = fmt.Sprintf("%s: %s", r.Error.Kind, r.Error.Message)
		}
		fmt.Fprintf(tw, "%s\t%s\n", r.ICCID, outcome)
	}
	fmt.Fprintf(tw, "%d SIM%s: %d changed, %d not\n", len(results), plural(len(results)), len(results)-failed, failed)
	return tw.Flush()
}

// planUpdate runs `opencube admin plan update CODE [flags]`: only the
// flags given change.
func (c *adminCLI) planUpdate(args []string) error {
	fs := c.flags("plan update")
	name := fs.String("name", "", "plan name")
	volume := fs.String("volume", "", "data volume: 20MB, 1GB, 512KB or bytes (binary units)")
	price := fs.String("price", "", "price such as 10.00")
	currency := fs.String("currency", "", "ISO 4217 currency")
	throttle := fs.Int("throttle-kbps", 0, "speed after the daily quota of an unlimited daily plan")
	countries := fs.String("countries", "", "comma-separated country codes covered, such as CN,HK (\"\" for none)")
	addOn := fs.Bool("add-on", false, "an add-on plan (--add-on=false: a basic plan)")
	allowAddOn := fs.Bool("allow-add-on", false, "the plan's orders take add-ons (--allow-add-on=false: they do not)")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	var p admin.PlanPatch
	var err error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "name":
			p.Name = name
		case "volume":
			var n int64
			if n, err = admin.ParseVolume(*volume); err != nil {
				err = fmt.Errorf("--volume: %s", message(err))
			}
			p.VolumeBytes = &n
		case "price":
			d := admin.Decimal(*price)
			p.Price = &d
		case "currency":
			p.Currency = currency
		case "throttle-kbps":
			p.ThrottleKbps = throttle
		case "add-on":
			p.AddOn = addOn
		case "allow-add-on":
			p.AllowAddOn = allowAddOn
		case "countries":
			l := []string{}
			for _, country := range strings.Split(*countries, ",") {
				if country = strings.TrimSpace(country); country != "" {
					l = append(l, country)
				}
			}
			p.Countries = &l
		}
	})
	if err != nil {
		return badUsage(fs, err)
	}
	if p == (admin.PlanPatch{}) {
		return badUsage(fs, errors.New("nothing to change: give --name, --volume, --price, --currency, --throttle-kbps or --countries"))
	}
	plan, err := c.admin.UpdatePlan(c.ctx, fs.Arg(0), p)
	if err != nil {
		return err
	}
	return c.print(plan, "plan %s%s: %s, %s %s, %s", plan.Code, parens(plan.Name), formatVolume(plan.VolumeBytes), money.Format(plan.PriceMinor), plan.Currency, plan.Status)
}

// planRetire runs `opencube admin plan retire [--undo] CODE`.
func (c *adminCLI) planRetire(args []string) error {
	fs := c.flags("plan retire")
	undo := fs.Bool("undo", false, "take orders of the plan again")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	p, err := c.admin.RetirePlan(c.ctx, fs.Arg(0), !*undo)
	if err != nil {
		return err
	}
	if p.Status == opencube.PlanRetired {
		return c.print(p, "plan %s is retired: no new order; its orders run on", p.Code)
	}
	return c.print(p, "plan %s is active: it takes orders", p.Code)
}

// grantRevoke runs `opencube admin grant revoke --access-code C --plan P`.
func (c *adminCLI) grantRevoke(args []string) error {
	fs := c.flags("grant revoke")
	code := fs.String("access-code", "", "access code of the enterprise")
	plan := fs.String("plan", "", "the plan's code")
	if err := parse(fs, args, 0, "access-code", "plan"); err != nil {
		return err
	}
	if err := c.admin.RevokeGrant(c.ctx, *code, *plan); err != nil {
		return err
	}
	return c.print(map[string]string{"enterprise": *code, "plan": *plan, "grant": "revoked"},
		"enterprise %s may no longer order plan %s", *code, *plan)
}

// orderCreate runs `opencube admin order create --iccid ICCID --plan P
// [--periods N] [--open]`.
func (c *adminCLI) orderCreate(args []string) error {
	fs := c.flags("order create")
	iccid := fs.String("iccid", "", "the SIM")
	plan := fs.String("plan", "", "the plan's code (granted to the SIM's enterprise)")
	periods := fs.Int("periods", 1, "periods ordered")
	open := fs.Bool("open", false, "enable the order at once")
	if err := parse(fs, args, 0, "iccid", "plan"); err != nil {
		return err
	}
	o, err := c.admin.OrderPlan(c.ctx, operator.OrderRequest{ICCID: *iccid, PlanCode: *plan, Periods: *periods, Open: *open})
	if err != nil {
		return err
	}
	return c.print(o, "order %s of plan %s for SIM %s (enterprise %s): %s", o.ID, o.PlanCode, o.ICCID, o.EnterpriseCode, orderStatusText(o.Status))
}

func (c *adminCLI) orderEnable(args []string) error  { return c.orderMove(operator.OrderEnable, args) }
func (c *adminCLI) orderCancel(args []string) error  { return c.orderMove(operator.OrderCancel, args) }
func (c *adminCLI) orderEnd(args []string) error     { return c.orderMove(operator.OrderEnd, args) }
func (c *adminCLI) orderSuspend(args []string) error { return c.orderMove(operator.OrderSuspend, args) }
func (c *adminCLI) orderResume(args []string) error  { return c.orderMove(operator.OrderResume, args) }
func (c *adminCLI) orderRenew(args []string) error   { return c.orderMove(operator.OrderRenew, args) }

// orderMove runs `opencube admin order MOVE ORDER_ID` (and `order renew
// ORDER_ID PERIODS`).
func (c *adminCLI) orderMove(move operator.OrderMove, args []string) error {
	fs := c.flags("order " + string(move))
	nargs := 1
	if move == operator.OrderRenew {
		nargs = 2
	}
	if err := parse(fs, args, nargs); err != nil {
		return err
	}
	var periods int
	if move == operator.OrderRenew {
		n, err := strconv.Atoi(fs.Arg(1))
		if err != nil {
			return badUsage(fs, fmt.Errorf("PERIODS %q is not a whole number", fs.Arg(1)))
		}
		periods = n
	}
	o, err := c.admin.MoveOrder(c.ctx, fs.Arg(0), move, periods)
	if err != nil {
		return err
	}
	return c.print(o, "order %s of SIM %s: %s, %d period(s)", o.ID, o.ICCID, orderStatusText(o.Status), o.Periods())
}

// smsSend runs `opencube admin sms send [--binary] ICCID TEXT`.
func (c *adminCLI) smsSend(args []string) error {
	fs := c.flags("sms send")
	binary := fs.Bool("binary", false, "TEXT is binary content in hex")
	if err := parse(fs, args, 2); err != nil {
		return err
	}
	r := admin.SMSRequest{ICCID: fs.Arg(0), Content: fs.Arg(1)}
	if *binary {
		r.DataCoding = 1
	}
	m, err := c.admin.SendSMS(c.ctx, r)
	if err != nil {
		return err
	}
	return c.print(m, "MT message %s to SIM %s (enterprise %s): %s, %d segment(s)", m.ID, m.ICCID, m.EnterpriseCode, m.State, m.Segments)
}

// orderStatusText names an order status.
func orderStatusText(s opencube.OrderStatus) string {
	switch s {
	case opencube.OrderNotEnabled:
		return "not enabled"
	case opencube.OrderInUse:
		return "in use"
	case opencube.OrderSuspended:
		return "suspended"
	case opencube.OrderExpired:
		return "expired"
	case opencube.OrderEnded:
		return "ended"
	case opencube.OrderCancelled:
		return "cancelled"
	}
	return "status " + strconv.Itoa(int(s))
}
