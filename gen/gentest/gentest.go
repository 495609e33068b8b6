package gentest

import (
	"context"
	"fmt"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gen"
)

// Store is what Check reads a generated data set through.
type Store interface {
	gen.Generator
	FindDailyUsage(ctx context.Context, iccid string, from, to int) ([]opencube.DailyUsage, error)
	FindDevices(ctx context.Context, f opencube.DeviceFilter) ([]*opencube.Device, int, error)
	FindEnterprise(ctx context.Context, accessCode string) (*opencube.Enterprise, error)
	FindSMS(ctx context.Context, f opencube.SMSFilter) ([]*opencube.SMS, int, error)
	FindDeliveries(ctx context.Context, f opencube.DeliveryFilter) ([]*opencube.Delivery, error)
}

// Test generates a small data set in the empty store s and checks it
// through the store's own reads: every SIM in use, the usage rows spread
// as Spec says, and the enterprise's secret readable. Each store's tests
// run it.
func Test(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	spec := gen.Spec{SIMs: 120, UsageRows: 250, SMS: 250, Deliveries: 100} // 2 days each, 10 SIMs with 3
	if err := s.Generate(ctx, gen.Spec{SIMs: 10, UsageRows: 301}); err == nil {
		t.Error("Generate accepted 301 usage rows for 10 SIMs")
	}
	if err := s.Generate(ctx, gen.Spec{SIMs: 10, SMS: 1001}); err == nil {
		t.Error("Generate accepted 1,001 SMS for 10 SIMs")
	}
	if err := s.Generate(ctx, gen.Spec{SIMs: 10, Deliveries: 11}); err == nil {
		t.Error("Generate accepted 11 deliveries for 10 SIMs")
	}
	if err := s.Generate(ctx, spec); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	e, err := s.FindEnterprise(ctx, gen.Enterprise)
	if err != nil || len(e.Secrets) != 1 || e.Secrets[0] != gen.Secret {
		t.Fatalf("FindEnterprise(%s) = %+v, %v", gen.Enterprise, e, err)
	}
	ds, total, err := s.FindDevices(ctx, opencube.DeviceFilter{Enterprise: gen.Enterprise, InUse: true, Page: opencube.PageOf(2, 50)})
	if err != nil || total != spec.SIMs || len(ds) != 50 {
		t.Fatalf("FindDevices in use = %d of %d, %v; want 50 of %d", len(ds), total, err, spec.SIMs)
	}
	ms, total, err := s.FindSMS(ctx, opencube.SMSFilter{Enterprise: gen.Enterprise, ICCID: gen.ICCID(9), Page: opencube.Page{Limit: 10}})
	if err != nil || total != 3 || len(ms) != 3 || ms[0].State != opencube.SMSDelivered || ms[0].Direction != opencube.SMSMO {
		t.Errorf("FindSMS(SIM 9) = %d of %d, %v; want 3, the newest (message 249) mobile-originated and delivered", len(ms), total, err)
	}
	if _, total, err := s.FindSMS(ctx, opencube.SMSFilter{Enterprise: gen.Enterprise, Page: opencube.Page{Offset: 1, Limit: 1}}); err != nil || total != spec.SMS {
		t.Errorf("FindSMS total = %d, %v; want %d", total, err, spec.SMS)
	}
	dl, err := s.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: gen.Enterprise, Limit: 1000})
	if err != nil || len(dl) != spec.Deliveries || dl[0].ID != fmt.Sprintf("EV%017d", spec.Deliveries-1) ||
		len(dl[0].Attempts) != 1 || !dl[0].Attempts[0].OK || dl[0].State != opencube.DeliveryDelivered {
		t.Fatalf("FindDeliveries = %d, %v; want %d, the newest delivered at its first attempt", len(dl), err, spec.Deliveries)
	}
	if got := dl[0].Event; got == nil || got.Type != opencube.EventCreateOrder || got.OrderID != fmt.Sprintf("ORDER_%017d", spec.Deliveries-1) {
		t.Errorf("delivery %s is of event %+v", dl[0].ID, got)
	}
	rows := 0
	for i := range spec.SIMs {
		days, err := s.FindDailyUsage(ctx, gen.ICCID(i), 20240301, 20240331)
		if err != nil {
			t.Fatal(err)
		}
		want := 2
		if i < 10 {
			want = 3
		}
		if len(days) != want {
			t.Errorf("SIM %d has %d usage days, want %d", i, len(days), want)
		}
		rows += len(days)
	}
	if rows != spec.UsageRows {
		t.Errorf("%d usage rows, want %d", rows, spec.UsageRows)
	}
}
