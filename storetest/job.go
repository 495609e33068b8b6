package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// Job kinds of the suite.
const (
	kindA = "test.a"
	kindB = "test.b"
	kindC = "test.c"
)

// lease is the suite's job and node lease.
const lease = 5 * time.Minute

// newJob returns a job with a payload naming it.
func newJob(id, kind, key string, runAt time.Time) *opencube.Job {
	return &opencube.Job{ID: id, Kind: kind, Key: key, Payload: []byte(`{"job":"` + id + `"}`), RunAt: runAt}
}

// leasedTo returns a copy of j leased to owner until until, after attempts
// attempts.
func leasedTo(j *opencube.Job, owner string, until time.Time, attempts int) *opencube.Job {
	c := *j
	c.ClaimedBy, c.ClaimedUntil, c.Attempts = owner, until, attempts
	return &c
}

// released returns a copy of j without its lease.
func released(j *opencube.Job) *opencube.Job {
	c := *j
	c.ClaimedBy, c.ClaimedUntil = "", time.Time{}
	return &c
}

// insertJobs writes jobs in one UpdateOrders.
func insertJobs(t *testing.T, s service.Store, jobs ...*opencube.Job) {
	t.Helper()
	ctx := context.Background()
	err := s.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		for _, j := range jobs {
			if err := tx.InsertJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("InsertJob: %v", err)
	}
}

// checkJobs reports unless FindJobs(kind) returns want.
func checkJobs(t *testing.T, s service.Store, what, kind string, want []*opencube.Job) {
	t.Helper()
	got, err := s.FindJobs(context.Background(), kind)
	if err != nil {
		t.Fatalf("%s: FindJobs(%q): %v", what, kind, err)
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("%s: FindJobs(%q) (-want +got):\n%s", what, kind, diff)
	}
}

// jobStep is one step of a sequential job scenario: do's error must have
// kind (when do is set), and afterwards FindJobs("") must return want.
type jobStep struct {
	name string
	do   func(t *testing.T) error
	kind opencube.Kind
	want []*opencube.Job
}

func runJobSteps(t *testing.T, s service.Store, steps []jobStep) {
	t.Helper()
	for _, st := range steps {
		if st.do != nil {
			checkKind(t, st.name, st.do(t), st.kind, false)
		}
		checkJobs(t, s, st.name, "", st.want)
	}
}

// claim returns a step action that claims jobs for owner at now (with the
// suite's lease, up to 10) and reports unless it receives want.
func claim(s service.Store, owner string, kinds []string, now time.Time, want ...*opencube.Job) func(t *testing.T) error {
	return func(t *testing.T) error {
		t.Helper()
		got, err := s.ClaimJobs(context.Background(), owner, kinds, 10, now, lease)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want, got, opts); diff != "" {
			t.Errorf("ClaimJobs(%s, %q, %v) (-want +got):\n%s", owner, kinds, now, diff)
		}
		return nil
	}
}

func testOrderByID(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	orderA := f.newOrder(1, f.sims[1], "P1", base)
	orderB := withStatus(f.newOrder(6, f.sims[6], "P2", at(time.Minute)), opencube.OrderInUse)
	f.insert(t, orderA, orderB)
	tests := []struct {
		name string
		id   string
		want *opencube.Order
		kind opencube.Kind
	}{
		{"enterprise A's order", orderA.ID, orderA, ""},
		{"enterprise B's order", orderB.ID, orderB, ""},
		{"unknown order", orderID(999), nil, opencube.KindOrderNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *opencube.Order
			var txErr error
			f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error {
				got, txErr = tx.OrderByID(f.ctx, tt.id)
				return nil
			})
			checkKind(t, "OrderByID", txErr, tt.kind, true)
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("OrderByID (-want +got):\n%s", diff)
			}
		})
	}
}

