-- The counts that let a deep page of CSSS's order and SMS lists (paged by
-- offset, newest first) start at its place instead of skipping every
-- entry before it: an enterprise's orders by status and buy type, and its
-- messages by direction and state, in time buckets at four widths, kept by
-- triggers in the transaction of every write.
--
-- A bucket is the row's time (Unix microseconds) shifted right by `shift`:
-- 40 (2^40 µs, about 12.7 days), 34 (about 4.8 hours), 28 (about 4.5
-- minutes) and 22 (about 4.2 seconds); each bucket holds 64 of the next
-- width. A page at offset k sums the widest buckets newest first to find
-- the one holding its k-th row, then that bucket's 64 narrower ones, and so
-- on, and reads from the end of one 4.2-second bucket, skipping at most
-- that bucket's rows. (A right shift is a floor division, before 1970 too.)
-- Writes are serialised on SQLite, so the counts are not split over
-- shards as they are on PostgreSQL.

-- +goose Up
CREATE TABLE order_time_counts (
    enterprise_code TEXT    NOT NULL,
    shift           INTEGER NOT NULL,
    bucket          INTEGER NOT NULL,
    status          INTEGER NOT NULL,
    buy_type        INTEGER NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (enterprise_code, shift, bucket, status, buy_type)
) WITHOUT ROWID;

CREATE TABLE sms_time_counts (
    enterprise_code TEXT    NOT NULL,
    shift           INTEGER NOT NULL,
    bucket          INTEGER NOT NULL,
    direction       TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (enterprise_code, shift, bucket, direction, state)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER orders_time_count_insert AFTER INSERT ON orders
BEGIN
    INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, n)
    VALUES (NEW.enterprise_code, 40, NEW.ordered_at >> 40, NEW.status, NEW.buy_type, 1),
           (NEW.enterprise_code, 34, NEW.ordered_at >> 34, NEW.status, NEW.buy_type, 1),
           (NEW.enterprise_code, 28, NEW.ordered_at >> 28, NEW.status, NEW.buy_type, 1),
           (NEW.enterprise_code, 22, NEW.ordered_at >> 22, NEW.status, NEW.buy_type, 1)
    ON CONFLICT (enterprise_code, shift, bucket, status, buy_type) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER orders_time_count_update AFTER UPDATE OF status, buy_type, ordered_at, enterprise_code ON orders
WHEN OLD.status <> NEW.status OR OLD.buy_type <> NEW.buy_type OR OLD.ordered_at <> NEW.ordered_at
    OR OLD.enterprise_code <> NEW.enterprise_code
BEGIN
    UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 40
        AND bucket = OLD.ordered_at >> 40 AND status = OLD.status AND buy_type = OLD.buy_type;
    UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 34
        AND bucket = OLD.ordered_at >> 34 AND status = OLD.status AND buy_type = OLD.buy_type;
    UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 28
        AND bucket = OLD.ordered_at >> 28 AND status = OLD.status AND buy_type = OLD.buy_type;
    UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 22
        AND bucket = OLD.ordered_at >> 22 AND status = OLD.status AND buy_type = OLD.buy_type;
    INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, n)
    VALUES (NEW.enterprise_code, 40, NEW.ordered_at >> 40, NEW.status, NEW.buy_type, 1),
           (NEW.enterprise_code, 34, NEW.ordered_at >> 34, NEW.status, NEW.buy_type, 1),
           (NEW.enterprise_code, 28, NEW.ordered_at >> 28, NEW.status, NEW.buy_type, 1),
           (NEW.enterprise_code, 22, NEW.ordered_at >> 22, NEW.status, NEW.buy_type, 1)
    ON CONFLICT (enterprise_code, shift, bucket, status, buy_type) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER orders_time_count_delete AFTER DELETE ON orders
BEGIN
    UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 40
        AND bucket = OLD.ordered_at >> 40 AND status = OLD.status AND buy_type = OLD.buy_type;
    UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 34
        AND bucket = OLD.ordered_at >> 34 AND status = OLD.status AND buy_type = OLD.buy_type;
    UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 28
        AND bucket = OLD.ordered_at >> 28 AND status = OLD.status AND buy_type = OLD.buy_type;
    UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 22
        AND bucket = OLD.ordered_at >> 22 AND status = OLD.status AND buy_type = OLD.buy_type;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sms_time_count_insert AFTER INSERT ON sms
