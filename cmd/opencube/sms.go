package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sms"
)

// smsConfig holds the SMS settings and parts of a Main.
type smsConfig struct {
	// Gateway is "sandbox" (the sandbox device) or "kannel"; empty, it is
	// the sandbox device in sandbox mode (--sandbox, --demo) and refused
	// outside it (Main.chooseSMSGateway).
	Gateway string
	// KannelURL is the smsbox's sendsms URL.
	KannelURL      string
	KannelUser     string
	KannelPassword string
	KannelFrom     string
	// CallbackToken authenticates Kannel's calls to /kannel/dlr and
	// /kannel/mo.
	CallbackToken string
	// PublicURL is how Kannel reaches opencube; http:// (https:// with
	// TLS) and --addr when empty.
	PublicURL    string
	MaxSegments  int
	DailyLimit   int
	SandboxDelay time.Duration
	// Concurrency bounds the hand-overs in flight on this node.
	Concurrency int

	// Wired at Run.
	Service *service.SMS
	// Worker runs the SMS jobs, apart from the order jobs so that a slow
	// gateway never holds them up; every --job-interval (0: tests run it).
	Worker  *service.Worker
	Sandbox *sms.Sandbox // the sandbox device, nil with Kannel
	Kannel  *sms.Kannel  // the Kannel gateway, nil with the sandbox
}

// defaultSMS is the SMS settings of NewMain.
func defaultSMS() smsConfig {
	return smsConfig{
		MaxSegments: service.DefaultMaxSegments, DailyLimit: service.DefaultDailyLimit,
		SandboxDelay: sms.DefaultSandboxDelay, Concurrency: 8,
	}
}