func testInsertJobRollsBack(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	o := f.newOrder(1, f.sims[1], "P1", base)
	kept := newJob("job-kept", kindA, o.ID, at(time.Hour))
	insertJobs(t, f.s, kept)
	errFail := opencube.Errorf(opencube.KindQuota, "refused")
	tests := []struct {
		name string
		fn   func(tx opencube.OrderTx) error
	}{
		{"new job", func(tx opencube.OrderTx) error {
			return tx.InsertJob(f.ctx, newJob("job-new", kindA, orderID(2), at(time.Minute)))
		}},
		{"new job with its order", func(tx opencube.OrderTx) error {
			if err := tx.InsertOrder(f.ctx, o); err != nil {
				return err
			}
			return tx.InsertJob(f.ctx, newJob("job-new", kindB, o.ID, at(time.Minute)))
		}},
		{"rescheduled job", func(tx opencube.OrderTx) error {
			j := newJob("job-moved", kindA, o.ID, at(2*time.Hour))
			j.Payload = []byte(`"moved"`)
			return tx.InsertJob(f.ctx, j)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.s.UpdateOrders(f.ctx, func(tx opencube.OrderTx) error {
				if err := tt.fn(tx); err != nil {
					return fmt.Errorf("before failing: %w", err)
				}
				return errFail
			})
			if err != errFail {
				t.Errorf("UpdateOrders = %v, want fn's error", err)
			}
			checkJobs(t, f.s, "after a failed transaction", "", []*opencube.Job{kept})
		})
	}
	// The same writes commit when fn succeeds.
	added := newJob("job-new", kindB, o.ID, at(time.Minute))
	f.update(t, func(tx opencube.OrderTx) error {
		if err := tx.InsertOrder(f.ctx, o); err != nil {
			return err
		}
		return tx.InsertJob(f.ctx, added)
	})
	checkJobs(t, f.s, "after a committed transaction", "", []*opencube.Job{added, kept})
}

func testInsertJobUpsert(t *testing.T, open func(*testing.T) service.Store) {
	s, ctx := open(t), context.Background()
	first := newJob("job-1", kindA, "order-1", at(time.Hour))
	second := newJob("job-2", kindA, "order-2", at(2*time.Hour))
	otherKind := newJob("job-3", kindB, "order-1", at(30*time.Minute))
	insert := func(jobs ...*opencube.Job) func(*testing.T) error {
		return func(*testing.T) error {
			return s.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
				for _, j := range jobs {
					if err := tx.InsertJob(ctx, j); err != nil {
						return err
					}
				}
				return nil
			})
		}
	}
	// moved is first, as rescheduled by a job of another id.
	moved := func(runAt time.Time, payload string) *opencube.Job {
		j := *first
		j.RunAt, j.Payload = runAt, []byte(payload)
		return &j
	}
	reschedule := func(id string, runAt time.Time, payload string) *opencube.Job {
		return &opencube.Job{ID: id, Kind: first.Kind, Key: first.Key, Payload: []byte(payload), RunAt: runAt}
	}
	// After the claim at 3h, both kindA jobs are leased to w1, attempt 1.
	secondLeased := leasedTo(second, "w1", at(3*time.Hour+lease), 1)
	movedLeased := leasedTo(moved(at(3*time.Hour), `"3h"`), "w1", at(3*time.Hour+lease), 1)
	movedAgain := released(movedLeased)
	movedAgain.RunAt, movedAgain.Payload = at(4*time.Hour), []byte(`"4h"`)
	runJobSteps(t, s, []jobStep{
		{name: "new", do: insert(first), want: []*opencube.Job{first}},
		{name: "same kind, other key", do: insert(second), want: []*opencube.Job{first, second}},
		{name: "same key, other kind", do: insert(otherKind), want: []*opencube.Job{otherKind, first, second}},
		{name: "same kind and key: the pending job moves and keeps its id",
			do:   insert(reschedule("job-4", at(3*time.Hour), `"3h"`)),
			want: []*opencube.Job{otherKind, second, moved(at(3*time.Hour), `"3h"`)}},
		{name: "the same job again", do: insert(moved(at(3*time.Hour), `"3h"`)),
			want: []*opencube.Job{otherKind, second, moved(at(3*time.Hour), `"3h"`)}},
		{name: "twice in one transaction: the last wins",
			do:   insert(reschedule("job-5", at(5*time.Hour), `"5h"`), reschedule("job-6", at(3*time.Hour), `"3h"`)),
			want: []*opencube.Job{otherKind, second, moved(at(3*time.Hour), `"3h"`)}},
		{name: "claimed", do: claim(s, "w1", []string{kindA}, at(3*time.Hour), secondLeased, movedLeased),
			want: []*opencube.Job{otherKind, secondLeased, movedLeased}},
		{name: "a claimed job moves, loses its lease and keeps its attempts",
			do:   insert(reschedule("job-7", at(4*time.Hour), `"4h"`)),
			want: []*opencube.Job{otherKind, secondLeased, movedAgain}},
		{name: "the run under way cannot complete the moved job",
			do:   func(*testing.T) error { return s.CompleteJob(ctx, first.ID, "w1") },
			kind: opencube.KindConflict, want: []*opencube.Job{otherKind, secondLeased, movedAgain}},
		{name: "nor retry it",
			do:   func(*testing.T) error { return s.RetryJob(ctx, first.ID, "w1", at(time.Hour), "failed") },
			kind: opencube.KindConflict, want: []*opencube.Job{otherKind, secondLeased, movedAgain}},
		{name: "completed", do: func(*testing.T) error { return s.CompleteJob(ctx, second.ID, "w1") },
			want: []*opencube.Job{otherKind, movedAgain}},
		{name: "a completed job's kind and key are free again", do: insert(second),
			want: []*opencube.Job{otherKind, second, movedAgain}},
	})
}

