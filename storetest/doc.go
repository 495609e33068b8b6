// Package storetest is the conformance suite of service.Store: the behaviour
// every store implementation (sqlite, postgres) must show, written once
// against the interface. A store's own tests call Run with a function that
// opens a fresh, empty store:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) service.Store { ... })
//	}
//
// The same stores' benchmarks (BenchUpdateOrdersInsert, BenchOrderPackage)
// and the fixture they share with a store's own tests (Seed, NewOrder) live
// here too, so that both stores measure the same work. So do the fixtures
// of the tests above the store (SQLite, Services, Demo): a fresh SQLite
// store in a temporary directory, the services over it, the demo data.
//
// Stored instants must keep at least millisecond precision; the suite's
// times are whole milliseconds and compare with time.Time.Equal. Empty lists
// (secrets, countries) may come back nil or empty.
//
// Jobs and node numbers: a lease that ends at now has run out. An owner
// holds a job or node number from its claim until someone else claims it or
// it is released, even after its lease has run out; so CompleteJob, RetryJob
// and RenewNode succeed for it then, and fail with KindConflict once another
// owner has claimed it (or, for a job, once it is gone, released, or moved by
// InsertJob). InsertJob of a pending kind and key keeps that job's id,
// attempts and last error. ReleaseNode of a number the owner does not hold
// does nothing. Jobs of equal RunAt may come in any order; the suite never
// relies on it.
package storetest
