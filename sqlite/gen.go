package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gen"
)

var _ gen.Generator = (*DB)(nil)

// Generate implements gen.Generator: the enterprise and its webhook
// endpoint through the store (their secrets sealed), then the rows in one
// transaction, made by recursive queries, and the tables analysed.
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
				'0', '0', '0', 0, 0, 1704067200000000 + i * 1000, 0, 4102444800000000, NULL, 0 FROM c`, last),
		fmt.Sprintf(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d),
			d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < %d)
			INSERT INTO usage_days (iccid, day, enterprise_code, bytes)
			SELECT printf('8986%%016d', i), 20240300 + n, '`+gen.Enterprise+`', (i * 7919 + n * 104729) %% 50000000 FROM c, d
			WHERE n <= %d OR i < %d`, last, days+1, days, extra),
		`UPDATE usage_clock SET as_of = 1710000000000000`,
	}
	const march = 1709251200000000 // 1 March 2024 00:00 UTC, Unix microseconds
	if s.SMS > 0 {
		stmts = append(stmts, fmt.Sprintf(`WITH RECURSIVE c(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM c WHERE j < %d)
			INSERT INTO sms (id, enterprise_code, iccid, msisdn, direction, sms_type, content, encoding, segments, state,
				created_at, sent_at, delivered_at, updated_at)
			SELECT printf('SMS%%017d', j), '`+gen.Enterprise+`', printf('8986%%016d', j %% %d), '',
				CASE j %% 2 WHEN 0 THEN 'mt' ELSE 'mo' END, 0, 'bench message', 'gsm7', 1, 'delivered',
				%d + j * 1000000, %d + j * 1000000, %d + j * 1000000, %d + j * 1000000 FROM c`,
			s.SMS-1, s.SIMs, march, march, march, march))
	}
	if s.Deliveries > 0 {
		ev := `WITH RECURSIVE c(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM c WHERE j < ` + fmt.Sprint(s.Deliveries-1) + `) `
		at := fmt.Sprintf(`%d + j * 1000000`, march)
		pending := fmt.Sprintf(`j %% %d = %d`, gen.PendingEvery, gen.PendingEvery-1)
		stmts = append(stmts,
			ev+`INSERT INTO events (id, enterprise_code, type, order_id, iccid, status, created_at, imsi, plan_code, sim_seq)
			SELECT printf('EV%017d', j), '`+gen.Enterprise+`', '`+string(opencube.EventCreateOrder)+`', printf('ORDER_%017d', j),
				printf('8986%016d', j), 2, `+at+`, printf('46001%010d', j), '`+gen.Plan+`', 1 FROM c`,
			ev+`INSERT INTO deliveries (id, enterprise_code, type, state, created_at, updated_at, delivered_at)
			SELECT printf('EV%017d', j), '`+gen.Enterprise+`', '`+string(opencube.EventCreateOrder)+`',
				CASE WHEN `+pending+` THEN 'pending' ELSE 'delivered' END, `+at+`, `+at+`,
				CASE WHEN `+pending+` THEN NULL ELSE `+at+` + 50000 END FROM c`,
			ev+`INSERT INTO delivery_attempts (delivery_id, n, at, status_code, latency_ns, error, ok)
			SELECT printf('EV%017d', j), 1, `+at+` + 50000, 200, 50000000, '', 1 FROM c WHERE NOT (`+pending+`)`)
	}
	stmts = append(stmts, `ANALYZE`)
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
