package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/hlr"
	"github.com/opencube/opencube/operator"
)

// HLRJobs writes the subscriber register's jobs a SIM change causes, in the
// change's transaction. A nil *HLRJobs writes none: provisioning is off.
type HLRJobs struct {
	Clock opencube.Clock
	// RequirePlan says a SIM's access follows its orders
	// (Provisioner.RequirePlan): order changes write jobs too.
	RequirePlan bool
}

// orderMoved writes, in tx, the JobHLRSync of an order's SIM when access
// follows the orders.
func (h *HLRJobs) orderMoved(ctx context.Context, tx opencube.OrderTx, o *opencube.Order) error {
	if h == nil || !h.RequirePlan {
		return nil
	}
	return h.sync(ctx, tx, o.ICCID)
}

// SyncJob is the job that makes the register's subscriber of the SIM iccid
// match its state.
func (h *HLRJobs) SyncJob(iccid string) *opencube.Job {
	return &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobHLRSync, Key: iccid, RunAt: h.Clock.Now()}
}

// sync writes the SIM's JobHLRSync in tx.
func (h *HLRJobs) sync(ctx context.Context, tx opencube.OrderTx, iccid string) error {
	if h == nil {
		return nil
	}
	return tx.InsertJob(ctx, h.SyncJob(iccid))
}

// deleteIMSI writes, in tx, the JobHLRDelete of a subscriber no SIM holds
// any more.
func (h *HLRJobs) deleteIMSI(ctx context.Context, tx opencube.OrderTx, imsi string) error {
	if h == nil {
		return nil
	}
	return tx.InsertJob(ctx, &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobHLRDelete, Key: imsi, RunAt: h.Clock.Now()})
}

// ProvisionerStore is what Provisioner reads and writes.
type ProvisionerStore interface {
	opencube.UsageStore
	operator.ProvisionStore
	operator.JobStore
	operator.AuditStore
}

// Provisioner takes the SIMs' states to the subscriber register: it runs
// the register's jobs and reconciles the SIMs with the register.
//
// What a SIM's state makes of its subscriber: inventory, created with its
// MSISDN and authentication data, access disabled; active, CS and PS
// enabled (with RequirePlan, only while it has a usable order); suspended,
// both disabled; terminated, deleted.
type Provisioner struct {
	Store    ProvisionerStore
	Register hlr.Register
	// Name names the register's adapter ("osmo"), for the status.
	Name  string
	Clock opencube.Clock
	// RequirePlan disables the access of an active SIM without a usable
	// order (in use, or not enabled yet); HLRJobs.RequirePlan must say the
	// same, so that order changes write jobs.
	RequirePlan bool
	// MaxBackoff bounds the wait before a job tries an unreachable
	// register again (0: a minute).
	MaxBackoff time.Duration
	Logger     *slog.Logger
	// Observe, when set, is told the outcome of each sync: provisioned,
	// failed or retry (metrics).
	Observe func(outcome string)
	// OnReconcile, when set, is told each reconciliation's report
	// (metrics).
	OnReconcile func(*operator.HLRReport)
}

func (p *Provisioner) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}

func (p *Provisioner) observe(outcome string) {
	if p.Observe != nil {
		p.Observe(outcome)
	}
}

// retryAt is when a job that found the register unreachable after
// attempts attempts runs again.
func (p *Provisioner) retryAt(attempts int) time.Time {
	most := p.MaxBackoff
	if most <= 0 {
		most = time.Minute
	}
	d := min(time.Duration(1<<min(attempts, 12))*time.Second/2, most)
	return p.Clock.Now().Add(d)
}

