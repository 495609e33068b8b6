package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/cubev4"
	"github.com/opencube/opencube/docs"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/postgres"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sqlite"
)

// Main is the opencube server: flags in, wired services out. Tests start the
// whole server with it on 127.0.0.1:0 and a temporary database.
type Main struct {
	// Settings, from flags or OPENCUBE_* variables.
	Addr       string
	DB         string
	DBOptions  dbOptions
	Demo       bool
	DemoSecret string
	// MasterKeyFile names the file of master keys (--master-key-file);
	// Masters, when set, are the keys themselves and win (tests).
	MasterKeyFile string
	Masters       seal.Masters
	AdminToken    string
	// ConsoleSecure marks the console's cookies Secure: it is served over
	// HTTPS by a proxy in front.
	ConsoleSecure bool
	// ConsoleTrustProxy takes the console's visitors' addresses from
	// X-Forwarded-For (the proxy in front sets it).
	ConsoleTrustProxy bool
	Window            time.Duration
	Node              int
	MaxBulk           int
	// OperatorName heads the enterprises' statements.
	OperatorName string
	// StatementGrace is how long after its last UTC+8 day a month's
	// statement stays open to corrections.
	StatementGrace time.Duration
	LogLevel       string
	// LogFormat is text or json (observe.go).
	LogFormat string
	// AccessLog writes one line a request, at info level.
	AccessLog bool
	// MetricsAddr, when set, serves /metrics and /debug/pprof/ on a
	// listener of its own instead of /metrics on Addr.
	MetricsAddr string
	// JobInterval is how often the node looks for due background jobs;
	// 0 runs none (tests then call Worker.RunOnce themselves).
	JobInterval time.Duration
	// RADIUS is the packet core side (radius.go).
	RADIUS radiusConfig
	// Notify is the webhook deliveries and the sandbox clock (notify.go).
	Notify notifyConfig
	// SMS is the SMS service and its gateway (sms.go).
	SMS smsConfig
	// HLR is the subscriber register's provisioning (hlr.go).
	HLR hlrConfig
	// HTTP bounds every connection of the listener in time.
	HTTP httpConfig
	// Listen is TLS, the admin address and the trusted proxies (tls.go).
	Listen listenConfig
	// Limits is the request limits per enterprise and per source
	// (throttle.go).
	Limits limitsConfig

	// V4 is the Cube v4 REST API's settings (cubev4.go).
	V4 v4Config

	// Shop holds the consumer shops' settings (mall.go).
	Shop shopSettings

	// Clock is the service clock; the system clock unless a test sets it.
	Clock  opencube.Clock
	Stderr io.Writer

	// Wired at Run.
	Store    service.Store
	Services *service.Set
	// Changes are the operator API's changes (admin.go).
	Changes *service.Changes
	// writes is the store the services write through: its transactions
	// wake the delivery loop.
	writes service.Store
	CSSS   *csss.Server
	// CubeV4 is the Cube v4 REST API under /cube/v4 (cubev4.go).
	CubeV4 *cubev4.Server
	Worker *service.Worker
	Logger *slog.Logger
	// Metrics are the server's metrics (observe.go).
	Metrics *metrics.Metrics
	// Owner names this node in node and job leases.
	Owner string
	// Shops are the Mall and the eSIM QR Mall (mall.go).
	Shops *shops

	ln     net.Listener
	server *http.Server
	ready  chan struct{}
	stop   context.CancelFunc
	done   sync.WaitGroup
	node   int // the leased node number, -1 when none is leased
	// loops tracks the background loops for /readyz (health.go);
	// readyState holds its last database check.
	loops      loopTracker
	readyState readyState

	// adminLn and adminServer serve --admin-addr (tls.go).
	adminLn     net.Listener
	adminServer *http.Server

	// metricsLn and metricsServer serve --metrics-addr (observe.go).
	metricsLn     net.Listener
	metricsServer *http.Server
}

// nodeLease is how long a node number and a job claim hold without renewal.
const nodeLease = time.Minute

