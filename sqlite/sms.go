package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/opencube/opencube"
)

const smsColumns = `id, enterprise_code, iccid, msisdn, direction, sms_type, content, encoding, segments, state,
	gateway_id, error, attempts, submitting_at, created_at, sent_at, delivered_at, failed_at, expired_at, updated_at, job_id`

// The statements of the SMS book.
var (
	qSMSByID   = prepared(`SELECT ` + smsColumns + ` FROM sms WHERE id = ?`)
	qInsertSMS = prepared(`INSERT INTO sms (` + smsColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	qSaveSMS   = prepared(`UPDATE sms SET state = ?, gateway_id = ?, error = ?, attempts = ?, submitting_at = ?, sent_at = ?,
		delivered_at = ?, failed_at = ?, expired_at = ?, updated_at = ? WHERE id = ?`)
	qCountSMS    = prepared(`SELECT COUNT(*) FROM sms WHERE iccid = ? AND direction = 'mt' AND created_at >= ?`)
	qSIMByNumber = prepared(`SELECT ` + simColumns + ` FROM sims WHERE iccid = ?1 OR msisdn = ?1 ORDER BY iccid <> ?1 LIMIT 1`)
)

func scanSMS(s scanner) (*opencube.SMS, error) {
	var (
		m                                            opencube.SMS
		dir, state                                   string
		typ, segments, attempts, created, updated    int64
		submitting, sent, delivered, failed, expired sql.NullInt64
	)
	err := s.Scan(&m.ID, &m.EnterpriseCode, &m.ICCID, &m.MSISDN, &dir, &typ, &m.Content, &m.Encoding, &segments, &state,
		&m.GatewayID, &m.Error, &attempts, &submitting, &created, &sent, &delivered, &failed, &expired, &updated, &m.JobID)
	if err != nil {
		return nil, err
	}
	m.Direction, m.State, m.Type = opencube.SMSDirection(dir), opencube.SMSState(state), opencube.SMSType(typ)
	m.Segments, m.Attempts = int(segments), int(attempts)
	m.SubmittingAt, m.SentAt, m.DeliveredAt = nullInstant(submitting), nullInstant(sent), nullInstant(delivered)
	m.FailedAt, m.ExpiredAt = nullInstant(failed), nullInstant(expired)
	m.CreatedAt, m.UpdatedAt = instant(created), instant(updated)
	return &m, nil
}

// UpdateSMS implements opencube.SMSStore, like UpdateOrders.
func (db *DB) UpdateSMS(ctx context.Context, fn func(tx opencube.SMSTx) error) error {
	return db.update(ctx, func(t *txn) error { return fn(t) })
}

// UpdateSMSClaiming implements opencube.SMSStore, like
// UpdateOrdersClaiming.
func (db *DB) UpdateSMSClaiming(ctx context.Context, claim *opencube.ReplayClaim, fn func(tx opencube.SMSTx) error) error {
	return db.claiming(claim, func(run func(*txn) error) error { return db.update(ctx, run) },
		func(t *txn) error { return fn(t) })
}

var _ opencube.SMSTx = (*txn)(nil)

func smsNotFound(id string) error {
	return opencube.Errorf(opencube.KindSMSNotFound, "SMS %s not found", id)
}

// SMSByID implements opencube.SMSTx.
func (t *txn) SMSByID(_ context.Context, id string) (*opencube.SMS, error) {
	m, err := scanSMS(t.queryRowStmt(qSMSByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, smsNotFound(id)
	}
	if err != nil {
		return nil, dbError("find SMS", err)
	}
	return m, nil
}

// InsertSMS implements opencube.SMSTx.
func (t *txn) InsertSMS(_ context.Context, m *opencube.SMS) error {
	_, err := t.execStmt(qInsertSMS, m.ID, m.EnterpriseCode, m.ICCID, m.MSISDN, string(m.Direction), int64(m.Type), m.Content,
		m.Encoding, int64(m.Segments), string(m.State), m.GatewayID, m.Error, int64(m.Attempts), nullMicros(m.SubmittingAt),
		micros(m.CreatedAt), nullMicros(m.SentAt), nullMicros(m.DeliveredAt), nullMicros(m.FailedAt), nullMicros(m.ExpiredAt),
		micros(m.UpdatedAt), m.JobID)
	if c := code(err); c == primaryKey || c == unique {
		return opencube.Errorf(opencube.KindConflict, "SMS %s exists", m.ID)
	}
	if err != nil {
		return dbError("insert SMS", err)
	}
	return nil
}

// SaveSMS implements opencube.SMSTx.
func (t *txn) SaveSMS(_ context.Context, m *opencube.SMS) error {
	res, err := t.execStmt(qSaveSMS, string(m.State), m.GatewayID, m.Error, int64(m.Attempts), nullMicros(m.SubmittingAt),
		nullMicros(m.SentAt), nullMicros(m.DeliveredAt), nullMicros(m.FailedAt), nullMicros(m.ExpiredAt), micros(m.UpdatedAt), m.ID)
	if err != nil {
		return dbError("save SMS", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return smsNotFound(m.ID)
	}
	return nil
}

// CountSMS implements opencube.SMSTx; writes are serialised, so the count
// holds until the transaction ends.
func (t *txn) CountSMS(_ context.Context, iccid string, since time.Time) (int, error) {
	var n int
	if err := t.queryRowStmt(qCountSMS, iccid, micros(since)).Scan(&n); err != nil {
		return 0, dbError("count SMS", err)
	}
	return n, nil
}

// SIMByNumber implements opencube.SMSTx: an ICCID match wins over an
// MSISDN match.
func (t *txn) SIMByNumber(_ context.Context, number string) (*opencube.SIM, error) {
	sim, err := scanSIM(t.queryRowStmt(qSIMByNumber, number))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "no SIM has number %s", number)
	}
	if err != nil {
		return nil, dbError("find SIM", err)
	}
	return sim, nil
}

// FindSMS implements opencube.SMSStore.
func (db *DB) FindSMS(ctx context.Context, f opencube.SMSFilter) ([]*opencube.SMS, int, error) {
	from := `FROM sms WHERE enterprise_code = ?`
	args := []any{f.Enterprise}
	if f.ICCID != "" {
		from += ` AND iccid = ?`
		args = append(args, f.ICCID)
	}
	if f.Direction != "" {
		from += ` AND direction = ?`
		args = append(args, string(f.Direction))
	}
	if f.State != "" {
		from += ` AND state = ?`
		args = append(args, string(f.State))
	}
	if f.JobID != "" {
		from += ` AND job_id = ?`
		args = append(args, f.JobID)
	}
	if !f.Since.IsZero() {
		from += ` AND created_at >= ?`
		args = append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		from += ` AND created_at < ?`
		args = append(args, micros(f.Until))
	}
	count, cargs := `SELECT COUNT(*) `+from, args
	var seek *timeSeek
	if f.ICCID == "" && f.JobID == "" && f.Since.IsZero() && f.Until.IsZero() {
		// The enterprise's messages of a direction and state are counted
		// in sms_counts, and in time buckets in sms_time_counts, kept by
		// triggers.
		count, cargs = `SELECT COALESCE(sum(n), 0) FROM sms_counts WHERE enterprise_code = ?`, []any{f.Enterprise}
		seek = &timeSeek{counts: "sms_time_counts", column: "created_at", enterprise: f.Enterprise}
		if f.Direction != "" {
			count += ` AND direction = ?`
			cargs = append(cargs, string(f.Direction))
			seek.and("direction = ?", string(f.Direction))
		}
		if f.State != "" {
			count += ` AND state = ?`
			cargs = append(cargs, string(f.State))
			seek.and("state = ?", string(f.State))
		}
	}
	return findPageCounted(ctx, db, "SMS", smsColumns, from, "created_at DESC, id DESC", args, f.Page, scanSMS, count, cargs, "sms id", seek)
}