// simState reads a SIM and whether it has a usable order: one in use, or
// one not enabled yet (it may start on the SIM's first attach).
func (p *Provisioner) simState(ctx context.Context, iccid string) (*opencube.SIM, bool, error) {
	var (
		sim   *opencube.SIM
		inUse bool
	)
	err := p.Store.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
		var err error
		if sim, err = tx.SIMByICCID(ctx, iccid); err != nil {
			return err
		}
		if !p.RequirePlan {
			return nil
		}
		o, err := tx.ActiveOrder(ctx, iccid)
		if err != nil {
			return err
		}
		if o != nil {
			inUse = o.Status == opencube.OrderInUse
			return nil
		}
		next, err := tx.NextOrder(ctx, iccid)
		inUse = next != nil
		return err
	})
	return sim, inUse, err
}

// access is whether a SIM's subscriber may attach.
func (p *Provisioner) access(sim *opencube.SIM, inUse bool) bool {
	return sim.Status == opencube.SIMActive && (inUse || !p.RequirePlan)
}

// Sync runs a JobHLRSync: the register's subscriber of the SIM (the key)
// is made to match the SIM's state. An unreachable register makes it run
// again later; a refused command marks the SIM's provisioning failed with
// the register's answer.
func (p *Provisioner) Sync(ctx context.Context, j *opencube.Job) error {
	sim, inUse, err := p.simState(ctx, j.Key)
	if opencube.ErrorKind(err) == opencube.KindDeviceNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	// After an IMSI change, the old subscriber goes first: it holds the
	// MSISDN, which the register gives one subscriber only.
	prev, err := p.Store.Provisioning(ctx, sim.ICCID)
	if err != nil {
		return err
	}
	if prev != nil && prev.IMSI != "" && prev.IMSI != sim.IMSI {
		if err := p.Register.Delete(ctx, prev.IMSI); err != nil && !errors.Is(err, hlr.ErrNotFound) {
			return p.outcome(ctx, sim, err, j.Attempts)
		}
	}
	_, err = p.apply(ctx, sim, inUse, nil)
	return p.outcome(ctx, sim, err, j.Attempts)
}

// drift is what apply found different.
type drift int

const (
	inStep drift = iota
	missing
	drifted
	stale
)

// apply makes the register's subscriber of sim match its state; sub is
// the register's record when known (nil: read it).
func (p *Provisioner) apply(ctx context.Context, sim *opencube.SIM, inUse bool, sub *hlr.Subscriber) (drift, error) {
	if sim.Status == opencube.SIMTerminated {
		err := p.Register.Delete(ctx, sim.IMSI)
		if errors.Is(err, hlr.ErrNotFound) {
			return inStep, nil
		}
		return stale, err
	}
	d := inStep
	if sub == nil {
		var err error
		sub, err = p.Register.Subscriber(ctx, sim.IMSI)
		if err != nil && !errors.Is(err, hlr.ErrNotFound) {
			return d, err
		}
	}
	created := sub == nil
	if created {
		d = missing
		if err := p.Register.Create(ctx, sim.IMSI); err != nil && !errors.Is(err, hlr.ErrExists) {
			return d, err
		}
		auth, err := p.Store.SIMAuth(ctx, sim.ICCID)
		if err != nil {
			return d, err
		}
		if auth != nil {
			if err := p.Register.SetAuth(ctx, sim.IMSI, auth); err != nil {
				return d, err
			}
		}
		sub = &hlr.Subscriber{IMSI: sim.IMSI}
	}
	if created || sub.MSISDN != sim.MSISDN {
		if d == inStep {
			d = drifted
		}
		if err := p.Register.SetMSISDN(ctx, sim.IMSI, sim.MSISDN); err != nil {
			return d, err
		}
	}
	want := p.access(sim, inUse)
	if created || sub.CS != want || sub.PS != want {
		if d == inStep {
			d = drifted
		}
		if err := p.Register.SetAccess(ctx, sim.IMSI, want, want); err != nil {
			return d, err
		}
	}
	return d, nil
}

