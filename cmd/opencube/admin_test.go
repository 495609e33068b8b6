package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
)

// adminT0 is the server clock of the admin CLI tests.
var adminT0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// startAdminMain starts the whole server on 127.0.0.1:0 with a temporary
// database and the admin token "t".
func startAdminMain(t *testing.T) *Main {
	t.Helper()
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr = "127.0.0.1:0"
	m.DB = e2eDatabase(t)
	m.AdminToken = "t"
	m.SMS.Gateway = "sandbox" // not a sandbox server: the gateway is named
	m.Clock = opencube.ClockFunc(func() time.Time { return adminT0 })
	m.Stderr = io.Discard
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// adminRun runs `opencube admin --url URL --admin-token t ARGS...`.
func adminRun(t *testing.T, m *Main, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut strings.Builder
	all := append([]string{"admin", "--url", m.URL(), "--admin-token", "t"}, args...)
	err = dispatch(t.Context(), all, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestAdminCLI(t *testing.T) {
	m := startAdminMain(t)
	ctx := t.Context()
	csvFile := filepath.Join(t.TempDir(), "sims.csv")
	if err := os.WriteFile(csvFile, []byte("iccid,imsi,enterprise\n89852000000000000003,454000000000003,ACME\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The commands run in order: later ones see what earlier ones wrote.
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string // stdout
	}{
		{"enterprise create", "", []string{"enterprise", "create", "--access-code", "ACME", "--secret", "acme-secret-1", "--name", "Acme IoT"},
			"created enterprise ACME (Acme IoT)\n"},
		{"enterprise show", "", []string{"enterprise", "show", "ACME"},
			"enterprise ACME (Acme IoT): 1 secret, created 2025-03-01T12:00:00Z, the server's rate limit\n"},
		{"enterprise rate-limit", "", []string{"enterprise", "rate-limit", "--access-code", "ACME", "--rate", "0.5", "--burst", "3"},
			"enterprise ACME: its own rate limit of 0.5 requests a second, burst 3\n"},
		{"enterprise show with a rate limit", "", []string{"enterprise", "show", "ACME"},
			"enterprise ACME (Acme IoT): 1 secret, created 2025-03-01T12:00:00Z, its own rate limit of 0.5 requests a second, burst 3\n"},
		{"enterprise rate-limit --clear", "", []string{"enterprise", "rate-limit", "--access-code", "ACME", "--clear"},
			"enterprise ACME: the server's rate limit\n"},
		{"enterprise rotate-secret", "", []string{"enterprise", "rotate-secret", "--access-code", "ACME", "--secret", "acme-secret-2"},
			"added a secret to enterprise ACME: it now holds 2 secrets\n"},
		{"sims import stdin", "iccid,imsi,msisdn,ota,enterprise\n89852000000000000001,454000000000001,85200000001,yes,ACME\n89852000000000000002,454000000000002,,0,ACME\n",
			[]string{"sims", "import"}, "imported 2 SIMs\n"},
		{"sims import file", "", []string{"sims", "import", "--file", csvFile}, "imported 1 SIM\n"},
		{"plan create", "", []string{"plan", "create", "--code", "PLAN-20M", "--name", "China 20MB monthly", "--type", "monthly", "--volume", "20MB", "--price", "10.00", "--countries", "CN"},
			"created plan PLAN-20M (China 20MB monthly): type 2, 20 MB, 10.00 CNY\n"},
		{"plan create OTA", "", []string{"plan", "create", "--code", "PLAN-OTA", "--name", "OTA 1.5GB", "--type", "1", "--volume", "1.5GB", "--price", "12.5", "--currency", "USD", "--ota"},
			"created plan PLAN-OTA (OTA 1.5GB): type 1, 1536 MB, 12.50 USD\n"},
		{"plan create unlimited", "", []string{"plan", "create", "--code", "PLAN-UNL", "--name", "Unlimited", "--type", "0", "--volume", "512KB", "--price", "1", "--throttle-kbps", "128"},
			"created plan PLAN-UNL (Unlimited): type 0, 512 KB, 1.00 CNY\n"},
		{"plan grant", "", []string{"plan", "grant", "--access-code", "ACME", "--plan", "PLAN-20M"},
			"granted plan PLAN-20M to enterprise ACME\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := adminRun(t, m, tt.stdin, tt.args...)
			if err != nil {
				t.Fatalf("error %v; stderr %s", err, errOut)
			}
			if out != tt.want {
				t.Errorf("stdout %q, want %q", out, tt.want)
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		out, _, err := adminRun(t, m, "", "--json", "enterprise", "show", "ACME")
		if err != nil {
			t.Fatal(err)
		}
		var got admin.Enterprise
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		// The enterprise's page: its secrets by id and age (none has an age
		// of its own yet: the enterprise's), its alerts and counts.
		want := admin.Enterprise{AccessCode: "ACME", Name: "Acme IoT", Secrets: 2, CreatedAt: adminT0, Status: opencube.EnterpriseActive,
			SecretIDs: []operator.SecretInfo{{ID: operator.SecretID("acme-secret-1"), AddedAt: adminT0}, {ID: operator.SecretID("acme-secret-2"), AddedAt: adminT0}},
			Alerts:    &opencube.AlertSettings{EnterpriseCode: "ACME", Percents: []int{80, 100}, DaysBeforeExpiry: 3},
			Counts:    &operator.Counts{SIMs: 3}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("enterprise show --json (-want +got):\n%s", diff)
		}
		out, _, err = adminRun(t, m, "", "plan", "grant", "--json", "--access-code", "ACME", "--plan", "PLAN-OTA")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff("{\n  \"access_code\": \"ACME\",\n  \"plan_code\": \"PLAN-OTA\"\n}\n", out); diff != "" {
			t.Errorf("plan grant --json (-want +got):\n%s", diff)
		}
	})

	t.Run("state", func(t *testing.T) {
		e, err := m.Store.FindEnterprise(ctx, "ACME")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"acme-secret-1", "acme-secret-2"}, e.Secrets); diff != "" {
			t.Errorf("secrets (-want +got):\n%s", diff)
		}
		sims, _, err := m.Store.FindSIMs(ctx, opencube.SIMFilter{Enterprise: "ACME"})
		if err != nil {
			t.Fatal(err)
		}
		want := []*opencube.SIM{
			{ICCID: "89852000000000000001", IMSI: "454000000000001", MSISDN: "85200000001", OTA: true, EnterpriseCode: "ACME", Status: opencube.SIMActive, CreatedAt: adminT0},
			{ICCID: "89852000000000000002", IMSI: "454000000000002", EnterpriseCode: "ACME", Status: opencube.SIMActive, CreatedAt: adminT0},
			{ICCID: "89852000000000000003", IMSI: "454000000000003", EnterpriseCode: "ACME", Status: opencube.SIMActive, CreatedAt: adminT0},
		}
		if diff := cmp.Diff(want, sims); diff != "" {
			t.Errorf("SIMs (-want +got):\n%s", diff)
		}
		// The enterprise, with its rotated secret, sees its granted plans
		// through a signed CSSS call.
		c := client.New(m.URL(), "ACME", "acme-secret-2")
		c.Now = func() time.Time { return adminT0 }
		plans, total, err := c.FindPlans(opencube.NewContext(ctx, "ACME"), opencube.PlanFilter{})
		if err != nil {
			t.Fatal(err)
		}
		wantPlans := []*opencube.Plan{
			{Code: "PLAN-20M", Name: "China 20MB monthly", Type: opencube.PlanMonthly, VolumeBytes: 20 * opencube.MB, PriceMinor: 1000, Currency: "CNY", Countries: []string{"CN"}},
			{Code: "PLAN-OTA", Name: "OTA 1.5GB", Type: opencube.PlanDaily, VolumeBytes: 1536 * opencube.MB, PriceMinor: 1250, Currency: "USD", OTA: true},
		}
		if diff := cmp.Diff(wantPlans, plans, cmpopts.EquateEmpty()); diff != "" || total != 2 {
			t.Errorf("queryPackage: total %d (-want +got):\n%s", total, diff)
		}
	})

	t.Run("env token and alias", func(t *testing.T) {
		t.Setenv("OPENCUBE_ADMIN_TOKEN", "t")
		t.Setenv("OPENCUBE_URL", m.URL())
		var out strings.Builder
		if err := dispatch(ctx, []string{"admin", "enterprise", "show", "ACME"}, strings.NewReader(""), &out, io.Discard); err != nil {
			t.Fatalf("with OPENCUBE_ADMIN_TOKEN: %v", err)
		}
		t.Setenv("OPENCUBE_ADMIN_TOKEN", "wrong")
		out.Reset()
		if err := dispatch(ctx, []string{"admin", "--token=t", "enterprise", "show", "ACME"}, strings.NewReader(""), &out, io.Discard); err != nil {
			t.Fatalf("with --token=t: %v", err)
		}
		if err := dispatch(ctx, []string{"admin", "--json", "--token", "t", "enterprise", "show", "ACME"}, strings.NewReader(""), &out, io.Discard); err != nil {
			t.Fatalf("with --token t: %v", err)
		}
	})
}

func TestAdminCLIErrors(t *testing.T) {
	m := startAdminMain(t)
	if _, _, err := adminRun(t, m, "", "enterprise", "create", "--access-code", "ACME", "--secret", "acme-secret-1"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string // in the error
		kind    opencube.Kind
		usage   string // in stderr
	}{
		{name: "no command", args: nil, wantErr: "missing command", usage: "Usage: opencube admin"},
		{name: "unknown command", args: []string{"enterprise", "delete"}, wantErr: `unknown command "enterprise delete"`, usage: "enterprise rotate-secret"},
		{name: "unknown word alone", args: []string{"sessions"}, wantErr: `unknown command "sessions"`, usage: "Usage: opencube admin"},
		{name: "missing flag", args: []string{"enterprise", "create", "--access-code", "X"}, wantErr: "--secret is required", usage: "Usage: opencube admin enterprise create --access-code C --secret S"},
		{name: "unknown flag", args: []string{"plan", "grant", "--enterprise", "ACME"}, wantErr: "flag provided but not defined", usage: "-access-code"},
		{name: "show without code", args: []string{"enterprise", "show"}, wantErr: "want 1 argument", usage: "Usage: opencube admin enterprise show C"},
		{name: "rate limit without burst", args: []string{"enterprise", "rate-limit", "--access-code", "ACME", "--rate", "5"}, wantErr: "--rate and --burst are required", usage: "-burst"},
		{name: "rate limit and clear", args: []string{"enterprise", "rate-limit", "--access-code", "ACME", "--clear", "--rate", "5"}, wantErr: "--clear takes neither", usage: "-clear"},
		{name: "rate limit out of range", args: []string{"enterprise", "rate-limit", "--access-code", "ACME", "--rate", "5", "--burst", "2000000"}, wantErr: "burst must be 1-1000000", kind: opencube.KindInvalid},
		{name: "bad volume", args: []string{"plan", "create", "--code", "X", "--name", "X", "--type", "2", "--volume", "20PB", "--price", "1"}, wantErr: `--volume: volume "20PB"`, usage: "-volume"},
		{name: "bad price", args: []string{"plan", "create", "--code", "X", "--name", "X", "--type", "2", "--volume", "20MB", "--price", "1.005"}, wantErr: "--price", usage: "-price"},
		{name: "bad type", args: []string{"plan", "create", "--code", "X", "--name", "X", "--type", "weekly", "--volume", "20MB", "--price", "1"}, wantErr: `--type "weekly"`, usage: "-type"},
		{name: "missing file", args: []string{"sims", "import", "--file", filepath.Join(t.TempDir(), "none.csv")}, wantErr: "no such file"},
		{name: "duplicate enterprise", args: []string{"enterprise", "create", "--access-code", "ACME", "--secret", "acme-secret-1"}, wantErr: "admin enterprise create: enterprise ACME exists", kind: opencube.KindConflict},
		{name: "unknown enterprise", args: []string{"enterprise", "show", "NOPE"}, wantErr: "NOPE", kind: opencube.KindUnauthenticated},
		{name: "bad CSV row", stdin: "iccid,imsi,enterprise\n89852000000000000001,454000000000001,ACME\n89852000000000000002,45x,ACME\n",
			args: []string{"sims", "import", "--file", "-"}, wantErr: "line 3", kind: opencube.KindInvalid},
		{name: "unknown plan", args: []string{"plan", "grant", "--access-code", "ACME", "--plan", "NOPE"}, wantErr: "NOPE", kind: opencube.KindPlanNotOrderable},
		{name: "wrong token", args: []string{"--admin-token", "nope", "enterprise", "show", "ACME"}, wantErr: "wrong admin token", kind: admin.KindUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := adminRun(t, m, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one with %q", err, tt.wantErr)
			}
			if out != "" {
				t.Errorf("stdout %q, want none", out)
			}
			if !strings.Contains(errOut, tt.usage) {
				t.Errorf("stderr %q, want %q", errOut, tt.usage)
			}
			var ec exitCoder
			if tt.kind != "" {
				if got := opencube.ErrorKind(err); got != tt.kind {
					t.Errorf("kind %s, want %s", got, tt.kind)
				}
				if !errors.As(err, &ec) || ec.ExitCode() != 3 {
					t.Errorf("a refused command should exit 3")
				}
			} else if tt.name == "missing file" {
				if errors.As(err, &ec) {
					t.Errorf("a missing file should not choose exit code %d", ec.ExitCode())
				}
			} else if exitCode(err) != 2 {
				t.Errorf("a usage error exits %d, want 2", exitCode(err))
			}
		})
	}
	// Nothing the failures tried was written.
	sims, _, err := m.Store.FindSIMs(t.Context(), opencube.SIMFilter{Enterprise: "ACME"})
	if err != nil || len(sims) != 0 {
		t.Errorf("after failed imports ACME holds %d SIMs (%v)", len(sims), err)
	}
}
