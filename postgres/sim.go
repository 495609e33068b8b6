package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
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
func (db *DB) CreateSIMs(ctx context.Context, sims []*opencube.SIM) error {
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
