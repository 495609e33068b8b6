-- +goose Up
-- The shops made whole: eSIM profiles carry their subscriber, eSIM plans
-- sell a core plan, paid eSIM orders name the SIM order they made, and
-- Mall orders follow their Stripe payment and subscription.
ALTER TABLE esim_profiles ADD COLUMN imsi text NOT NULL DEFAULT '';
ALTER TABLE esim_profiles ADD COLUMN msisdn text NOT NULL DEFAULT '';
ALTER TABLE esim_plans ADD COLUMN plan_code text NOT NULL DEFAULT '';
ALTER TABLE esim_plans ADD COLUMN starts text NOT NULL DEFAULT '';
ALTER TABLE esim_plans ADD COLUMN logo text NOT NULL DEFAULT '';
ALTER TABLE esim_plans ADD COLUMN min_periods integer NOT NULL DEFAULT 0;
ALTER TABLE esim_plans ADD COLUMN max_periods integer NOT NULL DEFAULT 0;
ALTER TABLE esim_plans ADD COLUMN apn text NOT NULL DEFAULT '';
CREATE INDEX esim_orders_plan ON esim_orders (plan_id, status);
ALTER TABLE esim_orders ADD COLUMN sim_order_id text NOT NULL DEFAULT '';
ALTER TABLE mall_orders ADD COLUMN pay_failed boolean NOT NULL DEFAULT false;
ALTER TABLE mall_orders ADD COLUMN pay_provider text NOT NULL DEFAULT '';
ALTER TABLE mall_orders ADD COLUMN client_secret text NOT NULL DEFAULT '';
ALTER TABLE mall_orders ADD COLUMN customer_id text NOT NULL DEFAULT '';
ALTER TABLE mall_orders ADD COLUMN subscription_id text NOT NULL DEFAULT '';
ALTER TABLE mall_orders ADD COLUMN renewals integer NOT NULL DEFAULT 0;
ALTER TABLE mall_orders ADD COLUMN last_invoice text NOT NULL DEFAULT '';
ALTER TABLE mall_orders ADD COLUMN renewal_stopped text NOT NULL DEFAULT '';
CREATE INDEX mall_orders_subscription ON mall_orders (subscription_id);

-- +goose Down
DROP INDEX mall_orders_subscription;
ALTER TABLE mall_orders DROP COLUMN renewal_stopped;
ALTER TABLE mall_orders DROP COLUMN last_invoice;
ALTER TABLE mall_orders DROP COLUMN renewals;
ALTER TABLE mall_orders DROP COLUMN subscription_id;
ALTER TABLE mall_orders DROP COLUMN customer_id;
ALTER TABLE mall_orders DROP COLUMN client_secret;
ALTER TABLE mall_orders DROP COLUMN pay_provider;
ALTER TABLE mall_orders DROP COLUMN pay_failed;
ALTER TABLE esim_orders DROP COLUMN sim_order_id;
DROP INDEX esim_orders_plan;
ALTER TABLE esim_plans DROP COLUMN apn;
ALTER TABLE esim_plans DROP COLUMN max_periods;
ALTER TABLE esim_plans DROP COLUMN min_periods;
ALTER TABLE esim_plans DROP COLUMN logo;
ALTER TABLE esim_plans DROP COLUMN starts;
ALTER TABLE esim_plans DROP COLUMN plan_code;
ALTER TABLE esim_profiles DROP COLUMN msisdn;
ALTER TABLE esim_profiles DROP COLUMN imsi;
