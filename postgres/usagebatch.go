package postgres

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/opencube/opencube"
)

// usageWrites are the usage writes of a transaction that defers its writes
// (orderTx.deferring), held back until its next statement or its commit
// and then sent as one statement a kind for all of them (arrays unnested
// on the server): the sessions, the bytes added to SIMs' days, orders'
// used bytes, their meters and the usage clock. A usage batch of a few
// hundred records so costs five statements instead of four a record.
//
// Between two other statements of the transaction, what the writes held
// would leave is what they leave: the last write of a session, meter or
// order's used bytes wins (a session keeps the identity columns of its
// first, which only an insert writes), the bytes of one SIM's day add up,
// the clock takes the latest time. Rows are sent sorted by key, so
// concurrent transactions lock them in one order.
type usageWrites struct {
	sessions map[opencube.SessionKey]*opencube.DataSession
	days     map[dayKey]*dayRow
	used     map[string]int64
	meters   map[string]opencube.Meter
	asOf     time.Time
}

// dayKey names a row of usage_days.
type dayKey struct {
	iccid string
	day   int
}

// dayRow is what a transaction adds to a row of usage_days.
type dayRow struct {
	enterprise string
	bytes      int64
}

// The statements of usageWrites, one a kind, each over arrays of the rows'
// columns.
const (
	sqlPutSessions = `INSERT INTO usage_sessions (` + sessionColumns + `)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::timestamptz[], $10::timestamptz[], $11::bigint[], $12::bigint[], $13::smallint[], $14::text[], $15::text[], $16::text[], $17::text[])
		ON CONFLICT (nas, session_id) DO UPDATE SET nas_addr = excluded.nas_addr, user_name = excluded.user_name,
			network = excluded.network, started_at = excluded.started_at, last_at = excluded.last_at,
			imei = excluded.imei, rat = excluded.rat, ip = excluded.ip, location = excluded.location,
			input_bytes = excluded.input_bytes, output_bytes = excluded.output_bytes, state = excluded.state`
	sqlAddDays = `INSERT INTO usage_days (iccid, day, enterprise_code, bytes)
		SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::bigint[])
		ON CONFLICT (iccid, day) DO UPDATE SET bytes = usage_days.bytes + excluded.bytes`
	sqlUsedBytesOf = `UPDATE orders o SET used_bytes = u.used_bytes
		FROM unnest($1::text[], $2::bigint[]) AS u (id, used_bytes) WHERE o.id = u.id`
	sqlPutMeters = `INSERT INTO order_meters (order_id, test_used_bytes, day)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::integer[])
		ON CONFLICT (order_id) DO UPDATE SET test_used_bytes = excluded.test_used_bytes, day = excluded.day`
)

// putSession holds back a session write.
func (w *usageWrites) putSession(s *opencube.DataSession) {
	if w.sessions == nil {
		w.sessions = make(map[opencube.SessionKey]*opencube.DataSession)
	}
	key := opencube.SessionKey{NAS: s.NAS, ID: s.ID}
	cp := *s
	if first := w.sessions[key]; first != nil {
		// Only the insert writes these; a later write updates the rest.
		cp.ICCID, cp.IMSI, cp.EnterpriseCode = first.ICCID, first.IMSI, first.EnterpriseCode
	}
	w.sessions[key] = &cp
}

// addDay holds back bytes added to a SIM's day.
func (w *usageWrites) addDay(enterprise, iccid string, day int, bytes int64) {
	if w.days == nil {
		w.days = make(map[dayKey]*dayRow)
	}
	k := dayKey{iccid, day}
	if r := w.days[k]; r != nil {
		r.bytes += bytes // the enterprise of the first: only the insert writes it
		return
	}
	w.days[k] = &dayRow{enterprise: enterprise, bytes: bytes}
}

// putUsed holds back an order's used bytes.
func (w *usageWrites) putUsed(orderID string, used int64) {
	if w.used == nil {
		w.used = make(map[string]int64)
	}
	w.used[orderID] = used
}

