package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"
	"layeh.com/radius/rfc3576"

	"github.com/opencube/opencube/client"
	oradius "github.com/opencube/opencube/radius"
)

// simulator plays RADIUS accounting sessions of many SIMs against a server,
// as a NAS would: each SIM in turn sends a Start, Interim-Updates with
// growing totals, a Stop, and begins a new session, at a steady overall
// rate. It takes Disconnect-Requests (RFC 5176) on its CoA port: the
// session named is answered Disconnect-ACK and ended with a Stop. When it
// ends, it sends a Stop for every session still open. Records are stamped
// (Event-Timestamp, session ids) with this host's clock moved by offset: a
// sandbox server's offset, so that usage is booked to the day and order of
// the server's sandbox time (D27).
type simulator struct {
	server    string
	secret    []byte
	sims      int
	rate      float64
	duration  time.Duration
	interims  int
	imsiStart uint64
	nasIP     net.IP
	inflight  int

	offset atomic.Int64 // nanoseconds: the server's time less this host's

	mu       sync.Mutex
	sessions []simSession   // by SIM
	open     map[string]int // the SIM of each open session, by Acct-Session-Id
	ended    map[string]int // the SIM of each SIM's last ended session
	last     time.Time      // the last record's stamp
	pending  int            // records awaiting an answer
	idle     *sync.Cond     // signalled when pending falls to 0

	slots chan struct{} // bounds pending to inflight

	sent, acked, failed   atomic.Int64
	disconnected, unknown atomic.Int64 // Disconnect-Requests answered ACK, NAK
	stopped               atomic.Int64 // sessions stopped at the end
}

// simSession is one SIM's current session.
type simSession struct {
	id      string
	endedID string // the SIM's previous session, in simulator.ended
	step    int    // 0: next record is the Start
	in, out uint64
	started time.Time
}

// defaultCoAPort is the Disconnect-Request port of RFC 5176.
const defaultCoAPort = 3799

