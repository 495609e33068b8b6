-- Finished deliveries by their last update, for the purge of those older
-- than the retention (pending ones are never purged); the same index as the
-- SQLite store's 00009.

-- +goose Up
CREATE INDEX deliveries_done ON deliveries (updated_at) WHERE state <> 'pending';

-- +goose Down
DROP INDEX deliveries_done;
