package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gen"
)

var _ gen.Generator = (*DB)(nil)

// Generate implements gen.Generator: the enterprise through the store (its
// secret sealed), then the rows in one transaction, made by recursive
// queries, and the tables analysed.
func (db *DB) Generate(ctx context.Context, s gen.Spec) error {
	if err := s.Check(); err != nil {
		return err
	}
	if err := db.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: gen.Enterprise, Name: "bench",
		Secrets: []string{gen.Secret}, CreatedAt: time.Now().UTC(), Status: opencube.EnterpriseActive}); err != nil {
		return err
	}
	last := s.SIMs - 1
	days, extra := s.Days()
	stmts := []string{
		`INSERT INTO plans (code, name, type, volume_bytes, price_minor, currency, ota, throttle_kbps, countries, created_at)
			VALUES ('` + gen.Plan + `', 'monthly', 2, 1099511627776, 0, 'CNY', 0, 0, '[]', 0)`,
		fmt.Sprintf(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d)
			INSERT INTO sims (`+simColumns+`) SELECT printf('8986%%016d', i), printf('46001%%010d', i), '', 0, '`+gen.Enterprise+`', 'active', 0 FROM c`, last),
		fmt.Sprintf(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d)
			INSERT INTO orders (`+orderColumns+`) SELECT printf('ORDER_%%017d', i), printf('L%%017d', i), '`+gen.Enterprise+`',
				printf('8986%%016d', i), printf('46001%%010d', i), '`+gen.Plan+`', 'monthly', 2, 1099511627776, 1, 0, 0, 0, '', 2, 2, 0, '2', '2',
				'0', '0', '0', 0, i * 1000, 0, 0, 4102444800000000, NULL, 0 FROM c`, last),
		fmt.Sprintf(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d),
			d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < %d)
			INSERT INTO usage_days (iccid, day, enterprise_code, bytes)
			SELECT printf('8986%%016d', i), 20240300 + n, '`+gen.Enterprise+`', (i * 7919 + n * 104729) %% 50000000 FROM c, d
			WHERE n <= %d OR i < %d`, last, days+1, days, extra),
		`UPDATE usage_clock SET as_of = 1710000000000000`,
		`ANALYZE`,
	}
	err := db.update(ctx, func(t *txn) error {
		for _, q := range stmts {
			if _, err := t.exec(q); err != nil {
				return fmt.Errorf("%.60s: %w", q, err)
			}
		}
		return nil
	})
	return err
}
