-- Cube v4's proposed routes: the send (job_id) an MT message is part of,
-- so that GET /sms/mt?job_id= lists a send's messages; a SIM's tags, notes
-- and device name (PATCH /sims/{sim_id}); a SIM's latest session, open or
-- closed (the Cube v4 detail's latest_session, the CSSS imei) and the SIM
-- of a device (GET /sims?imei=); a SIM's lock to a device or a network
-- (PUT /sims/{sim_id}/network_lock), which RADIUS authorization enforces. The same as the SQLite store's
-- 00016.

-- +goose Up
ALTER TABLE sms ADD COLUMN job_id text NOT NULL DEFAULT '';
CREATE INDEX sms_job ON sms (enterprise_code, job_id) WHERE job_id <> '';
CREATE TABLE sim_labels (
    iccid       text        NOT NULL,
    tags        text        NOT NULL DEFAULT '[]',
    notes       text        NOT NULL DEFAULT '',
    device_name text        NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL,
    CONSTRAINT sim_labels_pkey PRIMARY KEY (iccid),
    CONSTRAINT sim_labels_iccid_fkey FOREIGN KEY (iccid) REFERENCES sims (iccid)
);

CREATE INDEX usage_sessions_latest ON usage_sessions (iccid, last_at);
CREATE INDEX usage_sessions_imei ON usage_sessions (enterprise_code, imei, last_at) WHERE imei <> '';
CREATE TABLE sim_locks (
    iccid      text        NOT NULL,
    imei       text        NOT NULL DEFAULT '',
    network    text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL,
    CONSTRAINT sim_locks_pkey PRIMARY KEY (iccid),
    CONSTRAINT sim_locks_iccid_fkey FOREIGN KEY (iccid) REFERENCES sims (iccid)
);

-- +goose Down
DROP TABLE sim_locks;
DROP INDEX usage_sessions_imei;
DROP INDEX usage_sessions_latest;
DROP TABLE sim_labels;
DROP INDEX sms_job;
ALTER TABLE sms DROP COLUMN job_id;
