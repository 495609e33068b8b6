// Package storetest is the conformance suite of opencube.Store: the behaviour
// every store implementation (sqlite, postgres) must show, written once
// against the interface. A store's own tests call Run with a function that
// opens a fresh, empty store:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) opencube.Store { ... })
//	}
//
// Stored instants must keep at least millisecond precision; the suite's
// times are whole milliseconds and compare with time.Time.Equal. Empty lists
// (secrets, countries) may come back nil or empty.
package storetest
