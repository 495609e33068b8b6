-- Cube v4's proposed routes: the send (job_id) an MT message is part of,
-- so that GET /sms/mt?job_id= lists a send's messages; a SIM's tags, notes
-- and device name (PATCH /sims/{sim_id}); a SIM's latest session, open or
-- closed (the Cube v4 detail's latest_session, the CSSS imei) and the SIM
-- of a device (GET /sims?imei=); a SIM's lock to a device or a network
-- (PUT /sims/{sim_id}/network_lock), which RADIUS authorization enforces.

-- +goose Up
ALTER TABLE sms ADD COLUMN job_id TEXT NOT NULL DEFAULT '';
CREATE INDEX sms_job ON sms (enterprise_code, job_id) WHERE job_id <> '';
CREATE TABLE sim_labels (
    iccid       TEXT    NOT NULL PRIMARY KEY REFERENCES sims (iccid),
    tags        TEXT    NOT NULL DEFAULT '[]',
    notes       TEXT    NOT NULL DEFAULT '',
    device_name TEXT    NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL
);

CREATE INDEX usage_sessions_latest ON usage_sessions (iccid, last_at);
CREATE INDEX usage_sessions_imei ON usage_sessions (enterprise_code, imei, last_at) WHERE imei <> '';
CREATE TABLE sim_locks (
    iccid      TEXT    NOT NULL PRIMARY KEY REFERENCES sims (iccid),
    imei       TEXT    NOT NULL DEFAULT '',
    network    TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE sim_locks;
DROP INDEX usage_sessions_imei;
DROP INDEX usage_sessions_latest;
DROP TABLE sim_labels;
DROP INDEX sms_job;
ALTER TABLE sms DROP COLUMN job_id;
