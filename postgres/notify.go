package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
)

// wantsType is the condition that webhook w subscribes to event type t.
func wantsType(t string) string {
	return `(w.events = '' OR position(',' || ` + t + ` || ',' in ',' || w.events || ',') > 0)`
}

// sqlInsertNotifyEvent writes an event to the outbox in one statement: it
// takes the SIM's next event number (the upsert's row lock orders one SIM's
// events by commit), inserts the event, and, when the enterprise's endpoint
// wants it, its delivery and the job that sends it.
var sqlInsertNotifyEvent = mergeable(`ev_seq AS (
		INSERT INTO sim_event_seqs (iccid, seq) VALUES ($5, 1)
		ON CONFLICT (iccid) DO UPDATE SET seq = sim_event_seqs.seq + 1 RETURNING seq
	), ev_row AS (
		INSERT INTO events (id, enterprise_code, type, order_id, iccid, status, created_at,
			imsi, plan_code, started_at, expires_at, sim_seq, data)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, ev_seq.seq, $12 FROM ev_seq RETURNING id
	), ev_dlv AS (
		INSERT INTO deliveries (id, enterprise_code, type, state, created_at, updated_at)
		SELECT ev_row.id, $2, $3, 'pending', $7, $7 FROM ev_row JOIN webhooks w ON w.enterprise_code = $2
		WHERE `+wantsType("$3::text")+`
		RETURNING id
	)`, `INSERT INTO jobs (id, kind, key, payload, run_at) SELECT $13, '`+opencube.JobDeliver+`', ev_dlv.id, NULL, $7 FROM ev_dlv
	ON CONFLICT (kind, key) DO UPDATE SET run_at = excluded.run_at, claimed_by = NULL, claimed_until = NULL`)

// insertEvent is InsertEvent with notifications (see sqlInsertNotifyEvent).
func (t *orderTx) insertEvent(ctx context.Context, e *opencube.Event) error {
	err := t.writeLater(ctx, sqlInsertNotifyEvent,
		e.ID, e.EnterpriseCode, string(e.Type), e.OrderID, e.ICCID, int64(e.Status), e.CreatedAt,
		e.IMSI, e.PlanCode, e.StartedAt, e.ExpiresAt, e.Data, opencube.NewUUID())
	if violated(err, codeUniqueViolation, "events_id_key") == "events_id_key" {
		return opencube.Errorf(opencube.KindConflict, "event %s exists", e.ID)
	}
	if err != nil {
		return t.fail("insert event", err)
	}
	return nil
}

var _ opencube.AlertTx = (*orderTx)(nil)

// AlertSettings implements opencube.AlertTx.
func (t *orderTx) AlertSettings(ctx context.Context, accessCode string) (*opencube.AlertSettings, error) {
	// A batch of usage records asks once a record: the transaction keeps
	// what it read.
	if a := t.alerts[accessCode]; a != nil {
		return a, nil
	}
	var percents string
	a := &opencube.AlertSettings{EnterpriseCode: accessCode}
	err := t.tx.QueryRow(ctx, `SELECT percents, days_before_expiry FROM alert_settings WHERE enterprise_code = $1`, accessCode).
		Scan(&percents, &a.DaysBeforeExpiry)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		a = opencube.DefaultAlertSettings(accessCode)
	case err != nil:
		return nil, t.fail("find alert settings", err)
	default:
		a.Percents = opencube.ParsePercentList(percents)
	}
	if t.alerts == nil {
		t.alerts = map[string]*opencube.AlertSettings{}
	}
	t.alerts[accessCode] = a
	return a, nil
}

// MarkAlert implements opencube.AlertTx.
func (t *orderTx) MarkAlert(ctx context.Context, orderID, threshold string) (bool, error) {
	tag, err := t.write(ctx, `INSERT INTO order_alerts (order_id, threshold) VALUES ($1, $2) ON CONFLICT DO NOTHING`, orderID, threshold)
	if err != nil {
		return false, t.fail("mark alert", err)
	}
	return tag.RowsAffected() == 1, nil
}

