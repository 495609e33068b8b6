-- Sessions indexed by when they started, not by their last record (the
-- PostgreSQL store's 00028). Every index of usage_sessions held last_at,
-- the column each Interim-Update writes, so that each record rewrote an
-- entry in five indexes; they now hold started_at, which a session never
-- changes, and an Interim-Update writes the session's row only.
--
-- What read sessions by their last record now reads them by their start:
-- a SIM's latest session and a device's latest SIM are the ones started
-- last; the operator's session list is newest started first; the session
-- sweep reads open sessions started before its cutoff, oldest first, and
-- keeps those whose last record is before it too (a session's last record
-- is never before its start).

-- +goose Up
DROP INDEX usage_sessions_open;
CREATE INDEX usage_sessions_open ON usage_sessions (iccid, started_at) WHERE state = 0;
DROP INDEX usage_sessions_stale;
CREATE INDEX usage_sessions_stale ON usage_sessions (started_at) WHERE state = 0;
DROP INDEX usage_sessions_enterprise;
CREATE INDEX usage_sessions_enterprise ON usage_sessions (enterprise_code, started_at) WHERE state = 0;
DROP INDEX usage_sessions_latest;
CREATE INDEX usage_sessions_latest ON usage_sessions (iccid, started_at);
DROP INDEX usage_sessions_imei;
CREATE INDEX usage_sessions_imei ON usage_sessions (enterprise_code, imei, started_at) WHERE imei <> '';

-- +goose Down
DROP INDEX usage_sessions_open;
CREATE INDEX usage_sessions_open ON usage_sessions (iccid, last_at) WHERE state = 0;
DROP INDEX usage_sessions_stale;
CREATE INDEX usage_sessions_stale ON usage_sessions (last_at) WHERE state = 0;
DROP INDEX usage_sessions_enterprise;
CREATE INDEX usage_sessions_enterprise ON usage_sessions (enterprise_code, last_at) WHERE state = 0;
DROP INDEX usage_sessions_latest;
CREATE INDEX usage_sessions_latest ON usage_sessions (iccid, last_at);
DROP INDEX usage_sessions_imei;
CREATE INDEX usage_sessions_imei ON usage_sessions (enterprise_code, imei, last_at) WHERE imei <> '';
