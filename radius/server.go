package radius

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"

	"github.com/opencube/opencube"
)

// Server is opencube's RADIUS side: accounting, authorization and
// Disconnect-Requests. Set its fields, then call ServeAccounting and
// ServeAuth (each on its own goroutine) and Shutdown to stop.
type Server struct {
	// Usage books accounting records and authorizes sessions.
	Usage opencube.UsageService
	// Secret is the shared secret of every NAS.
	Secret []byte
	// Clock dates records without an Event-Timestamp.
	Clock opencube.Clock
	// Logger receives dropped packets and failed batches.
	Logger *slog.Logger
	// MaxBatch bounds how many records share one store transaction.
	MaxBatch int
	// BatchWait is how long the first record of a batch waits for others.
	BatchWait time.Duration
	// CoAPort is the UDP port on which NASes take Disconnect-Requests (RFC
	// 5176), at the session's NAS-IP-Address; 0 sends none.
	CoAPort int
	// DisconnectTimeout bounds one Disconnect-Request exchange.
	DisconnectTimeout time.Duration
	// Observer, when set, is told what the server does (metrics).
	Observer Observer
	// Locks, when set, refuses a SIM locked to another device or network
	// (service.Labels.CheckLock) even when its plan allows it.
	Locks Locks

	once     sync.Once
	queue    chan *pending
	quit     chan struct{}
	loopDone chan struct{}
	mu       sync.Mutex
	servers  []*radius.PacketServer
	sent     map[string]time.Time // session -> last Disconnect-Request
	wg       sync.WaitGroup
}

// Locks checks a SIM's lock to a device and a network.
type Locks interface {
	// CheckLock returns why the SIM of imsi may not attach from device
	// imei on network ("" for either when the request does not say), ""
	// when it may.
	CheckLock(ctx context.Context, imsi, imei, network string) (string, error)
}

// pending is one record waiting for its batch to commit.
type pending struct {
	rec  *opencube.UsageRecord
	at   time.Time // when it was queued
	done chan result
}

type result struct {
	res opencube.BookResult
	err error
}

// NewServer returns a Server with a 2 ms batch window and batches of up to
// 2048 records.
func NewServer(usage opencube.UsageService, secret string) *Server {
	return &Server{
		Usage: usage, Secret: []byte(secret), Clock: opencube.SystemClock, Logger: slog.Default(),
		MaxBatch: 2048, BatchWait: 2 * time.Millisecond, DisconnectTimeout: 2 * time.Second,
	}
}

func (s *Server) init() {
	s.once.Do(func() {
		s.queue = make(chan *pending, 4*s.MaxBatch)
		s.quit = make(chan struct{})
		s.loopDone = make(chan struct{})
		s.sent = map[string]time.Time{}
		go s.loop()
	})
}

// ServeAccounting answers Accounting-Requests on conn until Shutdown.
func (s *Server) ServeAccounting(conn net.PacketConn) error {
	s.init()
	return s.serve(conn, radius.HandlerFunc(s.handleAccounting))
}

// ServeAuth answers Access-Requests on conn until Shutdown.
func (s *Server) ServeAuth(conn net.PacketConn) error {
	s.init()
	return s.serve(conn, radius.HandlerFunc(s.handleAuth))
}

func (s *Server) serve(conn net.PacketConn, h radius.Handler) error {
	if uc, ok := conn.(*net.UDPConn); ok {
		uc.SetReadBuffer(4 << 20) // bursts of records wait here, not in drops
	}
	ps := &radius.PacketServer{Handler: h, SecretSource: radius.StaticSecretSource(s.Secret), ErrorLog: slogLogger(s.Logger)}
	s.mu.Lock()
	s.servers = append(s.servers, ps)
	s.mu.Unlock()
	err := ps.Serve(conn)
	if errors.Is(err, radius.ErrServerShutdown) {
		return nil
	}
	return err
}

