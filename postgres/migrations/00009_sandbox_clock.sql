-- The sandbox clock's offset (D27): how far the server's business time runs
-- ahead of real time in sandbox mode. One row, kept across restarts and
-- read by every node that shares the database; it only grows (an advance
-- writes GREATEST(offset, new)), so time never runs backwards. The same
-- table as the SQLite store's 00010.

-- +goose Up
CREATE TABLE sandbox_clock (
    id        integer NOT NULL,
    offset_ns bigint  NOT NULL,
    CONSTRAINT sandbox_clock_pkey PRIMARY KEY (id),
    CONSTRAINT sandbox_clock_id_check CHECK (id = 1),
    CONSTRAINT sandbox_clock_offset_ns_check CHECK (offset_ns >= 0)
);

INSERT INTO sandbox_clock (id, offset_ns) VALUES (1, 0);

-- +goose Down
DROP TABLE sandbox_clock;