// NewMain returns a Main with the default settings.
func NewMain() *Main {
	return &Main{
		Addr: "127.0.0.1:8080", DB: "opencube.db", DemoSecret: service.DemoSecret,
		Window: 600 * time.Second, MaxBulk: 1000, StatementGrace: service.DefaultStatementGrace, LogLevel: "info", LogFormat: "text", AccessLog: true,
		JobInterval: time.Second, Node: -1, node: -1, Notify: defaultNotify(), SMS: defaultSMS(), HTTP: defaultHTTP(), V4: defaultV4(),
		Clock: opencube.SystemClock, Stderr: os.Stderr, ready: make(chan struct{}),
	}
}

// ParseFlags reads the serve flags (and their OPENCUBE_* variables).
func (m *Main) ParseFlags(args []string) error {
	fs := newFlagSet("opencube serve", m.Stderr)
	fs.StringVar(&m.Addr, "addr", m.Addr, "listen address HOST:PORT")
	fs.StringVar(&m.DB, "db", m.DB, "database: a SQLite file path or a postgres:// URL")
	m.DBOptions.define(fs)
	fs.BoolVar(&m.Demo, "demo", m.Demo, "load the demo dataset into an empty database")
	fs.StringVar(&m.DemoSecret, "demo-secret", m.DemoSecret, "secret of the demo enterprises")
	fs.StringVar(&m.MasterKeyFile, keyFileFlag, m.MasterKeyFile, keyFileUsage+"; a --demo server without one uses the published demo key")
	fs.BoolVar(&m.ConsoleSecure, "console-secure-cookies", m.ConsoleSecure, "mark the console's cookies Secure (it is served over HTTPS behind a proxy)")
	fs.BoolVar(&m.ConsoleTrustProxy, "console-trust-proxy", m.ConsoleTrustProxy, "take the console's visitors' addresses from X-Forwarded-For, set by the proxy in front (for the throttle of failed sign-ins)")
	fs.StringVar(&m.AdminToken, "admin-token", m.AdminToken, "bootstrap token of the admin API, an operator without a user (the API is off without it until a user exists)")
	fs.DurationVar(&m.Window, "timestamp-window", m.Window, "accepted distance between a request timestamp and the server clock")
	fs.IntVar(&m.Node, "node", m.Node, "node number 0-63, unique among nodes sharing a database; -1 leases a free one from the database")
	fs.DurationVar(&m.JobInterval, "job-interval", m.JobInterval, "how often to look for due background jobs (0: never)")
	fs.IntVar(&m.MaxBulk, "max-bulk", m.MaxBulk, "largest deviceList of a bulk order")
	fs.StringVar(&m.OperatorName, "operator-name", m.OperatorName, "the operator's name, at the head of statements")
	fs.DurationVar(&m.StatementGrace, "statement-grace", m.StatementGrace, "how long after its last UTC+8 day a month's statement stays open to corrections")
	fs.StringVar(&m.LogLevel, "log-level", m.LogLevel, "debug, info, warn or error")
	fs.StringVar(&m.LogFormat, "log-format", m.LogFormat, "text or json")
	fs.BoolVar(&m.AccessLog, "access-log", m.AccessLog, "log one line a request, at info level")
	fs.StringVar(&m.MetricsAddr, "metrics-addr", m.MetricsAddr, "serve /metrics and /debug/pprof/ on this HOST:PORT (default: /metrics on --addr, no pprof)")
	m.HTTP.define(fs)
	m.Listen.define(fs)
	m.Limits.define(fs)
	m.Shop.define(fs)
	m.RADIUS.define(fs)
	m.Notify.define(fs)
	m.V4.define(fs)
	m.SMS.define(fs)
	m.HLR.define(fs)
	if err := parseWithEnv(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if m.Node < -1 || m.Node >= operator.MaxNodes {
		return errors.New("serve: --node must be 0-63, or -1 to lease one")
	}
	if m.StatementGrace < 0 {
		return errors.New("serve: --statement-grace must not be negative")
	}
	if m.MaxBulk < 1 {
		return errors.New("serve: --max-bulk must be at least 1")
	}
	if m.LogFormat != "text" && m.LogFormat != "json" {
		return errLogFormat
	}
	if err := m.HLR.check(); err != nil {
		return err
	}
	if err := m.HTTP.check(); err != nil {
		return err
	}
	if err := m.Listen.check(); err != nil {
		return err
	}
	if err := m.Limits.check(); err != nil {
		return err
	}
	if err := m.Notify.check(); err != nil {
		return err
	}
	if err := m.chooseSMSGateway(); err != nil {
		return err
	}
	if err := m.SMS.check(); err != nil {
		return err
	}
	return m.RADIUS.check()
}

// httpConfig bounds every connection of the HTTP listener in time: a
// client that is slow to send its request or to read its answer, or that
// keeps a connection open without using it, is cut. 0 turns a bound off.
type httpConfig struct {
	// ReadHeaderTimeout bounds the reading of a request's headers.
	ReadHeaderTimeout time.Duration
	// BodyTimeout bounds the reading of a request's body, from the end of
	// its headers; a body still arriving then is cut, and its connection
	// closed, even while a handler waits for it.
	BodyTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the
	// end of its answer: body, handling and writing the answer.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request.
	IdleTimeout time.Duration
	// ShutdownTimeout bounds how long Close waits for the requests in
	// flight to be answered before it cuts them.
	ShutdownTimeout time.Duration
}

// defaultHTTP is the HTTP bounds of NewMain (README, Configuration).
func defaultHTTP() httpConfig {
	return httpConfig{ReadHeaderTimeout: 10 * time.Second, BodyTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ShutdownTimeout: 20 * time.Second}
}

// define adds the HTTP flags to fs.
func (c *httpConfig) define(fs *flag.FlagSet) {
	fs.DurationVar(&c.ReadHeaderTimeout, "read-header-timeout", c.ReadHeaderTimeout, "longest time to read a request's headers (0: no limit)")
	fs.DurationVar(&c.BodyTimeout, "body-timeout", c.BodyTimeout, "longest time to read a request's body, from the end of its headers (0: no limit)")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", c.WriteTimeout, "longest time from the end of a request's headers to the end of its answer; longer than --body-timeout (0: no limit)")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", c.IdleTimeout, "longest time a keep-alive connection waits for its next request (0: no limit)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "on SIGTERM, longest wait for the requests in flight to be answered before they are cut (0: cut at once)")
}

// check validates the HTTP flags.
func (c *httpConfig) check() error {
	if c.ReadHeaderTimeout < 0 || c.BodyTimeout < 0 || c.WriteTimeout < 0 || c.IdleTimeout < 0 || c.ShutdownTimeout < 0 {
		return errors.New("serve: --read-header-timeout, --body-timeout, --write-timeout, --idle-timeout and --shutdown-timeout must not be negative")
	}
	if c.WriteTimeout > 0 && (c.BodyTimeout == 0 || c.WriteTimeout <= c.BodyTimeout) {
		return errors.New("serve: --write-timeout must be longer than --body-timeout: it counts from the end of the headers, so it takes in the body")
	}
	return nil
}

// server returns the HTTP server of h with these bounds. Go's own
// ReadTimeout is left off: it would cover headers and body together, and
// its deadline, still set while a handler runs, cancels the request's
// context when it passes; bodyDeadline bounds the body instead.
func (c httpConfig) server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           bodyDeadline(h, c.BodyTimeout),
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
	}
}

