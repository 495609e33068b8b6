package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// testSealing: what a store seals reads back as it was written, through
// every reader and writer of secrets (creation, an update in a change's
// transaction, the list, webhook secrets and their rotation, the Cube v4
// notification key, SIM authentication data); a store made with the demo
// key rotates it; a store holding nothing clear has nothing to seal.
func testSealing(t *testing.T, open func(*testing.T) service.Store) {
	s, ctx := open(t), context.Background()
	e := newEnterprise(entA)
	e.Secrets = []string{"sealed-secret-1"}
	if err := s.CreateEnterprise(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateEnterprise(ctx, entA, base, func(e *opencube.Enterprise) error {
		if len(e.Secrets) != 1 || e.Secrets[0] != "sealed-secret-1" {
			return opencube.Errorf(opencube.KindInternal, "the change read secrets %q", e.Secrets)
		}
		e.Secrets = append(e.Secrets, "sealed-secret-2")
		e.SecretsAdded = append(e.SecretsAdded, at(time.Minute))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindEnterprise(ctx, entA)
	if err != nil || len(got.Secrets) != 2 || got.Secrets[1] != "sealed-secret-2" {
		t.Fatalf("FindEnterprise = %+v, %v", got, err)
	}
	if err := s.UpdateSecrets(ctx, entA, []string{"sealed-secret-3"}, []time.Time{base}); err != nil {
		t.Fatal(err)
	}
	l, err := s.ListEnterprises(ctx, operator.EnterpriseQuery{AccessCode: entA})
	if err != nil || len(l.Items) != 1 || len(l.Items[0].Secrets) != 1 || l.Items[0].Secrets[0] != "sealed-secret-3" {
		t.Fatalf("ListEnterprises = %+v, %v", l, err)
	}

	w := &opencube.Webhook{EnterpriseCode: entA, URL: "https://example.com/hook", Secret: "whsec_sealed", Format: opencube.WebhookV4,
		NotificationKeyID: "k1", NotificationKey: "00ff", CreatedAt: base, UpdatedAt: base}
	if _, err := s.PutWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := s.RotateWebhookSecret(ctx, entA, "whsec_sealed_next", at(time.Hour)); err != nil {
		t.Fatal(err)
	}
	gw, err := s.FindWebhook(ctx, entA)
	if err != nil || gw.Secret != "whsec_sealed_next" || gw.OldSecret != "whsec_sealed" || gw.NotificationKey != "00ff" {
		t.Fatalf("FindWebhook = %+v, %v", gw, err)
	}
	if w.Secret != "whsec_sealed" || w.NotificationKey != "00ff" {
		t.Errorf("PutWebhook changed its argument: %+v", w)
	}

	sim := newSIM(entA, 77)
	sim.Auth = &opencube.SIMAuth{Algorithm: "milenage", Ki: "00112233445566778899aabbccddeeff", OPc: "ffeeddccbbaa99887766554433221100"}
	if err := s.CreateSIMs(ctx, []*opencube.SIM{sim}); err != nil {
		t.Fatal(err)
	}
	a, err := s.SIMAuth(ctx, sim.ICCID)
	if err != nil || a == nil || *a != *sim.Auth {
		t.Fatalf("SIMAuth = %+v, %v; want %+v", a, err, sim.Auth)
	}

	if n, err := s.SealClear(ctx, 10); n != 0 || err != nil {
		t.Errorf("SealClear of a store that wrote everything sealed = %d, %v", n, err)
	}
	r, err := s.RotateMasterKeys(ctx)
	if err != nil || r.Master != seal.DemoKey.Check() || r.DataKeys != 1 || len(r.Kept) != 0 || len(r.Dropped) != 0 {
		t.Fatalf("RotateMasterKeys = %+v, %v", r, err)
	}
	if got, err := s.FindEnterprise(ctx, entA); err != nil || got.Secrets[0] != "sealed-secret-3" {
		t.Fatalf("after rotation, FindEnterprise = %+v, %v", got, err)
	}
}
