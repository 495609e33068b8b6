package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gen"
)

var _ gen.Generator = (*DB)(nil)

// Generate implements gen.Generator: the enterprise through the store (its
// secret sealed), then the rows made by the server itself
// (generate_series), without triggers or foreign-key checks
// (session_replication_role = replica, which needs a superuser or the
// owner of the tables), the in-use counts once at the end, then the tables
// vacuumed and analysed.
func (db *DB) Generate(ctx context.Context, s gen.Spec) error {
	if err := s.Check(); err != nil {
		return err
	}
	if err := db.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: gen.Enterprise, Name: "bench",
		Secrets: []string{gen.Secret}, CreatedAt: time.Now().UTC(), Status: opencube.EnterpriseActive}); err != nil {
		return err
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	last := s.SIMs - 1
	days, extra := s.Days()
	stmts := []string{
		`SET session_replication_role = replica`,
		`INSERT INTO plans (code, name, type, volume_bytes, price_minor, currency, ota, throttle_kbps, countries, created_at)
			VALUES ('` + gen.Plan + `', 'monthly', 2, 1099511627776, 0, 'CNY', false, 0, '{}', now())`,
		fmt.Sprintf(`INSERT INTO sims (`+simColumns+`) SELECT '8986' || lpad(i::text, 16, '0'), '46001' || lpad(i::text, 10, '0'),
			'', false, '`+gen.Enterprise+`', 'active', now() FROM generate_series(0, %d) i`, last),
		fmt.Sprintf(`INSERT INTO orders (`+orderColumns+`) SELECT 'ORDER_' || lpad(i::text, 17, '0'), 'L' || lpad(i::text, 17, '0'),
			'`+gen.Enterprise+`', '8986' || lpad(i::text, 16, '0'), '46001' || lpad(i::text, 10, '0'), '`+gen.Plan+`', 'monthly', 2, 1099511627776, 1, 0, 0, 0,
			'', 2, 2, 0, '2', '2', '0', '0', '0', false, 0, timestamptz '2024-01-01' + i * interval '1 ms', NULL,
			timestamptz '2100-01-01', NULL, now() FROM generate_series(0, %d) i`, last),
		fmt.Sprintf(`INSERT INTO usage_days (iccid, day, enterprise_code, bytes)
			SELECT '8986' || lpad(i::text, 16, '0'), 20240300 + n, '`+gen.Enterprise+`', (i::bigint * 7919 + n * 104729) %% 50000000
			FROM generate_series(0, %d) i, generate_series(1, %d) n WHERE n <= %d OR i < %d`, last, days+1, days, extra),
		`INSERT INTO in_use_counts (enterprise_code, bucket, n)
			SELECT enterprise_code, left(iccid, 16), count(*) FROM orders WHERE status = 2 GROUP BY 1, 2`,
		`UPDATE usage_clock SET as_of = '2024-03-09 16:00:00Z'`,
		`SET session_replication_role = origin`,
		`VACUUM ANALYZE`, // as autovacuum would: index-only scans
	}
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			conn.Exec(context.Background(), `SET session_replication_role = origin`)
			return fmt.Errorf("%.60s: %w", q, err)
		}
	}
	return nil
}
