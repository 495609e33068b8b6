package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/console"
	"github.com/opencube/opencube/money"
	"github.com/opencube/opencube/operator"
)

// mountAdmin mounts the admin API on mux, and the console that calls it.
func mountAdmin(mux *http.ServeMux, m *Main) {
	s := admin.NewServer(m.Services.Admin, m.AdminToken)
	s.Logger = m.Logger
	s.Access = m.Services.Access
	s.Users = m.Services.Access
	s.Notify = m.Services.Notify
	s.SIMs = m.Services.SIMs
	s.Orders = m.Services.Corrections
	s.Lists = m.Services.Lists
	s.Changes = m.Changes
	s.Keys = m.Services.Keys
	s.MasterKeys = m.Store
	s.Billing = m.Services.Billing
	if m.SMS.Service != nil {
		s.SMS = smsAdmin{SMS: m.SMS.Service, sandbox: m.SMS.Sandbox}
	}
	if m.Shops != nil {
		s.ESIM = m.Shops.ESIM
	}
	if p := m.HLR.Provisioner; p != nil {
		s.HLR = p
	}
	if m.Notify.sandbox != nil {
		s.Sandbox = m.Notify.sandbox
	}
	mux.Handle(admin.Prefix, s.Handler())
	c := &console.Server{Access: m.Services.Access, Admin: s, Logger: m.Logger, Secure: m.ConsoleSecure,
		TrustProxy: m.ConsoleTrustProxy, Sandbox: m.Notify.sandbox != nil}
	if m.Metrics != nil {
		s.OnAudit = func(e *operator.AuditEntry) { m.Metrics.Audited(string(e.ActorKind)) }
		c.OnSignIn = m.Metrics.SignIn
	}
	mux.Handle(console.Prefix, c.Handler())
	mux.Handle("GET /console", http.RedirectHandler(console.Prefix, http.StatusMovedPermanently))
}

// adminUsage writes the admin commands and the global flags.
func adminUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: opencube admin [--url URL] [--admin-token T] [--json | --get PATH] GROUP VERB [flags] [ARGS]

Operator work through the server's admin API (/admin/v1/), as a user (its
API token) or as the bootstrap operator (the token the server was started
with, --admin-token T or OPENCUBE_ADMIN_TOKEN). The API is on when the server
has a bootstrap token or a user exists; 'user create --db' makes the first
user without a server.

Commands:
`)
	for _, c := range adminCommands {
		fmt.Fprintf(w, "  %-27s %s\n", c.name, c.synopsis)
	}
	fmt.Fprint(w, `
