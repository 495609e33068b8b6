package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/opencube/opencube"
)

const orderColumns = `id, code, enterprise_code, iccid, imsi, plan_code, plan_name, plan_type, volume_bytes,
	order_period, renew_period, days, timing_type, mcc, status, buy_type, pay_amount_minor, pay_rst, pay_type,
	global_order, test_flow, test_flow_flag, ota, used_bytes, ordered_at, started_at, expires_at, ended_at, updated_at`

func scanOrder(s scanner) (*opencube.Order, error) {
	var (
		o                                                             opencube.Order
		planType, orderPeriod, renewPeriod, days, timing, status, buy int64
	)
	err := s.Scan(&o.ID, &o.Code, &o.EnterpriseCode, &o.ICCID, &o.IMSI, &o.PlanCode, &o.PlanName, &planType, &o.VolumeBytes,
		&orderPeriod, &renewPeriod, &days, &timing, &o.MCC, &status, &buy, &o.PayAmountMinor, &o.PayRst, &o.PayType,
		&o.GlobalOrder, &o.TestFlow, &o.TestFlowFlag, &o.OTA, &o.UsedBytes, &o.OrderedAt, &o.StartedAt, &o.ExpiresAt, &o.EndedAt, &o.UpdatedAt)
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
	o.OrderedAt = utc(o.OrderedAt)
	o.StartedAt = utcp(o.StartedAt)
	o.ExpiresAt = utcp(o.ExpiresAt)
	o.EndedAt = utcp(o.EndedAt)
	o.UpdatedAt = utc(o.UpdatedAt)
	return &o, nil
}

