package postgres

import (
	"context"
	"errors"
	"hash/fnv"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Shared commits. An order transaction (claiming) starts lazily: as long
// as its statements are reads registered as pure (pureRead), they run
// outside any transaction, each a statement of its own at READ COMMITTED,
// which sees what it would have seen inside one (a statement's snapshot
// is taken when it starts, and these take no locks). Its writes are
// deferred (pipeTx.Defer). When it commits having sent nothing else, its
// writes need no transaction of its own: the committer joins them to the
// writes of the other transactions committing at that moment, in one
// transaction, sent with its BEGIN and COMMIT in one round trip, and
// answers each of them with that commit's outcome. The database so begins
// and commits once, and flushes its log once, for a group of orders rather
// than for each, and a request makes one round trip of its own (its
// reads) instead of two.
//
// Each change stays whole: its rows, events, jobs, ledger line and replay
// entry commit together, with the group's. A write that fails rolls the
// group back: the member that made it runs again on its own, where the
// failure is met where the write is made, as without groups, and the
// others commit again without it. A failure no member can be named for
// (at the COMMIT) makes every member run again on its own
// (errGroupFailed).
//
// Locks: the members' writes run in the order of their keys (the ICCID of
// the SIM they change), so that two groups lock the SIMs they share in the
// same order and cannot deadlock on them; the counts kept by triggers are
// written at the commit to rows of the lane's own slot (claimSlot,
// migration 00026), which no other transaction in flight writes.

// maxGroup bounds the members of one shared commit, and so the time the
// last of them waits for the first.
const maxGroup = 32

// maxGroupStatements bounds the deferred statements a transaction may
// bring to a shared commit; one with more (a bulk order) commits on its own.
const maxGroupStatements = 16

// groupLanes is how many shared commits may be under way at once, each on
// a connection of its own: one a core, from 2 to 8, and no more than a
// quarter of the pool's connections (none below 4: no shared commits).
func groupLanes(maxConns int32) int {
	return min(int(maxConns)/4, min(8, max(2, runtime.GOMAXPROCS(0))))
}

// errGroupFailed is the outcome, for each member, of a shared commit that
// failed where no member can be named for it: every member runs again at
// once on its own.
var errGroupFailed = errors.New("postgres: a write of a shared commit failed; each of its transactions runs again on its own")

// pureReads are the statements a lazy transaction may run before it
// begins (pureRead).
var pureReads = map[string]bool{}

// pureRead registers sql as a read without effects and without locks, that
// a lazy transaction runs outside any transaction. Package initialization
// only.
func pureRead(sql string) string {
	if up := strings.ToUpper(sql); strings.Contains(up, "FOR UPDATE") || strings.Contains(up, "FOR SHARE") {
		panic("postgres: a locking read is not pure: " + sql)
	}
	pureReads[sql] = true
	return sql
}

// slotLockClass is the first key of the session advisory locks that hold
// the lanes' slots (claimSlot).
const slotLockClass = 0x6f63_736c // "ocsl"

// sqlClaimSlot claims the lowest slot that no other session holds.
var sqlClaimSlot = `SELECT s FROM generate_series(0, 1023) s WHERE pg_try_advisory_lock(` + strconv.Itoa(slotLockClass) + `, s) LIMIT 1`

// claimSlot gives a lane's connection a slot of its own among the sessions
// of every node, and returns it: the count rows and balance rows its
// shared commits write (migration 00026, sqlInsertLine), named for each
// of its transactions in the setting opencube.slot. A session advisory
// lock holds the slot for as long as the connection lives. When all 1,024
// slots are held, or the server refuses advisory locks (some
// PostgreSQL-protocol engines do), the lane goes without ("", nil): its
// commits count in the rows of the ICCIDs' shards, as other transactions
// do, where two shared commits may wait for each other, or deadlock and
// run again.
func claimSlot(ctx context.Context, conn *pgx.Conn) (string, error) {
	var slot int
	err := conn.QueryRow(ctx, sqlClaimSlot).Scan(&slot)
	if _, refused := errors.AsType[*pgconn.PgError](err); refused || errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strconv.Itoa(slot), nil
}

// groupMember is a transaction's share of a shared commit.
type groupMember struct {
	key   string
	queue []queued
	done  chan error
}

// committer runs shared commits on lanes. A transaction goes to the lane
// of its key, so that the orders of one SIM share commits rather than wait
// for another lane's to end.
type committer struct {
	db    *DB
	lanes []*lane
	quit  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
	// queued counts the transactions waiting for a lane.
	queued atomic.Int32
	// observe, when set, is told of every shared commit
	// (DB.ObserveSharedCommits).
	observe atomic.Pointer[func(writes int, took time.Duration)]
}

// lane is one line of shared commits: its queue, and the connection it
// holds, with its slot.
type lane struct {
	in   chan *groupMember
	conn *pgxpool.Conn
	slot string
	// used is when conn last answered.
	used time.Time
}

// idleCheck is how long a lane's connection may sit unused before it is
// checked (a ping) ahead of a commit: a server restarted meanwhile is found
// then, rather than by a commit whose outcome would be unknown.
const idleCheck = time.Second

// ObserveSharedCommits has fn told of every shared commit of order
// transactions: how many committed together, and the time from sending
// its BEGIN to its COMMIT's answer. fn runs on the committing goroutine
// and must be quick.
func (db *DB) ObserveSharedCommits(fn func(writes int, took time.Duration)) {
	if db.group != nil {
		db.group.observe.Store(&fn)
	}
}

// newCommitter starts the lanes of db's shared commits, each holding a
// connection of the pool with its slot; nil when the pool is too small
// for lanes.
func newCommitter(ctx context.Context, db *DB) (*committer, error) {
	n := groupLanes(db.pool.Config().MaxConns)
	if n == 0 {
		return nil, nil
	}
	c := &committer{db: db, quit: make(chan struct{})}
	for range n {
		l := &lane{in: make(chan *groupMember)}
		if err := c.connect(ctx, l); err != nil {
			c.release()
			return nil, err
		}
		c.lanes = append(c.lanes, l)
	}
	c.wg.Add(len(c.lanes))
	for _, l := range c.lanes {
		go c.lane(l)
	}
	return c, nil
}

// connect gives l a connection of the pool and a slot.
func (c *committer) connect(ctx context.Context, l *lane) error {
	conn, err := c.db.pool.Acquire(ctx)
	if err != nil {
		return c.db.dbError("connect a lane of shared commits", err)
	}
	slot, err := claimSlot(ctx, conn.Conn())
	if err != nil {
		conn.Release()
		return c.db.dbError("claim a slot", err)
	}
	l.conn, l.slot = conn, slot
	return nil
}

// release closes the lanes' connections, which ends their slots' locks.
func (c *committer) release() {
	for _, l := range c.lanes {
		if l.conn != nil {
			l.conn.Conn().Close(context.Background())
			l.conn.Release()
			l.conn = nil
		}
	}
}

// close stops the lanes once their commits are over.
func (c *committer) close() {
	c.once.Do(func() {
		close(c.quit)
		c.wg.Wait()
		c.release()
	})
}

// commit commits queue, the deferred writes of a transaction that sent
// nothing else, with those of the transactions committing with it; key
// orders it among them. It returns the shared commit's outcome:
// errGroupFailed when a write of the group failed.
func (c *committer) commit(key string, queue []queued) error {
	m := &groupMember{key: key, queue: queue, done: make(chan error, 1)}
	c.queued.Add(1)
	select {
	case c.lanes[c.laneOf(key)].in <- m:
		c.queued.Add(-1)
	case <-c.quit:
		c.queued.Add(-1)
		return errors.New("postgres: database is closed")
	}
	return <-m.done
}

// laneOf is the lane of the transactions of key.
func (c *committer) laneOf(key string) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(len(c.lanes)))
}

