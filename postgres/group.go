package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/shop"
)

// The Mall's bundle groups (migration 00015).

// UpdateGroups implements shop.GroupStore.
func (db *DB) UpdateGroups(ctx context.Context, fn func(tx shop.GroupTx) error) error {
	return db.runTx(ctx, func(t *orderTx) error { return fn(groupTx{mallTx{t}}) })
}

// groupTx is an orderTx as a shop.GroupTx.
type groupTx struct{ mallTx }

// Group implements shop.GroupTx.
func (t groupTx) Group(ctx context.Context, accessCode, id string) (*shop.BundleGroup, error) {
	var g shop.BundleGroup
	err := t.tx.QueryRow(ctx, `SELECT enterprise_code, group_id, name, base_plan, created_at FROM mall_groups
		WHERE enterprise_code = $1 AND group_id = $2 FOR UPDATE`, accessCode, id).Scan(&g.EnterpriseCode, &g.ID, &g.Name, &g.BasePlan, &g.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, t.fail("find group", err)
	}
	g.CreatedAt = utc(g.CreatedAt)
	return &g, nil
}

// InsertGroup implements shop.GroupTx.
func (t groupTx) InsertGroup(ctx context.Context, g *shop.BundleGroup) error {
	if _, err := t.write(ctx, `INSERT INTO mall_groups (enterprise_code, group_id, name, base_plan, created_at) VALUES ($1, $2, $3, $4, $5)`,
		g.EnterpriseCode, g.ID, g.Name, g.BasePlan, g.CreatedAt); err != nil {
		if violated(err, codeUniqueViolation, "mall_groups_pkey") != "" {
			return opencube.Errorf(opencube.KindConflict, "group %s exists", g.ID)
		}
		return t.fail("create group", err)
	}
	return nil
}

// SIMGroup implements shop.GroupTx.
func (t groupTx) SIMGroup(ctx context.Context, accessCode, iccid string) (string, bool, error) {
	var group *string
	err := t.tx.QueryRow(ctx, `SELECT g.group_id FROM sims s LEFT JOIN mall_group_sims g ON g.enterprise_code = s.enterprise_code AND g.iccid = s.iccid
		WHERE s.iccid = $1 AND s.enterprise_code = $2`, iccid, accessCode).Scan(&group)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, t.fail("find SIM group", err)
	}
	if group == nil {
		return "", true, nil
	}
	return *group, true, nil
}

// AddGroupSIM implements shop.GroupTx.
func (t groupTx) AddGroupSIM(ctx context.Context, accessCode, groupID, iccid string, at time.Time) error {
	if _, err := t.write(ctx, `INSERT INTO mall_group_sims (enterprise_code, iccid, group_id, added_at) VALUES ($1, $2, $3, $4)`,
		accessCode, iccid, groupID, at); err != nil {
		if violated(err, codeUniqueViolation, "mall_group_sims_pkey") != "" {
			return opencube.Errorf(opencube.KindConflict, "SIM %s is in a group", iccid)
		}
		return t.fail("add group SIM", err)
	}
	return nil
}

// RemoveGroupSIM implements shop.GroupTx.
func (t groupTx) RemoveGroupSIM(ctx context.Context, accessCode, groupID, iccid string) (bool, error) {
	tag, err := t.write(ctx, `DELETE FROM mall_group_sims WHERE enterprise_code = $1 AND group_id = $2 AND iccid = $3`, accessCode, groupID, iccid)
	if err != nil {
		return false, t.fail("remove group SIM", err)
	}
	return tag.RowsAffected() > 0, nil
}

// PutGroupResult implements shop.GroupTx.
func (t groupTx) PutGroupResult(ctx context.Context, r *shop.GroupResult) error {
	items, err := json.Marshal(r.Items)
	if err != nil {
		return err
	}
	if _, err := t.write(ctx, `INSERT INTO mall_group_results (enterprise_code, request_id, group_id, operation, items, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (enterprise_code, request_id) DO UPDATE SET items = excluded.items`, r.EnterpriseCode, r.ID, r.GroupID, r.Operation, string(items), r.CreatedAt); err != nil {
		return t.fail("record group result", err)
	}
	return nil
}

// GroupResult implements shop.GroupTx.
func (t groupTx) GroupResult(ctx context.Context, accessCode, id string) (*shop.GroupResult, error) {
	var (
		r     shop.GroupResult
		items string
	)
	err := t.tx.QueryRow(ctx, `SELECT enterprise_code, request_id, group_id, operation, items, created_at FROM mall_group_results
		WHERE enterprise_code = $1 AND request_id = $2 FOR UPDATE`, accessCode, id).Scan(&r.EnterpriseCode, &r.ID, &r.GroupID, &r.Operation, &items, &r.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, t.fail("find group result", err)
	}
	r.CreatedAt = utc(r.CreatedAt)
	return &r, json.Unmarshal([]byte(items), &r.Items)
}

// FindGroups implements shop.GroupStore.
func (db *DB) FindGroups(ctx context.Context, accessCode string) ([]*shop.BundleGroup, error) {
	return queryAll(ctx, db, "find groups", `SELECT g.enterprise_code, g.group_id, g.name, g.base_plan, g.created_at,
		(SELECT count(*) FROM mall_group_sims s WHERE s.enterprise_code = g.enterprise_code AND s.group_id = g.group_id)
		FROM mall_groups g WHERE g.enterprise_code = $1 ORDER BY g.group_id`, []any{accessCode}, scanGroup)
}

// scanGroup reads a bundle group and its SIM count.
func scanGroup(s scanner) (*shop.BundleGroup, error) {
	var (
		g shop.BundleGroup
		n int64
	)
	if err := s.Scan(&g.EnterpriseCode, &g.ID, &g.Name, &g.BasePlan, &g.CreatedAt, &n); err != nil {
		return nil, err
	}
	g.SIMs, g.CreatedAt = int(n), utc(g.CreatedAt)
	return &g, nil
}

// FindGroupSIMs implements shop.GroupStore.
func (db *DB) FindGroupSIMs(ctx context.Context, accessCode, groupID string) ([]shop.GroupSIM, error) {
	return queryAll(ctx, db, "find group SIMs", `SELECT iccid, added_at FROM mall_group_sims WHERE enterprise_code = $1 AND group_id = $2 ORDER BY iccid`,
		[]any{accessCode, groupID}, func(s scanner) (shop.GroupSIM, error) {
			var g shop.GroupSIM
			err := s.Scan(&g.ICCID, &g.AddedAt)
			g.AddedAt = utc(g.AddedAt)
			return g, err
		})
}

// FindGroupResult implements shop.GroupStore.
func (db *DB) FindGroupResult(ctx context.Context, accessCode, id string) (*shop.GroupResult, error) {
	rs, err := queryAll(ctx, db, "find group result", `SELECT enterprise_code, request_id, group_id, operation, items, created_at
		FROM mall_group_results WHERE enterprise_code = $1 AND request_id = $2`, []any{accessCode, id}, func(s scanner) (*shop.GroupResult, error) {
		var (
			r     shop.GroupResult
			items string
		)
		if err := s.Scan(&r.EnterpriseCode, &r.ID, &r.GroupID, &r.Operation, &items, &r.CreatedAt); err != nil {
			return nil, err
		}
		r.CreatedAt = utc(r.CreatedAt)
		return &r, json.Unmarshal([]byte(items), &r.Items)
	})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, opencube.Errorf(opencube.KindOrderNotFound, "no bundle-group operation %s", id)
	}
	return rs[0], nil
}