func testClaimJobs(t *testing.T, open func(*testing.T) service.Store) {
	s := open(t)
	a1 := newJob("a1", kindA, "k1", at(0))
	a2 := newJob("a2", kindA, "k2", at(time.Minute))
	a3 := newJob("a3", kindA, "k3", at(time.Hour))
	b1 := newJob("b1", kindB, "k1", at(30*time.Second))
	c1 := newJob("c1", kindC, "k1", at(-time.Minute))
	insertJobs(t, s, a1, a2, a3, b1, c1)
	all := []string{kindA, kindB, kindC}
	steps := []struct {
		name  string
		owner string
		kinds []string
		limit int
		now   time.Time
		want  []*opencube.Job
	}{
		{"nothing due", "w1", all, 10, at(-2 * time.Minute), nil},
		{"due at its run time", "w1", []string{kindC}, 10, at(-time.Minute),
			[]*opencube.Job{leasedTo(c1, "w1", at(-time.Minute+lease), 1)}},
		{"limit, earliest first", "w1", []string{kindA}, 1, at(2 * time.Minute),
			[]*opencube.Job{leasedTo(a1, "w1", at(2*time.Minute+lease), 1)}},
		{"only the given kinds", "w1", []string{kindB, kindA}, 10, at(2 * time.Minute),
			[]*opencube.Job{leasedTo(b1, "w1", at(2*time.Minute+lease), 1), leasedTo(a2, "w1", at(2*time.Minute+lease), 1)}},
		{"leased jobs are not claimed again", "w2", all, 10, at(3 * time.Minute), nil},
		{"leased jobs are not claimed again by their owner", "w1", all, 10, at(3 * time.Minute), nil},
		{"unknown kind", "w2", []string{"test.unknown"}, 10, at(3 * time.Hour), nil},
		{"no kinds", "w2", nil, 10, at(3 * time.Hour), nil},
		{"just before the lease runs out", "w2", all, 10, at(-time.Minute + lease - time.Millisecond), nil},
		{"a lease that ended is free", "w2", all, 10, at(-time.Minute + lease),
			[]*opencube.Job{leasedTo(c1, "w2", at(-time.Minute+2*lease), 2)}},
		{"another owner after the leases ran out", "w2", []string{kindA, kindB}, 2, at(2*time.Minute + lease),
			[]*opencube.Job{leasedTo(a1, "w2", at(2*time.Minute+2*lease), 2), leasedTo(b1, "w2", at(2*time.Minute+2*lease), 2)}},
		{"the rest of the due jobs", "w3", all, 10, at(2*time.Minute + lease),
			[]*opencube.Job{leasedTo(a2, "w3", at(2*time.Minute+2*lease), 2)}},
		{"later, every lease ran out", "w3", all, 10, at(time.Hour),
			[]*opencube.Job{leasedTo(c1, "w3", at(time.Hour+lease), 3), leasedTo(a1, "w3", at(time.Hour+lease), 3),
				leasedTo(b1, "w3", at(time.Hour+lease), 3), leasedTo(a2, "w3", at(time.Hour+lease), 3),
				leasedTo(a3, "w3", at(time.Hour+lease), 1)}},
	}
	state := map[string]*opencube.Job{}
	for _, j := range []*opencube.Job{a1, a2, a3, b1, c1} {
		state[j.ID] = j
	}
	for _, st := range steps {
		got, err := s.ClaimJobs(context.Background(), st.owner, st.kinds, st.limit, st.now, lease)
		if err != nil {
			t.Fatalf("%s: ClaimJobs: %v", st.name, err)
		}
		if diff := cmp.Diff(st.want, got, opts); diff != "" {
			t.Errorf("%s: ClaimJobs (-want +got):\n%s", st.name, diff)
		}
		for _, j := range st.want {
			state[j.ID] = j
		}
		want := make([]*opencube.Job, 0, len(state))
		for _, j := range state {
			want = append(want, j)
		}
		slices.SortFunc(want, func(a, b *opencube.Job) int { return a.RunAt.Compare(b.RunAt) })
		checkJobs(t, s, st.name, "", want)
	}
}