// bodyDeadline gives every request with a body d to deliver it, from the
// end of its headers, as the connection's read deadline: a read blocked in
// a handler fails when it passes, and the connection, with the rest of
// the body unread, is closed after the answer. Once the body has been
// read to its end the deadline is lifted, so that it never cuts a handler
// still at work (the write timeout bounds that).
func bodyDeadline(h http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 {
			h.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(d))
		body := r.Body
		r.Body = &deadlineBody{ReadCloser: body, rc: rc}
		// net/http decides, from the body's own type, whether to drain
		// what the handler left unread or to close the connection: give
		// it back.
		defer func() { r.Body = body }()
		h.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the connection's read deadline when the body it reads
// ends.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// dbOptions are the database settings beside --db.
type dbOptions struct {
	MaxConns         int
	StatementTimeout time.Duration
	// ReadURL is --db-read-url: a PostgreSQL read replica of --db.
	ReadURL string
}

// define adds the database flags to fs.
func (o *dbOptions) define(fs *flag.FlagSet) {
	fs.IntVar(&o.MaxConns, "db-max-conns", o.MaxConns, "PostgreSQL: connection pool size per node (0: the URL's pool_max_conns, else max(8, 4 a CPU))")
	fs.DurationVar(&o.StatementTimeout, "db-statement-timeout", o.StatementTimeout, "PostgreSQL: cancel statements running longer (0: the server's setting)")
	fs.StringVar(&o.ReadURL, "db-read-url", o.ReadURL, "PostgreSQL: a streaming read replica of --db for lists and usage queries (their answers say how current they are in as_of)")
}

// isPostgres reports whether a --db value names a PostgreSQL database.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openStore opens the store a --db value names: a postgres:// URL, or a
// SQLite file path, with the master keys m.
func openStore(ctx context.Context, dsn string, o dbOptions, m seal.Masters) (service.Store, error) {
	if isPostgres(dsn) {
		if o.ReadURL != "" && !isPostgres(o.ReadURL) {
			return nil, fmt.Errorf("--db-read-url must be a postgres:// URL of a read replica of --db")
		}
		return postgres.Open(ctx, dsn, postgres.Options{MaxConns: int32(o.MaxConns), StatementTimeout: o.StatementTimeout, Masters: m, ReadURL: o.ReadURL})
	}
	if o.ReadURL != "" {
		return nil, fmt.Errorf("--db-read-url needs a PostgreSQL --db: a SQLite database has no read replicas")
	}
	return sqlite.Open(ctx, dsn, m)
}

// redact hides the password of a database URL, for logs.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// Run opens the database, loads the demo data when asked, and starts serving
// in the background. It returns once the server accepts connections.
func (m *Main) Run(ctx context.Context) error {
	var err error
	if m.Logger, err = newLogger(m.Stderr, m.LogFormat, m.LogLevel); err != nil {
		return err
	}
	m.Metrics = metrics.New(version())
	if m.SMS == (smsConfig{}) {
		m.SMS = defaultSMS()
	}
	if err := m.chooseSMSGateway(); err != nil {
		return err
	}
	if len(m.Masters.Keys) == 0 {
		masters, demo, err := serverMasters(m.MasterKeyFile, m.Demo)
		if err != nil {
			return err
		}
		if demo {
			m.Logger.Warn("no master key given: the stored secrets are sealed under the published demo key, which anyone can read; for this demonstration only, never in production (opencube keygen, docs/secrets.md)")
		}
		m.Masters = masters
	}
	store, err := openStore(ctx, m.DB, m.DBOptions, m.Masters)
	if errors.Is(err, seal.ErrWrongMasterKey) {
		return fmt.Errorf("open database %s: %w: this server was given a master key that does not open the database (another database's, or a retired one); give the key the database was sealed with (docs/secrets.md)", redact(m.DB), err)
	}
	if err != nil {
		return fmt.Errorf("open database %s: %w", redact(m.DB), err)
	}
	m.Store = store
	if err := m.setupClock(ctx); err != nil {
		return err
	}
	if m.Owner == "" {
		host, _ := os.Hostname()
		m.Owner = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), opencube.NewUUID()[:8])
	}
	node := m.Node
	if node < 0 {
		if node, err = store.ClaimNode(ctx, m.Owner, m.realClock().Now(), nodeLease); err != nil {
			return fmt.Errorf("lease a node number: %w", err)
		}
		m.node = node
	}
	// Changes made on this node wake its delivery loop (startNotify): their
	// events go out at once instead of at the next look (other nodes'
	// changes wait for it).
	m.writes = wakeStore{Store: store, wake: func() {
		if w := m.Notify.Worker; w != nil {
			w.Wake()
		}
		if w := m.HLR.Worker; w != nil {
			w.Wake() // a SIM change's register job goes at once too
		}
	}, release: func() {
		for _, w := range []*service.Worker{m.Notify.Worker, m.SMS.Worker, m.HLR.Worker} {
			if w != nil {
				w.Wake()
			}
		}
	}}
	m.Services = service.New(m.writes, m.Clock, service.NewIDGenerator(node))
	m.Services.Orders.MaxBulk = m.MaxBulk
	m.Services.Billing.Grace, m.Services.Billing.OperatorName = m.StatementGrace, m.OperatorName
	m.Worker = service.NewWorker(store, m.Clock, m.Owner)
	m.Worker.Lease = nodeLease
	m.Worker.Logger = m.Logger
	m.Worker.Handlers[opencube.JobExpireOrder] = m.Services.Orders.ExpireOrder
	if err := m.startHLR(ctx); err != nil {
		return err
	}
	if m.Demo {
		loaded, err := service.NewDemo(m.DemoSecret).Load(ctx, m.Services.Admin)
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		if loaded {
			m.Logger.Info("demo data loaded", "enterprises", "P000270, QY-000001")
		}
		if err := service.LoadDemoKey(ctx, m.Services.Keys); err != nil {
			return err
		}
		users, err := service.LoadUsers(ctx, m.Services.Access, m.DemoSecret)
		if err != nil {
			return fmt.Errorf("load demo users: %w", err)
		}
		for _, u := range users {
			args := []any{"username", u.Username, "role", u.Role, "password", "the --demo-secret"}
			if u.Enterprise != "" {
				args = append(args, "enterprise", u.Enterprise)
			}
			m.Logger.Info("demo user", args...)
		}
	}
	if err := m.wireShops(ctx); err != nil {
		return err
	}
	m.Changes = &service.Changes{Store: m.writes, Clock: m.Clock, Orders: m.Services.Orders, SIMs: m.Services.SIMs}
	m.CSSS = csss.NewServer(m.Services.Orders, m.Services.SIMs, m.Services.Served, store)
	m.CSSS.Clock, m.CSSS.BusinessClock = m.realClock(), m.Clock
	m.CSSS.Window = m.Window
	m.CSSS.Logger = m.Logger
	m.CSSS.MaxBulk = m.MaxBulk
	m.startLimits()
	m.startNotify()
	if m.Notify.Retention > 0 {
		// Due at once: a node that restarts often still purges.
		if err := m.Services.Notify.SchedulePurgeDeliveries(ctx, m.Clock.Now()); err != nil {
			return fmt.Errorf("schedule the delivery purge: %w", err)
		}
	}
	m.startSMS()
	if m.SMS.Service != nil {
		m.Changes.SMS = m.SMS.Service
	}
	m.startCubeV4()
	if err := m.startRADIUS(ctx); err != nil {
		return err
	}
	m.observe()
	if err := m.serveMetrics(); err != nil {
		return err
	}

	if err := m.Listen.check(); err != nil { // a Main set up without ParseFlags
		return err
	}
	tlsConf, err := m.Listen.tlsConfig(m.Logger)
	if err != nil {
		return err
	}
	if m.Listen.AdminAddr != "" {
		if m.adminLn, err = net.Listen("tcp", m.Listen.AdminAddr); err != nil {
			return fmt.Errorf("serve: --admin-addr: %w", err)
		}
		m.adminServer = m.HTTP.server(m.Listen.proxies.Wrap(m.observed(m.AdminHandler())))
		serveOn(m.adminServer, m.adminLn, tlsConf)
	}
	m.ln, err = net.Listen("tcp", m.Addr)
	if err != nil {
		return err
	}
	m.server = m.HTTP.server(m.Listen.proxies.Wrap(m.observed(m.Handler())))
	serveOn(m.server, m.ln, tlsConf)
	m.background()
	close(m.ready)
	m.Logger.Info("opencube serving", "addr", m.ln.Addr().String(), "tls", tlsConf != nil, "db", redact(m.DB), "node", node, "version", version(),
		"master_key", m.Masters.Keys[0].Check()) // its check value: which key, never the key
	if m.adminLn != nil {
		m.Logger.Info("admin API and console serving", "addr", m.adminLn.Addr().String())
	}
	return nil
}

