-- Notifications: per-SIM event numbers, each event's order snapshot,
-- webhook endpoints, deliveries and their attempts, usage alerts; the same
-- tables as the SQLite store's 00004.

-- +goose Up

-- What a notification needs of the order at the event, and the event's
-- number among its SIM's events (sim_seq) and extra fields (data, JSON).
ALTER TABLE events
    ADD COLUMN imsi       text        NOT NULL DEFAULT '',
    ADD COLUMN plan_code  text        NOT NULL DEFAULT '',
    ADD COLUMN started_at timestamptz,
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN sim_seq    bigint      NOT NULL DEFAULT 0,
    ADD COLUMN data       text        NOT NULL DEFAULT '';

-- The last event number of each SIM; InsertEvent takes the next one with
-- an upsert, whose row lock orders one SIM's events by commit.
CREATE TABLE sim_event_seqs (
    iccid text   NOT NULL,
    seq   bigint NOT NULL,
    CONSTRAINT sim_event_seqs_pkey PRIMARY KEY (iccid)
);

-- One notification endpoint per enterprise. events: comma-separated
-- subscribed types, '' for all.
CREATE TABLE webhooks (
    enterprise_code  text        NOT NULL,
    url              text        NOT NULL,
    events           text        NOT NULL,
    secret           text        NOT NULL,
    old_secret       text        NOT NULL DEFAULT '',
    old_secret_until timestamptz,
    failures         integer     NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CONSTRAINT webhooks_pkey PRIMARY KEY (enterprise_code),
    CONSTRAINT webhooks_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code)
);

-- One delivery per event sent to an endpoint; id is the event id.
CREATE TABLE deliveries (
    id              text        NOT NULL,
    enterprise_code text        NOT NULL,
    type            text        NOT NULL,
    state           text        NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    CONSTRAINT deliveries_pkey PRIMARY KEY (id)
);

CREATE INDEX deliveries_enterprise ON deliveries (enterprise_code, created_at DESC, id);

CREATE TABLE delivery_attempts (
    delivery_id text        NOT NULL,
    n           integer     NOT NULL,
    at          timestamptz NOT NULL,
    status_code integer     NOT NULL,
    latency_ns  bigint      NOT NULL,
    error       text        NOT NULL,
    ok          boolean     NOT NULL,
    CONSTRAINT delivery_attempts_pkey PRIMARY KEY (delivery_id, n)
);

-- Usage alert settings; percents comma-separated.
CREATE TABLE alert_settings (
    enterprise_code    text    NOT NULL,
    percents           text    NOT NULL,
    days_before_expiry integer NOT NULL,
    CONSTRAINT alert_settings_pkey PRIMARY KEY (enterprise_code),
    CONSTRAINT alert_settings_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code)
);

-- Alerts fired, once per order and threshold.
CREATE TABLE order_alerts (
    order_id  text NOT NULL,
    threshold text NOT NULL,
    CONSTRAINT order_alerts_pkey PRIMARY KEY (order_id, threshold)
);

-- +goose Down
DROP TABLE order_alerts;
DROP TABLE alert_settings;
DROP TABLE delivery_attempts;
DROP TABLE deliveries;
DROP TABLE webhooks;
DROP TABLE sim_event_seqs;
ALTER TABLE events
    DROP COLUMN data,
    DROP COLUMN sim_seq,
    DROP COLUMN expires_at,
    DROP COLUMN started_at,
    DROP COLUMN plan_code,
    DROP COLUMN imsi;
