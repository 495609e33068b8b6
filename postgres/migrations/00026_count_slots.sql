-- The counts kept by triggers (order_counts, order_time_counts, sms_counts,
-- sms_time_counts) go, for the transactions of a shared commit (the order
-- transactions committed together, postgres/groupcommit.go), to rows of
-- their own: each lane of shared commits holds a connection with a slot
-- no other session holds (a session advisory lock, see claimSlot), and
-- names it for its transaction in the setting opencube.slot; the triggers
-- then count in shard 'L' followed by the slot. Two shared commits in
-- flight so never write the same count row: they neither wait for each
-- other's commit there nor deadlock on count rows, whatever rows they
-- change and in whatever order. Other transactions count as before, in
-- shards of the ICCID's last characters, which spread the rows that a
-- transaction changing many orders (a bulk order) updates again and again.
-- A change takes one from the old values' row in the shard it counts in,
-- which may so go below zero; a count is the sum of its rows, exact as
-- before.
--
-- The in-use counts (in_use_counts, by ICCID prefix) are kept at the
-- commit, as the others are, instead of at each statement: a transaction
-- then takes their row locks after all of its statements, in the order of
-- its changes (a shared commit's: its members' ICCIDs).

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION count_orders() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    slot text := 'L' || NULLIF(current_setting('opencube.slot', true), '');
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO order_counts (enterprise_code, status, buy_type, shard, n)
        VALUES (OLD.enterprise_code, OLD.status, OLD.buy_type, COALESCE(slot, right(OLD.iccid, 2)), -1)
        ON CONFLICT (enterprise_code, status, buy_type, shard) DO UPDATE SET n = order_counts.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO order_counts (enterprise_code, status, buy_type, shard, n)
        VALUES (NEW.enterprise_code, NEW.status, NEW.buy_type, COALESCE(slot, right(NEW.iccid, 2)), 1)
        ON CONFLICT (enterprise_code, status, buy_type, shard) DO UPDATE SET n = order_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION count_sms() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    slot text := 'L' || NULLIF(current_setting('opencube.slot', true), '');
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO sms_counts (enterprise_code, direction, state, shard, n)
        VALUES (OLD.enterprise_code, OLD.direction, OLD.state, COALESCE(slot, right(OLD.iccid, 2)), -1)
        ON CONFLICT (enterprise_code, direction, state, shard) DO UPDATE SET n = sms_counts.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO sms_counts (enterprise_code, direction, state, shard, n)
        VALUES (NEW.enterprise_code, NEW.direction, NEW.state, COALESCE(slot, right(NEW.iccid, 2)), 1)
        ON CONFLICT (enterprise_code, direction, state, shard) DO UPDATE SET n = sms_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION count_order_times() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    us bigint;
    slot text := 'L' || NULLIF(current_setting('opencube.slot', true), '');
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        us := (extract(epoch FROM OLD.ordered_at) * 1000000)::bigint;
        INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, shard, n)
        VALUES (OLD.enterprise_code, 40, us >> 40, OLD.status, OLD.buy_type, COALESCE(slot, right(OLD.iccid, 1)), -1),
               (OLD.enterprise_code, 34, us >> 34, OLD.status, OLD.buy_type, COALESCE(slot, right(OLD.iccid, 1)), -1),
               (OLD.enterprise_code, 28, us >> 28, OLD.status, OLD.buy_type, COALESCE(slot, right(OLD.iccid, 1)), -1),
               (OLD.enterprise_code, 22, us >> 22, OLD.status, OLD.buy_type, COALESCE(slot, right(OLD.iccid, 1)), -1)
        ON CONFLICT (enterprise_code, shift, bucket, status, buy_type, shard) DO UPDATE SET n = order_time_counts.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        us := (extract(epoch FROM NEW.ordered_at) * 1000000)::bigint;
        INSERT INTO order_time_counts (enterprise_code, shift, bucket, status, buy_type, shard, n)
        VALUES (NEW.enterprise_code, 40, us >> 40, NEW.status, NEW.buy_type, COALESCE(slot, right(NEW.iccid, 1)), 1),
               (NEW.enterprise_code, 34, us >> 34, NEW.status, NEW.buy_type, COALESCE(slot, right(NEW.iccid, 1)), 1),
               (NEW.enterprise_code, 28, us >> 28, NEW.status, NEW.buy_type, COALESCE(slot, right(NEW.iccid, 1)), 1),
               (NEW.enterprise_code, 22, us >> 22, NEW.status, NEW.buy_type, COALESCE(slot, right(NEW.iccid, 1)), 1)
        ON CONFLICT (enterprise_code, shift, bucket, status, buy_type, shard) DO UPDATE SET n = order_time_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION count_sms_times() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    us bigint;
    slot text := 'L' || NULLIF(current_setting('opencube.slot', true), '');
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        us := (extract(epoch FROM OLD.created_at) * 1000000)::bigint;
        INSERT INTO sms_time_counts (enterprise_code, shift, bucket, direction, state, shard, n)
        VALUES (OLD.enterprise_code, 40, us >> 40, OLD.direction, OLD.state, COALESCE(slot, right(OLD.iccid, 1)), -1),
               (OLD.enterprise_code, 34, us >> 34, OLD.direction, OLD.state, COALESCE(slot, right(OLD.iccid, 1)), -1),
               (OLD.enterprise_code, 28, us >> 28, OLD.direction, OLD.state, COALESCE(slot, right(OLD.iccid, 1)), -1),
               (OLD.enterprise_code, 22, us >> 22, OLD.direction, OLD.state, COALESCE(slot, right(OLD.iccid, 1)), -1)
        ON CONFLICT (enterprise_code, shift, bucket, direction, state, shard) DO UPDATE SET n = sms_time_counts.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        us := (extract(epoch FROM NEW.created_at) * 1000000)::bigint;
        INSERT INTO sms_time_counts (enterprise_code, shift, bucket, direction, state, shard, n)
        VALUES (NEW.enterprise_code, 40, us >> 40, NEW.direction, NEW.state, COALESCE(slot, right(NEW.iccid, 1)), 1),
               (NEW.enterprise_code, 34, us >> 34, NEW.direction, NEW.state, COALESCE(slot, right(NEW.iccid, 1)), 1),
               (NEW.enterprise_code, 28, us >> 28, NEW.direction, NEW.state, COALESCE(slot, right(NEW.iccid, 1)), 1),
               (NEW.enterprise_code, 22, us >> 22, NEW.direction, NEW.state, COALESCE(slot, right(NEW.iccid, 1)), 1)
        ON CONFLICT (enterprise_code, shift, bucket, direction, state, shard) DO UPDATE SET n = sms_time_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

