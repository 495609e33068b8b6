package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
)

const simColumns = `iccid, imsi, msisdn, ota, enterprise_code, status, created_at`

func scanSIM(s scanner) (*opencube.SIM, error) {
	var (
		sim    opencube.SIM
		status string
	)
	if err := s.Scan(&sim.ICCID, &sim.IMSI, &sim.MSISDN, &sim.OTA, &sim.EnterpriseCode, &status, &sim.CreatedAt); err != nil {
		return nil, err
	}
	sim.Status = opencube.SIMStatus(status)
	sim.CreatedAt = utc(sim.CreatedAt)
	return &sim, nil
}

// simBatch is how many inserts CreateSIMs pipelines in one round trip.
const simBatch = 1000

// CreateSIMs implements opencube.SIMStore: one transaction, so a failing SIM
// leaves the inventory as it was.
func (db *DB) CreateSIMs(ctx context.Context, sims []*opencube.SIM, jobs ...*opencube.Job) error {
	if len(sims) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		for start := 0; start < len(sims); start += simBatch {
			chunk := sims[start:min(start+simBatch, len(sims))]
			var b pgx.Batch
			for _, s := range chunk {
				b.Queue(`INSERT INTO sims (`+simColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
					s.ICCID, s.IMSI, s.MSISDN, s.OTA, s.EnterpriseCode, string(s.Status), s.CreatedAt)
			}
			br := tx.SendBatch(ctx, &b)
			for _, s := range chunk {
				if _, err := br.Exec(); err != nil {
					br.Close()
					return db.simError(s, err)
				}
			}
			if err := br.Close(); err != nil {
				return db.dbError("create SIMs", err)
			}
		}
		var b pgx.Batch
		for _, s := range sims {
			if a := s.Auth; a != nil {
				b.Queue(`INSERT INTO sim_auth (iccid, algorithm, ki, opc) VALUES ($1, $2, $3, $4)`, s.ICCID, a.Algorithm,
					db.box.Seal(seal.SIMKi, s.ICCID, a.Ki), db.box.Seal(seal.SIMOPc, s.ICCID, a.OPc))
			}
		}
		for _, j := range jobs {
			b.Queue(sqlInsertJob, j.ID, j.Kind, j.Key, j.Payload, j.RunAt)
		}
		if b.Len() > 0 {
			if err := tx.SendBatch(ctx, &b).Close(); err != nil {
				return db.dbError("create SIMs", err)
			}
		}
		return nil
	})
}

// simError maps the failure to insert s.
func (db *DB) simError(s *opencube.SIM, err error) error {
	switch violated(err, codeUniqueViolation, "sims_pkey", "sims_imsi_key") {
	case "sims_pkey":
		return opencube.Errorf(opencube.KindConflict, "SIM %s exists", s.ICCID)
	case "sims_imsi_key":
		return opencube.Errorf(opencube.KindConflict, "IMSI %s of SIM %s exists", s.IMSI, s.ICCID)
	}
	if violated(err, codeForeignKeyViolation, "sims_enterprise_fkey") == "sims_enterprise_fkey" {
		return unknownEnterprise(s.EnterpriseCode)
	}
	return db.dbError("create SIMs", err)
}

// FindSIMs implements opencube.SIMStore.
func (db *DB) FindSIMs(ctx context.Context, f opencube.SIMFilter) ([]*opencube.SIM, int, error) {
	var q query
	q.sql.WriteString(`FROM sims WHERE enterprise_code = ` + q.arg(f.Enterprise))
	if len(f.ICCIDs) > 0 {
		q.sql.WriteString(` AND iccid = ANY(` + q.arg(f.ICCIDs) + `)`)
	}
	return findPage(ctx, db, "SIMs", simColumns, &q, "iccid", f.Page, scanSIM)
}

