package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
)

func (c *adminCLI) webhookSet(args []string) error {
	fs := c.flags("webhook set")
	code := fs.String("access-code", "", "enterprise access code")
	u := fs.String("url", "", "endpoint URL (http or https)")
	events := fs.String("events", "", "comma-separated event types to send (default all)")
	format := fs.String("format", "csss", "csss, or v4: Cube v4 notifications signed with the enterprise's Notification Key (printed once, when made)")
	if err := parse(fs, args, 0, "access-code", "url"); err != nil {
		return err
	}
	w := &opencube.Webhook{EnterpriseCode: *code, URL: *u, Events: []opencube.EventType{}, Format: opencube.WebhookFormat(*format)}
	if *events != "" {
		w.Events = opencube.ParseEventList(strings.ReplaceAll(*events, " ", ""))
	}
	out, err := c.admin.PutWebhook(c.ctx, w)
	if err != nil {
		return err
	}
	if out.NotificationKey != "" {
		return c.print(out, "endpoint %s set for %s (Cube v4); Notification Key %s (shown once): %s", out.URL, out.EnterpriseCode, out.NotificationKeyID, out.NotificationKey)
	}
	if out.Secret != "" {
		return c.print(out, "endpoint %s set for %s; secret (shown once): %s", out.URL, out.EnterpriseCode, out.Secret)
	}
	return c.print(out, "endpoint %s set for %s", out.URL, out.EnterpriseCode)
}

func (c *adminCLI) webhookShow(args []string) error {
	fs := c.flags("webhook show")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	w, err := c.admin.FindWebhook(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	events := "all"
	if len(w.Events) > 0 {
		events = opencube.EventList(w.Events)
	}
	state := "healthy"
	if w.Failing {
		state = fmt.Sprintf("failing (%d consecutive failures)", w.Failures)
	}
	return c.print(w, "%s: %s, events %s, %s", w.EnterpriseCode, w.URL, events, state)
}

func (c *adminCLI) webhookRotate(args []string) error {
	fs := c.flags("webhook rotate")
	code := fs.String("access-code", "", "enterprise access code")
	grace := fs.Duration("grace", opencube.DefaultSecretGrace, "how long the old secret keeps signing")
	if err := parse(fs, args, 0, "access-code"); err != nil {
		return err
	}
	w, err := c.admin.RotateWebhookSecret(c.ctx, *code, *grace)
	if err != nil {
		return err
	}
	return c.print(w, "new secret (shown once): %s; the old one signs too for %s", w.Secret, *grace)
}

func (c *adminCLI) webhookNotificationKey(args []string) error {
	fs := c.flags("webhook notification-key")
	code := fs.String("access-code", "", "enterprise access code")
	if err := parse(fs, args, 0, "access-code"); err != nil {
		return err
	}
	w, err := c.admin.RotateNotificationKey(c.ctx, *code)
	if err != nil {
		return err
	}
	return c.print(w, "new Notification Key %s (shown once): %s; the old one signs no more", w.NotificationKeyID, w.NotificationKey)
}

// parseTime reads an RFC 3339 time flag; zero when empty.
func parseTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s: want an RFC 3339 time such as 2024-01-31T10:00:00+08:00", name)
	}
	return t, nil
}

func (c *adminCLI) deliveriesList(args []string) error {
	fs := c.flags("deliveries list")
	code := fs.String("access-code", "", "enterprise access code")
	state := fs.String("state", "", "pending, delivered or failed")
	event := fs.String("event", "", "event type")
	since := fs.String("since", "", "events at or after this time (RFC 3339)")
	until := fs.String("until", "", "events before this time (RFC 3339)")
	limit := fs.Int("limit", 100, "at most this many, newest first")
	if err := parse(fs, args, 0, "access-code"); err != nil {
		return err
	}
	f := opencube.DeliveryFilter{Enterprise: *code, State: opencube.DeliveryState(*state), Type: opencube.EventType(*event), Limit: *limit}
	var err error
	if f.Since, err = parseTime("since", *since); err != nil {
		return err
	}
	if f.Until, err = parseTime("until", *until); err != nil {
		return err
	}
	ds, err := c.admin.FindDeliveries(c.ctx, f)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []*opencube.Delivery{}
	}
	if c.structured() {
		return c.print(ds, "")
	}
	if len(ds) == 0 {
		return c.print(nil, "no deliveries of %s%s", *code, deliveryFilterText(f))
	}
	for _, d := range ds {
		last := "no attempt yet"
		if n := len(d.Attempts); n > 0 {
			a := d.Attempts[n-1]
			last = fmt.Sprintf("%d attempt(s), last HTTP %d in %s %s", n, a.StatusCode, a.Latency.Round(time.Millisecond), a.Error)
		}
		fmt.Fprintf(c.stdout, "%s  %s  %-10s %-9s %s\n", d.ID, d.CreatedAt.Format(time.RFC3339), d.Type, d.State, strings.TrimSpace(last))
	}
	return nil
}

