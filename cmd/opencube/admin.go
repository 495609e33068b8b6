package main

import (
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
)

// mountAdmin mounts the admin API on mux.
func mountAdmin(mux *http.ServeMux, m *Main) {
	s := admin.NewServer(m.Services.Admin, m.AdminToken)
	s.Logger = m.Logger
	s.Notify = m.Services.Notify
	s.SIMs = m.Services.SIMs
	s.Orders = m.Services.Corrections
	if m.SMS.Service != nil {
		s.SMS = smsAdmin{SMS: m.SMS.Service, sandbox: m.SMS.Sandbox}
	}
	if m.Shops != nil {
		s.ESIM = m.Shops.ESIM
	}
	if m.Notify.sandbox != nil {
		s.Sandbox = m.Notify.sandbox
	}
	mux.Handle(admin.Prefix, s.Handler())
}

func adminUsage(w io.Writer) {
	fmt.Fprint(w, "Usage: opencube admin [--url URL] [--admin-token TOKEN] [--json] COMMAND [flags]\n\nCommands:\n")
	for _, c := range adminCommands {
		fmt.Fprintf(w, "  %-25s %s\n", c.name, c.synopsis)
	}
	fmt.Fprint(w, `
Global flags:
  --url URL            server base URL (default http://127.0.0.1:8080; OPENCUBE_URL)
  --admin-token TOKEN  the server's --admin-token (alias --token; OPENCUBE_ADMIN_TOKEN)
  --json               print the result as JSON
`)
}

// adminCLI runs one admin command.
type adminCLI struct {
	ctx      context.Context
	synopsis string // the command's arguments, for its usage
	admin    *client.Admin
	json     bool
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
}

// runAdmin implements `opencube admin`.
func runAdmin(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("opencube admin", stderr)
	fs.Usage = func() { adminUsage(stderr) }
	baseURL := fs.String("url", "http://127.0.0.1:8080", "server base URL")
	token := fs.String("admin-token", "", "admin API bearer token")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parseWithEnv(fs, tokenAlias(args)); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) < 2 {
		adminUsage(stderr)
		return errors.New("admin: missing command")
	}
	name := rest[0] + " " + rest[1]
	for _, cmd := range adminCommands {
		if cmd.name == name {
			c := &adminCLI{ctx: ctx, synopsis: cmd.synopsis, admin: client.NewAdmin(*baseURL, *token), json: *asJSON, stdin: stdin, stdout: stdout, stderr: stderr}
			return adminFailure(name, cmd.run(c, rest[2:]))
		}
	}
	adminUsage(stderr)
	return fmt.Errorf("admin: unknown command %q", name)
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

// flags returns the flag set of a command, with its usage line and a
// --json flag defaulting to the global one.
func (c *adminCLI) flags(name string) *flag.FlagSet {
	fs := newFlagSet("opencube admin "+name, c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: opencube admin %s %s\n", name, c.synopsis)
		fs.PrintDefaults()
	}
	fs.BoolVar(&c.json, "json", c.json, "print the result as JSON")
	return fs
}

// parse parses a command's flags (not from the environment: a stray
// OPENCUBE_SECRET must never become an enterprise's secret), checks that
// the required ones are set and that there are nargs arguments.
func parse(fs *flag.FlagSet, args []string, nargs int, required ...string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, name := range required {
		if fs.Lookup(name).Value.String() == "" {
			fs.Usage()
			return fmt.Errorf("%s: --%s is required", fs.Name(), name)
		}
	}
	if fs.NArg() != nargs {
		fs.Usage()
		return fmt.Errorf("%s: want %d argument(s), got %d", fs.Name(), nargs, fs.NArg())
	}
	return nil
}

// print writes v as indented JSON with --json, or the human line otherwise.
func (c *adminCLI) print(v any, format string, args ...any) error {
	if c.json {
		enc := json.NewEncoder(c.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	_, err := fmt.Fprintf(c.stdout, format+"\n", args...)
	return err
}

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
	return c.print(e, "enterprise %s%s: %d secret%s, created %s, %s", e.AccessCode, parens(e.Name),
		e.Secrets, plural(e.Secrets), e.CreatedAt.Format(time.RFC3339), rateLimitText(e.RateLimit))
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
		fs.Usage()
		return errors.New("enterprise rate-limit: --clear takes neither --rate nor --burst")
	case !*clear && (*rate == 0 || *burst == 0):
		fs.Usage()
		return errors.New("enterprise rate-limit: --rate and --burst are required (or --clear)")
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
		return 0, fmt.Errorf("plan create: --type %q: want 0-5 or unlimited-daily, daily, monthly, quarterly, half-yearly, yearly", s)
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
	if err := parse(fs, args, 0, "code", "name", "type", "volume", "price"); err != nil {
		return err
	}
	p := &opencube.Plan{Code: *code, Name: *name, Currency: *currency, OTA: *ota, ThrottleKbps: *throttle}
	var err error
	if p.Type, err = parsePlanType(*typ); err != nil {
		fs.Usage()
		return err
	}
	if p.VolumeBytes, err = admin.ParseVolume(*volume); err != nil {
		fs.Usage()
		return fmt.Errorf("plan create: --volume: %s", message(err))
	}
	if p.PriceMinor, err = admin.ParsePrice(*price); err != nil {
		fs.Usage()
		return fmt.Errorf("plan create: --price: %s", message(err))
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
		formatVolume(p.VolumeBytes), opencube.FormatMinor(p.PriceMinor), p.Currency)
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