DROP TRIGGER orders_in_use_insert ON orders;
DROP TRIGGER orders_in_use_update ON orders;
DROP TRIGGER orders_in_use_delete ON orders;
CREATE CONSTRAINT TRIGGER orders_in_use_insert AFTER INSERT ON orders DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.status = 2) EXECUTE FUNCTION count_in_use();
CREATE CONSTRAINT TRIGGER orders_in_use_update AFTER UPDATE OF status, iccid, enterprise_code ON orders DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN ((OLD.status = 2 OR NEW.status = 2)
        AND (OLD.status <> NEW.status OR OLD.iccid <> NEW.iccid OR OLD.enterprise_code <> NEW.enterprise_code))
    EXECUTE FUNCTION count_in_use();
CREATE CONSTRAINT TRIGGER orders_in_use_delete AFTER DELETE ON orders DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.status = 2) EXECUTE FUNCTION count_in_use();

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION count_orders() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION count_sms() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION count_order_times() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION count_sms_times() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TRIGGER orders_in_use_insert ON orders;
DROP TRIGGER orders_in_use_update ON orders;
DROP TRIGGER orders_in_use_delete ON orders;
CREATE TRIGGER orders_in_use_insert AFTER INSERT ON orders
    FOR EACH ROW WHEN (NEW.status = 2) EXECUTE FUNCTION count_in_use();
CREATE TRIGGER orders_in_use_update AFTER UPDATE OF status, iccid, enterprise_code ON orders
    FOR EACH ROW WHEN ((OLD.status = 2 OR NEW.status = 2)
        AND (OLD.status <> NEW.status OR OLD.iccid <> NEW.iccid OR OLD.enterprise_code <> NEW.enterprise_code))
    EXECUTE FUNCTION count_in_use();
CREATE TRIGGER orders_in_use_delete AFTER DELETE ON orders
    FOR EACH ROW WHEN (OLD.status = 2) EXECUTE FUNCTION count_in_use();
