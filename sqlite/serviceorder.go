package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// PlaceServiceOrder implements operator.ServiceOrderStore.
func (db *DB) PlaceServiceOrder(ctx context.Context, claim *opencube.ReplayClaim, fn func(tx opencube.OrderTx) (*operator.ServiceOrder, error)) error {
	return db.claiming(claim, func(run func(*txn) error) error { return db.updateOrders(ctx, run) }, func(t *txn) error {
		o, err := fn(t)
		if err != nil {
			return err
		}
		_, err = t.exec(`INSERT INTO service_orders (id, enterprise_code, document, created_at) VALUES (?, ?, ?, ?)`,
			o.ID, o.Enterprise, string(o.Document), micros(o.CreatedAt))
		switch code(err) {
		case primaryKey:
			return opencube.Errorf(opencube.KindConflict, "order %s exists", o.ID)
		case foreignKey:
			return unknownEnterprise(o.Enterprise)
		}
		if err != nil {
			return dbError("create service order", err)
		}
		return nil
	})
}

// FindServiceOrder implements operator.ServiceOrderStore.
func (db *DB) FindServiceOrder(ctx context.Context, accessCode, id string) (*operator.ServiceOrder, error) {
	var (
		o       operator.ServiceOrder
		doc     string
		created int64
	)
	err := db.read.QueryRowContext(ctx, `SELECT id, enterprise_code, document, created_at FROM service_orders WHERE id = ? AND enterprise_code = ?`,
		id, accessCode).Scan(&o.ID, &o.Enterprise, &doc, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindNotFound, "no order %s", id)
	}
	if err != nil {
		return nil, dbError("find service order", err)
	}
	o.Document, o.CreatedAt = []byte(doc), instant(created)
	return &o, nil
}
