package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// The operator's lists (operator.ListStore): keyset pages on indexed
// columns. A page reads limit+1 rows to know whether there is a next one;
// its cursor holds the sort keys of its last row. A count reads at most
// operator.CountCap+1 rows. Times in cursors are Unix microseconds.

var _ operator.ListStore = (*DB)(nil)

// where is the WHERE clause of a list and its arguments.
type where struct {
	conds []string
	args  []any
}

// and adds a condition with its arguments.
func (w *where) and(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// clause returns " WHERE ..." or "".
func (w *where) clause() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// with returns a copy of w with one more condition.
func (w where) with(cond string, args ...any) where {
	w.conds = append(w.conds[:len(w.conds):len(w.conds)], cond)
	w.args = append(w.args[:len(w.args):len(w.args)], args...)
	return w
}

// pageLimit is p's limit, the default when unset.
func pageLimit(p operator.Page) int {
	if p.Limit <= 0 {
		return operator.DefaultLimit
	}
	return p.Limit
}

// badCursor is the error of a cursor whose keys do not parse.
func badCursor(p operator.Page) error {
	return opencube.Invalid("cursor", "cursor %q is not one this list gave", p.Cursor)
}

// cursorInt parses a cursor's integer key.
func cursorInt(p operator.Page, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, badCursor(p)
	}
	return n, nil
}

// keyset is one list's query: its columns, table, filters and order, and
// how a cursor continues it.
type keyset[T any] struct {
	what  string
	cols  string
	from  string // FROM clause
	w     where
	order string
	// after is the condition of the rows after a cursor's keys.
	after func(keys []string) (string, []any, error)
	nkeys int
	scan  func(scanner) (T, error)
	keys  func(T) []string
	// total, when set, is a statement (? placeholders) that sums the
	// maintained counts of the list's rows, used for its count instead
	// of reading them.
	total     string
	totalArgs []any
}

