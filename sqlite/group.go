package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/shop"
)

// The Mall's bundle groups (migration 00016).

// UpdateGroups implements shop.GroupStore.
func (db *DB) UpdateGroups(ctx context.Context, fn func(tx shop.GroupTx) error) error {
	return db.update(ctx, func(t *txn) error { return fn(groupTxn{mallTxn{t}}) })
}

// groupTxn is the write transaction as a shop.GroupTx.
type groupTxn struct{ mallTxn }

// Group implements shop.GroupTx.
func (t groupTxn) Group(_ context.Context, accessCode, id string) (*shop.BundleGroup, error) {
	var (
		g       shop.BundleGroup
		created int64
	)
	err := t.queryRow(`SELECT enterprise_code, group_id, name, base_plan, created_at FROM mall_groups
		WHERE enterprise_code = ? AND group_id = ?`, accessCode, id).Scan(&g.EnterpriseCode, &g.ID, &g.Name, &g.BasePlan, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError("find group", err)
	}
	g.CreatedAt = instant(created)
	return &g, nil
}

// InsertGroup implements shop.GroupTx.
func (t groupTxn) InsertGroup(_ context.Context, g *shop.BundleGroup) error {
	_, err := t.exec(`INSERT INTO mall_groups (enterprise_code, group_id, name, base_plan, created_at) VALUES (?, ?, ?, ?, ?)`,
		g.EnterpriseCode, g.ID, g.Name, g.BasePlan, micros(g.CreatedAt))
	if err != nil {
		return dbError("create group", err)
	}
	return nil
}

// SIMGroup implements shop.GroupTx.
func (t groupTxn) SIMGroup(_ context.Context, accessCode, iccid string) (string, bool, error) {
	var group sql.NullString
	err := t.queryRow(`SELECT g.group_id FROM sims s LEFT JOIN mall_group_sims g ON g.enterprise_code = s.enterprise_code AND g.iccid = s.iccid
		WHERE s.iccid = ? AND s.enterprise_code = ?`, iccid, accessCode).Scan(&group)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, dbError("find SIM group", err)
	}
	return group.String, true, nil
}

// AddGroupSIM implements shop.GroupTx.
func (t groupTxn) AddGroupSIM(_ context.Context, accessCode, groupID, iccid string, at time.Time) error {
	if _, err := t.exec(`INSERT INTO mall_group_sims (enterprise_code, iccid, group_id, added_at) VALUES (?, ?, ?, ?)`,
		accessCode, iccid, groupID, micros(at)); err != nil {
		return dbError("add group SIM", err)
	}
	return nil
}

// RemoveGroupSIM implements shop.GroupTx.
func (t groupTxn) RemoveGroupSIM(_ context.Context, accessCode, groupID, iccid string) (bool, error) {
	res, err := t.exec(`DELETE FROM mall_group_sims WHERE enterprise_code = ? AND group_id = ? AND iccid = ?`, accessCode, groupID, iccid)
	if err != nil {
		return false, dbError("remove group SIM", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// PutGroupResult implements shop.GroupTx.
func (t groupTxn) PutGroupResult(_ context.Context, r *shop.GroupResult) error {
	items, err := json.Marshal(r.Items)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO mall_group_results (enterprise_code, request_id, group_id, operation, items, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (enterprise_code, request_id) DO UPDATE SET items = excluded.items`, r.EnterpriseCode, r.ID, r.GroupID, r.Operation, string(items), micros(r.CreatedAt)); err != nil {
		return dbError("record group result", err)
	}
	return nil
}

// GroupResult implements shop.GroupTx.
func (t groupTxn) GroupResult(_ context.Context, accessCode, id string) (*shop.GroupResult, error) {
	r, err := scanGroupResult(t.queryRow(`SELECT enterprise_code, request_id, group_id, operation, items, created_at FROM mall_group_results
		WHERE enterprise_code = ? AND request_id = ?`, accessCode, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError("find group result", err)
	}
	return r, nil
}

// scanGroupResult reads a mall_group_results row.
func scanGroupResult(s scanner) (*shop.GroupResult, error) {
	var (
		r       shop.GroupResult
		items   string
		created int64
	)
	if err := s.Scan(&r.EnterpriseCode, &r.ID, &r.GroupID, &r.Operation, &items, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(items), &r.Items); err != nil {
		return nil, err
	}
	r.CreatedAt = instant(created)
	return &r, nil
}

// FindGroups implements shop.GroupStore.
func (db *DB) FindGroups(ctx context.Context, accessCode string) ([]*shop.BundleGroup, error) {
	return queryAll(ctx, db.read, `SELECT g.enterprise_code, g.group_id, g.name, g.base_plan, g.created_at,
		(SELECT count(*) FROM mall_group_sims s WHERE s.enterprise_code = g.enterprise_code AND s.group_id = g.group_id)
		FROM mall_groups g WHERE g.enterprise_code = ? ORDER BY g.group_id`, []any{accessCode}, scanGroup)
}

// scanGroup reads a bundle group and its SIM count.
func scanGroup(s scanner) (*shop.BundleGroup, error) {
	var (
		g       shop.BundleGroup
		created int64
	)
	if err := s.Scan(&g.EnterpriseCode, &g.ID, &g.Name, &g.BasePlan, &created, &g.SIMs); err != nil {
		return nil, err
	}
	g.CreatedAt = instant(created)
	return &g, nil
}

// FindGroupSIMs implements shop.GroupStore.
func (db *DB) FindGroupSIMs(ctx context.Context, accessCode, groupID string) ([]shop.GroupSIM, error) {
	return queryAll(ctx, db.read, `SELECT iccid, added_at FROM mall_group_sims WHERE enterprise_code = ? AND group_id = ? ORDER BY iccid`,
		[]any{accessCode, groupID}, func(s scanner) (shop.GroupSIM, error) {
			var (
				g  shop.GroupSIM
				at int64
			)
			err := s.Scan(&g.ICCID, &at)
			g.AddedAt = instant(at)
			return g, err
		})
}

// FindGroupResult implements shop.GroupStore.
func (db *DB) FindGroupResult(ctx context.Context, accessCode, id string) (*shop.GroupResult, error) {
	r, err := scanGroupResult(db.read.QueryRowContext(ctx, `SELECT enterprise_code, request_id, group_id, operation, items, created_at FROM mall_group_results
		WHERE enterprise_code = ? AND request_id = ?`, accessCode, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindOrderNotFound, "no bundle-group operation %s", id)
	}
	if err != nil {
		return nil, dbError("find group result", err)
	}
	return r, nil
}
