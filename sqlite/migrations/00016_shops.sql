-- +goose Up
-- The shops made whole: eSIM profiles carry their subscriber, eSIM plans
-- sell a core plan, paid eSIM orders name the SIM order they made, and
-- Mall orders follow their Stripe payment and subscription.
ALTER TABLE esim_profiles ADD COLUMN imsi TEXT NOT NULL DEFAULT '';
ALTER TABLE esim_profiles ADD COLUMN msisdn TEXT NOT NULL DEFAULT '';
ALTER TABLE esim_plans ADD COLUMN plan_code TEXT NOT NULL DEFAULT '';
ALTER TABLE esim_plans ADD COLUMN starts TEXT NOT NULL DEFAULT '';
ALTER TABLE esim_plans ADD COLUMN logo TEXT NOT NULL DEFAULT '';
ALTER TABLE esim_orders ADD COLUMN sim_order_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE esim_orders DROP COLUMN sim_order_id;
ALTER TABLE esim_plans DROP COLUMN logo;
ALTER TABLE esim_plans DROP COLUMN starts;
ALTER TABLE esim_plans DROP COLUMN plan_code;
ALTER TABLE esim_profiles DROP COLUMN msisdn;
ALTER TABLE esim_profiles DROP COLUMN imsi;
