-- The console's sessions (operator.ConsoleSession), shared by every node:
-- the hash of the cookie's secret, the form token, and the expiries. The
-- same table as the SQLite store's 00013.

-- +goose Up
CREATE TABLE console_sessions (
    hash       text        NOT NULL,
    username   text        NOT NULL,
    csrf       text        NOT NULL,
    created_at timestamptz NOT NULL,
    seen_at    timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CONSTRAINT console_sessions_pkey PRIMARY KEY (hash),
    CONSTRAINT console_sessions_user_fkey FOREIGN KEY (username) REFERENCES users (username)
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- +goose Down
DROP TABLE console_sessions;
