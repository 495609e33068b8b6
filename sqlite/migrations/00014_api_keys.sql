-- The enterprises' Cube v4 public keys (opencube.APIKey): the keyId of
-- the Authorization header, the key as Base64 PKIX DER, its size.

-- +goose Up
CREATE TABLE api_keys (
    id              TEXT    NOT NULL PRIMARY KEY,
    enterprise_code TEXT    NOT NULL REFERENCES enterprises (access_code),
    public_key      TEXT    NOT NULL,
    bits            INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX api_keys_enterprise ON api_keys (enterprise_code, created_at);

-- +goose Down
DROP TABLE api_keys;