// Handler is the whole HTTP surface: health (/healthz: the process is up;
// /readyz: it can serve, health.go), the home page, the reference and the
// OpenAPI document, the admin API and the console (unless --admin-addr
// puts them on a listener of their own), the shops, and the CSSS routes
// (with CSSS's enveloped 404 for any other path).
func (m *Main) Handler() http.Handler {
	mux := http.NewServeMux()
	m.mountHealth(mux)
	mountDocs(mux)
	if m.Metrics != nil && m.MetricsAddr == "" {
		mux.Handle("GET /metrics", m.Metrics.Handler())
	}
	if m.Listen.AdminAddr == "" {
		mountAdmin(mux, m)
	}
	m.mountShops(mux)
	m.mountSMS(mux)
	// Cube v4's routes first under /cube/v4 (D1), then CSSS.
	mux.Handle(cubev4.Prefix+"/", m.CubeV4.Handler(m.CSSS.Handler()))
	mux.Handle("/", m.CSSS.Handler())
	return mux
}

// AdminHandler is the surface of --admin-addr: the admin API, the console
// and the health checks.
func (m *Main) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	m.mountHealth(mux)
	mountAdmin(mux, m)
	return mux
}

// mountHealth adds /healthz and /readyz.
func (m *Main) mountHealth(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-m.ready:
			io.WriteString(w, "ok\n")
		default:
			http.Error(w, "starting", http.StatusServiceUnavailable)
		}
	})
	mux.HandleFunc("GET /readyz", m.readyz)
}