func testCompleteAndRetryJobs(t *testing.T, open func(*testing.T) service.Store) {
	s, ctx := open(t), context.Background()
	j1 := newJob("j1", kindA, "k1", at(0))
	j2 := newJob("j2", kindA, "k2", at(3*time.Hour))
	j3 := newJob("j3", kindB, "k1", at(time.Second))
	insertJobs(t, s, j1, j2, j3)
	complete := func(id, owner string) func(*testing.T) error {
		return func(*testing.T) error { return s.CompleteJob(ctx, id, owner) }
	}
	retry := func(id, owner string, runAt time.Time, errText string) func(*testing.T) error {
		return func(*testing.T) error { return s.RetryJob(ctx, id, owner, runAt, errText) }
	}
	j1w1 := leasedTo(j1, "w1", at(time.Minute+lease), 1)
	j3w1 := leasedTo(j3, "w1", at(time.Minute+lease), 1)
	j1w2 := leasedTo(j1, "w2", at(time.Minute+2*lease), 2)
	j1retried := released(j1w2)
	j1retried.RunAt, j1retried.LastError = at(2*time.Hour), "boom"
	j1w3 := leasedTo(j1retried, "w3", at(2*time.Hour+lease), 3)
	conflict := opencube.KindConflict
	runJobSteps(t, s, []jobStep{
		{name: "claimed", do: claim(s, "w1", []string{kindA, kindB}, at(time.Minute), j1w1, j3w1),
			want: []*opencube.Job{j1w1, j3w1, j2}},
		{name: "complete an unknown job", do: complete("no-such-job", "w1"), kind: conflict, want: []*opencube.Job{j1w1, j3w1, j2}},
		{name: "complete a job nobody holds", do: complete(j2.ID, "w1"), kind: conflict, want: []*opencube.Job{j1w1, j3w1, j2}},
		{name: "retry a job nobody holds", do: retry(j2.ID, "w1", at(time.Hour), "x"), kind: conflict, want: []*opencube.Job{j1w1, j3w1, j2}},
		{name: "complete another owner's job", do: complete(j1.ID, "w2"), kind: conflict, want: []*opencube.Job{j1w1, j3w1, j2}},
		{name: "retry another owner's job", do: retry(j1.ID, "w2", at(time.Hour), "x"), kind: conflict, want: []*opencube.Job{j1w1, j3w1, j2}},
		{name: "lease lost to another owner", do: claim(s, "w2", []string{kindA}, at(time.Minute+lease), j1w2),
			want: []*opencube.Job{j1w2, j3w1, j2}},
		{name: "complete by the owner whose lease was lost", do: complete(j1.ID, "w1"), kind: conflict, want: []*opencube.Job{j1w2, j3w1, j2}},
		{name: "retry by the owner whose lease was lost", do: retry(j1.ID, "w1", at(time.Hour), "x"), kind: conflict, want: []*opencube.Job{j1w2, j3w1, j2}},
		// j3's lease ran out, but nobody claimed it since: w1 still holds it.
		{name: "complete after the lease ran out, nobody else claiming", do: complete(j3.ID, "w1"), want: []*opencube.Job{j1w2, j2}},
		{name: "complete a completed job", do: complete(j3.ID, "w1"), kind: conflict, want: []*opencube.Job{j1w2, j2}},
		{name: "retry", do: retry(j1.ID, "w2", at(2*time.Hour), "boom"), want: []*opencube.Job{j1retried, j2}},
		{name: "retry a released job", do: retry(j1.ID, "w2", at(time.Hour), "again"), kind: conflict, want: []*opencube.Job{j1retried, j2}},
		{name: "complete a released job", do: complete(j1.ID, "w2"), kind: conflict, want: []*opencube.Job{j1retried, j2}},
		{name: "not due before the retry time", do: claim(s, "w3", []string{kindA}, at(2*time.Hour-time.Millisecond)),
			want: []*opencube.Job{j1retried, j2}},
		{name: "due again at the retry time", do: claim(s, "w3", []string{kindA}, at(2*time.Hour), j1w3),
			want: []*opencube.Job{j1w3, j2}},
		{name: "complete", do: complete(j1.ID, "w3"), want: []*opencube.Job{j2}},
	})
}

