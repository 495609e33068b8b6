package hlr

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opencube/opencube"
)

// The IPA framing of OsmoHLR's CTRL interface: a 2-byte big-endian length
// of what follows the protocol byte, the protocol byte 0xEE (Osmocom's
// extension), then the extension byte 0x00 (CTRL) and the command text.
const (
	ipaProtoOsmo = 0xEE
	ipaExtCtrl   = 0x00
	maxFrame     = 1<<16 - 1
)

// Osmo is the OsmoHLR adapter: CTRL commands over one kept TCP connection
// (reopened after any failure) and, for Subscribers, the VTY. It is safe
// for concurrent use; commands go one at a time.
type Osmo struct {
	// Ctrl is the CTRL interface's address (OsmoHLR's port 4259).
	Ctrl string
	// VTY is the VTY's address (port 4258), used to list subscribers; when
	// empty, Ctrl's host on port 4258.
	VTY string
	// Timeout bounds each command; 0 means 5 seconds.
	Timeout time.Duration

	mu   sync.Mutex
	conn net.Conn
	rd   *bufio.Reader
	seq  int
}

var _ Register = (*Osmo)(nil)

// NewOsmo returns an OsmoHLR adapter for the CTRL interface at addr.
func NewOsmo(addr string) *Osmo { return &Osmo{Ctrl: addr} }

// Close closes the kept connection.
func (o *Osmo) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.drop()
}

func (o *Osmo) drop() error {
	if o.conn == nil {
		return nil
	}
	err := o.conn.Close()
	o.conn, o.rd = nil, nil
	return err
}

func (o *Osmo) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return 5 * time.Second
}

// Unreachable is the error of a command that could not reach the register
// or whose answer was lost: the command may or may not have run.
type Unreachable struct{ Err error }

