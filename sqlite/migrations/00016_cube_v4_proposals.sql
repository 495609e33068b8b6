-- Cube v4's proposed routes: the send (job_id) an MT message is part of,
-- so that GET /sms/mt?job_id= lists a send's messages; a SIM's tags, notes
-- and device name (PATCH /sims/{sim_id}).

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

-- +goose Down
DROP TABLE sim_labels;
DROP INDEX sms_job;
ALTER TABLE sms DROP COLUMN job_id;
