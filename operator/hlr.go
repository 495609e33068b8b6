package operator

import (
	"context"
	"time"

	"github.com/opencube/opencube"
)

// ProvisionState is where a SIM stands in the subscriber register.
type ProvisionState string

// The provisioning states.
const (
	// ProvisionPending: a change waits to reach the register (it may be
	// down: the job retries).
	ProvisionPending ProvisionState = "pending"
	// ProvisionDone: the register holds what the SIM's state says.
	ProvisionDone ProvisionState = "provisioned"
	// ProvisionFailed: the register refused a command; LastError holds its
	// answer. A later change or reconciliation tries again.
	ProvisionFailed ProvisionState = "failed"
)

// Provisioning is a SIM's standing in the subscriber register.
type Provisioning struct {
	ICCID     string         `json:"-"`
	State     ProvisionState `json:"state"`
	IMSI      string         `json:"imsi,omitempty"` // the IMSI last provisioned
	LastError string         `json:"last_error,omitempty"`
	Attempts  int            `json:"attempts"`
	UpdatedAt time.Time      `json:"updated_at,omitzero"`
}

// HLRReport is what a reconciliation of the SIMs with the register's
// subscribers found and did.
type HLRReport struct {
	// Trigger is "schedule" or "operator".
	Trigger    string    `json:"trigger"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// SIMs counts the SIMs compared; Subscribers the register's
	// subscribers.
	SIMs        int `json:"sims"`
	Subscribers int `json:"subscribers"`
	// Missing are the SIMs (ICCIDs) whose subscriber was missing;
	// Drifted those whose subscriber's access or MSISDN differed from the
	// SIM's state; Stale the IMSIs the register held for a terminated SIM
	// (deleted); Unknown the subscribers whose IMSI no SIM has (left
	// alone: made by hand, or the old IMSI of an OTA change whose deletion
	// failed). Each list holds at most ReportListMax entries; the counts
	// are whole.
	Missing      []string `json:"missing"`
	MissingCount int      `json:"missing_count"`
	Drifted      []string `json:"drifted"`
	DriftedCount int      `json:"drifted_count"`
	Stale        []string `json:"stale"`
	StaleCount   int      `json:"stale_count"`
	Unknown      []string `json:"unknown"`
	UnknownCount int      `json:"unknown_count"`
	// Repaired counts the SIMs made to match; Failed the SIMs whose repair
	// the register refused ("iccid: answer").
	Repaired    int      `json:"repaired"`
	Failed      []string `json:"failed"`
	FailedCount int      `json:"failed_count"`
	// Error says why the run stopped early (the register unreachable).
	Error string `json:"error,omitempty"`
}

// ReportListMax bounds each list of an HLRReport.
const ReportListMax = 100

// HLRStatus is the register's standing as the admin API shows it.
type HLRStatus struct {
	// Register names the adapter ("osmo"); empty when provisioning is off.
	Register string `json:"register"`
	// Pending counts the SIMs with a change waiting to reach the register;
	// Failed those whose last command the register refused.
	Pending int `json:"pending"`
	Failed  int `json:"failed"`
	// Last is the last reconciliation's report, nil before the first.
	Last *HLRReport `json:"last_reconciliation"`
}

// ProvisionStore keeps the SIMs' standing in the subscriber register, their
// authentication data and the reconciliations' reports. CreateSIMs stores
// the authentication data of the SIMs it creates (opencube.SIM.Auth).
type ProvisionStore interface {
	// SIMAuth returns a SIM's authentication data, or nil when it has none.
	SIMAuth(ctx context.Context, iccid string) (*opencube.SIMAuth, error)
	// Provisioning returns a SIM's standing: pending (with the last failed
	// attempt's error) while a JobHLRSync of it waits, else the last
	// outcome written; nil when it was never provisioned.
	Provisioning(ctx context.Context, iccid string) (*Provisioning, error)
	// SetProvisioning writes a SIM's outcome and, when alert is not nil,
	// writes alert to the outbox in the same transaction, unless the SIM's
	// provisioning had failed already with the same error (one alert per
	// refusal, not one per retry).
	SetProvisioning(ctx context.Context, p *Provisioning, alert *opencube.Event) error
	// ProvisionSIMs returns up to limit SIMs after the ICCID after (any
	// enterprise, any status), ICCID order, for reconciliation.
	ProvisionSIMs(ctx context.Context, after string, limit int) ([]*opencube.SIM, error)
	// ProvisionCounts counts the SIMs pending (a JobHLRSync waits) and
	// failed.
	ProvisionCounts(ctx context.Context) (pending, failed int, err error)
	// SaveHLRReport keeps r as the last reconciliation's report.
	SaveHLRReport(ctx context.Context, r *HLRReport) error
	// LastHLRReport returns the last reconciliation's report, or nil.
	LastHLRReport(ctx context.Context) (*HLRReport, error)
}