// putMeter holds back an order's meter.
func (w *usageWrites) putMeter(orderID string, m opencube.Meter) {
	if w.meters == nil {
		w.meters = make(map[string]opencube.Meter)
	}
	w.meters[orderID] = m
}

// advance holds back a move of the usage clock.
func (w *usageWrites) advance(at time.Time) {
	if at.After(w.asOf) {
		w.asOf = at
	}
}

// take returns the statements of the writes held, in the order the
// record writes them (sessions, days, used bytes, meters, clock), and
// forgets them.
func (w *usageWrites) take() []queued {
	var out []queued
	if len(w.sessions) > 0 {
		out = append(out, w.sessionsStatement())
	}
	if len(w.days) > 0 {
		out = append(out, w.daysStatement())
	}
	if len(w.used) > 0 {
		ids := sortedKeys(w.used)
		used := make([]int64, len(ids))
		for i, id := range ids {
			used[i] = w.used[id]
		}
		out = append(out, queued{sql: sqlUsedBytesOf, args: []any{ids, used}, deferred: true})
	}
	if len(w.meters) > 0 {
		ids := sortedKeys(w.meters)
		test, day := make([]int64, len(ids)), make([]int32, len(ids))
		for i, id := range ids {
			m := w.meters[id]
			test[i], day[i] = m.TestUsedBytes, int32(m.Day)
		}
		out = append(out, queued{sql: sqlPutMeters, args: []any{ids, test, day}, deferred: true})
	}
	if !w.asOf.IsZero() {
		out = append(out, queued{sql: sqlAsOf, args: []any{w.asOf}, deferred: true})
	}
	*w = usageWrites{}
	return out
}

// sessionsStatement is sqlPutSessions for the sessions held.
func (w *usageWrites) sessionsStatement() queued {
	keys := make([]opencube.SessionKey, 0, len(w.sessions))
	for k := range w.sessions {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b opencube.SessionKey) int {
		return cmp.Or(strings.Compare(a.NAS, b.NAS), strings.Compare(a.ID, b.ID))
	})
	n := len(keys)
	var (
		nas, id, iccid, imsi, ent, addr, user, network = make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		started, last      = make([]time.Time, n), make([]time.Time, n)
		in, out            = make([]int64, n), make([]int64, n)
		state              = make([]int16, n)
		imei, rat, ip, loc = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	)
	for i, k := range keys {
		s := w.sessions[k]
		nas[i], id[i], iccid[i], imsi[i], ent[i], addr[i], user[i], network[i] = s.NAS, s.ID, s.ICCID, s.IMSI, s.EnterpriseCode, s.NASAddr, s.UserName, s.Network
		started[i], last[i], in[i], out[i], state[i] = s.StartedAt, s.LastAt, s.InputBytes, s.OutputBytes, int16(s.State)
		imei[i], rat[i], ip[i], loc[i] = s.IMEI, s.RAT, s.IP, s.Location
	}
	return queued{sql: sqlPutSessions, deferred: true,
		args: []any{nas, id, iccid, imsi, ent, addr, user, network, started, last, in, out, state, imei, rat, ip, loc}}
}

// daysStatement is sqlAddDays for the days held.
func (w *usageWrites) daysStatement() queued {
	keys := make([]dayKey, 0, len(w.days))
	for k := range w.days {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b dayKey) int { return cmp.Or(strings.Compare(a.iccid, b.iccid), cmp.Compare(a.day, b.day)) })
	n := len(keys)
	iccid, day, ent, bytes := make([]string, n), make([]int32, n), make([]string, n), make([]int64, n)
	for i, k := range keys {
		r := w.days[k]
		iccid[i], day[i], ent[i], bytes[i] = k.iccid, int32(k.day), r.enterprise, r.bytes
	}
	return queued{sql: sqlAddDays, args: []any{iccid, day, ent, bytes}, deferred: true}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
