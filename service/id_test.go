package service_test

import (
	"testing"
	"time"

	"github.com/opencube/opencube/service"
)

func TestIDGenerator(t *testing.T) {
	g := service.NewIDGenerator(5)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := int64(0)
	seen := map[string]bool{}
	for i := 0; i < 5000; i++ {
		n := g.Next(now) // the same millisecond: the sequence must advance
		if n <= prev {
			t.Fatalf("id %d not increasing after %d", n, prev)
		}
		if n&63 != 5 {
			t.Fatalf("id %d lost its node number", n)
		}
		id := service.OrderID(n)
		if len(id) != len("ORDER_")+17 || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		if code := service.OrderCode(n); len(code) != 19 || code[0] != 'L' {
			t.Fatalf("bad order code %q", code)
		}
		seen[id] = true
		prev = n
	}
	// A clock that steps back never makes ids go back.
	if n := g.Next(now.Add(-time.Hour)); n <= prev {
		t.Fatalf("id went back: %d after %d", n, prev)
	}
}

func TestDemoDataset(t *testing.T) {
	d := service.NewDemo("s3cret-demo")
	if len(d.SIMs) != 20 {
		t.Fatalf("%d demo SIMs, want 20", len(d.SIMs))
	}
	first, last := d.SIMs[0], d.SIMs[9]
	if first.ICCID != "89852022018041800192" || last.ICCID != "89852022018041800201" || first.OTA {
		t.Fatalf("P000270 SIMs: %+v .. %+v", first, last)
	}
	if first.IMSI != "454008041800192" || first.MSISDN != "85241800192" {
		t.Fatalf("first SIM IMSI %s MSISDN %s", first.IMSI, first.MSISDN)
	}
	if ota := d.SIMs[10]; ota.ICCID != "89852022018041800300" || !ota.OTA || ota.EnterpriseCode != "QY-000001" {
		t.Fatalf("first OTA SIM %+v", ota)
	}
	for _, s := range d.SIMs {
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
	}
}