// PutWebhook implements opencube.NotifyStore.
func (db *DB) PutWebhook(ctx context.Context, w *opencube.Webhook) (bool, error) {
	var created bool
	secret := db.box.Seal(seal.WebhookSecret, w.EnterpriseCode, w.Secret)
	v4Key := db.box.Seal(seal.WebhookV4Key, w.EnterpriseCode, w.NotificationKey)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var inserted bool
		err := tx.QueryRow(ctx, `INSERT INTO webhooks (enterprise_code, url, events, secret, created_at, updated_at, format, v4_key_id, v4_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (enterprise_code) DO UPDATE SET url = excluded.url, events = excluded.events, updated_at = excluded.updated_at,
				format = excluded.format,
				v4_key_id = CASE webhooks.v4_key_id WHEN '' THEN excluded.v4_key_id ELSE webhooks.v4_key_id END,
				v4_key = CASE webhooks.v4_key WHEN '' THEN excluded.v4_key ELSE webhooks.v4_key END
			RETURNING (xmax = 0)`,
			w.EnterpriseCode, w.URL, opencube.EventList(w.Events), secret, w.CreatedAt, w.UpdatedAt,
			webhookFormat(w), w.NotificationKeyID, v4Key).Scan(&inserted)
		if violated(err, codeForeignKeyViolation, "webhooks_enterprise_fkey") != "" {
			return unknownEnterprise(w.EnterpriseCode)
		}
		if err != nil {
			return db.dbError("put webhook", err)
		}
		created = inserted
		return nil
	})
	return created, err
}

