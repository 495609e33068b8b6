package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/opencube/opencube"
)

const orderColumns = `id, code, enterprise_code, iccid, imsi, plan_code, plan_name, plan_type, volume_bytes,
	order_period, renew_period, days, timing_type, mcc, status, buy_type, pay_amount_minor, pay_rst, pay_type,
	global_order, test_flow, test_flow_flag, ota, used_bytes, ordered_at, started_at, expires_at, ended_at, updated_at`

// The statements of order transactions: the hot path of orderPackage.
var (
	qSIM         = prepared(`SELECT ` + simColumns + ` FROM sims WHERE iccid = ? AND enterprise_code = ?`)
	qPlan        = prepared(`SELECT ` + planColumnsP + ` FROM plans p JOIN plan_grants g ON g.plan_code = p.code WHERE p.code = ? AND g.enterprise_code = ? AND p.status = 'active'`)
	qOrder       = prepared(`SELECT ` + orderColumns + ` FROM orders WHERE id = ? AND enterprise_code = ?`)
	qOrderByID   = prepared(`SELECT ` + orderColumns + ` FROM orders WHERE id = ?`)
	qActiveOrder = prepared(`SELECT ` + orderColumns + ` FROM orders WHERE iccid = ? AND status IN (2, 3)`)
	qNextOrder   = prepared(`SELECT ` + orderColumns + ` FROM orders WHERE iccid = ? AND status = 1
		ORDER BY ordered_at, id LIMIT 1`)
	qInsertOrder = prepared(`INSERT INTO orders (` + orderColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	qUpdateOrder = prepared(`UPDATE orders SET status = ?, buy_type = ?, order_period = ?, renew_period = ?, days = ?,
		used_bytes = ?, started_at = ?, expires_at = ?, ended_at = ?, updated_at = ?, imsi = ?
		WHERE id = ? AND enterprise_code = ?`)
)

func scanOrder(s scanner) (*opencube.Order, error) {
	var (
		o                                                                      opencube.Order
		planType, orderPeriod, renewPeriod, days, timing, status, buy, ordered int64
		updated                                                                int64
		started, expires, ended                                                sql.NullInt64
	)
	err := s.Scan(&o.ID, &o.Code, &o.EnterpriseCode, &o.ICCID, &o.IMSI, &o.PlanCode, &o.PlanName, &planType, &o.VolumeBytes,
		&orderPeriod, &renewPeriod, &days, &timing, &o.MCC, &status, &buy, &o.PayAmountMinor, &o.PayRst, &o.PayType,
		&o.GlobalOrder, &o.TestFlow, &o.TestFlowFlag, &o.OTA, &o.UsedBytes, &ordered, &started, &expires, &ended, &updated)
	if err != nil {
		return nil, err
	}
	o.PlanType = opencube.PlanType(planType)
	o.OrderPeriod = int(orderPeriod)
	o.RenewPeriod = int(renewPeriod)
	o.Days = int(days)
	o.TimingType = opencube.TimingType(timing)
	o.Status = opencube.OrderStatus(status)
	o.BuyType = opencube.BuyType(buy)
	o.OrderedAt = instant(ordered)
	o.StartedAt = nullInstant(started)
	o.ExpiresAt = nullInstant(expires)
	o.EndedAt = nullInstant(ended)
	o.UpdatedAt = instant(updated)
	return &o, nil
}

// UpdateOrders implements opencube.OrderStore. fn runs in one IMMEDIATE
// transaction on the write connection: concurrent calls run one after the
// other. fn must not call other methods of db that write.
func (db *DB) UpdateOrders(ctx context.Context, fn func(tx opencube.OrderTx) error) error {
	return db.UpdateOrdersClaiming(ctx, nil, fn)
}

// UpdateOrdersClaiming implements opencube.OrderStore: UpdateOrders, with
// an answered claim's replay entries recorded after fn's change.
func (db *DB) UpdateOrdersClaiming(ctx context.Context, claim *opencube.ReplayClaim, fn func(tx opencube.OrderTx) error) error {
	return db.claiming(claim, func(run func(*txn) error) error { return db.updateOrders(ctx, run) },
		func(t *txn) error { return fn(t) })
}

// claiming runs fn through update (one write transaction) and, when fn
// answered a pending claim, records the claim's entries after fn's change,
// with the answer. The writer is alone, so nothing can come between; a
// request seen before finds its entry here, and the change is undone with
// the transaction (its savepoint).
func (db *DB) claiming(claim *opencube.ReplayClaim, update func(func(*txn) error) error, fn func(*txn) error) error {
	if !claim.Pending() {
		return update(fn)
	}
	recorded := false
	err := update(func(t *txn) error {
		claim.Response, recorded = nil, false
		if err := fn(t); err != nil || claim.Response == nil {
			return err // failed, or not answered: nothing to record
		}
		for _, r := range claim.Replays {
			e := *r
			e.Response = claim.Response
			prior, err := db.claimReplay(t, &e, claim.Now)
			if err != nil {
				return err
			}
			if prior != nil {
				claim.Prior = prior
				return opencube.ErrReplayed
			}
		}
		recorded = true
		return nil
	})
	switch {
	case err != nil:
		claim.Response = nil
	case recorded:
		claim.Recorded = true
	}
	return err
}

var _ opencube.OrderTx = (*txn)(nil)

// SIM implements opencube.OrderTx.
func (t *txn) SIM(_ context.Context, accessCode, iccid string) (*opencube.SIM, error) {
	if sim, ok := cached(t.rows, simRows, accessCode, iccid); ok {
		return sim, nil
	}
	sim, err := scanSIM(t.queryRowStmt(qSIM, iccid, accessCode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	if err != nil {
		return nil, dbError("find SIM", err)
	}
	keep(t.rows, simRows, accessCode, iccid, sim)
	return sim, nil
}

// Plan implements opencube.OrderTx.
func (t *txn) Plan(_ context.Context, accessCode, code string) (*opencube.Plan, error) {
	if p, ok := cached(t.rows, planRows, accessCode, code); ok {
		return p, nil
	}
	p, err := scanPlan(t.queryRowStmt(qPlan, code, accessCode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s is not orderable", code).Because(opencube.CausePlanUnknown)
	}
	if err != nil {
		return nil, dbError("find plan", err)
	}
	keep(t.rows, planRows, accessCode, code, p)
	return p, nil
}

// Order implements opencube.OrderTx.
func (t *txn) Order(_ context.Context, accessCode, id string) (*opencube.Order, error) {
	o, err := scanOrder(t.queryRowStmt(qOrder, id, accessCode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, orderNotFound(id)
	}
	if err != nil {
		return nil, dbError("find order", err)
	}
	return o, nil
}

// OrderByID implements opencube.OrderTx.
func (t *txn) OrderByID(_ context.Context, id string) (*opencube.Order, error) {
	o, err := scanOrder(t.queryRowStmt(qOrderByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, orderNotFound(id)
	}
	if err != nil {
		return nil, dbError("find order", err)
	}
	return o, nil
}

func orderNotFound(id string) error {
	return opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", id)
}

// ActiveOrder implements opencube.OrderTx.
func (t *txn) ActiveOrder(_ context.Context, iccid string) (*opencube.Order, error) {
	return t.optionalOrder(qActiveOrder, iccid)
}

// NextOrder implements opencube.OrderTx: the oldest not-enabled order by
// order time, then id.
func (t *txn) NextOrder(_ context.Context, iccid string) (*opencube.Order, error) {
	return t.optionalOrder(qNextOrder, iccid)
}

func (t *txn) optionalOrder(s *stmt, iccid string) (*opencube.Order, error) {
	o, err := scanOrder(t.queryRowStmt(s, iccid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError("find order", err)
	}
	return o, nil
}

// InsertOrder implements opencube.OrderTx: KindConflict when the id exists,
// KindOrderState when o is active and another active order holds its SIM.
func (t *txn) InsertOrder(_ context.Context, o *opencube.Order) error {
	_, err := t.execStmt(qInsertOrder,
		o.ID, o.Code, o.EnterpriseCode, o.ICCID, o.IMSI, o.PlanCode, o.PlanName, int64(o.PlanType), o.VolumeBytes,
		int64(o.OrderPeriod), int64(o.RenewPeriod), int64(o.Days), int64(o.TimingType), o.MCC, int64(o.Status), int64(o.BuyType),
		o.PayAmountMinor, o.PayRst, o.PayType, o.GlobalOrder, o.TestFlow, o.TestFlowFlag, o.OTA, o.UsedBytes,
		micros(o.OrderedAt), nullMicros(o.StartedAt), nullMicros(o.ExpiresAt), nullMicros(o.EndedAt), micros(o.UpdatedAt))
	switch code(err) {
	case 0:
		if err != nil {
			return dbError("insert order", err)
		}
		return nil
	case primaryKey:
		return opencube.Errorf(opencube.KindConflict, "order %s exists", o.ID)
	case unique:
		return activeExists(o)
	default:
		return dbError("insert order", err)
	}
}

func activeExists(o *opencube.Order) error {
	return opencube.Errorf(opencube.KindOrderState, "SIM %s already has an active order", o.ICCID)
}

// UpdateOrder implements opencube.OrderTx. It writes the fields an order's
// life changes: status, buy type, periods, days, used bytes and its times
// (started, expires, ended, updated). KindOrderNotFound when o is not an
// order of o.EnterpriseCode.
func (t *txn) UpdateOrder(_ context.Context, o *opencube.Order) error {
	res, err := t.execStmt(qUpdateOrder,
		int64(o.Status), int64(o.BuyType), int64(o.OrderPeriod), int64(o.RenewPeriod), int64(o.Days), o.UsedBytes,
		nullMicros(o.StartedAt), nullMicros(o.ExpiresAt), nullMicros(o.EndedAt), micros(o.UpdatedAt), o.IMSI,
		o.ID, o.EnterpriseCode)
	if code(err) == unique {
		return activeExists(o)
	}
	if err != nil {
		return dbError("update order", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbError("update order", err)
	}
	if n == 0 {
		return orderNotFound(o.ID)
	}
	return t.endAddOns(o)
}

// InsertEvent implements opencube.OrderTx: KindConflict when the id exists.
// The event takes its SIM's next number, and its delivery is written with
// it (notify.go).
func (t *txn) InsertEvent(_ context.Context, e *opencube.Event) error {
	return t.insertEvent(e)
}

// FindOrders implements opencube.OrderStore.
func (db *DB) FindOrders(ctx context.Context, f opencube.OrderFilter) ([]*opencube.Order, int, error) {
	from := `FROM orders WHERE enterprise_code = ?`
	if f.ICCID != "" {
		// Find the SIM's few orders by orders_sim, not by scanning the
		// enterprise's in time order: unary + keeps SQLite off
		// orders_enterprise.
		from = `FROM orders WHERE +enterprise_code = ?`
	}
	args := []any{f.Enterprise}
	if f.ICCID != "" {
		from += ` AND iccid = ?`
		args = append(args, f.ICCID)
	}
	if f.OrderID != "" {
		from += ` AND id = ?`
		args = append(args, f.OrderID)
	}
	if f.Status != 0 {
		from += ` AND status = ?`
		args = append(args, int64(f.Status))
	}
	if f.BuyType != 0 {
		from += ` AND buy_type = ?`
		args = append(args, int64(f.BuyType))
	}
	count, cargs := `SELECT COUNT(*) `+from, args
	var seek *timeSeek
	if f.ICCID == "" && f.OrderID == "" {
		// The enterprise's orders of a status and buy type are counted
		// in order_counts, and in time buckets in order_time_counts, kept
		// by triggers.
		count, cargs = `SELECT COALESCE(sum(n), 0) FROM order_counts WHERE enterprise_code = ?`, []any{f.Enterprise}
		seek = &timeSeek{counts: "order_time_counts", column: "ordered_at", enterprise: f.Enterprise}
		if f.Status != 0 {
			count += ` AND status = ?`
			cargs = append(cargs, int64(f.Status))
			seek.and("status = ?", int64(f.Status))
		}
		if f.BuyType != 0 {
			count += ` AND buy_type = ?`
			cargs = append(cargs, int64(f.BuyType))
			seek.and("buy_type = ?", int64(f.BuyType))
		}
	}
	return findPageCounted(ctx, db, "orders", orderColumns, from, "ordered_at DESC, id DESC", args, f.Page, scanOrder, count, cargs, "orders id", seek)
}

// FindEvents implements opencube.OrderStore: oldest first, and in the order
// they were written when they share a time.
func (db *DB) FindEvents(ctx context.Context, accessCode string) ([]*opencube.Event, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, enterprise_code, type, order_id, iccid, status, created_at,
		imsi, plan_code, started_at, expires_at, data
		FROM events WHERE enterprise_code = ? ORDER BY created_at, seq`, accessCode)
	if err != nil {
		return nil, dbError("find events", err)
	}
	defer rows.Close()
	var events []*opencube.Event
	for rows.Next() {
		var (
			e              opencube.Event
			typ            string
			status         int64
			created        int64
			start, expires sql.NullInt64
		)
		if err := rows.Scan(&e.ID, &e.EnterpriseCode, &typ, &e.OrderID, &e.ICCID, &status, &created,
			&e.IMSI, &e.PlanCode, &start, &expires, &e.Data); err != nil {
			return nil, dbError("find events", err)
		}
		e.StartedAt, e.ExpiresAt = nullInstant(start), nullInstant(expires)
		e.Type = opencube.EventType(typ)
		e.Status = opencube.OrderStatus(status)
		e.CreatedAt = instant(created)
		events = append(events, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("find events", err)
	}
	return events, nil
}
