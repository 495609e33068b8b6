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
-- of one enterprise seldom wait for each other's row.
-- The triggers are deferred to the commit, so that a long transaction (a
-- bulk order of a thousand devices) holds counter rows only while it
-- commits, not while it runs.
-- The delivery log's filters by state (the pending deliveries) and by
-- event type, and the order lists' filter by status (of an enterprise or
-- of all), read their own index instead of the whole log or list.

-- +goose Up
CREATE TABLE sim_counts (
    enterprise_code text   NOT NULL,
    bucket          text   NOT NULL,
    n               bigint NOT NULL,
    CONSTRAINT sim_counts_pkey PRIMARY KEY (enterprise_code, bucket)
);

CREATE TABLE order_counts (
    enterprise_code text    NOT NULL,
    status          integer NOT NULL,
    buy_type        integer NOT NULL,
    shard           text    NOT NULL,
    n               bigint  NOT NULL,
    CONSTRAINT order_counts_pkey PRIMARY KEY (enterprise_code, status, buy_type, shard)
);

CREATE TABLE sms_counts (
    enterprise_code text   NOT NULL,
    direction       text   NOT NULL,
    state           text   NOT NULL,
    shard           text   NOT NULL,
    n               bigint NOT NULL,
    CONSTRAINT sms_counts_pkey PRIMARY KEY (enterprise_code, direction, state, shard)
);

-- +goose StatementBegin
CREATE FUNCTION count_sims() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE sim_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND bucket = left(OLD.iccid, 16);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO sim_counts (enterprise_code, bucket, n) VALUES (NEW.enterprise_code, left(NEW.iccid, 16), 1)
        ON CONFLICT (enterprise_code, bucket) DO UPDATE SET n = sim_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION count_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE order_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND status = OLD.status
            AND buy_type = OLD.buy_type AND shard = right(OLD.iccid, 2);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO order_counts (enterprise_code, status, buy_type, shard, n)
        VALUES (NEW.enterprise_code, NEW.status, NEW.buy_type, right(NEW.iccid, 2), 1)
        ON CONFLICT (enterprise_code, status, buy_type, shard) DO UPDATE SET n = order_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION count_sms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE sms_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND direction = OLD.direction
            AND state = OLD.state AND shard = right(OLD.iccid, 2);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO sms_counts (enterprise_code, direction, state, shard, n)
        VALUES (NEW.enterprise_code, NEW.direction, NEW.state, right(NEW.iccid, 2), 1)
        ON CONFLICT (enterprise_code, direction, state, shard) DO UPDATE SET n = sms_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER sims_count_insert AFTER INSERT ON sims DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_sims();
CREATE CONSTRAINT TRIGGER sims_count_update AFTER UPDATE OF iccid, enterprise_code ON sims DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.iccid <> NEW.iccid OR OLD.enterprise_code <> NEW.enterprise_code) EXECUTE FUNCTION count_sims();
CREATE CONSTRAINT TRIGGER sims_count_delete AFTER DELETE ON sims DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_sims();

CREATE CONSTRAINT TRIGGER orders_count_insert AFTER INSERT ON orders DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_orders();
CREATE CONSTRAINT TRIGGER orders_count_update AFTER UPDATE OF status, buy_type, iccid, enterprise_code ON orders DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.status <> NEW.status OR OLD.buy_type <> NEW.buy_type OR OLD.iccid <> NEW.iccid
        OR OLD.enterprise_code <> NEW.enterprise_code) EXECUTE FUNCTION count_orders();
CREATE CONSTRAINT TRIGGER orders_count_delete AFTER DELETE ON orders DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_orders();

CREATE CONSTRAINT TRIGGER sms_count_insert AFTER INSERT ON sms DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_sms();
CREATE CONSTRAINT TRIGGER sms_count_update AFTER UPDATE OF direction, state, iccid, enterprise_code ON sms DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.direction <> NEW.direction OR OLD.state <> NEW.state OR OLD.iccid <> NEW.iccid
        OR OLD.enterprise_code <> NEW.enterprise_code) EXECUTE FUNCTION count_sms();
CREATE CONSTRAINT TRIGGER sms_count_delete AFTER DELETE ON sms DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_sms();

INSERT INTO sim_counts (enterprise_code, bucket, n)
SELECT enterprise_code, left(iccid, 16), count(*) FROM sims GROUP BY 1, 2;
INSERT INTO order_counts (enterprise_code, status, buy_type, shard, n)
SELECT enterprise_code, status, buy_type, right(iccid, 2), count(*) FROM orders GROUP BY 1, 2, 3, 4;
INSERT INTO sms_counts (enterprise_code, direction, state, shard, n)
SELECT enterprise_code, direction, state, right(iccid, 2), count(*) FROM sms GROUP BY 1, 2, 3, 4;

CREATE INDEX deliveries_state ON deliveries (enterprise_code, state, created_at DESC, id);
CREATE INDEX deliveries_type ON deliveries (enterprise_code, type, created_at DESC, id);
CREATE INDEX orders_enterprise_status ON orders (enterprise_code, status, ordered_at DESC, id DESC);
CREATE INDEX orders_status_time ON orders (status, ordered_at DESC, id DESC);

-- +goose Down
DROP INDEX orders_status_time;
DROP INDEX orders_enterprise_status;
DROP INDEX deliveries_type;
DROP INDEX deliveries_state;
DROP TRIGGER sms_count_delete ON sms;
DROP TRIGGER sms_count_update ON sms;
DROP TRIGGER sms_count_insert ON sms;
DROP TRIGGER orders_count_delete ON orders;
DROP TRIGGER orders_count_update ON orders;
DROP TRIGGER orders_count_insert ON orders;
DROP TRIGGER sims_count_delete ON sims;
DROP TRIGGER sims_count_update ON sims;
DROP TRIGGER sims_count_insert ON sims;
DROP FUNCTION count_sms();
DROP FUNCTION count_orders();
DROP FUNCTION count_sims();
DROP TABLE sms_counts;
DROP TABLE order_counts;
DROP TABLE sim_counts;
