-- Secrets sealed at rest (package seal): the data keys, each sealed under
-- one or more master keys (slots: a JSON array of {master, sealed,
-- created_at}, master being the master key's check value). The sealed
-- values themselves stay in their columns (enterprises.secrets,
-- webhooks.secret, old_secret, v4_key, sim_auth.ki, opc), each starting
-- with "$oc1$"; `opencube migrate` seals the clear ones of older versions.

-- +goose Up
CREATE TABLE data_keys (
    id         text        NOT NULL PRIMARY KEY,
    slots      text        NOT NULL,
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE data_keys;
