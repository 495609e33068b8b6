package radius

import (
	"strings"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2866"

	"github.com/opencube/opencube"
)

// Observer is told what a Server does, for metrics. Its label values come
// from the fixed sets below, never from a packet. Its methods must be
// quick and safe for concurrent use.
type Observer interface {
	// Record counts one Accounting-Request: its type (Type*) and outcome
	// (Outcome*).
	Record(typ, outcome string)
	// Batch counts one batch of records booked in one store transaction,
	// and how long the booking took, commit included.
	Batch(records int, took time.Duration)
	// Access counts one Access-Request: its result (Result*) and reason
	// (Reason*).
	Access(result, reason string)
	// Disconnect counts one Disconnect-Request exchange: acknowledged by
	// the NAS, or not (refused, timed out, unreachable).
	Disconnect(acked bool)
}

// Accounting-Request types (Observer.Record).
const (
	TypeStart   = "start"
	TypeInterim = "interim"
	TypeStop    = "stop"
	TypeOther   = "other" // Accounting-On and -Off, unknown types
)

// Accounting-Request outcomes (Observer.Record).
const (
	OutcomeBooked     = "booked"      // usage booked (possibly none: a Start, an idle interim)
	OutcomeDuplicate  = "duplicate"   // nothing new: a retransmission, or a record overtaken by a later one
	OutcomeUnknownSIM = "unknown_sim" // no SIM has the IMSI: acknowledged and dropped
	OutcomeDropped    = "dropped"     // unreadable or out of bounds: not acknowledged
	OutcomeFailed     = "failed"      // the store failed: not acknowledged, so the NAS retransmits
	OutcomeIgnored    = "ignored"     // Accounting-On/Off: acknowledged, nothing to book
)

// Access-Request results (Observer.Access).
const (
	ResultAccept = "accept"
	ResultReject = "reject"
	ResultError  = "error" // the store failed: no answer, the NAS retries
)

// Access-Request reasons (Observer.Access): why a request was accepted or
// rejected.
const (
	ReasonFullSpeed     = "full_speed"     // accepted: volume left
	ReasonThrottled     = "throttled"      // accepted at the throttled speed of an unlimited daily plan
	ReasonNoIMSI        = "no_imsi"        // the request names no SIM
	ReasonUnknownSIM    = "unknown_sim"    // no SIM has the IMSI
	ReasonSIMState      = "sim_state"      // the SIM is not active
	ReasonNoPlan        = "no_plan"        // no plan in use
	ReasonPlanSuspended = "plan_suspended" // the plan is suspended
	ReasonPlanExpired   = "plan_expired"   // the plan has expired
	ReasonQuota         = "quota_used_up"  // the plan's volume is used up
	ReasonLocked        = "locked"         // the SIM is locked to another device or network
	ReasonStore         = "store"          // the store failed
	ReasonOther         = "other"          // a reason this list does not know
)

// packetType is the Observer type of an Accounting-Request.
func packetType(p *radius.Packet) string {
	switch rfc2866.AcctStatusType_Get(p) {
	case rfc2866.AcctStatusType_Value_Start:
		return TypeStart
	case rfc2866.AcctStatusType_Value_InterimUpdate:
		return TypeInterim
	case rfc2866.AcctStatusType_Value_Stop:
		return TypeStop
	}
	return TypeOther
}

// bookOutcome is the Observer outcome of a booked record.
func bookOutcome(res opencube.BookResult) string {
	switch {
	case res.Unknown:
		return OutcomeUnknownSIM
	case res.Duplicate:
		return OutcomeDuplicate
	}
	return OutcomeBooked
}

// accessReason is the Observer result and reason of a decision, from its
// Reply-Message (opencube.Reject*).
func accessReason(d *opencube.AuthDecision) (result, reason string) {
	if d.Accept {
		if d.ThrottleKbps > 0 {
			return ResultAccept, ReasonThrottled
		}
		return ResultAccept, ReasonFullSpeed
	}
	switch r := d.Reason; {
	case r == reasonNoIMSI:
		return ResultReject, ReasonNoIMSI
	case r == opencube.RejectUnknownSIM:
		return ResultReject, ReasonUnknownSIM
	case strings.HasPrefix(r, opencube.RejectSIMState):
		return ResultReject, ReasonSIMState
	case r == opencube.RejectNoPlan:
		return ResultReject, ReasonNoPlan
	case r == opencube.RejectPlanSuspended:
		return ResultReject, ReasonPlanSuspended
	case r == opencube.RejectPlanExpired:
		return ResultReject, ReasonPlanExpired
	case r == opencube.RejectQuota:
		return ResultReject, ReasonQuota
	case strings.HasPrefix(r, "locked to "):
		return ResultReject, ReasonLocked
	}
	return ResultReject, ReasonOther
}

// reasonNoIMSI is the Reply-Message of an Access-Request without an IMSI.
const reasonNoIMSI = "no IMSI in the request"
