package metrics_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	dto "github.com/prometheus/client_model/go"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/operator"
)

// dashboard is the part of a Grafana dashboard the test reads.
type dashboard struct {
	Title  string  `json:"title"`
	UID    string  `json:"uid"`
	Panels []panel `json:"panels"`
}

type panel struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	GridPos *struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
}

// PromQL's parts that are not metric names: strings, label matchers,
// grouping and matching clauses, ranges, Grafana variables.
var (
	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promMatchers = regexp.MustCompile(`\{[^{}]*\}`)
	promGrouping = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	promRange    = regexp.MustCompile(`\[[^\]]*\]`)
	promVariable = regexp.MustCompile(`\$\{?\w+\}?`)
	promIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	promKeywords = []string{"by", "without", "on", "ignoring", "bool", "and", "or", "unless", "offset", "inf", "nan"}
)

// metricNames returns the metric names an expression reads: identifiers
// that are neither functions (followed by a parenthesis) nor keywords.
func metricNames(expr string) []string {
	for _, re := range []*regexp.Regexp{promString, promMatchers, promGrouping, promRange, promVariable} {
		expr = re.ReplaceAllString(expr, " ")
	}
	var names []string
	for _, loc := range promIdent.FindAllStringIndex(expr, -1) {
		id := expr[loc[0]:loc[1]]
		if loc[0] > 0 && (expr[loc[0]-1] >= '0' && expr[loc[0]-1] <= '9' || expr[loc[0]-1] == '.') {
			continue // an exponent or a unit of a number
		}
		if next := strings.TrimLeft(expr[loc[1]:], " \t\n"); strings.HasPrefix(next, "(") {
			continue // a function or aggregation
		}
		if slices.Contains(promKeywords, strings.ToLower(id)) {
			continue
		}
		names = append(names, id)
	}
	return names
}

// fakeBacklog is a store with one due job.
type fakeBacklog struct{}

func (fakeBacklog) Backlog(context.Context, time.Time) (*operator.Backlog, error) {
	return &operator.Backlog{Jobs: []operator.JobBacklog{{Kind: opencube.JobExpireOrder, Due: 1}}}, nil
}

// fakeWriter is a SQLite writer that commits one batch when watched.
type fakeWriter struct{}

func (fakeWriter) QueuedWrites() int { return 2 }
func (fakeWriter) ObserveBatches(fn func(int, time.Duration)) {
	fn(3, time.Millisecond)
}

type fakeShared struct{}

func (fakeShared) ObserveSharedCommits(fn func(int, time.Duration)) { fn(5, time.Millisecond) }

// fakePool is a PostgreSQL pool that never connects.
type fakePool struct{ p *pgxpool.Pool }

func (f fakePool) PoolStat() *pgxpool.Stat { return f.p.Stat() }

// allMetrics returns the names of every series a server exposes, once each
// part has reported something: histograms with their _bucket, _sum and
// _count.
func allMetrics(t *testing.T) map[string]bool {
	t.Helper()
	m := metrics.New("test")
	m.Wrap(http.NotFoundHandler(), metrics.Options{}).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	m.RADIUS.Record("start", "booked")
	m.RADIUS.Batch(1, time.Millisecond)
	m.RADIUS.Access("accept", "full_speed")
	m.RADIUS.Disconnect(true)
	m.WebhookAttempt("delivered", time.Millisecond)
	m.JobRun(opencube.JobExpireOrder, nil, time.Millisecond)
	m.SMSObserver("sandbox")(opencube.SMSMT, opencube.SMSQueued)
	m.WatchBacklog(fakeBacklog{}, opencube.SystemClock, time.Second)
	m.WatchSQLite(fakeWriter{})
	pool, err := pgxpool.New(t.Context(), "postgres://nobody@127.0.0.1:1/none")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	m.WatchPool(fakePool{pool})
	m.WatchSharedCommits(fakeShared{})
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range fams {
		names[f.GetName()] = true
		if f.GetType() == dto.MetricType_HISTOGRAM {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				names[f.GetName()+s] = true
			}
		}
	}
	return names
}

// TestDashboard: docs/grafana/opencube.json is a Grafana dashboard whose
// every query reads only metrics opencube exposes.
func TestDashboard(t *testing.T) {
	raw, err := os.ReadFile("../docs/grafana/opencube.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if d.Title == "" || d.UID == "" || len(d.Panels) == 0 {
		t.Fatalf("title %q, uid %q, %d panels", d.Title, d.UID, len(d.Panels))
	}
	known := allMetrics(t)
	used := map[string]bool{}
	for _, p := range d.Panels {
		if p.Type == "" || p.Title == "" || p.GridPos == nil || p.GridPos.W == 0 || p.GridPos.H == 0 {
			t.Errorf("panel %q: type %q, gridPos %v", p.Title, p.Type, p.GridPos)
		}
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			names := metricNames(q.Expr)
			if len(names) == 0 {
				t.Errorf("panel %q, query %s: no metric in %q", p.Title, q.RefID, q.Expr)
			}
			for _, n := range names {
				used[n] = true
				if !known[n] {
					t.Errorf("panel %q, query %s: no metric %s", p.Title, q.RefID, n)
				}
			}
		}
	}
	// The views: requests and errors by route and code, latency,
	// RADIUS ingest, webhook backlog, job lag.
	for _, n := range []string{"opencube_http_requests_total", "opencube_http_request_duration_seconds_bucket",
		"opencube_radius_records_total", "opencube_webhook_deliveries_pending", "opencube_jobs_lag_seconds"} {
		if !used[n] {
			t.Errorf("the dashboard does not show %s", n)
		}
	}
}

func TestMetricNames(t *testing.T) {
	for expr, want := range map[string][]string{
		`sum by (protocol, le) (rate(a_bucket{code!~"0000|0", x="by(y)"}[$__rate_interval]))`: {"a_bucket"},
		`histogram_quantile(0.99, b) / on(instance) c * 1e3`:                                  {"b", "c"},
		`max(d{instance=~"$instance"}) or vector(0)`:                                          {"d"},
	} {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%s) = %v, want %v", expr, got, want)
		}
	}
}
