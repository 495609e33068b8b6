-- The counts that let a deep page of CSSS's order and SMS lists (paged by
-- offset, newest first) start at its place instead of skipping every
-- entry before it: an enterprise's orders by status and buy type, and its
-- messages by direction and state, in time buckets at four widths, kept by
-- triggers in the transaction of every write.
--
-- A bucket is the row's time in Unix microseconds shifted right by
-- `shift`: 40 (2^40 µs, about 12.7 days), 34 (about 4.8 hours), 28 (about
-- 4.5 minutes) and 22 (about 4.2 seconds); each bucket holds 64 of the next
-- width. A page at offset k sums the widest buckets newest first to find
-- the one holding its k-th row, then that bucket's 64 narrower ones, and
-- so on, and reads from the end of one 4.2-second bucket, skipping at most
-- that bucket's rows. (bigint >> is an arithmetic shift: a floor division,
-- before 1970 too.)
-- Each count is split over the last character of the ICCID (up to 10
-- rows), so that concurrent writers of one enterprise, which all write the
-- buckets of the present time, seldom wait for each other's row; the
-- triggers are deferred to the commit, as those of order_counts.

-- +goose Up
CREATE TABLE order_time_counts (
    enterprise_code text    NOT NULL,
    shift           integer NOT NULL,
    bucket          bigint  NOT NULL,
    status          integer NOT NULL,
    buy_type        integer NOT NULL,
    shard           text    NOT NULL,
    n               bigint  NOT NULL,
    CONSTRAINT order_time_counts_pkey PRIMARY KEY (enterprise_code, shift, bucket, status, buy_type, shard)
);

CREATE TABLE sms_time_counts (
    enterprise_code text    NOT NULL,
    shift           integer NOT NULL,
    bucket          bigint  NOT NULL,
    direction       text    NOT NULL,
    state           text    NOT NULL,
    shard           text    NOT NULL,
    n               bigint  NOT NULL,
    CONSTRAINT sms_time_counts_pkey PRIMARY KEY (enterprise_code, shift, bucket, direction, state, shard)
);

