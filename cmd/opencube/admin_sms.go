package main

import (
	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
)

// smsMO injects an MO message from a SIM, as the sandbox device.
func (c *adminCLI) smsMO(args []string) error {
	fs := c.flags("sms mo")
	binary := fs.Bool("binary", false, "TEXT is binary content in hex")
	if err := parse(fs, args, 2); err != nil {
		return err
	}
	r := opencube.MORequest{From: fs.Arg(0), Content: fs.Arg(1)}
	if *binary {
		r.Type = opencube.SMSBinary
	}
	m, err := c.admin.ReceiveMO(c.ctx, r)
	if err != nil {
		return err
	}
	return c.print(m, "MO message %s from SIM %s (%s, %d segment(s))", m.ID, m.ICCID, m.Encoding, m.Segments)
}

// smsSandbox sets the sandbox SMS device's failure modes.
func (c *adminCLI) smsSandbox(args []string) error {
	fs := c.flags("sms sandbox")
	down := fs.Bool("down", false, "hand-overs to the device fail (messages stay queued and are retried)")
	fail := fs.Bool("fail-deliveries", false, "the device reports the messages it takes as failed")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	g, err := c.admin.SetSandboxGateway(c.ctx, admin.SandboxGateway{Down: *down, FailDeliveries: *fail})
	if err != nil {
		return err
	}
	return c.print(g, "sandbox SMS device: down=%v fail-deliveries=%v", g.Down, g.FailDeliveries)
}
