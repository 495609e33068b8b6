-- The subscriber register (issue 24): the SIMs' authentication data (a
-- secret: never read but to provision), their standing in the register,
-- and the last reconciliation's report. The same tables as the SQLite
-- store's 00014.

-- +goose Up
CREATE TABLE sim_auth (
    iccid     text NOT NULL,
    algorithm text NOT NULL,
    ki        text NOT NULL,
    opc       text NOT NULL DEFAULT '',
    CONSTRAINT sim_auth_pkey PRIMARY KEY (iccid),
    CONSTRAINT sim_auth_sim_fkey FOREIGN KEY (iccid) REFERENCES sims (iccid)
);

-- A SIM's last provisioning outcome; pending is read from its hlr.sync job.
CREATE TABLE sim_provisioning (
    iccid      text        NOT NULL,
    state      text        NOT NULL,
    imsi       text        NOT NULL DEFAULT '',
    last_error text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL,
    CONSTRAINT sim_provisioning_pkey PRIMARY KEY (iccid),
    CONSTRAINT sim_provisioning_sim_fkey FOREIGN KEY (iccid) REFERENCES sims (iccid)
);
CREATE INDEX sim_provisioning_state ON sim_provisioning (state);

-- The register's status: one row, the last reconciliation's report (JSON).
CREATE TABLE hlr_status (
    id     integer NOT NULL,
    report jsonb   NOT NULL,
    CONSTRAINT hlr_status_pkey PRIMARY KEY (id),
    CONSTRAINT hlr_status_one CHECK (id = 1)
);

-- +goose Down
DROP TABLE hlr_status;
DROP TABLE sim_provisioning;
DROP TABLE sim_auth;