Global flags (before GROUP):
  --url URL            server base URL (default http://127.0.0.1:8080; OPENCUBE_URL)
  --admin-token T      a user's API token, or the server's --admin-token
                       (alias --token; OPENCUBE_ADMIN_TOKEN)
  --json               print the result as JSON
  --get PATH           print one field of the JSON result, a dotted path (0.id, code)

Examples:
  opencube admin --admin-token T enterprise show P000270
  opencube admin --admin-token T sim suspend 89852022018041800192
  opencube admin --admin-token T deliveries list --access-code P000270 --state failed
  opencube admin --admin-token T sims import --file sims.csv
  opencube admin --admin-token T clock advance 48h

Run 'opencube admin GROUP VERB --help' for a command's flags and example.
The exit status is 3 when the server refuses a command, 2 for a command line
that is not understood.
`)
}

// adminGroupUsage writes the commands of one group.
func adminGroupUsage(w io.Writer, group string) {
	fmt.Fprintf(w, "Usage: opencube admin %s VERB [flags] [ARGS]\n\nCommands:\n", group)
	for _, c := range adminCommands {
		if g, _, _ := strings.Cut(c.name, " "); g == group {
			fmt.Fprintf(w, "  %-27s %s\n", c.name, c.synopsis)
		}
	}
	fmt.Fprintf(w, "\nRun 'opencube admin %s VERB --help' for a command's flags and example.\n", group)
}

// isAdminGroup reports whether some admin command is in group.
func isAdminGroup(group string) bool {
	for _, c := range adminCommands {
		if g, _, _ := strings.Cut(c.name, " "); g == group {
			return true
		}
	}
	return false
}

// adminCLI runs one admin command.
type adminCLI struct {
	ctx    context.Context
	cmd    *adminCommand
	admin  *client.Admin
	json   bool
	get    string // --get: the field of the JSON result to print
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// runAdmin implements `opencube admin`.
func runAdmin(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("opencube admin", stderr)
	fs.Usage = func() { adminUsage(fs.Output()) }
	baseURL := fs.String("url", "http://127.0.0.1:8080", "server base URL")
	token := fs.String("admin-token", "", "admin API bearer token")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	get := fs.String("get", "", "print one field of the JSON result")
	if err := parseWithEnv(fs, tokenAlias(args), "url", "admin-token"); err != nil {
		return err
	}
	rest := fs.Args()
	switch {
	case len(rest) == 0:
		adminUsage(stderr)
		return usageError{cmd: "admin", err: errors.New("missing command")}
	case len(rest) >= 2 && isAdminGroup(rest[0]) && isHelpFlag(rest[1]):
		return helpRequest{print: func(w io.Writer) { adminGroupUsage(w, rest[0]) }}
	case len(rest) == 1 && isAdminGroup(rest[0]):
		adminGroupUsage(stderr, rest[0])
		return usageError{cmd: "admin", err: fmt.Errorf("missing the verb of %s", rest[0])}
	case len(rest) == 1:
		adminUsage(stderr)
		return usageError{cmd: "admin", err: fmt.Errorf("unknown command %q", rest[0])}
	}
	name := rest[0] + " " + rest[1]
	for i, cmd := range adminCommands {
		if cmd.name == name {
			c := &adminCLI{ctx: ctx, cmd: &adminCommands[i], admin: client.NewAdmin(*baseURL, *token), json: *asJSON, get: *get,
				stdin: stdin, stdout: stdout, stderr: stderr}
			return adminFailure(name, cmd.run(c, rest[2:]))
		}
	}
	adminUsage(stderr)
	return usageError{cmd: "admin", err: fmt.Errorf("unknown command %q", name)}
}

// tokenAlias rewrites the global --token flag into --admin-token, so that
// only OPENCUBE_ADMIN_TOKEN, not OPENCUBE_TOKEN, sets the token.
func tokenAlias(args []string) []string {
	out := append([]string(nil), args...)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" || !strings.HasPrefix(a, "-") {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "token" {
			out[i] = "--admin-token"
			if hasValue {
				out[i] += "=" + value
			}
		}
		if !hasValue && name != "json" && name != "h" && name != "help" {
			i++ // skip the flag's value
		}
	}
	return out
}

// adminFailed is a command the server refused; its exit code is 3, as for
// `opencube call`.
type adminFailed struct {
	cmd string
	err *opencube.Error
}

func (e adminFailed) Error() string {
	if e.err.Field != "" {
		return fmt.Sprintf("admin %s: %s (%s, field %s)", e.cmd, e.err.Message, e.err.Kind, e.err.Field)
	}
	return fmt.Sprintf("admin %s: %s (%s)", e.cmd, e.err.Message, e.err.Kind)
}

func (e adminFailed) Unwrap() error { return e.err }
func (e adminFailed) ExitCode() int { return 3 }

func adminFailure(cmd string, err error) error {
	var (
		e *opencube.Error
		u *url.Error
	)
	switch {
	case errors.As(err, &e):
		return adminFailed{cmd: cmd, err: e}
	case errors.As(err, &u):
		return fmt.Errorf("admin %s: cannot reach the server: %w", cmd, err)
	}
	return err
}

// flags returns the flag set of a command, with its help (synopsis,
// description, example) and a --json flag defaulting to the global one.
func (c *adminCLI) flags(name string) *flag.FlagSet {
	fs := newFlagSet("opencube admin "+name, c.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: opencube admin %s %s\n", name, c.cmd.synopsis)
		if c.cmd.help != "" {
			fmt.Fprintf(w, "\n%s\n", c.cmd.help)
		}
		if c.cmd.example != "" {
			fmt.Fprintf(w, "\nExample:\n  %s\n", strings.ReplaceAll(c.cmd.example, "\n", "\n  "))
		}
		fmt.Fprint(w, "\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.BoolVar(&c.json, "json", c.json, "print the result as JSON")
	return fs
}

// parse parses a command's flags (not from the environment: a stray
// OPENCUBE_SECRET must never become an enterprise's secret), checks that
// the required ones are set and that there are nargs arguments.
func parse(fs *flag.FlagSet, args []string, nargs int, required ...string) error {
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	for _, name := range required {
		if fs.Lookup(name).Value.String() == "" {
			return badUsage(fs, fmt.Errorf("--%s is required", name))
		}
	}
	if fs.NArg() != nargs {
		return badUsage(fs, fmt.Errorf("want %d argument(s), got %d", nargs, fs.NArg()))
	}
	return nil
}

// print writes v as indented JSON with --json, the field of it --get
// names, or the human line otherwise.
func (c *adminCLI) print(v any, format string, args ...any) error {
	if c.json || c.get != "" {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		if c.get == "" {
			_, err := c.stdout.Write(buf.Bytes())
			return err
		}
		f, err := lookup(buf.Bytes(), c.get)
		if err != nil {
			return fmt.Errorf("--get %s: %w", c.get, err)
		}
		_, err = fmt.Fprintln(c.stdout, f)
		return err
	}
	_, err := fmt.Fprintf(c.stdout, format+"\n", args...)
	return err
}

// structured reports whether the output is JSON (--json or --get).
func (c *adminCLI) structured() bool { return c.json || c.get != "" }

func (c *adminCLI) enterpriseCreate(args []string) error {
	fs := c.flags("enterprise create")
	code := fs.String("access-code", "", "access code of the new enterprise")
	secret := fs.String("secret", "", "its first secret (8 characters or more)")
	name := fs.String("name", "", "its display name")
	if err := parse(fs, args, 0, "access-code", "secret"); err != nil {
		return err
	}
	e := &opencube.Enterprise{AccessCode: *code, Name: *name, Secrets: []string{*secret}}
	if err := c.admin.CreateEnterprise(c.ctx, e); err != nil {
		return err
	}
	return c.print(admin.EnterpriseOf(e), "created enterprise %s%s", e.AccessCode, parens(e.Name))
}

func (c *adminCLI) enterpriseShow(args []string) error {
	fs := c.flags("enterprise show")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	e, err := c.admin.Enterprise(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	disabled := ""
	if e.Status == opencube.EnterpriseDisabled {
		disabled = " (disabled: its requests answer 1004)"
	}
	return c.print(e, "enterprise %s%s: %d secret%s, created %s, %s%s", e.AccessCode, parens(e.Name),
		e.Secrets, plural(e.Secrets), e.CreatedAt.Format(time.RFC3339), rateLimitText(e.RateLimit), disabled)
}

func (c *adminCLI) enterpriseRateLimit(args []string) error {
	fs := c.flags("enterprise rate-limit")
	code := fs.String("access-code", "", "access code of the enterprise")
	rate := fs.Float64("rate", 0, "requests a second, CSSS and Mall together (0.001-1000000)")
	burst := fs.Int("burst", 0, "requests at once (1-1000000)")
	clear := fs.Bool("clear", false, "put the enterprise back under the server's --rate-limit")
	if err := parse(fs, args, 0, "access-code"); err != nil {
		return err
	}
	var l *opencube.RateLimit
	switch set := *rate != 0 || *burst != 0; {
	case *clear && set:
		return badUsage(fs, errors.New("--clear takes neither --rate nor --burst"))
	case !*clear && (*rate == 0 || *burst == 0):
		return badUsage(fs, errors.New("--rate and --burst are required (or --clear)"))
	case !*clear:
		l = &opencube.RateLimit{Rate: *rate, Burst: *burst}
	}
	e, err := c.admin.RateLimit(c.ctx, *code, l)
	if err != nil {
		return err
	}
	return c.print(e, "enterprise %s: %s", e.AccessCode, rateLimitText(e.RateLimit))
}

// rateLimitText describes an enterprise's rate limit.
func rateLimitText(l *opencube.RateLimit) string {
	if l == nil {
		return "the server's rate limit"
	}
	unit := "requests"
	if l.Rate == 1 {
		unit = "request"
	}
	return fmt.Sprintf("its own rate limit of %s %s a second, burst %d", strconv.FormatFloat(l.Rate, 'f', -1, 64), unit, l.Burst)
}

func (c *adminCLI) enterpriseRotate(args []string) error {
	fs := c.flags("enterprise rotate-secret")
	code := fs.String("access-code", "", "access code of the enterprise")
	secret := fs.String("secret", "", "the new secret; the oldest beyond two is dropped")
	if err := parse(fs, args, 0, "access-code", "secret"); err != nil {
		return err
	}
	e, err := c.admin.AddSecret(c.ctx, *code, *secret)
	if err != nil {
		return err
	}
	return c.print(e, "added a secret to enterprise %s: it now holds %d secret%s", e.AccessCode, e.Secrets, plural(e.Secrets))
}

// input opens the file named by a --file flag: stdin for "" or "-".
func (c *adminCLI) input(file string) (io.ReadCloser, error) {
	if file == "" || file == "-" {
		return io.NopCloser(c.stdin), nil
	}
	return os.Open(file)
}

func (c *adminCLI) simsImport(args []string) error {
	fs := c.flags("sims import")
	file := fs.String("file", "-", "CSV file to import; - for stdin")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	in, err := c.input(*file)
	if err != nil {
		return err
	}
	defer in.Close()
	n, err := c.admin.ImportCSV(c.ctx, in)
	if err != nil {
		return err
	}
	return c.print(admin.ImportResult{Imported: n}, "imported %d SIM%s", n, plural(n))
}

// planTypes names the plan types for --type, beside their numbers.
var planTypes = map[string]opencube.PlanType{
	"unlimited-daily": opencube.PlanUnlimitedDaily, "daily": opencube.PlanDaily, "monthly": opencube.PlanMonthly,
	"quarterly": opencube.PlanQuarterly, "half-yearly": opencube.PlanHalfYearly, "yearly": opencube.PlanYearly,
}

func parsePlanType(s string) (opencube.PlanType, error) {
	if t, ok := planTypes[strings.ToLower(s)]; ok {
		return t, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || !opencube.PlanType(n).Valid() {
		return 0, fmt.Errorf("--type %q: want 0-5 or unlimited-daily, daily, monthly, quarterly, half-yearly, yearly", s)
	}
	return opencube.PlanType(n), nil
}

func (c *adminCLI) planCreate(args []string) error {
	fs := c.flags("plan create")
	code := fs.String("code", "", "plan code")
	name := fs.String("name", "", "plan name")
	typ := fs.String("type", "", "package_type: 0-5 or unlimited-daily, daily, monthly, quarterly, half-yearly, yearly")
	volume := fs.String("volume", "", "data volume: 20MB, 1GB, 512KB or bytes (binary units)")
	price := fs.String("price", "", "price such as 10.00")
	currency := fs.String("currency", admin.DefaultCurrency, "ISO 4217 currency")
	ota := fs.Bool("ota", false, "an OTA plan (orderable by OTA SIMs only)")
	throttle := fs.Int("throttle-kbps", 0, "speed after the daily quota of an unlimited daily plan")
	countries := fs.String("countries", "", "comma-separated country codes covered, such as CN,HK")
	addOn := fs.Bool("add-on", false, "an add-on plan: extra volume for the rest of a basic order's period (Cube v4 bundle_type 11)")
	allowAddOn := fs.Bool("allow-add-on", false, "the plan's orders take add-ons")
	if err := parse(fs, args, 0, "code", "name", "type", "volume", "price"); err != nil {
		return err
	}
	p := &opencube.Plan{Code: *code, Name: *name, Currency: *currency, OTA: *ota, ThrottleKbps: *throttle, AddOn: *addOn, AllowAddOn: *allowAddOn}
	var err error
	if p.Type, err = parsePlanType(*typ); err != nil {
		return badUsage(fs, err)
	}
	if p.VolumeBytes, err = admin.ParseVolume(*volume); err != nil {
		return badUsage(fs, fmt.Errorf("--volume: %s", message(err)))
	}
	if p.PriceMinor, err = admin.ParsePrice(*price); err != nil {
		return badUsage(fs, fmt.Errorf("--price: %s", message(err)))
	}
	for _, country := range strings.Split(*countries, ",") {
		if country = strings.TrimSpace(country); country != "" {
			p.Countries = append(p.Countries, country)
		}
	}
	if err := c.admin.CreatePlan(c.ctx, p); err != nil {
		return err
	}
	return c.print(p, "created plan %s%s: type %d, %s, %s %s", p.Code, parens(p.Name), p.Type,
		formatVolume(p.VolumeBytes), money.Format(p.PriceMinor), p.Currency)
}

func (c *adminCLI) planGrant(args []string) error {
	fs := c.flags("plan grant")
	code := fs.String("access-code", "", "access code of the enterprise")
	plan := fs.String("plan", "", "plan code")
	if err := parse(fs, args, 0, "access-code", "plan"); err != nil {
		return err
	}
	if err := c.admin.GrantPlan(c.ctx, *code, *plan); err != nil {
		return err
	}
	return c.print(map[string]string{"access_code": *code, "plan_code": *plan},
		"granted plan %s to enterprise %s", *plan, *code)
}

// formatVolume writes bytes in the largest binary unit that divides them.
func formatVolume(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// message is the message of a domain error, or the error's text.
func message(err error) string {
	var e *opencube.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func parens(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
