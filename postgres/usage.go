package postgres

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
)

const sessionColumns = `nas, session_id, iccid, imsi, enterprise_code, nas_addr, user_name, network,
	started_at, last_at, input_bytes, output_bytes, state, imei, rat, ip, location`

// meteredOrder selects an order with its meter and its plan's throttle.
var meteredOrder = `SELECT ` + prefixed(orderColumns, "o.") + `,
	COALESCE(m.test_used_bytes, 0), COALESCE(m.day, 0), COALESCE(p.throttle_kbps, 0)
	FROM orders o LEFT JOIN order_meters m ON m.order_id = o.id LEFT JOIN plans p ON p.code = o.plan_code
	WHERE o.iccid = $1 AND o.status IN (2, 3)`

// The statements of the usage book. Rating locks the SIM (FOR NO KEY
// UPDATE, which orders' foreign keys do not wait for) and its active order,
// so that records of one SIM are rated one after the other on any node.
var (
	sqlSubscriberSIM = `SELECT ` + simColumns + ` FROM sims WHERE imsi = $1 FOR NO KEY UPDATE`
	sqlSIMByIMSI     = `SELECT ` + simColumns + ` FROM sims WHERE imsi = $1`
	sqlSession       = `SELECT ` + sessionColumns + ` FROM usage_sessions WHERE nas = $1 AND session_id = $2 FOR UPDATE`
	sqlPutSession    = `INSERT INTO usage_sessions (` + sessionColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (nas, session_id) DO UPDATE SET nas_addr = excluded.nas_addr, user_name = excluded.user_name,
			network = excluded.network, started_at = excluded.started_at, last_at = excluded.last_at,
			imei = excluded.imei, rat = excluded.rat, ip = excluded.ip, location = excluded.location,
			input_bytes = excluded.input_bytes, output_bytes = excluded.output_bytes, state = excluded.state`
	sqlStaleSessions = `SELECT ` + sessionColumns + ` FROM usage_sessions WHERE state = 0 AND started_at < $1 AND last_at < $1
		ORDER BY started_at, nas, session_id LIMIT $2 FOR UPDATE SKIP LOCKED`
	sqlAddDay = `INSERT INTO usage_days (iccid, day, enterprise_code, bytes) VALUES ($1, $2, $3, $4)
		ON CONFLICT (iccid, day) DO UPDATE SET bytes = usage_days.bytes + excluded.bytes`
	sqlUsedBytes = `UPDATE orders SET used_bytes = $1 WHERE id = $2`
	sqlPutMeter  = `INSERT INTO order_meters (order_id, test_used_bytes, day) VALUES ($1, $2, $3)
		ON CONFLICT (order_id) DO UPDATE SET test_used_bytes = excluded.test_used_bytes, day = excluded.day`
	sqlAsOf = `UPDATE usage_clock SET as_of = greatest(as_of, $1) WHERE id = 1`
)

// prefixed qualifies each column of a column list with prefix.
func prefixed(cols, prefix string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

func scanSession(s scanner) (*opencube.DataSession, error) {
	var (
		ss    opencube.DataSession
		state int16
	)
	if err := s.Scan(&ss.NAS, &ss.ID, &ss.ICCID, &ss.IMSI, &ss.EnterpriseCode, &ss.NASAddr, &ss.UserName, &ss.Network,
		&ss.StartedAt, &ss.LastAt, &ss.InputBytes, &ss.OutputBytes, &state, &ss.IMEI, &ss.RAT, &ss.IP, &ss.Location); err != nil {
		return nil, err
	}
	ss.StartedAt, ss.LastAt, ss.State = utc(ss.StartedAt), utc(ss.LastAt), opencube.SessionState(state)
	return &ss, nil
}

// extra scans a row's leading columns with the caller's destinations and
// the rest into more.
type extra struct {
	row  scanner
	more []any
}

// Scan implements scanner.
func (e extra) Scan(dest ...any) error { return e.row.Scan(append(dest, e.more...)...) }

// scanMetered scans a meteredOrder row.
func scanMetered(row scanner) (*opencube.Order, opencube.Meter, int, error) {
	var (
		m                   opencube.Meter
		testUsed, day, kbps int64
	)
	o, err := scanOrder(extra{row, []any{&testUsed, &day, &kbps}})
	if err != nil {
		return nil, m, 0, err
	}
	m.TestUsedBytes, m.Day = testUsed, int(day)
	return o, m, int(kbps), nil
}

// UpdateUsage implements opencube.UsageStore, as UpdateOrders: fn may run
// again on a serialization failure or deadlock.
func (db *DB) UpdateUsage(ctx context.Context, fn func(tx opencube.UsageTx) error) error {
	return db.runTx(ctx, func(t *orderTx) error { return fn(t) })
}

var _ opencube.UsageTx = (*orderTx)(nil)

// Subscriber implements opencube.UsageTx.
func (t *orderTx) Subscriber(ctx context.Context, imsi string) (*opencube.Subscriber, error) {
	sim, err := scanSIM(t.tx.QueryRow(ctx, sqlSubscriberSIM, imsi))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, t.fail("find subscriber", err)
	}
	sub := &opencube.Subscriber{SIM: sim}
	sub.Order, sub.Meter, sub.ThrottleKbps, err = scanMetered(t.tx.QueryRow(ctx, meteredOrder+` FOR UPDATE OF o`, sim.ICCID))
	if errors.Is(err, pgx.ErrNoRows) {
		return sub, nil
	}
	if err != nil {
		return nil, t.fail("find subscriber", err)
	}
	return sub, nil
}

// Subscribers implements opencube.UsageTx (see SubscribersAndSessions).
func (t *orderTx) Subscribers(ctx context.Context, imsis []string) (map[string]*opencube.Subscriber, error) {
	subs, _, err := t.SubscribersAndSessions(ctx, imsis, nil)
	return subs, err
}

// Sessions implements opencube.UsageTx (see SubscribersAndSessions).
func (t *orderTx) Sessions(ctx context.Context, keys []opencube.SessionKey) (map[opencube.SessionKey]*opencube.DataSession, error) {
	_, sessions, err := t.SubscribersAndSessions(ctx, nil, keys)
	return sessions, err
}

// The reads of a usage batch. The SIMs are locked in IMSI order (BookUsage
// sorts its batch the same way, so that concurrent batches on any node
// lock SIMs in one order), each followed by its active order; the same
// statement reads the alert settings of each SIM's enterprise, so that a
// batch looks its SIMs up once. The sessions found are locked after.
var (
	sqlBatchSubscribers = `WITH s AS MATERIALIZED (
			SELECT ` + simColumns + ` FROM sims WHERE imsi = ANY($1) ORDER BY imsi FOR NO KEY UPDATE)
		SELECT s.*, a.percents, a.days_before_expiry, mo.* FROM s
		LEFT JOIN alert_settings a ON a.enterprise_code = s.enterprise_code
		LEFT JOIN LATERAL (` + strings.Replace(meteredOrder, "WHERE o.iccid = $1", "WHERE o.iccid = s.iccid", 1) + ` FOR UPDATE OF o) mo ON true`
	// Each session is found by its key and locked, in the order of the
	// keys (sorted by the caller). Written as "(nas, session_id) IN
	// (SELECT * FROM unnest(...))", the plan kept while the table was
	// young hashed the keys and read every session, 4 ms a batch at 10,000
	// sessions and growing with them.
	sqlBatchSessions = `SELECT s.* FROM unnest($1::text[], $2::text[]) AS k (nas, session_id) CROSS JOIN LATERAL (
		SELECT ` + sessionColumns + ` FROM usage_sessions u WHERE u.nas = k.nas AND u.session_id = k.session_id FOR UPDATE) s`
	// A usage batch reads and writes rows by their keys only, and is
	// planned without sequential scans for the rest of its transaction:
	// the tables it reads grow from nothing as a network starts, faster
	// than their statistics, and a plan kept from their first minutes
	// (a scan of all of usage_sessions or sims a batch) would stay.
	sqlNoSeqScans = `SELECT set_config('enable_seqscan', 'off', true)`
)

// SubscribersAndSessions returns Subscribers(imsis) and Sessions(keys) in
// one round trip, with the alert settings of the SIMs' enterprises, which
// rating asks for and the transaction keeps (read here, before any write
// of the batch, they do not split the batch's writes in two).
func (t *orderTx) SubscribersAndSessions(ctx context.Context, imsis []string, keys []opencube.SessionKey) (
	map[string]*opencube.Subscriber, map[opencube.SessionKey]*opencube.DataSession, error) {
	subs := make(map[string]*opencube.Subscriber, len(imsis))
	sessions := make(map[opencube.SessionKey]*opencube.DataSession, len(keys))
	if len(imsis) == 0 && len(keys) == 0 {
		return subs, sessions, nil
	}
	var b pgx.Batch
	b.Queue(sqlNoSeqScans)
	if len(imsis) > 0 {
		b.Queue(sqlBatchSubscribers, imsis)
	}
	if len(keys) > 0 {
		sorted := slices.SortedFunc(slices.Values(keys), func(a, b opencube.SessionKey) int {
			return cmp.Or(strings.Compare(a.NAS, b.NAS), strings.Compare(a.ID, b.ID))
		})
		sorted = slices.Compact(sorted)
		nas, ids := make([]string, len(sorted)), make([]string, len(sorted))
		for i, k := range sorted {
			nas[i], ids[i] = k.NAS, k.ID
		}
		b.Queue(sqlBatchSessions, nas, ids)
	}
	br := t.tx.SendBatch(ctx, &b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, nil, t.fail("find subscribers", err)
	}
	if len(imsis) > 0 {
		if err := t.readSubscribers(br, subs); err != nil {
			return nil, nil, err
		}
	}
	if len(keys) > 0 {
		err := eachRow(br, func(row pgx.Rows) error {
			s, err := scanSession(row)
			if err == nil {
				sessions[opencube.SessionKey{NAS: s.NAS, ID: s.ID}] = s
			}
			return err
		})
		if err != nil {
			return nil, nil, t.fail("find sessions", err)
		}
	}
	if err := br.Close(); err != nil {
		return nil, nil, t.fail("find subscribers", err)
	}
	return subs, sessions, nil
}

// simColumnCount is how many columns simColumns names.
var simColumnCount = len(strings.Split(simColumns, ","))

// readSubscribers reads the result of sqlBatchSubscribers into subs and
// the transaction's alert settings.
func (t *orderTx) readSubscribers(br pgx.BatchResults, subs map[string]*opencube.Subscriber) error {
	if t.alerts == nil {
		t.alerts = map[string]*opencube.AlertSettings{}
	}
	var buf []any // shared by the scans of each row's parts
	err := eachRow(br, func(row pgx.Rows) error {
		sim, err := scanSIM(columns{row, 0, &buf})
		if err != nil {
			return err
		}
		sub := &opencube.Subscriber{SIM: sim}
		subs[sim.IMSI] = sub
		var (
			percents *string
			days     *int32
		)
		if err := (columns{row, simColumnCount, &buf}).Scan(&percents, &days); err != nil {
			return err
		}
		if percents != nil && t.alerts[sim.EnterpriseCode] == nil {
			t.alerts[sim.EnterpriseCode] = &opencube.AlertSettings{EnterpriseCode: sim.EnterpriseCode,
				Percents: opencube.ParsePercentList(*percents), DaysBeforeExpiry: int(*days)}
		}
		if at := simColumnCount + 2; row.RawValues()[at] != nil { // the order's id: it has one
			sub.Order, sub.Meter, sub.ThrottleKbps, err = scanMetered(columns{row, at, &buf})
		}
		return err
	})
	if err != nil {
		return t.fail("find subscribers", err)
	}
	for _, sub := range subs {
		if e := sub.SIM.EnterpriseCode; t.alerts[e] == nil {
			t.alerts[e] = opencube.DefaultAlertSettings(e)
		}
	}
	return nil
}

// columns scans a row's columns from the at-th on into the caller's
// destinations, skipping the others (nil destinations), with buf as the
// list of all the row's destinations.
type columns struct {
	row pgx.Rows
	at  int
	buf *[]any
}

// Scan implements scanner.
func (c columns) Scan(dest ...any) error {
	n := len(c.row.RawValues())
	if cap(*c.buf) < n {
		*c.buf = make([]any, n)
	}
	all := (*c.buf)[:n]
	clear(all)
	copy(all[c.at:], dest)
	return c.row.Scan(all...)
}

// eachRow calls fn with each row of the next result of br.
func eachRow(br pgx.BatchResults, fn func(pgx.Rows) error) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// UpdateSIMIMSI implements opencube.UsageTx.
func (t *orderTx) UpdateSIMIMSI(ctx context.Context, iccid, imsi string) error {
	tag, err := t.write(ctx, `UPDATE sims SET imsi = $1 WHERE iccid = $2`, imsi, iccid)
	if violated(err, codeUniqueViolation, "sims_imsi_key") == "sims_imsi_key" {
		return opencube.Errorf(opencube.KindConflict, "another SIM has IMSI %s", imsi)
	}
	if err != nil {
		return t.fail("update SIM IMSI", err)
	}
	if tag.RowsAffected() == 0 {
		return opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	return nil
}

// Session implements opencube.UsageTx.
func (t *orderTx) Session(ctx context.Context, nas, id string) (*opencube.DataSession, error) {
	s, err := scanSession(t.tx.QueryRow(ctx, sqlSession, nas, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, t.fail("find session", err)
	}
	return s, nil
}

// PutSession implements opencube.UsageTx.
func (t *orderTx) PutSession(ctx context.Context, s *opencube.DataSession) error {
	if t.deferring() {
		t.usage.putSession(s)
		return nil
	}
	return t.execLater(ctx, "put session", sqlPutSession, s.NAS, s.ID, s.ICCID, s.IMSI, s.EnterpriseCode, s.NASAddr, s.UserName,
		s.Network, s.StartedAt, s.LastAt, s.InputBytes, s.OutputBytes, int16(s.State), s.IMEI, s.RAT, s.IP, s.Location)
}

// StaleSessions implements opencube.UsageTx.
func (t *orderTx) StaleSessions(ctx context.Context, before time.Time, limit int) ([]*opencube.DataSession, error) {
	rows, err := t.tx.Query(ctx, sqlStaleSessions, before, limit)
	if err != nil {
		return nil, t.fail("find stale sessions", err)
	}
	defer rows.Close()
	var out []*opencube.DataSession
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, t.fail("find stale sessions", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("find stale sessions", err)
	}
	return out, nil
}

// AddDailyUsage implements opencube.UsageTx.
func (t *orderTx) AddDailyUsage(ctx context.Context, enterprise, iccid string, day int, bytes int64) error {
	if t.deferring() {
		t.usage.addDay(enterprise, iccid, day, bytes)
		return nil
	}
	return t.execLater(ctx, "add usage", sqlAddDay, iccid, int32(day), enterprise, bytes)
}

// PutUsedBytes implements opencube.UsageTx.
func (t *orderTx) PutUsedBytes(ctx context.Context, orderID string, usedBytes int64) error {
	if t.deferring() {
		t.usage.putUsed(orderID, usedBytes)
		return nil
	}
	return t.execLater(ctx, "put used bytes", sqlUsedBytes, usedBytes, orderID)
}

// PutMeter implements opencube.UsageTx.
func (t *orderTx) PutMeter(ctx context.Context, orderID string, m opencube.Meter) error {
	if t.deferring() {
		t.usage.putMeter(orderID, m)
		return nil
	}
	return t.execLater(ctx, "put order meter", sqlPutMeter, orderID, m.TestUsedBytes, int32(m.Day))
}

// AdvanceUsageAsOf implements opencube.UsageTx.
func (t *orderTx) AdvanceUsageAsOf(ctx context.Context, at time.Time) error {
	if t.deferring() {
		t.usage.advance(at)
		return nil
	}
	return t.execLater(ctx, "advance usage clock", sqlAsOf, at)
}

// FindSubscriber implements opencube.UsageStore.
func (db *DB) FindSubscriber(ctx context.Context, imsi string) (*opencube.Subscriber, error) {
	var sub *opencube.Subscriber
	err := retry(ctx, func() error {
		sim, err := scanSIM(db.pool.QueryRow(ctx, sqlSIMByIMSI, imsi))
		if errors.Is(err, pgx.ErrNoRows) {
			return opencube.Errorf(opencube.KindDeviceNotFound, "no SIM has IMSI %s", imsi)
		}
		if err != nil {
			return err
		}
		sub = &opencube.Subscriber{SIM: sim}
		sub.Order, sub.Meter, sub.ThrottleKbps, err = scanMetered(db.pool.QueryRow(ctx, meteredOrder, sim.ICCID))
		if errors.Is(err, pgx.ErrNoRows) {
			err = db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM orders WHERE iccid = $1 AND status = 1 AND ota AND timing_type = 1)`,
				sim.ICCID).Scan(&sub.FirstAttach)
		}
		return err
	})
	if err != nil && opencube.ErrorKind(err) == opencube.KindInternal {
		return nil, db.dbError("find subscriber", err)
	}
	return sub, err
}

