-- The operator API: enterprise and plan states, the ages of secrets, the
-- indexes of its lists (keyset pages on indexed columns), users, their API
-- tokens and the audit trail.

-- +goose Up
ALTER TABLE enterprises ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled'));
-- When each secret was added, unix microseconds, in the order of secrets
-- (a JSON array); empty for the secrets of an older version, whose age is
-- the enterprise's.
ALTER TABLE enterprises ADD COLUMN secrets_added TEXT NOT NULL DEFAULT '[]';
ALTER TABLE plans ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired'));

CREATE INDEX sims_status ON sims (status, iccid);
CREATE INDEX sims_enterprise_status ON sims (enterprise_code, status, iccid);
CREATE INDEX sims_msisdn_iccid ON sims (msisdn, iccid);
DROP INDEX sims_msisdn;
CREATE INDEX orders_sim_time ON orders (iccid, ordered_at DESC, id DESC);
CREATE INDEX plan_grants_plan ON plan_grants (plan_code, enterprise_code);
CREATE INDEX usage_days_enterprise ON usage_days (enterprise_code, day);
CREATE INDEX usage_sessions_enterprise ON usage_sessions (enterprise_code, last_at) WHERE state = 0;

CREATE TABLE users (
    username        TEXT    NOT NULL PRIMARY KEY,
    role            TEXT    NOT NULL CHECK (role IN ('operator', 'support', 'enterprise')),
    enterprise_code TEXT    REFERENCES enterprises (access_code),
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    password_hash   TEXT    NOT NULL DEFAULT '', -- argon2id, PHC string
    created_at      INTEGER NOT NULL,
    CHECK ((role = 'enterprise') = (enterprise_code IS NOT NULL))
);
CREATE INDEX users_enterprise ON users (enterprise_code, username);

CREATE TABLE tokens (
    id           TEXT    NOT NULL PRIMARY KEY,
    username     TEXT    NOT NULL REFERENCES users (username),
    name         TEXT    NOT NULL DEFAULT '',
    hash         TEXT    NOT NULL UNIQUE, -- SHA-256 of the secret, hex
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX tokens_user ON tokens (username, created_at);

CREATE TABLE audit (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    actor           TEXT    NOT NULL,
    actor_kind      TEXT    NOT NULL,
    token_id        TEXT    NOT NULL DEFAULT '',
    route           TEXT    NOT NULL,
    object          TEXT    NOT NULL,
    request_id      TEXT    NOT NULL DEFAULT '',
    summary         TEXT    NOT NULL,
    enterprise_code TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_actor ON audit (actor, id);
CREATE INDEX audit_object ON audit (object, id);
CREATE INDEX audit_enterprise ON audit (enterprise_code, id);

-- The trail is append-only.
-- +goose StatementBegin
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit entries are never changed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit entries are never deleted');
END;
-- +goose StatementEnd

-- The operator's lists that name no enterprise nor SIM (every order, every
-- message, newest first) and an order's events.
CREATE INDEX orders_time ON orders (ordered_at DESC, id DESC);
CREATE INDEX sms_time ON sms (created_at DESC, id DESC);
CREATE INDEX events_order ON events (order_id, created_at, seq);

-- +goose Down
DROP INDEX events_order;
DROP INDEX sms_time;
DROP INDEX orders_time;
DROP TABLE audit;
DROP TABLE tokens;
DROP TABLE users;
DROP INDEX usage_sessions_enterprise;
DROP INDEX usage_days_enterprise;
DROP INDEX plan_grants_plan;
DROP INDEX orders_sim_time;
CREATE INDEX sims_msisdn ON sims (msisdn);
DROP INDEX sims_msisdn_iccid;
DROP INDEX sims_enterprise_status;
DROP INDEX sims_status;
ALTER TABLE plans DROP COLUMN status;
ALTER TABLE enterprises DROP COLUMN secrets_added;
ALTER TABLE enterprises DROP COLUMN status;
