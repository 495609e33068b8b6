package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
)

const addOnColumns = `id, enterprise_code, iccid, order_id, plan_code, plan_name, volume_bytes, used_bytes, status, started_at, ends_at, ended_at`

var _ addon.Tx = (*txn)(nil)

func scanAddOn(s scanner) (*addon.AddOn, error) {
	var (
		a               addon.AddOn
		status          int64
		started, endsAt int64
		ended           sql.NullInt64
	)
	if err := s.Scan(&a.ID, &a.EnterpriseCode, &a.ICCID, &a.OrderID, &a.PlanCode, &a.PlanName, &a.VolumeBytes, &a.UsedBytes,
		&status, &started, &endsAt, &ended); err != nil {
		return nil, err
	}
	a.Status, a.StartedAt, a.EndsAt, a.EndedAt = addon.Status(status), instant(started), instant(endsAt), nullInstant(ended)
	return &a, nil
}

// InsertAddOn implements addon.Tx.
func (t *txn) InsertAddOn(_ context.Context, a *addon.AddOn) error {
	_, err := t.exec(`INSERT INTO order_addons (`+addOnColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.EnterpriseCode, a.ICCID, a.OrderID, a.PlanCode, a.PlanName, a.VolumeBytes, a.UsedBytes,
		int64(a.Status), micros(a.StartedAt), micros(a.EndsAt), nullMicros(a.EndedAt))
	if code(err) == primaryKey {
		return opencube.Errorf(opencube.KindConflict, "add-on %s exists", a.ID)
	}
	if err != nil {
		return dbError("insert add-on", err)
	}
	return nil
}

// SpendAddOns implements addon.Tx.
func (t *txn) SpendAddOns(_ context.Context, orderID string, bytes int64, at time.Time) (spent, left int64, err error) {
	rows, err := t.w.conn.QueryContext(t.ctx, `SELECT id, volume_bytes, used_bytes FROM order_addons
		WHERE order_id = ? AND status = 1 AND ends_at > ? ORDER BY started_at, id`, orderID, micros(at))
	if err != nil {
		return 0, 0, dbError("find add-ons", err)
	}
	type live struct {
		id           string
		volume, used int64
	}
	var ls []live
	for rows.Next() {
		var l live
		if err := rows.Scan(&l.id, &l.volume, &l.used); err != nil {
			rows.Close()
			return 0, 0, dbError("find add-ons", err)
		}
		ls = append(ls, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, dbError("find add-ons", err)
	}
	for _, l := range ls {
		take := min(bytes-spent, max(l.volume-l.used, 0))
		if take > 0 {
			if _, err := t.exec(`UPDATE order_addons SET used_bytes = used_bytes + ? WHERE id = ?`, take, l.id); err != nil {
				return 0, 0, dbError("spend add-on", err)
			}
			spent += take
		}
		left += max(l.volume-l.used-take, 0)
	}
	return spent, left, nil
}

// endAddOns ends the live add-ons of an order no longer in use (addon.Tx).
func (t *txn) endAddOns(o *opencube.Order) error {
	if o.Status == opencube.OrderInUse {
		return nil
	}
	if _, err := t.exec(`UPDATE order_addons SET status = 5, ended_at = ? WHERE order_id = ? AND status = 1`, micros(o.UpdatedAt), o.ID); err != nil {
		return dbError("end add-ons", err)
	}
	return nil
}

// FindAddOns implements addon.Store.
func (db *DB) FindAddOns(ctx context.Context, iccid string) ([]*addon.AddOn, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+addOnColumns+` FROM order_addons WHERE iccid = ? ORDER BY started_at, id`, iccid)
	if err != nil {
		return nil, dbError("find add-ons", err)
	}
	defer rows.Close()
	var out []*addon.AddOn
	for rows.Next() {
		a, err := scanAddOn(rows)
		if err != nil {
			return nil, dbError("find add-ons", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("find add-ons", err)
	}
	return out, nil
}

// LiveVolumes implements addon.Store.
func (db *DB) LiveVolumes(ctx context.Context, orderIDs []string, at time.Time) (map[string]addon.Volume, error) {
	out := map[string]addon.Volume{}
	if len(orderIDs) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(orderIDs)+1)
	args = append(args, micros(at))
	for _, id := range orderIDs {
		args = append(args, id)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT order_id, SUM(volume_bytes), SUM(MAX(volume_bytes - used_bytes, 0)) FROM order_addons
		WHERE status = 1 AND ends_at > ? AND order_id IN (?`+strings.Repeat(", ?", len(orderIDs)-1)+`) GROUP BY order_id`, args...)
	if err != nil {
		return nil, dbError("find add-on volumes", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id string
			v  addon.Volume
		)
		if err := rows.Scan(&id, &v.Bytes, &v.Left); err != nil {
			return nil, dbError("find add-on volumes", err)
		}
		out[id] = v
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("find add-on volumes", err)
	}
	return out, nil
}

// AllowsAddOns implements addon.Tx.
func (t *txn) AllowsAddOns(_ context.Context, code string) (bool, error) {
	var ok bool
	err := t.queryRow(`SELECT allow_add_on FROM plans WHERE code = ?`, code).Scan(&ok)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, dbError("find plan", err)
	}
	return ok, nil
}