// mountDocs adds the pages for people and tools: GET / (where to go),
// the reference under /docs/ and the OpenAPI document of every route at
// /openapi.json, all built from the route tables (package docs). Other
// methods on those paths fall through to CSSS.
func mountDocs(mux *http.ServeMux) {
	v := version()
	doc, docErr := docs.OpenAPI(v)
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		if docErr != nil {
			http.Error(w, docErr.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	})
	ref, err := docs.Handler(v)
	if err != nil {
		ref = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		})
	}
	mux.Handle("GET "+docs.Base, ref)
	mux.Handle("GET /{$}", docs.Home(v))
}

// URL is the server's base URL once it runs.
func (m *Main) URL() string { return m.scheme() + m.ln.Addr().String() }

// AdminURL is the base URL of the admin API and the console once the
// server runs: --admin-addr's, else URL.
func (m *Main) AdminURL() string {
	if m.adminLn != nil {
		return m.scheme() + m.adminLn.Addr().String()
	}
	return m.URL()
}

func (m *Main) scheme() string {
	if m.Listen.cert != nil {
		return "https://"
	}
	return "http://"
}

// background starts the node's own loops: renewing its node lease and
// running due background jobs. Each is tracked for /readyz (goLoop). Close
// stops them.
func (m *Main) background() {
	ctx, stop := context.WithCancel(context.Background())
	m.stop = stop
	if m.node >= 0 {
		m.goLoop(&m.done, "node lease", func() error {
			t := time.NewTicker(nodeLease / 3)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
				}
				m.renewNode(ctx)
			}
		})
	}
	m.runClock(ctx, &m.done)
	m.runNotify(ctx, &m.done)
	m.runSMS(ctx, &m.done)
	m.runHLR(ctx, &m.done)
	if m.JobInterval > 0 {
		m.goLoop(&m.done, "jobs", func() error {
			m.Worker.Run(ctx, m.JobInterval)
			return nil
		})
	}
}

