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
// group back, and every member runs again on its own (errGroupFailed),
// where the failure is met where the write is made, as without groups.
//
// Locks: the members' writes run in the order of their keys (the ICCID of
// the SIM they change), so that two groups lock the SIMs they share in the
// same order and cannot deadlock on them; the counts kept by triggers are
// written at the commit to rows of the connection's own slot (claimSlot,
// migration 00026), which no other transaction in flight writes.

// maxGroup bounds the members of one shared commit, and so the time the
// last of them waits for the first.
const maxGroup = 32

// maxGroupStatements bounds the deferred statements a transaction may
// bring to a shared commit; one with more (a bulk order) commits on its own.
const maxGroupStatements = 16

// groupLanes is how many shared commits may be under way at once, each on
// a connection of its own: one a core, from 2 to 8.
var groupLanes = uint32(min(8, max(2, runtime.GOMAXPROCS(0))))

// errGroupFailed is the outcome, for each member, of a shared commit that
// a member's write failed: every member runs again at once on its own.
var errGroupFailed = errors.New("postgres: a write of a shared commit failed; each of its transactions runs again on its own")

// pureReads are the statements a lazy transaction may run before it
// begins (pureRead).
var pureReads = map[string]bool{}

// pureRead registers sql as a read without effects and without locks, that
// a lazy transaction runs outside any transaction. Package initialization
// only.
func pureRead(sql string) string {
	if strings.Contains(strings.ToUpper(sql), "FOR UPDATE") || strings.Contains(strings.ToUpper(sql), "FOR SHARE") {
		panic("postgres: a locking read is not pure: " + sql)
	}
	pureReads[sql] = true
	return sql
}

// slotLockClass is the first key of the session advisory locks that hold
// the connections' slots (claimSlot).
const slotLockClass = 0x6f63_736c // "ocsl"

// sqlClaimSlot claims the lowest slot that no other session holds, and
// names it in the session's setting opencube.slot.
var sqlClaimSlot = `SELECT set_config('opencube.slot', s::text, false) FROM generate_series(0, 1023) s
	WHERE pg_try_advisory_lock(` + strconv.Itoa(slotLockClass) + `, s) LIMIT 1`

// claimSlot gives a new connection a slot of its own among the sessions of
// every node: the count rows and balance rows its transactions write
// (migration 00026, sqlInsertLine). A session advisory lock holds it for
// as long as the connection lives. When all 1,024 slots are held, or the
// server refuses advisory locks (some PostgreSQL-protocol engines do), the
// connection goes without: it writes to rows shared by its server process
// number, which transactions may then wait for.
func claimSlot(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, sqlClaimSlot)
	if _, refused := errors.AsType[*pgconn.PgError](err); refused {
		return nil
	}
	return err
}

// groupMember is a transaction's share of a shared commit.
type groupMember struct {
	key   string
	queue []queued
	done  chan error
}

// committer runs shared commits on groupLanes lanes. A transaction goes
// to the lane of its key, so that the orders of one SIM share commits
// rather than wait for another lane's to end.
type committer struct {
	db   *DB
	in   []chan *groupMember
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
	// queued counts the transactions waiting for a lane.
	queued atomic.Int32
	// observe, when set, is told of every shared commit
	// (DB.ObserveSharedCommits).
	observe atomic.Pointer[func(writes int, took time.Duration)]
}

// ObserveSharedCommits has fn told of every shared commit of order
// transactions: how many committed together, and the time from sending
// its BEGIN to its COMMIT's answer. fn runs on the committing goroutine
// and must be quick.
func (db *DB) ObserveSharedCommits(fn func(writes int, took time.Duration)) {
	if db.group != nil {
		db.group.observe.Store(&fn)
	}
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, in: make([]chan *groupMember, groupLanes), quit: make(chan struct{})}
	c.wg.Add(len(c.in))
	for i := range c.in {
		c.in[i] = make(chan *groupMember)
		go c.lane(c.in[i])
	}
	return c
}

// close stops the lanes once their commits are over.
func (c *committer) close() {
	c.once.Do(func() {
		close(c.quit)
		c.wg.Wait()
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
	case c.in[laneOf(key)] <- m:
		c.queued.Add(-1)
	case <-c.quit:
		c.queued.Add(-1)
		return errors.New("postgres: database is closed")
	}
	return <-m.done
}

// laneOf is the lane of the transactions of key.
func laneOf(key string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(key))
	return h.Sum32() % groupLanes
}

// lane takes a member, and every member waiting then (up to maxGroup),
// and commits them together, until close.
func (c *committer) lane(in chan *groupMember) {
	defer c.wg.Done()
	group := make([]*groupMember, 0, maxGroup)
	for {
		select {
		case m := <-in:
			group = append(group[:0], m)
		case <-c.quit:
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case m := <-in:
				group = append(group, m)
			default:
				break more
			}
		}
		slices.SortStableFunc(group, func(a, b *groupMember) int { return strings.Compare(a.key, b.key) })
		for len(group) > 0 {
			start := time.Now()
			failed, err := c.run(group)
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

// run sends BEGIN, the group's writes and COMMIT in one pipeline, and
// returns the outcome for every member (failed < 0), or the index of the
// member whose write failed and the error it is to get: its failure, when
// retryable, else errNeedSavepoints (it runs again with its writes made
// one by one, where it meets the failure).
func (c *committer) run(group []*groupMember) (failed int, _ error) {
	ctx := context.Background()
	conn, err := c.db.pool.Acquire(ctx)
	if err != nil {
		return -1, c.db.dbError("begin", err)
	}
	defer conn.Release()
	var b pgx.Batch
	owner := []int{-1} // the member of each statement; BEGIN's and COMMIT's none
	b.Queue(sqlBegin)
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
	case !errors.As(first, &pe):
		// The connection failed: whether the COMMIT got through is
		// unknown, as for a transaction of one's own.
		conn.Conn().Close(ctx)
		return -1, c.db.dbError("commit", first)
	}
	// A statement failed: the server skipped the rest, COMMIT included,
	// and the transaction is to be rolled back.
	if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
		conn.Conn().Close(ctx)
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