func testFindJobs(t *testing.T, open func(*testing.T) service.Store) {
	s := open(t)
	a1 := newJob("a1", kindA, "k1", at(2*time.Hour))
	a2 := newJob("a2", kindA, "k2", at(0))
	b1 := newJob("b1", kindB, "k1", at(time.Hour))
	empty := &opencube.Job{ID: "c1", Kind: kindC, Key: "k1", RunAt: at(-time.Hour)}
	insertJobs(t, s, a1, b1)
	insertJobs(t, s, a2, empty)
	// A leased job is pending too, and is listed with its lease.
	a2w1 := leasedTo(a2, "w1", at(lease), 1)
	if _, err := s.ClaimJobs(context.Background(), "w1", []string{kindA}, 10, at(0), lease); err != nil {
		t.Fatalf("ClaimJobs: %v", err)
	}
	tests := []struct {
		kind string
		want []*opencube.Job
	}{
		{"", []*opencube.Job{empty, a2w1, b1, a1}},
		{kindA, []*opencube.Job{a2w1, a1}},
		{kindB, []*opencube.Job{b1}},
		{kindC, []*opencube.Job{empty}},
		{"test.unknown", nil},
	}
	for _, tt := range tests {
		name := "kind " + tt.kind
		if tt.kind == "" {
			name = "all kinds"
		}
		t.Run(name, func(t *testing.T) {
			checkJobs(t, s, "FindJobs", tt.kind, tt.want)
		})
	}
}

