package sqlite

import (
	"context"
	"strings"

	"github.com/opencube/opencube"
)

const simColumns = `iccid, imsi, msisdn, ota, enterprise_code, status, created_at`

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
func (db *DB) CreateSIMs(ctx context.Context, sims []*opencube.SIM) error {
	if len(sims) == 0 {
		return nil
	}
	return db.update(ctx, func(t *txn) error {
		insert := t.stmt(wInsertSIM)
		for _, s := range sims {
			_, err := insert.ExecContext(t.ctx, s.ICCID, s.IMSI, s.MSISDN, s.OTA, s.EnterpriseCode, string(s.Status), micros(s.CreatedAt))
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
		}
		return nil
	})
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
