-- Cube v4: the enterprises' public keys (opencube.APIKey: the keyId of the
-- Authorization header, the key as Base64 PKIX DER, its size), and the
-- asynchronous SIM operations (opencube.SIMRequest), of which a SIM has at
-- most one processing (status 0) at a time: its lock.

-- +goose Up
CREATE TABLE api_keys (
    id              TEXT    NOT NULL PRIMARY KEY,
    enterprise_code TEXT    NOT NULL REFERENCES enterprises (access_code),
    public_key      TEXT    NOT NULL,
    bits            INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX api_keys_enterprise ON api_keys (enterprise_code, created_at);
CREATE TABLE sim_requests (
    id              TEXT    NOT NULL PRIMARY KEY,
    enterprise_code TEXT    NOT NULL REFERENCES enterprises (access_code),
    iccid           TEXT    NOT NULL REFERENCES sims (iccid),
    operation       TEXT    NOT NULL,
    order_id        TEXT    NOT NULL DEFAULT '',
    keep_alive      INTEGER NOT NULL DEFAULT 0,
    status          INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),
    error_kind      TEXT    NOT NULL DEFAULT '',
    error_cause     TEXT    NOT NULL DEFAULT '',
    error_message   TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
);
CREATE UNIQUE INDEX sim_requests_lock ON sim_requests (iccid) WHERE status = 0;

-- An endpoint's notification format, and the Notification Key of Cube v4
-- notifications (its id, and the key in hex).
ALTER TABLE webhooks ADD COLUMN format TEXT NOT NULL DEFAULT 'csss';
ALTER TABLE webhooks ADD COLUMN v4_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN v4_key TEXT NOT NULL DEFAULT '';

-- What the packet core says of a session's device (opencube.DataSession):
-- its IMEI, radio access technology, IP address and location (MCC-MNC).
ALTER TABLE usage_sessions ADD COLUMN imei TEXT NOT NULL DEFAULT '';
ALTER TABLE usage_sessions ADD COLUMN rat TEXT NOT NULL DEFAULT '';
ALTER TABLE usage_sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE usage_sessions ADD COLUMN location TEXT NOT NULL DEFAULT '';

-- Cube v4 renewal orders (opencube.ServiceOrder): the document GET
-- /orders/{order_id}/service answers.
CREATE TABLE service_orders (
    id              TEXT NOT NULL PRIMARY KEY,
    enterprise_code TEXT NOT NULL REFERENCES enterprises (access_code),
    document        TEXT NOT NULL,
    created_at      INTEGER NOT NULL
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
