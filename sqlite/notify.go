package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
)

// wantsType is the condition that webhook w subscribes to the event type
// bound to ?3.
const wantsType = `(w.events = '' OR instr(',' || w.events || ',', ',' || ?3 || ',') > 0)`

// The statements of the notification outbox.
var (
	// The event's number is one more than the last of its SIM's events
	// (the writer is alone: nobody takes the same number meanwhile).
	qInsertEvent = prepared(`INSERT INTO events (id, enterprise_code, type, order_id, iccid, status, created_at,
		imsi, plan_code, started_at, expires_at, sim_seq, data)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
			(SELECT coalesce(max(sim_seq), 0) + 1 FROM events WHERE iccid = ?5), ?12)`)
	// A delivery for the event when the enterprise's endpoint wants it.
	qFanOut = prepared(`INSERT INTO deliveries (id, enterprise_code, type, state, created_at, updated_at)
		SELECT ?1, ?2, ?3, 'pending', ?4, ?4 FROM webhooks w WHERE w.enterprise_code = ?2 AND ` + wantsType)
	qInsertDeliverJob = prepared(`INSERT INTO jobs (id, kind, key, payload, run_at, attempts, last_error)
		VALUES (?, '` + opencube.JobDeliver + `', ?, NULL, ?, 0, '')
		ON CONFLICT (kind, key) DO UPDATE SET run_at = excluded.run_at, claimed_by = NULL, claimed_until = NULL`)
	// Run by write transactions (AlertSettings) and on the read pool
	// (FindAlertSettings).
	qAlertSettings = prepared(`SELECT percents, days_before_expiry FROM alert_settings WHERE enterprise_code = ?`)
	qMarkAlert     = prepared(`INSERT INTO order_alerts (order_id, threshold) VALUES (?, ?) ON CONFLICT DO NOTHING`)
)

