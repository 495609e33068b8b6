package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/radius"
	"github.com/opencube/opencube/service"
)

// radiusConfig is the RADIUS side of serve: its flags and, once started,
// its server and listeners.
type radiusConfig struct {
	AcctAddr       string
	AuthAddr       string
	Secret         string
	CoAPort        int
	SessionTimeout time.Duration
	SweepEvery     time.Duration

	Server *radius.Server
	acct   net.PacketConn
	auth   net.PacketConn
}

// define adds the RADIUS flags to fs.
func (c *radiusConfig) define(fs *flag.FlagSet) {
	fs.StringVar(&c.AcctAddr, "radius-acct", c.AcctAddr, "RADIUS accounting listen address HOST:PORT (off when empty)")
	fs.StringVar(&c.AuthAddr, "radius-auth", c.AuthAddr, "RADIUS authorization listen address HOST:PORT (off when empty)")
	fs.StringVar(&c.Secret, "radius-secret", c.Secret, "RADIUS shared secret of every NAS")
	fs.IntVar(&c.CoAPort, "radius-coa-port", c.CoAPort, "UDP port of the NASes' Disconnect-Request listener, at each session's NAS-IP-Address (0: send none)")
	fs.DurationVar(&c.SessionTimeout, "radius-session-timeout", c.SessionTimeout, "close a session after this long without an accounting record (a lost Stop)")
}

// check validates the RADIUS flags.
func (c *radiusConfig) check() error {
	if (c.AcctAddr != "" || c.AuthAddr != "") && c.Secret == "" {
		return errors.New("serve: --radius-acct and --radius-auth need --radius-secret")
	}
	if c.CoAPort < 0 || c.CoAPort > 65535 {
		return errors.New("serve: --radius-coa-port must be 0-65535")
	}
	return nil
}

// startRADIUS registers the session sweep and starts the RADIUS listeners
// that were asked for.
func (m *Main) startRADIUS(ctx context.Context) error {
	c := &m.RADIUS
	if c.SessionTimeout <= 0 {
		c.SessionTimeout = service.DefaultSessionTimeout
	}
	if c.SweepEvery <= 0 {
		c.SweepEvery = min(c.SessionTimeout/4, 5*time.Minute)
	}
	m.Worker.Handlers[opencube.JobSessionSweep] = m.Services.SIMs.SweepSessions(c.SessionTimeout, c.SweepEvery)
	if c.AcctAddr == "" && c.AuthAddr == "" {
		return nil
	}
	if err := m.Services.SIMs.ScheduleSessionSweep(ctx, m.Clock.Now().Add(c.SweepEvery)); err != nil {
		return fmt.Errorf("schedule the session sweep: %w", err)
	}
	c.Server = radius.NewServer(m.Services.SIMs, c.Secret)
	c.Server.Clock = m.Clock
	c.Server.Logger = m.Logger
	c.Server.CoAPort = c.CoAPort
	c.Server.Locks = m.Services.Labels
	if c.CoAPort > 0 {
		m.Services.SIMRequests.Disconnect = c.Server // Cube v4 reset
		m.Services.SIMRequests.Logger = m.Logger
	}
	var err error
	if c.AcctAddr != "" {
		if c.acct, err = net.ListenPacket("udp", c.AcctAddr); err != nil {
			return fmt.Errorf("RADIUS accounting: %w", err)
		}
		srv, conn := c.Server, c.acct
		m.goLoop(nil, "RADIUS accounting", func() error { return srv.ServeAccounting(conn) })
		m.Logger.Info("RADIUS accounting serving", "addr", c.acct.LocalAddr().String())
	}
	if c.AuthAddr != "" {
		if c.auth, err = net.ListenPacket("udp", c.AuthAddr); err != nil {
			return fmt.Errorf("RADIUS authorization: %w", err)
		}
		srv, conn := c.Server, c.auth
		m.goLoop(nil, "RADIUS authorization", func() error { return srv.ServeAuth(conn) })
		m.Logger.Info("RADIUS authorization serving", "addr", c.auth.LocalAddr().String())
	}
	return nil
}

// AcctAddr is the RADIUS accounting listener's address, "" when off.
func (m *Main) AcctAddr() string {
	if m.RADIUS.acct == nil {
		return ""
	}
	return m.RADIUS.acct.LocalAddr().String()
}

// AuthAddr is the RADIUS authorization listener's address, "" when off.
func (m *Main) AuthAddr() string {
	if m.RADIUS.auth == nil {
		return ""
	}
	return m.RADIUS.auth.LocalAddr().String()
}

// stopRADIUS stops the RADIUS listeners, letting queued records commit.
func (m *Main) stopRADIUS() error {
	c := &m.RADIUS
	var errs []error
	if c.Server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		errs = append(errs, c.Server.Shutdown(ctx))
		c.Server = nil
	}
	for _, conn := range []net.PacketConn{c.acct, c.auth} {
		if conn != nil {
			conn.Close()
		}
	}
	return errors.Join(errs...)
}
