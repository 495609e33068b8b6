-- The in-use SIMs of each enterprise (SIMs with an order in use, status 2),
-- counted in buckets of ICCIDs sharing their first 16 characters (1,000 to
-- 10,000 consecutive ICCIDs), kept by triggers in the transaction of every
-- write to orders. The sum of an enterprise's buckets is the total of its
-- in-use list, and the running sum finds where a page starts without
-- reading the SIMs before it. Writers of different buckets do not queue on
-- one row.

-- +goose Up
CREATE TABLE in_use_counts (
    enterprise_code text   NOT NULL,
    bucket          text   NOT NULL,
    n               bigint NOT NULL,
    CONSTRAINT in_use_counts_pkey PRIMARY KEY (enterprise_code, bucket)
);

-- +goose StatementBegin
CREATE FUNCTION count_in_use() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 2 THEN
        UPDATE in_use_counts SET n = n - 1
        WHERE enterprise_code = OLD.enterprise_code AND bucket = left(OLD.iccid, 16);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 2 THEN
        INSERT INTO in_use_counts (enterprise_code, bucket, n) VALUES (NEW.enterprise_code, left(NEW.iccid, 16), 1)
        ON CONFLICT (enterprise_code, bucket) DO UPDATE SET n = in_use_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER orders_in_use_insert AFTER INSERT ON orders
    FOR EACH ROW WHEN (NEW.status = 2) EXECUTE FUNCTION count_in_use();
CREATE TRIGGER orders_in_use_update AFTER UPDATE OF status, iccid, enterprise_code ON orders
    FOR EACH ROW WHEN ((OLD.status = 2 OR NEW.status = 2)
        AND (OLD.status <> NEW.status OR OLD.iccid <> NEW.iccid OR OLD.enterprise_code <> NEW.enterprise_code))
    EXECUTE FUNCTION count_in_use();
CREATE TRIGGER orders_in_use_delete AFTER DELETE ON orders
    FOR EACH ROW WHEN (OLD.status = 2) EXECUTE FUNCTION count_in_use();

INSERT INTO in_use_counts (enterprise_code, bucket, n)
SELECT enterprise_code, left(iccid, 16), count(*) FROM orders WHERE status = 2 GROUP BY 1, 2;

-- +goose Down
DROP TRIGGER orders_in_use_delete ON orders;
DROP TRIGGER orders_in_use_update ON orders;
DROP TRIGGER orders_in_use_insert ON orders;
DROP FUNCTION count_in_use();
DROP TABLE in_use_counts;
