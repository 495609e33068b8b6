-- Usage: data sessions as last reported by the packet core (RADIUS
-- accounting), usage per SIM per UTC+8 day (D20), and the usage meter of
-- each order.

-- +goose Up

-- One row a session, named by its NAS and Acct-Session-Id. The octet totals
-- are the latest (largest) cumulative totals seen: a record adds only what
-- goes beyond them. state: 0 open, 1 stopped, 2 closed by the timeout.
CREATE TABLE usage_sessions (
    nas             TEXT    NOT NULL,
    session_id      TEXT    NOT NULL,
    iccid           TEXT    NOT NULL,
    imsi            TEXT    NOT NULL,
    enterprise_code TEXT    NOT NULL,
    nas_addr        TEXT    NOT NULL,
    user_name       TEXT    NOT NULL,
    network         TEXT    NOT NULL,
    started_at      INTEGER NOT NULL,
    last_at         INTEGER NOT NULL,
    input_bytes     INTEGER NOT NULL,
    output_bytes    INTEGER NOT NULL,
    state           INTEGER NOT NULL CHECK (state IN (0, 1, 2)),
    PRIMARY KEY (nas, session_id)
) STRICT, WITHOUT ROWID;

-- queryDeviceInfo: a SIM's open session.
CREATE INDEX usage_sessions_open ON usage_sessions (iccid, last_at) WHERE state = 0;
-- The session sweep: open sessions by their last record.
CREATE INDEX usage_sessions_stale ON usage_sessions (last_at) WHERE state = 0;

-- Usage of a SIM on a UTC+8 day (yyyymmdd); a month is a range of days.
CREATE TABLE usage_days (
    iccid           TEXT    NOT NULL,
    day             INTEGER NOT NULL,
    enterprise_code TEXT    NOT NULL,
    bytes           INTEGER NOT NULL,
    PRIMARY KEY (iccid, day)
) STRICT, WITHOUT ROWID;

-- The usage meter of an order beside orders.used_bytes: test volume used,
-- and the UTC+8 day that used_bytes of a daily plan counts.
CREATE TABLE order_meters (
    order_id        TEXT    NOT NULL PRIMARY KEY REFERENCES orders (id),
    test_used_bytes INTEGER NOT NULL,
    day             INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The time of the latest committed accounting record: usage is complete
-- up to it ("as of").
CREATE TABLE usage_clock (
    id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    as_of INTEGER NOT NULL
) STRICT;
INSERT INTO usage_clock (id, as_of) VALUES (1, 0);

-- +goose Down
DROP TABLE usage_clock;
DROP TABLE order_meters;
DROP TABLE usage_days;
DROP TABLE usage_sessions;
