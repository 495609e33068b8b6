package shop

import (
	"testing"
	"time"

	"github.com/opencube/opencube"
)

func TestProfile(t *testing.T) {
	p := &Profile{ICCID: "89445099000000000001", EnterpriseCode: "P000270", SMDPAddress: "smdp.example.com", MatchingID: "AB-1", IMSI: "460990000000001", State: ProfileAvailable}
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
		if opencube.ErrorKind(q.Validate()) != opencube.KindInvalid {
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
		if (err == nil) != tt.ok || (err != nil && opencube.ErrorKind(err) != opencube.KindOrderState) {
			t.Errorf("Mark %s -> %s: %v", tt.from, tt.to, err)
		}
	}
}
