-- The totals of the lists that must answer one exactly (CSSS's device,
-- order and SMS lists; an enterprise's page), kept by triggers in the
-- transaction of every write, so that a total is a sum of a few rows
-- instead of a count of every SIM, order or message.
--
-- sim_counts: an enterprise's SIMs in buckets of ICCIDs sharing their first
-- 16 characters (1,000 to 10,000 consecutive ICCIDs), as in_use_counts:
-- their running sum also finds where a page of the device list starts.
-- order_counts and sms_counts: an enterprise's orders by status and buy
-- type, and its messages by direction and state, each split over the last
-- two characters of the ICCID (up to 100 rows) so that concurrent writers
-- of one enterprise seldom share a row.
-- The delivery log's filters by state (the pending deliveries) and by
-- event type, and the order lists' filter by status (of an enterprise or
-- of all), read their own index instead of the whole log or list.

-- +goose Up
CREATE TABLE sim_counts (
    enterprise_code TEXT    NOT NULL,
    bucket          TEXT    NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (enterprise_code, bucket)
) WITHOUT ROWID;

CREATE TABLE order_counts (
    enterprise_code TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    buy_type        INTEGER NOT NULL,
    shard           TEXT    NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (enterprise_code, status, buy_type, shard)
) WITHOUT ROWID;

CREATE TABLE sms_counts (
    enterprise_code TEXT    NOT NULL,
    direction       TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    shard           TEXT    NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (enterprise_code, direction, state, shard)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER sims_count_insert AFTER INSERT ON sims
BEGIN
    INSERT INTO sim_counts (enterprise_code, bucket, n) VALUES (NEW.enterprise_code, substr(NEW.iccid, 1, 16), 1)
    ON CONFLICT (enterprise_code, bucket) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sims_count_update AFTER UPDATE OF iccid, enterprise_code ON sims
WHEN OLD.iccid <> NEW.iccid OR OLD.enterprise_code <> NEW.enterprise_code
BEGIN
    UPDATE sim_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND bucket = substr(OLD.iccid, 1, 16);
    INSERT INTO sim_counts (enterprise_code, bucket, n) VALUES (NEW.enterprise_code, substr(NEW.iccid, 1, 16), 1)
    ON CONFLICT (enterprise_code, bucket) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sims_count_delete AFTER DELETE ON sims
BEGIN
    UPDATE sim_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND bucket = substr(OLD.iccid, 1, 16);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER orders_count_insert AFTER INSERT ON orders
BEGIN
    INSERT INTO order_counts (enterprise_code, status, buy_type, shard, n)
    VALUES (NEW.enterprise_code, NEW.status, NEW.buy_type, substr(NEW.iccid, -2), 1)
    ON CONFLICT (enterprise_code, status, buy_type, shard) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER orders_count_update AFTER UPDATE OF status, buy_type, iccid, enterprise_code ON orders
WHEN OLD.status <> NEW.status OR OLD.buy_type <> NEW.buy_type OR OLD.iccid <> NEW.iccid OR OLD.enterprise_code <> NEW.enterprise_code
BEGIN
    UPDATE order_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND status = OLD.status
        AND buy_type = OLD.buy_type AND shard = substr(OLD.iccid, -2);
    INSERT INTO order_counts (enterprise_code, status, buy_type, shard, n)
    VALUES (NEW.enterprise_code, NEW.status, NEW.buy_type, substr(NEW.iccid, -2), 1)
    ON CONFLICT (enterprise_code, status, buy_type, shard) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER orders_count_delete AFTER DELETE ON orders
BEGIN
    UPDATE order_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND status = OLD.status
        AND buy_type = OLD.buy_type AND shard = substr(OLD.iccid, -2);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sms_count_insert AFTER INSERT ON sms
BEGIN
    INSERT INTO sms_counts (enterprise_code, direction, state, shard, n)
    VALUES (NEW.enterprise_code, NEW.direction, NEW.state, substr(NEW.iccid, -2), 1)
    ON CONFLICT (enterprise_code, direction, state, shard) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sms_count_update AFTER UPDATE OF direction, state, iccid, enterprise_code ON sms
WHEN OLD.direction <> NEW.direction OR OLD.state <> NEW.state OR OLD.iccid <> NEW.iccid OR OLD.enterprise_code <> NEW.enterprise_code
BEGIN
    UPDATE sms_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND direction = OLD.direction
        AND state = OLD.state AND shard = substr(OLD.iccid, -2);
    INSERT INTO sms_counts (enterprise_code, direction, state, shard, n)
    VALUES (NEW.enterprise_code, NEW.direction, NEW.state, substr(NEW.iccid, -2), 1)
    ON CONFLICT (enterprise_code, direction, state, shard) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sms_count_delete AFTER DELETE ON sms
BEGIN
    UPDATE sms_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND direction = OLD.direction
        AND state = OLD.state AND shard = substr(OLD.iccid, -2);
END;
-- +goose StatementEnd

INSERT INTO sim_counts (enterprise_code, bucket, n)
SELECT enterprise_code, substr(iccid, 1, 16), count(*) FROM sims GROUP BY 1, 2;
INSERT INTO order_counts (enterprise_code, status, buy_type, shard, n)
SELECT enterprise_code, status, buy_type, substr(iccid, -2), count(*) FROM orders GROUP BY 1, 2, 3, 4;
INSERT INTO sms_counts (enterprise_code, direction, state, shard, n)
SELECT enterprise_code, direction, state, substr(iccid, -2), count(*) FROM sms GROUP BY 1, 2, 3, 4;

CREATE INDEX deliveries_state ON deliveries (enterprise_code, state, created_at DESC, id);
CREATE INDEX deliveries_type ON deliveries (enterprise_code, type, created_at DESC, id);
CREATE INDEX orders_enterprise_status ON orders (enterprise_code, status, ordered_at DESC, id DESC);
CREATE INDEX orders_status_time ON orders (status, ordered_at DESC, id DESC);

-- +goose Down
DROP INDEX orders_status_time;
DROP INDEX orders_enterprise_status;
DROP INDEX deliveries_type;
DROP INDEX deliveries_state;
DROP TRIGGER sms_count_delete;
DROP TRIGGER sms_count_update;
DROP TRIGGER sms_count_insert;
DROP TRIGGER orders_count_delete;
DROP TRIGGER orders_count_update;
DROP TRIGGER orders_count_insert;
DROP TRIGGER sims_count_delete;
DROP TRIGGER sims_count_update;
DROP TRIGGER sims_count_insert;
DROP TABLE sms_counts;
DROP TABLE order_counts;
DROP TABLE sim_counts;
