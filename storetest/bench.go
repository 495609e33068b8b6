package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// Seed makes enterprise "ent" with n active SIMs and plan "P" granted to
// it, and returns the SIMs.
func Seed(t testing.TB, s service.Store, n int) []*opencube.SIM {
	t.Helper()
	ctx := context.Background()
	if err := s.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "ent", Name: "E", Secrets: []string{"12345678"}}); err != nil {
		t.Fatal(err)
	}
	sims := make([]*opencube.SIM, n)
	for i := range sims {
		sims[i] = &opencube.SIM{ICCID: fmt.Sprintf("89860%014d", i), IMSI: fmt.Sprintf("46001%010d", i), EnterpriseCode: "ent", Status: opencube.SIMActive}
	}
	if err := s.CreateSIMs(ctx, sims); err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePlan(ctx, &opencube.Plan{Code: "P", Name: "Plan", Type: opencube.PlanDaily, VolumeBytes: 1 << 30}); err != nil {
		t.Fatal(err)
	}
	if err := s.GrantPlan(ctx, "ent", "P"); err != nil {
		t.Fatal(err)
	}
	return sims
}

// SeedBase is when the orders of NewOrder are placed: order n at n
// milliseconds after it.
var SeedBase = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// NewOrder returns order n, not enabled, of plan "P" (made by Seed) for sim.
func NewOrder(n int64, sim *opencube.SIM) *opencube.Order {
	return &opencube.Order{
		ID: service.OrderID(n), Code: service.OrderCode(n), EnterpriseCode: sim.EnterpriseCode, ICCID: sim.ICCID, IMSI: sim.IMSI,
		PlanCode: "P", PlanName: "Plan", PlanType: opencube.PlanDaily, VolumeBytes: 1 << 30, OrderPeriod: 1,
		Status: opencube.OrderNotEnabled, BuyType: opencube.BuyNormal,
		OrderedAt: SeedBase.Add(time.Duration(n) * time.Millisecond), UpdatedAt: SeedBase.Add(time.Duration(n) * time.Millisecond),
	}
}

// parallelisms are the goroutines per CPU of the parallel benchmarks: as
// many writers as CPUs, and the many concurrent requests of a busy server,
// whose writes share commits.
var parallelisms = []int{1, 8}

// BenchUpdateOrdersInsert measures one write transaction that inserts an
// order and its event, from parallel goroutines, on stores made by open.
func BenchUpdateOrdersInsert(b *testing.B, open func(testing.TB) service.Store) {
	benchParallel(b, open, func(ctx context.Context, db service.Store, i int64, sim *opencube.SIM) error {
		o := NewOrder(i, sim)
		return db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
			if err := tx.InsertOrder(ctx, o); err != nil {
				return err
			}
			return tx.InsertEvent(ctx, opencube.NewEvent(opencube.EventCreateOrder, o))
		})
	})
}

// BenchOrderPackage measures the store's whole share of one orderPackage
// request (is_open=0) as the server makes it: one order transaction that
// looks up the SIM and the plan, inserts the order and its event, and
// records the replay entry with the answer (opencube.ReplayClaim).
func BenchOrderPackage(b *testing.B, open func(testing.TB) service.Store) {
	response := []byte(`{"code":"0000","data":null,"message":"success","success":true}`)
	answer := func(*opencube.Order) []byte { return response }
	benchParallel(b, open, func(ctx context.Context, db service.Store, i int64, sim *opencube.SIM) error {
		r := &opencube.Replay{AccessCode: "ent", Key: fmt.Sprintf("%013d /orderPackage %d", i, i), Fingerprint: "fp", ExpiresAt: SeedBase.Add(10 * time.Minute)}
		claim := &opencube.ReplayClaim{Replays: []*opencube.Replay{r}, Now: SeedBase, RenderOrder: answer}
		err := db.UpdateOrdersClaiming(ctx, claim, func(tx opencube.OrderTx) error {
			if _, err := tx.SIM(ctx, "ent", sim.ICCID); err != nil {
				return err
			}
			if _, err := tx.Plan(ctx, "ent", "P"); err != nil {
				return err
			}
			o := NewOrder(i, sim)
			if err := tx.InsertOrder(ctx, o); err != nil {
				return err
			}
			if err := tx.InsertEvent(ctx, opencube.NewEvent(opencube.EventCreateOrder, o)); err != nil {
				return err
			}
			claim.AnswerOrder(o)
			return nil
		})
		if err == nil && (!claim.Recorded || claim.Response == nil) {
			err = fmt.Errorf("claim %+v not recorded with its answer", claim)
		}
		return err
	})
}

// BenchBulkOrder measures the store's share of a batchOrderPackages request
// for 1,000 devices: one order transaction that reads each SIM and inserts
// its order and event.
func BenchBulkOrder(b *testing.B, open func(testing.TB) service.Store) {
	db := open(b)
	ctx := context.Background()
	sims := Seed(b, db, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for n := range int64(b.N) {
		err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
			if _, err := tx.Plan(ctx, "ent", "P"); err != nil {
				return err
			}
			for i, sim := range sims {
				if _, err := tx.SIM(ctx, "ent", sim.ICCID); err != nil {
					return err
				}
				o := NewOrder(n*int64(len(sims))+int64(i)+1, sim)
				if err := tx.InsertOrder(ctx, o); err != nil {
					return err
				}
				if err := tx.InsertEvent(ctx, opencube.NewEvent(opencube.EventCreateOrder, o)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/bulk")
}

// benchParallel runs op, numbered from 1, on 1,000 seeded SIMs in turn,
// from parallel goroutines: a sub-benchmark a parallelism.
func benchParallel(b *testing.B, open func(testing.TB) service.Store, op func(ctx context.Context, db service.Store, i int64, sim *opencube.SIM) error) {
	for _, p := range parallelisms {
		b.Run(fmt.Sprintf("par=%d", p), func(b *testing.B) {
			db := open(b)
			ctx := context.Background()
			sims := Seed(b, db, 1000)
			var n atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(p)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if err := op(ctx, db, i, sims[i%int64(len(sims))]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
