package storetest

import (
	"path/filepath"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sqlite"
)

// SQLite opens a fresh SQLite store in a temporary directory of tb; it is
// closed when tb ends.
func SQLite(tb testing.TB) *sqlite.DB {
	tb.Helper()
	store, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "opencube.db"), seal.Demo())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

// Services opens a fresh SQLite store (see SQLite) and returns it with the
// services over it on clock, their IDs made on node number 0.
func Services(tb testing.TB, clock opencube.Clock) (*sqlite.DB, *service.Set) {
	tb.Helper()
	store := SQLite(tb)
	return store, service.New(store, clock, service.NewIDGenerator(0))
}

// Demo is Services with the demo data loaded: the enterprises, SIMs, plans
// and grants of service.NewDemo(service.DemoSecret).
func Demo(tb testing.TB, clock opencube.Clock) (*sqlite.DB, *service.Set) {
	tb.Helper()
	store, svc := Services(tb, clock)
	if _, err := service.NewDemo(service.DemoSecret).Load(tb.Context(), svc.Admin); err != nil {
		tb.Fatal(err)
	}
	return store, svc
}
