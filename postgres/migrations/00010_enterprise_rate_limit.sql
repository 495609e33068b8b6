-- An enterprise's own request limit (opencube.RateLimit), in place of the
-- server's --rate-limit and --rate-burst: requests a second and burst, both
-- NULL when the enterprise has none. The same columns as the SQLite
-- store's 00011.

-- +goose Up
ALTER TABLE enterprises
    ADD COLUMN rate_limit double precision,
    ADD COLUMN rate_burst integer,
    ADD CONSTRAINT enterprises_rate_limit_check CHECK (rate_limit > 0),
    ADD CONSTRAINT enterprises_rate_burst_check CHECK (rate_burst >= 1),
    ADD CONSTRAINT enterprises_rate_pair_check CHECK ((rate_limit IS NULL) = (rate_burst IS NULL));

-- +goose Down
ALTER TABLE enterprises DROP COLUMN rate_burst, DROP COLUMN rate_limit;
