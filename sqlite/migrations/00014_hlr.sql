-- The subscriber register (issue 24): the SIMs' authentication data (a
-- secret: never read but to provision), their standing in the register,
-- and the last reconciliation's report. The same tables as the PostgreSQL
-- store's 00013.

-- +goose Up
CREATE TABLE sim_auth (
    iccid     TEXT NOT NULL PRIMARY KEY REFERENCES sims (iccid),
    algorithm TEXT NOT NULL,
    ki        TEXT NOT NULL,
    opc       TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

-- A SIM's last provisioning outcome; pending is read from its hlr.sync job.
CREATE TABLE sim_provisioning (
    iccid      TEXT    NOT NULL PRIMARY KEY REFERENCES sims (iccid),
    state      TEXT    NOT NULL,
    imsi       TEXT    NOT NULL DEFAULT '',
    last_error TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sim_provisioning_state ON sim_provisioning (state);

-- The register's status: one row, the last reconciliation's report (JSON).
CREATE TABLE hlr_status (
    id     INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    report TEXT    NOT NULL
) STRICT;

-- +goose Down
DROP TABLE hlr_status;
DROP TABLE sim_provisioning;
DROP TABLE sim_auth;
