-- Orders and events no longer check their enterprise and SIM with foreign
-- keys. Each check locked the enterprise's (or the SIM's) row FOR KEY SHARE
-- in every order's transaction: a WAL record, and under concurrent orders
-- of one enterprise a new multixact on its row, on the hottest write path.
-- Enterprises and SIMs are never deleted and their keys never change, and
-- every order is written in the transaction that read its SIM within its
-- enterprise, so what the keys guarded holds without them.

-- +goose Up
ALTER TABLE orders DROP CONSTRAINT orders_enterprise_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_sim_fkey;
ALTER TABLE events DROP CONSTRAINT events_enterprise_fkey;

-- +goose Down
ALTER TABLE events ADD CONSTRAINT events_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code);
ALTER TABLE orders ADD CONSTRAINT orders_sim_fkey FOREIGN KEY (iccid) REFERENCES sims (iccid);
ALTER TABLE orders ADD CONSTRAINT orders_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code);
