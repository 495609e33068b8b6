-- The audit trail names the address each change came from (the client's,
-- behind a trusted proxy): operator.AuditEntry.Source. The same column as
-- the SQLite store's 00016.

-- +goose Up
ALTER TABLE audit ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit DROP COLUMN source;
