package main

import (
	"flag"

	"github.com/opencube/opencube"

	"github.com/opencube/opencube/cubev4"
)

// v4Config is the Cube v4 REST API's settings.
type v4Config struct {
	// SignatureV1 accepts Signature v1 requests, which Linksfield
	// terminated.
	SignatureV1 bool
	// Rate, Concurrent and Daily are the per-source limits of the v4
	// routes (cubev4.Limits); 0 turns one off.
	Rate       float64
	Concurrent int
	Daily      int
}

// defaultV4 is the reference's limits.
func defaultV4() v4Config {
	d := cubev4.DefaultLimits()
	return v4Config{Rate: d.Rate.PerSecond, Concurrent: d.Concurrent, Daily: d.Daily}
}

// define adds the Cube v4 flags to fs.
func (c *v4Config) define(fs *flag.FlagSet) {
	fs.Float64Var(&c.Rate, "v4-ip-rate", c.Rate, "Cube v4 requests a second from one source address (IPv6: one /64) on this node; beyond, 429 CB-99-9429 (0: no limit)")
	fs.IntVar(&c.Concurrent, "v4-ip-concurrent", c.Concurrent, "Cube v4 requests at once from one source address on this node (0: no limit)")
	fs.IntVar(&c.Daily, "v4-ip-daily", c.Daily, "Cube v4 requests a UTC day from one source address on this node (0: no limit)")
	fs.BoolVar(&c.SignatureV1, "v4-signature-v1", c.SignatureV1, "accept Cube v4 requests signed with Signature v1 (terminated by Linksfield; off: they answer 403 CB-99-9403)")
}

// startCubeV4 makes the Cube v4 server over the services.
func (m *Main) startCubeV4() {
	s := cubev4.NewServer(m.Services.Keys, m.Services.Served, m.Services.SIMs, m.Services.Orders, m.Store)
	s.Clock, s.BusinessClock = m.realClock(), m.Clock
	s.SignatureV1 = m.V4.SignatureV1
	s.Logger = m.Logger
	s.Requests = m.Services.SIMRequests
	s.Renewals = m.Services.Renewals
	s.Labels = m.Services.Labels
	s.AddOns = m.Services.AddOns
	if m.SMS.Service != nil {
		s.SMS = m.SMS.Service
	}
	if c := m.V4; c.Rate > 0 || c.Concurrent > 0 || c.Daily > 0 {
		s.Limits = &cubev4.Limits{Rate: rate(c.Rate, 0), Concurrent: c.Concurrent, Daily: c.Daily, Now: m.realClock().Now}
		if m.Metrics != nil {
			s.Limits.Observe, s.Limits.InFlight = m.Metrics.CubeV4Limited, m.Metrics.CubeV4InFlight
		}
	}
	m.Worker.Handlers[opencube.JobSIMRequest] = m.Services.SIMRequests.Run
	m.CubeV4 = s
}
