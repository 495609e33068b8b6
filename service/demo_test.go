package service_test

import (
	"crypto/x509"
	"testing"

	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/shop"
)

func TestESIMPlanPrices(t *testing.T) {
	d := service.NewShopDemo()
	if len(d.Plans) < 4 || len(d.Profiles) != 20 {
		t.Fatalf("demo: %d plans, %d profiles", len(d.Plans), len(d.Profiles))
	}
	regions := 0
	for _, p := range d.Plans {
		if err := p.Validate(); err != nil {
			t.Errorf("plan %d: %v", p.ID, err)
		}
		if _, ok := service.PriceIn(p, "usd"); !ok {
			t.Errorf("plan %d has no USD price", p.ID)
		}
		if _, ok := service.PriceIn(p, "CNY"); !ok {
			t.Errorf("plan %d has no CNY price", p.ID)
		}
		if p.Region {
			regions++
		}
	}
	if regions != 1 {
		t.Errorf("%d regional plans, want 1", regions)
	}
	for _, p := range d.Profiles {
		p.State = shop.ProfileAvailable
		if err := p.Validate(); err != nil {
			t.Errorf("profile %s: %v", p.ICCID, err)
		}
	}
}

// TestDemoKeyID: the published keyId of the demo Cube v4 key is its own.
func TestDemoKeyID(t *testing.T) {
	pub, err := service.ParsePublicKey(service.DemoPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if got := service.KeyID(der); got != service.DemoKeyID {
		t.Errorf("KeyID(demo key) = %s, want %s", got, service.DemoKeyID)
	}
}
