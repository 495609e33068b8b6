-- Usage: data sessions as last reported by the packet core (RADIUS
-- accounting), usage per SIM per UTC+8 day (D20), and the usage meter of
-- each order; the same tables as the SQLite store's 00003.

-- +goose Up

-- One row a session, named by its NAS and Acct-Session-Id. The octet totals
-- are the latest (largest) cumulative totals seen: a record adds only what
-- goes beyond them. state: 0 open, 1 stopped, 2 closed by the timeout.
CREATE TABLE usage_sessions (
    nas             text        NOT NULL,
    session_id      text        NOT NULL,
    iccid           text        NOT NULL,
    imsi            text        NOT NULL,
    enterprise_code text        NOT NULL,
    nas_addr        text        NOT NULL,
    user_name       text        NOT NULL,
    network         text        NOT NULL,
    started_at      timestamptz NOT NULL,
    last_at         timestamptz NOT NULL,
    input_bytes     bigint      NOT NULL,
    output_bytes    bigint      NOT NULL,
    state           smallint    NOT NULL CHECK (state IN (0, 1, 2)),
    CONSTRAINT usage_sessions_pkey PRIMARY KEY (nas, session_id)
);

-- queryDeviceInfo: a SIM's open session.
CREATE INDEX usage_sessions_open ON usage_sessions (iccid, last_at) WHERE state = 0;
-- The session sweep: open sessions by their last record.
CREATE INDEX usage_sessions_stale ON usage_sessions (last_at) WHERE state = 0;

-- Usage of a SIM on a UTC+8 day (yyyymmdd); a month is a range of days.
CREATE TABLE usage_days (
    iccid           text    NOT NULL,
    day             integer NOT NULL,
    enterprise_code text    NOT NULL,
    bytes           bigint  NOT NULL,
    CONSTRAINT usage_days_pkey PRIMARY KEY (iccid, day)
);

-- The usage meter of an order beside orders.used_bytes: test volume used,
-- and the UTC+8 day that used_bytes of a daily plan counts.
CREATE TABLE order_meters (
    order_id        text    NOT NULL REFERENCES orders (id),
    test_used_bytes bigint  NOT NULL,
    day             integer NOT NULL,
    CONSTRAINT order_meters_pkey PRIMARY KEY (order_id)
);

-- The time of the latest committed accounting record: usage is complete
-- up to it ("as of").
CREATE TABLE usage_clock (
    id    integer     NOT NULL CHECK (id = 1),
    as_of timestamptz NOT NULL,
    CONSTRAINT usage_clock_pkey PRIMARY KEY (id)
);
INSERT INTO usage_clock (id, as_of) VALUES (1, 'epoch');

-- +goose Down
DROP TABLE usage_clock;
DROP TABLE order_meters;
DROP TABLE usage_days;
DROP TABLE usage_sessions;
