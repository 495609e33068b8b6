package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/opencube/opencube"
)

// FindSIM implements operator.ListStore.
func (db *DB) FindSIM(ctx context.Context, iccid string) (*opencube.SIM, error) {
	sim, err := scanSIM(db.read.QueryRowContext(ctx, `SELECT `+simColumns+` FROM sims WHERE iccid = ?`, iccid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	if err != nil {
		return nil, dbError("find SIM", err)
	}
	return sim, nil
}

// FindOrder implements operator.ListStore.
func (db *DB) FindOrder(ctx context.Context, id string) (*opencube.Order, []*opencube.Event, error) {
	o, err := scanOrder(db.read.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", id)
	}
	if err != nil {
		return nil, nil, dbError("find order", err)
	}
	return o, nil, nil
}
