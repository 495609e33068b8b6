-- The operator's lists of the shops: Mall and eSIM orders (and the
-- payments of both) newest first, of every enterprise or of one, read a
-- page at a time on these indexes.

-- +goose Up
CREATE INDEX mall_orders_created ON mall_orders (created_at, enterprise_code, order_no);
CREATE INDEX mall_orders_enterprise_created ON mall_orders (enterprise_code, created_at, order_no);
CREATE INDEX esim_orders_created ON esim_orders (created_at, id);
CREATE INDEX esim_orders_enterprise_created ON esim_orders (enterprise_code, created_at, id);
CREATE INDEX esim_orders_iccid ON esim_orders (iccid, created_at, id);

-- +goose Down
DROP INDEX esim_orders_iccid;
DROP INDEX esim_orders_enterprise_created;
DROP INDEX esim_orders_created;
DROP INDEX mall_orders_enterprise_created;
DROP INDEX mall_orders_created;