// outcome records what taking sim to the register came to, and returns the
// job's error: a RetryLater while the register is unreachable.
func (p *Provisioner) outcome(ctx context.Context, sim *opencube.SIM, err error, attempts int) error {
	now := p.Clock.Now()
	if r, ok := hlr.IsRefused(err); ok {
		p.observe("failed")
		p.logger().Error("the register refused a SIM's provisioning", "iccid", sim.ICCID, "imsi", sim.IMSI, "command", r.Command, "answer", r.Answer)
		data, _ := json.Marshal(map[string]string{"imsi": sim.IMSI, "command": r.Command, "answer": r.Answer}) // strings always encode
		alert := &opencube.Event{ID: opencube.NewUUID(), EnterpriseCode: sim.EnterpriseCode, Type: opencube.EventSIMProvisioning,
			ICCID: sim.ICCID, IMSI: sim.IMSI, CreatedAt: now, Data: string(data)}
		return p.Store.SetProvisioning(ctx, &operator.Provisioning{ICCID: sim.ICCID, State: operator.ProvisionFailed, IMSI: sim.IMSI,
			LastError: r.Error(), UpdatedAt: now}, alert)
	}
	if err != nil {
		p.observe("retry")
		return &RetryLater{At: p.retryAt(attempts), Err: err}
	}
	p.observe("provisioned")
	return p.Store.SetProvisioning(ctx, &operator.Provisioning{ICCID: sim.ICCID, State: operator.ProvisionDone, IMSI: sim.IMSI, UpdatedAt: now}, nil)
}

// Delete runs a JobHLRDelete: the subscriber (the key, an IMSI) is deleted
// unless a SIM that is not terminated holds its IMSI again.
func (p *Provisioner) Delete(ctx context.Context, j *opencube.Job) error {
	sub, err := p.Store.FindSubscriber(ctx, j.Key)
	switch {
	case err == nil && sub.SIM.Status != opencube.SIMTerminated:
		return nil
	case err != nil && opencube.ErrorKind(err) != opencube.KindDeviceNotFound:
		return err
	}
	err = p.Register.Delete(ctx, j.Key)
	if err == nil || errors.Is(err, hlr.ErrNotFound) {
		return nil
	}
	if r, ok := hlr.IsRefused(err); ok {
		p.logger().Error("the register refused a deletion", "imsi", j.Key, "answer", r.Answer)
		return nil
	}
	return &RetryLater{At: p.retryAt(j.Attempts), Err: err}
}