// insertEvent writes e to the outbox with the next number of its SIM, and,
// when the enterprise's endpoint wants it, its delivery and the job that
// sends it: all in the caller's transaction.
func (t *txn) insertEvent(e *opencube.Event) error {
	_, err := t.execStmt(qInsertEvent, e.ID, e.EnterpriseCode, string(e.Type), e.OrderID, e.ICCID, int64(e.Status), micros(e.CreatedAt),
		e.IMSI, e.PlanCode, nullMicros(e.StartedAt), nullMicros(e.ExpiresAt), e.Data)
	if c := code(err); c == unique || c == primaryKey {
		return opencube.Errorf(opencube.KindConflict, "event %s exists", e.ID)
	}
	if err != nil {
		return dbError("insert event", err)
	}
	res, err := t.execStmt(qFanOut, e.ID, e.EnterpriseCode, string(e.Type), micros(e.CreatedAt))
	if err != nil {
		return dbError("insert delivery", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if _, err := t.execStmt(qInsertDeliverJob, opencube.NewUUID(), e.ID, micros(e.CreatedAt)); err != nil {
		return dbError("insert delivery job", err)
	}
	return nil
}

// AlertSettings implements opencube.AlertTx.
func (t *txn) AlertSettings(_ context.Context, accessCode string) (*opencube.AlertSettings, error) {
	return scanAlertSettings(t.queryRowStmt(qAlertSettings, accessCode), accessCode)
}

// scanAlertSettings scans the qAlertSettings row of enterprise accessCode:
// the defaults when there is none.
func scanAlertSettings(row scanner, accessCode string) (*opencube.AlertSettings, error) {
	var percents string
	a := &opencube.AlertSettings{EnterpriseCode: accessCode}
	err := row.Scan(&percents, &a.DaysBeforeExpiry)
	if errors.Is(err, sql.ErrNoRows) {
		return opencube.DefaultAlertSettings(accessCode), nil
	}
	if err != nil {
		return nil, dbError("find alert settings", err)
	}
	a.Percents = opencube.ParsePercentList(percents)
	return a, nil
}

// MarkAlert implements opencube.AlertTx.
func (t *txn) MarkAlert(_ context.Context, orderID, threshold string) (bool, error) {
	res, err := t.execStmt(qMarkAlert, orderID, threshold)
	if err != nil {
		return false, dbError("mark alert", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

var _ opencube.AlertTx = (*txn)(nil)

// PutWebhook implements opencube.NotifyStore.
func (db *DB) PutWebhook(ctx context.Context, w *opencube.Webhook) (bool, error) {
	var created bool
	secret := db.box.Seal(seal.WebhookSecret, w.EnterpriseCode, w.Secret)
	v4Key := db.box.Seal(seal.WebhookV4Key, w.EnterpriseCode, w.NotificationKey)
	err := db.update(ctx, func(t *txn) error {
		res, err := t.exec(`UPDATE webhooks SET url = ?, events = ?, updated_at = ?, format = ?,
			v4_key_id = CASE v4_key_id WHEN '' THEN ? ELSE v4_key_id END, v4_key = CASE v4_key WHEN '' THEN ? ELSE v4_key END
			WHERE enterprise_code = ?`,
			w.URL, opencube.EventList(w.Events), micros(w.UpdatedAt), webhookFormat(w), w.NotificationKeyID, v4Key, w.EnterpriseCode)
		if err != nil {
			return dbError("update webhook", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		_, err = t.exec(`INSERT INTO webhooks (enterprise_code, url, events, secret, created_at, updated_at, format, v4_key_id, v4_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			w.EnterpriseCode, w.URL, opencube.EventList(w.Events), secret, micros(w.CreatedAt), micros(w.UpdatedAt),
			webhookFormat(w), w.NotificationKeyID, v4Key)
		if code(err) == foreignKey {
			return unknownEnterprise(w.EnterpriseCode)
		}
		if err != nil {
			return dbError("insert webhook", err)
		}
		created = true
		return nil
	})
	return created, err
}

// FindWebhook implements opencube.NotifyStore.
func (db *DB) FindWebhook(ctx context.Context, accessCode string) (*opencube.Webhook, error) {
	var (
		w                opencube.Webhook
		events           string
		oldUntil         sql.NullInt64
		created, updated int64
	)
	err := db.read.QueryRowContext(ctx, `SELECT enterprise_code, url, events, secret, old_secret, old_secret_until,
		failures, created_at, updated_at, format, v4_key_id, v4_key FROM webhooks WHERE enterprise_code = ?`, accessCode).
		Scan(&w.EnterpriseCode, &w.URL, &events, &w.Secret, &w.OldSecret, &oldUntil, &w.Failures, &created, &updated,
			&w.Format, &w.NotificationKeyID, &w.NotificationKey)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noWebhook(accessCode)
	}
	if err != nil {
		return nil, dbError("find webhook", err)
	}
	if err := db.openWebhook(&w); err != nil {
		return nil, err
	}
	w.Events = opencube.ParseEventList(events)
	w.OldSecretUntil = nullInstant(oldUntil)
	w.Failing = w.Failures >= opencube.FailingAfter
	w.CreatedAt, w.UpdatedAt = instant(created), instant(updated)
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
	return db.update(ctx, func(t *txn) error {
		res, err := t.exec(`UPDATE webhooks SET old_secret = secret, old_secret_until = ?, secret = ? WHERE enterprise_code = ?`,
			micros(oldUntil), db.box.Seal(seal.WebhookSecret, accessCode, secret), accessCode)
		if err != nil {
			return dbError("rotate webhook secret", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return noWebhook(accessCode)
		}
		return nil
	})
}

const deliveryColumns = `d.id, d.enterprise_code, d.type, d.state, d.created_at, d.updated_at, d.delivered_at,
	e.order_id, e.iccid, e.status, e.created_at, e.imsi, e.plan_code, e.started_at, e.expires_at, e.sim_seq, e.data`

func scanDelivery(s scanner) (*opencube.Delivery, error) {
	var (
		d                         opencube.Delivery
		e                         opencube.Event
		typ, state                string
		created, updated, evTime  int64
		delivered, start, expires sql.NullInt64
		status                    int64
	)
	err := s.Scan(&d.ID, &d.EnterpriseCode, &typ, &state, &created, &updated, &delivered,
		&e.OrderID, &e.ICCID, &status, &evTime, &e.IMSI, &e.PlanCode, &start, &expires, &e.Seq, &e.Data)
	if err != nil {
		return nil, err
	}
	d.Type, d.State = opencube.EventType(typ), opencube.DeliveryState(state)
	d.CreatedAt, d.UpdatedAt, d.DeliveredAt = instant(created), instant(updated), nullInstant(delivered)
	e.ID, e.EnterpriseCode, e.Type, e.Status = d.ID, d.EnterpriseCode, d.Type, opencube.OrderStatus(status)
	e.CreatedAt, e.StartedAt, e.ExpiresAt = instant(evTime), nullInstant(start), nullInstant(expires)
	d.Event = &e
	d.Attempts = []opencube.Attempt{}
	return &d, nil
}

// The reads of the delivery loop, on the read pool.
var (
	qDelivery = prepared(`SELECT ` + deliveryColumns + ` FROM deliveries d JOIN events e ON e.id = d.id WHERE d.id = ?`)
	qAttempts = prepared(`SELECT n, at, status_code, latency_ns, error, ok FROM delivery_attempts WHERE delivery_id = ? ORDER BY n`)
)

// FindDelivery implements opencube.NotifyStore. The delivery and its
// attempts are two reads: an attempt recorded between them may show.
func (db *DB) FindDelivery(ctx context.Context, id string) (*opencube.Delivery, error) {
	d, err := scanDelivery(db.reads.queryRow(ctx, qDelivery, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindNotFound, "delivery %s not found", id)
	}
	if err != nil {
		return nil, dbError("find delivery", err)
	}
	if err := db.attachAttempts(ctx, nil, []*opencube.Delivery{d}); err != nil {
		return nil, err
	}
	return d, nil
}

// attachAttempts reads the attempts of ds, in tx when it is not nil.
func (db *DB) attachAttempts(ctx context.Context, tx *sql.Tx, ds []*opencube.Delivery) error {
	s, err := db.reads.get(ctx, qAttempts)
	if err != nil {
		return dbError("find attempts", err)
	}
	if tx != nil {
		s = tx.StmtContext(ctx, s)
	}
	for _, d := range ds {
		rows, err := s.QueryContext(ctx, d.ID)
		if err != nil {
			return dbError("find attempts", err)
		}
		for rows.Next() {
			var (
				a       opencube.Attempt
				at, lat int64
			)
			if err := rows.Scan(&a.N, &at, &a.StatusCode, &lat, &a.Error, &a.OK); err != nil {
				rows.Close()
				return dbError("find attempts", err)
			}
			a.At, a.Latency = instant(at), time.Duration(lat)
			d.Attempts = append(d.Attempts, a)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return dbError("find attempts", err)
		}
		if err := rows.Close(); err != nil {
			return dbError("find attempts", err)
		}
	}
	return nil
}

// FindOutgoing implements opencube.NotifyStore.
func (db *DB) FindOutgoing(ctx context.Context, id string) (*opencube.Outgoing, error) {
	d, err := db.FindDelivery(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &opencube.Outgoing{Delivery: d}
	if out.Enterprise, err = db.FindEnterprise(ctx, d.EnterpriseCode); err != nil {
		return nil, err
	}
	if out.Webhook, err = db.FindWebhook(ctx, d.EnterpriseCode); opencube.ErrorKind(err) == opencube.KindNotFound {
		out.Webhook = nil
	} else if err != nil {
		return nil, err
	}
	return out, nil
}

// FindDeliveries implements opencube.NotifyStore.
func (db *DB) FindDeliveries(ctx context.Context, f opencube.DeliveryFilter) ([]*opencube.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries d JOIN events e ON e.id = d.id WHERE d.enterprise_code = ?`
	args := []any{f.Enterprise}
	if f.State != "" {
		q += ` AND d.state = ?`
		args = append(args, string(f.State))
	}
	if f.Type != "" {
		q += ` AND d.type = ?`
		args = append(args, string(f.Type))
	}
	if !f.Since.IsZero() {
		q += ` AND d.created_at >= ?`
		args = append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		q += ` AND d.created_at < ?`
		args = append(args, micros(f.Until))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += ` ORDER BY d.created_at DESC, e.seq DESC LIMIT ?`
	args = append(args, limit)
	var out []*opencube.Delivery
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return dbError("find deliveries", err)
		}
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return dbError("find deliveries", err)
			}
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return dbError("find deliveries", err)
		}
		if err := rows.Close(); err != nil {
			return dbError("find deliveries", err)
		}
		return db.attachAttempts(ctx, tx, out)
	})
	if out == nil {
		out = []*opencube.Delivery{}
	}
	return out, err
}

// RecordAttempt implements opencube.NotifyStore.
func (db *DB) RecordAttempt(ctx context.Context, id string, a opencube.Attempt, state opencube.DeliveryState) error {
	return db.update(ctx, func(t *txn) error { return t.recordAttempt(id, a, state) })
}

// recordAttempt is RecordAttempt in t.
func (t *txn) recordAttempt(id string, a opencube.Attempt, state opencube.DeliveryState) error {
	var enterprise string
	if err := t.queryRow(`SELECT enterprise_code FROM deliveries WHERE id = ?`, id).Scan(&enterprise); errors.Is(err, sql.ErrNoRows) {
		return opencube.Errorf(opencube.KindNotFound, "delivery %s not found", id)
	} else if err != nil {
		return dbError("record attempt", err)
	}
	_, err := t.exec(`INSERT INTO delivery_attempts (delivery_id, n, at, status_code, latency_ns, error, ok)
		VALUES (?1, (SELECT COALESCE(MAX(n), 0) + 1 FROM delivery_attempts WHERE delivery_id = ?1), ?, ?, ?, ?, ?)`,
		id, micros(a.At), a.StatusCode, int64(a.Latency), a.Error, a.OK)
	if err != nil {
		return dbError("record attempt", err)
	}
	var delivered any
	if state == opencube.DeliveryDelivered {
		delivered = micros(a.At)
	}
	if _, err := t.exec(`UPDATE deliveries SET state = ?, updated_at = ?, delivered_at = COALESCE(?, delivered_at) WHERE id = ?`,
		string(state), micros(a.At), delivered, id); err != nil {
		return dbError("record attempt", err)
	}
	// A success leaves a healthy endpoint's row alone (no write).
	set := `failures = failures + 1 WHERE enterprise_code = ?`
	if a.OK {
		set = `failures = 0 WHERE enterprise_code = ? AND failures <> 0`
	}
	if _, err := t.exec(`UPDATE webhooks SET `+set, enterprise); err != nil {
		return dbError("record attempt", err)
	}
	return nil
}

// FinishDeliveries implements opencube.NotifyStore: one write transaction
// for the batch.
func (db *DB) FinishDeliveries(ctx context.Context, outs []opencube.DeliveryOutcome) error {
	if len(outs) == 0 {
		return nil
	}
	return db.update(ctx, func(t *txn) error {
		for _, o := range outs {
			if err := t.recordAttempt(o.ID, o.Attempt, o.State); err != nil && opencube.ErrorKind(err) != opencube.KindNotFound {
				return err
			}
			var err error
			if o.RetryAt.IsZero() {
				_, err = t.execStmt(qCompleteJob, o.JobID, o.Owner)
			} else {
				_, err = t.execStmt(qRetryJob, micros(o.RetryAt), o.Error, o.JobID, o.Owner)
			}
			if err != nil {
				return dbError("finish deliveries", err)
			}
		}
		return nil
	})
}

// redeliverHex is opencube.RedeliverPayload in hex, for a blob literal.
var redeliverHex = hex.EncodeToString([]byte(opencube.RedeliverPayload))

// Redeliver implements opencube.NotifyStore.
func (db *DB) Redeliver(ctx context.Context, accessCode, id string, since, until, now time.Time) (int, error) {
	var n int64
	err := db.update(ctx, func(t *txn) error {
		var exists int
		if err := t.queryRow(`SELECT COUNT(*) FROM webhooks WHERE enterprise_code = ?`, accessCode).Scan(&exists); err != nil {
			return dbError("redeliver", err)
		}
		if exists == 0 {
			return noWebhook(accessCode)
		}
		sel := `SELECT e.id, e.enterprise_code, e.type FROM events e JOIN webhooks w ON w.enterprise_code = e.enterprise_code
			WHERE e.enterprise_code = ?1 AND `
		args := []any{accessCode}
		if id != "" {
			sel += `e.id = ?2`
			args = append(args, id)
		} else {
			sel = strings.Replace(sel, "?1 AND ", "?1 AND "+strings.ReplaceAll(wantsType, "?3", "e.type")+" AND ", 1)
			sel += `e.created_at >= ?2 AND e.created_at < ?3`
			args = append(args, micros(since), micros(until))
		}
		nowArg := len(args) + 1
		res, err := t.exec(`INSERT INTO deliveries (id, enterprise_code, type, state, created_at, updated_at)
			SELECT s.id, s.enterprise_code, s.type, 'pending', ?`+strconv.Itoa(nowArg)+`, ?`+strconv.Itoa(nowArg)+` FROM (`+sel+`) s WHERE true
			ON CONFLICT (id) DO UPDATE SET state = 'pending', updated_at = excluded.updated_at`, append(args, micros(now))...)
		if err != nil {
			return dbError("redeliver", err)
		}
		n, _ = res.RowsAffected()
		if id != "" && n == 0 {
			return opencube.Errorf(opencube.KindNotFound, "delivery %s not found", id)
		}
		_, err = t.exec(`INSERT INTO jobs (id, kind, key, payload, run_at, attempts, last_error)
			SELECT lower(hex(randomblob(16))), '`+opencube.JobDeliver+`', s.id, X'`+redeliverHex+`', ?`+strconv.Itoa(nowArg)+`, 0, '' FROM (`+sel+`) s WHERE true
			ON CONFLICT (kind, key) DO UPDATE SET payload = excluded.payload, run_at = excluded.run_at, claimed_by = NULL, claimed_until = NULL`,
			append(args, micros(now))...)
		if err != nil {
			return dbError("redeliver", err)
		}
		return nil
	})
	return int(n), err
}

// PutAlertSettings implements opencube.NotifyStore.
func (db *DB) PutAlertSettings(ctx context.Context, s *opencube.AlertSettings) error {
	return db.update(ctx, func(t *txn) error {
		_, err := t.exec(`INSERT INTO alert_settings (enterprise_code, percents, days_before_expiry) VALUES (?, ?, ?)
			ON CONFLICT (enterprise_code) DO UPDATE SET percents = excluded.percents, days_before_expiry = excluded.days_before_expiry`,
			s.EnterpriseCode, opencube.PercentList(s.Percents), s.DaysBeforeExpiry)
		if code(err) == foreignKey {
			return unknownEnterprise(s.EnterpriseCode)
		}
		if err != nil {
			return dbError("put alert settings", err)
		}
		return nil
	})
}

// FindAlertSettings implements opencube.NotifyStore.
func (db *DB) FindAlertSettings(ctx context.Context, accessCode string) (*opencube.AlertSettings, error) {
	if _, err := db.FindEnterprise(ctx, accessCode); err != nil {
		return nil, err
	}
	return scanAlertSettings(db.reads.queryRow(ctx, qAlertSettings, accessCode), accessCode)
}

// SetNotificationKey implements operator.NotificationKeyStore.
func (db *DB) SetNotificationKey(ctx context.Context, accessCode, keyID, key string, now time.Time) error {
	return db.update(ctx, func(t *txn) error {
		var format string
		err := t.queryRow(`SELECT format FROM webhooks WHERE enterprise_code = ?`, accessCode).Scan(&format)
		if errors.Is(err, sql.ErrNoRows) {
			return noWebhook(accessCode)
		}
		if err != nil {
			return dbError("find webhook", err)
		}
		if format != string(opencube.WebhookV4) {
			return opencube.Invalid("format", "the endpoint of %s is not in the v4 format: it has no Notification Key", accessCode)
		}
		if _, err := t.exec(`UPDATE webhooks SET v4_key_id = ?, v4_key = ?, updated_at = ? WHERE enterprise_code = ?`, keyID, db.box.Seal(seal.WebhookV4Key, accessCode, key), micros(now), accessCode); err != nil {
			return dbError("set notification key", err)
		}
		return nil
	})
}

// openWebhook opens the sealed secrets of w, as read.
func (db *DB) openWebhook(w *opencube.Webhook) error {
	var err error
	if w.Secret, err = db.box.Open(seal.WebhookSecret, w.EnterpriseCode, w.Secret); err != nil {
		return dbError("open webhook secret", err)
	}
	if w.OldSecret, err = db.box.Open(seal.WebhookSecret, w.EnterpriseCode, w.OldSecret); err != nil {
		return dbError("open webhook secret", err)
	}
	if w.NotificationKey, err = db.box.Open(seal.WebhookV4Key, w.EnterpriseCode, w.NotificationKey); err != nil {
		return dbError("open notification key", err)
	}
	return nil
}
