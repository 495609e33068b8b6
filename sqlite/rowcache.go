package sqlite

import (
	"context"

	"github.com/opencube/opencube"
)

// maxCachedRows bounds each map of a rowCache; a full map is emptied.
const maxCachedRows = 16384

// rowCache keeps the SIMs and plans that order transactions read, so that
// an order reads them once, not on every request. It belongs to the writer
// and is only touched from its goroutine.
//
// What keeps it true: order transactions (UpdateOrders) never write SIMs,
// plans or grants (opencube.OrderTx cannot), so they keep it; any other
// write transaction might, so the writer empties it after running one, and
// also at the start of a batch when another connection (another process:
// `opencube migrate`, a backup tool) has committed since the last batch
// (PRAGMA data_version), and when a batch fails to commit (an order
// transaction may have read what an earlier write of the batch changed).
// Rows read inside an order transaction that is then rolled back to its
// savepoint are still true: it wrote none of them.
type rowCache struct {
	version int64
	sims    map[[2]string]opencube.SIM
	plans   map[[2]string]opencube.Plan
}

func newRowCache() *rowCache {
	return &rowCache{version: -1, sims: map[[2]string]opencube.SIM{}, plans: map[[2]string]opencube.Plan{}}
}

func (c *rowCache) clear() {
	clear(c.sims)
	clear(c.plans)
}

// sync empties the cache when the database changed under another
// connection since it was last called; it runs in the writer's
// transaction, where nobody else can commit. When the version cannot be
// read the cache is emptied, and the next sync empties it again: not a
// reason to fail the batch.
func (c *rowCache) sync(w *writer) {
	var v int64
	if err := w.proto[pDataVersion].QueryRowContext(context.Background()).Scan(&v); err != nil {
		v = -1
	}
	if v != c.version || v == -1 {
		c.clear()
		c.version = v
	}
}

// cached returns a copy of m's row for (accessCode, key). A nil cache
// (outside order transactions) has nothing. Plans' Countries are shared
// with the cache and not to be changed.
func cached[T any](c *rowCache, m func(*rowCache) map[[2]string]T, accessCode, key string) (*T, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := m(c)[[2]string{accessCode, key}]
	return &v, ok
}

// keep stores a copy of row v under (accessCode, key) in m, emptying a
// full m first. A nil cache keeps nothing.
func keep[T any](c *rowCache, m func(*rowCache) map[[2]string]T, accessCode, key string, v *T) {
	if c == nil {
		return
	}
	rows := m(c)
	if len(rows) >= maxCachedRows {
		clear(rows)
	}
	rows[[2]string{accessCode, key}] = *v
}

func simRows(c *rowCache) map[[2]string]opencube.SIM   { return c.sims }
func planRows(c *rowCache) map[[2]string]opencube.Plan { return c.plans }
