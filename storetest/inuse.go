package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// testInUseList covers the list of in-use SIMs (FindDevices with InUse):
// every page, wherever it starts, holds the right SIMs in ICCID order, and
// its total is the exact number of in-use SIMs, as orders are inserted in
// use, enabled, suspended, expired and deleted, over ICCIDs of several
// leading digits and two enterprises.
func testInUseList(t *testing.T, open func(*testing.T) service.Store) {
	s := open(t)
	ctx := context.Background()
	for _, e := range []string{"ent", "other"} {
		if err := s.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: e, Name: e, Secrets: []string{"12345678"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreatePlan(ctx, &opencube.Plan{Code: "P", Name: "Plan", Type: opencube.PlanDaily, VolumeBytes: 1 << 30}); err != nil {
		t.Fatal(err)
	}
	// 30 SIMs of ent over three runs of consecutive ICCIDs, and one short
	// ICCID; 5 of other.
	var sims []*opencube.SIM
	for i, prefix := range []string{"8986000000000001", "8986000000000007", "8986000000000042"} {
		for k := range 10 {
			iccid := fmt.Sprintf("%s%04d", prefix, 997*k%10000+i)
			sims = append(sims, &opencube.SIM{ICCID: iccid, IMSI: "46001" + iccid[10:], EnterpriseCode: "ent", Status: opencube.SIMActive})
		}
	}
	sims = append(sims, &opencube.SIM{ICCID: "89860000001", IMSI: "460010000000001", EnterpriseCode: "ent", Status: opencube.SIMActive})
	for k := range 5 {
		iccid := fmt.Sprintf("8986000000000001%04d", 5000+k)
		sims = append(sims, &opencube.SIM{ICCID: iccid, IMSI: "46002" + iccid[10:], EnterpriseCode: "other", Status: opencube.SIMActive})
	}
	if err := s.CreateSIMs(ctx, sims); err != nil {
		t.Fatal(err)
	}
	orders := make([]*opencube.Order, len(sims))
	for i, sim := range sims {
		orders[i] = NewOrder(int64(i+1), sim)
		if i%3 != 2 { // every third not enabled
			orders[i].Status = opencube.OrderInUse
		}
	}
	update := func(fn func(tx opencube.OrderTx) error) {
		t.Helper()
		if err := s.UpdateOrders(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	update(func(tx opencube.OrderTx) error {
		for _, o := range orders {
			if err := tx.InsertOrder(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(step string) {
		t.Helper()
		var want []string
		for _, o := range orders {
			if o.EnterpriseCode == "ent" && o.Status == opencube.OrderInUse {
				want = append(want, o.ICCID)
			}
		}
		slices.Sort(want)
		for _, size := range []int{1, 4, 7, 100} {
			for offset := 0; offset <= len(want)+1; offset++ {
				ds, total, err := s.FindDevices(ctx, opencube.DeviceFilter{Enterprise: "ent", InUse: true, Page: opencube.Page{Offset: offset, Limit: size}})
				if err != nil {
					t.Fatalf("%s: FindDevices: %v", step, err)
				}
				var got []string
				for _, d := range ds {
					got = append(got, d.SIM.ICCID)
				}
				end := min(offset+size, len(want))
				if wantPage := want[min(offset, len(want)):end]; !slices.Equal(got, wantPage) || total != len(want) {
					t.Fatalf("%s: page at %d of %d = %v, total %d; want %v, total %d", step, offset, size, got, total, wantPage, len(want))
				}
			}
		}
	}
	check("inserted")
	// Enable the not-enabled ones of the second run, suspend two, expire
	// two.
	update(func(tx opencube.OrderTx) error {
		for i := 10; i < 20; i++ {
			o := orders[i]
			switch {
			case o.Status == opencube.OrderNotEnabled:
				o.Status = opencube.OrderInUse
			case i < 14:
				o.Status = opencube.OrderSuspended
			case i < 17:
				o.Status = opencube.OrderExpired
			default:
				continue
			}
			if err := tx.UpdateOrder(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
	check("moved")
	// A change that is rolled back counts for nothing.
	errUndo := fmt.Errorf("undo")
	if err := s.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		o := *orders[0]
		o.Status = opencube.OrderExpired
		if err := tx.UpdateOrder(ctx, &o); err != nil {
			return err
		}
		return errUndo
	}); err != errUndo {
		t.Fatalf("UpdateOrders = %v, want %v", err, errUndo)
	}
	check("rolled back")
}
