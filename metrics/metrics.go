package metrics

import (
	"net/http"
	"runtime"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// Metrics holds a server's metrics in a registry of their own, so that
// servers in one process (tests) count apart.
type Metrics struct {
	registry *prometheus.Registry
	ids      *idGenerator

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge

	// RADIUS observes the packet core side (radius.Server.Observer).
	RADIUS *RADIUS

	webhookAttempts *prometheus.CounterVec
	webhookLatency  prometheus.Histogram
	jobRuns         *prometheus.CounterVec
	jobSeconds      *prometheus.HistogramVec
	sms             *prometheus.CounterVec
	signIns         *prometheus.CounterVec
	audits          *prometheus.CounterVec
	hlrProvisions   *prometheus.CounterVec
	hlrDrift        *prometheus.CounterVec
	v4Limited       *prometheus.CounterVec
	v4InFlight      prometheus.Gauge
	shopPayments    *prometheus.CounterVec
}

// HTTP latency buckets, in seconds: a CSSS request takes milliseconds; a
// bulk order or an import, up to seconds.
var httpBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New returns the metrics of a server of version, with the Go runtime
// and process collectors and the build info.
func New(version string) *Metrics {
	reg := prometheus.NewRegistry()
	f := factory{reg}
	m := &Metrics{
		registry: reg,
		ids:      newIDGenerator(),
		requests: f.counterVec("opencube_http_requests_total",
			"HTTP requests answered, by protocol (csss, mall, fms, admin, console, kannel, other), route of the protocol's route table (unmatched: in none), HTTP status and business code (the CSSS/Mall code, the eSIM QR Mall code, the admin error kind; none: the answer has none).",
			"protocol", "route", "status", "code"),
		duration: f.histogramVec("opencube_http_request_duration_seconds",
			"Time from a request's headers to the end of its answer, by protocol and route.", httpBuckets, "protocol", "route"),
		inFlight: f.gauge("opencube_http_requests_in_flight", "HTTP requests being answered."),
		RADIUS:   newRADIUS(f),
		webhookAttempts: f.counterVec("opencube_webhook_attempts_total",
			"Webhook delivery attempts, by outcome: delivered, retry (failed, will be tried again), failed (failed for good).", "outcome"),
		webhookLatency: f.histogram("opencube_webhook_attempt_seconds",
			"Time a webhook receiver took to answer an attempt.", []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10}),
		jobRuns: f.counterVec("opencube_job_runs_total",
			"Background job runs on this node, by kind and outcome (ok, failed: it runs again later).", "kind", "outcome"),
		jobSeconds: f.histogramVec("opencube_job_run_seconds",
			"Time a background job took, by kind.", []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10, 30}, "kind"),
		sms: f.counterVec("opencube_sms_total",
			"Short messages that reached a state on this node, by gateway (sandbox, kannel), direction (mt, mo) and state (queued, sent, delivered, failed, expired).",
			"gateway", "direction", "state"),
		signIns: f.counterVec("opencube_console_signins_total",
			"Console sign-ins on this node, by result: ok, refused (a wrong username or password, a bad form token), throttled (too many failures of the user or the address).", "result"),
		audits: f.counterVec("opencube_audit_entries_total",
			"Changes written to the audit trail by this node, by how the actor signed in: bootstrap (--admin-token), token (a user's API token), session (the console).", "actor_kind"),
		v4Limited: f.counterVec("opencube_cubev4_limited_total",
			"Cube v4 requests refused with 429 on this node, by the source limit they met: rate (requests a second), concurrent (requests at once) or daily (requests a UTC day).", "limit"),
		v4InFlight: f.gauge("opencube_cubev4_sources_in_flight", "Cube v4 requests being answered on this node, counted by the concurrency limit of their sources."),
	}
	m.hlrProvisions = f.counterVec("opencube_hlr_provisions_total",
		"SIM changes this node took to the subscriber register, by outcome: provisioned, failed (the register refused a command), retry (the register unreachable: it runs again later).", "outcome")
	m.hlrDrift = f.counterVec("opencube_hlr_reconcile_total",
		"What this node's reconciliations of the SIMs with the register found and did, by item: missing (a SIM's subscriber absent), drifted (its access or MSISDN differed), stale (a subscriber of a terminated SIM or an old IMSI), unknown (a subscriber no SIM has), repaired, failed (the register refused the repair).", "item")
	m.shopPayments = f.counterVec("opencube_shop_payments_total",
		"Payment reports of the shops this node acted on, by shop (mall, esim), kind (order: an order's payment; renewal: a Mall subscription's invoice) and outcome: paid, failed (the provider's verified report said so), refused (a verified report the order did not take: another amount, an order settled, timed out or unknown, another subscription). A provider's retry of a report acted on is not counted again; a report whose signature does not verify is answered before and counted by opencube_http_requests_total only.",
		"shop", "kind", "outcome")
	for _, sh := range shopPaymentShops {
		for _, k := range shopPaymentKinds {
			for _, o := range shopPaymentOutcomes {
				if sh != "esim" || k != "renewal" {
					m.shopPayments.WithLabelValues(sh, k, o)
				}
			}
		}
	}
	for _, o := range hlrProvisionOutcomes {
		m.hlrProvisions.WithLabelValues(o)
	}
	for _, i := range hlrDriftItems {
		m.hlrDrift.WithLabelValues(i)
	}
	for _, r := range []string{"ok", "refused", "throttled"} {
		m.signIns.WithLabelValues(r)
	}
	for _, k := range []string{"bootstrap", "token", "session"} {
		m.audits.WithLabelValues(k)
	}
	for _, l := range []string{"rate", "concurrent", "daily"} {
		m.v4Limited.WithLabelValues(l)
	}
	for _, k := range jobKinds {
		m.jobRuns.WithLabelValues(k, "ok")
		m.jobRuns.WithLabelValues(k, "failed")
	}
	build := f.gaugeVec("opencube_build_info", "The running binary: its version and Go version (always 1).", "version", "go_version")
	build.WithLabelValues(version, runtime.Version()).Set(1)
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry the metrics are in.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in the Prometheus text format (or
// OpenMetrics, when asked).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// The label values of opencube_shop_payments_total.
var (
	shopPaymentShops    = []string{"mall", "esim"}
	shopPaymentKinds    = []string{"order", "renewal"}
	shopPaymentOutcomes = []string{"paid", "failed", "refused"}
)

// ShopPayment counts one payment report a shop acted on
// (service.Mall.Observe, service.ESIM.Observe); a value outside the fixed
// sets counts as "other".
func (m *Metrics) ShopPayment(shop, kind, outcome string) {
	m.shopPayments.WithLabelValues(oneOf(shop, shopPaymentShops), oneOf(kind, shopPaymentKinds), oneOf(outcome, shopPaymentOutcomes)).Inc()
}

// oneOf is v when values holds it, else "other".
func oneOf(v string, values []string) string {
	if slices.Contains(values, v) {
		return v
	}
	return "other"
}

// CubeV4Limited counts a Cube v4 request refused by a source limit:
// "rate", "concurrent" or "daily" (cubev4.Limits.Observe).
func (m *Metrics) CubeV4Limited(limit string) { m.v4Limited.WithLabelValues(limit).Inc() }

// CubeV4InFlight adds d to the Cube v4 requests being answered
// (cubev4.Limits.InFlight).
func (m *Metrics) CubeV4InFlight(d int) { m.v4InFlight.Add(float64(d)) }

// WebhookAttempt counts one webhook delivery attempt: its outcome
// (notify.Outcome*) and how long the receiver took
// (notify.Notifier.Observe).
func (m *Metrics) WebhookAttempt(outcome string, latency time.Duration) {
	m.webhookAttempts.WithLabelValues(outcome).Inc()
	m.webhookLatency.Observe(latency.Seconds())
}

// JobRun counts one run of a background job (service.Worker.Observe).
func (m *Metrics) JobRun(kind string, err error, took time.Duration) {
	kind = jobKind(kind)
	outcome := "ok"
	if err != nil {
		outcome = "failed"
	}
	m.jobRuns.WithLabelValues(kind, outcome).Inc()
	m.jobSeconds.WithLabelValues(kind).Observe(took.Seconds())
}

// SMSObserver returns the observer of an SMS service whose gateway is
// gateway (service.SMS.Observe).
func (m *Metrics) SMSObserver(gateway string) func(opencube.SMSDirection, opencube.SMSState) {
	return func(d opencube.SMSDirection, s opencube.SMSState) {
		m.sms.WithLabelValues(gateway, string(d), string(s)).Inc()
	}
}

// SignIn counts one console sign-in by its result: ok, refused or
// throttled (console.Server.OnSignIn).
func (m *Metrics) SignIn(result string) { m.signIns.WithLabelValues(result).Inc() }

// Audited counts one change written to the audit trail, by the kind of
// its actor: bootstrap, token or session (admin.Server.OnAudit).
func (m *Metrics) Audited(actorKind string) { m.audits.WithLabelValues(actorKind).Inc() }

// jobKinds are the job kinds, and "other" for a kind the list lacks.
var jobKinds = append(slices.Clone(opencube.JobKinds), "other")

// jobKind is the label of a job kind: itself when opencube.JobKinds has
// it, else "other" (a job of a newer version in a shared database).
func jobKind(kind string) string {
	if slices.Contains(opencube.JobKinds, kind) {
		return kind
	}
	return "other"
}

// RADIUS observes the packet core side (radius.Observer).
type RADIUS struct {
	records      *prometheus.CounterVec
	batchSeconds prometheus.Histogram
	batchRecords prometheus.Histogram
	access       *prometheus.CounterVec
	disconnects  *prometheus.CounterVec
}

func newRADIUS(f factory) *RADIUS {
	return &RADIUS{
		records: f.counterVec("opencube_radius_records_total",
			"RADIUS Accounting-Requests, by type (start, interim, stop, other) and outcome (booked, duplicate, unknown_sim, dropped, failed, ignored).",
			"type", "outcome"),
		batchSeconds: f.histogram("opencube_radius_batch_seconds",
			"Time to book one batch of accounting records in one store transaction, commit included.",
			[]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}),
		batchRecords: f.histogram("opencube_radius_batch_records",
			"Accounting records booked together in one store transaction.", []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048}),
		access: f.counterVec("opencube_radius_access_requests_total",
			"RADIUS Access-Requests, by result (accept, reject, error) and reason.", "result", "reason"),
		disconnects: f.counterVec("opencube_radius_disconnect_requests_total",
			"Disconnect-Requests sent to NASes, by outcome (acked, failed).", "outcome"),
	}
}