// renewNode extends the node's lease of its number. When the lease was lost
// (the node could not renew it in time and another node took the number),
// it leases a free number and moves the order id generator to it, so that
// order ids stay unique.
func (m *Main) renewNode(ctx context.Context) {
	err := m.Store.RenewNode(ctx, m.node, m.Owner, m.realClock().Now(), nodeLease)
	if err == nil || ctx.Err() != nil {
		return
	}
	if opencube.ErrorKind(err) != opencube.KindConflict {
		m.Logger.Error("renew node lease", "node", m.node, "err", err)
		return
	}
	node, err := m.Store.ClaimNode(ctx, m.Owner, m.realClock().Now(), nodeLease)
	if err != nil {
		m.Logger.Error("node lease lost and no free number to lease", "node", m.node, "err", err)
		return
	}
	m.Logger.Warn("node lease lost: moved to another node number", "old", m.node, "new", node)
	m.Services.Orders.IDs.SetNode(node)
	m.node = node
}

// Close stops serving: the listener stops accepting, the requests in
// flight are answered (for up to HTTP.ShutdownTimeout, after which those
// left are cut), then the RADIUS listeners and the background loops stop,
// the node number is given back, and the database is closed.
func (m *Main) Close() error {
	m.loops.closing.Store(true)
	var errs []error
	if m.server != nil {
		if m.Logger != nil {
			m.Logger.Info("shutting down: answering the requests in flight", "timeout", m.HTTP.ShutdownTimeout)
		}
		ctx, cancel := context.WithTimeout(context.Background(), m.HTTP.ShutdownTimeout)
		defer cancel()
		for _, srv := range []*http.Server{m.server, m.adminServer} {
			if srv == nil {
				continue
			}
			if err := srv.Shutdown(ctx); err != nil {
				srv.Close()
				errs = append(errs, fmt.Errorf("requests still running after --shutdown-timeout %s were cut: %w", m.HTTP.ShutdownTimeout, err))
			}
		}
	}
	if m.metricsServer != nil {
		errs = append(errs, m.metricsServer.Close())
	}
	errs = append(errs, m.stopRADIUS())
	if m.stop != nil {
		m.stop()
		m.done.Wait()
	}
	if m.HLR.osmo != nil {
		m.HLR.osmo.Close()
	}
	if m.node >= 0 && m.Store != nil {
		errs = append(errs, m.Store.ReleaseNode(context.Background(), m.node, m.Owner))
		m.node = -1
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
	}
	return errors.Join(errs...)
}

