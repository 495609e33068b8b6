-- The sandbox clock's offset (D27): how far the server's business time runs
-- ahead of real time in sandbox mode. One row, kept across restarts and
-- read by every node that shares the database; it only grows (an advance
-- writes max(offset, new)), so time never runs backwards.

-- +goose Up
CREATE TABLE sandbox_clock (
    id        INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    offset_ns INTEGER NOT NULL CHECK (offset_ns >= 0)
) STRICT;

INSERT INTO sandbox_clock (id, offset_ns) VALUES (1, 0);

-- +goose Down
DROP TABLE sandbox_clock;
