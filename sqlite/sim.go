package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
)

const simColumns = `iccid, imsi, msisdn, ota, enterprise_code, status, created_at`

// The statements of the SIM inventory.
var (
	qInsertSIM       = prepared(`INSERT INTO sims (` + simColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	qSIMByICCID      = prepared(`SELECT ` + simColumns + ` FROM sims WHERE iccid = ?`)
	qUpdateSIMStatus = prepared(`UPDATE sims SET status = ? WHERE iccid = ?`)
)

func scanSIM(s scanner) (*opencube.SIM, error) {
	var (
		sim     opencube.SIM
		status  string
		created int64
	)
	if err := s.Scan(&sim.ICCID, &sim.IMSI, &sim.MSISDN, &sim.OTA, &sim.EnterpriseCode, &status, &created); err != nil {
		return nil, err
	}
	sim.Status = opencube.SIMStatus(status)
	sim.CreatedAt = instant(created)
	return &sim, nil
}

// CreateSIMs implements opencube.SIMStore: one transaction, so a failing SIM
// leaves the inventory as it was.
func (db *DB) CreateSIMs(ctx context.Context, sims []*opencube.SIM, jobs ...*opencube.Job) error {
	if len(sims) == 0 {
		return nil
	}
	return db.update(ctx, func(t *txn) error {
		for _, s := range sims {
			if a := s.Auth; a != nil { // sealed at rest
				sealed, auth := *s, *a
				auth.Ki, auth.OPc = db.box.Seal(seal.SIMKi, s.ICCID, a.Ki), db.box.Seal(seal.SIMOPc, s.ICCID, a.OPc)
				sealed.Auth = &auth
				s = &sealed
			}
			if err := t.insertSIM(s); err != nil {
				return err
			}
		}
		for _, j := range jobs {
			if err := t.InsertJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertSIM adds one SIM (and its authentication data, sealed by the
// caller) in t.
func (t *txn) insertSIM(s *opencube.SIM) error {
	_, err := t.execStmt(qInsertSIM, s.ICCID, s.IMSI, s.MSISDN, s.OTA, s.EnterpriseCode, string(s.Status), micros(s.CreatedAt))
	switch code(err) {
	case 0:
		if err != nil {
			return dbError("create SIMs", err)
		}
	case primaryKey:
		return opencube.Errorf(opencube.KindConflict, "SIM %s exists", s.ICCID)
	case unique:
		return opencube.Errorf(opencube.KindConflict, "IMSI %s of SIM %s exists", s.IMSI, s.ICCID)
	case foreignKey:
		return unknownEnterprise(s.EnterpriseCode)
	default:
		return dbError("create SIMs", err)
	}
	if a := s.Auth; a != nil {
		if _, err := t.write("store SIM auth", qInsertSIMAuth, s.ICCID, a.Algorithm, a.Ki, a.OPc); err != nil {
			return err
		}
	}
	return nil
}

// FindSIMs implements opencube.SIMStore.
func (db *DB) FindSIMs(ctx context.Context, f opencube.SIMFilter) ([]*opencube.SIM, int, error) {
	from := `FROM sims WHERE enterprise_code = ?`
	args := []any{f.Enterprise}
	if len(f.ICCIDs) > 0 {
		from += ` AND iccid IN (?` + strings.Repeat(`, ?`, len(f.ICCIDs)-1) + `)`
		for _, id := range f.ICCIDs {
			args = append(args, id)
		}
	}
	return findPage(ctx, db, "SIMs", simColumns, from, "iccid", args, f.Page, scanSIM)
}

// SIMByICCID implements opencube.UsageTx.
func (t *txn) SIMByICCID(_ context.Context, iccid string) (*opencube.SIM, error) {
	sim, err := scanSIM(t.queryRowStmt(qSIMByICCID, iccid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	if err != nil {
		return nil, dbError("find SIM", err)
	}
	return sim, nil
}

// UpdateSIMStatus implements opencube.UsageTx.
func (t *txn) UpdateSIMStatus(_ context.Context, iccid string, status opencube.SIMStatus) error {
	res, err := t.write("update SIM", qUpdateSIMStatus, string(status), iccid)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	return nil
}

// inUsePage returns a page of the ICCIDs of enterprise's in-use SIMs and
// their total (bucketPage on in_use_counts).
func (db *DB) inUsePage(ctx context.Context, enterprise string, p opencube.Page) ([]string, int, error) {
	return db.bucketPage(ctx, "in_use_counts", `SELECT iccid FROM orders WHERE enterprise_code = ? AND status = 2 AND iccid >= ?
			ORDER BY iccid LIMIT ? OFFSET ?`, enterprise, p)
}

// simsPage returns a page of the ICCIDs of enterprise's SIMs and their
// total (bucketPage on sim_counts).
func (db *DB) simsPage(ctx context.Context, enterprise string, p opencube.Page) ([]string, int, error) {
	return db.bucketPage(ctx, "sim_counts", `SELECT iccid FROM sims WHERE enterprise_code = ? AND iccid >= ?
			ORDER BY iccid LIMIT ? OFFSET ?`, enterprise, p)
}

// bucketPage returns a page of a list of enterprise's ICCIDs counted in
// buckets of ICCID prefixes by the table counts, and its total: it reads
// the bucket counts, then the page with list (enterprise, first ICCID,
// limit, offset) from where its bucket starts, so that a page costs the
// same wherever it is (one snapshot).
func (db *DB) bucketPage(ctx context.Context, counts, list, enterprise string, p opencube.Page) ([]string, int, error) {
	var (
		iccids []string
		total  int64
	)
	offset := int64(max(p.Offset, 0))
	err := db.view(ctx, func(tx *sql.Tx) error {
		var (
			bucket string
			before int64
		)
		err := tx.QueryRowContext(ctx, `SELECT bucket, upto - n, total FROM (
				SELECT bucket, n, sum(n) OVER (ORDER BY bucket) AS upto, sum(n) OVER () AS total
				FROM `+counts+` WHERE enterprise_code = ?) WHERE upto > ? ORDER BY bucket LIMIT 1`,
			enterprise, offset).Scan(&bucket, &before, &total)
		if errors.Is(err, sql.ErrNoRows) {
			// Past the end: the total alone.
			return tx.QueryRowContext(ctx, `SELECT COALESCE(sum(n), 0) FROM `+counts+` WHERE enterprise_code = ?`, enterprise).Scan(&total)
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, list, enterprise, bucket, p.Limit, offset-before)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			iccids = append(iccids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, dbError("find devices", err)
	}
	return iccids, int(total), nil
}

// FindDevices implements opencube.UsageStore.
func (db *DB) FindDevices(ctx context.Context, f opencube.DeviceFilter) ([]*opencube.Device, int, error) {
	from := `FROM sims s WHERE s.enterprise_code = ?`
	args := []any{f.Enterprise}
	if len(f.ICCIDs) > 0 {
		from += ` AND s.iccid IN (?` + strings.Repeat(`, ?`, len(f.ICCIDs)-1) + `)`
		for _, id := range f.ICCIDs {
			args = append(args, id)
		}
	}
	var (
		sims  []*opencube.SIM
		total int
		err   error
	)
	if f.InUse && len(f.ICCIDs) == 0 && f.Page.Limit > 0 {
		// A page of the in-use list found through the bucket counts
		// (in_use_counts), which also give its total.
		var iccids []string
		iccids, total, err = db.inUsePage(ctx, f.Enterprise, f.Page)
		if err == nil && len(iccids) > 0 {
			sims, _, err = db.FindSIMs(ctx, opencube.SIMFilter{Enterprise: f.Enterprise, ICCIDs: iccids})
		}
	} else if f.InUse {
		// Page over the in-use orders (index orders_in_use; a SIM has one
		// at most), then read the page's SIMs.
		ofrom := strings.Replace(strings.Replace(from, "FROM sims s WHERE s.enterprise_code = ?",
			"FROM orders o WHERE o.enterprise_code = ? AND o.status = 2", 1), "s.iccid IN", "o.iccid IN", 1)
		var iccids []string
		iccids, total, err = findPage(ctx, db, "devices", "o.iccid", ofrom, "o.iccid", args, f.Page, scanICCID)
		if err == nil && len(iccids) > 0 {
			sims, _, err = db.FindSIMs(ctx, opencube.SIMFilter{Enterprise: f.Enterprise, ICCIDs: iccids})
		}
	} else if len(f.ICCIDs) == 0 && f.Page.Limit > 0 {
		// A page of the SIMs found through the bucket counts
		// (sim_counts), which also give its total.
		var iccids []string
		iccids, total, err = db.simsPage(ctx, f.Enterprise, f.Page)
		if err == nil && len(iccids) > 0 {
			sims, _, err = db.FindSIMs(ctx, opencube.SIMFilter{Enterprise: f.Enterprise, ICCIDs: iccids})
		}
	} else {
		sims, total, err = findPage(ctx, db, "devices", prefixed(simColumns, "s."), from, "s.iccid", args, f.Page, scanSIM)
	}
	if err != nil {
		return nil, 0, err
	}
	out, err := db.devices(ctx, sims, f.WithSession)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// devices reads the in-use order, its meter and, when asked, the open
// session of each SIM: one statement each for the whole page.
func (db *DB) devices(ctx context.Context, sims []*opencube.SIM, withSession bool) ([]*opencube.Device, error) {
	out := make([]*opencube.Device, 0, len(sims))
	if len(sims) == 0 {
		return out, nil
	}
	byICCID := make(map[string]*opencube.Device, len(sims))
	args := make([]any, len(sims))
	for i, sim := range sims {
		d := &opencube.Device{SIM: sim}
		out = append(out, d)
		byICCID[sim.ICCID] = d
		args[i] = sim.ICCID
	}
	in := `IN (?` + strings.Repeat(`, ?`, len(sims)-1) + `)`
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, meteredOrder+` WHERE o.iccid `+in+` AND o.status IN (2, 3)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, m, _, err := scanMetered(rows)
			if err != nil {
				return err
			}
			if d := byICCID[o.ICCID]; d != nil {
				d.Order, d.Meter = o, m
			}
		}
		if err := rows.Err(); err != nil || !withSession {
			return err
		}
		// The latest session of each SIM, open or closed (one index
		// probe a SIM), and its first activation.
		latest, err := tx.PrepareContext(ctx, `SELECT `+sessionColumns+` FROM usage_sessions
			WHERE iccid = ? ORDER BY started_at DESC LIMIT 1`)
		if err != nil {
			return err
		}
		defer latest.Close()
		for _, d := range out {
			s, err := scanSession(latest.QueryRowContext(ctx, d.SIM.ICCID))
			switch {
			case err == nil:
				d.Session = s
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		frows, err := tx.QueryContext(ctx, `SELECT iccid, MIN(started_at) FROM orders WHERE iccid `+in+` GROUP BY iccid`, args...)
		if err != nil {
			return err
		}
		defer frows.Close()
		for frows.Next() {
			var (
				iccid string
				first sql.NullInt64
			)
			if err := frows.Scan(&iccid, &first); err != nil {
				return err
			}
			if d := byICCID[iccid]; d != nil {
				d.ActivatedAt = nullInstant(first)
			}
		}
		return frows.Err()
	})
	if err != nil {
		return nil, dbError("find devices", err)
	}
	return out, nil
}

// scanICCID scans a row of one ICCID.
func scanICCID(s scanner) (string, error) {
	var id string
	err := s.Scan(&id)
	return id, err
}
