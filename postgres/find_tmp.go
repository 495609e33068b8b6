package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
)

// FindSIM implements operator.ListStore.
func (db *DB) FindSIM(ctx context.Context, iccid string) (*opencube.SIM, error) {
	sim, err := scanSIM(db.pool.QueryRow(ctx, `SELECT `+simColumns+` FROM sims WHERE iccid = $1`, iccid))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	if err != nil {
		return nil, db.dbError("find SIM", err)
	}
	return sim, nil
}

// FindOrder implements operator.ListStore.
func (db *DB) FindOrder(ctx context.Context, id string) (*opencube.Order, []*opencube.Event, error) {
	o, err := scanOrder(db.pool.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", id)
	}
	if err != nil {
		return nil, nil, db.dbError("find order", err)
	}
	return o, nil, nil
}
