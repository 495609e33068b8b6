package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// testListTotals covers the totals the stores keep counts for: CSSS's
// device list (every page, wherever it starts, and its total), order list
// and SMS list (totals by status and buy type, by direction and state), the
// admin API's counted SIM, order and SMS lists of an enterprise and its
// counts, as SIMs are created and moved, orders inserted and their status
// changed, messages inserted and their state changed, and a change rolled
// back.
func testListTotals(t *testing.T, open func(*testing.T) service.Store) {
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
	// 30 SIMs of ent over three runs of ICCIDs and a short one; 5 of other.
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
		switch i % 3 {
		case 0:
			orders[i].Status = opencube.OrderInUse
		case 1:
			orders[i].BuyType = opencube.BuyRenewal
		}
	}
	var messages []*opencube.SMS
	for i, sim := range sims {
		for k := range i % 3 {
			dir := opencube.SMSMT
			if k == 1 {
				dir = opencube.SMSMO
			}
			created := time.Date(2025, 3, 1, 0, 0, i*3+k, 0, time.UTC)
			messages = append(messages, &opencube.SMS{ID: fmt.Sprintf("SMS_%d_%d", i, k), EnterpriseCode: sim.EnterpriseCode, ICCID: sim.ICCID,
				Direction: dir, Type: opencube.SMSText, Content: "hi", Encoding: "gsm7", Segments: 1, State: opencube.SMSQueued,
				CreatedAt: created, UpdatedAt: created})
		}
	}
	if err := s.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		for _, o := range orders {
			if err := tx.InsertOrder(ctx, o); err != nil {
				return err
			}
		}
		for _, m := range messages {
			if err := tx.InsertSMS(ctx, m); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		var want []string
		for _, sim := range sims {
			if sim.EnterpriseCode == "ent" {
				want = append(want, sim.ICCID)
			}
		}
		slices.Sort(want)
		for _, size := range []int{1, 7, 100} {
			for offset := 0; offset <= len(want)+1; offset++ {
				ds, total, err := s.FindDevices(ctx, opencube.DeviceFilter{Enterprise: "ent", Page: opencube.Page{Offset: offset, Limit: size}})
				if err != nil {
					t.Fatalf("%s: FindDevices: %v", step, err)
				}
				var got []string
				for _, d := range ds {
					got = append(got, d.SIM.ICCID)
				}
				end := min(offset+size, len(want))
				if wantPage := want[min(offset, len(want)):end]; !slices.Equal(got, wantPage) || total != len(want) {
					t.Fatalf("%s: devices at %d of %d = %v, total %d; want %v, total %d", step, offset, size, got, total, wantPage, len(want))
				}
			}
		}
		// Every page of the order and SMS lists, newest first.
		var wantOrders, wantSMS []string
		for i := len(orders) - 1; i >= 0; i-- {
			if orders[i].EnterpriseCode == "ent" {
				wantOrders = append(wantOrders, orders[i].ID)
			}
		}
		for i := len(messages) - 1; i >= 0; i-- {
			if messages[i].EnterpriseCode == "ent" {
				wantSMS = append(wantSMS, messages[i].ID)
			}
		}
		for offset := 0; offset <= len(wantOrders); offset++ {
			os, _, err := s.FindOrders(ctx, opencube.OrderFilter{Enterprise: "ent", Page: opencube.Page{Offset: offset, Limit: 3}})
			var got []string
			for _, o := range os {
				got = append(got, o.ID)
			}
			if want := wantOrders[offset:min(offset+3, len(wantOrders))]; err != nil || !slices.Equal(got, want) {
				t.Fatalf("%s: orders at %d = %v, %v; want %v", step, offset, got, err, want)
			}
		}
		for offset := 0; offset <= len(wantSMS); offset++ {
			ms, _, err := s.FindSMS(ctx, opencube.SMSFilter{Enterprise: "ent", Page: opencube.Page{Offset: offset, Limit: 3}})
			var got []string
			for _, m := range ms {
				got = append(got, m.ID)
			}
			if want := wantSMS[offset:min(offset+3, len(wantSMS))]; err != nil || !slices.Equal(got, want) {
				t.Fatalf("%s: SMS at %d = %v, %v; want %v", step, offset, got, err, want)
			}
		}
		// Pages of one item at the second place, so that the total is
		// counted.
		page := opencube.Page{Offset: 1, Limit: 1}
		inUse := 0
		for _, status := range []opencube.OrderStatus{0, opencube.OrderNotEnabled, opencube.OrderInUse, opencube.OrderSuspended, opencube.OrderExpired} {
			for _, buy := range []opencube.BuyType{0, opencube.BuyNormal, opencube.BuyRenewal} {
				n := 0
				for _, o := range orders {
					if o.EnterpriseCode == "ent" && (status == 0 || o.Status == status) && (buy == 0 || o.BuyType == buy) {
						n++
					}
				}
				if status == opencube.OrderInUse && buy == 0 {
					inUse = n
				}
				_, total, err := s.FindOrders(ctx, opencube.OrderFilter{Enterprise: "ent", Status: status, BuyType: buy, Page: page})
				if err != nil || total != n {
					t.Errorf("%s: FindOrders(status %d, buy type %d) total = %d, %v; want %d", step, status, buy, total, err, n)
				}
				if buy != 0 {
					continue
				}
				l, err := s.ListOrders(ctx, operator.OrderQuery{Enterprise: "ent", Status: status, Page: operator.Page{Limit: 1, Count: true}})
				if err != nil || l.Total == nil || *l.Total != n {
					t.Errorf("%s: ListOrders(status %d, counted) = %+v, %v; want a total of %d", step, status, l, err, n)
				}
			}
		}
		for _, dir := range []opencube.SMSDirection{"", opencube.SMSMT, opencube.SMSMO} {
			for _, state := range []opencube.SMSState{"", opencube.SMSQueued, opencube.SMSDelivered} {
				n := 0
				for _, m := range messages {
					if m.EnterpriseCode == "ent" && (dir == "" || m.Direction == dir) && (state == "" || m.State == state) {
						n++
					}
				}
				_, total, err := s.FindSMS(ctx, opencube.SMSFilter{Enterprise: "ent", Direction: dir, State: state, Page: page})
				if err != nil || total != n {
					t.Errorf("%s: FindSMS(%q, %q) total = %d, %v; want %d", step, dir, state, total, err, n)
				}
				l, err := s.ListSMS(ctx, operator.SMSQuery{Enterprise: "ent", Direction: dir, State: state, Page: operator.Page{Limit: 1, Count: true}})
				if err != nil || l.Total == nil || *l.Total != n {
					t.Errorf("%s: ListSMS(%q, %q, counted) = %+v, %v; want a total of %d", step, dir, state, l, err, n)
				}
			}
		}
		l, err := s.ListSIMs(ctx, operator.SIMQuery{Enterprise: "ent", Page: operator.Page{Limit: 1, Count: true}})
		if err != nil || l.Total == nil || *l.Total != len(want) {
			t.Errorf("%s: ListSIMs(counted) = %+v, %v; want a total of %d", step, l, err, len(want))
		}
		c, err := s.EnterpriseCounts(ctx, "ent")
		if err != nil || c.SIMs != len(want) || c.OrdersInUse != inUse {
			t.Errorf("%s: EnterpriseCounts = %+v, %v; want %d SIMs, %d in use", step, c, err, len(want), inUse)
		}
	}
	check("inserted")
	// Statuses and states change; then two SIMs of ent move to other
	// (their orders and messages stay ent's).
	if err := s.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		for i, o := range orders[:12] {
			switch {
			case o.Status == opencube.OrderNotEnabled:
				o.Status = opencube.OrderInUse
			case i < 6:
				o.Status = opencube.OrderExpired
			default:
				o.Status = opencube.OrderSuspended
			}
			if err := tx.UpdateOrder(ctx, o); err != nil {
				return err
			}
		}
		for _, m := range messages[:len(messages)/2] {
			m.State = opencube.SMSDelivered
			m.DeliveredAt = &m.CreatedAt
			if err := tx.SaveSMS(ctx, m); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	check("changed")
	for _, i := range []int{0, 3} { // their orders are over
		to := "other"
		if _, err := s.MoveSIMTo(ctx, sims[i].ICCID, to); err != nil {
			t.Fatalf("MoveSIMTo(%s, %s): %v", sims[i].ICCID, to, err)
		}
		sims[i].EnterpriseCode = to
	}
	check("moved")
	// A change that is rolled back counts for nothing.
	errUndo := fmt.Errorf("undo")
	if err := s.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		o := *orders[0]
		o.Status = opencube.OrderExpired
		if err := tx.UpdateOrder(ctx, &o); err != nil {
			return err
		}
		m := *messages[0]
		m.State = opencube.SMSFailed
		if err := tx.SaveSMS(ctx, &m); err != nil {
			return err
		}
		return errUndo
	}); err != errUndo {
		t.Fatalf("UpdateSMS = %v, want %v", err, errUndo)
	}
	check("rolled back")
}
