package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gen"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// ListCase is one list page of BenchLists: Run reads a page chosen with r
// and says what is wrong with it, if anything.
type ListCase struct {
	Name string
	Run  func(ctx context.Context, r *rand.Rand) error
}

// csssPage is the page size of the CSSS lists of BigListCases.
const csssPage = 100

// BigListCases are the pages of every list of enterprise gen.Enterprise
// that CSSS, the admin API and the console read, on the data set spec
// (made by gen.Generator) in s: CSSS's device, in-use, order and SMS lists
// (pages of 100 with their exact total_count, the first page and a random
// one), the admin API's SMS list, the delivery log (the console's pages of
// it and its overview's count of pending deliveries), the counts of the
// console's enterprise page and overview; and first the floor, one SIM by
// its ICCID through the operator's read path.
func BigListCases(s service.Store, spec gen.Spec) []ListCase {
	n, ent := spec.SIMs, gen.Enterprise
	devices := func(inUse bool, page func(r *rand.Rand) int) func(context.Context, *rand.Rand) error {
		return func(ctx context.Context, r *rand.Rand) error {
			no := page(r)
			ds, total, err := s.FindDevices(ctx, opencube.DeviceFilter{Enterprise: ent, InUse: inUse, WithSession: true, Page: opencube.PageOf(no, csssPage)})
			if err != nil || total != n || len(ds) != min(csssPage, n-(no-1)*csssPage) {
				return fmt.Errorf("FindDevices(in use %v, page %d) = %d of %d, %v", inUse, no, len(ds), total, err)
			}
			return nil
		}
	}
	orders := func(f func(r *rand.Rand) opencube.OrderFilter, want func(f opencube.OrderFilter) (items, total int)) func(context.Context, *rand.Rand) error {
		return func(ctx context.Context, r *rand.Rand) error {
			q := f(r)
			q.Enterprise = ent
			os, total, err := s.FindOrders(ctx, q)
			if items, all := want(q); err != nil || len(os) != items || total != all {
				return fmt.Errorf("FindOrders(%+v) = %d of %d, %v; want %d of %d", q, len(os), total, err, items, all)
			}
			return nil
		}
	}
	sms := func(f func(r *rand.Rand) opencube.SMSFilter, want func(f opencube.SMSFilter) (items, total int)) func(context.Context, *rand.Rand) error {
		return func(ctx context.Context, r *rand.Rand) error {
			q := f(r)
			q.Enterprise = ent
			ms, total, err := s.FindSMS(ctx, q)
			if items, all := want(q); err != nil || len(ms) != items || total != all {
				return fmt.Errorf("FindSMS(%+v) = %d of %d, %v; want %d of %d", q, len(ms), total, err, items, all)
			}
			return nil
		}
	}
	// smsOf is how many messages SIM i has.
	smsOf := func(i int) int {
		k := spec.SMS / n
		if i < spec.SMS%n {
			k++
		}
		return k
	}
	deliveries := func(f func(r *rand.Rand) opencube.DeliveryFilter, want int) func(context.Context, *rand.Rand) error {
		return func(ctx context.Context, r *rand.Rand) error {
			q := f(r)
			q.Enterprise = ent
			ds, err := s.FindDeliveries(ctx, q)
			if err != nil || len(ds) != want {
				return fmt.Errorf("FindDeliveries(%+v) = %d, %v; want %d", q, len(ds), err, want)
			}
			return nil
		}
	}
	march := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	pages := func(items int) func(r *rand.Rand) int {
		return func(r *rand.Rand) int { return 1 + r.IntN((items+csssPage-1)/csssPage) }
	}
	first := func(*rand.Rand) int { return 1 }
	pageOf := func(no, items int) (int, int) { return min(csssPage, items-(no-1)*csssPage), items }
	cases := []ListCase{
		{"floor/sim-by-iccid", func(ctx context.Context, r *rand.Rand) error {
			_, err := s.FindSIM(ctx, gen.ICCID(r.IntN(n)))
			return err
		}},
		{"csss/devices-first", devices(false, first)},
		{"csss/devices", devices(false, pages(n))},
		{"csss/in-use-first", devices(true, first)},
		{"csss/in-use", devices(true, pages(n))},
		{"csss/orders-first", orders(func(*rand.Rand) opencube.OrderFilter {
			return opencube.OrderFilter{Page: opencube.PageOf(1, csssPage)}
		}, func(opencube.OrderFilter) (int, int) { return pageOf(1, n) })},
		{"csss/orders", orders(func(r *rand.Rand) opencube.OrderFilter {
			return opencube.OrderFilter{Page: opencube.PageOf(pages(n)(r), csssPage)}
		}, func(f opencube.OrderFilter) (int, int) { return pageOf(f.Page.Offset/csssPage+1, n) })},
		{"csss/orders-in-use", orders(func(r *rand.Rand) opencube.OrderFilter {
			return opencube.OrderFilter{Status: opencube.OrderInUse, Page: opencube.PageOf(1, csssPage)}
		}, func(opencube.OrderFilter) (int, int) { return pageOf(1, n) })},
		{"csss/orders-in-use-deep", orders(func(r *rand.Rand) opencube.OrderFilter {
			return opencube.OrderFilter{Status: opencube.OrderInUse, Page: opencube.PageOf(pages(n)(r), csssPage)}
		}, func(f opencube.OrderFilter) (int, int) { return pageOf(f.Page.Offset/csssPage+1, n) })},
		{"csss/orders-of-device", orders(func(r *rand.Rand) opencube.OrderFilter {
			return opencube.OrderFilter{ICCID: gen.ICCID(r.IntN(n)), Page: opencube.PageOf(1, csssPage)}
		}, func(opencube.OrderFilter) (int, int) { return 1, 1 })},
	}
	if spec.SMS > 0 {
		cases = append(cases,
			ListCase{"csss/sms-first", sms(func(*rand.Rand) opencube.SMSFilter {
				return opencube.SMSFilter{Page: opencube.PageOf(1, csssPage)}
			}, func(opencube.SMSFilter) (int, int) { return pageOf(1, spec.SMS) })},
			ListCase{"csss/sms", sms(func(r *rand.Rand) opencube.SMSFilter {
				return opencube.SMSFilter{Page: opencube.PageOf(pages(spec.SMS)(r), csssPage)}
			}, func(f opencube.SMSFilter) (int, int) { return pageOf(f.Page.Offset/csssPage+1, spec.SMS) })},
			ListCase{"csss/sms-mo", sms(func(r *rand.Rand) opencube.SMSFilter {
				return opencube.SMSFilter{Direction: opencube.SMSMO, Page: opencube.PageOf(pages(spec.SMS/2)(r), csssPage)}
			}, func(f opencube.SMSFilter) (int, int) { return pageOf(f.Page.Offset/csssPage+1, spec.SMS/2) })},
			ListCase{"csss/sms-of-device", sms(func(r *rand.Rand) opencube.SMSFilter {
				return opencube.SMSFilter{ICCID: gen.ICCID(r.IntN(n)), Page: opencube.PageOf(1, csssPage)}
			}, func(f opencube.SMSFilter) (int, int) {
				var i int
				fmt.Sscanf(f.ICCID[4:], "%d", &i)
				k := smsOf(i)
				return min(k, csssPage), k
			})},
			ListCase{"admin/sms", func(ctx context.Context, r *rand.Rand) error {
				l, err := s.ListSMS(ctx, operator.SMSQuery{Enterprise: ent, Page: operator.Page{Limit: 50, Count: true}})
				if err != nil || len(l.Items) != min(50, spec.SMS) || l.Total == nil {
					return fmt.Errorf("ListSMS = %+v, %v", l, err)
				}
				return nil
			}},
			ListCase{"admin/sms-of-sim", func(ctx context.Context, r *rand.Rand) error {
				i := r.IntN(n)
				l, err := s.ListSMS(ctx, operator.SMSQuery{ICCID: gen.ICCID(i), Page: operator.Page{Limit: 50}})
				if err != nil || len(l.Items) != min(50, smsOf(i)) {
					return fmt.Errorf("ListSMS(%s) = %+v, %v", gen.ICCID(i), l, err)
				}
				return nil
			}},
			ListCase{"admin/sms-mo-deep", func(ctx context.Context, r *rand.Rand) error {
				j := 1 + r.IntN(spec.SMS-1)
				at := march.Add(time.Duration(j) * time.Second)
				l, err := s.ListSMS(ctx, operator.SMSQuery{Enterprise: ent, Direction: opencube.SMSMO, To: at, Page: operator.Page{Limit: 50}})
				if err != nil || len(l.Items) != min(50, j/2) {
					return fmt.Errorf("ListSMS(mo, to %s) = %d items, %v", at, len(l.Items), err)
				}
				return nil
			}},
		)
	}
	if spec.Deliveries > 0 {
		pending := spec.Deliveries / gen.PendingEvery
		cases = append(cases,
			ListCase{"deliveries/newest", deliveries(func(*rand.Rand) opencube.DeliveryFilter {
				return opencube.DeliveryFilter{Limit: 50}
			}, min(50, spec.Deliveries))},
			ListCase{"deliveries/until", deliveries(func(r *rand.Rand) opencube.DeliveryFilter {
				return opencube.DeliveryFilter{Until: march.Add(time.Duration(50+r.IntN(spec.Deliveries-50)) * time.Second), Limit: 50}
			}, min(50, spec.Deliveries))},
			ListCase{"deliveries/pending", deliveries(func(*rand.Rand) opencube.DeliveryFilter {
				return opencube.DeliveryFilter{State: opencube.DeliveryPending, Limit: 100}
			}, min(100, pending))},
			ListCase{"deliveries/of-type", deliveries(func(*rand.Rand) opencube.DeliveryFilter {
				return opencube.DeliveryFilter{Type: opencube.EventCreateOrder, Limit: 50}
			}, min(50, spec.Deliveries))},
		)
	}
	cases = append(cases,
		ListCase{"console/enterprise-counts", func(ctx context.Context, _ *rand.Rand) error {
			c, err := s.EnterpriseCounts(ctx, ent)
			if err != nil || c.SIMs != n || c.OrdersInUse != n {
				return fmt.Errorf("EnterpriseCounts = %+v, %v", c, err)
			}
			return nil
		}},
		ListCase{"console/overview-counts", func(ctx context.Context, _ *rand.Rand) error {
			counted := operator.Page{Limit: 1, Count: true}
			for _, st := range []opencube.SIMStatus{opencube.SIMActive, opencube.SIMSuspended, opencube.SIMInventory, opencube.SIMTerminated} {
				if _, err := s.ListSIMs(ctx, operator.SIMQuery{Status: st, Page: counted}); err != nil {
					return err
				}
			}
			online := true
			if _, err := s.ListSIMs(ctx, operator.SIMQuery{Online: &online, Page: counted}); err != nil {
				return err
			}
			today := time.Date(2024, 3, 9, 16, 0, 0, 0, time.UTC)
			if _, err := s.ListOrders(ctx, operator.OrderQuery{From: today, To: today.AddDate(0, 0, 1), Page: counted}); err != nil {
				return err
			}
			l, err := s.ListOrders(ctx, operator.OrderQuery{Status: opencube.OrderInUse, Page: counted})
			if err != nil || l.Total == nil || *l.Total != min(n, operator.CountCap) {
				return fmt.Errorf("ListOrders(in use, counted) = %+v, %v", l, err)
			}
			return nil
		}},
	)
	return cases
}

// BenchLists runs each case as a sub-benchmark, one page at a time. With
// inProcess (a store in the benchmark's own process) it also reports the
// CPU time the process spent a page (cpu-ns/op), which other work on the
// machine does not inflate as it does the elapsed time.
func BenchLists(b *testing.B, cases []ListCase, inProcess bool) {
	ctx := context.Background()
	for _, c := range cases {
		b.Run(c.Name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			start := cpuTime()
			for b.Loop() {
				if err := c.Run(ctx, r); err != nil {
					b.Fatalf("%s: %v", c.Name, err)
				}
			}
			if inProcess {
				b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