// Status is the register's standing: pending and failed SIMs and the last
// reconciliation.
func (p *Provisioner) Status(ctx context.Context) (*operator.HLRStatus, error) {
	st := &operator.HLRStatus{Register: p.Name}
	var err error
	if st.Pending, st.Failed, err = p.Store.ProvisionCounts(ctx); err != nil {
		return nil, err
	}
	if st.Last, err = p.Store.LastHLRReport(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// reconcileBatch is how many SIMs a reconciliation reads at once.
const reconcileBatch = 500

// Reconcile compares every SIM with the register's subscribers, repairs
// what differs (a subscriber deleted or changed by hand, a terminated
// SIM's subscriber left), keeps the report as the last one, and writes a
// line of it to the audit trail. An unreachable register stops it: the
// report says so in Error.
func (p *Provisioner) Reconcile(ctx context.Context, trigger string) (*operator.HLRReport, error) {
	// An operator's request carries its audit entry: it is written with
	// the report, naming what the run found; the repairs carry none.
	audit := operator.AuditFrom(ctx)
	work := operator.WithAudit(ctx, nil)
	r := &operator.HLRReport{Trigger: trigger, StartedAt: p.Clock.Now(),
		Missing: []string{}, Drifted: []string{}, Stale: []string{}, Unknown: []string{}, Failed: []string{}}
	if err := p.reconcile(work, r); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		r.Error = err.Error()
	}
	r.FinishedAt = p.Clock.Now()
	summary := fmt.Sprintf("reconciled %d SIMs with %d subscribers: %d missing, %d drifted, %d stale, %d unknown; %d repaired, %d failed",
		r.SIMs, r.Subscribers, r.MissingCount, r.DriftedCount, r.StaleCount, r.UnknownCount, r.Repaired, r.FailedCount)
	if r.Error != "" {
		summary += "; stopped: " + r.Error
	}
	if audit != nil {
		audit.Object, audit.Summary = "hlr:reconcile", summary
		if err := p.Store.SaveHLRReport(ctx, r); err != nil {
			return nil, err
		}
	} else {
		if err := p.Store.SaveHLRReport(work, r); err != nil {
			return nil, err
		}
		if err := p.Store.AppendAudit(work, &operator.AuditEntry{At: r.FinishedAt, Actor: "system", ActorKind: "system",
			Route: "hlr reconcile (" + trigger + ")", Object: "hlr:reconcile", Summary: summary}); err != nil {
			p.logger().Warn("audit a reconciliation", "err", err)
		}
	}
	if p.OnReconcile != nil {
		p.OnReconcile(r)
	}
	p.logger().Info("hlr reconciliation", "trigger", trigger, "summary", summary)
	return r, nil
}

func note(list *[]string, count *int, item string) {
	*count++
	if len(*list) < operator.ReportListMax {
		*list = append(*list, item)
	}
}

func (p *Provisioner) reconcile(ctx context.Context, r *operator.HLRReport) error {
	subs, err := p.Register.Subscribers(ctx)
	if err != nil {
		return err
	}
	r.Subscribers = len(subs)
	byIMSI := make(map[string]*hlr.Subscriber, len(subs))
	for _, s := range subs {
		byIMSI[s.IMSI] = s
	}
	seen := make(map[string]bool, len(subs))
	for after := ""; ; {
		sims, err := p.Store.ProvisionSIMs(ctx, after, reconcileBatch)
		if err != nil {
			return err
		}
		if len(sims) == 0 {
			break
		}
		after = sims[len(sims)-1].ICCID
		for _, sim := range sims {
			r.SIMs++
			seen[sim.IMSI] = true
			sub := byIMSI[sim.IMSI]
			if sim.Status == opencube.SIMTerminated && sub == nil {
				continue
			}
			inUse := false
			if p.RequirePlan && sim.Status == opencube.SIMActive {
				if _, inUse, err = p.simState(ctx, sim.ICCID); err != nil {
					return err
				}
			}
			if sub != nil && sim.Status != opencube.SIMTerminated {
				want := p.access(sim, inUse)
				if sub.MSISDN == sim.MSISDN && sub.CS == want && sub.PS == want {
					continue
				}
			}
			var d drift
			if sub == nil {
				d, err = p.apply(ctx, sim, inUse, nil)
			} else {
				d, err = p.apply(ctx, sim, inUse, sub)
			}
			switch d {
			case missing:
				note(&r.Missing, &r.MissingCount, sim.ICCID)
			case drifted:
				note(&r.Drifted, &r.DriftedCount, sim.ICCID)
			case stale:
				note(&r.Stale, &r.StaleCount, sim.IMSI)
			}
			if _, ok := hlr.IsRefused(err); ok {
				note(&r.Failed, &r.FailedCount, sim.ICCID+": "+err.Error())
				if err := p.outcome(ctx, sim, err, 0); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			r.Repaired++
			if err := p.outcome(ctx, sim, nil, 0); err != nil {
				return err
			}
		}
	}
	for _, s := range subs {
		if !seen[s.IMSI] {
			note(&r.Unknown, &r.UnknownCount, s.IMSI)
		}
	}
	return nil
}

// ReconcileJob runs a scheduled JobHLRReconcile and schedules the next
// one every interval.
func (p *Provisioner) ReconcileJob(interval time.Duration) JobHandler {
	return func(ctx context.Context, j *opencube.Job) error {
		if _, err := p.Reconcile(ctx, "schedule"); err != nil {
			return err
		}
		return p.ScheduleReconcile(ctx, p.Clock.Now().Add(interval))
	}
}

// ScheduleReconcile makes the periodic reconciliation due at at.
func (p *Provisioner) ScheduleReconcile(ctx context.Context, at time.Time) error {
	return p.Store.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
		return tx.InsertJob(ctx, &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobHLRReconcile, Key: "periodic", RunAt: at})
	})
}
