package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/opencube/opencube"
)

// SendJob is the opencube.JobSendSMS handler: it hands one queued MT
// message to the gateway and records the outcome.
//
// A hand-over is claimed before the gateway is called: the message's
// SubmittingAt is set and committed, then the gateway is called, then its
// acceptance is recorded (state sent, the gateway's id, and any follow-up
// job) in one transaction. What this gives:
//
//   - A message the gateway certainly did not take (opencube.ErrSMSNotSent: it was
//     down, refused the connection, answered 5xx) has SubmittingAt cleared
//     and is sent again after the worker's back-off, for as long as the
//     gateway is down, within the message's validity.
//   - A message whose hand-over may or may not have reached the gateway
//     (the node stopped during the call, the call timed out, the answer was
//     lost, or recording the acceptance failed) is never handed over again
//     at once: the job waits DoubtWindow from SubmittingAt for a delivery
//     report, which moves the message on (and so settles the doubt). Only
//     when none came is it sent again.
//
// A message of a disabled enterprise is not handed over: its job waits
// (HoldRecheck, or until the enterprise is enabled, which makes it due).
//
// So a message is handed over at most once whenever the gateway's answer
// was recorded, or the gateway reported on it within DoubtWindow; it is
// handed over at least once in every case (until it expires). A second
// copy can reach the device only if the gateway took the message, its
// answer was lost, and no delivery report came within DoubtWindow.
func (s *SMS) SendJob(ctx context.Context, j *opencube.Job) error {
	now := s.now()
	if s.Enterprises != nil {
		// Read before the hand-over's transaction, never in it: a
		// transaction that waits for another connection of the pool can
		// wait for ever once every connection is such a transaction's.
		if holdBy, err := s.heldBy(ctx, j.Key); err != nil || holdBy != "" {
			if opencube.ErrorKind(err) == opencube.KindSMSNotFound {
				return nil
			}
			if err != nil {
				return err
			}
			return held(now, "sms %s held: enterprise %s is disabled", j.Key, holdBy)
		}
	}
	var (
		m    *opencube.SMS
		wait time.Time
	)
	err := s.Store.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		m = nil
		got, err := tx.SMSByID(ctx, j.Key)
		if err != nil {
			return err
		}
		if got.State != opencube.SMSQueued {
			return nil // sent, reported or expired meanwhile
		}
		if got.SubmittingAt != nil {
			if until := got.SubmittingAt.Add(s.doubtWindow()); now.Before(until) {
				wait = until
				return nil
			}
		}
		got.SubmittingAt, got.UpdatedAt = &now, now
		got.Attempts++
		m = got
		return tx.SaveSMS(ctx, got)
	})
	if opencube.ErrorKind(err) == opencube.KindSMSNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !wait.IsZero() {
		return &RetryLater{At: wait, Err: fmt.Errorf("sms %s: an earlier hand-over may have reached the gateway; waiting for its report", j.Key)}
	}
	if m == nil {
		return nil
	}
	acc, serr := s.Gateway.Send(ctx, m)
	if serr != nil {
		return s.sendFailed(ctx, m, serr)
	}
	if acc == nil {
		acc = &opencube.SMSAcceptance{}
	}
	at := s.now()
	var moved opencube.SMSState
	err = s.Store.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		moved = ""
		got, err := tx.SMSByID(ctx, m.ID)
		if err != nil {
			return err
		}
		got.GatewayID, got.SubmittingAt, got.Error, got.UpdatedAt = acc.ID, nil, "", at
		if got.State == opencube.SMSQueued {
			got.State, got.SentAt = opencube.SMSSent, &at
			moved = got.State
		}
		if err := tx.SaveSMS(ctx, got); err != nil {
			return err
		}
		if acc.FollowUp != nil && !got.State.Final() {
			return tx.InsertJob(ctx, acc.FollowUp)
		}
		return nil
	})
	if err == nil {
		s.observe(opencube.SMSMT, moved)
	}
	return err
}

// sendFailed records a failed hand-over and says when to try again.
func (s *SMS) sendFailed(ctx context.Context, m *opencube.SMS, serr error) error {
	serr = s.fmtGateway(serr)
	now := s.now()
	var retry error
	var moved opencube.SMSState
	err := s.Store.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		retry, moved = nil, ""
		got, err := tx.SMSByID(ctx, m.ID)
		if err != nil {
			return err
		}
		got.Error, got.UpdatedAt = errorText(serr), now
		switch {
		case errors.Is(serr, opencube.ErrSMSRejected):
			if got.State.Final() {
				return nil
			}
			got.State, got.FailedAt, got.SubmittingAt = opencube.SMSFailed, &now, nil
			if err := tx.SaveSMS(ctx, got); err != nil {
				return err
			}
			moved = got.State
			return insertReport(ctx, tx, got, now)
		case errors.Is(serr, opencube.ErrSMSNotSent):
			got.SubmittingAt = nil
			retry = serr // the worker's back-off
		default:
			// Unknown outcome: keep SubmittingAt, wait for a report.
			retry = &RetryLater{At: m.SubmittingAt.Add(s.doubtWindow()), Err: serr}
		}
		return tx.SaveSMS(ctx, got)
	})
	if err != nil {
		return errors.Join(serr, err)
	}
	s.observe(opencube.SMSMT, moved)
	return retry
}

// heldBy returns the access code of the enterprise of message id when it
// is disabled, "" when it is served.
func (s *SMS) heldBy(ctx context.Context, id string) (string, error) {
	var code string
	err := s.Store.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		m, err := tx.SMSByID(ctx, id)
		if err != nil {
			return err
		}
		code = m.EnterpriseCode
		return errRead
	})
	if err != errRead {
		return "", err
	}
	e, err := s.Enterprises.FindEnterprise(ctx, code)
	if err != nil {
		return "", err
	}
	if e.Disabled() {
		return code, nil
	}
	return "", nil
}

// errRead ends a transaction that only read, writing nothing.
var errRead = errors.New("read only")