// FindDailyUsage implements opencube.UsageStore: from the read replica
// when one is set (Options.ReadURL).
func (db *DB) FindDailyUsage(ctx context.Context, iccid string, from, to int) ([]opencube.DailyUsage, error) {
	var out []opencube.DailyUsage
	err := retry(ctx, func() error {
		out = out[:0]
		rows, err := db.reads.Query(ctx, `SELECT day, bytes FROM usage_days WHERE iccid = $1 AND day BETWEEN $2 AND $3 ORDER BY day`,
			iccid, int32(from), int32(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u := opencube.DailyUsage{ICCID: iccid}
			var day int32
			if err := rows.Scan(&day, &u.Bytes); err != nil {
				return err
			}
			u.Day = int(day)
			out = append(out, u)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.dbError("find usage", err)
	}
	return out, nil
}

// UsageAsOf implements opencube.UsageStore. It reads the pool of the
// usage queries (a read replica's when set), so that the time it gives is
// that of the usage the replica holds: read before the usage, never later
// than it.
func (db *DB) UsageAsOf(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := retry(ctx, func() error {
		return db.reads.QueryRow(ctx, `SELECT as_of FROM usage_clock WHERE id = 1`).Scan(&t)
	})
	if err != nil {
		return time.Time{}, db.dbError("usage clock", err)
	}
	if t.Unix() == 0 {
		return time.Time{}, nil
	}
	return t.UTC(), nil
}