// testConcurrentClaims runs claimers side by side over many due jobs: each
// job goes to exactly one of them.
func testConcurrentClaims(t *testing.T, open func(*testing.T) service.Store) {
	s, ctx := open(t), context.Background()
	const due, claimers, batch = 100, 8, 7
	var jobs, notDue, otherKind []*opencube.Job
	for i := range due {
		jobs = append(jobs, newJob(fmt.Sprintf("due-%03d", i), kindA, fmt.Sprint(i), at(time.Duration(i)*time.Millisecond)))
	}
	for i := range 10 {
		notDue = append(notDue, newJob(fmt.Sprintf("later-%03d", i), kindA, fmt.Sprint("later", i), at(2*time.Hour+time.Duration(i)*time.Millisecond)))
		otherKind = append(otherKind, newJob(fmt.Sprintf("other-%03d", i), kindB, fmt.Sprint(i), at(time.Duration(i)*time.Millisecond)))
	}
	insertJobs(t, s, jobs...)
	insertJobs(t, s, append(notDue, otherKind...)...)

	var mu sync.Mutex
	owners := map[string]string{} // job id: the claimer that got it
	var wg sync.WaitGroup
	for c := range claimers {
		owner := fmt.Sprintf("worker-%d", c)
		wg.Go(func() {
			for {
				got, err := s.ClaimJobs(ctx, owner, []string{kindA}, batch, at(time.Hour), lease)
				if err != nil {
					t.Errorf("%s: ClaimJobs: %v", owner, err)
					return
				}
				if len(got) == 0 {
					return
				}
				if len(got) > batch {
					t.Errorf("%s: ClaimJobs returned %d jobs, limit %d", owner, len(got), batch)
				}
				mu.Lock()
				for _, j := range got {
					if prev, ok := owners[j.ID]; ok {
						t.Errorf("job %s claimed by %s and %s", j.ID, prev, owner)
					}
					owners[j.ID] = owner
					if j.ClaimedBy != owner || j.Attempts != 1 {
						t.Errorf("job %s claimed by %s: ClaimedBy %q, Attempts %d", j.ID, owner, j.ClaimedBy, j.Attempts)
					}
				}
				mu.Unlock()
				for _, j := range got {
					if err := s.CompleteJob(ctx, j.ID, owner); err != nil {
						t.Errorf("%s: CompleteJob(%s): %v", owner, j.ID, err)
					}
				}
			}
		})
	}
	wg.Wait()
	for _, j := range jobs {
		if _, ok := owners[j.ID]; !ok {
			t.Errorf("job %s was not claimed", j.ID)
		}
	}
	if len(owners) != due {
		t.Errorf("%d jobs claimed, want %d", len(owners), due)
	}
	checkJobs(t, s, "after the claimers", kindA, notDue)
	checkJobs(t, s, "after the claimers", kindB, otherKind)
}

