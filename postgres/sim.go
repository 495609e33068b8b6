package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

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
	switch {
	case f.InUse && len(f.ICCIDs) == 0 && f.Page.Limit > 0:
		// A page of the in-use list found through the bucket counts
		// (in_use_counts), which also give its total.
		var iccids []string
		iccids, total, err = db.inUsePage(ctx, f.Enterprise, f.Page)
		if err == nil && len(iccids) > 0 {
			sims, _, err = db.FindSIMs(ctx, opencube.SIMFilter{Enterprise: f.Enterprise, ICCIDs: iccids})
		}
	case f.InUse:
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
	case len(f.ICCIDs) == 0 && f.Page.Limit > 0:
		// A page of the SIMs found through the bucket counts
		// (sim_counts), which also give its total.
		var iccids []string
		iccids, total, err = db.simsPage(ctx, f.Enterprise, f.Page)
		if err == nil && len(iccids) > 0 {
			sims, _, err = db.FindSIMs(ctx, opencube.SIMFilter{Enterprise: f.Enterprise, ICCIDs: iccids})
		}
	default:
		q.sql.WriteString(`FROM sims s WHERE s.enterprise_code = ` + q.arg(f.Enterprise))
		if len(f.ICCIDs) > 0 {
			q.sql.WriteString(` AND s.iccid = ANY(` + q.arg(f.ICCIDs) + `)`)
		}
		sims, total, err = findPage(ctx, db, "devices", prefixed(simColumns, "s."), q, "s.iccid", f.Page, scanSIM)
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

// sqlBucketStart finds the bucket of a counts table (in_use_counts,
// sim_counts) where a page starting at offset $2 begins: the bucket, how
// many SIMs come before it, and the total.
func sqlBucketStart(counts string) string {
	return `SELECT bucket, upto - n, total FROM (
		SELECT bucket, n, sum(n) OVER (ORDER BY bucket) AS upto, sum(n) OVER () AS total
		FROM ` + counts + ` WHERE enterprise_code = $1) b
	WHERE upto > $2 ORDER BY bucket LIMIT 1`
}

// inUsePage returns a page of the ICCIDs of enterprise's in-use SIMs and
// their total (bucketPage on in_use_counts).
func (db *DB) inUsePage(ctx context.Context, enterprise string, p opencube.Page) ([]string, int, error) {
	return db.bucketPage(ctx, "in_use_counts", `SELECT iccid FROM orders WHERE enterprise_code = $1 AND status = 2 AND iccid >= $2
			ORDER BY iccid OFFSET $3 LIMIT $4`, enterprise, p)
}

// simsPage returns a page of the ICCIDs of enterprise's SIMs and their
// total (bucketPage on sim_counts).
func (db *DB) simsPage(ctx context.Context, enterprise string, p opencube.Page) ([]string, int, error) {
	return db.bucketPage(ctx, "sim_counts", `SELECT iccid FROM sims WHERE enterprise_code = $1 AND iccid >= $2
			ORDER BY iccid OFFSET $3 LIMIT $4`, enterprise, p)
}

// bucketPage returns a page of a list of enterprise's ICCIDs counted in
// buckets of ICCID prefixes by the table counts, and its total: it reads
// the bucket counts, then the page with list (enterprise, first ICCID,
// offset, limit) from where its bucket starts, so that a page costs the
// same wherever it is (one snapshot).
func (db *DB) bucketPage(ctx context.Context, counts, list, enterprise string, p opencube.Page) ([]string, int, error) {
	var (
		iccids []string
		total  int64
	)
	offset := int64(max(p.Offset, 0))
	err := db.listView(ctx, nil, func(tx pgx.Tx) error {
		iccids = iccids[:0]
		var (
			bucket string
			before int64
		)
		err := tx.QueryRow(ctx, sqlBucketStart(counts), enterprise, offset).Scan(&bucket, &before, &total)
		if errors.Is(err, pgx.ErrNoRows) {
			// Past the end: the total alone.
			return tx.QueryRow(ctx, `SELECT COALESCE(sum(n), 0) FROM `+counts+` WHERE enterprise_code = $1`, enterprise).Scan(&total)
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, list, enterprise, bucket, offset-before, p.Limit)
		if err != nil {
			return err
		}
		iccids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, 0, db.dbError("find devices", err)
	}
	return iccids, int(total), nil
}

// devices reads the in-use order, its meter and, when asked, the open
// session of each SIM: one statement each for the whole page, sent
// together.
func (db *DB) devices(ctx context.Context, sims []*opencube.SIM, withSession bool) ([]*opencube.Device, error) {
	out := make([]*opencube.Device, 0, len(sims))
	if len(sims) == 0 {
		return out, nil
	}
	byICCID := make(map[string]*opencube.Device, len(sims))
	iccids := make([]string, len(sims))
	for i, sim := range sims {
		d := &opencube.Device{SIM: sim}
		out = append(out, d)
		byICCID[sim.ICCID] = d
		iccids[i] = sim.ICCID
	}
	var b pgx.Batch
	b.Queue(strings.Replace(meteredOrder, "WHERE o.iccid = $1", "WHERE o.iccid = ANY($1)", 1), iccids)
	if withSession {
		// The latest session of each SIM, open or closed, and its first
		// activation.
		b.Queue(`SELECT s.* FROM unnest($1::text[]) AS i(iccid) CROSS JOIN LATERAL (SELECT `+sessionColumns+`
			FROM usage_sessions WHERE iccid = i.iccid ORDER BY started_at DESC LIMIT 1) s`, iccids)
		b.Queue(`SELECT iccid, MIN(started_at) FROM orders WHERE iccid = ANY($1) GROUP BY iccid`, iccids)
	}
	err := retry(ctx, func() error {
		br := db.pool.SendBatch(ctx, &b)
		defer br.Close()
		rows, err := br.Query()
		if err != nil {
			return err
		}
		for rows.Next() {
			o, m, _, err := scanMetered(rows)
			if err != nil {
				rows.Close()
				return err
			}
			if d := byICCID[o.ICCID]; d != nil {
				d.Order, d.Meter = o, m
			}
		}
		if rows.Close(); rows.Err() != nil {
			return rows.Err()
		}
		if withSession {
			if rows, err = br.Query(); err != nil {
				return err
			}
			for rows.Next() {
				s, err := scanSession(rows)
				if err != nil {
					rows.Close()
					return err
				}
				if d := byICCID[s.ICCID]; d != nil {
					d.Session = s
				}
			}
			if rows.Close(); rows.Err() != nil {
				return rows.Err()
			}
			if rows, err = br.Query(); err != nil {
				return err
			}
			for rows.Next() {
				var (
					iccid string
					first *time.Time
				)
				if err := rows.Scan(&iccid, &first); err != nil {
					rows.Close()
					return err
				}
				if d := byICCID[iccid]; d != nil {
					d.ActivatedAt = utcp(first)
				}
			}
			if rows.Close(); rows.Err() != nil {
				return rows.Err()
			}
		}
		return br.Close()
	})
	if err != nil {
		return nil, db.dbError("find devices", err)
	}
	return out, nil
}

// scanICCID scans a row of one ICCID.
func scanICCID(s scanner) (string, error) {
	var id string
	err := s.Scan(&id)
	return id, err
}