// The statements of UpdateUsage on a SIM: SIMByICCID locks the SIM.
var (
	sqlSIMByICCID = `SELECT ` + simColumns + ` FROM sims WHERE iccid = $1 FOR UPDATE`
	sqlUpdateSIM  = `UPDATE sims SET status = $1 WHERE iccid = $2`
)

// SIMByICCID implements opencube.UsageTx.
func (t *orderTx) SIMByICCID(ctx context.Context, iccid string) (*opencube.SIM, error) {
	sim, err := scanSIM(t.tx.QueryRow(ctx, sqlSIMByICCID, iccid))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	if err != nil {
		return nil, t.fail("find SIM", err)
	}
	return sim, nil
}

// UpdateSIMStatus implements opencube.UsageTx.
func (t *orderTx) UpdateSIMStatus(ctx context.Context, iccid string, status opencube.SIMStatus) error {
	tag, err := t.tx.Exec(ctx, sqlUpdateSIM, string(status), iccid)
	if err != nil {
		return t.fail("update SIM", err)
	}
	if tag.RowsAffected() == 0 {
		return opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	return nil
}

// FindDevices implements opencube.UsageStore.
func (db *DB) FindDevices(ctx context.Context, f opencube.DeviceFilter) ([]*opencube.Device, int, error) {
	q := &query{}
	var (
		sims  []*opencube.SIM
		total int
		err   error
	)
	if f.InUse {
		// Page over the in-use orders (index orders_in_use; a SIM has one
		// at most), then read the page's SIMs.
		q.sql.WriteString(`FROM orders o WHERE o.enterprise_code = ` + q.arg(f.Enterprise) + ` AND o.status = 2`)
		if len(f.ICCIDs) > 0 {
			q.sql.WriteString(` AND o.iccid = ANY(` + q.arg(f.ICCIDs) + `)`)
		}
		var iccids []string
		iccids, total, err = findPage(ctx, db, "devices", "o.iccid", q, "o.iccid", f.Page, scanICCID)
		if err == nil && len(iccids) > 0 {
			sims, _, err = db.FindSIMs(ctx, opencube.SIMFilter{Enterprise: f.Enterprise, ICCIDs: iccids})
		}
	} else {
		q.sql.WriteString(`FROM sims s WHERE s.enterprise_code = ` + q.arg(f.Enterprise))
		if len(f.ICCIDs) > 0 {
			q.sql.WriteString(` AND s.iccid = ANY(` + q.arg(f.ICCIDs) + `)`)
		}
		sims, total, err = findPage(ctx, db, "devices", prefixed(simColumns, "s."), q, "s.iccid", f.Page, scanSIM)
	}
	if err != nil {
		return nil, 0, err
	}
	out := make([]*opencube.Device, 0, len(sims))
	for _, sim := range sims {
		d := &opencube.Device{SIM: sim}
		o, m, _, err := scanMetered(db.pool.QueryRow(ctx, meteredOrder, sim.ICCID))
		switch {
		case err == nil:
			d.Order, d.Meter = o, m
		case !errors.Is(err, pgx.ErrNoRows):
			return nil, 0, db.dbError("find devices", err)
		}
		if f.WithSession {
			s, err := scanSession(db.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM usage_sessions
				WHERE iccid = $1 ORDER BY last_at DESC LIMIT 1`, sim.ICCID))
			switch {
			case err == nil:
				d.Session = s
			case !errors.Is(err, pgx.ErrNoRows):
				return nil, 0, db.dbError("find devices", err)
			}
			if err := db.pool.QueryRow(ctx, `SELECT MIN(started_at) FROM orders WHERE iccid = $1`, sim.ICCID).Scan(&d.ActivatedAt); err != nil {
				return nil, 0, db.dbError("find devices", err)
			}
			d.ActivatedAt = utcp(d.ActivatedAt)
		}
		out = append(out, d)
	}
	return out, total, nil
}

// scanICCID scans a row of one ICCID.
func scanICCID(s scanner) (string, error) {
	var id string
	err := s.Scan(&id)
	return id, err
}