// runSimulate implements `opencube simulate`.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("opencube simulate", stderr)
	s := &simulator{}
	fs.StringVar(&s.server, "server", "127.0.0.1:1813", "RADIUS accounting server HOST:PORT")
	secret := fs.String("secret", "", "RADIUS shared secret")
	fs.IntVar(&s.sims, "sims", 10, "number of SIMs")
	fs.Float64Var(&s.rate, "rate", 100, "accounting records per second, in all")
	fs.DurationVar(&s.duration, "duration", 0, "how long to play (0: until interrupted); then every open session is stopped")
	fs.IntVar(&s.interims, "interims", 5, "Interim-Updates per session before its Stop")
	imsi := fs.String("imsi-start", "454008041800192", "IMSI of the first SIM; the others follow it (the default is the demo's first SIM)")
	nas := fs.String("nas-ip", "127.0.0.1", "NAS-IP-Address of the records, where the server sends Disconnect-Requests")
	coaPort := fs.Int("coa-port", defaultCoAPort, "UDP port at --nas-ip taking Disconnect-Requests: the server's --radius-coa-port (0: none)")
	fs.IntVar(&s.inflight, "inflight", 256, "most records awaiting an answer at once")
	offset := fs.Duration("time-offset", 0, "stamp records this far ahead of this host's clock (a sandbox server's offset: 48h)")
	adminURL := fs.String("admin-url", "", "a sandbox server's base URL: stamp records with its sandbox time, read from GET /admin/v1/clock at start and every second")
	token := fs.String("admin-token", "", "the server's --admin-token, with --admin-url")
	if err := parseWithEnv(fs, args); err != nil {
		return err
	}
	s.secret = []byte(*secret)
	var err error
	if s.imsiStart, err = strconv.ParseUint(*imsi, 10, 64); err != nil {
		return fmt.Errorf("simulate: --imsi-start %q is not an IMSI", *imsi)
	}
	if s.nasIP = net.ParseIP(*nas).To4(); s.nasIP == nil {
		return fmt.Errorf("simulate: --nas-ip %q is not an IPv4 address", *nas)
	}
	switch {
	case len(s.secret) == 0:
		return usageError{cmd: "simulate", err: errors.New("--secret is required")}
	case s.sims < 1 || s.rate <= 0 || s.interims < 0 || s.inflight < 1:
		return errors.New("simulate: --sims, --rate and --inflight must be positive")
	case *coaPort < 0 || *coaPort > 65535:
		return errors.New("simulate: --coa-port must be 0-65535")
	case *adminURL != "" && *offset != 0:
		return errors.New("simulate: give --time-offset or --admin-url, not both")
	}
	s.offset.Store(int64(*offset))
	if s.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.duration)
		defer cancel()
	}
	s.init()
	stopCoA := func() {}
	if *coaPort != 0 {
		stop, err := s.listenCoA(net.JoinHostPort(s.nasIP.String(), strconv.Itoa(*coaPort)))
		switch {
		case err == nil:
			stopCoA = sync.OnceFunc(stop)
			defer stopCoA()
		case flagSet(fs, "coa-port"):
			return fmt.Errorf("simulate: take Disconnect-Requests: %w", err)
		default:
			fmt.Fprintf(stderr, "simulate: not taking Disconnect-Requests (--coa-port 0 turns this off): %v\n", err)
		}
	}
	if *adminURL != "" {
		a := client.NewAdmin(*adminURL, *token)
		d, err := serverOffset(ctx, a)
		if err != nil {
			return fmt.Errorf("simulate: read the server's clock: %w", err)
		}
		s.offset.Store(int64(d))
		fctx, stop := context.WithCancel(ctx)
		defer stop()
		go s.followClock(fctx, a, stderr)
	}
	if d := time.Duration(s.offset.Load()); d != 0 {
		fmt.Fprintf(stderr, "stamping records %s ahead of this host's clock\n", d.Round(time.Millisecond))
	}
	start := time.Now()
	s.run(ctx)
	s.waitIdle()
	s.stopAll()
	s.waitIdle()
	if *coaPort != 0 {
		// The server sends a Disconnect-Request just after the answer
		// that reports the overrun: answer those still on their way.
		time.Sleep(coaLinger)
	}
	stopCoA()
	el := time.Since(start)
	fmt.Fprintf(stdout, "sent %d records in %s (%.0f/s): %d acknowledged, %d failed; %d Disconnect-Requests answered (%d of unknown sessions), %d sessions stopped at the end\n",
		s.sent.Load(), el.Round(time.Millisecond), float64(s.sent.Load())/el.Seconds(), s.acked.Load(), s.failed.Load(),
		s.disconnected.Load()+s.unknown.Load(), s.unknown.Load(), s.stopped.Load())
	if s.failed.Load() > 0 {
		return fmt.Errorf("simulate: %d records were not acknowledged", s.failed.Load())
	}
	return nil
}

// flagSet reports whether the command line set the flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// coaLinger is how long the simulator keeps answering Disconnect-Requests
// after its last record's answer.
const coaLinger = 300 * time.Millisecond

// init makes the simulator's sessions, before anything can use them.
func (s *simulator) init() {
	s.sessions = make([]simSession, s.sims)
	s.open = map[string]int{}
	s.ended = map[string]int{}
	s.slots = make(chan struct{}, s.inflight)
	s.idle = sync.NewCond(&s.mu)
}

