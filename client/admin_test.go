package client_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sqlite"
	"github.com/opencube/opencube/storetest"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// newAdmin starts the admin API over a SQLite store in a temporary
// directory and returns a client of it with token, and the store.
func newAdmin(t *testing.T, serverToken, token string) (*client.Admin, *sqlite.DB) {
	t.Helper()
	store, svc := storetest.Services(t, opencube.ClockFunc(func() time.Time { return t0 }))
	as := admin.NewServer(svc.Admin, serverToken)
	as.SIMs, as.Orders = svc.SIMs, svc.Corrections
	srv := httptest.NewServer(as.Handler())
	t.Cleanup(srv.Close)
	return client.NewAdmin(srv.URL+"/", token), store
}

// wantKind fails t unless err is an *opencube.Error of kind k whose message
// contains msg.
func wantKind(t *testing.T, err error, k opencube.Kind, msg string) {
	t.Helper()
	var e *opencube.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *opencube.Error", err, err)
	}
	if e.Kind != k || !strings.Contains(e.Message, msg) {
		t.Fatalf("error %v: want kind %s and a message with %q", err, k, msg)
	}
}

func TestAdmin(t *testing.T) {
	ctx := t.Context()
	a, store := newAdmin(t, "tok", "tok")

	t.Run("demo data", func(t *testing.T) {
		// Demo.Load uses every AdminService method but RotateSecret.
		loaded, err := service.NewDemo("demo-secret-1").Load(ctx, a)
		if err != nil || !loaded {
			t.Fatalf("Load = %v, %v; want true, nil", loaded, err)
		}
		loaded, err = service.NewDemo("demo-secret-1").Load(ctx, a)
		if err != nil || loaded {
			t.Fatalf("second Load = %v, %v; want false, nil", loaded, err)
		}
		demo := service.NewDemo("demo-secret-1")
		for code, grants := range demo.Grants {
			plans, _, err := store.FindPlans(ctx, opencube.PlanFilter{Enterprise: code})
			if err != nil {
				t.Fatal(err)
			}
			if len(plans) != len(grants) {
				t.Errorf("%s may order %d plans, want %d", code, len(plans), len(grants))
			}
		}
		sims, total, err := store.FindSIMs(ctx, opencube.SIMFilter{Enterprise: "P000270"})
		if err != nil {
			t.Fatal(err)
		}
		if total != 10 || sims[0].ICCID != "89852022018041800192" {
			t.Errorf("P000270 holds %d SIMs from %s", total, sims[0].ICCID)
		}
	})

	t.Run("enterprise", func(t *testing.T) {
		e := &opencube.Enterprise{AccessCode: "ACME", Name: "Acme", Secrets: []string{"acme-secret-1"}}
		if err := a.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		if !e.CreatedAt.Equal(t0) {
			t.Errorf("CreatedAt = %v, want %v", e.CreatedAt, t0)
		}
		wantKind(t, a.CreateEnterprise(ctx, e), opencube.KindConflict, "ACME")
		wantKind(t, a.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "X", Secrets: []string{"short"}}), opencube.KindInvalid, "8 characters")
		wantKind(t, a.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "X"}), opencube.KindInvalid, "one secret")

		got, err := a.FindEnterprise(ctx, "ACME")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&opencube.Enterprise{AccessCode: "ACME", Name: "Acme", CreatedAt: t0, Status: opencube.EnterpriseActive}, got); diff != "" {
			t.Errorf("FindEnterprise (-want +got):\n%s", diff)
		}
		_, err = a.FindEnterprise(ctx, "NOPE")
		wantKind(t, err, opencube.KindUnauthenticated, "NOPE")
		_, err = a.FindEnterprise(ctx, "")
		wantKind(t, err, opencube.KindInvalid, "access code")

		if _, err := a.RotateSecret(ctx, "ACME", "acme-secret-2"); err != nil {
			t.Fatal(err)
		}
		view, err := a.AddSecret(ctx, "ACME", "acme-secret-3")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&admin.Enterprise{AccessCode: "ACME", Name: "Acme", Secrets: 2, CreatedAt: t0, Status: opencube.EnterpriseActive}, view); diff != "" {
			t.Errorf("AddSecret (-want +got):\n%s", diff)
		}
		_, err = a.RotateSecret(ctx, "ACME", "acme-secret-3")
		wantKind(t, err, opencube.KindConflict, "already holds")
		_, err = a.RotateSecret(ctx, "NOPE", "nope-secret")
		wantKind(t, err, opencube.KindUnauthenticated, "NOPE")
		stored, err := store.FindEnterprise(ctx, "ACME")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"acme-secret-2", "acme-secret-3"}, stored.Secrets); diff != "" {
			t.Errorf("stored secrets (-want +got):\n%s", diff)
		}
	})

	t.Run("SIMs", func(t *testing.T) {
		sims := []*opencube.SIM{
			{ICCID: "89852000000000000001", IMSI: "454000000000001", MSISDN: "85200000001", OTA: true, EnterpriseCode: "ACME"},
			{ICCID: "89852000000000000002", IMSI: "454000000000002", EnterpriseCode: "ACME", Status: opencube.SIMInventory},
		}
		if err := a.ImportSIMs(ctx, sims); err != nil {
			t.Fatal(err)
		}
		wantKind(t, a.ImportSIMs(ctx, sims[:1]), opencube.KindConflict, sims[0].ICCID)

		n, err := a.ImportCSV(ctx, strings.NewReader("iccid,imsi,ota,enterprise\n89852000000000000003,454000000000003,true,ACME\n"))
		if err != nil || n != 1 {
			t.Fatalf("ImportCSV = %d, %v; want 1, nil", n, err)
		}
		_, err = a.ImportCSV(ctx, strings.NewReader("iccid,imsi,enterprise\n89852000000000000004,454000000000004,ACME\nbad,454000000000005,ACME\n"))
		wantKind(t, err, opencube.KindInvalid, "line 3")
		_, err = a.ImportCSV(ctx, strings.NewReader("iccid,imsi,enterprise\n89852000000000000004,454000000000004,ACME\n89852000000000000001,454000000000005,ACME\n"))
		wantKind(t, err, opencube.KindConflict, "89852000000000000001")

		got, _, err := store.FindSIMs(ctx, opencube.SIMFilter{Enterprise: "ACME"})
		if err != nil {
			t.Fatal(err)
		}
		want := []*opencube.SIM{
			{ICCID: "89852000000000000001", IMSI: "454000000000001", MSISDN: "85200000001", OTA: true, EnterpriseCode: "ACME", Status: opencube.SIMActive, CreatedAt: t0},
			{ICCID: "89852000000000000002", IMSI: "454000000000002", EnterpriseCode: "ACME", Status: opencube.SIMInventory, CreatedAt: t0},
			{ICCID: "89852000000000000003", IMSI: "454000000000003", OTA: true, EnterpriseCode: "ACME", Status: opencube.SIMActive, CreatedAt: t0},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ACME's SIMs (-want +got):\n%s", diff)
		}
	})

	t.Run("plans", func(t *testing.T) {
		p := &opencube.Plan{Code: "P1", Name: "Plan 1", Type: opencube.PlanUnlimitedDaily, VolumeBytes: 1536 * opencube.MB,
			PriceMinor: 1205, ThrottleKbps: 256, OTA: true, Countries: []string{"CN", "HK"}}
		if err := a.CreatePlan(ctx, p); err != nil {
			t.Fatal(err)
		}
		if p.Currency != admin.DefaultCurrency || !p.CreatedAt.Equal(t0) {
			t.Errorf("after CreatePlan: currency %q, created %v", p.Currency, p.CreatedAt)
		}
		wantKind(t, a.CreatePlan(ctx, p), opencube.KindConflict, "P1")
		wantKind(t, a.CreatePlan(ctx, &opencube.Plan{Code: "P2", Name: "Plan 2", Type: 9}), opencube.KindInvalid, "0-5")

		if err := a.GrantPlan(ctx, "ACME", "P1"); err != nil {
			t.Fatal(err)
		}
		wantKind(t, a.GrantPlan(ctx, "ACME", "NOPE"), opencube.KindPlanNotOrderable, "NOPE")
		wantKind(t, a.GrantPlan(ctx, "NOPE", "P1"), opencube.KindUnauthenticated, "NOPE")
		wantKind(t, a.GrantPlan(ctx, "ACME", ""), opencube.KindInvalid, "plan_code")

		got, _, err := store.FindPlans(ctx, opencube.PlanFilter{Enterprise: "ACME"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*opencube.Plan{p}, got); diff != "" {
			t.Errorf("ACME's plans (-want +got):\n%s", diff)
		}
	})
}

func TestAdminRefused(t *testing.T) {
	ctx := t.Context()
	wrong, _ := newAdmin(t, "tok", "nope")
	_, err := wrong.FindEnterprise(ctx, "ACME")
	wantKind(t, err, admin.KindUnauthorized, "wrong admin token")

	off, _ := newAdmin(t, "", "tok")
	_, err = off.ImportCSV(ctx, strings.NewReader("iccid,imsi,enterprise\n"))
	wantKind(t, err, admin.KindDisabled, "--admin-token")

	// A server that is not opencube's admin API.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream down", http.StatusBadGateway)
	}))
	t.Cleanup(proxy.Close)
	err = client.NewAdmin(proxy.URL, "tok").GrantPlan(ctx, "ACME", "P1")
	wantKind(t, err, opencube.KindInternal, "HTTP 502: upstream down")
}
