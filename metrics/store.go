package metrics

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// WatchBacklog reports, on every scrape, the store's backlog at clock's
// time (the service clock: jobs are due by it): due, running and retrying
// jobs and the lag of the oldest due one by kind, pending webhook
// deliveries and the age of the oldest, failing endpoints. A read that
// takes longer than timeout is given up, and opencube_backlog_up says so.
// Every node sharing a database reports the same backlog.
func (m *Metrics) WatchBacklog(store operator.BacklogStore, clock opencube.Clock, timeout time.Duration) {
	m.registry.MustRegister(&backlogCollector{store: store, clock: clock, timeout: timeout})
}

// backlogCollector reads the store's backlog on every scrape.
type backlogCollector struct {
	store   operator.BacklogStore
	clock   opencube.Clock
	timeout time.Duration
}

var (
	descBacklogUp = prometheus.NewDesc("opencube_backlog_up",
		"Whether the last scrape read the store's backlog (jobs, deliveries) within its timeout.", nil, nil)
	descJobsDue = prometheus.NewDesc("opencube_jobs_due",
		"Background jobs due and waiting for a worker, by kind (shared by every node of a database).", []string{"kind"}, nil)
	descJobsRunning = prometheus.NewDesc("opencube_jobs_running",
		"Background jobs a worker holds a live lease on, by kind.", []string{"kind"}, nil)
	descJobsRetrying = prometheus.NewDesc("opencube_jobs_retrying",
		"Due or running background jobs whose last attempt failed, by kind.", []string{"kind"}, nil)
	descJobsLag = prometheus.NewDesc("opencube_jobs_lag_seconds",
		"How long the oldest due job of a kind has been waiting for a worker (0: none waits).", []string{"kind"}, nil)
	descDeliveriesPending = prometheus.NewDesc("opencube_webhook_deliveries_pending",
		"Webhook deliveries neither delivered nor failed for good.", nil, nil)
	descDeliveriesOldest = prometheus.NewDesc("opencube_webhook_oldest_pending_seconds",
		"Age of the oldest pending webhook delivery (0: none is pending).", nil, nil)
	descEndpointsFailing = prometheus.NewDesc("opencube_webhook_endpoints_failing",
		"Webhook endpoints that failed 5 or more times in a row (they still get every delivery).", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descBacklogUp, descJobsDue, descJobsRunning, descJobsRetrying, descJobsLag,
		descDeliveriesPending, descDeliveriesOldest, descEndpointsFailing} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	now := c.clock.Now()
	b, err := c.store.Backlog(ctx, now)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(descBacklogUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descBacklogUp, prometheus.GaugeValue, 1)
	// Every kind has its series, zero when it has no due job; kinds this
	// binary does not know add up under "other".
	byKind := map[string]*operator.JobBacklog{}
	for _, k := range jobKinds {
		byKind[k] = &operator.JobBacklog{Kind: k}
	}
	for _, j := range b.Jobs {
		k := byKind[jobKind(j.Kind)]
		k.Due += j.Due
		k.Running += j.Running
		k.Retrying += j.Retrying
		if !j.OldestDue.IsZero() && (k.OldestDue.IsZero() || j.OldestDue.Before(k.OldestDue)) {
			k.OldestDue = j.OldestDue
		}
	}
	for _, kind := range jobKinds {
		k := byKind[kind]
		ch <- prometheus.MustNewConstMetric(descJobsDue, prometheus.GaugeValue, float64(k.Due), kind)
		ch <- prometheus.MustNewConstMetric(descJobsRunning, prometheus.GaugeValue, float64(k.Running), kind)
		ch <- prometheus.MustNewConstMetric(descJobsRetrying, prometheus.GaugeValue, float64(k.Retrying), kind)
		ch <- prometheus.MustNewConstMetric(descJobsLag, prometheus.GaugeValue, age(now, k.OldestDue), kind)
	}
	ch <- prometheus.MustNewConstMetric(descDeliveriesPending, prometheus.GaugeValue, float64(b.PendingDeliveries))
	ch <- prometheus.MustNewConstMetric(descDeliveriesOldest, prometheus.GaugeValue, age(now, b.OldestDelivery))
	ch <- prometheus.MustNewConstMetric(descEndpointsFailing, prometheus.GaugeValue, float64(b.FailingEndpoints))
}

// age returns how long before now t was, in seconds: 0 for a zero t or one
// not yet come.
func age(now, t time.Time) float64 {
	if t.IsZero() || t.After(now) {
		return 0
	}
	return now.Sub(t).Seconds()
}