// waitIdle waits until every record sent has its answer (or timed out).
func (s *simulator) waitIdle() {
	s.mu.Lock()
	for s.pending > 0 {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

// run sends records at the rate until ctx ends; the answers may still be
// on their way.
func (s *simulator) run(ctx context.Context) {
	interval := time.Duration(float64(time.Second) / s.rate)
	next := time.Now()
	for i := 0; ; i++ {
		if wait := time.Until(next); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		} else if ctx.Err() != nil {
			return
		}
		next = next.Add(interval)
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		s.mu.Lock()
		p := s.record(i % s.sims)
		s.mu.Unlock()
		s.send(p)
	}
}

// send sends one record, holding a slot the caller took, and counts its
// answer.
func (s *simulator) send(p *radius.Packet) {
	s.sent.Add(1)
	s.mu.Lock()
	s.pending++
	s.mu.Unlock()
	go func() {
		defer func() {
			<-s.slots
			s.mu.Lock()
			if s.pending--; s.pending == 0 {
				s.idle.Broadcast()
			}
			s.mu.Unlock()
		}()
		ectx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := radius.Exchange(ectx, p, s.server)
		if err == nil && resp.Code == radius.CodeAccountingResponse {
			s.acked.Add(1)
		} else {
			s.failed.Add(1)
		}
	}()
}

// stopAll sends a Stop for every open session (NAS-Request: the NAS ends
// them); the records sent before should have their answers (waitIdle), so
// that none of a session arrives after its Stop. The Stops' answers may
// still be on their way.
func (s *simulator) stopAll() {
	s.mu.Lock()
	var stops []*radius.Packet
	for _, n := range s.open {
		stops = append(stops, s.stop(n, rfc2866.AcctTerminateCause_Value_NASRequest))
	}
	s.mu.Unlock()
	for _, p := range stops {
		s.slots <- struct{}{}
		s.stopped.Add(1)
		s.send(p)
	}
}

// listenCoA answers Disconnect-Requests on addr until the returned stop is
// called.
func (s *simulator) listenCoA(addr string) (stop func(), err error) {
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, err
	}
	ps := &radius.PacketServer{Handler: radius.HandlerFunc(s.handleCoA), SecretSource: radius.StaticSecretSource(s.secret)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		ps.Serve(conn)
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ps.Shutdown(ctx)
		<-done
	}, nil
}

// handleCoA answers a Disconnect-Request as a NAS does (RFC 5176): a
// session this simulator has open, named by Acct-Session-Id (and, when
// given, User-Name), is answered Disconnect-ACK and ended with a Stop
// (Admin-Reset); its SIM starts a new session at its next turn. A SIM's
// session that has just ended (the request crossed its Stop) is answered
// Disconnect-ACK too: it is gone, as asked. Any other is answered
// Disconnect-NAK, Error-Cause Session-Context-Not-Found; a CoA-Request,
// CoA-NAK (Unsupported-Service).
func (s *simulator) handleCoA(w radius.ResponseWriter, r *radius.Request) {
	switch r.Code {
	case radius.CodeDisconnectRequest:
	case radius.CodeCoARequest:
		resp := r.Response(radius.CodeCoANAK)
		rfc3576.ErrorCause_Set(resp, rfc3576.ErrorCause_Value_UnsupportedService)
		w.Write(resp)
		return
	default:
		return
	}
	id := rfc2866.AcctSessionID_GetString(r.Packet)
	user := rfc2865.UserName_GetString(r.Packet)
	var stop *radius.Packet
	s.mu.Lock()
	n, open := s.open[id]
	m, ended := s.ended[id]
	switch {
	case open && (user == "" || user == s.imsi(n)):
		stop = s.stop(n, rfc2866.AcctTerminateCause_Value_AdminReset)
	case ended && (user == "" || user == s.imsi(m)):
	default:
		ended = false
	}
	s.mu.Unlock()
	if stop == nil && ended {
		s.disconnected.Add(1)
		w.Write(r.Response(radius.CodeDisconnectACK))
		return
	}
	if stop == nil {
		s.unknown.Add(1)
		resp := r.Response(radius.CodeDisconnectNAK)
		rfc3576.ErrorCause_Set(resp, rfc3576.ErrorCause_Value_SessionContextNotFound)
		w.Write(resp)
		return
	}
	s.disconnected.Add(1)
	w.Write(r.Response(radius.CodeDisconnectACK))
	s.slots <- struct{}{}
	s.send(stop)
}

// serverOffset is how far a sandbox server's clock runs ahead of this
// host's: its time now, less this host's at the middle of the request.
func serverOffset(ctx context.Context, a *client.Admin) (time.Duration, error) {
	t0 := time.Now()
	st, err := a.Clock(ctx)
	if err != nil {
		return 0, err
	}
	t1 := time.Now()
	return st.Now.Sub(t0.Add(t1.Sub(t0) / 2)), nil
}

