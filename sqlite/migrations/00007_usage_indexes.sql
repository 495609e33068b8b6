-- queryUsingDeviceList: an enterprise's SIMs with an in-use order, in ICCID
-- order, read from the orders (a SIM has one in-use order at most) rather
-- than by testing every SIM of the enterprise.

-- +goose Up
CREATE INDEX orders_in_use ON orders (enterprise_code, iccid) WHERE status = 2;

-- +goose Down
DROP INDEX orders_in_use;
