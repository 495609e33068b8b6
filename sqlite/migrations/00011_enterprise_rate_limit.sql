-- An enterprise's own request limit (opencube.RateLimit), in place of the
-- server's --rate-limit and --rate-burst: requests a second and burst, both
-- NULL when the enterprise has none.

-- +goose Up
ALTER TABLE enterprises ADD COLUMN rate_limit REAL CHECK (rate_limit > 0);
ALTER TABLE enterprises ADD COLUMN rate_burst INTEGER CHECK (rate_burst >= 1);

-- +goose Down
ALTER TABLE enterprises DROP COLUMN rate_burst;
ALTER TABLE enterprises DROP COLUMN rate_limit;
