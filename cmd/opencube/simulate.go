package main

import (
	"context"
	"errors"
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

	"github.com/opencube/opencube/client"
	oradius "github.com/opencube/opencube/radius"
)

// simulator plays RADIUS accounting sessions of many SIMs against a server:
// each SIM in turn sends a Start, Interim-Updates with growing totals, a
// Stop, and begins a new session, at a steady overall rate. Records are
// stamped (Event-Timestamp, session ids) with this host's clock moved by
// offset: a sandbox server's offset, so that usage is booked to the day and
// order of the server's sandbox time (D27).
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
	last   time.Time    // the last record's stamp (record's caller only)

	sent, acked, failed atomic.Int64
}

// simSession is one SIM's current session.
type simSession struct {
	id      string
	step    int // 0: next record is the Start
	in, out uint64
	started time.Time
}

// runSimulate implements `opencube simulate`.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("opencube simulate", stderr)
	s := &simulator{}
	fs.StringVar(&s.server, "server", "127.0.0.1:1813", "RADIUS accounting server HOST:PORT")
	secret := fs.String("secret", "", "RADIUS shared secret")
	fs.IntVar(&s.sims, "sims", 10, "number of SIMs")
	fs.Float64Var(&s.rate, "rate", 100, "accounting records per second, in all")
	fs.DurationVar(&s.duration, "duration", 0, "how long to play (0: until interrupted)")
	fs.IntVar(&s.interims, "interims", 5, "Interim-Updates per session before its Stop")
	imsi := fs.String("imsi-start", "454008041800192", "IMSI of the first SIM; the others follow it (the default is the demo's first SIM)")
	nas := fs.String("nas-ip", "127.0.0.1", "NAS-IP-Address of the records")
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
		return errors.New("simulate: --secret is required")
	case s.sims < 1 || s.rate <= 0 || s.interims < 0 || s.inflight < 1:
		return errors.New("simulate: --sims, --rate and --inflight must be positive")
	case *adminURL != "" && *offset != 0:
		return errors.New("simulate: give --time-offset or --admin-url, not both")
	}
	s.offset.Store(int64(*offset))
	if s.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.duration)
		defer cancel()
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
	el := time.Since(start)
	fmt.Fprintf(stdout, "sent %d records in %s (%.0f/s): %d acknowledged, %d failed\n",
		s.sent.Load(), el.Round(time.Millisecond), float64(s.sent.Load())/el.Seconds(), s.acked.Load(), s.failed.Load())
	if s.failed.Load() > 0 {
		return fmt.Errorf("simulate: %d records were not acknowledged", s.failed.Load())
	}
	return nil
}

// run sends records at the rate until ctx ends, then waits for the answers.
func (s *simulator) run(ctx context.Context) {
	sessions := make([]simSession, s.sims)
	slots := make(chan struct{}, s.inflight)
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / s.rate)
	next := time.Now()
	for i := 0; ; i++ {
		if wait := time.Until(next); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				wg.Wait()
				return
			case <-t.C:
			}
		} else if ctx.Err() != nil {
			wg.Wait()
			return
		}
		next = next.Add(interval)
		n := i % s.sims
		p := s.record(n, &sessions[n])
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		s.sent.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
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
// offset, never before the previous record's.
func (s *simulator) now() time.Time {
	now := time.Now().Add(time.Duration(s.offset.Load()))
	if now.Before(s.last) {
		now = s.last
	}
	s.last = now
	return now
}

// record returns SIM n's next accounting record and moves its session on.
func (s *simulator) record(n int, ss *simSession) *radius.Packet {
	now := s.now()
	imsi := strconv.FormatUint(s.imsiStart+uint64(n), 10)
	p := radius.New(radius.CodeAccountingRequest, s.secret)
	switch {
	case ss.step == 0:
		ss.id = fmt.Sprintf("sim-%d-%d", n, now.UnixNano())
		ss.in, ss.out, ss.started = 0, 0, now
		rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Start)
	case ss.step <= s.interims:
		ss.in += uint64(rand.IntN(1 << 20))
		ss.out += uint64(rand.IntN(1 << 18))
		rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_InterimUpdate)
	default:
		ss.in += uint64(rand.IntN(1 << 16))
		rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Stop)
	}
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
	ss.step++
	if ss.step > s.interims+1 {
		ss.step = 0
	}
	return p
}
