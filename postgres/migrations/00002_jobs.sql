-- Background jobs and node numbers, for several server nodes sharing one
-- database; the same tables as the SQLite store's 00002.

-- +goose Up

-- Jobs waiting to run: written in the transaction of the change that causes
-- them, claimed with a lease (claimed_by, claimed_until; both NULL when
-- free) by UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED), and
-- deleted once done. A kind and key pair is pending at most once:
-- scheduling it again moves the pending job (INSERT ... ON CONFLICT).
CREATE TABLE jobs (
    id            text        NOT NULL,
    kind          text        NOT NULL,
    key           text        NOT NULL,
    payload       bytea,
    run_at        timestamptz NOT NULL,
    attempts      integer     NOT NULL DEFAULT 0,
    last_error    text        NOT NULL DEFAULT '',
    claimed_by    text,
    claimed_until timestamptz,
    CONSTRAINT jobs_pkey PRIMARY KEY (id),
    CONSTRAINT jobs_kind_key_key UNIQUE (kind, key)
);

-- ClaimJobs and FindJobs: due jobs, earliest first.
CREATE INDEX jobs_run_at ON jobs (run_at, id);

-- Node numbers 0-63 (order ids embed one), leased to live server nodes.
-- Every number has a row; owner and leased_until are NULL when it is free.
CREATE TABLE nodes (
    node         integer NOT NULL,
    owner        text,
    leased_until timestamptz,
    CONSTRAINT nodes_pkey PRIMARY KEY (node),
    CONSTRAINT nodes_node_check CHECK (node BETWEEN 0 AND 63)
);

INSERT INTO nodes (node) SELECT n FROM generate_series(0, 63) AS n;

-- +goose Down
DROP TABLE nodes;
DROP TABLE jobs;