// sqlInsertOrder inserts an order; a deferred one may join other writes
// (see mergeable).
var sqlInsertOrder = mergeable("", `INSERT INTO orders (`+orderColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)`)

// The statements of OrderTx. Reads of orders lock the rows they return
// (FOR UPDATE) until the transaction ends, so that concurrent moves of one
// order, on any node, run one after the other and the later one sees the
// earlier one's result.
const (
	sqlSIM   = `SELECT ` + simColumns + ` FROM sims WHERE iccid = $1 AND enterprise_code = $2`
	sqlPlan  = `SELECT ` + planColumnsP + ` FROM plans p JOIN plan_grants g ON g.plan_code = p.code WHERE p.code = $1 AND g.enterprise_code = $2 AND p.status = 'active'`
	sqlOrder = `SELECT ` + orderColumns + ` FROM orders WHERE id = $1 AND enterprise_code = $2 FOR UPDATE`
	// OrderByID is for background work, which acts for no enterprise.
	sqlOrderByID     = `SELECT ` + orderColumns + ` FROM orders WHERE id = $1 FOR UPDATE`
	sqlActiveOrder   = `SELECT ` + orderColumns + ` FROM orders WHERE iccid = $1 AND status IN (2, 3) FOR UPDATE`
	sqlNextOrder     = `SELECT ` + orderColumns + ` FROM orders WHERE iccid = $1 AND status = 1 ORDER BY ordered_at, id LIMIT 1 FOR UPDATE`
	sqlUpdateOrder   = `UPDATE orders SET status = $1, buy_type = $2, order_period = $3, renew_period = $4, days = $5, used_bytes = $6, started_at = $7, expires_at = $8, ended_at = $9, updated_at = $10, imsi = $13 WHERE id = $11 AND enterprise_code = $12`
	sqlSavepoint     = `SAVEPOINT w`
	sqlRelease       = `RELEASE SAVEPOINT w`
	sqlRollbackWrite = `ROLLBACK TO SAVEPOINT w; RELEASE SAVEPOINT w`
	// Scheduling a pending kind and key again moves that job and frees it
	// of its lease, so that a run under way cannot complete (delete) it.
	sqlInsertJob = `INSERT INTO jobs (id, kind, key, payload, run_at, attempts, last_error)
		VALUES ($1, $2, $3, $4, $5, 0, '')
		ON CONFLICT (kind, key) DO UPDATE SET
			payload = excluded.payload, run_at = excluded.run_at, claimed_by = NULL, claimed_until = NULL`
)

// UpdateOrders implements opencube.OrderStore. fn runs in one READ
// COMMITTED transaction, committed when fn returns nil and rolled back
// otherwise; fn's error is returned as it is. When the database reports a
// serialization failure or a deadlock (SQLSTATE 40001 or 40P01), from any
// statement or the commit, the transaction is rolled back and fn runs again,
// up to 5 times in all; so it does, with savepoints, when a write failed in
// the first run, which has none (see orderTx.write). fn must therefore not
// have effects outside the transaction that a second run would repeat.
func (db *DB) UpdateOrders(ctx context.Context, fn func(tx opencube.OrderTx) error) error {
	return db.UpdateOrdersClaiming(ctx, nil, fn)
}

// UpdateOrdersClaiming implements opencube.OrderStore: UpdateOrders, with
// an answered claim's replay entries recorded after fn's change.
func (db *DB) UpdateOrdersClaiming(ctx context.Context, claim *opencube.ReplayClaim, fn func(tx opencube.OrderTx) error) error {
	return db.claiming(ctx, claim, true, func(t *orderTx) error { return fn(t) })
}

// claiming runs fn in one transaction, optimistic (without savepoints
// until a write fails, see orderTx.write) or not, retried as UpdateOrders
// says. The transaction starts lazily and may share its commit with
// others (groupcommit.go); when its write fails there, it runs again on
// its own. When fn answered a pending claim, the claim's entries are recorded
// after fn's change, with the answer, one statement each. An identical
// request that recorded them first makes this one wait for its outcome,
// then find them: this transaction is then rolled back, its change undone.
func (db *DB) claiming(ctx context.Context, claim *opencube.ReplayClaim, optimistic bool, fn func(*orderTx) error) error {
	if !claim.Pending() {
		claim = nil
	}
	recorded := false
	deferWrites := true
	share := db.group != nil
	err := retry(ctx, func() error {
		var p *pipeTx
		var err error
		if share {
			p, err = db.beginLazy(ctx, db.group)
		} else {
			p, err = db.beginPipe(ctx)
		}
		if err != nil {
			return err
		}
		defer p.end(ctx)
		t := &orderTx{db: db, tx: p, pipe: p, optimistic: optimistic, deferWrites: deferWrites}
		p.onFail = t.deferredFailed
		p.held = t.usage.take
		recorded = false
		if claim != nil {
			claim.Response = nil
		}
		err = fn(t)
		if err == nil && t.retry == nil && claim != nil && claim.Response != nil {
			err = t.recordClaim(ctx, claim)
			recorded = err == nil && t.retry == nil
		}
		if err != nil && t.retry == nil {
			// A deferred write that failed would have failed fn first.
			p.Flush(ctx)
		}
		if t.retry == nil && err == nil {
			err = t.commit(ctx)
			switch {
			case errors.Is(err, errGroupFailed):
				share = false
			case errors.Is(err, errNeedSavepoints):
				// Its write failed in a shared commit.
				share, optimistic, deferWrites = false, false, false
			}
		}
		if t.retry != nil {
			// fn may have carried on after a statement that requires the
			// whole transaction to run again.
			if t.retry == errNeedSavepoints {
				optimistic, deferWrites = false, false
			}
			return t.retry
		}
		return err
	})
	switch {
	case claim == nil:
	case err != nil:
		claim.Response = nil
	case recorded:
		claim.Recorded = true
	}
	return err
}

// recordClaim records the entries of an answered claim, with its answer,
// after fn's change: opencube.ErrReplayed, with claim.Prior set, when an
// identical request recorded one first.
func (t *orderTx) recordClaim(ctx context.Context, claim *opencube.ReplayClaim) error {
	for _, r := range claim.Replays {
		e := *r
		e.Response = claim.Response
		prior, err := t.claimReplay(ctx, &e, claim.Now)
		if t.retry != nil || err != nil {
			return err
		}
		if prior != nil {
			claim.Prior = prior
			return opencube.ErrReplayed
		}
	}
	return nil
}

// commit writes the pending audit entry and commits: the deferred writes
// and the COMMIT go in one round trip. When a deferred write fails there,
// the transaction is to run again (t.retry).
func (t *orderTx) commit(ctx context.Context) error {
	audit, err := t.db.writeAudit(ctx, t.tx)
	if err == nil {
		if err = t.pipe.Commit(ctx); err != nil {
			err = t.db.dbError("commit", err)
		}
	}
	if err == nil {
		return nil
	}
	if audit != nil {
		audit.Unclaim()
	}
	if t.retry != nil {
		return t.retry
	}
	return err
}

// claimReplay records r in the transaction unless an unexpired entry with
// its key exists, which it returns. An identical request's transaction that
// recorded the entry first makes this one wait for its outcome, then find
// its entry.
func (t *orderTx) claimReplay(ctx context.Context, r *opencube.Replay, now time.Time) (*opencube.Replay, error) {
	var ok bool
	response := r.Response
	if response == nil {
		response = []byte{} // NULL would count as absent
	}
	if t.deferring() {
		// An entry in the way, even expired, fails the insert, and the
		// transaction runs again without deferred writes, down below.
		t.pipe.Defer(sqlInsertReplay, r.AccessCode, r.Key, r.Fingerprint, response, r.ExpiresAt)
		return nil, nil
	}
	err := t.tx.QueryRow(ctx, sqlClaimReplay, r.AccessCode, r.Key, r.Fingerprint, response, r.ExpiresAt, now).Scan(&ok)
	if err == nil {
		return nil, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, t.fail("claim replay", err)
	}
	e := opencube.Replay{AccessCode: r.AccessCode, Key: r.Key}
	if err := t.tx.QueryRow(ctx, sqlFindReplay, r.AccessCode, r.Key).Scan(&e.Fingerprint, &e.Response, &e.ExpiresAt); err != nil {
		return nil, t.fail("claim replay", err)
	}
	e.ExpiresAt = utc(e.ExpiresAt)
	return &e, nil
}

// orderTx implements opencube.OrderTx over one pgx transaction.
type orderTx struct {
	db *DB
	tx txConn
	// pipe is tx when it is a pipeTx, which may defer writes.
	pipe *pipeTx
	// retry is the first retryable error a statement met.
	retry error
	// optimistic writes run without a savepoint (see write).
	optimistic bool
	// deferWrites: writes whose outcome fn needs not wait for are
	// deferred (see deferring).
	deferWrites bool
	// alerts are the alert settings the transaction read, by enterprise.
	alerts map[string]*opencube.AlertSettings
	// terms are billing terms SIMAndPlan read ahead for Terms.
	terms *prefetchedTerms
	// usage are the usage writes held back while deferring, sent before
	// the next statement (pipeTx.held).
	usage usageWrites
}

// errNeedSavepoints is the retry of an optimistic transaction whose write
// failed: it runs again at once, each write in a savepoint.
var errNeedSavepoints = errors.New("postgres: a write failed; the transaction runs again with savepoints")

var _ opencube.OrderTx = (*orderTx)(nil)

// deferring reports whether writes whose outcome fn needs not wait for
// are deferred: sent with the next statement or the commit (see pipeTx).
// A deferred write that fails makes the transaction run again at once
// without deferring (and with savepoints), where fn meets the failure
// where it made the write.
func (t *orderTx) deferring() bool { return t.deferWrites && t.pipe != nil }

// deferredFailed is told that a deferred write failed: the transaction runs
// again, with savepoints.
func (t *orderTx) deferredFailed(err error) {
	if t.retry == nil {
		t.retry = errNeedSavepoints
		if retryable(err) {
			t.retry = err
		}
	}
}

// writeLater is write for a statement whose result its caller only needs
// as an error: deferred when the transaction defers (see deferring), run
// at once otherwise.
func (t *orderTx) writeLater(ctx context.Context, sql string, args ...any) error {
	if t.deferring() {
		t.pipe.Defer(sql, args...)
		return nil
	}
	_, err := t.write(ctx, sql, args...)
	return err
}

// execLater runs a statement outside savepoints, as tx.Exec, deferred when
// the transaction defers (see deferring); op names it in errors.
func (t *orderTx) execLater(ctx context.Context, op, sql string, args ...any) error {
	if t.deferring() {
		t.pipe.Defer(sql, args...)
		return nil
	}
	if _, err := t.tx.Exec(ctx, sql, args...); err != nil {
		return t.fail(op, err)
	}
	return nil
}

// fail records a statement's error and returns it wrapped for op.
func (t *orderTx) fail(op string, err error) error {
	if retryable(err) && t.retry == nil {
		t.retry = err
	}
	return t.db.dbError(op, err)
}

// write runs one writing statement in a savepoint, in one round trip
// (SAVEPOINT, the statement, RELEASE pipelined), so that when the statement
// fails only its own effects are undone and the transaction stays usable.
// It returns the statement's error unwrapped, for the caller to map.
//
// An optimistic transaction (UpdateOrders) first runs without savepoints,
// which cost a subtransaction each (a bulk order of a thousand devices
// would take thousands, past the 64 PostgreSQL keeps track of cheaply): a
// write that fails there breaks the transaction, which then runs again
// from the start with savepoints (errNeedSavepoints), where the failure
// behaves as described.
func (t *orderTx) write(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if t.optimistic {
		tag, err := t.tx.Exec(ctx, sql, args...)
		if err != nil && t.retry == nil {
			t.retry = errNeedSavepoints
			if retryable(err) {
				t.retry = err
			}
		}
		return tag, err
	}
	var b pgx.Batch
	b.Queue(sqlSavepoint)
	b.Queue(sql, args...)
	b.Queue(sqlRelease)
	br := t.tx.SendBatch(ctx, &b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return pgconn.CommandTag{}, err
	}
	tag, werr := br.Exec()
	if werr == nil {
		_, err := br.Exec()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		return tag, err
	}
	br.Close()
	if _, err := t.tx.Exec(ctx, sqlRollbackWrite); err != nil {
		return tag, fmt.Errorf("%w (and rolling back to the savepoint failed: %v)", werr, err)
	}
	return tag, werr
}

// SIM implements opencube.OrderTx.
func (t *orderTx) SIM(ctx context.Context, accessCode, iccid string) (*opencube.SIM, error) {
	return t.foundSIM(iccid, t.tx.QueryRow(ctx, sqlSIM, iccid, accessCode))
}

// foundSIM reads the SIM of sqlSIM.
func (t *orderTx) foundSIM(iccid string, row pgx.Row) (*opencube.SIM, error) {
	sim, err := scanSIM(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	if err != nil {
		return nil, t.fail("find SIM", err)
	}
	return sim, nil
}

// sqlSIMAndPlan reads an order's SIM ($1 of enterprise $2), its plan ($3)
// and the plan's billing terms for the enterprise in one statement, each
// part NULL when absent.
var sqlSIMAndPlan = pureRead(`SELECT s.*, p.*, t.* FROM (SELECT 1) one
	LEFT JOIN (` + sqlSIM + `) s ON true
	LEFT JOIN (` + strings.ReplaceAll(sqlPlan, "$1", "$3") + `) p ON true
	LEFT JOIN (` + strings.ReplaceAll(sqlTerms, "$1", "$3") + `) t ON true`)

// The columns of sqlSIMAndPlan: the SIM's, the plan's, the terms'.
const simAndPlanSIM, simAndPlanPlan, simAndPlanTerms = 7, 13, 8

// SIMAndPlan is SIM and Plan in one statement: the SIM's error first. The
// plan's billing terms for the enterprise come with them, kept for the
// order's charge (Terms).
func (t *orderTx) SIMAndPlan(ctx context.Context, accessCode, iccid, planCode string) (*opencube.SIM, *opencube.Plan, error) {
	if t.pipe != nil && t.pipe.key == "" {
		t.pipe.key = iccid
	}
	rows, err := t.tx.Query(ctx, sqlSIMAndPlan, iccid, accessCode, planCode)
	if err != nil {
		return nil, nil, t.fail("find SIM and plan", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, nil, t.fail("find SIM and plan", err)
		}
		return nil, nil, t.fail("find SIM and plan", errors.New("no row"))
	}
	m, fds, vals := rows.Conn().TypeMap(), rows.FieldDescriptions(), rows.RawValues()
	if len(vals) != simAndPlanSIM+simAndPlanPlan+simAndPlanTerms {
		return nil, nil, t.fail("find SIM and plan", fmt.Errorf("%d columns", len(vals)))
	}
	// part is the columns from a to b as a row of their own, or no row
	// when its first column is NULL.
	part := func(a, b int) pgx.Row {
		if vals[a] == nil {
			return errRow{pgx.ErrNoRows}
		}
		return rawRow{m: m, fds: fds[a:b], vals: vals[a:b]}
	}
	const p0, t0, end = simAndPlanSIM, simAndPlanSIM + simAndPlanPlan, simAndPlanSIM + simAndPlanPlan + simAndPlanTerms
	sim, err := t.foundSIM(iccid, part(0, p0))
	if err != nil {
		return nil, nil, err
	}
	p, err := t.foundPlan(planCode, part(p0, t0))
	if err != nil {
		return nil, nil, err
	}
	t.terms = nil
	if a, price, err := t.scanTerms(part(t0, end), accessCode, planCode); err == nil {
		t.terms = &prefetchedTerms{enterprise: accessCode, plan: planCode, account: a, price: price}
	} else if t.retry != nil {
		return nil, nil, err
	}
	return sim, p, nil
}

// rawRow scans some of the columns of a row already read.
type rawRow struct {
	m    *pgtype.Map
	fds  []pgconn.FieldDescription
	vals [][]byte
}

// Scan implements pgx.Row.
func (r rawRow) Scan(dest ...any) error { return pgx.ScanRow(r.m, r.fds, r.vals, dest...) }

// Plan implements opencube.OrderTx.
func (t *orderTx) Plan(ctx context.Context, accessCode, code string) (*opencube.Plan, error) {
	return t.foundPlan(code, t.tx.QueryRow(ctx, sqlPlan, code, accessCode))
}

// foundPlan reads the plan of sqlPlan.
func (t *orderTx) foundPlan(code string, row pgx.Row) (*opencube.Plan, error) {
	p, err := scanPlan(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s is not orderable", code).Because(opencube.CausePlanUnknown)
	}
	if err != nil {
		return nil, t.fail("find plan", err)
	}
	return p, nil
}

// Order implements opencube.OrderTx; the order stays locked until the
// transaction ends.
func (t *orderTx) Order(ctx context.Context, accessCode, id string) (*opencube.Order, error) {
	o, err := scanOrder(t.tx.QueryRow(ctx, sqlOrder, id, accessCode))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, orderNotFound(id)
	}
	if err != nil {
		return nil, t.fail("find order", err)
	}
	return o, nil
}

// OrderByID implements opencube.OrderTx; the order stays locked until the
// transaction ends.
func (t *orderTx) OrderByID(ctx context.Context, id string) (*opencube.Order, error) {
	o, err := scanOrder(t.tx.QueryRow(ctx, sqlOrderByID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, orderNotFound(id)
	}
	if err != nil {
		return nil, t.fail("find order", err)
	}
	return o, nil
}

func orderNotFound(id string) error {
	return opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", id)
}

// ActiveOrder implements opencube.OrderTx; the order, if any, stays locked
// until the transaction ends.
func (t *orderTx) ActiveOrder(ctx context.Context, iccid string) (*opencube.Order, error) {
	return t.optionalOrder(ctx, sqlActiveOrder, iccid)
}

// NextOrder implements opencube.OrderTx: the oldest not-enabled order by
// order time, then id. It stays locked until the transaction ends.
func (t *orderTx) NextOrder(ctx context.Context, iccid string) (*opencube.Order, error) {
	return t.optionalOrder(ctx, sqlNextOrder, iccid)
}

func (t *orderTx) optionalOrder(ctx context.Context, sql, iccid string) (*opencube.Order, error) {
	o, err := scanOrder(t.tx.QueryRow(ctx, sql, iccid))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, t.fail("find order", err)
	}
	return o, nil
}

// InsertOrder implements opencube.OrderTx: KindConflict when the id exists,
// KindOrderState when o is active and another active order holds its SIM.
func (t *orderTx) InsertOrder(ctx context.Context, o *opencube.Order) error {
	err := t.writeLater(ctx, sqlInsertOrder,
		o.ID, o.Code, o.EnterpriseCode, o.ICCID, o.IMSI, o.PlanCode, o.PlanName, int64(o.PlanType), o.VolumeBytes,
		int64(o.OrderPeriod), int64(o.RenewPeriod), int64(o.Days), int64(o.TimingType), o.MCC, int64(o.Status), int64(o.BuyType),
		o.PayAmountMinor, o.PayRst, o.PayType, o.GlobalOrder, o.TestFlow, o.TestFlowFlag, o.OTA, o.UsedBytes,
		o.OrderedAt, o.StartedAt, o.ExpiresAt, o.EndedAt, o.UpdatedAt)
	switch violated(err, codeUniqueViolation, "orders_pkey", "orders_one_active") {
	case "":
		if err != nil {
			return t.fail("insert order", err)
		}
		return nil
	case "orders_pkey":
		return opencube.Errorf(opencube.KindConflict, "order %s exists", o.ID)
	case "orders_one_active":
		return activeExists(o)
	default:
		return t.fail("insert order", err)
	}
}

func activeExists(o *opencube.Order) error {
	return opencube.Errorf(opencube.KindOrderState, "SIM %s already has an active order", o.ICCID)
}

// UpdateOrder implements opencube.OrderTx. It writes the fields an order's
// life changes: status, buy type, periods, days, used bytes and its times
// (started, expires, ended, updated). KindOrderNotFound when o is not an
// order of o.EnterpriseCode; KindOrderState when o is active and another
// active order holds its SIM (the unique index orders_one_active: a
// concurrent transaction enabling another order of the SIM makes this one
// wait for it, then fail).
func (t *orderTx) UpdateOrder(ctx context.Context, o *opencube.Order) error {
	tag, err := t.write(ctx, sqlUpdateOrder,
		int64(o.Status), int64(o.BuyType), int64(o.OrderPeriod), int64(o.RenewPeriod), int64(o.Days), o.UsedBytes,
		o.StartedAt, o.ExpiresAt, o.EndedAt, o.UpdatedAt, o.ID, o.EnterpriseCode, o.IMSI)
	if violated(err, codeUniqueViolation, "orders_one_active") == "orders_one_active" {
		return activeExists(o)
	}
	if err != nil {
		return t.fail("update order", err)
	}
	if tag.RowsAffected() == 0 {
		return orderNotFound(o.ID)
	}
	return t.endAddOns(ctx, o)
}

// InsertEvent implements opencube.OrderTx: KindConflict when the id exists.
// The event takes its SIM's next number, and its delivery is written with
// it (notify.go).
func (t *orderTx) InsertEvent(ctx context.Context, e *opencube.Event) error {
	return t.insertEvent(ctx, e)
}

// InsertJob implements opencube.OrderTx. A pending job of the same kind and
// key keeps its id, attempts and last error; it takes j's RunAt and Payload
// and loses its lease, so that a run of it under way can no longer complete
// it. KindConflict when j's id is another job's.
func (t *orderTx) InsertJob(ctx context.Context, j *opencube.Job) error {
	err := t.writeLater(ctx, sqlInsertJob, j.ID, j.Kind, j.Key, j.Payload, j.RunAt)
	if violated(err, codeUniqueViolation, "jobs_pkey") == "jobs_pkey" {
		return opencube.Errorf(opencube.KindConflict, "job %s exists", j.ID)
	}
	if err != nil {
		return t.fail("insert job", err)
	}
	return nil
}

// FindOrders implements opencube.OrderStore.
func (db *DB) FindOrders(ctx context.Context, f opencube.OrderFilter) ([]*opencube.Order, int, error) {
	var q query
	q.sql.WriteString(`FROM orders WHERE enterprise_code = ` + q.arg(f.Enterprise))
	if f.ICCID != "" {
		q.sql.WriteString(` AND iccid = ` + q.arg(f.ICCID))
	}
	if f.OrderID != "" {
		q.sql.WriteString(` AND id = ` + q.arg(f.OrderID))
	}
	if f.Status != 0 {
		q.sql.WriteString(` AND status = ` + q.arg(int64(f.Status)))
	}
	if f.BuyType != 0 {
		q.sql.WriteString(` AND buy_type = ` + q.arg(int64(f.BuyType)))
	}
	var count *query
	var seek *timeSeek
	if f.ICCID == "" && f.OrderID == "" {
		// The enterprise's orders of a status and buy type are counted
		// in order_counts, and in time buckets in order_time_counts, kept
		// by triggers.
		count = &query{}
		count.sql.WriteString(`SELECT COALESCE(sum(n), 0)::bigint FROM order_counts WHERE enterprise_code = ` + count.arg(f.Enterprise))
		seek = &timeSeek{counts: "order_time_counts", column: "ordered_at", enterprise: f.Enterprise}
		if f.Status != 0 {
			count.sql.WriteString(` AND status = ` + count.arg(int64(f.Status)))
			seek.and("status", int64(f.Status))
		}
		if f.BuyType != 0 {
			count.sql.WriteString(` AND buy_type = ` + count.arg(int64(f.BuyType)))
			seek.and("buy_type", int64(f.BuyType))
		}
	}
	return findPageCounted(ctx, db, "orders", orderColumns, &q, "ordered_at DESC, id DESC", f.Page, scanOrder, count, "orders id", seek)
}

// FindEvents implements opencube.OrderStore: oldest first, and in the order
// they were written when they share a time (seq, which only breaks ties).
func (db *DB) FindEvents(ctx context.Context, accessCode string) ([]*opencube.Event, error) {
	var events []*opencube.Event
	err := retry(ctx, func() error {
		events = events[:0]
		rows, err := db.pool.Query(ctx, `SELECT id, enterprise_code, type, order_id, iccid, status, created_at,
			imsi, plan_code, started_at, expires_at, data
			FROM events WHERE enterprise_code = $1 ORDER BY created_at, seq`, accessCode)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e      opencube.Event
				typ    string
				status int64
			)
			if err := rows.Scan(&e.ID, &e.EnterpriseCode, &typ, &e.OrderID, &e.ICCID, &status, &e.CreatedAt,
				&e.IMSI, &e.PlanCode, &e.StartedAt, &e.ExpiresAt, &e.Data); err != nil {
				return err
			}
			e.StartedAt, e.ExpiresAt = utcp(e.StartedAt), utcp(e.ExpiresAt)
			e.Type = opencube.EventType(typ)
			e.Status = opencube.OrderStatus(status)
			e.CreatedAt = utc(e.CreatedAt)
			events = append(events, &e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.dbError("find events", err)
	}
	if len(events) == 0 {
		return nil, nil
	}
	return events, nil
}
