package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gen"
)

var _ gen.Generator = (*DB)(nil)

// Generate implements gen.Generator: the enterprise and its webhook
// endpoint through the store (their secrets sealed), then the rows made by the server itself
// (generate_series), without triggers or foreign-key checks
// (session_replication_role = replica, which needs a superuser or the
// owner of the tables), the maintained counts once at the end, then the tables
// vacuumed and analysed.
func (db *DB) Generate(ctx context.Context, s gen.Spec) error {
	if err := s.Check(); err != nil {
		return err
	}
	if err := db.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: gen.Enterprise, Name: "bench",
		Secrets: []string{gen.Secret}, CreatedAt: time.Now().UTC(), Status: opencube.EnterpriseActive}); err != nil {
		return err
	}
	if s.Deliveries > 0 {
		now := time.Now().UTC()
		if _, err := db.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: gen.Enterprise, URL: "http://127.0.0.1:9/bench",
			Secret: gen.Secret, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
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
		`INSERT INTO sim_counts (enterprise_code, bucket, n)
			SELECT enterprise_code, left(iccid, 16), count(*) FROM sims GROUP BY 1, 2`,
		`INSERT INTO order_counts (enterprise_code, status, buy_type, shard, n)
			SELECT enterprise_code, status, buy_type, right(iccid, 2), count(*) FROM orders GROUP BY 1, 2, 3, 4`,
		`INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, shard, n)
			SELECT enterprise_code, s.shift, (extract(epoch FROM ordered_at) * 1000000)::bigint >> s.shift, status, buy_type, right(iccid, 1), count(*)
			FROM orders, (VALUES (40), (34), (28), (22)) s (shift) GROUP BY 1, 2, 3, 4, 5, 6`,
		`UPDATE usage_clock SET as_of = '2024-03-09 16:00:00Z'`,
	}
	const at = `timestamptz '2024-03-01 00:00:00Z' + j * interval '1 s'`
	if s.SMS > 0 {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO sms (id, enterprise_code, iccid, msisdn, direction, sms_type, content, encoding,
				segments, state, created_at, sent_at, delivered_at, updated_at)
			SELECT 'SMS' || lpad(j::text, 17, '0'), '`+gen.Enterprise+`', '8986' || lpad((j %% %d)::text, 16, '0'), '',
				CASE j %% 2 WHEN 0 THEN 'mt' ELSE 'mo' END, 0, 'bench message', 'gsm7', 1, 'delivered', `+at+`, `+at+`, `+at+`, `+at+`
			FROM generate_series(0, %d) j`, s.SIMs, s.SMS-1))
	}
	if s.SMS > 0 {
		stmts = append(stmts, `INSERT INTO sms_counts (enterprise_code, direction, state, shard, n)
			SELECT enterprise_code, direction, state, right(iccid, 2), count(*) FROM sms GROUP BY 1, 2, 3, 4`,
			`INSERT INTO sms_time_counts (enterprise_code, shift, bucket, direction, state, shard, n)
			SELECT enterprise_code, s.shift, (extract(epoch FROM created_at) * 1000000)::bigint >> s.shift, direction, state, right(iccid, 1), count(*)
			FROM sms, (VALUES (40), (34), (28), (22)) s (shift) GROUP BY 1, 2, 3, 4, 5, 6`)
	}
	if s.Deliveries > 0 {
		series := fmt.Sprintf(` FROM generate_series(0, %d) j`, s.Deliveries-1)
		pending := fmt.Sprintf(`j %% %d = %d`, gen.PendingEvery, gen.PendingEvery-1)
		stmts = append(stmts,
			`INSERT INTO events (id, enterprise_code, type, order_id, iccid, status, created_at, imsi, plan_code, sim_seq)
			SELECT 'EV' || lpad(j::text, 17, '0'), '`+gen.Enterprise+`', '`+string(opencube.EventCreateOrder)+`',
				'ORDER_' || lpad(j::text, 17, '0'), '8986' || lpad(j::text, 16, '0'), 2, `+at+`, '46001' || lpad(j::text, 10, '0'), '`+gen.Plan+`', 1`+series,
			`INSERT INTO sim_event_seqs (iccid, seq) SELECT '8986' || lpad(j::text, 16, '0'), 1`+series,
			`INSERT INTO deliveries (id, enterprise_code, type, state, created_at, updated_at, delivered_at)
			SELECT 'EV' || lpad(j::text, 17, '0'), '`+gen.Enterprise+`', '`+string(opencube.EventCreateOrder)+`',
				CASE WHEN `+pending+` THEN 'pending' ELSE 'delivered' END, `+at+`, `+at+`,
				CASE WHEN `+pending+` THEN NULL ELSE `+at+` + interval '50 ms' END`+series,
			`INSERT INTO delivery_attempts (delivery_id, n, at, status_code, latency_ns, error, ok)
			SELECT 'EV' || lpad(j::text, 17, '0'), 1, `+at+` + interval '50 ms', 200, 50000000, '', true`+series+` WHERE NOT (`+pending+`)`)
	}
	stmts = append(stmts,
		`SET session_replication_role = origin`,
		`VACUUM ANALYZE`, // as autovacuum would: index-only scans
	)
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			conn.Exec(context.Background(), `SET session_replication_role = origin`)
			return fmt.Errorf("%.60s: %w", q, err)
		}
	}
	return nil
}
