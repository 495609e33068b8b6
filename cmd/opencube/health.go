package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// readyTimeout bounds the database's answer to a readiness check.
const readyTimeout = time.Second

// readyReuse is how long one readiness check's outcome answers the checks
// that follow, so that a client polling /readyz in a loop costs the
// database at most a ping and a query a second.
const readyReuse = 500 * time.Millisecond

// loopTracker knows which of the node's background loops (job workers,
// delivery loops, lease renewal, the sandbox clock, the RADIUS listeners)
// stopped on their own. A loop ends on its own only by returning early or
// panicking; every loop ending after Close began is expected.
type loopTracker struct {
	closing atomic.Bool
	mu      sync.Mutex
	stopped []string // what ended each loop that ended on its own
}

// run runs fn, the loop name, in the calling goroutine, and records its
// end unless Close began first. A panic is recovered and recorded, so that
// the node reports itself not ready instead of dying.
func (l *loopTracker) run(logger *slog.Logger, name string, fn func() error) {
	defer func() {
		if v := recover(); v != nil {
			l.stop(logger, name, fmt.Sprintf("panicked: %v", v), "stack", string(debug.Stack()))
		}
	}()
	err := fn()
	if l.closing.Load() {
		return
	}
	why := "returned"
	if err != nil {
		why = "failed: " + err.Error()
	}
	l.stop(logger, name, why)
}

// stop records that the loop name ended on its own.
func (l *loopTracker) stop(logger *slog.Logger, name, why string, args ...any) {
	l.mu.Lock()
	l.stopped = append(l.stopped, name+" "+why)
	l.mu.Unlock()
	if logger != nil {
		logger.Error("background loop stopped: the node is not ready", append([]any{"loop", name, "why", why}, args...)...)
	}
}

// firstStopped returns why the first loop that ended on its own ended, or
// "" when every loop runs.
func (l *loopTracker) firstStopped() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.stopped) == 0 {
		return ""
	}
	return l.stopped[0]
}

// goLoop runs fn on a goroutine of its own as the background loop name,
// tracked by m.loops; wg, when not nil, counts the goroutine.
func (m *Main) goLoop(wg *sync.WaitGroup, name string, fn func() error) {
	if wg != nil {
		wg.Add(1)
	}
	go func() {
		if wg != nil {
			defer wg.Done()
		}
		m.loops.run(m.Logger, name, fn)
	}()
}

// readiness is the outcome of a readiness check.
type readiness struct {
	Ready  bool   `json:"ready"`
	Reason string `json:"reason,omitempty"`
}

// readyState holds the last database check, reused for readyReuse.
type readyState struct {
	mu   sync.Mutex
	at   time.Time
	last readiness
}

// readyz answers GET /readyz: 200 {"ready":true} when the node can serve,
// else 503 with the reason.
func (m *Main) readyz(w http.ResponseWriter, r *http.Request) {
	st := m.checkReady(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if !st.Ready {
		status = http.StatusServiceUnavailable
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(st)
}

// checkReady returns the node's readiness, in order: the server has
// started and is not shutting down, every background loop runs, the
// database answers within readyTimeout and its schema is the one this
// binary knows. The database is checked again when its last check is
// older than readyReuse; concurrent checks wait for one. A change is
// logged, with the database's error, which the answer leaves out.
func (m *Main) checkReady(ctx context.Context) readiness {
	select {
	case <-m.ready:
	default:
		return readiness{Reason: "starting"}
	}
	if m.loops.closing.Load() {
		return readiness{Reason: "shutting down"}
	}
	if why := m.loops.firstStopped(); why != "" {
		return readiness{Reason: "background loop " + why}
	}
	s := &m.readyState
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.at.IsZero() && time.Since(s.at) < readyReuse {
		return s.last
	}
	st, cause := m.checkDatabase(ctx)
	if st != s.last && (!s.at.IsZero() || !st.Ready) {
		if st.Ready {
			m.Logger.Info("database ready again")
		} else {
			m.Logger.Warn("not ready", "reason", st.Reason, "err", cause)
		}
	}
	s.at, s.last = time.Now(), st
	return st
}

// checkDatabase checks that the database answers within readyTimeout and
// that its schema is the one this binary knows. cause is the database's
// error behind a reason.
func (m *Main) checkDatabase(ctx context.Context) (st readiness, cause error) {
	// A prober that hangs up must not leave a failed check behind.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyTimeout)
	defer cancel()
	if err := m.Store.Ping(ctx); err != nil {
		if ctx.Err() != nil {
			return readiness{Reason: fmt.Sprintf("the database did not answer within %s", readyTimeout)}, err
		}
		return readiness{Reason: "the database does not answer"}, err
	}
	current, known, err := m.Store.SchemaVersion(ctx)
	if err != nil {
		return readiness{Reason: "the database's schema version cannot be read"}, err
	}
	if current != known {
		return readiness{Reason: fmt.Sprintf("the database schema is at version %d, this binary's at %d", current, known)}, nil
	}
	return readiness{Ready: true}, nil
}
