package sqlite_test

import (
	"context"
	"testing"

	"github.com/opencube/opencube"
)

func BenchmarkTmpSerialInsert(b *testing.B) {
	db := open(b)
	ctx := context.Background()
	sims := seed(b, db, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range int64(b.N) {
		o := newOrder(i+1, sims[i%int64(len(sims))])
		err := db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
			if err := tx.InsertOrder(ctx, o); err != nil {
				return err
			}
			return tx.InsertEvent(ctx, opencube.NewEvent(opencube.EventCreateOrder, o))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
