package storetest

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// testDeepPages covers the pages of CSSS's order and SMS lists that start
// deep in them (the stores find where through counts in time buckets): every
// filter those lists take, at every offset or many, gives the rows of the
// plain offset query, newest first with ties by id, and its total, as rows
// go in at times around the buckets' edges (ties, one microsecond either
// side, before 1970), their status or state changes, and a change is
// rolled back.
func testDeepPages(t *testing.T, open func(*testing.T) service.Store) {
	s := open(t)
	ctx := context.Background()
	for _, e := range []string{"deep", "other"} {
		if err := s.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: e, Name: e, Secrets: []string{"12345678"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreatePlan(ctx, &opencube.Plan{Code: "P", Name: "Plan", Type: opencube.PlanDaily, VolumeBytes: 1 << 30}); err != nil {
		t.Fatal(err)
	}
	const nSIMs = 64
	var sims []*opencube.SIM
	for i := range nSIMs {
		ent := "deep"
		if i%8 == 7 {
			ent = "other"
		}
		iccid := fmt.Sprintf("89860000000000%06d", 7919*i%1000000)
		sims = append(sims, &opencube.SIM{ICCID: iccid, IMSI: "46001" + iccid[10:], EnterpriseCode: ent, Status: opencube.SIMActive})
	}
	if err := s.CreateSIMs(ctx, sims); err != nil {
		t.Fatal(err)
	}
	// Times at and around the edges of time buckets of 2^k microseconds
	// (the stores' are 2^22, 2^28, 2^34 and 2^40), several rows sharing
	// some of them.
	r := rand.New(rand.NewPCG(23, 25))
	edge := func() time.Time {
		shifts := []int{20, 22, 24, 28, 32, 34, 40}
		shift := shifts[r.IntN(len(shifts))]
		k := int64(1<<50)>>shift + int64(r.IntN(6)) // around 2005
		us := k<<shift + int64(r.IntN(5)-2)
		if r.IntN(40) == 0 {
			us = -us / 1000 // before 1970
		}
		return time.UnixMicro(us).UTC()
	}
	var times []time.Time
	for range 60 {
		times = append(times, edge())
	}
	at := func() time.Time { return times[r.IntN(len(times))] }
	var orders []*opencube.Order
	for i := range 240 {
		sim := sims[i%nSIMs]
		o := NewOrder(int64(1000+i), sim)
		o.OrderedAt = at()
		o.UpdatedAt = o.OrderedAt
		switch {
		case i < nSIMs && i%4 == 0:
			o.Status = opencube.OrderInUse
		case i < nSIMs && i%4 == 1:
			o.Status = opencube.OrderSuspended
		case i%3 == 0:
			o.Status = opencube.OrderExpired
		}
		if i%5 < 2 {
			o.BuyType = opencube.BuyRenewal
		}
		orders = append(orders, o)
	}
	var messages []*opencube.SMS
	for i := range 240 {
		sim := sims[(i*7)%nSIMs]
		created := at()
		m := &opencube.SMS{ID: fmt.Sprintf("SMSDEEP%08d", i), EnterpriseCode: sim.EnterpriseCode, ICCID: sim.ICCID,
			Direction: opencube.SMSMT, Type: opencube.SMSText, Content: "hi", Encoding: "gsm7", Segments: 1, State: opencube.SMSQueued,
			CreatedAt: created, UpdatedAt: created}
		if i%3 == 0 {
			m.Direction = opencube.SMSMO
		}
		if i%4 == 1 {
			m.State = opencube.SMSDelivered
		}
		messages = append(messages, m)
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
	// offsets are the offsets a filter's pages are read at: every one for
	// the unfiltered lists, a sample otherwise.
	offsets := func(n int, all bool) []int {
		var out []int
		for k := 0; k <= n+1; k++ {
			if all || k%5 == 0 || k >= n-1 || r.IntN(8) == 0 {
				out = append(out, k)
			}
		}
		return out
	}
	check := func(step string) {
		t.Helper()
		for _, status := range []opencube.OrderStatus{0, opencube.OrderNotEnabled, opencube.OrderInUse, opencube.OrderSuspended, opencube.OrderExpired} {
			for _, buy := range []opencube.BuyType{0, opencube.BuyNormal, opencube.BuyRenewal} {
				var want []*opencube.Order
				for _, o := range orders {
					if o.EnterpriseCode == "deep" && (status == 0 || o.Status == status) && (buy == 0 || o.BuyType == buy) {
						want = append(want, o)
					}
				}
				slices.SortFunc(want, func(a, b *opencube.Order) int {
					return cmp.Or(b.OrderedAt.Compare(a.OrderedAt), cmp.Compare(b.ID, a.ID))
				})
				for _, limit := range []int{1, 10} {
					for _, offset := range offsets(len(want), status == 0 && buy == 0) {
						f := opencube.OrderFilter{Enterprise: "deep", Status: status, BuyType: buy, Page: opencube.Page{Offset: offset, Limit: limit}}
						os, total, err := s.FindOrders(ctx, f)
						if err != nil {
							t.Fatalf("%s: FindOrders(%+v): %v", step, f, err)
						}
						var got, wantIDs []string
						for _, o := range os {
							got = append(got, o.ID)
						}
						for _, o := range want[min(offset, len(want)):min(offset+limit, len(want))] {
							wantIDs = append(wantIDs, o.ID)
						}
						if !slices.Equal(got, wantIDs) || total != len(want) {
							t.Fatalf("%s: FindOrders(status %d, buy type %d, offset %d, limit %d) = %v, total %d; want %v, total %d",
								step, status, buy, offset, limit, got, total, wantIDs, len(want))
						}
					}
				}
			}
		}
		for _, dir := range []opencube.SMSDirection{"", opencube.SMSMT, opencube.SMSMO} {
			for _, state := range []opencube.SMSState{"", opencube.SMSQueued, opencube.SMSDelivered, opencube.SMSFailed} {
				var want []*opencube.SMS
				for _, m := range messages {
					if m.EnterpriseCode == "deep" && (dir == "" || m.Direction == dir) && (state == "" || m.State == state) {
						want = append(want, m)
					}
				}
				slices.SortFunc(want, func(a, b *opencube.SMS) int {
					return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
				})
				for _, limit := range []int{1, 10} {
					for _, offset := range offsets(len(want), dir == "" && state == "") {
						f := opencube.SMSFilter{Enterprise: "deep", Direction: dir, State: state, Page: opencube.Page{Offset: offset, Limit: limit}}
						ms, total, err := s.FindSMS(ctx, f)
						if err != nil {
							t.Fatalf("%s: FindSMS(%+v): %v", step, f, err)
						}
						var got, wantIDs []string
						for _, m := range ms {
							got = append(got, m.ID)
						}
						for _, m := range want[min(offset, len(want)):min(offset+limit, len(want))] {
							wantIDs = append(wantIDs, m.ID)
						}
						if !slices.Equal(got, wantIDs) || total != len(want) {
							t.Fatalf("%s: FindSMS(%q, %q, offset %d, limit %d) = %v, total %d; want %v, total %d",
								step, dir, state, offset, limit, got, total, wantIDs, len(want))
						}
					}
				}
			}
		}
	}
	check("inserted")
	// Statuses, buy types and states change.
	if err := s.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		for i, o := range orders {
			switch {
			case i%7 == 0 && o.Status == opencube.OrderNotEnabled:
				o.Status = opencube.OrderExpired
			case i%7 == 1 && (o.Status == opencube.OrderInUse || o.Status == opencube.OrderSuspended):
				o.Status = opencube.OrderExpired
			case i%7 == 2:
				o.BuyType = opencube.BuyRenewal
			default:
				continue
			}
			if err := tx.UpdateOrder(ctx, o); err != nil {
				return err
			}
		}
		for i, m := range messages {
			if i%3 != 2 {
				continue
			}
			m.State = opencube.SMSFailed
			if err := tx.SaveSMS(ctx, m); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	check("changed")
	// A change that is rolled back counts for nothing.
	errUndo := fmt.Errorf("undo")
	if err := s.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		for i, o := range orders {
			if i%2 == 0 && o.Status == opencube.OrderNotEnabled {
				c := *o
				c.Status = opencube.OrderExpired
				if err := tx.UpdateOrder(ctx, &c); err != nil {
					return err
				}
			}
		}
		for i, m := range messages {
			if i%2 == 0 {
				c := *m
				c.State = opencube.SMSDelivered
				if err := tx.SaveSMS(ctx, &c); err != nil {
					return err
				}
			}
		}
		return errUndo
	}); err != errUndo {
		t.Fatalf("UpdateSMS = %v, want %v", err, errUndo)
	}
	check("rolled back")
}