// FindWebhook implements opencube.NotifyStore.
func (db *DB) FindWebhook(ctx context.Context, accessCode string) (*opencube.Webhook, error) {
	var w *opencube.Webhook
	err := retry(ctx, func() error {
		var err error
		w, err = scanWebhook(db.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE enterprise_code = $1`, accessCode))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, noWebhook(accessCode)
	}
	if err != nil {
		return nil, db.dbError("find webhook", err)
	}
	if err := db.openWebhook(w); err != nil {
		return nil, err
	}
	return w, nil
}

const webhookColumns = `enterprise_code, url, events, secret, old_secret, old_secret_until,
	failures, created_at, updated_at, format, v4_key_id, v4_key`

// scanWebhook reads a webhook of webhookColumns, its secrets sealed.
func scanWebhook(s scanner) (*opencube.Webhook, error) {
	var (
		w      opencube.Webhook
		events string
	)
	err := s.Scan(&w.EnterpriseCode, &w.URL, &events, &w.Secret, &w.OldSecret, &w.OldSecretUntil, &w.Failures, &w.CreatedAt, &w.UpdatedAt,
		&w.Format, &w.NotificationKeyID, &w.NotificationKey)
	if err != nil {
		return nil, err
	}
	w.Events = opencube.ParseEventList(events)
	w.OldSecretUntil = utcp(w.OldSecretUntil)
	w.Failing = w.Failures >= opencube.FailingAfter
	w.CreatedAt, w.UpdatedAt = utc(w.CreatedAt), utc(w.UpdatedAt)
	return &w, nil
}

// webhookFormat is the stored format of w: csss unless it says otherwise.
func webhookFormat(w *opencube.Webhook) string {
	if w.Format == "" {
		return string(opencube.WebhookCSSS)
	}
	return string(w.Format)
}

func noWebhook(accessCode string) error {
	return opencube.Errorf(opencube.KindNotFound, "enterprise %s has no webhook endpoint", accessCode)
}

// RotateWebhookSecret implements opencube.NotifyStore.
func (db *DB) RotateWebhookSecret(ctx context.Context, accessCode, secret string, oldUntil time.Time) error {
	tag, err := db.exec(ctx, "rotate webhook secret",
		`UPDATE webhooks SET old_secret = secret, old_secret_until = $1, secret = $2 WHERE enterprise_code = $3`,
		oldUntil, db.box.Seal(seal.WebhookSecret, accessCode, secret), accessCode)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return noWebhook(accessCode)
	}
	return nil
}

const deliveryColumns = `d.id, d.enterprise_code, d.type, d.state, d.created_at, d.updated_at, d.delivered_at,
	e.order_id, e.iccid, e.status, e.created_at, e.imsi, e.plan_code, e.started_at, e.expires_at, e.sim_seq, e.data`

func scanDelivery(s scanner) (*opencube.Delivery, error) {
	var (
		d          opencube.Delivery
		e          opencube.Event
		typ, state string
		status     int64
	)
	err := s.Scan(&d.ID, &d.EnterpriseCode, &typ, &state, &d.CreatedAt, &d.UpdatedAt, &d.DeliveredAt,
		&e.OrderID, &e.ICCID, &status, &e.CreatedAt, &e.IMSI, &e.PlanCode, &e.StartedAt, &e.ExpiresAt, &e.Seq, &e.Data)
	if err != nil {
		return nil, err
	}
	d.Type, d.State = opencube.EventType(typ), opencube.DeliveryState(state)
	d.CreatedAt, d.UpdatedAt, d.DeliveredAt = utc(d.CreatedAt), utc(d.UpdatedAt), utcp(d.DeliveredAt)
	e.ID, e.EnterpriseCode, e.Type, e.Status = d.ID, d.EnterpriseCode, d.Type, opencube.OrderStatus(status)
	e.CreatedAt, e.StartedAt, e.ExpiresAt = utc(e.CreatedAt), utcp(e.StartedAt), utcp(e.ExpiresAt)
	d.Event = &e
	d.Attempts = []opencube.Attempt{}
	return &d, nil
}

// FindDelivery implements opencube.NotifyStore.
func (db *DB) FindDelivery(ctx context.Context, id string) (*opencube.Delivery, error) {
	var d *opencube.Delivery
	err := retry(ctx, func() error {
		var err error
		d, err = scanDelivery(db.pool.QueryRow(ctx, `SELECT `+deliveryColumns+`
			FROM deliveries d JOIN events e ON e.id = d.id WHERE d.id = $1`, id))
		if err != nil {
			return err
		}
		return db.attachAttempts(ctx, []*opencube.Delivery{d})
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindNotFound, "delivery %s not found", id)
	}
	if err != nil {
		return nil, db.dbError("find delivery", err)
	}
	return d, nil
}

// FindOutgoing implements opencube.NotifyStore: FindOutgoings of the one
// delivery (one round trip); when it is not found, FindDelivery says why.
func (db *DB) FindOutgoing(ctx context.Context, id string) (*opencube.Outgoing, error) {
	outs, err := db.FindOutgoings(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if out := outs[id]; out != nil {
		return out, nil
	}
	d, err := db.FindDelivery(ctx, id)
	if err != nil {
		return nil, err
	}
	return nil, unknownEnterprise(d.EnterpriseCode)
}

// FindOutgoings reads the deliveries ids (the delivery worker's claim)
// with their attempts, enterprises and endpoints: four statements sent
// together, one round trip for them all, each enterprise's secrets opened
// once. A delivery not found, or whose enterprise is not, is left out
// (FindOutgoing says why).
func (db *DB) FindOutgoings(ctx context.Context, ids []string) (map[string]*opencube.Outgoing, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// The enterprises of the deliveries, found by key (as sqlClaimJobs'
	// ids: "IN (subquery)" may be planned as a scan of the whole table).
	const ents = `ANY(ARRAY(SELECT DISTINCT enterprise_code FROM deliveries WHERE id = ANY($1)))`
	var outs map[string]*opencube.Outgoing
	err := retry(ctx, func() error {
		outs = make(map[string]*opencube.Outgoing, len(ids))
		var b pgx.Batch
		b.Queue(`SELECT `+deliveryColumns+` FROM deliveries d JOIN events e ON e.id = d.id WHERE d.id = ANY($1)`, ids)
		b.Queue(sqlAttempts, ids)
		b.Queue(`SELECT `+enterpriseColumns+` FROM enterprises WHERE access_code = `+ents, ids)
		b.Queue(`SELECT `+webhookColumns+` FROM webhooks WHERE enterprise_code = `+ents, ids)
		br := db.pool.SendBatch(ctx, &b)
		defer br.Close()
		deliveries, err := scanBatch(br, scanDelivery)
		if err != nil {
			return err
		}
		byID := map[string]*opencube.Delivery{}
		for _, d := range deliveries {
			byID[d.ID] = d
		}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		if err := scanAttempts(rows, byID); err != nil {
			return err
		}
		enterprises, err := scanBatch(br, scanEnterprise)
		if err != nil {
			return err
		}
		webhooks, err := scanBatch(br, scanWebhook)
		if err != nil {
			return err
		}
		entBy := map[string]*opencube.Enterprise{}
		for _, e := range enterprises {
			if err := db.openSecrets(e); err != nil {
				return err
			}
			entBy[e.AccessCode] = e
		}
		hookBy := map[string]*opencube.Webhook{}
		for _, w := range webhooks {
			if err := db.openWebhook(w); err != nil {
				return err
			}
			hookBy[w.EnterpriseCode] = w
		}
		for id, d := range byID {
			if e := entBy[d.EnterpriseCode]; e != nil {
				outs[id] = &opencube.Outgoing{Delivery: d, Enterprise: e, Webhook: hookBy[d.EnterpriseCode]}
			}
		}
		return br.Close()
	})
	var known *opencube.Error
	if errors.As(err, &known) {
		return nil, err
	}
	if err != nil {
		return nil, db.dbError("find deliveries", err)
	}
	return outs, nil
}

// scanBatch reads the rows of the next statement of br.
func scanBatch[T any](br pgx.BatchResults, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := br.Query()
	return collect(rows, err, scan)
}

// sqlAttempts reads the attempts of deliveries, a range of the primary key
// for each. Written as "delivery_id = ANY($1)", the plan kept for the
// prepared statement while the table was young (no statistics yet) read
// all of it: 3.6 ms for the attempts of 14 deliveries among 30,000.
const sqlAttempts = `SELECT a.delivery_id, a.n, a.at, a.status_code, a.latency_ns, a.error, a.ok
	FROM unnest($1::text[]) AS u (id) CROSS JOIN LATERAL (
		SELECT * FROM delivery_attempts WHERE delivery_id = u.id ORDER BY n) a`

// attachAttempts reads the attempts of ds.
func (db *DB) attachAttempts(ctx context.Context, ds []*opencube.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]string, len(ds))
	byID := make(map[string]*opencube.Delivery, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
		byID[d.ID] = d
	}
	rows, err := db.pool.Query(ctx, sqlAttempts, ids)
	if err != nil {
		return err
	}
	return scanAttempts(rows, byID)
}

// scanAttempts reads rows of sqlAttempts into the deliveries byID, and
// closes them.
func scanAttempts(rows pgx.Rows, byID map[string]*opencube.Delivery) error {
	defer rows.Close()
	for rows.Next() {
		var (
			a   opencube.Attempt
			id  string
			lat int64
		)
		if err := rows.Scan(&id, &a.N, &a.At, &a.StatusCode, &lat, &a.Error, &a.OK); err != nil {
			return err
		}
		a.At, a.Latency = utc(a.At), time.Duration(lat)
		if d := byID[id]; d != nil { // nil: a delivery gone since it was read
			d.Attempts = append(d.Attempts, a)
		}
	}
	return rows.Err()
}

// FindDeliveries implements opencube.NotifyStore.
func (db *DB) FindDeliveries(ctx context.Context, f opencube.DeliveryFilter) ([]*opencube.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries d JOIN events e ON e.id = d.id WHERE d.enterprise_code = $1`
	args := []any{f.Enterprise}
	add := func(cond string, v any) {
		args = append(args, v)
		q += ` AND ` + cond + ` $` + strconv.Itoa(len(args))
	}
	if f.State != "" {
		add(`d.state =`, string(f.State))
	}
	if f.Type != "" {
		add(`d.type =`, string(f.Type))
	}
	if !f.Since.IsZero() {
		add(`d.created_at >=`, f.Since)
	}
	if !f.Until.IsZero() {
		add(`d.created_at <`, f.Until)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	q += ` ORDER BY d.created_at DESC, e.seq DESC LIMIT $` + strconv.Itoa(len(args))
	var out []*opencube.Delivery
	err := retry(ctx, func() error {
		out = []*opencube.Delivery{}
		rows, err := db.pool.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return db.attachAttempts(ctx, out)
	})
	if err != nil {
		return nil, db.dbError("find deliveries", err)
	}
	return out, nil
}

// RecordAttempt implements opencube.NotifyStore.
func (db *DB) RecordAttempt(ctx context.Context, id string, a opencube.Attempt, state opencube.DeliveryState) error {
	// Two round trips: BEGIN with the delivery's lock, then its three
	// writes with COMMIT.
	return db.runTx(ctx, func(t *orderTx) error {
		var enterprise string
		err := t.tx.QueryRow(ctx, `SELECT enterprise_code FROM deliveries WHERE id = $1 FOR UPDATE`, id).Scan(&enterprise)
		if errors.Is(err, pgx.ErrNoRows) {
			return opencube.Errorf(opencube.KindNotFound, "delivery %s not found", id)
		}
		if err != nil {
			return t.fail("record attempt", err)
		}
		var delivered *time.Time
		if state == opencube.DeliveryDelivered {
			delivered = &a.At
		}
		// A success leaves a healthy endpoint's row alone: no row lock that
		// the enterprise's concurrent deliveries would queue on.
		set := `failures = failures + 1 WHERE enterprise_code = $1`
		if a.OK {
			set = `failures = 0 WHERE enterprise_code = $1 AND failures <> 0`
		}
		if err := t.execLater(ctx, "record attempt", `INSERT INTO delivery_attempts (delivery_id, n, at, status_code, latency_ns, error, ok)
			VALUES ($1, (SELECT COALESCE(MAX(n), 0) + 1 FROM delivery_attempts WHERE delivery_id = $1), $2, $3, $4, $5, $6)`,
			id, a.At, a.StatusCode, int64(a.Latency), a.Error, a.OK); err != nil {
			return err
		}
		if err := t.execLater(ctx, "record attempt", `UPDATE deliveries SET state = $1, updated_at = $2, delivered_at = COALESCE($3, delivered_at) WHERE id = $4`,
			string(state), a.At, delivered, id); err != nil {
			return err
		}
		return t.execLater(ctx, "record attempt", `UPDATE webhooks SET `+set, enterprise)
	})
}

// The statements of FinishDeliveries, over arrays of the outcomes in their
// order. Outcomes of an unknown delivery join no delivery row: no attempt,
// no state, no failure counted.
const (
	// The deliveries' rows are locked in id order, so that two concurrent
	// batches never wait on each other in a circle, and their attempts are
	// numbered under the lock.
	sqlLockDeliveries = `SELECT id FROM deliveries WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`
	// A delivery twice in one batch takes consecutive numbers.
	sqlInsertAttempts = `INSERT INTO delivery_attempts (delivery_id, n, at, status_code, latency_ns, error, ok)
		SELECT o.id, COALESCE((SELECT MAX(a.n) FROM delivery_attempts a WHERE a.delivery_id = o.id), 0)
				+ row_number() OVER (PARTITION BY o.id ORDER BY o.ord),
			o.at, o.status_code, o.latency_ns, o.error, o.ok
		FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::bigint[], $5::text[], $6::bool[])
			WITH ORDINALITY AS o (id, at, status_code, latency_ns, error, ok, ord)
		JOIN deliveries d ON d.id = o.id`
	// One row a delivery: its last state (FinishDeliveries folds them).
	sqlSetDeliveries = `UPDATE deliveries d SET state = o.state, updated_at = o.at, delivered_at = COALESCE(o.delivered_at, d.delivered_at)
		FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS o (id, state, at, delivered_at)
		WHERE d.id = o.id`
	// Each endpoint's consecutive failures: a success in the batch resets
	// the count to the failures after the last one, otherwise they add up.
	// A healthy endpoint that only succeeded keeps its row unwritten (no
	// lock for its other deliveries to queue on).
	sqlCountFailures = `WITH o AS (
			SELECT d.enterprise_code AS ent, u.ok, u.ord
			FROM unnest($1::text[], $2::bool[]) WITH ORDINALITY AS u (id, ok, ord) JOIN deliveries d ON d.id = u.id
		), l AS (
			SELECT ent, MAX(ord) FILTER (WHERE ok) AS last_ok FROM o GROUP BY ent
		), f AS (
			SELECT o.ent, l.last_ok IS NOT NULL AS reset, count(*) FILTER (WHERE NOT o.ok AND o.ord > COALESCE(l.last_ok, 0)) AS tail
			FROM o JOIN l ON l.ent = o.ent GROUP BY o.ent, l.last_ok
		)
		UPDATE webhooks w SET failures = CASE WHEN f.reset THEN f.tail ELSE w.failures + f.tail END
		FROM f WHERE w.enterprise_code = f.ent AND CASE WHEN f.reset THEN w.failures <> f.tail ELSE f.tail > 0 END`
	sqlCompleteJobs = `DELETE FROM jobs j USING unnest($1::text[], $2::text[]) AS u (id, owner)
		WHERE j.id = u.id AND j.claimed_by = u.owner`
	sqlRetryJobs = `UPDATE jobs j SET run_at = u.run_at, last_error = u.error, claimed_by = NULL, claimed_until = NULL
		FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) AS u (id, owner, run_at, error)
		WHERE j.id = u.id AND j.claimed_by = u.owner`
)

// FinishDeliveries implements opencube.NotifyStore: the whole batch,
// BEGIN to COMMIT, in one round trip and one commit.
func (db *DB) FinishDeliveries(ctx context.Context, outs []opencube.DeliveryOutcome) error {
	if len(outs) == 0 {
		return nil
	}
	n := len(outs)
	var (
		ids, errs, states           = make([]string, n), make([]string, n), []string{}
		ats                         = make([]time.Time, n)
		codes                       = make([]int32, n)
		lats                        = make([]int64, n)
		oks                         = make([]bool, n)
		lastIDs                     []string
		lastAts                     []time.Time
		delivered                   []*time.Time
		doneIDs, doneOwners         []string
		retryIDs, retryOwners, whys []string
		retryAts                    []time.Time
		last                        = map[string]int{} // delivery id: its index in lastIDs
	)
	for i, o := range outs {
		a := o.Attempt
		ids[i], ats[i], codes[i], lats[i], errs[i], oks[i] = o.ID, a.At, int32(a.StatusCode), int64(a.Latency), a.Error, a.OK
		k, seen := last[o.ID]
		if !seen {
			k = len(lastIDs)
			last[o.ID] = k
			lastIDs, states, lastAts, delivered = append(lastIDs, o.ID), append(states, ""), append(lastAts, time.Time{}), append(delivered, nil)
		}
		states[k], lastAts[k] = string(o.State), a.At
		if o.State == opencube.DeliveryDelivered {
			delivered[k] = &a.At
		}
		if o.RetryAt.IsZero() {
			doneIDs, doneOwners = append(doneIDs, o.JobID), append(doneOwners, o.Owner)
		} else {
			retryIDs, retryOwners, retryAts, whys = append(retryIDs, o.JobID), append(retryOwners, o.Owner), append(retryAts, o.RetryAt), append(whys, o.Error)
		}
	}
	return db.runTx(ctx, func(t *orderTx) error {
		const op = "finish deliveries"
		if err := t.execLater(ctx, op, sqlLockDeliveries, lastIDs); err != nil {
			return err
		}
		if err := t.execLater(ctx, op, sqlInsertAttempts, ids, ats, codes, lats, errs, oks); err != nil {
			return err
		}
		if err := t.execLater(ctx, op, sqlSetDeliveries, lastIDs, states, lastAts, delivered); err != nil {
			return err
		}
		if err := t.execLater(ctx, op, sqlCountFailures, ids, oks); err != nil {
			return err
		}
		if len(doneIDs) > 0 {
			if err := t.execLater(ctx, op, sqlCompleteJobs, doneIDs, doneOwners); err != nil {
				return err
			}
		}
		if len(retryIDs) > 0 {
			return t.execLater(ctx, op, sqlRetryJobs, retryIDs, retryOwners, retryAts, whys)
		}
		return nil
	})
}

// Redeliver implements opencube.NotifyStore.
func (db *DB) Redeliver(ctx context.Context, accessCode, id string, since, until, now time.Time) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhooks WHERE enterprise_code = $1)`, accessCode).Scan(&exists); err != nil {
			return db.dbError("redeliver", err)
		}
		if !exists {
			return noWebhook(accessCode)
		}
		sel := `SELECT e.id, e.enterprise_code, e.type FROM events e JOIN webhooks w ON w.enterprise_code = e.enterprise_code
			WHERE e.enterprise_code = $1 AND `
		args := []any{accessCode, now}
		if id != "" {
			sel += `e.id = $3`
			args = append(args, id)
		} else {
			sel += wantsType("e.type") + ` AND e.created_at >= $3 AND e.created_at < $4`
			args = append(args, since, until)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO deliveries (id, enterprise_code, type, state, created_at, updated_at)
			SELECT s.id, s.enterprise_code, s.type, 'pending', $2, $2 FROM (`+sel+`) s
			ON CONFLICT (id) DO UPDATE SET state = 'pending', updated_at = excluded.updated_at`, args...)
		if err != nil {
			return db.dbError("redeliver", err)
		}
		n = tag.RowsAffected()
		if id != "" && n == 0 {
			return opencube.Errorf(opencube.KindNotFound, "delivery %s not found", id)
		}
		_, err = tx.Exec(ctx, `INSERT INTO jobs (id, kind, key, payload, run_at)
			SELECT md5(random()::text || s.id), '`+opencube.JobDeliver+`', s.id, '`+opencube.RedeliverPayload+`'::bytea, $2 FROM (`+sel+`) s
			ON CONFLICT (kind, key) DO UPDATE SET payload = excluded.payload, run_at = excluded.run_at, claimed_by = NULL, claimed_until = NULL`, args...)
		if err != nil {
			return db.dbError("redeliver", err)
		}
		return nil
	})
	return int(n), err
}

