package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gen"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// TestGen: `opencube gen` fills a new database with the benchmark data set,
// which the server's services then read; it refuses sizes out of range and
// a database that has the data set already.
func TestGen(t *testing.T) {
	keys := keyFile(t, seal.Demo().Keys[0])
	db := filepath.Join(t.TempDir(), "gen.db")
	out, _, err := runCLI(t, "", "gen", "--db", db, "--master-key-file", keys, "--sims", "300", "--usage-rows", "900", "--sms", "600", "--deliveries", "300")
	if err != nil || !strings.Contains(out, "made 300 SIMs") || !strings.Contains(out, "600 SMS and 300 deliveries") {
		t.Fatalf("gen = %q, %v", out, err)
	}
	if _, _, err := runCLI(t, "", "gen", "--db", db, "--master-key-file", keys, "--sims", "10", "--usage-rows", "0"); err == nil || !strings.Contains(err.Error(), "BENCH exists") {
		t.Errorf("gen on a database with the data set: %v", err)
	}
	if _, _, err := runCLI(t, "", "gen", "--db", db, "--master-key-file", keys, "--sims", "10", "--usage-rows", "301"); err == nil || !strings.Contains(err.Error(), "--usage-rows") {
		t.Errorf("gen with 301 usage rows for 10 SIMs: %v", err)
	}
	if _, _, err := runCLI(t, "", "gen", "--db", db, "--master-key-file", keys, "--sims", "10", "--deliveries", "11"); err == nil || !strings.Contains(err.Error(), "--deliveries") {
		t.Errorf("gen with 11 deliveries for 10 SIMs: %v", err)
	}
	store, err := openStore(t.Context(), db, dbOptions{}, masters(seal.Demo().Keys[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := service.New(store, opencube.SystemClock, service.NewIDGenerator(0))
	ctx := opencube.NewContext(context.Background(), gen.Enterprise)
	ds, total, err := svc.SIMs.FindDevices(ctx, opencube.DeviceFilter{InUse: true, Page: opencube.PageOf(3, 100)})
	if err != nil || total != 300 || len(ds) != 100 {
		t.Fatalf("in-use devices = %d of %d, %v", len(ds), total, err)
	}
	if _, total, err := svc.SIMs.FindDevices(ctx, opencube.DeviceFilter{Page: opencube.PageOf(2, 100)}); err != nil || total != 300 {
		t.Errorf("devices: a total of %d, %v; want 300", total, err)
	}
	days, _, err := svc.SIMs.DailyUsage(ctx, gen.ICCID(299), 20240301, 20240331)
	if err != nil || len(days) != 3 {
		t.Errorf("DailyUsage(%s) = %d days, %v; want 3", gen.ICCID(299), len(days), err)
	}
}
