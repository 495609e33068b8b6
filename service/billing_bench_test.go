package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/postgres"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/sqlite"
)

// BenchmarkOrderLedger measures orderPackage's service and store path
// (Orders.OrderPlan: SIM, plan, order, event and, with the ledger, the
// account, price and line with its running total) with the ledger line
// and without it, in the same run, concurrent as a busy server's requests
// are, on SQLite, and on PostgreSQL when OPENCUBE_TEST_POSTGRES is set.
//
//	go test ./service -run XXX -bench OrderLedger -benchtime 3000x -count 3
func BenchmarkOrderLedger(b *testing.B) {
	stores := map[string]func(b *testing.B) Store{
		"sqlite": func(b *testing.B) Store {
			db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), seal.Demo())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		},
	}
	if os.Getenv("OPENCUBE_TEST_POSTGRES") != "" {
		stores["postgres"] = func(b *testing.B) Store {
			db, err := postgres.Open(context.Background(), pgtest.Schema(b), postgres.Options{Masters: seal.Demo()})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		}
	}
	for _, name := range []string{"sqlite", "postgres"} {
		open := stores[name]
		if open == nil {
			continue
		}
		for _, ledger := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/ledger=%t", name, ledger), func(b *testing.B) {
				store := open(b)
				svc := New(store, opencube.SystemClock, NewIDGenerator(1))
				if _, err := NewDemo(DemoSecret).Load(context.Background(), svc.Admin); err != nil {
					b.Fatal(err)
				}
				svc.Orders.noLedger = !ledger
				ctx := opencube.NewContext(context.Background(), "P000270")
				var n atomic.Int64
				b.SetParallelism(4)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						_, err := svc.Orders.OrderPlan(ctx, opencube.OrderRequest{ICCID: fmt.Sprintf("89852022018041800%03d", 192+i%10),
							PlanCode: "DP20190726001274", PlanName: "C_M_0_P_中国20M不限速月套餐", PlanType: opencube.PlanMonthly, OrderPeriod: 1,
							PayAmountMinor: 1000, PayRst: "1", PayType: "2"})
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}