// Shutdown stops the listeners, lets the queued records commit and waits
// for Disconnect-Requests under way.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.mu.Lock()
	servers := s.servers
	s.mu.Unlock()
	var errs []error
	for _, ps := range servers {
		if err := ps.Shutdown(ctx); err != nil && !errors.Is(err, radius.ErrServerShutdown) {
			errs = append(errs, err)
		}
	}
	close(s.quit)
	<-s.loopDone
	s.wg.Wait()
	return errors.Join(errs...)
}

func (s *Server) handleAccounting(w radius.ResponseWriter, r *radius.Request) {
	rec, err := ParseAccounting(r.Packet, r.RemoteAddr, s.Clock.Now())
	if errors.Is(err, ErrNotAccounting) {
		if r.Packet.Code == radius.CodeAccountingRequest {
			s.observeRecord(r.Packet, OutcomeIgnored)                 // counted before the answer, so an answered record is counted
			w.Write(r.Packet.Response(radius.CodeAccountingResponse)) // Accounting-On/Off
		}
		return
	}
	if err != nil {
		s.Logger.Warn("radius: accounting record dropped", "from", r.RemoteAddr.String(), "err", err)
		s.observeRecord(r.Packet, OutcomeDropped)
		return
	}
	res, err := s.Book(r.Context(), rec)
	if err != nil {
		s.Logger.Error("radius: accounting record not booked", "session", rec.SessionID, "err", err)
		s.observeRecord(r.Packet, OutcomeFailed)
		return // no answer: the NAS retransmits
	}
	s.observeRecord(r.Packet, bookOutcome(res)) // before the answer: an answered record is counted
	w.Write(r.Packet.Response(radius.CodeAccountingResponse))
	if res.Unknown {
		s.Logger.Warn("radius: accounting record of an unknown SIM", "imsi", rec.IMSI)
	}
	if res.Disconnect != nil {
		s.disconnect(res.Disconnect)
	}
}

// Book queues a record for the next batch and returns once that batch
// committed (or failed).
func (s *Server) Book(ctx context.Context, rec *opencube.UsageRecord) (opencube.BookResult, error) {
	s.init()
	p := &pending{rec: rec, at: time.Now(), done: make(chan result, 1)}
	select {
	case s.queue <- p:
	case <-s.quit:
		return opencube.BookResult{}, errShutDown
	case <-ctx.Done():
		return opencube.BookResult{}, ctx.Err()
	}
	select {
	case r := <-p.done:
		return r.res, r.err
	case <-s.loopDone:
		// The loop stopped: p was queued as it drained the queue for the
		// last time, so it either was booked (and answered before the loop
		// stopped) or never will be.
		select {
		case r := <-p.done:
			return r.res, r.err
		default:
			return opencube.BookResult{}, errShutDown
		}
	}
}

// errShutDown is returned by Book after Shutdown.
var errShutDown = errors.New("radius: server shut down")

