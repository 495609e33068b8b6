package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/hlr"
	"github.com/opencube/opencube/service"
)

// hlrConfig holds the subscriber register's settings and parts of a Main.
type hlrConfig struct {
	// Register is the adapter: "osmo" (OsmoHLR), or empty: provisioning
	// off, no register jobs written.
	Register string
	// Ctrl is OsmoHLR's CTRL address; VTY its VTY's (to list subscribers;
	// empty: Ctrl's host, port 4258).
	Ctrl string
	VTY  string
	// Reconcile is how often the register is reconciled with the SIMs (0:
	// only on demand).
	Reconcile time.Duration
	// RequirePlan disables an active SIM's access while it has no usable
	// order (in use, or not enabled yet).
	RequirePlan bool
	// RetryMax bounds the wait before a change tries an unreachable
	// register again.
	RetryMax time.Duration

	// Wired at Run.
	Provisioner *service.Provisioner
	// Worker runs the register's jobs, apart from the other jobs so that
	// an unreachable register never holds them up.
	Worker *service.Worker
	osmo   *hlr.Osmo
}

// define adds the register's flags to fs.
func (c *hlrConfig) define(fs *flag.FlagSet) {
	if c.Reconcile == 0 && c.RetryMax == 0 && c.Register == "" {
		c.Reconcile, c.RetryMax = time.Hour, time.Minute
	}
	fs.StringVar(&c.Register, "hlr", c.Register, "subscriber register to provision SIMs in: osmo (OsmoHLR); empty: off")
	fs.StringVar(&c.Ctrl, "hlr-ctrl", c.Ctrl, "OsmoHLR's CTRL interface HOST:PORT (its port is 4259)")
	fs.StringVar(&c.VTY, "hlr-vty", c.VTY, "OsmoHLR's VTY HOST:PORT, to list subscribers for reconciliation (default: --hlr-ctrl's host, port 4258)")
	fs.DurationVar(&c.Reconcile, "hlr-reconcile", c.Reconcile, "how often to reconcile the register with the SIMs (0: only on demand)")
	fs.BoolVar(&c.RequirePlan, "hlr-require-plan", c.RequirePlan, "disable an active SIM's network access while it has no usable order (in use, or not enabled yet)")
	fs.DurationVar(&c.RetryMax, "hlr-retry-max", c.RetryMax, "longest wait before a change tries an unreachable register again")
}

// check refuses inconsistent register flags.
func (c *hlrConfig) check() error {
	switch c.Register {
	case "":
		return nil
	case "osmo":
		if c.Ctrl == "" {
			return usageError{cmd: "serve", err: errors.New("--hlr osmo needs --hlr-ctrl HOST:PORT (OsmoHLR's CTRL interface)")}
		}
		return nil
	}
	return usageError{cmd: "serve", err: fmt.Errorf("--hlr must be osmo or empty, not %q", c.Register)}
}

// startHLR wires the register's provisioning when --hlr is set: the SIM
// services write its jobs, a worker of its own runs them, and the periodic
// reconciliation is scheduled.
func (m *Main) startHLR(ctx context.Context) error {
	c := &m.HLR
	if err := c.check(); err != nil {
		return err
	}
	if c.Register == "" {
		return nil
	}
	c.osmo = hlr.NewOsmo(c.Ctrl)
	c.osmo.VTY = c.VTY
	jobs := &service.HLRJobs{Clock: m.Clock, RequirePlan: c.RequirePlan}
	m.Services.SIMs.HLR, m.Services.Admin.HLR, m.Services.Corrections.HLR, m.Services.Orders.HLR = jobs, jobs, jobs, jobs
	// The provisioner's own writes wake no loop: m.Store, not m.writes.
	p := &service.Provisioner{Store: m.Store, Register: c.osmo, Name: c.Register, Clock: m.Clock,
		RequirePlan: c.RequirePlan, MaxBackoff: c.RetryMax, Logger: m.Logger}
	if m.Metrics != nil {
		p.Observe, p.OnReconcile = m.Metrics.HLRProvision, m.Metrics.HLRReconciled
	}
	c.Provisioner = p
	w := service.NewWorker(m.Store, m.Clock, m.Owner)
	w.Lease, w.Logger = nodeLease, m.Logger
	w.Concurrency, w.Batch = 2, 16
	w.Handlers[opencube.JobHLRSync] = p.Sync
	w.Handlers[opencube.JobHLRDelete] = p.Delete
	if c.Reconcile > 0 {
		w.Handlers[opencube.JobHLRReconcile] = p.ReconcileJob(c.Reconcile)
		pending, err := m.Store.FindJobs(ctx, opencube.JobHLRReconcile)
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			if err := p.ScheduleReconcile(ctx, m.Clock.Now().Add(c.Reconcile)); err != nil {
				return fmt.Errorf("schedule the register's reconciliation: %w", err)
			}
		}
	}
	if m.Metrics != nil {
		w.Observe = m.Metrics.JobRun
	}
	c.Worker = w
	return nil
}

// runHLR starts the register's job loop beside the other background loops.
func (m *Main) runHLR(ctx context.Context, wg *sync.WaitGroup) {
	if m.JobInterval <= 0 || m.HLR.Worker == nil {
		return
	}
	m.goLoop(wg, "register jobs", func() error {
		m.HLR.Worker.Run(ctx, m.JobInterval)
		return nil
	})
}