// deliveryFilterText describes a delivery filter's conditions beside the
// enterprise: " in state failed, event 1005, since ...".
func deliveryFilterText(f opencube.DeliveryFilter) string {
	var conds []string
	if f.State != "" {
		conds = append(conds, "in state "+string(f.State))
	}
	if f.Type != "" {
		conds = append(conds, "of event "+string(f.Type))
	}
	if !f.Since.IsZero() {
		conds = append(conds, "since "+f.Since.Format(time.RFC3339))
	}
	if !f.Until.IsZero() {
		conds = append(conds, "before "+f.Until.Format(time.RFC3339))
	}
	if len(conds) == 0 {
		return ""
	}
	return " " + strings.Join(conds, ", ")
}

func (c *adminCLI) deliveriesRedeliver(args []string) error {
	fs := c.flags("deliveries redeliver")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	d, err := c.admin.Redeliver(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	return c.print(d, "delivery %s (%s) is pending again", d.ID, d.Type)
}

func (c *adminCLI) deliveriesRedeliverSince(args []string) error {
	fs := c.flags("deliveries redeliver-since")
	code := fs.String("access-code", "", "enterprise access code")
	since := fs.String("since", "", "send again every event at or after this time (RFC 3339)")
	until := fs.String("until", "", "and before this time (RFC 3339; default now)")
	if err := parse(fs, args, 0, "access-code", "since"); err != nil {
		return err
	}
	s, err := parseTime("since", *since)
	if err != nil {
		return err
	}
	u, err := parseTime("until", *until)
	if err != nil {
		return err
	}
	n, err := c.admin.RedeliverSince(c.ctx, *code, s, u)
	if err != nil {
		return err
	}
	return c.print(map[string]int{"redelivered": n}, "%d deliveries pending again", n)
}

func (c *adminCLI) alertsSet(args []string) error {
	fs := c.flags("alerts set")
	code := fs.String("access-code", "", "enterprise access code")
	percents := fs.String("percents", "80,100", "volume thresholds, percent of an order's volume")
	days := fs.Int("days", opencube.DefaultAlertDays, "alert this many days before an order expires (0: off)")
	if err := parse(fs, args, 0, "access-code"); err != nil {
		return err
	}
	s := &opencube.AlertSettings{EnterpriseCode: *code, Percents: []int{}, DaysBeforeExpiry: *days}
	for _, p := range strings.Split(*percents, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(p, "%"))
		if err != nil {
			return fmt.Errorf("--percents: %q is not a number", p)
		}
		s.Percents = append(s.Percents, n)
	}
	if err := c.admin.PutAlertSettings(c.ctx, s); err != nil {
		return err
	}
	return c.print(s, "alerts for %s: %v %% of volume, %d days before expiry", s.EnterpriseCode, s.Percents, s.DaysBeforeExpiry)
}

func (c *adminCLI) alertsShow(args []string) error {
	fs := c.flags("alerts show")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	s, err := c.admin.FindAlertSettings(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	return c.print(s, "alerts for %s: %v %% of volume, %d days before expiry", s.EnterpriseCode, s.Percents, s.DaysBeforeExpiry)
}

func (c *adminCLI) clockShow(args []string) error {
	fs := c.flags("clock show")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	st, err := c.admin.Clock(c.ctx)
	if err != nil {
		return err
	}
	return c.print(st, "server clock %s (%ds ahead)", st.Now.Format(time.RFC3339), st.OffsetSeconds)
}

func (c *adminCLI) clockAdvance(args []string) error {
	fs := c.flags("clock advance")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	d, err := parseAdvance(fs.Arg(0))
	if err != nil {
		return err
	}
	st, err := c.admin.AdvanceClock(c.ctx, d)
	if err != nil {
		return err
	}
	return c.print(st, "server clock now %s (%ds ahead); %d job(s) ran", st.Now.Format(time.RFC3339), st.OffsetSeconds, st.Ran)
}

// parseAdvance reads clock advance's argument: whole seconds (86400), a
// Go duration (48h, 90m), or days before one (8d, 1d12h).
func parseAdvance(arg string) (time.Duration, error) {
	if secs, err := strconv.ParseInt(arg, 10, 64); err == nil {
		return time.Duration(secs) * time.Second, nil
	}
	bad := fmt.Errorf("clock advance: %q is neither seconds nor a duration such as 48h or 8d", arg)
	var days time.Duration
	rest := arg
	if i := strings.IndexByte(arg, 'd'); i > 0 {
		n, err := strconv.ParseInt(arg[:i], 10, 64)
		if err != nil || n < 0 || n > 36500 {
			return 0, bad
		}
		days, rest = time.Duration(n)*24*time.Hour, arg[i+1:]
		if rest == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(rest)
	if err != nil || (rest != arg && d < 0) {
		return 0, bad
	}
	return days + d, nil
}
