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
}

// define adds the Cube v4 flags to fs.
func (c *v4Config) define(fs *flag.FlagSet) {
	fs.BoolVar(&c.SignatureV1, "v4-signature-v1", c.SignatureV1, "accept Cube v4 requests signed with Signature v1 (terminated by Linksfield; off: they answer 403 CB-99-9403)")
}

// startCubeV4 makes the Cube v4 server over the services.
func (m *Main) startCubeV4() {
	s := cubev4.NewServer(m.Services.Keys, m.Services.Served, m.Services.SIMs, m.Services.Orders, m.Store)
	s.Clock, s.BusinessClock = m.realClock(), m.Clock
	s.SignatureV1 = m.V4.SignatureV1
	s.Logger = m.Logger
	s.Requests = m.Services.SIMRequests
	m.Worker.Handlers[opencube.JobSIMRequest] = m.Services.SIMRequests.Run
	m.CubeV4 = s
}