func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("opencube migrate", os.Stderr)
	db := fs.String("db", "opencube.db", "database: a SQLite file path or a postgres:// URL")
	keyFile := fs.String(keyFileFlag, "", keyFileUsage)
	batch := fs.Int("seal-batch", 500, "rows sealed a transaction when sealing the clear secrets of an older database")
	var o dbOptions
	o.define(fs)
	if err := parseWithEnv(fs, args); err != nil {
		return err
	}
	if *batch < 1 {
		return usageError{cmd: "migrate", err: errors.New("--seal-batch must be at least 1")}
	}
	store, err := openToolStore(ctx, *db, o, *keyFile)
	if err != nil {
		return err
	}
	defer store.Close()
	sealed, err := sealClear(ctx, store, *batch, stdout)
	if err != nil {
		return fmt.Errorf("seal the clear secrets of %s (run migrate again to carry on): %w", redact(*db), err)
	}
	if sealed > 0 {
		fmt.Fprintln(stdout, "sealed the secrets of", sealed, "rows")
	}
	fmt.Fprintln(stdout, "database", redact(*db), "is up to date")
	return store.Close()
}

// sealClear seals the secrets a database still holds in clear (written by
// a version that did not seal them), batch rows a transaction, until none
// is left, and returns how many rows it sealed. Interrupted, it is run
// again: each batch committed stays sealed.
func sealClear(ctx context.Context, store seal.Store, batch int, progress io.Writer) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, err := store.SealClear(ctx, batch)
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, nil
		}
		total += n
		if total%(batch*20) < n {
			fmt.Fprintln(progress, "sealed", total, "rows so far")
		}
	}
}
