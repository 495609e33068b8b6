// Package sqlite is opencube's embedded store: it implements opencube.Store
// over one SQLite database file with the pure-Go driver modernc.org/sqlite, so
// that opencube runs on a fresh machine with nothing else installed.
//
// It owns the SQLite schema (the numbered, append-only goose migrations
// embedded from migrations/), the mapping between SQLite rows and the domain
// types, and the mapping of SQLite constraint failures to opencube error
// kinds.
//
// A DB holds two pools on the same file: a single write connection, on which
// writers queue rather than fail with SQLITE_BUSY, and a pool of read-only
// connections that WAL mode lets run beside the writer. Concurrent writes
// share commits (group commit): each runs in its own savepoint of one
// BEGIN IMMEDIATE transaction, and returns once that transaction commits, so
// a busy server writes each hot page to the WAL once a batch rather than
// once a request. Instants are stored as INTEGER microseconds
// since the Unix epoch (UTC), the precision PostgreSQL keeps, so both stores
// round-trip the same values.
//
// Background jobs and node-number leases are rows like any other: claims
// are writes, so the single writer serialises them and no two claimers get
// the same job or number.
package sqlite