// Record implements radius.Observer.
func (o *RADIUS) Record(typ, outcome string) { o.records.WithLabelValues(typ, outcome).Inc() }

// Batch implements radius.Observer.
func (o *RADIUS) Batch(records int, took time.Duration) {
	o.batchRecords.Observe(float64(records))
	o.batchSeconds.Observe(took.Seconds())
}

// Access implements radius.Observer.
func (o *RADIUS) Access(result, reason string) { o.access.WithLabelValues(result, reason).Inc() }

// Disconnect implements radius.Observer.
func (o *RADIUS) Disconnect(acked bool) {
	outcome := "acked"
	if !acked {
		outcome = "failed"
	}
	o.disconnects.WithLabelValues(outcome).Inc()
}

// factory makes metrics and registers them.
type factory struct{ reg prometheus.Registerer }

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

func (f factory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(g)
	return g
}

func (f factory) histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
	f.reg.MustRegister(h)
	return h
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}

var (
	hlrProvisionOutcomes = []string{"provisioned", "failed", "retry"}
	hlrDriftItems        = []string{"missing", "drifted", "stale", "unknown", "repaired", "failed"}
)

// HLRProvision counts one SIM change taken to the subscriber register, by
// outcome: provisioned, failed or retry (service.Provisioner.Observe).
func (m *Metrics) HLRProvision(outcome string) {
	if !slices.Contains(hlrProvisionOutcomes, outcome) {
		return
	}
	m.hlrProvisions.WithLabelValues(outcome).Inc()
}

// HLRReconciled counts what a reconciliation found and did
// (service.Provisioner.OnReconcile).
func (m *Metrics) HLRReconciled(r *operator.HLRReport) {
	for item, n := range map[string]int{"missing": r.MissingCount, "drifted": r.DriftedCount, "stale": r.StaleCount,
		"unknown": r.UnknownCount, "repaired": r.Repaired, "failed": r.FailedCount} {
		m.hlrDrift.WithLabelValues(item).Add(float64(n))
	}
}
