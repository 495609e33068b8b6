-- The first schema of the embedded store. Conventions, kept by every later
-- migration:
--   * instants are INTEGER microseconds since the Unix epoch, UTC (the
--     precision of PostgreSQL's timestamptz); NULL for "not yet";
--   * money is INTEGER minor units, data volumes INTEGER bytes;
--   * booleans are INTEGER 0 or 1;
--   * lists (secrets, countries) are JSON arrays of strings in TEXT.

-- +goose Up
CREATE TABLE enterprises (
    access_code TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    secrets     TEXT    NOT NULL, -- JSON array, oldest first
    created_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE sims (
    iccid           TEXT    NOT NULL PRIMARY KEY,
    imsi            TEXT    NOT NULL UNIQUE,
    msisdn          TEXT    NOT NULL,
    ota             INTEGER NOT NULL CHECK (ota IN (0, 1)),
    enterprise_code TEXT    NOT NULL REFERENCES enterprises (access_code),
    status          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sims_enterprise ON sims (enterprise_code, iccid);

CREATE TABLE plans (
    code          TEXT    NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL,
    type          INTEGER NOT NULL,
    volume_bytes  INTEGER NOT NULL,
    price_minor   INTEGER NOT NULL,
    currency      TEXT    NOT NULL,
    ota           INTEGER NOT NULL CHECK (ota IN (0, 1)),
    throttle_kbps INTEGER NOT NULL,
    countries     TEXT    NOT NULL, -- JSON array
    created_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE plan_grants (
    enterprise_code TEXT NOT NULL REFERENCES enterprises (access_code),
    plan_code       TEXT NOT NULL REFERENCES plans (code),
    PRIMARY KEY (enterprise_code, plan_code)
) STRICT, WITHOUT ROWID;

CREATE TABLE orders (
    id               TEXT    NOT NULL PRIMARY KEY,
    code             TEXT    NOT NULL,
    enterprise_code  TEXT    NOT NULL REFERENCES enterprises (access_code),
    iccid            TEXT    NOT NULL REFERENCES sims (iccid),
    imsi             TEXT    NOT NULL,
    plan_code        TEXT    NOT NULL,
    plan_name        TEXT    NOT NULL,
    plan_type        INTEGER NOT NULL,
    volume_bytes     INTEGER NOT NULL,
    order_period     INTEGER NOT NULL,
    renew_period     INTEGER NOT NULL,
    days             INTEGER NOT NULL,
    timing_type      INTEGER NOT NULL,
    mcc              TEXT    NOT NULL,
    status           INTEGER NOT NULL CHECK (status BETWEEN 1 AND 6),
    buy_type         INTEGER NOT NULL,
    pay_amount_minor INTEGER NOT NULL,
    pay_rst          TEXT    NOT NULL,
    pay_type         TEXT    NOT NULL,
    global_order     TEXT    NOT NULL,
    test_flow        TEXT    NOT NULL,
    test_flow_flag   TEXT    NOT NULL,
    ota              INTEGER NOT NULL CHECK (ota IN (0, 1)),
    used_bytes       INTEGER NOT NULL,
    ordered_at       INTEGER NOT NULL,
    started_at       INTEGER,
    expires_at       INTEGER,
    ended_at         INTEGER,
    updated_at       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- queryOrder: an enterprise's orders, newest first.
CREATE INDEX orders_enterprise ON orders (enterprise_code, ordered_at DESC, id DESC);
-- A SIM's orders by state: ActiveOrder, NextOrder (oldest first).
CREATE INDEX orders_sim ON orders (iccid, status, ordered_at, id);
-- D13: a SIM has at most one order in use (2) or suspended (3).
CREATE UNIQUE INDEX orders_one_active ON orders (iccid) WHERE status IN (2, 3);

-- The outbox: events written in the transaction of the change that caused
-- them, delivered later. seq is the order in which they were written.
CREATE TABLE events (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    enterprise_code TEXT    NOT NULL REFERENCES enterprises (access_code),
    type            TEXT    NOT NULL,
    order_id        TEXT    NOT NULL,
    iccid           TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
) STRICT;

CREATE INDEX events_enterprise ON events (enterprise_code, created_at, seq);

-- D5: the first response to a signed request, by access code and key.
CREATE TABLE replays (
    access_code TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    response    BLOB,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (access_code, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX replays_expiry ON replays (expires_at);

-- +goose Down
DROP TABLE replays;
DROP TABLE events;
DROP TABLE orders;
DROP TABLE plan_grants;
DROP TABLE plans;
DROP TABLE sims;
DROP TABLE enterprises;
