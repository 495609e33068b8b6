-- Background jobs and node numbers, for several server nodes sharing one
-- database (with the embedded store, one process; the schema is the same as
-- the PostgreSQL store's so that both behave alike).

-- +goose Up

-- Jobs waiting to run: written in the transaction of the change that causes
-- them, claimed with a lease (claimed_by, claimed_until; both NULL when
-- free), deleted once done. A kind and key pair is pending at most once:
-- scheduling it again moves the pending job.
CREATE TABLE jobs (
    id            TEXT    NOT NULL PRIMARY KEY,
    kind          TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    payload       BLOB,
    run_at        INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    claimed_by    TEXT,
    claimed_until INTEGER,
    UNIQUE (kind, key)
) STRICT, WITHOUT ROWID;

-- ClaimJobs and FindJobs: due jobs, earliest first (entries are (run_at, id)).
CREATE INDEX jobs_run_at ON jobs (run_at);

-- Node numbers 0-63 (order ids embed one), leased to live server nodes.
-- Every number has a row; owner and leased_until are NULL when it is free.
CREATE TABLE nodes (
    node         INTEGER NOT NULL PRIMARY KEY CHECK (node BETWEEN 0 AND 63),
    owner        TEXT,
    leased_until INTEGER
) STRICT;

WITH RECURSIVE n (node) AS (SELECT 0 UNION ALL SELECT node + 1 FROM n WHERE node < 63)
INSERT INTO nodes (node) SELECT node FROM n;

-- +goose Down
DROP TABLE nodes;
DROP TABLE jobs;
