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
//   - ClaimReplay is one INSERT ... ON CONFLICT DO UPDATE ... WHERE expired.
//   - ClaimJobs and ClaimNode lease rows picked with FOR UPDATE SKIP LOCKED,
//     so concurrent claimers never take the same job or node number.
//
// The SQL avoids advisory locks, LISTEN/NOTIFY and gap-free sequences, so
// that it also runs on PostgreSQL-protocol distributed engines (CockroachDB,
// YugabyteDB); docs/scaling.md says what an operator changes for those.
// Instants are timestamptz and come back in UTC.
package postgres