// listPage runs k for page p in one read transaction.
func listPage[T any](ctx context.Context, db *DB, k keyset[T], p operator.Page) (*operator.List[T], error) {
	keys, err := p.Keys(k.nkeys)
	if err != nil {
		return nil, err
	}
	out := &operator.List[T]{Items: []T{}}
	err = db.view(ctx, func(tx *sql.Tx) error {
		if p.Count {
			n, err := 0, error(nil)
			if k.total != "" {
				err = tx.QueryRowContext(ctx, k.total, k.totalArgs...).Scan(&n)
			} else {
				n, err = countCapped(ctx, tx, k.from, k.w)
			}
			if err != nil {
				return dbError("count "+k.what, err)
			}
			out.SetTotal(n)
		}
		w := k.w
		if keys != nil {
			cond, args, err := k.after(keys)
			if err != nil {
				return err
			}
			w = w.with(cond, args...)
		}
		limit := pageLimit(p)
		items, err := queryRows(ctx, tx, "SELECT "+k.cols+" FROM "+k.from+w.clause()+" ORDER BY "+k.order+" LIMIT "+strconv.Itoa(limit+1), w.args, k.scan)
		if err != nil {
			return dbError("list "+k.what, err)
		}
		if len(items) > limit {
			items = items[:limit]
			out.Next = operator.Cursor(k.keys(items[limit-1])...)
		}
		out.Items = append(out.Items, items...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// countCapped counts the rows of from and w, up to CountCap+1.
func countCapped(ctx context.Context, tx *sql.Tx, from string, w where) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM "+from+w.clause()+" LIMIT "+strconv.Itoa(operator.CountCap+1)+")", w.args...).Scan(&n)
	return n, err
}

// listQueries, when set (by tests), sees every statement a list runs, so
// that its query plan can be checked.
var listQueries func(query string, args []any)

// queryRows runs a query and scans every row.
func queryRows[T any](ctx context.Context, tx *sql.Tx, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	if listQueries != nil {
		listQueries(query, args)
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// likeEscape escapes the wildcards of s for LIKE ... ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

const enterpriseListColumns = `access_code, name, secrets, created_at, rate_limit, rate_burst, status, secrets_added`

// scanEnterpriseRow scans enterpriseListColumns.
func scanEnterpriseRow(s scanner) (*opencube.Enterprise, error) {
	var (
		e              opencube.Enterprise
		secrets, added string
		status         string
		created        int64
		rate           sql.NullFloat64
		burst          sql.NullInt64
	)
	if err := s.Scan(&e.AccessCode, &e.Name, &secrets, &created, &rate, &burst, &status, &added); err != nil {
		return nil, err
	}
	var err error
	if e.Secrets, err = decodeList(secrets); err != nil {
		return nil, err
	}
	var us []int64
	if added != "" && added != "[]" {
		if err := json.Unmarshal([]byte(added), &us); err != nil {
			return nil, dbError("decode secrets_added", err)
		}
	}
	for _, u := range us {
		e.SecretsAdded = append(e.SecretsAdded, instant(u))
	}
	e.CreatedAt = instant(created)
	e.Status = opencube.EnterpriseStatus(status)
	if rate.Valid && burst.Valid {
		e.RateLimit = &opencube.RateLimit{Rate: rate.Float64, Burst: int(burst.Int64)}
	}
	return &e, nil
}

// ListEnterprises implements operator.ListStore.
func (db *DB) ListEnterprises(ctx context.Context, q operator.EnterpriseQuery) (*operator.List[*opencube.Enterprise], error) {
	var w where
	if q.AccessCode != "" {
		w.and(`access_code = ?`, q.AccessCode)
	}
	if q.Q != "" {
		l := likeEscape(strings.ToLower(q.Q))
		w.and(`(lower(access_code) LIKE ? ESCAPE '\' OR lower(name) LIKE ? ESCAPE '\')`, l+"%", "%"+l+"%")
	}
	if q.Status != "" {
		w.and(`status = ?`, string(q.Status))
	}
	return listPage(ctx, db, keyset[*opencube.Enterprise]{
		what: "enterprises", cols: enterpriseListColumns, from: "enterprises", w: w, order: "access_code",
		after: func(k []string) (string, []any, error) { return `access_code > ?`, []any{k[0]}, nil },
		nkeys: 1, scan: func(s scanner) (*opencube.Enterprise, error) {
			e, err := scanEnterpriseRow(s)
			if err == nil {
				err = db.openSecrets(e)
			}
			return e, err
		},
		keys: func(e *opencube.Enterprise) []string { return []string{e.AccessCode} },
	}, q.Page)
}

// EnterpriseCounts implements operator.ListStore: the SIMs and in-use
// orders from their maintained counts (sim_counts, in_use_counts).
func (db *DB) EnterpriseCounts(ctx context.Context, code string) (*operator.Counts, error) {
	var c operator.Counts
	err := db.view(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql string
			n   *int
		}{
			{`SELECT COALESCE(sum(n), 0) FROM sim_counts WHERE enterprise_code = ?`, &c.SIMs},
			{`SELECT COALESCE(sum(n), 0) FROM in_use_counts WHERE enterprise_code = ?`, &c.OrdersInUse},
			{`SELECT count(*) FROM users WHERE enterprise_code = ?`, &c.Users},
		} {
			if err := tx.QueryRowContext(ctx, q.sql, code).Scan(q.n); err != nil {
				return dbError("count", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// simPart is one part of a SIM list with a prefix: the SIMs whose ICCID,
// IMSI or MSISDN starts with it.
type simPart struct {
	col   string // s.iccid, s.imsi, s.msisdn
	order string
}

var simParts = []simPart{
	{"s.iccid", "s.iccid"},
	{"s.imsi", "s.imsi"},
	{"s.msisdn", "s.msisdn, s.iccid"},
}

// prefixCond is the range condition of the values of col that start with
// the digits prefix.
func prefixCond(col, prefix string) (string, []any) {
	if end, ok := operator.PrefixEnd(prefix); ok {
		return col + ` >= ? AND ` + col + ` < ?`, []any{prefix, end}
	}
	return col + ` >= ?`, []any{prefix}
}

// ListSIMs implements operator.ListStore. Without a prefix the list is one
// part (0) in ICCID order; with one, parts 0, 1 and 2 (ICCID, IMSI and
// MSISDN prefix) follow each other, each SIM in the first it belongs to.
// The cursor is the part, its sort column and the ICCID.
func (db *DB) ListSIMs(ctx context.Context, q operator.SIMQuery) (*operator.List[*opencube.SIM], error) {
	keys, err := q.Page.Keys(3)
	if err != nil {
		return nil, err
	}
	var w where
	if q.Enterprise != "" {
		w.and(`s.enterprise_code = ?`, q.Enterprise)
	}
	if q.Status != "" {
		w.and(`s.status = ?`, string(q.Status))
	}
	if q.Online != nil {
		// Driven by the open sessions (usage_sessions_open), not by a
		// probe for each SIM.
		w.and(`s.iccid ` + not(!*q.Online) + `IN (SELECT u.iccid FROM usage_sessions u WHERE u.state = 0)`)
	}
	if q.InUse != nil {
		w.and(not(!*q.InUse) + `EXISTS (SELECT 1 FROM orders o WHERE o.iccid = s.iccid AND o.status = 2)`)
	}
	byEnterprise := q.Enterprise != "" && q.Status == "" && q.Online == nil && q.InUse == nil && q.Q == ""
	// The parts' filters: a part's range, and not an earlier part's.
	parts := []where{w}
	if q.Q != "" {
		parts = parts[:0]
		for i, p := range simParts {
			pw := w
			cond, args := prefixCond(p.col, q.Q)
			pw = pw.with(cond, args...)
			for _, earlier := range simParts[:i] {
				cond, args := prefixCond(earlier.col, q.Q)
				pw = pw.with(`NOT (`+cond+`)`, args...)
			}
			parts = append(parts, pw)
		}
	}
	start, limit := 0, pageLimit(q.Page)
	var after where
	if keys != nil {
		n, err := strconv.Atoi(keys[0])
		if err != nil || n < 0 || n >= len(parts) {
			return nil, badCursor(q.Page)
		}
		start = n
		switch n {
		case 0:
			after.and(`s.iccid > ?`, keys[2])
		case 1:
			after.and(`s.imsi > ?`, keys[1])
		case 2:
			after.and(`(s.msisdn, s.iccid) > (?, ?)`, keys[1], keys[2])
		}
	}
	out := &operator.List[*opencube.SIM]{Items: []*opencube.SIM{}}
	err = db.view(ctx, func(tx *sql.Tx) error {
		switch {
		case q.Count && byEnterprise:
			// An enterprise's SIMs: sim_counts.
			var total int
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(sum(n), 0) FROM sim_counts WHERE enterprise_code = ?`, q.Enterprise).Scan(&total); err != nil {
				return dbError("count SIMs", err)
			}
			out.SetTotal(total)
		case q.Count:
			total := 0
			for _, pw := range parts {
				n, err := countCapped(ctx, tx, "sims s", pw)
				if err != nil {
					return dbError("count SIMs", err)
				}
				total += n
			}
			out.SetTotal(min(total, operator.CountCap+1))
		}
		var from []int // the part of each item
		for i := start; i < len(parts) && len(out.Items) <= limit; i++ {
			pw := parts[i]
			if i == start && keys != nil {
				pw = pw.with(after.conds[0], after.args...)
			}
			items, err := queryRows(ctx, tx, "SELECT "+prefixed(simColumns, "s.")+" FROM sims s"+pw.clause()+
				" ORDER BY "+simParts[i].order+" LIMIT "+strconv.Itoa(limit+1-len(out.Items)), pw.args, scanSIM)
			if err != nil {
				return dbError("list SIMs", err)
			}
			out.Items = append(out.Items, items...)
			for range items {
				from = append(from, i)
			}
		}
		if len(out.Items) > limit {
			out.Items = out.Items[:limit]
			last := out.Items[limit-1]
			col := last.ICCID
			switch from[limit-1] {
			case 1:
				col = last.IMSI
			case 2:
				col = last.MSISDN
			}
			out.Next = operator.Cursor(strconv.Itoa(from[limit-1]), col, last.ICCID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// not is "NOT " when neg.
func not(neg bool) string {
	if neg {
		return "NOT "
	}
	return ""
}

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

// afterDesc is the condition of the rows after a cursor of a time (micros)
// and an id, newest first.
func afterDesc(p operator.Page, timeCol, idCol string) func([]string) (string, []any, error) {
	return func(k []string) (string, []any, error) {
		t, err := cursorInt(p, k[0])
		if err != nil {
			return "", nil, err
		}
		return `(` + timeCol + `, ` + idCol + `) < (?, ?)`, []any{t, k[1]}, nil
	}
}

// ListOrders implements operator.ListStore.
func (db *DB) ListOrders(ctx context.Context, q operator.OrderQuery) (*operator.List[*opencube.Order], error) {
	var w where
	if q.Enterprise != "" {
		if q.ICCID != "" {
			// A SIM's orders by orders_sim_time, not the enterprise's
			// scanned in time order: unary + keeps SQLite off
			// orders_enterprise.
			w.and(`+enterprise_code = ?`, q.Enterprise)
		} else {
			w.and(`enterprise_code = ?`, q.Enterprise)
		}
	}
	if q.ICCID != "" {
		w.and(`iccid = ?`, q.ICCID)
	}
	if q.Status != 0 {
		w.and(`status = ?`, int64(q.Status))
	}
	if q.Plan != "" {
		w.and(`plan_code = ?`, q.Plan)
	}
	if !q.From.IsZero() {
		w.and(`ordered_at >= ?`, micros(q.From))
	}
	if !q.To.IsZero() {
		w.and(`ordered_at < ?`, micros(q.To))
	}
	k := keyset[*opencube.Order]{
		what: "orders", cols: orderColumns, from: "orders", w: w, order: "ordered_at DESC, id DESC",
		after: afterDesc(q.Page, "ordered_at", "id"), nkeys: 2, scan: scanOrder,
		keys: func(o *opencube.Order) []string { return []string{strconv.FormatInt(micros(o.OrderedAt), 10), o.ID} },
	}
	if q.Enterprise != "" && q.ICCID == "" && q.Plan == "" && q.From.IsZero() && q.To.IsZero() {
		// An enterprise's orders (of a status): order_counts.
		k.total = `SELECT COALESCE(sum(n), 0) FROM order_counts WHERE enterprise_code = ?`
		k.totalArgs = []any{q.Enterprise}
		if q.Status != 0 {
			k.total += ` AND status = ?`
			k.totalArgs = append(k.totalArgs, int64(q.Status))
		}
	}
	return listPage(ctx, db, k, q.Page)
}

// FindOrder implements operator.ListStore.
func (db *DB) FindOrder(ctx context.Context, id string) (*opencube.Order, []*opencube.Event, error) {
	var (
		o      *opencube.Order
		events []*opencube.Event
	)
	err := db.view(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return orderNotFound(id)
		}
		if err != nil {
			return dbError("find order", err)
		}
		events, err = queryRows(ctx, tx, `SELECT id, enterprise_code, type, order_id, iccid, status, created_at,
			imsi, plan_code, started_at, expires_at, data, sim_seq
			FROM events WHERE order_id = ? ORDER BY created_at, seq`, []any{id}, scanOrderEvent)
		if err != nil {
			return dbError("find order events", err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return o, events, nil
}

// scanOrderEvent scans an event of FindOrder.
func scanOrderEvent(s scanner) (*opencube.Event, error) {
	var (
		e              opencube.Event
		typ            string
		status         int64
		created, seq   int64
		start, expires sql.NullInt64
	)
	if err := s.Scan(&e.ID, &e.EnterpriseCode, &typ, &e.OrderID, &e.ICCID, &status, &created,
		&e.IMSI, &e.PlanCode, &start, &expires, &e.Data, &seq); err != nil {
		return nil, err
	}
	e.StartedAt, e.ExpiresAt = nullInstant(start), nullInstant(expires)
	e.Type = opencube.EventType(typ)
	e.Status = opencube.OrderStatus(status)
	e.CreatedAt = instant(created)
	e.Seq = seq
	return &e, nil
}

// ListPlans implements operator.ListStore.
func (db *DB) ListPlans(ctx context.Context, q operator.PlanQuery) (*operator.List[*opencube.Plan], error) {
	var w where
	if q.Enterprise != "" {
		w.and(`EXISTS (SELECT 1 FROM plan_grants g WHERE g.enterprise_code = ? AND g.plan_code = p.code)`, q.Enterprise)
	}
	if q.Status != "" {
		w.and(`p.status = ?`, string(q.Status))
	}
	return listPage(ctx, db, keyset[*opencube.Plan]{
		what: "plans", cols: planColumnsP, from: "plans p", w: w, order: "p.code",
		after: func(k []string) (string, []any, error) { return `p.code > ?`, []any{k[0]}, nil },
		nkeys: 1, scan: scanPlan,
		keys: func(p *opencube.Plan) []string { return []string{p.Code} },
	}, q.Page)
}

// FindPlan implements operator.ListStore.
func (db *DB) FindPlan(ctx context.Context, code string) (*opencube.Plan, []string, error) {
	var (
		p      *opencube.Plan
		grants []string
	)
	err := db.view(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = scanPlan(tx.QueryRowContext(ctx, `SELECT `+planColumnsP+` FROM plans p WHERE p.code = ?`, code))
		if errors.Is(err, sql.ErrNoRows) {
			return opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s not found", code)
		}
		if err != nil {
			return dbError("find plan", err)
		}
		grants, err = queryRows(ctx, tx, `SELECT enterprise_code FROM plan_grants WHERE plan_code = ? ORDER BY enterprise_code`,
			[]any{code}, scanICCID)
		if err != nil {
			return dbError("find plan grants", err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return p, grants, nil
}

// Usage implements operator.ListStore: by usage_days' key for a SIM, by
// usage_days_enterprise for an enterprise.
func (db *DB) Usage(ctx context.Context, q operator.UsageQuery) ([]operator.UsagePoint, error) {
	var w where
	if q.ICCID != "" {
		w.and(`iccid = ?`, q.ICCID)
		if q.Enterprise != "" {
			w.and(`+enterprise_code = ?`, q.Enterprise)
		}
	} else if q.Enterprise != "" {
		w.and(`enterprise_code = ?`, q.Enterprise)
	}
	w.and(`day BETWEEN ? AND ?`, int64(q.From), int64(q.To))
	period := "day"
	if q.Granularity == operator.ByMonth {
		period = "day / 100"
	}
	var out []operator.UsagePoint
	err := db.view(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryRows(ctx, tx, `SELECT `+period+`, sum(bytes) FROM usage_days`+w.clause()+` GROUP BY 1 ORDER BY 1`, w.args,
			func(s scanner) (operator.UsagePoint, error) {
				var (
					p      operator.UsagePoint
					period int64
				)
				err := s.Scan(&period, &p.Bytes)
				p.Period = int(period)
				return p, err
			})
		if err != nil {
			return dbError("usage", err)
		}
		return nil
	})
	return out, err
}

// ListSessions implements operator.ListStore: newest started first.
func (db *DB) ListSessions(ctx context.Context, q operator.SessionQuery) (*operator.List[*opencube.DataSession], error) {
	var w where
	w.and(`state = 0`)
	if q.ICCID != "" {
		w.and(`iccid = ?`, q.ICCID)
		if q.Enterprise != "" {
			w.and(`+enterprise_code = ?`, q.Enterprise)
		}
	} else if q.Enterprise != "" {
		w.and(`enterprise_code = ?`, q.Enterprise)
	}
	return listPage(ctx, db, keyset[*opencube.DataSession]{
		what: "sessions", cols: sessionColumns, from: "usage_sessions", w: w, order: "started_at DESC, nas DESC, session_id DESC",
		after: func(k []string) (string, []any, error) {
			t, err := cursorInt(q.Page, k[0])
			if err != nil {
				return "", nil, err
			}
			return `(started_at, nas, session_id) < (?, ?, ?)`, []any{t, k[1], k[2]}, nil
		},
		nkeys: 3, scan: scanSession,
		keys: func(s *opencube.DataSession) []string {
			return []string{strconv.FormatInt(micros(s.StartedAt), 10), s.NAS, s.ID}
		},
	}, q.Page)
}

// ListSMS implements operator.ListStore: newest first.
func (db *DB) ListSMS(ctx context.Context, q operator.SMSQuery) (*operator.List[*opencube.SMS], error) {
	var w where
	if q.ICCID != "" {
		w.and(`iccid = ?`, q.ICCID)
		if q.Enterprise != "" {
			w.and(`+enterprise_code = ?`, q.Enterprise)
		}
	} else if q.Enterprise != "" {
		w.and(`enterprise_code = ?`, q.Enterprise)
	}
	if q.Direction != "" {
		w.and(`direction = ?`, string(q.Direction))
	}
	if q.State != "" {
		w.and(`state = ?`, string(q.State))
	}
	if !q.From.IsZero() {
		w.and(`created_at >= ?`, micros(q.From))
	}
	if !q.To.IsZero() {
		w.and(`created_at < ?`, micros(q.To))
	}
	k := keyset[*opencube.SMS]{
		what: "SMS", cols: smsColumns, from: "sms", w: w, order: "created_at DESC, id DESC",
		after: afterDesc(q.Page, "created_at", "id"), nkeys: 2, scan: scanSMS,
		keys: func(m *opencube.SMS) []string { return []string{strconv.FormatInt(micros(m.CreatedAt), 10), m.ID} },
	}
	if q.Enterprise != "" && q.ICCID == "" && q.From.IsZero() && q.To.IsZero() {
		// An enterprise's messages (of a direction and state):
		// sms_counts.
		k.total = `SELECT COALESCE(sum(n), 0) FROM sms_counts WHERE enterprise_code = ?`
		k.totalArgs = []any{q.Enterprise}
		if q.Direction != "" {
			k.total += ` AND direction = ?`
			k.totalArgs = append(k.totalArgs, string(q.Direction))
		}
		if q.State != "" {
			k.total += ` AND state = ?`
			k.totalArgs = append(k.totalArgs, string(q.State))
		}
	}
	return listPage(ctx, db, k, q.Page)
}

// ListJobs implements operator.ListStore: earliest RunAt first.
func (db *DB) ListJobs(ctx context.Context, q operator.JobQuery, now time.Time) (*operator.List[*operator.JobView], error) {
	var w where
	if q.Kind != "" {
		w.and(`kind = ?`, q.Kind)
	}
	n := micros(now)
	const idle = `(claimed_until IS NULL OR claimed_until <= ?)`
	switch q.State {
	case operator.JobRunning:
		w.and(`claimed_until > ?`, n)
	case operator.JobFailed:
		w.and(idle+` AND last_error <> ''`, n)
	case operator.JobDue:
		w.and(idle+` AND last_error = '' AND run_at <= ?`, n, n)
	case operator.JobWaiting:
		w.and(idle+` AND last_error = '' AND run_at > ?`, n, n)
	}
	return listPage(ctx, db, keyset[*operator.JobView]{
		what: "jobs", cols: jobColumns, from: "jobs", w: w, order: "run_at, id",
		after: func(k []string) (string, []any, error) {
			t, err := cursorInt(q.Page, k[0])
			if err != nil {
				return "", nil, err
			}
			return `(run_at, id) > (?, ?)`, []any{t, k[1]}, nil
		},
		nkeys: 2,
		scan: func(s scanner) (*operator.JobView, error) {
			j, err := scanJob(s)
			if err != nil {
				return nil, err
			}
			return &operator.JobView{Job: *j, State: operator.StateOf(j, now)}, nil
		},
		keys: func(j *operator.JobView) []string { return []string{strconv.FormatInt(micros(j.RunAt), 10), j.ID} },
	}, q.Page)
}
