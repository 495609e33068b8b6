package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

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

// clause returns " WHERE ..." or "", with ? placeholders (numbered by
// numbered).
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
	err = db.listView(ctx, &out.AsOf, func(tx pgx.Tx) error {
		out.Items, out.Next, out.Total, out.Capped = []T{}, nil, nil, false
		if p.Count {
			n, err := 0, error(nil)
			if k.total != "" {
				var total int64
				err = tx.QueryRow(ctx, numbered(k.total), k.totalArgs...).Scan(&total)
				n = int(total)
			} else {
				n, err = countCapped(ctx, tx, k.from, k.w)
			}
			if err != nil {
				return err
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
			return err
		}
		if len(items) > limit {
			items = items[:limit]
			out.Next = operator.Cursor(k.keys(items[limit-1])...)
		}
		out.Items = append(out.Items, items...)
		return nil
	})
	if err != nil {
		return nil, listError(db, k.what, err)
	}
	return out, nil
}

// listError is err of a list: the store's error when it is not the
// caller's (a bad cursor).
func listError(db *DB, what string, err error) error {
	var own *opencube.Error
	if errors.As(err, &own) {
		return err
	}
	return db.dbError("list "+what, err)
}

// readView runs fn in one read-only REPEATABLE READ transaction (one
// snapshot), retried on a retryable error.
func (db *DB) readView(ctx context.Context, fn func(pgx.Tx) error) error {
	return retry(ctx, func() error {
		tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// listView runs fn as readView does, on the pool of the lists and usage
// queries: a read replica's when Options.ReadURL names one. Then *asOf
// is set to the commit time of the last transaction the replica had
// replayed when the snapshot was taken: the page is current at least to
// that moment. It stays nil on the primary (the page is current) and on a
// replica that has replayed nothing since it started. asOf may be nil.
func (db *DB) listView(ctx context.Context, asOf **time.Time, fn func(pgx.Tx) error) error {
	return retry(ctx, func() error {
		tx, err := db.reads.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if asOf != nil && db.reads != db.pool {
			// The first statement takes the snapshot: everything replayed
			// by then, so at least up to this time, is in it.
			var t *time.Time
			if err := tx.QueryRow(ctx, `SELECT pg_last_xact_replay_timestamp()`).Scan(&t); err != nil {
				return err
			}
			if t != nil {
				u := t.UTC()
				*asOf = &u
			}
		}
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// numbered replaces the ? placeholders of query with $1, $2...
func numbered(query string) string {
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// countCapped counts the rows of from and w, up to CountCap+1.
func countCapped(ctx context.Context, tx pgx.Tx, from string, w where) (int, error) {
	var n int64
	err := tx.QueryRow(ctx, numbered("SELECT count(*) FROM (SELECT 1 FROM "+from+w.clause()+" LIMIT "+strconv.Itoa(operator.CountCap+1)+") c"),
		append([]any{pgx.QueryExecModeExec}, w.args...)...).Scan(&n)
	return int(n), err
}

// listQueries, when set (by tests), sees every statement a list runs
// (numbered), so that its query plan can be checked.
var listQueries func(query string, args []any)

// queryRows runs a query with ? placeholders and scans every row.
func queryRows[T any](ctx context.Context, tx pgx.Tx, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	if listQueries != nil {
		listQueries(numbered(query), args)
	}
	// Planned for its own values every time (pgx's unnamed statement):
	// a generic plan of a cached statement does not know that a filter
	// value is rare, and may walk the whole list in the order asked for
	// in search of a page that is not there.
	rows, err := tx.Query(ctx, numbered(query), append([]any{pgx.QueryExecModeExec}, args...)...)
	return collect(rows, err, scan)
}

// collect scans every row of rows with scan and closes them; err is the
// error of the statement that returned rows.
func collect[T any](rows pgx.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
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
		e      opencube.Enterprise
		status string
		rate   *float64
		burst  *int32
	)
	if err := s.Scan(&e.AccessCode, &e.Name, &e.Secrets, &e.CreatedAt, &rate, &burst, &status, &e.SecretsAdded); err != nil {
		return nil, err
	}
	e.CreatedAt = utc(e.CreatedAt)
	for i, t := range e.SecretsAdded {
		e.SecretsAdded[i] = utc(t)
	}
	if len(e.SecretsAdded) == 0 {
		e.SecretsAdded = nil
	}
	e.Status = opencube.EnterpriseStatus(status)
	if rate != nil && burst != nil {
		e.RateLimit = &opencube.RateLimit{Rate: *rate, Burst: int(*burst)}
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
	err := db.readView(ctx, func(tx pgx.Tx) error {
		for _, q := range []struct {
			sql string
			n   *int
		}{
			{`SELECT COALESCE(sum(n), 0)::bigint FROM sim_counts WHERE enterprise_code = $1`, &c.SIMs},
			{`SELECT COALESCE(sum(n), 0)::bigint FROM in_use_counts WHERE enterprise_code = $1`, &c.OrdersInUse},
			{`SELECT count(*) FROM users WHERE enterprise_code = $1`, &c.Users},
		} {
			var n int64
			if err := tx.QueryRow(ctx, q.sql, code).Scan(&n); err != nil {
				return err
			}
			*q.n = int(n)
		}
		return nil
	})
	if err != nil {
		return nil, db.dbError("count", err)
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
	err = db.listView(ctx, &out.AsOf, func(tx pgx.Tx) error {
		out.Items, out.Next, out.Total, out.Capped = []*opencube.SIM{}, nil, nil, false
		switch {
		case q.Count && byEnterprise:
			// An enterprise's SIMs: sim_counts.
			var total int64
			if err := tx.QueryRow(ctx, `SELECT COALESCE(sum(n), 0)::bigint FROM sim_counts WHERE enterprise_code = $1`, q.Enterprise).Scan(&total); err != nil {
				return err
			}
			out.SetTotal(int(total))
		case q.Count:
			total := 0
			for _, pw := range parts {
				n, err := countCapped(ctx, tx, "sims s", pw)
				if err != nil {
					return err
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
				return err
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
		return nil, listError(db, "SIMs", err)
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
	var sim *opencube.SIM
	err := retry(ctx, func() error {
		var err error
		sim, err = scanSIM(db.pool.QueryRow(ctx, `SELECT `+simColumns+` FROM sims WHERE iccid = $1`, iccid))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	if err != nil {
		return nil, db.dbError("find SIM", err)
	}
	return sim, nil
}

// afterDesc is the condition of the rows after a cursor of a time (micros)
// and an id, newest first.
func afterDesc(p operator.Page, timeCol, idCol string) func([]string) (string, []any, error) {
	return func(k []string) (string, []any, error) {
		t, err := cursorTime(p, k[0])
		if err != nil {
			return "", nil, err
		}
		return `(` + timeCol + `, ` + idCol + `) < (?, ?)`, []any{t, k[1]}, nil
	}
}

// cursorTime parses a cursor's time key (Unix microseconds).
func cursorTime(p operator.Page, s string) (time.Time, error) {
	us, err := cursorInt(p, s)
	return time.UnixMicro(us).UTC(), err
}

// micros is a time's cursor key.
func micros(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

// ListOrders implements operator.ListStore.
func (db *DB) ListOrders(ctx context.Context, q operator.OrderQuery) (*operator.List[*opencube.Order], error) {
	var w where
	if q.Enterprise != "" {
		if q.ICCID != "" {
			w.and(`enterprise_code = ?`, q.Enterprise)
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
		w.and(`ordered_at >= ?`, q.From)
	}
	if !q.To.IsZero() {
		w.and(`ordered_at < ?`, q.To)
	}
	k := keyset[*opencube.Order]{
		what: "orders", cols: orderColumns, from: "orders", w: w, order: "ordered_at DESC, id DESC",
		after: afterDesc(q.Page, "ordered_at", "id"), nkeys: 2, scan: scanOrder,
		keys: func(o *opencube.Order) []string { return []string{micros(o.OrderedAt), o.ID} },
	}
	if q.Enterprise != "" && q.ICCID == "" && q.Plan == "" && q.From.IsZero() && q.To.IsZero() {
		// An enterprise's orders (of a status): order_counts.
		k.total = `SELECT COALESCE(sum(n), 0)::bigint FROM order_counts WHERE enterprise_code = ?`
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
	err := db.readView(ctx, func(tx pgx.Tx) error {
		var err error
		o, err = scanOrder(tx.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return orderNotFound(id)
		}
		if err != nil {
			return err
		}
		events, err = queryRows(ctx, tx, `SELECT id, enterprise_code, type, order_id, iccid, status, created_at,
			imsi, plan_code, started_at, expires_at, data, sim_seq
			FROM events WHERE order_id = ? ORDER BY created_at, seq`, []any{id}, scanOrderEvent)
		return err
	})
	if err != nil {
		return nil, nil, listError(db, "order", err)
	}
	return o, events, nil
}

// scanOrderEvent scans an event of FindOrder.
func scanOrderEvent(s scanner) (*opencube.Event, error) {
	var (
		e      opencube.Event
		typ    string
		status int64
	)
	if err := s.Scan(&e.ID, &e.EnterpriseCode, &typ, &e.OrderID, &e.ICCID, &status, &e.CreatedAt,
		&e.IMSI, &e.PlanCode, &e.StartedAt, &e.ExpiresAt, &e.Data, &e.Seq); err != nil {
		return nil, err
	}
	e.StartedAt, e.ExpiresAt = utcp(e.StartedAt), utcp(e.ExpiresAt)
	e.Type = opencube.EventType(typ)
	e.Status = opencube.OrderStatus(status)
	e.CreatedAt = utc(e.CreatedAt)
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
	err := db.readView(ctx, func(tx pgx.Tx) error {
		var err error
		p, err = scanPlan(tx.QueryRow(ctx, `SELECT `+planColumnsP+` FROM plans p WHERE p.code = $1`, code))
		if errors.Is(err, pgx.ErrNoRows) {
			return opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s not found", code)
		}
		if err != nil {
			return err
		}
		grants, err = queryRows(ctx, tx, `SELECT enterprise_code FROM plan_grants WHERE plan_code = ? ORDER BY enterprise_code`,
			[]any{code}, scanICCID)
		return err
	})
	if err != nil {
		return nil, nil, listError(db, "plan", err)
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
			w.and(`enterprise_code = ?`, q.Enterprise)
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
	err := db.listView(ctx, nil, func(tx pgx.Tx) error {
		var err error
		out, err = queryRows(ctx, tx, `SELECT `+period+`, sum(bytes)::bigint FROM usage_days`+w.clause()+` GROUP BY 1 ORDER BY 1`, w.args,
			func(s scanner) (operator.UsagePoint, error) {
				var (
					p      operator.UsagePoint
					period int64
				)
				err := s.Scan(&period, &p.Bytes)
				p.Period = int(period)
				return p, err
			})
		return err
	})
	if err != nil {
		return nil, db.dbError("usage", err)
	}
	return out, nil
}

// ListSessions implements operator.ListStore: newest started first.
func (db *DB) ListSessions(ctx context.Context, q operator.SessionQuery) (*operator.List[*opencube.DataSession], error) {
	var w where
	w.and(`state = 0`)
	if q.ICCID != "" {
		w.and(`iccid = ?`, q.ICCID)
		if q.Enterprise != "" {
			w.and(`enterprise_code = ?`, q.Enterprise)
		}
	} else if q.Enterprise != "" {
		w.and(`enterprise_code = ?`, q.Enterprise)
	}
	return listPage(ctx, db, keyset[*opencube.DataSession]{
		what: "sessions", cols: sessionColumns, from: "usage_sessions", w: w, order: "started_at DESC, nas DESC, session_id DESC",
		after: func(k []string) (string, []any, error) {
			t, err := cursorTime(q.Page, k[0])
			if err != nil {
				return "", nil, err
			}
			return `(started_at, nas, session_id) < (?, ?, ?)`, []any{t, k[1], k[2]}, nil
		},
		nkeys: 3, scan: scanSession,
		keys: func(s *opencube.DataSession) []string {
			return []string{micros(s.StartedAt), s.NAS, s.ID}
		},
	}, q.Page)
}

// ListSMS implements operator.ListStore: newest first.
func (db *DB) ListSMS(ctx context.Context, q operator.SMSQuery) (*operator.List[*opencube.SMS], error) {
	var w where
	if q.ICCID != "" {
		w.and(`iccid = ?`, q.ICCID)
		if q.Enterprise != "" {
			w.and(`enterprise_code = ?`, q.Enterprise)
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
		w.and(`created_at >= ?`, q.From)
	}
	if !q.To.IsZero() {
		w.and(`created_at < ?`, q.To)
	}
	k := keyset[*opencube.SMS]{
		what: "SMS", cols: smsColumns, from: "sms", w: w, order: "created_at DESC, id DESC",
		after: afterDesc(q.Page, "created_at", "id"), nkeys: 2, scan: scanSMS,
		keys: func(m *opencube.SMS) []string { return []string{micros(m.CreatedAt), m.ID} },
	}
	if q.Enterprise != "" && q.ICCID == "" && q.From.IsZero() && q.To.IsZero() {
		// An enterprise's messages (of a direction and state):
		// sms_counts.
		k.total = `SELECT COALESCE(sum(n), 0)::bigint FROM sms_counts WHERE enterprise_code = ?`
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
	n := now
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
			t, err := cursorTime(q.Page, k[0])
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
		keys: func(j *operator.JobView) []string { return []string{micros(j.RunAt), j.ID} },
	}, q.Page)
}
