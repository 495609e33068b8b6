package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
)

// TestUsageImport imports a CSV of usage records into a server's database,
// twice: the second import books nothing (idempotent by record id).
func TestUsageImport(t *testing.T) {
	s := startServer(t)
	iccid := simP(4)
	s.mustOrder(t, s.p, planMonthly.order(iccid, true))
	file := filepath.Join(t.TempDir(), "usage.csv")
	csv := "id,imsi,start,end,input_bytes,output_bytes\n" +
		"r1," + imsiOf(iccid) + ",2024-01-31T10:00:00+08:00,2024-01-31T10:30:00+08:00,1000,2000\n" +
		"r2," + imsiOf(iccid) + ",2024-01-31T23:30:00+08:00,2024-02-01T00:30:00+08:00,500,500\n" +
		"r3,999999999999999,2024-01-31T10:00:00+08:00,2024-01-31T10:30:00+08:00,1,1\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{
		"imported 3 records: 4000 bytes booked, 0 records already known, 1 of unknown SIMs\n",
		"imported 3 records: 0 bytes booked, 2 records already known, 1 of unknown SIMs\n",
	} {
		var out, errOut strings.Builder
		if err := dispatch(t.Context(), []string{"usage", "import", "--db", s.m.DB, file}, nil, &out, &errOut); err != nil {
			t.Fatalf("import %d: %v\n%s", i, err, errOut.String())
		}
		if out.String() != want {
			t.Errorf("import %d: %q, want %q", i, out.String(), want)
		}
	}
	days, err := s.m.Store.FindDailyUsage(t.Context(), iccid, 20240101, 20240229)
	want := []opencube.DailyUsage{{ICCID: iccid, Day: 20240131, Bytes: 3500}, {ICCID: iccid, Day: 20240201, Bytes: 500}}
	if err != nil || fmt.Sprint(days) != fmt.Sprint(want) {
		t.Errorf("daily usage %v, %v; want %v", days, err, want)
	}
	if u := s.ok(t, s.p, "/flow/queryDeviceFlowUsage", map[string]any{"device_id": iccid}); u["as_of"] != "2024-02-01 00:30:00" {
		t.Errorf("as_of = %v", u["as_of"])
	}
}

// TestSimulate plays the simulator against the server's accounting
// listener: every record is acknowledged and booked.
func TestSimulate(t *testing.T) {
	s := startRADIUSServer(t, 0)
	var out, errOut strings.Builder
	args := []string{"simulate", "--server", s.m.AcctAddr(), "--secret", radiusSecret, "--coa-port", "0", "--sims", "3", "--rate", "400",
		"--duration", "300ms", "--interims", "2"}
	if err := dispatch(t.Context(), args, nil, &out, &errOut); err != nil {
		t.Fatalf("simulate: %v\n%s%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), " 0 failed") {
		t.Errorf("simulate: %s", out.String())
	}
	var total int64
	for i := 0; i < 3; i++ {
		now := time.Now()
		days, err := s.m.Store.FindDailyUsage(t.Context(), simP(i), opencube.Day(now.Add(-24*time.Hour)), opencube.Day(now))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range days {
			total += d.Bytes
		}
	}
	if total == 0 {
		t.Error("the simulated sessions booked no usage")
	}
}
