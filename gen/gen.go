package gen

import (
	"context"
	"fmt"
)

// Enterprise is the access code of the data set's enterprise; Secret is
// its signing secret (sealed like any other).
const (
	Enterprise = "BENCH"
	Secret     = "bench-secret"
	// Plan is the code of the data set's monthly plan.
	Plan = "M"
	// MaxDays bounds the usage days of a SIM (1-30 March 2024).
	MaxDays = 30
	// MaxSMS bounds the short messages of a SIM.
	MaxSMS = 100
)

// Spec is a data set: SIMs SIMs of enterprise Enterprise, ICCIDs
// 8986 followed by the SIM's number on 16 digits and IMSIs 46001 followed by
// it on 10, each with an in-use order (ORDER_ and the number on 17 digits)
// of plan Plan, ordered one a millisecond from 1 January 2024 UTC; and
// UsageRows rows of daily usage, from 1 March 2024, as many days for each
// SIM (the first SIMs a day more when they do not divide evenly). The usage clock is set to the end of 9 March 2024
// (UTC+8).
//
// SMS short messages go to and from the SIMs in turn (message j is SIM
// j's, modulo SIMs), one a second from 1 March 2024 UTC, mobile-terminated
// and mobile-originated in turn, all delivered. Deliveries webhook
// deliveries are those of the creation events of the first Deliveries
// orders (an event and a delivery each, EV and the order's number on 17
// digits), one a second from 1 March 2024 UTC, each delivered at its first
// attempt but every PendingEvery-th, still pending without one; the
// enterprise's webhook endpoint is set when there are deliveries.
type Spec struct {
	SIMs       int
	UsageRows  int
	SMS        int
	Deliveries int
}

// PendingEvery is how often a generated delivery is still pending: one in
// PendingEvery.
const PendingEvery = 10_000

// Check says what is wrong with s, if anything.
func (s Spec) Check() error {
	switch {
	case s.SIMs < 1 || s.SIMs > 10_000_000_000:
		return fmt.Errorf("sims: %d is out of range 1-10000000000", s.SIMs)
	case s.UsageRows < 0 || s.UsageRows > MaxDays*s.SIMs:
		return fmt.Errorf("usage-rows: %d is out of range 0-%d (%d days a SIM)", s.UsageRows, MaxDays*s.SIMs, MaxDays)
	case s.SMS < 0 || s.SMS > MaxSMS*s.SIMs:
		return fmt.Errorf("sms: %d is out of range 0-%d (%d a SIM)", s.SMS, MaxSMS*s.SIMs, MaxSMS)
	case s.Deliveries < 0 || s.Deliveries > s.SIMs:
		return fmt.Errorf("deliveries: %d is out of range 0-%d (one an order)", s.Deliveries, s.SIMs)
	}
	return nil
}

// Days returns the usage days of every SIM, and how many SIMs (the first
// ones) have one day more.
func (s Spec) Days() (days, extra int) {
	return s.UsageRows / s.SIMs, s.UsageRows % s.SIMs
}

// ICCID is the ICCID of SIM i of a data set.
func ICCID(i int) string { return fmt.Sprintf("8986%016d", i) }

// Generator builds a data set in an empty database, in bulk (not through
// the store's calls, so in minutes for a million SIMs).
type Generator interface {
	Generate(ctx context.Context, s Spec) error
}
