package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// PatchSIMLabels implements operator.SIMLabelStore.
func (db *DB) PatchSIMLabels(ctx context.Context, accessCode, iccid string, p operator.SIMLabelPatch, now time.Time, claim *opencube.ReplayClaim, render func(*operator.SIMLabels) []byte) (*operator.SIMLabels, error) {
	var out *operator.SIMLabels
	err := db.claiming(claim, func(run func(*txn) error) error { return db.update(ctx, run) }, func(t *txn) error {
		var one int
		err := t.queryRow(`SELECT 1 FROM sims WHERE iccid = ? AND enterprise_code = ?`, iccid, accessCode).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
		}
		if err != nil {
			return dbError("find SIM", err)
		}
		l, err := scanSIMLabels(iccid, t.queryRow(`SELECT tags, notes, device_name, updated_at FROM sim_labels WHERE iccid = ?`, iccid))
		if err != nil {
			return dbError("find SIM labels", err)
		}
		p.Apply(l)
		l.UpdatedAt = now
		tags, _ := json.Marshal(l.Tags) // strings always encode
		if _, err := t.exec(`INSERT INTO sim_labels (iccid, tags, notes, device_name, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (iccid) DO UPDATE SET tags = excluded.tags, notes = excluded.notes, device_name = excluded.device_name, updated_at = excluded.updated_at`,
			iccid, string(tags), l.Notes, l.DeviceName, micros(now)); err != nil {
			return dbError("write SIM labels", err)
		}
		if claim != nil && render != nil {
			claim.AnswerWith(render(l))
		}
		out = l
		return nil
	})
	return out, err
}

// FindSIMLabels implements operator.SIMLabelStore.
func (db *DB) FindSIMLabels(ctx context.Context, iccid string) (*operator.SIMLabels, error) {
	l, err := scanSIMLabels(iccid, db.read.QueryRowContext(ctx, `SELECT tags, notes, device_name, updated_at FROM sim_labels WHERE iccid = ?`, iccid))
	if err != nil {
		return nil, dbError("find SIM labels", err)
	}
	return l, nil
}

// scanSIMLabels reads a SIM's labels, empty ones when it has none.
func scanSIMLabels(iccid string, row *sql.Row) (*operator.SIMLabels, error) {
	l := &operator.SIMLabels{ICCID: iccid, Tags: []string{}}
	var (
		tags    string
		updated int64
	)
	err := row.Scan(&tags, &l.Notes, &l.DeviceName, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(tags), &l.Tags); err != nil {
		return nil, err
	}
	l.UpdatedAt = instant(updated)
	return l, nil
}

// FindICCIDByIMEI implements operator.SIMLabelStore.
func (db *DB) FindICCIDByIMEI(ctx context.Context, accessCode, imei string) (string, error) {
	var iccid string
	err := db.read.QueryRowContext(ctx, `SELECT iccid FROM usage_sessions WHERE enterprise_code = ? AND imei = ? ORDER BY started_at DESC LIMIT 1`,
		accessCode, imei).Scan(&iccid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", dbError("find SIM by IMEI", err)
	}
	return iccid, nil
}

// OpenSessions implements operator.DeviceStore.
func (db *DB) OpenSessions(ctx context.Context, iccid string) ([]*opencube.DataSession, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+sessionColumns+` FROM usage_sessions WHERE iccid = ? AND state = 0 ORDER BY last_at`, iccid)
	if err != nil {
		return nil, dbError("find open sessions", err)
	}
	defer rows.Close()
	var out []*opencube.DataSession
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, dbError("find open sessions", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("find open sessions", err)
	}
	return out, nil
}

// FindSIMLock implements operator.DeviceStore.
func (db *DB) FindSIMLock(ctx context.Context, imsi string) (*operator.SIMLock, error) {
	var (
		l       operator.SIMLock
		updated int64
	)
	err := db.read.QueryRowContext(ctx, `SELECT l.iccid, l.imei, l.network, l.updated_at FROM sims s JOIN sim_locks l ON l.iccid = s.iccid WHERE s.imsi = ?`,
		imsi).Scan(&l.ICCID, &l.IMEI, &l.Network, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError("find SIM lock", err)
	}
	l.UpdatedAt = instant(updated)
	return &l, nil
}

var _ operator.SIMLockTx = (*txn)(nil)

// PutSIMLock implements operator.SIMLockTx.
func (t *txn) PutSIMLock(_ context.Context, l *operator.SIMLock) error {
	_, err := t.exec(`INSERT INTO sim_locks (iccid, imei, network, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (iccid) DO UPDATE SET imei = excluded.imei, network = excluded.network, updated_at = excluded.updated_at`,
		l.ICCID, l.IMEI, l.Network, micros(l.UpdatedAt))
	if err != nil {
		return dbError("put SIM lock", err)
	}
	return nil
}
