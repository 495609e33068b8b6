// Package metrics is what an operator sees of a running opencube: its
// Prometheus metrics (served at /metrics), the access log, and the request
// id that ties an answer to its log lines.
//
// One middleware (Metrics.Wrap) serves every front door of the HTTP
// listener. For each request it takes the X-Request-Id header when it is
// sane (1-64 of A-Z a-z 0-9 . _ -) or makes one, returns it in the answer's
// X-Request-Id, and puts the request into its context, where loggers find
// it: a logger whose handler is wrapped by LogHandler adds request_id to
// every line logged with that context, and FromContext returns a logger
// that adds it to every line. When the request ends, the middleware counts
// it and writes one access-log line.
//
// The front doors tell the middleware what it cannot see without parsing
// bodies: the route of the request, from their route table (SetRoute), the
// business code of their answer (SetCode: the CSSS and Mall envelope's
// code, the eSIM QR Mall's integer code, the admin API's error kind), and
// the caller once authenticated (SetAccessCode). A request that no front
// door claimed is counted under protocol "other" with the pattern the
// listener's mux matched, or "unmatched". So every label value comes from a
// fixed set (route tables, code tables, HTTP statuses), never from the
// request: a scanner trying random paths moves existing series, and makes
// no new ones.
//
// The other parts report through hooks of their own packages
// (radius.Observer, notify.Notifier.Observe, service.Worker.Observe,
// service.SMS.Observe, sqlite.DB.ObserveBatches), which the observers here
// implement; what is best read than counted (the jobs due, the pending
// webhook deliveries, the PostgreSQL pool) is read on each scrape.
package metrics
