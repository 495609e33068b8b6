-- The in-use SIMs of each enterprise (SIMs with an order in use, status 2),
-- counted in buckets of ICCIDs sharing their first 16 characters (1,000 to
-- 10,000 consecutive ICCIDs), kept by triggers in the transaction of every
-- write to orders. The sum of an enterprise's buckets is the total of its
-- in-use list, and the running sum finds where a page starts without
-- reading the SIMs before it.

-- +goose Up
CREATE TABLE in_use_counts (
    enterprise_code TEXT    NOT NULL,
    bucket          TEXT    NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (enterprise_code, bucket)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER orders_in_use_insert AFTER INSERT ON orders WHEN NEW.status = 2
BEGIN
    INSERT INTO in_use_counts (enterprise_code, bucket, n) VALUES (NEW.enterprise_code, substr(NEW.iccid, 1, 16), 1)
    ON CONFLICT (enterprise_code, bucket) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER orders_in_use_update AFTER UPDATE OF status, iccid, enterprise_code ON orders
WHEN (OLD.status = 2 OR NEW.status = 2)
    AND (OLD.status <> NEW.status OR OLD.iccid <> NEW.iccid OR OLD.enterprise_code <> NEW.enterprise_code)
BEGIN
    UPDATE in_use_counts SET n = n - 1
    WHERE OLD.status = 2 AND enterprise_code = OLD.enterprise_code AND bucket = substr(OLD.iccid, 1, 16);
    INSERT INTO in_use_counts (enterprise_code, bucket, n)
    SELECT NEW.enterprise_code, substr(NEW.iccid, 1, 16), 1 WHERE NEW.status = 2
    ON CONFLICT (enterprise_code, bucket) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER orders_in_use_delete AFTER DELETE ON orders WHEN OLD.status = 2
BEGIN
    UPDATE in_use_counts SET n = n - 1 WHERE enterprise_code = OLD.enterprise_code AND bucket = substr(OLD.iccid, 1, 16);
END;
-- +goose StatementEnd

INSERT INTO in_use_counts (enterprise_code, bucket, n)
SELECT enterprise_code, substr(iccid, 1, 16), count(*) FROM orders WHERE status = 2 GROUP BY 1, 2;

-- +goose Down
DROP TRIGGER orders_in_use_delete;
DROP TRIGGER orders_in_use_update;
DROP TRIGGER orders_in_use_insert;
DROP TABLE in_use_counts;
