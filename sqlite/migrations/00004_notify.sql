-- Notifications: per-SIM event numbers, each event's order snapshot,
-- webhook endpoints, deliveries and their attempts, usage alerts.

-- +goose Up

-- What a notification needs of the order at the event, and the event's
-- number among its SIM's events (sim_seq) and extra fields (data, JSON).
ALTER TABLE events ADD COLUMN imsi TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN plan_code TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN started_at INTEGER;
ALTER TABLE events ADD COLUMN expires_at INTEGER;
ALTER TABLE events ADD COLUMN sim_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN data TEXT NOT NULL DEFAULT '';

-- The last event number of each SIM; InsertEvent takes the next one.
CREATE TABLE sim_event_seqs (
    iccid TEXT    NOT NULL PRIMARY KEY,
    seq   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- One notification endpoint per enterprise. events: comma-separated
-- subscribed types, '' for all.
CREATE TABLE webhooks (
    enterprise_code  TEXT    NOT NULL PRIMARY KEY REFERENCES enterprises (access_code),
    url              TEXT    NOT NULL,
    events           TEXT    NOT NULL,
    secret           TEXT    NOT NULL,
    old_secret       TEXT    NOT NULL DEFAULT '',
    old_secret_until INTEGER,
    failures         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

-- One delivery per event sent to an endpoint; id is the event id.
CREATE TABLE deliveries (
    id              TEXT    NOT NULL PRIMARY KEY,
    enterprise_code TEXT    NOT NULL,
    type            TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    delivered_at    INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX deliveries_enterprise ON deliveries (enterprise_code, created_at DESC, id);

CREATE TABLE delivery_attempts (
    delivery_id TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    latency_ns  INTEGER NOT NULL,
    error       TEXT    NOT NULL,
    ok          INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, n)
) STRICT, WITHOUT ROWID;

-- Usage alert settings; percents comma-separated.
CREATE TABLE alert_settings (
    enterprise_code    TEXT    NOT NULL PRIMARY KEY REFERENCES enterprises (access_code),
    percents           TEXT    NOT NULL,
    days_before_expiry INTEGER NOT NULL
) STRICT;

-- Alerts fired, once per order and threshold.
CREATE TABLE order_alerts (
    order_id  TEXT NOT NULL,
    threshold TEXT NOT NULL,
    PRIMARY KEY (order_id, threshold)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE order_alerts;
DROP TABLE alert_settings;
DROP TABLE delivery_attempts;
DROP TABLE deliveries;
DROP TABLE webhooks;
DROP TABLE sim_event_seqs;
ALTER TABLE events DROP COLUMN data;
ALTER TABLE events DROP COLUMN sim_seq;
ALTER TABLE events DROP COLUMN expires_at;
ALTER TABLE events DROP COLUMN started_at;
ALTER TABLE events DROP COLUMN plan_code;
ALTER TABLE events DROP COLUMN imsi;
