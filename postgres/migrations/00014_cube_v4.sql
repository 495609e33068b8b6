-- Cube v4: the enterprises' public keys (opencube.APIKey: the keyId of the
-- Authorization header, the key as Base64 PKIX DER, its size), and the
-- asynchronous SIM operations (opencube.SIMRequest), of which a SIM has at
-- most one processing (status 0) at a time: its lock. The same tables as
-- the SQLite store's 00015.

-- +goose Up
CREATE TABLE api_keys (
    id              text        NOT NULL,
    enterprise_code text        NOT NULL,
    public_key      text        NOT NULL,
    bits            integer     NOT NULL,
    created_at      timestamptz NOT NULL,
    CONSTRAINT api_keys_pkey PRIMARY KEY (id),
    CONSTRAINT api_keys_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code)
);
CREATE INDEX api_keys_enterprise ON api_keys (enterprise_code, created_at);
CREATE TABLE sim_requests (
    id              text        NOT NULL,
    enterprise_code text        NOT NULL,
    iccid           text        NOT NULL,
    operation       text        NOT NULL,
    order_id        text        NOT NULL DEFAULT '',
    keep_alive      boolean     NOT NULL DEFAULT false,
    status          smallint    NOT NULL DEFAULT 0,
    error_kind      text        NOT NULL DEFAULT '',
    error_cause     text        NOT NULL DEFAULT '',
    error_message   text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    CONSTRAINT sim_requests_pkey PRIMARY KEY (id),
    CONSTRAINT sim_requests_status_check CHECK (status IN (0, 1, 2)),
    CONSTRAINT sim_requests_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code),
    CONSTRAINT sim_requests_sim_fkey FOREIGN KEY (iccid) REFERENCES sims (iccid)
);
CREATE UNIQUE INDEX sim_requests_lock ON sim_requests (iccid) WHERE status = 0;

-- An endpoint's notification format, and the Notification Key of Cube v4
-- notifications (its id, and the key in hex).
ALTER TABLE webhooks ADD COLUMN format text NOT NULL DEFAULT 'csss';
ALTER TABLE webhooks ADD COLUMN v4_key_id text NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN v4_key text NOT NULL DEFAULT '';

-- What the packet core says of a session's device (opencube.DataSession):
-- its IMEI, radio access technology, IP address and location (MCC-MNC).
ALTER TABLE usage_sessions ADD COLUMN imei text NOT NULL DEFAULT '';
ALTER TABLE usage_sessions ADD COLUMN rat text NOT NULL DEFAULT '';
ALTER TABLE usage_sessions ADD COLUMN ip text NOT NULL DEFAULT '';
ALTER TABLE usage_sessions ADD COLUMN location text NOT NULL DEFAULT '';

-- Cube v4 renewal orders (opencube.ServiceOrder): the document GET
-- /orders/{order_id}/service answers.
CREATE TABLE service_orders (
    id              text NOT NULL PRIMARY KEY,
    enterprise_code text NOT NULL REFERENCES enterprises (access_code),
    document        text NOT NULL,
    created_at      timestamptz NOT NULL
);

-- +goose Down
DROP TABLE service_orders;
ALTER TABLE usage_sessions DROP COLUMN location;
ALTER TABLE usage_sessions DROP COLUMN ip;
ALTER TABLE usage_sessions DROP COLUMN rat;
ALTER TABLE usage_sessions DROP COLUMN imei;
ALTER TABLE webhooks DROP COLUMN v4_key;
ALTER TABLE webhooks DROP COLUMN v4_key_id;
ALTER TABLE webhooks DROP COLUMN format;
DROP TABLE sim_requests;
DROP TABLE api_keys;