// PutAlertSettings implements opencube.NotifyStore.
func (db *DB) PutAlertSettings(ctx context.Context, s *opencube.AlertSettings) error {
	_, err := db.exec(ctx, "put alert settings", `INSERT INTO alert_settings (enterprise_code, percents, days_before_expiry) VALUES ($1, $2, $3)
		ON CONFLICT (enterprise_code) DO UPDATE SET percents = excluded.percents, days_before_expiry = excluded.days_before_expiry`,
		s.EnterpriseCode, opencube.PercentList(s.Percents), s.DaysBeforeExpiry)
	if violated(err, codeForeignKeyViolation, "alert_settings_enterprise_fkey") != "" {
		return unknownEnterprise(s.EnterpriseCode)
	}
	return err
}

// FindAlertSettings implements opencube.NotifyStore.
func (db *DB) FindAlertSettings(ctx context.Context, accessCode string) (*opencube.AlertSettings, error) {
	if _, err := db.FindEnterprise(ctx, accessCode); err != nil {
		return nil, err
	}
	var percents string
	a := &opencube.AlertSettings{EnterpriseCode: accessCode}
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT percents, days_before_expiry FROM alert_settings WHERE enterprise_code = $1`, accessCode).
			Scan(&percents, &a.DaysBeforeExpiry)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return opencube.DefaultAlertSettings(accessCode), nil
	}
	if err != nil {
		return nil, db.dbError("find alert settings", err)
	}
	a.Percents = opencube.ParsePercentList(percents)
	return a, nil
}

// SetNotificationKey implements operator.NotificationKeyStore.
func (db *DB) SetNotificationKey(ctx context.Context, accessCode, keyID, key string, now time.Time) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var format string
		err := tx.QueryRow(ctx, `SELECT format FROM webhooks WHERE enterprise_code = $1 FOR UPDATE`, accessCode).Scan(&format)
		if errors.Is(err, pgx.ErrNoRows) {
			return noWebhook(accessCode)
		}
		if err != nil {
			return db.dbError("find webhook", err)
		}
		if format != string(opencube.WebhookV4) {
			return opencube.Invalid("format", "the endpoint of %s is not in the v4 format: it has no Notification Key", accessCode)
		}
		if _, err := tx.Exec(ctx, `UPDATE webhooks SET v4_key_id = $1, v4_key = $2, updated_at = $3 WHERE enterprise_code = $4`, keyID, db.box.Seal(seal.WebhookV4Key, accessCode, key), now, accessCode); err != nil {
			return db.dbError("set notification key", err)
		}
		return nil
	})
}

// openWebhook opens the sealed secrets of w, as read.
func (db *DB) openWebhook(w *opencube.Webhook) error {
	var err error
	if w.Secret, err = db.box.Open(seal.WebhookSecret, w.EnterpriseCode, w.Secret); err != nil {
		return db.dbError("open webhook secret", err)
	}
	if w.OldSecret, err = db.box.Open(seal.WebhookSecret, w.EnterpriseCode, w.OldSecret); err != nil {
		return db.dbError("open webhook secret", err)
	}
	if w.NotificationKey, err = db.box.Open(seal.WebhookV4Key, w.EnterpriseCode, w.NotificationKey); err != nil {
		return db.dbError("open notification key", err)
	}
	return nil
}