// SQLiteWriter is what the SQLite store tells of its single writer
// (sqlite.DB).
type SQLiteWriter interface {
	// QueuedWrites returns how many write transactions wait.
	QueuedWrites() int
	// ObserveBatches has fn told of every batch committed together.
	ObserveBatches(fn func(writes int, took time.Duration))
}

// WatchSQLite reports the SQLite writer's queue and batches.
func (m *Metrics) WatchSQLite(w SQLiteWriter) {
	f := factory{m.registry}
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "opencube_sqlite_write_queue",
		Help: "SQLite write transactions waiting for the single writer.",
	}, func() float64 { return float64(w.QueuedWrites()) }))
	writes := f.histogram("opencube_sqlite_batch_writes",
		"Write transactions the SQLite writer committed together (group commit).", []float64{1, 2, 4, 8, 16, 32, 64})
	seconds := f.histogram("opencube_sqlite_batch_seconds",
		"Time the SQLite writer took for one batch, BEGIN to COMMIT.", []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1})
	w.ObserveBatches(func(n int, took time.Duration) {
		writes.Observe(float64(n))
		seconds.Observe(took.Seconds())
	})
}

// PoolStater is what the PostgreSQL store tells of its connection pool
// (postgres.DB).
type PoolStater interface {
	PoolStat() *pgxpool.Stat
}

// SharedCommits is what the PostgreSQL store tells of the order
// transactions that share commits (postgres.DB).
type SharedCommits interface {
	// ObserveSharedCommits has fn told of every shared commit.
	ObserveSharedCommits(fn func(writes int, took time.Duration))
}

// WatchSharedCommits reports the PostgreSQL store's shared commits.
func (m *Metrics) WatchSharedCommits(s SharedCommits) {
	f := factory{m.registry}
	writes := f.histogram("opencube_postgres_shared_commit_writes",
		"Order transactions PostgreSQL committed together (shared commit).", []float64{1, 2, 4, 8, 16, 32})
	seconds := f.histogram("opencube_postgres_shared_commit_seconds",
		"Time one shared commit took, its BEGIN sent to its COMMIT answered.", []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1})
	s.ObserveSharedCommits(func(n int, took time.Duration) {
		writes.Observe(float64(n))
		seconds.Observe(took.Seconds())
	})
}

// WatchPool reports the PostgreSQL connection pool, read on every scrape.
func (m *Metrics) WatchPool(p PoolStater) {
	m.registry.MustRegister(poolCollector{p})
}

// poolCollector reads pgxpool.Stat on every scrape.
type poolCollector struct{ p PoolStater }

var (
	descPoolAcquired = prometheus.NewDesc("opencube_postgres_pool_acquired_conns",
		"PostgreSQL connections in use.", nil, nil)
	descPoolIdle = prometheus.NewDesc("opencube_postgres_pool_idle_conns",
		"PostgreSQL connections idle in the pool.", nil, nil)
	descPoolTotal = prometheus.NewDesc("opencube_postgres_pool_total_conns",
		"PostgreSQL connections open (in use, idle, being opened).", nil, nil)
	descPoolMax = prometheus.NewDesc("opencube_postgres_pool_max_conns",
		"Most PostgreSQL connections the pool opens (--db-max-conns).", nil, nil)
	descPoolAcquires = prometheus.NewDesc("opencube_postgres_pool_acquires_total",
		"Connections taken from the pool.", nil, nil)
	descPoolEmptyAcquires = prometheus.NewDesc("opencube_postgres_pool_empty_acquires_total",
		"Connections taken from the pool that had to wait: none was idle.", nil, nil)
	descPoolWait = prometheus.NewDesc("opencube_postgres_pool_acquire_wait_seconds_total",
		"Time spent waiting for a connection when none was idle.", nil, nil)
	descPoolCanceled = prometheus.NewDesc("opencube_postgres_pool_canceled_acquires_total",
		"Waits for a connection given up (the request's context ended).", nil, nil)
)

// Describe implements prometheus.Collector.
func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPoolAcquired, descPoolIdle, descPoolTotal, descPoolMax,
		descPoolAcquires, descPoolEmptyAcquires, descPoolWait, descPoolCanceled} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.p.PoolStat()
	ch <- prometheus.MustNewConstMetric(descPoolAcquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(descPoolIdle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(descPoolTotal, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(descPoolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(descPoolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(descPoolEmptyAcquires, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(descPoolWait, prometheus.CounterValue, s.EmptyAcquireWaitTime().Seconds())
	ch <- prometheus.MustNewConstMetric(descPoolCanceled, prometheus.CounterValue, float64(s.CanceledAcquireCount()))
}