-- +goose StatementBegin
CREATE FUNCTION count_order_times() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    us bigint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        us := (extract(epoch FROM OLD.ordered_at) * 1000000)::bigint;
        UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 40
            AND bucket = us >> 40 AND status = OLD.status AND buy_type = OLD.buy_type AND shard = right(OLD.iccid, 1);
        UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 34
            AND bucket = us >> 34 AND status = OLD.status AND buy_type = OLD.buy_type AND shard = right(OLD.iccid, 1);
        UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 28
            AND bucket = us >> 28 AND status = OLD.status AND buy_type = OLD.buy_type AND shard = right(OLD.iccid, 1);
        UPDATE order_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 22
            AND bucket = us >> 22 AND status = OLD.status AND buy_type = OLD.buy_type AND shard = right(OLD.iccid, 1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        us := (extract(epoch FROM NEW.ordered_at) * 1000000)::bigint;
        INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, shard, n)
        VALUES (NEW.enterprise_code, 40, us >> 40, NEW.status, NEW.buy_type, right(NEW.iccid, 1), 1),
               (NEW.enterprise_code, 34, us >> 34, NEW.status, NEW.buy_type, right(NEW.iccid, 1), 1),
               (NEW.enterprise_code, 28, us >> 28, NEW.status, NEW.buy_type, right(NEW.iccid, 1), 1),
               (NEW.enterprise_code, 22, us >> 22, NEW.status, NEW.buy_type, right(NEW.iccid, 1), 1)
        ON CONFLICT (enterprise_code, shift, bucket, status, buy_type, shard) DO UPDATE SET n = order_time_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION count_sms_times() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    us bigint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        us := (extract(epoch FROM OLD.created_at) * 1000000)::bigint;
        UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 40
            AND bucket = us >> 40 AND direction = OLD.direction AND state = OLD.state AND shard = right(OLD.iccid, 1);
        UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 34
            AND bucket = us >> 34 AND direction = OLD.direction AND state = OLD.state AND shard = right(OLD.iccid, 1);
        UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 28
            AND bucket = us >> 28 AND direction = OLD.direction AND state = OLD.state AND shard = right(OLD.iccid, 1);
        UPDATE sms_time_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND shift = 22
            AND bucket = us >> 22 AND direction = OLD.direction AND state = OLD.state AND shard = right(OLD.iccid, 1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        us := (extract(epoch FROM NEW.created_at) * 1000000)::bigint;
        INSERT INTO sms_time_counts (enterprise_code, shift, bucket, direction, state, shard, n)
        VALUES (NEW.enterprise_code, 40, us >> 40, NEW.direction, NEW.state, right(NEW.iccid, 1), 1),
               (NEW.enterprise_code, 34, us >> 34, NEW.direction, NEW.state, right(NEW.iccid, 1), 1),
               (NEW.enterprise_code, 28, us >> 28, NEW.direction, NEW.state, right(NEW.iccid, 1), 1),
               (NEW.enterprise_code, 22, us >> 22, NEW.direction, NEW.state, right(NEW.iccid, 1), 1)
        ON CONFLICT (enterprise_code, shift, bucket, direction, state, shard) DO UPDATE SET n = sms_time_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER orders_time_count_insert AFTER INSERT ON orders DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_order_times();
CREATE CONSTRAINT TRIGGER orders_time_count_update AFTER UPDATE OF status, buy_type, ordered_at, iccid, enterprise_code ON orders
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.status <> NEW.status OR OLD.buy_type <> NEW.buy_type OR OLD.ordered_at <> NEW.ordered_at
        OR OLD.iccid <> NEW.iccid OR OLD.enterprise_code <> NEW.enterprise_code) EXECUTE FUNCTION count_order_times();
CREATE CONSTRAINT TRIGGER orders_time_count_delete AFTER DELETE ON orders DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_order_times();

CREATE CONSTRAINT TRIGGER sms_time_count_insert AFTER INSERT ON sms DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_sms_times();
CREATE CONSTRAINT TRIGGER sms_time_count_update AFTER UPDATE OF direction, state, created_at, iccid, enterprise_code ON sms
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.direction <> NEW.direction OR OLD.state <> NEW.state OR OLD.created_at <> NEW.created_at
        OR OLD.iccid <> NEW.iccid OR OLD.enterprise_code <> NEW.enterprise_code) EXECUTE FUNCTION count_sms_times();
CREATE CONSTRAINT TRIGGER sms_time_count_delete AFTER DELETE ON sms DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_sms_times();

INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, shard, n)
SELECT enterprise_code, s.shift, (extract(epoch FROM ordered_at) * 1000000)::bigint >> s.shift, status, buy_type, right(iccid, 1), count(*)
FROM orders, (VALUES (40), (34), (28), (22)) s (shift) GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO sms_time_counts (enterprise_code, shift, bucket, direction, state, shard, n)
SELECT enterprise_code, s.shift, (extract(epoch FROM created_at) * 1000000)::bigint >> s.shift, direction, state, right(iccid, 1), count(*)
FROM sms, (VALUES (40), (34), (28), (22)) s (shift) GROUP BY 1, 2, 3, 4, 5, 6;

-- +goose Down
DROP TRIGGER sms_time_count_delete ON sms;
DROP TRIGGER sms_time_count_update ON sms;
DROP TRIGGER sms_time_count_insert ON sms;
DROP TRIGGER orders_time_count_delete ON orders;
DROP TRIGGER orders_time_count_update ON orders;
DROP TRIGGER orders_time_count_insert ON orders;
DROP FUNCTION count_sms_times();
DROP FUNCTION count_order_times();
DROP TABLE sms_time_counts;
DROP TABLE order_time_counts;