// Error says the register could not be reached, and why.
func (e *Unreachable) Error() string { return "hlr unreachable: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Unreachable) Unwrap() error { return e.Err }

// do sends one CTRL command (verb GET or SET) and returns its reply's
// value; a *Refused for an ERROR reply, an *Unreachable for a lost one.
// shown is the command as errors may quote it (no secret).
func (o *Osmo) do(ctx context.Context, verb, variable, value, shown string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	reused := o.conn != nil
	val, err := o.try(ctx, verb, variable, value, shown)
	var u *Unreachable
	if reused && errors.As(err, &u) && ctx.Err() == nil {
		// The kept connection had died (the register restarted): the
		// command never reached it. Once more on a new one.
		val, err = o.try(ctx, verb, variable, value, shown)
	}
	return val, err
}

// try sends the command once, on the kept connection or a new one.
func (o *Osmo) try(ctx context.Context, verb, variable, value, shown string) (string, error) {
	deadline := time.Now().Add(o.timeout())
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if o.conn == nil {
		d := net.Dialer{Deadline: deadline}
		c, err := d.DialContext(ctx, "tcp", o.Ctrl)
		if err != nil {
			return "", &Unreachable{err}
		}
		o.conn, o.rd = c, bufio.NewReader(c)
	}
	o.seq++
	id := strconv.Itoa(o.seq)
	text := verb + " " + id + " " + variable
	if verb == "SET" {
		text += " " + value
	}
	if len(text)+1 > maxFrame {
		return "", fmt.Errorf("hlr: command too long")
	}
	frame := make([]byte, 4, 4+len(text))
	binary.BigEndian.PutUint16(frame, uint16(len(text)+1))
	frame[2], frame[3] = ipaProtoOsmo, ipaExtCtrl
	frame = append(frame, text...)
	_ = o.conn.SetDeadline(deadline)
	if _, err := o.conn.Write(frame); err != nil {
		o.drop()
		return "", &Unreachable{err}
	}
	for {
		msg, err := o.read()
		if err != nil {
			o.drop()
			return "", &Unreachable{err}
		}
		// "<VERB>_REPLY <id> <variable> <value>", "ERROR <id> <reason>",
		// or a TRAP, which is not ours.
		kind, rest, _ := strings.Cut(msg, " ")
		rid, rest, _ := strings.Cut(rest, " ")
		if rid != id {
			continue
		}
		switch kind {
		case verb + "_REPLY":
			_, val, _ := strings.Cut(rest, " ")
			return val, nil
		case "ERROR":
			return "", &Refused{Command: shown, Answer: rest}
		default:
			o.drop()
			return "", &Unreachable{fmt.Errorf("unexpected reply %q", kind)}
		}
	}
}

// read reads one CTRL message, skipping IPA frames of other protocols
// (pings).
func (o *Osmo) read() (string, error) {
	var h [3]byte
	for {
		if _, err := io.ReadFull(o.rd, h[:]); err != nil {
			return "", err
		}
		n := int(binary.BigEndian.Uint16(h[:2]))
		b := make([]byte, n)
		if _, err := io.ReadFull(o.rd, b); err != nil {
			return "", err
		}
		if h[2] == ipaProtoOsmo && n > 0 && b[0] == ipaExtCtrl {
			return string(b[1:]), nil
		}
	}
}

func subscriberVar(imsi, field string) string { return "subscriber.by-imsi-" + imsi + "." + field }

// notFound turns the register's answers about a missing subscriber into
// ErrNotFound.
func notFound(err error) error {
	if r, ok := IsRefused(err); ok && (strings.Contains(r.Answer, "No such subscriber") || strings.Contains(r.Answer, "doesn't exist")) {
		return fmt.Errorf("%w: %s", ErrNotFound, r.Answer)
	}
	return err
}

func (o *Osmo) set(ctx context.Context, imsi, field, value string) error {
	v := subscriberVar(imsi, field)
	_, err := o.do(ctx, "SET", v, value, v+" "+value)
	return notFound(err)
}

// Create implements Register.
func (o *Osmo) Create(ctx context.Context, imsi string) error {
	_, err := o.do(ctx, "SET", "subscriber.create", imsi, "subscriber.create "+imsi)
	if r, ok := IsRefused(err); ok && strings.Contains(r.Answer, "already exists") {
		return fmt.Errorf("%w: %s", ErrExists, r.Answer)
	}
	return err
}

// SetMSISDN implements Register.
func (o *Osmo) SetMSISDN(ctx context.Context, imsi, msisdn string) error {
	if msisdn == "" {
		msisdn = "none"
	}
	return o.set(ctx, imsi, "msisdn", msisdn)
}

// SetAccess implements Register.
func (o *Osmo) SetAccess(ctx context.Context, imsi string, cs, ps bool) error {
	if err := o.set(ctx, imsi, "cs-enabled", flag(cs)); err != nil {
		return err
	}
	return o.set(ctx, imsi, "ps-enabled", flag(ps))
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// SetAuth implements Register. The register's answers never carry the
// keys; errors name the field, never its value.
func (o *Osmo) SetAuth(ctx context.Context, imsi string, a *opencube.SIMAuth) error {
	secret := func(field, value string) error {
		v := subscriberVar(imsi, field)
		_, err := o.do(ctx, "SET", v, value, v+" <secret>")
		return notFound(err)
	}
	if a == nil {
		// OsmoHLR 1.5 answers "Update ... failed" when there is nothing to
		// remove: removing is done once nothing is left.
		for _, f := range []string{"aud2g", "aud3g"} {
			if err := secret(f, "none"); err != nil {
				if _, ok := IsRefused(err); !ok || errors.Is(err, ErrNotFound) {
					return err
				}
			}
		}
		return nil
	}
	if a.Algorithm == "milenage" {
		return secret("aud3g", "milenage,"+a.Ki+",OPC,"+a.OPc)
	}
	return secret("aud2g", a.Algorithm+","+a.Ki)
}

// Delete implements Register.
func (o *Osmo) Delete(ctx context.Context, imsi string) error {
	_, err := o.do(ctx, "SET", "subscriber.delete", imsi, "subscriber.delete "+imsi)
	return notFound(err)
}

// Subscriber implements Register.
func (o *Osmo) Subscriber(ctx context.Context, imsi string) (*Subscriber, error) {
	v := subscriberVar(imsi, "info-all")
	val, err := o.do(ctx, "GET", v, "", v)
	if err != nil {
		return nil, notFound(err)
	}
	s := &Subscriber{}
	for _, line := range strings.Split(val, "\n") {
		k, v, _ := strings.Cut(line, "\t")
		switch k {
		case "imsi":
			s.IMSI = v
		case "msisdn":
			s.MSISDN = v
		case "nam_cs":
			s.CS = v == "1"
		case "nam_ps":
			s.PS = v == "1"
		}
	}
	if s.IMSI == "" {
		return nil, &Unreachable{fmt.Errorf("info of %s without an IMSI", imsi)}
	}
	return s, nil
}

// Subscribers implements Register through the VTY's "show subscribers
// all" (OsmoHLR's CTRL interface has no list).
func (o *Osmo) Subscribers(ctx context.Context) ([]*Subscriber, error) {
	addr := o.VTY
	if addr == "" {
		host, _, err := net.SplitHostPort(o.Ctrl)
		if err != nil {
			return nil, err
		}
		addr = net.JoinHostPort(host, "4258")
	}
	deadline := time.Now().Add(4 * o.timeout())
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	d := net.Dialer{Deadline: deadline}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &Unreachable{err}
	}
	defer c.Close()
	_ = c.SetDeadline(deadline)
	if _, err := io.WriteString(c, "enable\r\nshow subscribers all\r\n"); err != nil {
		return nil, &Unreachable{err}
	}
	return parseVTYList(c)
}

// parseVTYList reads the table "show subscribers all" prints:
//
//	ID     MSISDN        IMSI              IMEI              NAM
//	-----  ------------  ----------------  ----------------  -----
//	1      none          901700000000001    -------------    CSPS
//	 Subscribers Shown: 1
func parseVTYList(r io.Reader) ([]*Subscriber, error) {
	sc := bufio.NewScanner(r)
	var (
		out   []*Subscriber
		table bool
	)
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimRight(sc.Text(), "\r"))
		switch {
		case strings.HasPrefix(line, "-----"):
			table = true
		case strings.HasPrefix(line, "Subscribers Shown:"):
			return out, nil
		case table:
			f := strings.Fields(line)
			if len(f) < 4 {
				continue
			}
			s := &Subscriber{MSISDN: f[1], IMSI: f[2]}
			if s.MSISDN == "none" {
				s.MSISDN = ""
			}
			if len(f) >= 5 {
				s.CS = strings.Contains(f[4], "CS")
				s.PS = strings.Contains(f[4], "PS")
			}
			out = append(out, s)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &Unreachable{err}
	}
	return nil, &Unreachable{errors.New("the VTY's subscriber list ended early")}
}

// AuthAlgorithms returns the algorithms of a subscriber's 2G and 3G
// authentication data ("COMP128v1", "MILENAGE"; empty when it has none),
// never the keys; ErrNotFound when there is no subscriber. Not part of
// Register: an operator's check that the data reached the register.
func (o *Osmo) AuthAlgorithms(ctx context.Context, imsi string) (twoG, threeG string, err error) {
	v := subscriberVar(imsi, "info-aud")
	val, err := o.do(ctx, "GET", v, "", v)
	if err != nil {
		return "", "", notFound(err)
	}
	for _, line := range strings.Split(val, "\n") {
		k, v, _ := strings.Cut(line, "\t")
		switch k {
		case "aud2g.algo":
			twoG = v
		case "aud3g.algo":
			threeG = v
		}
	}
	return twoG, threeG, nil
}