// followClock reads the server's clock every second until ctx ends, so
// that records follow a move of the sandbox clock. A failed read keeps the
// last offset.
func (s *simulator) followClock(ctx context.Context, a *client.Admin, stderr io.Writer) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d, err := serverOffset(ctx, a)
		if err != nil {
			if ctx.Err() == nil {
				fmt.Fprintf(stderr, "simulate: read the server's clock: %v\n", err)
			}
			continue
		}
		s.offset.Store(int64(d))
	}
}

// now is the time records are stamped with: this host's clock plus the
// offset, never before the previous record's (s.mu held).
func (s *simulator) now() time.Time {
	now := time.Now().Add(time.Duration(s.offset.Load()))
	if now.Before(s.last) {
		now = s.last
	}
	s.last = now
	return now
}

// imsi is SIM n's IMSI.
func (s *simulator) imsi(n int) string { return strconv.FormatUint(s.imsiStart+uint64(n), 10) }

// record returns SIM n's next accounting record and moves its session on
// (s.mu held).
func (s *simulator) record(n int) *radius.Packet {
	ss := &s.sessions[n]
	now := s.now()
	p := radius.New(radius.CodeAccountingRequest, s.secret)
	switch {
	case ss.step == 0:
		ss.id = fmt.Sprintf("sim-%d-%d", n, now.UnixNano())
		ss.in, ss.out, ss.started = 0, 0, now
		s.open[ss.id] = n
		rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Start)
	case ss.step <= s.interims:
		ss.in += uint64(rand.IntN(1 << 20))
		ss.out += uint64(rand.IntN(1 << 18))
		rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_InterimUpdate)
	default:
		ss.in += uint64(rand.IntN(1 << 16))
		rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Stop)
		rfc2866.AcctTerminateCause_Set(p, rfc2866.AcctTerminateCause_Value_UserRequest)
		s.end(n)
	}
	s.fill(p, n, now)
	ss.step++
	if ss.step > s.interims+1 {
		ss.step = 0
	}
	return p
}

// stop ends SIM n's open session: its Stop record, with its totals so far
// and cause (s.mu held).
func (s *simulator) stop(n int, cause rfc2866.AcctTerminateCause) *radius.Packet {
	ss := &s.sessions[n]
	p := radius.New(radius.CodeAccountingRequest, s.secret)
	rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Stop)
	rfc2866.AcctTerminateCause_Set(p, cause)
	s.fill(p, n, s.now())
	s.end(n)
	ss.step = 0
	return p
}

// end records that SIM n's session ended (s.mu held).
func (s *simulator) end(n int) {
	ss := &s.sessions[n]
	delete(s.open, ss.id)
	delete(s.ended, ss.endedID)
	s.ended[ss.id], ss.endedID = n, ss.id
}

// fill adds the attributes every record of SIM n's session carries.
func (s *simulator) fill(p *radius.Packet, n int, now time.Time) {
	ss := &s.sessions[n]
	imsi := s.imsi(n)
	rfc2866.AcctSessionID_SetString(p, ss.id)
	rfc2865.UserName_SetString(p, imsi)
	if a, err := oradius.New3GPPAttribute(1, imsi); err == nil {
		p.Add(rfc2865.VendorSpecific_Type, a)
	}
	rfc2865.NASIPAddress_Set(p, s.nasIP)
	rfc2866.AcctInputOctets_Set(p, rfc2866.AcctInputOctets(ss.in))
	rfc2869.AcctInputGigawords_Set(p, rfc2869.AcctInputGigawords(ss.in>>32))
	rfc2866.AcctOutputOctets_Set(p, rfc2866.AcctOutputOctets(ss.out))
	rfc2869.AcctOutputGigawords_Set(p, rfc2869.AcctOutputGigawords(ss.out>>32))
	rfc2866.AcctSessionTime_Set(p, rfc2866.AcctSessionTime(now.Sub(ss.started)/time.Second))
	rfc2869.EventTimestamp_Set(p, now)
}