// loop gathers queued records into batches and books each in one call.
func (s *Server) loop() {
	defer close(s.loopDone)
	batch := make([]*pending, 0, s.MaxBatch)
	for {
		var first *pending
		select {
		case first = <-s.queue:
		case <-s.quit:
			for {
				select {
				case p := <-s.queue:
					s.flush([]*pending{p})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
		// The first record waits BatchWait for others from when it was
		// queued: one that waited through the previous batch's commit
		// goes with what is queued now, and the database does not sit
		// idle for BatchWait between two batches of a busy network.
		timer := time.NewTimer(max(s.BatchWait-time.Since(first.at), 0))
	fill:
		for len(batch) < s.MaxBatch {
			// What is queued goes first: with the timer already fired, the
			// select below would pick between the two at random and could
			// leave queued records to a batch of their own.
			select {
			case p := <-s.queue:
				batch = append(batch, p)
				continue
			default:
			}
			select {
			case p := <-s.queue:
				batch = append(batch, p)
			case <-timer.C:
				break fill
			case <-s.quit:
				break fill
			}
		}
		timer.Stop()
		s.flush(batch)
	}
}

// flush books a batch in one store transaction and answers its records.
func (s *Server) flush(batch []*pending) {
	recs := make([]*opencube.UsageRecord, len(batch))
	for i, p := range batch {
		recs[i] = p.rec
	}
	start := time.Now()
	results, err := s.Usage.BookUsage(context.Background(), recs)
	if s.Observer != nil {
		s.Observer.Batch(len(recs), time.Since(start))
	}
	for i, p := range batch {
		if err != nil {
			p.done <- result{err: err}
			continue
		}
		p.done <- result{res: results[i]}
	}
}

// disconnectEvery is how often a session is sent a Disconnect-Request at
// most.
const disconnectEvery = 10 * time.Second

// disconnect sends d's NAS a Disconnect-Request, in the background.
func (s *Server) disconnect(d *opencube.Disconnect) {
	if s.CoAPort == 0 || d.NASAddr == "" {
		return
	}
	key := d.NASAddr + "/" + d.SessionID
	now := time.Now()
	s.mu.Lock()
	if last, ok := s.sent[key]; ok && now.Sub(last) < disconnectEvery {
		s.mu.Unlock()
		return
	}
	s.sent[key] = now
	for k, t := range s.sent {
		if now.Sub(t) > disconnectEvery {
			delete(s.sent, k)
		}
	}
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.SendDisconnect(context.Background(), d)
		if err != nil {
			s.Logger.Warn("radius: Disconnect-Request failed", "nas", d.NASAddr, "session", d.SessionID, "err", err)
		}
		if s.Observer != nil {
			s.Observer.Disconnect(err == nil)
		}
	}()
}

// SendDisconnect sends d's NAS a Disconnect-Request (RFC 5176) at CoAPort
// and waits for its answer.
func (s *Server) SendDisconnect(ctx context.Context, d *opencube.Disconnect) error {
	p := radius.New(radius.CodeDisconnectRequest, s.Secret)
	rfc2866.AcctSessionID_SetString(p, d.SessionID)
	if d.UserName != "" {
		rfc2865.UserName_SetString(p, d.UserName)
	}
	if a, err := New3GPPAttribute(attr3GPPIMSI, d.IMSI); err == nil && d.IMSI != "" {
		p.Add(rfc2865.VendorSpecific_Type, a)
	}
	if ip := net.ParseIP(d.NASAddr); ip != nil && ip.To4() != nil {
		rfc2865.NASIPAddress_Set(p, ip)
	}
	ctx, cancel := context.WithTimeout(ctx, s.DisconnectTimeout)
	defer cancel()
	resp, err := radius.Exchange(ctx, p, net.JoinHostPort(d.NASAddr, strconv.Itoa(s.CoAPort)))
	if err != nil {
		return err
	}
	if resp.Code != radius.CodeDisconnectACK {
		return errors.New("radius: NAS answered " + resp.Code.String())
	}
	return nil
}

func (s *Server) handleAuth(w radius.ResponseWriter, r *radius.Request) {
	if r.Packet.Code != radius.CodeAccessRequest {
		return
	}
	imsi := IMSI(r.Packet)
	d := &opencube.AuthDecision{Reason: reasonNoIMSI}
	if imsi != "" {
		var err error
		if d, err = s.Usage.Authorize(r.Context(), imsi); err == nil && d.Accept && s.Locks != nil {
			var why string
			if why, err = s.Locks.CheckLock(r.Context(), imsi, accessIMEI(r.Packet), accessNetwork(r.Packet)); err == nil && why != "" {
				d = &opencube.AuthDecision{Reason: why, ICCID: d.ICCID}
			}
		}
		if err != nil {
			s.Logger.Error("radius: authorization failed", "imsi", imsi, "err", err)
			if s.Observer != nil {
				s.Observer.Access(ResultError, ReasonStore)
			}
			return // no answer: the NAS retries
		}
	}
	if s.Observer != nil {
		s.Observer.Access(accessReason(d)) // before the answer: an answered request is counted
	}
	w.Write(reply(r.Packet, d))
}

// observeRecord tells the Observer of an Accounting-Request's outcome.
func (s *Server) observeRecord(p *radius.Packet, outcome string) {
	if s.Observer != nil {
		s.Observer.Record(packetType(p), outcome)
	}
}
