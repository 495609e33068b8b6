-- A SIM's next event number is read from its events, in the statement that
-- inserts the event, instead of being kept in a table of its own and
-- updated first: one statement an event instead of two. Events are never
-- deleted, so the highest number of a SIM's events is its last one.

-- +goose Up
CREATE INDEX events_sim_seq ON events (iccid, sim_seq);
DROP TABLE sim_event_seqs;

-- +goose Down
CREATE TABLE sim_event_seqs (
    iccid TEXT    NOT NULL PRIMARY KEY,
    seq   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO sim_event_seqs (iccid, seq) SELECT iccid, max(sim_seq) FROM events WHERE sim_seq > 0 GROUP BY iccid;
DROP INDEX events_sim_seq;
