-- Room on each page for the rows a usage batch rewrites.
--
-- Every accounting record that brings bytes rewrites its order (used_bytes)
-- and its SIM's day in usage_days. Neither column is indexed, so the new
-- version can stay on the page of the old one and write no index entry (a
-- HOT update), but only when the page has room for it: a page filled to
-- the brim when its orders were placed or its days first booked sends the
-- first update of each row to another page, with a new entry in each of
-- the table's indexes (nine for orders). Pages written from now on keep
-- 15 % free; pages already full gain room as their rows move.

-- +goose Up
ALTER TABLE orders SET (fillfactor = 85);
ALTER TABLE usage_days SET (fillfactor = 85);

-- +goose Down
ALTER TABLE usage_days RESET (fillfactor);
ALTER TABLE orders RESET (fillfactor);
