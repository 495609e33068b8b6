-- Short messages to and from SIMs (issue 6). Times are Unix microseconds.

-- +goose Up
CREATE TABLE sms (
    id              TEXT    NOT NULL PRIMARY KEY,
    enterprise_code TEXT    NOT NULL REFERENCES enterprises (access_code),
    iccid           TEXT    NOT NULL,
    msisdn          TEXT    NOT NULL,
    direction       TEXT    NOT NULL CHECK (direction IN ('mt', 'mo')),
    sms_type        INTEGER NOT NULL CHECK (sms_type IN (0, 1)),
    content         TEXT    NOT NULL,
    encoding        TEXT    NOT NULL,
    segments        INTEGER NOT NULL,
    state           TEXT    NOT NULL,
    gateway_id      TEXT    NOT NULL DEFAULT '',
    error           TEXT    NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    submitting_at   INTEGER,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    delivered_at    INTEGER,
    failed_at       INTEGER,
    expired_at      INTEGER,
    updated_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sms_enterprise ON sms (enterprise_code, created_at, id);
CREATE INDEX sms_sim ON sms (iccid, direction, created_at);
CREATE INDEX sims_msisdn ON sims (msisdn);

-- +goose Down
DROP INDEX sims_msisdn;
DROP TABLE sms;
