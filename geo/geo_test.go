package geo

import "testing"

func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range table {
		if len(c.MCC) != 3 || len(c.ISO) != 2 || c.NameEN == "" || c.NameZH == "" {
			t.Errorf("row %+v is incomplete", c)
		}
		if _, ok := Regions[c.Region]; !ok {
			t.Errorf("row %+v: unknown region", c)
		}
		if seen[c.MCC] {
			t.Errorf("MCC %s twice", c.MCC)
		}
		seen[c.MCC] = true
	}
}

func TestCovers(t *testing.T) {
	for _, tt := range []struct {
		area, iso string
		want      bool
	}{
		{"", "CN", true},
		{"CN", "CN", true},
		{"cn", "CN", true},
		{"460", "CN", true},
		{"中国", "CN", true},
		{"China", "CN", true},
		{"AS", "CN", true},
		{"亚洲", "CN", true},
		{"Asia", "JP", true},
		{"EU", "CN", false},
		{"JP,FR", "FR", true},
		{"US", "CN", false},
		{"欧洲", "DE", true},
		{"XX", "XX", true}, // an unknown country matches itself only
		{"AS", "XX", false},
	} {
		if got := Covers(tt.area, tt.iso); got != tt.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", tt.area, tt.iso, got, tt.want)
		}
	}
	if c, ok := ByMCC("441"); !ok || c.ISO != "JP" {
		t.Errorf("ByMCC(441) = %+v", c)
	}
	if c, ok := ByISO("jp"); !ok || c.MCC != "440" {
		t.Errorf("ByISO(jp) = %+v", c)
	}
	if m := MCCs("US"); len(m) != 5 || m[0] != "310" {
		t.Errorf("MCCs(US) = %v", m)
	}
}
