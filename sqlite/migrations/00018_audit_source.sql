-- The audit trail names the address each change came from (the client's,
-- behind a trusted proxy): operator.AuditEntry.Source.

-- +goose Up
ALTER TABLE audit ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit DROP COLUMN source;
