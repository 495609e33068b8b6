-- The enterprises' Cube v4 public keys (opencube.APIKey): the keyId of
-- the Authorization header, the key as Base64 PKIX DER, its size. The same
-- table as the SQLite store's 00014.

-- +goose Up
CREATE TABLE api_keys (
    id              text        NOT NULL,
    enterprise_code text        NOT NULL,
    public_key      text        NOT NULL,
    bits            integer     NOT NULL,
    created_at      timestamptz NOT NULL,
    CONSTRAINT api_keys_pkey PRIMARY KEY (id),
    CONSTRAINT api_keys_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code)
);
CREATE INDEX api_keys_enterprise ON api_keys (enterprise_code, created_at);

-- +goose Down
DROP TABLE api_keys;
