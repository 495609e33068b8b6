package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
)

const addOnColumns = `id, enterprise_code, iccid, order_id, plan_code, plan_name, volume_bytes, used_bytes, status, started_at, ends_at, ended_at`

var _ addon.Tx = (*orderTx)(nil)

func scanAddOn(s scanner) (*addon.AddOn, error) {
	var (
		a      addon.AddOn
		status int64
	)
	if err := s.Scan(&a.ID, &a.EnterpriseCode, &a.ICCID, &a.OrderID, &a.PlanCode, &a.PlanName, &a.VolumeBytes, &a.UsedBytes,
		&status, &a.StartedAt, &a.EndsAt, &a.EndedAt); err != nil {
		return nil, err
	}
	a.Status, a.StartedAt, a.EndsAt = addon.Status(status), utc(a.StartedAt), utc(a.EndsAt)
	if a.EndedAt != nil {
		e := utc(*a.EndedAt)
		a.EndedAt = &e
	}
	return &a, nil
}

// InsertAddOn implements addon.Tx.
func (t *orderTx) InsertAddOn(ctx context.Context, a *addon.AddOn) error {
	_, err := t.write(ctx, `INSERT INTO order_addons (`+addOnColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		a.ID, a.EnterpriseCode, a.ICCID, a.OrderID, a.PlanCode, a.PlanName, a.VolumeBytes, a.UsedBytes,
		int64(a.Status), a.StartedAt, a.EndsAt, a.EndedAt)
	if violated(err, codeUniqueViolation, "order_addons_pkey") != "" {
		return opencube.Errorf(opencube.KindConflict, "add-on %s exists", a.ID)
	}
	if err != nil {
		return t.fail("insert add-on", err)
	}
	return nil
}

// SpendAddOns implements addon.Tx: the live add-ons stay locked until the
// transaction ends.
func (t *orderTx) SpendAddOns(ctx context.Context, orderID string, bytes int64, at time.Time) (spent, left int64, err error) {
	rows, err := t.tx.Query(ctx, `SELECT id, volume_bytes, used_bytes FROM order_addons
		WHERE order_id = $1 AND status = 1 AND ends_at > $2 ORDER BY started_at, id FOR UPDATE`, orderID, at)
	if err != nil {
		return 0, 0, t.fail("find add-ons", err)
	}
	type live struct {
		id           string
		volume, used int64
	}
	ls, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (live, error) {
		var l live
		return l, r.Scan(&l.id, &l.volume, &l.used)
	})
	if err != nil {
		return 0, 0, t.fail("find add-ons", err)
	}
	for _, l := range ls {
		take := min(bytes-spent, max(l.volume-l.used, 0))
		if take > 0 {
			if _, err := t.write(ctx, `UPDATE order_addons SET used_bytes = used_bytes + $1 WHERE id = $2`, take, l.id); err != nil {
				return 0, 0, t.fail("spend add-on", err)
			}
			spent += take
		}
		left += max(l.volume-l.used-take, 0)
	}
	return spent, left, nil
}

// endAddOns ends the live add-ons of an order no longer in use (addon.Tx).
func (t *orderTx) endAddOns(ctx context.Context, o *opencube.Order) error {
	if o.Status == opencube.OrderInUse {
		return nil
	}
	if _, err := t.write(ctx, `UPDATE order_addons SET status = 5, ended_at = $1 WHERE order_id = $2 AND status = 1`, o.UpdatedAt, o.ID); err != nil {
		return t.fail("end add-ons", err)
	}
	return nil
}

// FindAddOns implements addon.Store.
func (db *DB) FindAddOns(ctx context.Context, iccid string) ([]*addon.AddOn, error) {
	var out []*addon.AddOn
	err := retry(ctx, func() error {
		rows, err := db.pool.Query(ctx, `SELECT `+addOnColumns+` FROM order_addons WHERE iccid = $1 ORDER BY started_at, id`, iccid)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*addon.AddOn, error) { return scanAddOn(r) })
		return err
	})
	if err != nil {
		return nil, db.dbError("find add-ons", err)
	}
	return out, nil
}

// LiveVolumes implements addon.Store.
func (db *DB) LiveVolumes(ctx context.Context, orderIDs []string, at time.Time) (map[string]addon.Volume, error) {
	out := map[string]addon.Volume{}
	if len(orderIDs) == 0 {
		return out, nil
	}
	err := retry(ctx, func() error {
		clear(out)
		rows, err := db.pool.Query(ctx, `SELECT order_id, SUM(volume_bytes)::bigint, SUM(GREATEST(volume_bytes - used_bytes, 0))::bigint FROM order_addons
			WHERE status = 1 AND ends_at > $1 AND order_id = ANY($2) GROUP BY order_id`, at, orderIDs)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id string
				v  addon.Volume
			)
			if err := rows.Scan(&id, &v.Bytes, &v.Left); err != nil {
				return err
			}
			out[id] = v
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.dbError("find add-on volumes", err)
	}
	return out, nil
}

// AllowsAddOns implements addon.Tx.
func (t *orderTx) AllowsAddOns(ctx context.Context, code string) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT allow_add_on FROM plans WHERE code = $1`, code).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, t.fail("find plan", err)
	}
	return ok, nil
}
