// Package postgres is opencube's production store: it implements
// opencube.Store over PostgreSQL with pgx v5 (a pgxpool connection pool), so
// that several `opencube serve` nodes can share one database.
//
// It owns the PostgreSQL schema (the numbered, append-only goose migrations
// embedded from migrations/, run at Open under a table-based migration lock),
// the mapping between rows and the domain types, and the mapping of
// constraint violations, by constraint name, to opencube error kinds.
//
// Concurrency between nodes rests on row locks and constraints only:
//
//   - UpdateOrders runs its function in one READ COMMITTED transaction.
//     OrderTx reads of orders are SELECT ... FOR UPDATE, so concurrent moves
//     of one order serialise: the second sees the first's result. Every
//     write runs in a savepoint, so a refused write (a unique violation,
//     mapped to a domain error) leaves the transaction usable. A
//     serialization failure or deadlock (SQLSTATE 40001, 40P01) runs the
//     whole function again, a few times.
//   - Order transactions whose only statements before the commit are
//     reads that take no lock share commits: their reads run outside any
//     transaction, and their deferred writes join those of the others
//     committing at that moment in one transaction, one round trip
//     (groupcommit.go). Each lane of shared commits counts in rows of its
//     own slot (a session advisory lock), so that no two shared commits
//     in flight write the same count row.
//   - ClaimReplay is one INSERT ... ON CONFLICT DO UPDATE ... WHERE expired.
//   - ClaimJobs and ClaimNode lease rows picked with FOR UPDATE SKIP LOCKED,
//     so concurrent claimers never take the same job or node number. A job
//     claim reads each kind's earliest due jobs in order (jobs_due), planned
//     without bitmap scans whatever the table's statistics say.
//
// The SQL avoids LISTEN/NOTIFY, gap-free sequences and advisory locks (but
// the slots' ones, without which it still runs), so that it also runs on
// PostgreSQL-protocol distributed engines (CockroachDB, YugabyteDB);
// docs/scaling.md says what an operator changes for those.
// Instants are timestamptz and come back in UTC.
package postgres