// lane takes a member, and every member waiting then (up to maxGroup),
// and commits them together, until close.
func (c *committer) lane(l *lane) {
	defer c.wg.Done()
	group := make([]*groupMember, 0, maxGroup)
	for {
		select {
		case m := <-l.in:
			group = append(group[:0], m)
		case <-c.quit:
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case m := <-l.in:
				group = append(group, m)
			default:
				break more
			}
		}
		slices.SortStableFunc(group, func(a, b *groupMember) int { return strings.Compare(a.key, b.key) })
		for len(group) > 0 {
			start := time.Now()
			failed, err := c.run(l, group)
			if fn := c.observe.Load(); fn != nil && failed < 0 && err == nil {
				(*fn)(len(group), time.Since(start))
			}
			if failed < 0 {
				for _, m := range group {
					m.done <- err
				}
				break
			}
			// One member's write failed: it runs again on its own, and
			// the others commit without it. Their writes do not depend
			// on anything the failed transaction did, nor on when they
			// are sent (their reads took no locks).
			group[failed].done <- err
			group = slices.Delete(group, failed, failed+1)
		}
	}
}

// run sends BEGIN, the lane's slot, the group's writes and COMMIT in one
// pipeline on the lane's connection, and returns the outcome for every
// member (failed < 0), or the index of the member whose write failed and
// the error it is to get: its failure, when retryable, else
// errNeedSavepoints (it runs again with its writes made one by one, where
// it meets the failure).
func (c *committer) run(l *lane, group []*groupMember) (failed int, _ error) {
	ctx := context.Background()
	retried := false
again:
	if l.conn != nil && time.Since(l.used) > idleCheck {
		if err := l.conn.Ping(ctx); err != nil {
			l.conn.Conn().Close(ctx)
			l.conn.Release()
			l.conn = nil
		}
	}
	if l.conn == nil {
		if err := c.connect(ctx, l); err != nil {
			return -1, err
		}
	}
	conn := l.conn
	defer func() { l.used = time.Now() }()
	// A connection that failed is given back, closed, and the lane takes
	// another on its next commit.
	lost := func() {
		conn.Conn().Close(ctx)
		conn.Release()
		l.conn = nil
	}
	var b pgx.Batch
	owner := []int{-1} // the member of each statement; none for BEGIN, the slot, COMMIT
	b.Queue(sqlBegin)
	if l.slot != "" {
		b.Queue(`SELECT set_config('opencube.slot', $1, true)`, l.slot)
		owner = append(owner, -1)
	}
	for i, m := range group {
		for _, q := range m.queue {
			b.Queue(q.sql, q.args...)
			owner = append(owner, i)
		}
	}
	b.Queue("COMMIT")
	owner = append(owner, -1)
	br := conn.SendBatch(ctx, &b)
	var first error
	at := -1
	var tag pgconn.CommandTag
	for i := range owner {
		t, err := br.Exec()
		if err != nil && first == nil {
			first, at = err, i
		}
		tag = t
	}
	if err := br.Close(); err != nil && first == nil {
		first = err
	}
	var pe *pgconn.PgError
	switch {
	case first == nil && tag.String() == "ROLLBACK":
		return -1, errGroupFailed
	case first == nil:
		return -1, nil
	case !errors.As(first, &pe) && pgconn.SafeToRetry(first) && !retried:
		// The connection was found broken before anything was sent
		// (the server restarted since): again on a new one.
		lost()
		retried = true
		goto again
	case !errors.As(first, &pe):
		// The connection failed: whether the COMMIT got through is
		// unknown, as for a transaction of one's own.
		lost()
		return -1, c.db.dbError("commit", first)
	}
	// A statement failed: the server skipped the rest, COMMIT included,
	// and the transaction is to be rolled back.
	if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
		lost()
	}
	if at >= 0 && owner[at] >= 0 {
		if retryable(first) {
			return owner[at], first
		}
		return owner[at], errNeedSavepoints
	}
	if retryable(first) {
		return -1, c.db.dbError("commit", first)
	}
	return -1, errGroupFailed
}