// define adds the SMS flags to fs.
func (c *smsConfig) define(fs *flag.FlagSet) {
	if *c == (smsConfig{}) {
		*c = defaultSMS()
	}
	fs.StringVar(&c.Gateway, "sms-gateway", c.Gateway, "SMS gateway: kannel, or sandbox (a simulated device); required but with --sandbox or --demo, where sandbox is the default")
	fs.StringVar(&c.KannelURL, "kannel-url", c.KannelURL, "Kannel smsbox sendsms URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms")
	fs.StringVar(&c.KannelUser, "kannel-user", c.KannelUser, "Kannel sendsms-user username")
	fs.StringVar(&c.KannelPassword, "kannel-password", c.KannelPassword, "Kannel sendsms-user password")
	fs.StringVar(&c.KannelFrom, "kannel-from", c.KannelFrom, "sender number of MT messages (empty: Kannel's default)")
	fs.StringVar(&c.CallbackToken, "kannel-callback-token", c.CallbackToken, "token Kannel puts in its dlr-url and MO get-url calls to opencube (16+ of A-Z a-z 0-9 _ . -)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "base URL at which Kannel reaches opencube (default http:// and --addr; https:// with --tls-cert)")
	fs.IntVar(&c.MaxSegments, "sms-max-segments", c.MaxSegments, "most segments an MT message may take")
	fs.IntVar(&c.DailyLimit, "sms-daily-limit", c.DailyLimit, "most MT messages a SIM may be sent a (UTC+8) day")
	fs.IntVar(&c.Concurrency, "sms-concurrency", c.Concurrency, "SMS hand-overs to the gateway in flight at once on this node")
	fs.DurationVar(&c.SandboxDelay, "sms-sandbox-delay", c.SandboxDelay, "how long the sandbox device takes to deliver an MT message")
}

// errNoSMSGateway refuses a server outside sandbox mode that was not told
// which SMS gateway to use: the sandbox device would report messages as
// delivered that never left.
var errNoSMSGateway = usageError{cmd: "serve", err: errors.New("choose the SMS gateway with --sms-gateway kannel|sandbox " +
	"(kannel: real messages through Kannel; sandbox: a simulated device, the default only with --sandbox or --demo)")}

// chooseSMSGateway settles the SMS gateway: the one named by
// --sms-gateway, else the sandbox device in sandbox mode; outside it a
// gateway must be named (errNoSMSGateway).
func (m *Main) chooseSMSGateway() error {
	if m.SMS.Gateway != "" {
		return nil
	}
	if !m.Demo && !m.Notify.Sandbox {
		return errNoSMSGateway
	}
	m.SMS.Gateway = "sandbox"
	return nil
}

// check validates the SMS flags.
func (c *smsConfig) check() error {
	switch c.Gateway {
	case "sandbox":
	case "kannel":
		if c.KannelURL == "" {
			return errors.New("serve: --sms-gateway kannel needs --kannel-url")
		}
		if !sms.ValidToken(c.CallbackToken) {
			return errors.New("serve: --sms-gateway kannel needs --kannel-callback-token of 16 or more of A-Z a-z 0-9 _ . -")
		}
	default:
		return fmt.Errorf("serve: --sms-gateway must be sandbox or kannel, not %q", c.Gateway)
	}
	if c.MaxSegments < 1 || c.DailyLimit < 1 || c.Concurrency < 1 {
		return errors.New("serve: --sms-max-segments, --sms-daily-limit and --sms-concurrency must be at least 1")
	}
	return nil
}

// startSMS wires the SMS service, its gateway and its jobs; it runs once
// the CSSS server exists.
func (m *Main) startSMS() {
	c := &m.SMS
	var gw opencube.SMSGateway
	if c.Gateway == "kannel" {
		public := c.PublicURL
		if public == "" {
			public = "http://" + m.Addr
			if m.Listen.TLSCert != "" {
				public = "https://" + m.Addr
			}
		}
		c.Kannel = &sms.Kannel{
			URL: c.KannelURL, User: c.KannelUser, Password: c.KannelPassword, From: c.KannelFrom,
			CallbackURL: public, Token: c.CallbackToken, Client: &http.Client{Timeout: 10 * time.Second},
		}
		gw = c.Kannel
	} else {
		c.Sandbox = sms.NewSandbox(m.Clock)
		c.Sandbox.Delay = c.SandboxDelay
		gw = c.Sandbox
	}
	// The services' store wakes the delivery loop when a transaction commits.
	c.Service = service.NewSMS(m.writes, m.Clock, gw)
	c.Service.MaxSegments, c.Service.DailyLimit = c.MaxSegments, c.DailyLimit
	c.Service.Logger = m.Logger
	// A disabled enterprise's messages wait in the queue.
	c.Service.Enterprises = m.Store
	c.Worker = service.NewWorker(m.Store, m.Clock, m.Owner)
	c.Worker.Lease = nodeLease
	c.Worker.Logger = m.Logger
	c.Worker.Concurrency = max(c.Concurrency, 1)
	c.Worker.Batch = c.Worker.Concurrency
	c.Worker.Handlers = c.Service.Handlers()
	if m.Notify.sandbox != nil {
		m.Notify.sandbox.workers = append(m.Notify.sandbox.workers, c.Worker)
	}
	m.CSSS.SMS = c.Service
}

// runSMS starts the SMS job loop beside the other background loops.
func (m *Main) runSMS(ctx context.Context, wg *sync.WaitGroup) {
	if m.JobInterval <= 0 || m.SMS.Worker == nil {
		return
	}
	m.goLoop(wg, "SMS jobs", func() error {
		m.SMS.Worker.Run(ctx, m.JobInterval)
		return nil
	})
}

// mountSMS serves Kannel's callbacks (delivery reports and MO messages).
func (m *Main) mountSMS(mux *http.ServeMux) {
	if m.SMS.Kannel == nil {
		return
	}
	cb := &sms.Callbacks{Receiver: m.SMS.Service, Token: m.SMS.CallbackToken, Logger: m.Logger}
	mux.Handle(sms.KannelDLRPath, cb)
	mux.Handle(sms.KannelMOPath, cb)
}

// smsAdmin is the admin API's view of SMS: the service's MO injection and
// the sandbox device's failure modes.
type smsAdmin struct {
	*service.SMS
	sandbox *sms.Sandbox
}

// SetSandboxGateway implements admin.SMSAdmin.
func (a smsAdmin) SetSandboxGateway(_ context.Context, g admin.SandboxGateway) (*admin.SandboxGateway, error) {
	if a.sandbox == nil {
		return nil, opencube.Errorf(opencube.KindNotFound, "the SMS gateway is not the sandbox device")
	}
	a.sandbox.SetDown(g.Down)
	a.sandbox.SetFailDeliveries(g.FailDeliveries)
	down, fail := a.sandbox.State()
	return &admin.SandboxGateway{Down: down, FailDeliveries: fail}, nil
}
