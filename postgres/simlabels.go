package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// PatchSIMLabels implements operator.SIMLabelStore.
func (db *DB) PatchSIMLabels(ctx context.Context, accessCode, iccid string, p operator.SIMLabelPatch, now time.Time, claim *opencube.ReplayClaim, render func(*operator.SIMLabels) []byte) (*operator.SIMLabels, error) {
	var out *operator.SIMLabels
	err := db.claiming(ctx, claim, false, func(t *orderTx) error {
		var one int
		err := t.tx.QueryRow(ctx, `SELECT 1 FROM sims WHERE iccid = $1 AND enterprise_code = $2 FOR UPDATE`, iccid, accessCode).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
		}
		if err != nil {
			return t.fail("find SIM", err)
		}
		l, err := scanSIMLabels(iccid, t.tx.QueryRow(ctx, `SELECT tags, notes, device_name, updated_at FROM sim_labels WHERE iccid = $1`, iccid))
		if err != nil {
			return t.fail("find SIM labels", err)
		}
		p.Apply(l)
		l.UpdatedAt = now
		tags, _ := json.Marshal(l.Tags) // strings always encode
		if _, err := t.write(ctx, `INSERT INTO sim_labels (iccid, tags, notes, device_name, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (iccid) DO UPDATE SET tags = excluded.tags, notes = excluded.notes, device_name = excluded.device_name, updated_at = excluded.updated_at`,
			iccid, string(tags), l.Notes, l.DeviceName, now); err != nil {
			return t.fail("write SIM labels", err)
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
	var l *operator.SIMLabels
	err := retry(ctx, func() error {
		var err error
		l, err = scanSIMLabels(iccid, db.pool.QueryRow(ctx, `SELECT tags, notes, device_name, updated_at FROM sim_labels WHERE iccid = $1`, iccid))
		return err
	})
	if err != nil {
		return nil, db.dbError("find SIM labels", err)
	}
	return l, nil
}

// scanSIMLabels reads a SIM's labels, empty ones when it has none.
func scanSIMLabels(iccid string, row pgx.Row) (*operator.SIMLabels, error) {
	l := &operator.SIMLabels{ICCID: iccid, Tags: []string{}}
	var tags string
	var updated time.Time
	err := row.Scan(&tags, &l.Notes, &l.DeviceName, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(tags), &l.Tags); err != nil {
		return nil, err
	}
	l.UpdatedAt = utc(updated)
	return l, nil
}

// FindICCIDByIMEI implements operator.SIMLabelStore.
func (db *DB) FindICCIDByIMEI(ctx context.Context, accessCode, imei string) (string, error) {
	var iccid string
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT iccid FROM usage_sessions WHERE enterprise_code = $1 AND imei = $2 ORDER BY started_at DESC LIMIT 1`,
			accessCode, imei).Scan(&iccid)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", db.dbError("find SIM by IMEI", err)
	}
	return iccid, nil
}

// OpenSessions implements operator.DeviceStore.
func (db *DB) OpenSessions(ctx context.Context, iccid string) ([]*opencube.DataSession, error) {
	var out []*opencube.DataSession
	err := retry(ctx, func() error {
		out = nil
		rows, err := db.pool.Query(ctx, `SELECT `+sessionColumns+` FROM usage_sessions WHERE iccid = $1 AND state = 0 ORDER BY last_at`, iccid)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s, err := scanSession(rows)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.dbError("find open sessions", err)
	}
	return out, nil
}

// FindSIMLock implements operator.DeviceStore.
func (db *DB) FindSIMLock(ctx context.Context, imsi string) (*operator.SIMLock, error) {
	var l operator.SIMLock
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT l.iccid, l.imei, l.network, l.updated_at FROM sims s JOIN sim_locks l ON l.iccid = s.iccid WHERE s.imsi = $1`,
			imsi).Scan(&l.ICCID, &l.IMEI, &l.Network, &l.UpdatedAt)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.dbError("find SIM lock", err)
	}
	l.UpdatedAt = utc(l.UpdatedAt)
	return &l, nil
}

var _ operator.SIMLockTx = (*orderTx)(nil)

// PutSIMLock implements operator.SIMLockTx.
func (t *orderTx) PutSIMLock(ctx context.Context, l *operator.SIMLock) error {
	_, err := t.write(ctx, `INSERT INTO sim_locks (iccid, imei, network, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (iccid) DO UPDATE SET imei = excluded.imei, network = excluded.network, updated_at = excluded.updated_at`,
		l.ICCID, l.IMEI, l.Network, l.UpdatedAt)
	if err != nil {
		return t.fail("put SIM lock", err)
	}
	return nil
}