func testNodes(t *testing.T, open func(*testing.T) service.Store) {
	s, ctx := open(t), context.Background()
	const none = -1 // the outcome of an operation that returns no number
	claimNode := func(owner string, now time.Time) func() (int, error) {
		return func() (int, error) { return s.ClaimNode(ctx, owner, now, lease) }
	}
	renew := func(node int, owner string, now time.Time) func() (int, error) {
		return func() (int, error) { return none, s.RenewNode(ctx, node, owner, now, lease) }
	}
	release := func(node int, owner string) func() (int, error) {
		return func() (int, error) { return none, s.ReleaseNode(ctx, node, owner) }
	}
	conflict := opencube.KindConflict
	// Leases, as the steps go: 0 a, 1 b, 2 c (until 5m); 1 released, then
	// d (until 5m+1s); 3 e (until 5m+1s); 0 renewed by a until 6m; at 5m,
	// 2 lapses and goes to f.
	steps := []struct {
		name string
		op   func() (int, error)
		want int
		kind opencube.Kind
	}{
		{"first", claimNode("a", at(0)), 0, ""},
		{"second", claimNode("b", at(0)), 1, ""},
		{"third", claimNode("c", at(0)), 2, ""},
		{"release", release(1, "b"), none, ""},
		{"lowest free number", claimNode("d", at(time.Second)), 1, ""},
		{"release by another owner does nothing", release(0, "d"), none, ""},
		{"not released", claimNode("e", at(time.Second)), 3, ""},
		{"renew another owner's node", renew(0, "b", at(2*time.Second)), none, conflict},
		{"renew a free node", renew(4, "a", at(2*time.Second)), none, conflict},
		{"renew node 64", renew(operator.MaxNodes, "a", at(2*time.Second)), none, conflict},
		{"renew node -1", renew(-1, "a", at(2*time.Second)), none, conflict},
		{"renew", renew(0, "a", at(time.Minute)), none, ""},
		{"a lease that ended is free", claimNode("f", at(lease)), 2, ""},
		{"renew a node lost to another owner", renew(2, "c", at(lease)), none, conflict},
		{"release a node lost to another owner does nothing", release(2, "c"), none, ""},
		{"the new owner holds it", renew(2, "f", at(lease)), none, ""},
		// Nobody took 1 since d's lease ran out: d still holds it.
		{"renew a lapsed lease nobody took", renew(1, "d", at(lease+2*time.Second)), none, ""},
		{"renewed leases are held", claimNode("g", at(lease+2*time.Second)), 3, ""},
		{"release by its owner", release(0, "a"), none, ""},
		{"renew a released node", renew(0, "a", at(lease+2*time.Second)), none, conflict},
		{"a released node is free", claimNode("h", at(lease+2*time.Second)), 0, ""},
	}
	for _, st := range steps {
		got, err := st.op()
		checkKind(t, st.name, err, st.kind, false)
		if err == nil && got != st.want {
			t.Errorf("%s: got node %d, want %d", st.name, got, st.want)
		}
	}

	// Claimers side by side take the remaining numbers, each once, and then
	// find none.
	now := at(lease + 3*time.Second)
	held := map[int]string{0: "h", 1: "d", 2: "f", 3: "g"}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for c := range 8 {
		owner := fmt.Sprintf("claimer-%d", c)
		wg.Go(func() { ClaimNodes(t, s, owner, now, lease, &mu, held) })
	}
	wg.Wait()
	for n := range operator.MaxNodes {
		if _, ok := held[n]; !ok {
			t.Errorf("node %d was not claimed", n)
		}
	}
	if len(held) != operator.MaxNodes {
		t.Errorf("%d nodes held, want %d: %v", len(held), operator.MaxNodes, held)
	}
	_, err := s.ClaimNode(ctx, "late", now, lease)
	checkKind(t, "all held", err, conflict, false)
	if err := s.ReleaseNode(ctx, 42, held[42]); err != nil {
		t.Fatalf("ReleaseNode: %v", err)
	}
	n, err := s.ClaimNode(ctx, "late", now, lease)
	if err != nil || n != 42 {
		t.Errorf("ClaimNode after releasing 42 = %d, %v; want 42", n, err)
	}
}

// ClaimNodes claims node numbers of s for owner at now until none is left,
// and records each in held, under mu, as owner's: a number held already is
// an error. Claimers side by side share mu and held.
func ClaimNodes(t *testing.T, s service.Store, owner string, now time.Time, lease time.Duration, mu *sync.Mutex, held map[int]string) {
	for {
		n, err := s.ClaimNode(context.Background(), owner, now, lease)
		if opencube.ErrorKind(err) == opencube.KindConflict {
			return
		}
		if err != nil {
			t.Errorf("%s: ClaimNode: %v", owner, err)
			return
		}
		mu.Lock()
		if prev, ok := held[n]; ok {
			t.Errorf("node %d claimed by %s while %s holds it", n, owner, prev)
		}
		held[n] = owner
		mu.Unlock()
	}
}
