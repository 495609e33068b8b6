-- Due jobs by kind: a claim reads, for each kind its worker runs, the
-- earliest due jobs of that kind (jobs_due: kind, then run_at and id, the
-- order they are claimed in), wherever the other kinds' jobs are and
-- however many are waiting.
--
-- It replaces jobs_run_at (run_at, id). With both, which one a claim used
-- depended on the table's statistics, and a queue table's statistics are
-- stale by nature (it fills and drains faster than autovacuum analyses
-- it): a claim read every job of its kind through the (kind, key) index,
-- or every due job of every kind through jobs_run_at, and a backlog of
-- 30,000 deliveries cost each claim about 7 ms instead of a few dozen
-- index entries. jobs_due serves everything jobs_run_at did, the backlog's
-- due jobs kind by kind (postgres/backlog.go), without that choice.

-- +goose Up
CREATE INDEX jobs_due ON jobs (kind, run_at, id);
DROP INDEX jobs_run_at;

-- +goose Down
CREATE INDEX jobs_run_at ON jobs (run_at, id);
DROP INDEX jobs_due;
