-- Due jobs by kind, in the order they are claimed (the PostgreSQL store's
-- 00027). A claim read the due jobs of its kinds through the (kind, key)
-- index, every one of them, and sorted them to take the first few: at a
-- backlog of 30,000 deliveries about 12 ms a claim, so that deliveries
-- slowed down as their backlog grew. It now reads the first few of each
-- kind in order. jobs_run_at stays, for the backlog and the job list.

-- +goose Up
CREATE INDEX jobs_due ON jobs (kind, run_at, id);

-- +goose Down
DROP INDEX jobs_due;
