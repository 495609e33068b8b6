-- The console's sessions (operator.ConsoleSession), shared by every node:
-- the hash of the cookie's secret, the form token, and the expiries.

-- +goose Up
CREATE TABLE console_sessions (
    hash       TEXT    NOT NULL PRIMARY KEY,
    username   TEXT    NOT NULL REFERENCES users (username),
    csrf       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- +goose Down
DROP TABLE console_sessions;