BEGIN
    INSERT INTO sms_time_counts (enterprise_code, shift, bucket, direction, state, n)
    VALUES (NEW.enterprise_code, 40, NEW.created_at >> 40, NEW.direction, NEW.state, 1),
           (NEW.enterprise_code, 34, NEW.created_at >> 34, NEW.direction, NEW.state, 1),
           (NEW.enterprise_code, 28, NEW.created_at >> 28, NEW.direction, NEW.state, 1),
           (NEW.enterprise_code, 22, NEW.created_at >> 22, NEW.direction, NEW.state, 1)
    ON CONFLICT (enterprise_code, shift, bucket, direction, state) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sms_time_count_update AFTER UPDATE OF direction, state, created_at, enterprise_code ON sms
WHEN OLD.direction <> NEW.direction OR OLD.state <> NEW.state OR OLD.created_at <> NEW.created_at
    OR OLD.enterprise_code <> NEW.enterprise_code
BEGIN
    UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 40
        AND bucket = OLD.created_at >> 40 AND direction = OLD.direction AND state = OLD.state;
    UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 34
        AND bucket = OLD.created_at >> 34 AND direction = OLD.direction AND state = OLD.state;
    UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 28
        AND bucket = OLD.created_at >> 28 AND direction = OLD.direction AND state = OLD.state;
    UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 22
        AND bucket = OLD.created_at >> 22 AND direction = OLD.direction AND state = OLD.state;
    INSERT INTO sms_time_counts (enterprise_code, shift, bucket, direction, state, n)
    VALUES (NEW.enterprise_code, 40, NEW.created_at >> 40, NEW.direction, NEW.state, 1),
           (NEW.enterprise_code, 34, NEW.created_at >> 34, NEW.direction, NEW.state, 1),
           (NEW.enterprise_code, 28, NEW.created_at >> 28, NEW.direction, NEW.state, 1),
           (NEW.enterprise_code, 22, NEW.created_at >> 22, NEW.direction, NEW.state, 1)
    ON CONFLICT (enterprise_code, shift, bucket, direction, state) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sms_time_count_delete AFTER DELETE ON sms
BEGIN
    UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 40
        AND bucket = OLD.created_at >> 40 AND direction = OLD.direction AND state = OLD.state;
    UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 34
        AND bucket = OLD.created_at >> 34 AND direction = OLD.direction AND state = OLD.state;
    UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 28
        AND bucket = OLD.created_at >> 28 AND direction = OLD.direction AND state = OLD.state;
    UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 22
        AND bucket = OLD.created_at >> 22 AND direction = OLD.direction AND state = OLD.state;
END;
-- +goose StatementEnd

INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, n)
SELECT enterprise_code, 40, ordered_at >> 40, status, buy_type, count(*) FROM orders GROUP BY 1, 3, 4, 5;
INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, n)
SELECT enterprise_code, 34, ordered_at >> 34, status, buy_type, count(*) FROM orders GROUP BY 1, 3, 4, 5;
INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, n)
SELECT enterprise_code, 28, ordered_at >> 28, status, buy_type, count(*) FROM orders GROUP BY 1, 3, 4, 5;
INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, n)
SELECT enterprise_code, 22, ordered_at >> 22, status, buy_type, count(*) FROM orders GROUP BY 1, 3, 4, 5;
INSERT INTO sms_time_counts (enterprise_code, shift, bucket, direction, state, n)
SELECT enterprise_code, 40, created_at >> 40, direction, state, count(*) FROM sms GROUP BY 1, 3, 4, 5;
INSERT INTO sms_time_counts (enterprise_code, shift, bucket, direction, state, n)
SELECT enterprise_code, 34, created_at >> 34, direction, state, count(*) FROM sms GROUP BY 1, 3, 4, 5;
INSERT INTO sms_time_counts (enterprise_code, shift, bucket, direction, state, n)
SELECT enterprise_code, 28, created_at >> 28, direction, state, count(*) FROM sms GROUP BY 1, 3, 4, 5;
INSERT INTO sms_time_counts (enterprise_code, shift, bucket, direction, state, n)
SELECT enterprise_code, 22, created_at >> 22, direction, state, count(*) FROM sms GROUP BY 1, 3, 4, 5;

-- +goose Down
DROP TRIGGER sms_time_count_delete;
DROP TRIGGER sms_time_count_update;
DROP TRIGGER sms_time_count_insert;
DROP TRIGGER orders_time_count_delete;
DROP TRIGGER orders_time_count_update;
DROP TRIGGER orders_time_count_insert;
DROP TABLE sms_time_counts;
DROP TABLE order_time_counts;
