package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/opencube/opencube"
)

func (c *adminCLI) simActivate(args []string) error  { return c.simMove(opencube.SIMActivate, args) }
func (c *adminCLI) simSuspend(args []string) error   { return c.simMove(opencube.SIMSuspend, args) }
func (c *adminCLI) simTerminate(args []string) error { return c.simMove(opencube.SIMTerminate, args) }

// simMove runs `opencube admin sim MOVE ICCID`.
func (c *adminCLI) simMove(move opencube.SIMMove, args []string) error {
	fs := c.flags("sim " + string(move))
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	sim, err := c.admin.MoveSIM(c.ctx, fs.Arg(0), move)
	if err != nil {
		return err
	}
	return c.print(sim, "SIM %s is %s", sim.ICCID, sim.Status)
}

// simIMSI runs `opencube admin sim imsi ICCID IMSI`.
func (c *adminCLI) simIMSI(args []string) error {
	fs := c.flags("sim imsi")
	if err := parse(fs, args, 2); err != nil {
		return err
	}
	o, err := c.admin.DownloadIMSI(c.ctx, fs.Arg(0), fs.Arg(1))
	if err != nil {
		return err
	}
	return c.print(o, "SIM %s has IMSI %s; order %s notified (1012)", o.ICCID, o.IMSI, o.ID)
}

// orderReduce runs `opencube admin order reduce ORDER_ID PERIODS`.
func (c *adminCLI) orderReduce(args []string) error {
	fs := c.flags("order reduce")
	if err := parse(fs, args, 2); err != nil {
		return err
	}
	periods, err := strconv.Atoi(fs.Arg(1))
	if err != nil {
		return fmt.Errorf("order reduce: PERIODS %q is not a whole number", fs.Arg(1))
	}
	o, err := c.admin.ReduceOrder(c.ctx, fs.Arg(0), periods)
	if err != nil {
		return err
	}
	expiry := "not started"
	if o.ExpiresAt != nil {
		expiry = "expires " + o.ExpiresAt.In(opencube.BusinessZone).Format(time.DateTime)
	}
	return c.print(o, "order %s has %d period(s), %s; notified (1010)", o.ID, o.Periods(), expiry)
}
