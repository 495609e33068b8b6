package opencube

import (
	"testing"
	"time"
)

func TestProfile(t *testing.T) {
	p := &Profile{ICCID: "89445099000000000001", EnterpriseCode: "P000270", SMDPAddress: "smdp.example.com", MatchingID: "AB-1", State: ProfileAvailable}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := p.ActivationCode(); got != "LPA:1$smdp.example.com$AB-1" {
		t.Errorf("ActivationCode = %s", got)
	}
	for _, bad := range []func(p *Profile){
		func(p *Profile) { p.ICCID = "123" },
		func(p *Profile) { p.SMDPAddress = "a$b" },
		func(p *Profile) { p.MatchingID = "" },
		func(p *Profile) { p.MatchingID = "a b" },
		func(p *Profile) { p.State = "lost" },
	} {
		q := *p
		bad(&q)
		if ErrorKind(q.Validate()) != KindInvalid {
			t.Errorf("Validate(%+v) accepted", q)
		}
	}
	now := time.Unix(1, 0)
	for _, tt := range []struct {
		from, to ProfileState
		ok       bool
	}{
		{ProfileAvailable, ProfileInstalled, false},
		{ProfileSold, ProfileInstalled, true},
		{ProfileReserved, ProfileDeleted, false},
		{ProfileAvailable, ProfileDeleted, true},
		{ProfileInstalled, ProfileDeleted, true},
		{ProfileSold, ProfileAvailable, false},
	} {
		q := *p
		q.State = tt.from
		err := q.Mark(tt.to, now)
		if (err == nil) != tt.ok || (err != nil && ErrorKind(err) != KindOrderState) {
			t.Errorf("Mark %s -> %s: %v", tt.from, tt.to, err)
		}
	}
}

func TestESIMPlanPrices(t *testing.T) {
	d := NewShopDemo()
	if len(d.Plans) < 4 || len(d.Profiles) != 20 {
		t.Fatalf("demo: %d plans, %d profiles", len(d.Plans), len(d.Profiles))
	}
	regions := 0
	for _, p := range d.Plans {
		if err := p.Validate(); err != nil {
			t.Errorf("plan %d: %v", p.ID, err)
		}
		if _, ok := p.PriceIn("usd"); !ok {
			t.Errorf("plan %d has no USD price", p.ID)
		}
		if _, ok := p.PriceIn("CNY"); !ok {
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
		p.State = ProfileAvailable
		if err := p.Validate(); err != nil {
			t.Errorf("profile %s: %v", p.ICCID, err)
		}
	}
}

func TestFormatMinor(t *testing.T) {
	for n, want := range map[int64]string{0: "0.00", 7: "0.07", 1000: "10.00", 499: "4.99", -250: "-2.50"} {
		if got := formatMinor(n); got != want {
			t.Errorf("formatMinor(%d) = %s, want %s", n, got, want)
		}
	}
}
