package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/opencube/opencube"
)

const sessionColumns = `nas, session_id, iccid, imsi, enterprise_code, nas_addr, user_name, network,
	started_at, last_at, input_bytes, output_bytes, state, imei, rat, ip, location`

// meteredOrder selects an order with its meter and its plan's throttle.
var meteredOrder = `SELECT ` + prefixed(orderColumns, "o.") + `,
	COALESCE(m.test_used_bytes, 0), COALESCE(m.day, 0), COALESCE(p.throttle_kbps, 0)
	FROM orders o LEFT JOIN order_meters m ON m.order_id = o.id LEFT JOIN plans p ON p.code = o.plan_code`

// The statements of the usage book.
var (
	qSubscriber = prepared(`SELECT ` + prefixed(simColumns, "s.") + `, o.id IS NOT NULL, ` + nullableOrder + `,
		COALESCE(m.test_used_bytes, 0), COALESCE(m.day, 0), COALESCE(p.throttle_kbps, 0)
		FROM sims s LEFT JOIN orders o ON o.iccid = s.iccid AND o.status IN (2, 3)
		LEFT JOIN order_meters m ON m.order_id = o.id LEFT JOIN plans p ON p.code = o.plan_code
		WHERE s.imsi = ?`)
	qUpdateSIMIMSI = prepared(`UPDATE sims SET imsi = ? WHERE iccid = ?`)
	qSession       = prepared(`SELECT ` + sessionColumns + ` FROM usage_sessions WHERE nas = ? AND session_id = ?`)
	qPutSession    = prepared(`INSERT INTO usage_sessions (` + sessionColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (nas, session_id) DO UPDATE SET nas_addr = excluded.nas_addr, user_name = excluded.user_name,
			network = excluded.network, started_at = excluded.started_at, last_at = excluded.last_at,
			imei = excluded.imei, rat = excluded.rat, ip = excluded.ip, location = excluded.location,
			input_bytes = excluded.input_bytes, output_bytes = excluded.output_bytes, state = excluded.state`)
	qStaleSessions = prepared(`SELECT ` + sessionColumns + ` FROM usage_sessions WHERE state = 0 AND started_at < ? AND last_at < ?
		ORDER BY started_at, nas, session_id LIMIT ?`)
	qAddDay = prepared(`INSERT INTO usage_days (iccid, day, enterprise_code, bytes) VALUES (?, ?, ?, ?)
		ON CONFLICT (iccid, day) DO UPDATE SET bytes = bytes + excluded.bytes`)
	qUsedBytes = prepared(`UPDATE orders SET used_bytes = ? WHERE id = ?`)
	qPutMeter  = prepared(`INSERT INTO order_meters (order_id, test_used_bytes, day) VALUES (?, ?, ?)
		ON CONFLICT (order_id) DO UPDATE SET test_used_bytes = excluded.test_used_bytes, day = excluded.day`)
	qAsOf = prepared(`UPDATE usage_clock SET as_of = max(as_of, ?) WHERE id = 1`)
)

// nullableOrder is orderColumns of a LEFT JOIN's orders o, with the
// columns that are never NULL made zero when there is no order.
var nullableOrder = func() string {
	var out []string
	for _, c := range strings.Split(orderColumns, ",") {
		c = strings.TrimSpace(c)
		switch c {
		case "started_at", "expires_at", "ended_at":
			out = append(out, "o."+c)
		case "id", "code", "enterprise_code", "iccid", "imsi", "plan_code", "plan_name", "mcc", "pay_rst", "pay_type",
			"global_order", "test_flow", "test_flow_flag":
			out = append(out, "COALESCE(o."+c+", '')")
		default:
			out = append(out, "COALESCE(o."+c+", 0)")
		}
	}
	return strings.Join(out, ", ")
}()

// The reads of FindSubscriber and FindDevices, in a read transaction.
var (
	sqlSIMByIMSI = `SELECT ` + simColumns + ` FROM sims WHERE imsi = ?`
	// sqlActiveMetered selects the active order of a SIM, metered.
	sqlActiveMetered = meteredOrder + ` WHERE o.iccid = ? AND o.status IN (2, 3)`
)

// sqlFirstAttach tells whether an OTA order waits for a SIM's first session.
const sqlFirstAttach = `SELECT EXISTS (SELECT 1 FROM orders WHERE iccid = ? AND status = 1 AND ota = 1 AND timing_type = 1)`

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
		ss            opencube.DataSession
		started, last int64
		state         int64
	)
	if err := s.Scan(&ss.NAS, &ss.ID, &ss.ICCID, &ss.IMSI, &ss.EnterpriseCode, &ss.NASAddr, &ss.UserName, &ss.Network,
		&started, &last, &ss.InputBytes, &ss.OutputBytes, &state, &ss.IMEI, &ss.RAT, &ss.IP, &ss.Location); err != nil {
		return nil, err
	}
	ss.StartedAt, ss.LastAt, ss.State = instant(started), instant(last), opencube.SessionState(state)
	return &ss, nil
}

// extra scans a row's leading columns with inner and the rest into more.
type extra struct {
	row  scanner
	more []any
}

// Scan implements scanner.
func (e extra) Scan(dest ...any) error { return e.row.Scan(append(dest, e.more...)...) }

// scanMetered scans a meteredOrder row.
func scanMetered(row scanner) (*opencube.Order, opencube.Meter, int, error) {
	var (
		m         opencube.Meter
		day, kbps int64
		testUsed  int64
	)
	o, err := scanOrder(extra{row, []any{&testUsed, &day, &kbps}})
	if err != nil {
		return nil, m, 0, err
	}
	m.TestUsedBytes, m.Day = testUsed, int(day)
	return o, m, int(kbps), nil
}

// UpdateUsage implements opencube.UsageStore: fn runs in one write
// transaction (shared with concurrent writes, as UpdateOrders).
func (db *DB) UpdateUsage(ctx context.Context, fn func(tx opencube.UsageTx) error) error {
	return db.update(ctx, func(t *txn) error { return fn(t) })
}

var _ opencube.UsageTx = (*txn)(nil)

// Subscriber implements opencube.UsageTx, in one query.
func (t *txn) Subscriber(_ context.Context, imsi string) (*opencube.Subscriber, error) {
	sub, err := scanSubscriber(t.queryRowStmt(qSubscriber, imsi))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError("find subscriber", err)
	}
	return sub, nil
}

// Subscribers implements opencube.UsageTx, in one query a chunk of IMSIs.
func (t *txn) Subscribers(_ context.Context, imsis []string) (map[string]*opencube.Subscriber, error) {
	out := make(map[string]*opencube.Subscriber, len(imsis))
	for len(imsis) > 0 {
		chunk := imsis[:min(len(imsis), maxChunk)]
		imsis = imsis[len(chunk):]
		args := make([]any, len(chunk))
		for i, s := range chunk {
			args[i] = s
		}
		q := strings.Replace(qSubscriber.query, "WHERE s.imsi = ?", "WHERE s.imsi IN (?"+strings.Repeat(", ?", len(chunk)-1)+")", 1)
		rows, err := t.w.conn.QueryContext(t.ctx, q, args...)
		if err != nil {
			return nil, dbError("find subscribers", err)
		}
		for rows.Next() {
			sub, err := scanSubscriber(rows)
			if err != nil {
				rows.Close()
				return nil, dbError("find subscribers", err)
			}
			out[sub.SIM.IMSI] = sub
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, dbError("find subscribers", err)
		}
		if err := rows.Close(); err != nil {
			return nil, dbError("find subscribers", err)
		}
	}
	return out, nil
}

// Sessions implements opencube.UsageTx, in one query a chunk of keys.
func (t *txn) Sessions(_ context.Context, keys []opencube.SessionKey) (map[opencube.SessionKey]*opencube.DataSession, error) {
	out := make(map[opencube.SessionKey]*opencube.DataSession, len(keys))
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), maxChunk)]
		keys = keys[len(chunk):]
		args := make([]any, 0, 2*len(chunk))
		for _, k := range chunk {
			args = append(args, k.NAS, k.ID)
		}
		q := `SELECT ` + sessionColumns + ` FROM usage_sessions WHERE (nas, session_id) IN (VALUES (?, ?)` +
			strings.Repeat(", (?, ?)", len(chunk)-1) + `)`
		rows, err := t.w.conn.QueryContext(t.ctx, q, args...)
		if err != nil {
			return nil, dbError("find sessions", err)
		}
		for rows.Next() {
			s, err := scanSession(rows)
			if err != nil {
				rows.Close()
				return nil, dbError("find sessions", err)
			}
			out[opencube.SessionKey{NAS: s.NAS, ID: s.ID}] = s
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, dbError("find sessions", err)
		}
		if err := rows.Close(); err != nil {
			return nil, dbError("find sessions", err)
		}
	}
	return out, nil
}

// maxChunk bounds the keys of one batch query (SQLite allows 32,766
// parameters).
const maxChunk = 1000

// scanSubscriber scans a row of qSubscriber.
func scanSubscriber(row scanner) (*opencube.Subscriber, error) {
	var (
		sim      *opencube.SIM
		hasOrder bool
	)
	simScan := func(dest ...any) error {
		var err error
		sim, err = scanSIM(extra{row, append([]any{&hasOrder}, dest...)})
		return err
	}
	o, m, kbps, err := scanMetered(scanFunc(simScan))
	if err != nil {
		return nil, err
	}
	sub := &opencube.Subscriber{SIM: sim}
	if hasOrder {
		sub.Order, sub.Meter, sub.ThrottleKbps = o, m, kbps
	}
	return sub, nil
}

// scanFunc adapts a function to scanner.
type scanFunc func(dest ...any) error

// Scan implements scanner.
func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// UpdateSIMIMSI implements opencube.UsageTx.
func (t *txn) UpdateSIMIMSI(_ context.Context, iccid, imsi string) error {
	res, err := t.execStmt(qUpdateSIMIMSI, imsi, iccid)
	if c := code(err); c == unique {
		return opencube.Errorf(opencube.KindConflict, "another SIM has IMSI %s", imsi)
	}
	if err != nil {
		return dbError("update SIM IMSI", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	return nil
}

// Session implements opencube.UsageTx.
func (t *txn) Session(_ context.Context, nas, id string) (*opencube.DataSession, error) {
	s, err := scanSession(t.queryRowStmt(qSession, nas, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError("find session", err)
	}
	return s, nil
}

// PutSession implements opencube.UsageTx.
func (t *txn) PutSession(_ context.Context, s *opencube.DataSession) error {
	_, err := t.write("put session", qPutSession, s.NAS, s.ID, s.ICCID, s.IMSI, s.EnterpriseCode, s.NASAddr, s.UserName,
		s.Network, micros(s.StartedAt), micros(s.LastAt), s.InputBytes, s.OutputBytes, int64(s.State), s.IMEI, s.RAT, s.IP, s.Location)
	return err
}

// StaleSessions implements opencube.UsageTx.
func (t *txn) StaleSessions(_ context.Context, before time.Time, limit int) ([]*opencube.DataSession, error) {
	rows, err := t.queryStmt(qStaleSessions, micros(before), micros(before), limit)
	if err != nil {
		return nil, dbError("find stale sessions", err)
	}
	defer rows.Close()
	var out []*opencube.DataSession
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, dbError("find stale sessions", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("find stale sessions", err)
	}
	return out, nil
}

// AddDailyUsage implements opencube.UsageTx.
func (t *txn) AddDailyUsage(_ context.Context, enterprise, iccid string, day int, bytes int64) error {
	_, err := t.write("add usage", qAddDay, iccid, int64(day), enterprise, bytes)
	return err
}

// PutUsedBytes implements opencube.UsageTx.
func (t *txn) PutUsedBytes(_ context.Context, orderID string, usedBytes int64) error {
	_, err := t.write("put used bytes", qUsedBytes, usedBytes, orderID)
	return err
}

// PutMeter implements opencube.UsageTx.
func (t *txn) PutMeter(_ context.Context, orderID string, m opencube.Meter) error {
	_, err := t.write("put order meter", qPutMeter, orderID, m.TestUsedBytes, int64(m.Day))
	return err
}

// AdvanceUsageAsOf implements opencube.UsageTx.
func (t *txn) AdvanceUsageAsOf(_ context.Context, at time.Time) error {
	_, err := t.write("advance usage clock", qAsOf, micros(at))
	return err
}

// FindSubscriber implements opencube.UsageStore.
func (db *DB) FindSubscriber(ctx context.Context, imsi string) (*opencube.Subscriber, error) {
	var sub *opencube.Subscriber
	err := db.view(ctx, func(tx *sql.Tx) error {
		sim, err := scanSIM(tx.QueryRowContext(ctx, sqlSIMByIMSI, imsi))
		if errors.Is(err, sql.ErrNoRows) {
			return opencube.Errorf(opencube.KindDeviceNotFound, "no SIM has IMSI %s", imsi)
		}
		if err != nil {
			return dbError("find subscriber", err)
		}
		sub = &opencube.Subscriber{SIM: sim}
		sub.Order, sub.Meter, sub.ThrottleKbps, err = scanMetered(tx.QueryRowContext(ctx, sqlActiveMetered, sim.ICCID))
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRowContext(ctx, sqlFirstAttach, sim.ICCID).Scan(&sub.FirstAttach)
		}
		if err != nil {
			return dbError("find subscriber", err)
		}
		return nil
	})
	return sub, err
}

// FindDailyUsage implements opencube.UsageStore.
func (db *DB) FindDailyUsage(ctx context.Context, iccid string, from, to int) ([]opencube.DailyUsage, error) {
	var out []opencube.DailyUsage
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT day, bytes FROM usage_days WHERE iccid = ? AND day BETWEEN ? AND ? ORDER BY day`,
			iccid, int64(from), int64(to))
		if err != nil {
			return dbError("find usage", err)
		}
		defer rows.Close()
		for rows.Next() {
			u := opencube.DailyUsage{ICCID: iccid}
			var day int64
			if err := rows.Scan(&day, &u.Bytes); err != nil {
				return dbError("find usage", err)
			}
			u.Day = int(day)
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}

// UsageAsOf implements opencube.UsageStore.
func (db *DB) UsageAsOf(ctx context.Context) (time.Time, error) {
	var us int64
	if err := db.read.QueryRowContext(ctx, `SELECT as_of FROM usage_clock WHERE id = 1`).Scan(&us); err != nil {
		return time.Time{}, dbError("usage clock", err)
	}
	if us == 0 {
		return time.Time{}, nil
	}
	return instant(us), nil
}
