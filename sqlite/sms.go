package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/opencube/opencube"
)

const smsColumns = `id, enterprise_code, iccid, msisdn, direction, sms_type, content, encoding, segments, state,
	gateway_id, error, attempts, submitting_at, created_at, sent_at, delivered_at, failed_at, expired_at, updated_at`

// Statements of the SMS book, prepared on the write connection on first use.
const (
	sSMSByID = iota
	sInsertSMS
	sSaveSMS
	sCountSMS
	sSIMByNumber
	numSMSStmts
)

var smsSQL = [numSMSStmts]string{
	sSMSByID:   `SELECT ` + smsColumns + ` FROM sms WHERE id = ?`,
	sInsertSMS: `INSERT INTO sms (` + smsColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	sSaveSMS: `UPDATE sms SET state = ?, gateway_id = ?, error = ?, attempts = ?, submitting_at = ?, sent_at = ?,
		delivered_at = ?, failed_at = ?, expired_at = ?, updated_at = ? WHERE id = ?`,
	sCountSMS:    `SELECT COUNT(*) FROM sms WHERE iccid = ? AND direction = 'mt' AND created_at >= ?`,
	sSIMByNumber: `SELECT ` + simColumns + ` FROM sims WHERE iccid = ?1 OR msisdn = ?1 ORDER BY iccid <> ?1 LIMIT 1`,
}

// sstmt returns SMS statement i, preparing it on first use.
func (t *txn) sstmt(i int) (*sql.Stmt, error) {
	if s := t.w.sms[i]; s != nil {
		return s, nil
	}
	s, err := t.w.conn.PrepareContext(context.Background(), smsSQL[i])
	if err != nil {
		return nil, dbError("prepare SMS statement", err)
	}
	t.w.sms[i] = s
	return s, nil
}

func scanSMS(s scanner) (*opencube.SMS, error) {
	var (
		m                                            opencube.SMS
		dir, state                                   string
		typ, segments, attempts, created, updated    int64
		submitting, sent, delivered, failed, expired sql.NullInt64
	)
	err := s.Scan(&m.ID, &m.EnterpriseCode, &m.ICCID, &m.MSISDN, &dir, &typ, &m.Content, &m.Encoding, &segments, &state,
		&m.GatewayID, &m.Error, &attempts, &submitting, &created, &sent, &delivered, &failed, &expired, &updated)
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

var _ opencube.SMSTx = (*txn)(nil)

func smsNotFound(id string) error {
	return opencube.Errorf(opencube.KindSMSNotFound, "SMS %s not found", id)
}

// SMSByID implements opencube.SMSTx.
func (t *txn) SMSByID(_ context.Context, id string) (*opencube.SMS, error) {
	s, err := t.sstmt(sSMSByID)
	if err != nil {
		return nil, err
	}
	m, err := scanSMS(s.QueryRowContext(t.ctx, id))
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
	s, err := t.sstmt(sInsertSMS)
	if err != nil {
		return err
	}
	_, err = s.ExecContext(t.ctx, m.ID, m.EnterpriseCode, m.ICCID, m.MSISDN, string(m.Direction), int64(m.Type), m.Content,
		m.Encoding, int64(m.Segments), string(m.State), m.GatewayID, m.Error, int64(m.Attempts), nullMicros(m.SubmittingAt),
		micros(m.CreatedAt), nullMicros(m.SentAt), nullMicros(m.DeliveredAt), nullMicros(m.FailedAt), nullMicros(m.ExpiredAt),
		micros(m.UpdatedAt))
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
	s, err := t.sstmt(sSaveSMS)
	if err != nil {
		return err
	}
	res, err := s.ExecContext(t.ctx, string(m.State), m.GatewayID, m.Error, int64(m.Attempts), nullMicros(m.SubmittingAt),
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
	s, err := t.sstmt(sCountSMS)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.QueryRowContext(t.ctx, iccid, micros(since)).Scan(&n); err != nil {
		return 0, dbError("count SMS", err)
	}
	return n, nil
}

// SIMByNumber implements opencube.SMSTx: an ICCID match wins over an
// MSISDN match.
func (t *txn) SIMByNumber(_ context.Context, number string) (*opencube.SIM, error) {
	s, err := t.sstmt(sSIMByNumber)
	if err != nil {
		return nil, err
	}
	sim, err := scanSIM(s.QueryRowContext(t.ctx, number))
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
	if !f.Since.IsZero() {
		from += ` AND created_at >= ?`
		args = append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		from += ` AND created_at < ?`
		args = append(args, micros(f.Until))
	}
	return findPage(ctx, db, "SMS", smsColumns, from, "created_at DESC, id DESC", args, f.Page, scanSMS)
}
