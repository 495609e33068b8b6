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

CREATE TABLE mall_groups (
    enterprise_code text NOT NULL REFERENCES enterprises (access_code),
    group_id        text NOT NULL,
    name            text NOT NULL,
    base_plan       text NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (enterprise_code, group_id)
);

CREATE TABLE mall_group_sims (
    enterprise_code text NOT NULL,
    iccid           text NOT NULL,
    group_id        text NOT NULL,
    added_at        timestamptz NOT NULL,
    PRIMARY KEY (enterprise_code, iccid),
    FOREIGN KEY (enterprise_code, group_id) REFERENCES mall_groups (enterprise_code, group_id)
);

CREATE INDEX mall_group_sims_group ON mall_group_sims (enterprise_code, group_id, iccid);

CREATE TABLE mall_group_results (
    enterprise_code text NOT NULL,
    request_id      text NOT NULL,
    group_id        text NOT NULL,
    operation       text NOT NULL,
    items           text NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (enterprise_code, request_id)
);

-- +goose Down
DROP TABLE mall_group_results;
DROP TABLE mall_group_sims;
DROP TABLE mall_groups;
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
