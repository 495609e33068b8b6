package main

import "github.com/opencube/opencube"

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
