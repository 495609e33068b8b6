package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// PlaceServiceOrder implements operator.ServiceOrderStore.
func (db *DB) PlaceServiceOrder(ctx context.Context, claim *opencube.ReplayClaim, fn func(tx opencube.OrderTx) (*operator.ServiceOrder, error)) error {
	return db.claiming(ctx, claim, true, func(t *orderTx) error {
		o, err := fn(t)
		if err != nil || t.retry != nil {
			return err
		}
		_, err = t.write(ctx, `INSERT INTO service_orders (id, enterprise_code, document, created_at) VALUES ($1, $2, $3, $4)`,
			o.ID, o.Enterprise, string(o.Document), o.CreatedAt)
		switch {
		case violated(err, codeUniqueViolation) != "":
			return opencube.Errorf(opencube.KindConflict, "order %s exists", o.ID)
		case violated(err, codeForeignKeyViolation) != "":
			return unknownEnterprise(o.Enterprise)
		case err != nil:
			return t.fail("create service order", err)
		}
		return nil
	})
}

// FindServiceOrder implements operator.ServiceOrderStore.
func (db *DB) FindServiceOrder(ctx context.Context, accessCode, id string) (*operator.ServiceOrder, error) {
	var (
		o   operator.ServiceOrder
		doc string
	)
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT id, enterprise_code, document, created_at FROM service_orders WHERE id = $1 AND enterprise_code = $2`,
			id, accessCode).Scan(&o.ID, &o.Enterprise, &doc, &o.CreatedAt)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindNotFound, "no order %s", id)
	}
	if err != nil {
		return nil, db.dbError("find service order", err)
	}
	o.Document, o.CreatedAt = []byte(doc), utc(o.CreatedAt)
	return &o, nil
}
