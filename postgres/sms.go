package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
)

const smsColumns = `id, enterprise_code, iccid, msisdn, direction, sms_type, content, encoding, segments, state,
	gateway_id, error, attempts, submitting_at, created_at, sent_at, delivered_at, failed_at, expired_at, updated_at, job_id`

// The statements of the SMS book (pgx prepares and caches each per
// connection). Reads of one message lock it until the transaction ends, so
// that a delivery report and the send job never overwrite each other.
const (
	sqlSMSByID   = `SELECT ` + smsColumns + ` FROM sms WHERE id = $1 FOR UPDATE`
	sqlInsertSMS = `INSERT INTO sms (` + smsColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`
	sqlSaveSMS   = `UPDATE sms SET state = $1, gateway_id = $2, error = $3, attempts = $4, submitting_at = $5, sent_at = $6,
		delivered_at = $7, failed_at = $8, expired_at = $9, updated_at = $10 WHERE id = $11`
	sqlLockSIM     = `SELECT iccid FROM sims WHERE iccid = $1 FOR UPDATE`
	sqlCountSMS    = `SELECT count(*) FROM sms WHERE iccid = $1 AND direction = 'mt' AND created_at >= $2`
	sqlSIMByNumber = `SELECT ` + simColumns + ` FROM sims WHERE iccid = $1 OR msisdn = $1 ORDER BY iccid <> $1 LIMIT 1`
)

func scanSMS(s scanner) (*opencube.SMS, error) {
	var (
		m                       opencube.SMS
		dir, state              string
		typ, segments, attempts int64
	)
	err := s.Scan(&m.ID, &m.EnterpriseCode, &m.ICCID, &m.MSISDN, &dir, &typ, &m.Content, &m.Encoding, &segments, &state,
		&m.GatewayID, &m.Error, &attempts, &m.SubmittingAt, &m.CreatedAt, &m.SentAt, &m.DeliveredAt, &m.FailedAt, &m.ExpiredAt, &m.UpdatedAt, &m.JobID)
	if err != nil {
		return nil, err
	}
	m.Direction, m.State, m.Type = opencube.SMSDirection(dir), opencube.SMSState(state), opencube.SMSType(typ)
	m.Segments, m.Attempts = int(segments), int(attempts)
	m.SubmittingAt, m.SentAt, m.DeliveredAt = utcp(m.SubmittingAt), utcp(m.SentAt), utcp(m.DeliveredAt)
	m.FailedAt, m.ExpiredAt = utcp(m.FailedAt), utcp(m.ExpiredAt)
	m.CreatedAt, m.UpdatedAt = utc(m.CreatedAt), utc(m.UpdatedAt)
	return &m, nil
}

// UpdateSMS implements opencube.SMSStore, like UpdateOrders (retried on
// serialization failures).
func (db *DB) UpdateSMS(ctx context.Context, fn func(tx opencube.SMSTx) error) error {
	return db.runTx(ctx, func(t *orderTx) error { return fn(t) })
}

// UpdateSMSClaiming implements opencube.SMSStore, like
// UpdateOrdersClaiming.
func (db *DB) UpdateSMSClaiming(ctx context.Context, claim *opencube.ReplayClaim, fn func(tx opencube.SMSTx) error) error {
	return db.claiming(ctx, claim, false, func(t *orderTx) error { return fn(t) })
}

var _ opencube.SMSTx = (*orderTx)(nil)

func smsNotFound(id string) error {
	return opencube.Errorf(opencube.KindSMSNotFound, "SMS %s not found", id)
}

// SMSByID implements opencube.SMSTx.
func (t *orderTx) SMSByID(ctx context.Context, id string) (*opencube.SMS, error) {
	m, err := scanSMS(t.tx.QueryRow(ctx, sqlSMSByID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, smsNotFound(id)
	}
	if err != nil {
		return nil, t.fail("find SMS", err)
	}
	return m, nil
}

// InsertSMS implements opencube.SMSTx.
func (t *orderTx) InsertSMS(ctx context.Context, m *opencube.SMS) error {
	_, err := t.write(ctx, sqlInsertSMS, m.ID, m.EnterpriseCode, m.ICCID, m.MSISDN, string(m.Direction), int64(m.Type), m.Content,
		m.Encoding, int64(m.Segments), string(m.State), m.GatewayID, m.Error, int64(m.Attempts), m.SubmittingAt,
		m.CreatedAt, m.SentAt, m.DeliveredAt, m.FailedAt, m.ExpiredAt, m.UpdatedAt, m.JobID)
	if violated(err, codeUniqueViolation, "sms_pkey") == "sms_pkey" {
		return opencube.Errorf(opencube.KindConflict, "SMS %s exists", m.ID)
	}
	if err != nil {
		return t.fail("insert SMS", err)
	}
	return nil
}

// SaveSMS implements opencube.SMSTx.
func (t *orderTx) SaveSMS(ctx context.Context, m *opencube.SMS) error {
	tag, err := t.write(ctx, sqlSaveSMS, string(m.State), m.GatewayID, m.Error, int64(m.Attempts), m.SubmittingAt,
		m.SentAt, m.DeliveredAt, m.FailedAt, m.ExpiredAt, m.UpdatedAt, m.ID)
	if err != nil {
		return t.fail("save SMS", err)
	}
	if tag.RowsAffected() == 0 {
		return smsNotFound(m.ID)
	}
	return nil
}

// CountSMS implements opencube.SMSTx: it locks the SIM's row first, so
// that two sends to one SIM count one after the other.
func (t *orderTx) CountSMS(ctx context.Context, iccid string, since time.Time) (int, error) {
	var got string
	if err := t.tx.QueryRow(ctx, sqlLockSIM, iccid).Scan(&got); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, t.fail("lock SIM", err)
	}
	var n int64
	if err := t.tx.QueryRow(ctx, sqlCountSMS, iccid, since).Scan(&n); err != nil {
		return 0, t.fail("count SMS", err)
	}
	return int(n), nil
}

// SIMByNumber implements opencube.SMSTx: an ICCID match wins over an
// MSISDN match.
func (t *orderTx) SIMByNumber(ctx context.Context, number string) (*opencube.SIM, error) {
	sim, err := scanSIM(t.tx.QueryRow(ctx, sqlSIMByNumber, number))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "no SIM has number %s", number)
	}
	if err != nil {
		return nil, t.fail("find SIM", err)
	}
	return sim, nil
}

// FindSMS implements opencube.SMSStore.
func (db *DB) FindSMS(ctx context.Context, f opencube.SMSFilter) ([]*opencube.SMS, int, error) {
	q := &query{}
	q.sql.WriteString(`FROM sms WHERE enterprise_code = ` + q.arg(f.Enterprise))
	if f.ICCID != "" {
		q.sql.WriteString(` AND iccid = ` + q.arg(f.ICCID))
	}
	if f.Direction != "" {
		q.sql.WriteString(` AND direction = ` + q.arg(string(f.Direction)))
	}
	if f.State != "" {
		q.sql.WriteString(` AND state = ` + q.arg(string(f.State)))
	}
	if f.JobID != "" {
		q.sql.WriteString(` AND job_id = ` + q.arg(f.JobID))
	}
	if !f.Since.IsZero() {
		q.sql.WriteString(` AND created_at >= ` + q.arg(f.Since))
	}
	if !f.Until.IsZero() {
		q.sql.WriteString(` AND created_at < ` + q.arg(f.Until))
	}
	var count *query
	var seek *timeSeek
	if f.ICCID == "" && f.JobID == "" && f.Since.IsZero() && f.Until.IsZero() {
		// The enterprise's messages of a direction and state are counted
		// in sms_counts, and in time buckets in sms_time_counts, kept by
		// triggers.
		count = &query{}
		count.sql.WriteString(`SELECT COALESCE(sum(n), 0)::bigint FROM sms_counts WHERE enterprise_code = ` + count.arg(f.Enterprise))
		seek = &timeSeek{counts: "sms_time_counts", column: "created_at", enterprise: f.Enterprise}
		if f.Direction != "" {
			count.sql.WriteString(` AND direction = ` + count.arg(string(f.Direction)))
			seek.and("direction", string(f.Direction))
		}
		if f.State != "" {
			count.sql.WriteString(` AND state = ` + count.arg(string(f.State)))
			seek.and("state", string(f.State))
		}
	}
	return findPageCounted(ctx, db, "SMS", smsColumns, q, "created_at DESC, id DESC", f.Page, scanSMS, count, "sms id", seek)
}
