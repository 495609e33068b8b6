package opencube

import (
	"context"
	"strconv"
	"time"
)

// AcctType is the kind of an accounting record (RFC 2866 Acct-Status-Type).
type AcctType int

// Accounting record kinds.
const (
	AcctStart   AcctType = 1 // a session began
	AcctStop    AcctType = 2 // a session ended; its totals are final
	AcctInterim AcctType = 3 // a session's running totals (Interim-Update)
)

// UsageRecord is one accounting record of a data session. Its octet counts
// are the session's totals so far, as RADIUS reports them: a repeated or
// reordered record never counts twice. NAS and SessionID name the session.
type UsageRecord struct {
	Type        AcctType
	IMSI        string // the SIM: 3GPP-IMSI, or User-Name
	NAS         string // the network access server: NAS-IP-Address or NAS-Identifier
	SessionID   string
	NASAddr     string // where the NAS takes Disconnect-Requests (host only), or ""
	UserName    string
	Network     string // the serving network: 3GPP-SGSN-MCC-MNC, or Called-Station-Id
	InputBytes  int64
	OutputBytes int64
	Time        time.Time     // when the record was made: Event-Timestamp, else arrival
	SessionTime time.Duration // Acct-Session-Time: with Time, dates a session whose Start was lost
	// IMEI, RAT, IP and Location describe the device and where it is
	// (DataSession); "" when the record does not say.
	IMEI, RAT, IP, Location string
}

// Validate reports whether r can be booked (D26): its time and its
// session's start lie in years MinYear-MaxYear and its octet totals in
// 0-MaxSessionBytes. A KindInvalid error names time, session_time,
// input_bytes or output_bytes.
func (r *UsageRecord) Validate() error {
	if err := CheckTime("time", r.Time); err != nil {
		return err
	}
	if r.SessionTime < 0 || !StorableTime(r.Time.Add(-r.SessionTime)) {
		return Invalid("session_time", "the session would start at %s, outside years %d-%d",
			r.Time.Add(-r.SessionTime).UTC().Format(time.RFC3339), MinYear, MaxYear)
	}
	if err := CheckRange("input_bytes", r.InputBytes, 0, MaxSessionBytes); err != nil {
		return err
	}
	return CheckRange("output_bytes", r.OutputBytes, 0, MaxSessionBytes)
}

// SessionState is the state of a data session.
type SessionState int

// Session states.
const (
	SessionOpen     SessionState = 0 // started or updated, no Stop yet
	SessionStopped  SessionState = 1 // ended by a Stop record
	SessionTimedOut SessionState = 2 // closed because no record came in time
)

// SessionKey names a data session: its NAS and Acct-Session-Id.
type SessionKey struct {
	NAS string
	ID  string
}

// DataSession is one data session of a SIM as last reported.
type DataSession struct {
	NAS            string       `json:"nas"`
	ID             string       `json:"session_id"`
	ICCID          string       `json:"iccid"`
	IMSI           string       `json:"imsi"`
	EnterpriseCode string       `json:"enterprise"`
	NASAddr        string       `json:"nas_addr,omitempty"`
	UserName       string       `json:"user_name,omitempty"`
	Network        string       `json:"network,omitempty"`
	StartedAt      time.Time    `json:"started_at"`
	LastAt         time.Time    `json:"last_at"`
	InputBytes     int64        `json:"input_bytes"`
	OutputBytes    int64        `json:"output_bytes"`
	State          SessionState `json:"state"`
	// IMEI (from 3GPP-IMEISV), RAT (3GPP-RAT-Type: utran, geran, eutran,
	// nr...), IP (Framed-IP-Address) and Location (the MCC and MNC of
	// 3GPP-User-Location-Info) are what the packet core last said of the
	// session's device; "" when it did not.
	IMEI     string `json:"imei,omitempty"`
	RAT      string `json:"rat,omitempty"`
	IP       string `json:"ip,omitempty"`
	Location string `json:"location,omitempty"`
}

// Meter is the usage state of an order beside Order.UsedBytes.
type Meter struct {
	TestUsedBytes int64 // the test volume used so far
	Day           int   // the UTC+8 day (yyyymmdd) UsedBytes counts, for a daily plan
}

// Subscriber is a SIM with what authorization and rating need: its active
// order (or nil), that order's meter and its plan's throttle speed.
type Subscriber struct {
	SIM          *SIM
	Order        *Order
	Meter        Meter
	ThrottleKbps int
	// FirstAttach is set, when Order is nil, for an OTA order with
	// timing_type=1 that the SIM's first session starts (D13).
	FirstAttach bool
}

// DailyUsage is a SIM's usage on one UTC+8 day.
type DailyUsage struct {
	ICCID string
	Day   int // yyyymmdd, UTC+8
	Bytes int64
}

// Device is a SIM as the SIM endpoints show it: its active order, and its
// latest open session when asked for.
type Device struct {
	SIM   *SIM
	Order *Order
	Meter Meter
	// Session is the SIM's latest data session, open or closed
	// (DeviceFilter.WithSession).
	Session *DataSession
	// ActivatedAt is when the SIM's first order started, nil when none
	// ever did (DeviceFilter.WithSession).
	ActivatedAt *time.Time
}

// DeviceUsage is the usage of one SIM as the usage endpoints show it.
type DeviceUsage struct {
	Device         *Device
	UsedBytes      int64     // used by the in-use order (today, for a daily plan)
	RemainingBytes int64     // the high-speed volume left, live add-ons' included
	AddOnBytes     int64     // the volume of the order's live add-ons
	AsOf           time.Time // until when the usage is complete
}

// DeviceFilter selects devices of an enterprise.
type DeviceFilter struct {
	Enterprise  string
	ICCIDs      []string
	InUse       bool // only SIMs with an in-use order
	WithSession bool // fill Device.Session and Device.ActivatedAt
	Page        Page
}

// UsageStore keeps sessions, usage aggregates and order meters.
type UsageStore interface {
	// UpdateUsage runs fn in one transaction and commits what it wrote, or
	// nothing when fn returns an error.
	UpdateUsage(ctx context.Context, fn func(tx UsageTx) error) error
	// FindSubscriber returns the SIM with IMSI imsi and its active order;
	// KindDeviceNotFound when unknown.
	FindSubscriber(ctx context.Context, imsi string) (*Subscriber, error)
	// FindDevices returns an enterprise's SIMs, ICCID order, with their
	// active orders, and their total.
	FindDevices(ctx context.Context, f DeviceFilter) ([]*Device, int, error)
	// FindDailyUsage returns a SIM's usage days from..to (yyyymmdd,
	// inclusive), oldest first; days without usage are left out.
	FindDailyUsage(ctx context.Context, iccid string, from, to int) ([]DailyUsage, error)
	// UsageAsOf returns the time of the latest committed accounting record, or zero.
	UsageAsOf(ctx context.Context) (time.Time, error)
}

// UsageTx is the usage book inside one store transaction.
type UsageTx interface {
	OrderTx
	// Subscriber returns the SIM with IMSI imsi, its active order, meter and
	// throttle; nil when no SIM has that IMSI.
	Subscriber(ctx context.Context, imsi string) (*Subscriber, error)
	// Subscribers returns, in one go, Subscriber by IMSI for those of imsis
	// a SIM has.
	Subscribers(ctx context.Context, imsis []string) (map[string]*Subscriber, error)
	// Sessions returns the known sessions among keys, in one go.
	Sessions(ctx context.Context, keys []SessionKey) (map[SessionKey]*DataSession, error)
	// SIMByICCID returns any enterprise's SIM; KindDeviceNotFound when unknown.
	SIMByICCID(ctx context.Context, iccid string) (*SIM, error)
	// UpdateSIMStatus writes a SIM's status.
	UpdateSIMStatus(ctx context.Context, iccid string, status SIMStatus) error
	// UpdateSIMIMSI writes a SIM's IMSI; KindConflict when another has it.
	UpdateSIMIMSI(ctx context.Context, iccid, imsi string) error
	// Session returns a session, or nil when unknown.
	Session(ctx context.Context, nas, id string) (*DataSession, error)
	// PutSession inserts or replaces a session.
	PutSession(ctx context.Context, s *DataSession) error
	// StaleSessions returns up to limit open sessions whose last record is
	// before before, the earliest started first.
	StaleSessions(ctx context.Context, before time.Time, limit int) ([]*DataSession, error)
	// AddDailyUsage adds bytes to a SIM's usage on a UTC+8 day (yyyymmdd).
	AddDailyUsage(ctx context.Context, enterprise, iccid string, day int, bytes int64) error
	// PutUsedBytes writes an order's used bytes.
	PutUsedBytes(ctx context.Context, orderID string, usedBytes int64) error
	// PutMeter writes an order's meter.
	PutMeter(ctx context.Context, orderID string, m Meter) error
	// AdvanceUsageAsOf moves the usage clock to t unless it is later.
	AdvanceUsageAsOf(ctx context.Context, t time.Time) error
}

// Day returns the UTC+8 business day of t as yyyymmdd.
func Day(t time.Time) int {
	y, m, d := t.In(BusinessZone).Date()
	return y*10000 + int(m)*100 + d
}

// ValidTestFlow reports whether s is a test volume (test_flow) an order
// may carry: empty, or a number of MB within 0-MaxTestFlowMB.
func ValidTestFlow(s string) bool {
	if s == "" {
		return true
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f >= 0 && f <= MaxTestFlowMB
}

// Disconnect asks a NAS to end a session whose order ran out of quota
// (RFC 5176 Disconnect-Request).
type Disconnect struct {
	NASAddr   string
	SessionID string
	UserName  string
	IMSI      string
	ICCID     string
}

// BookResult is the outcome of booking one accounting record.
type BookResult struct {
	Unknown bool // no SIM has the record's IMSI: acknowledged and dropped
	// Duplicate says the record brought nothing new: its session had
	// totals as high already, from a record as late or later (a
	// retransmission, or a record overtaken by a later one).
	Duplicate  bool
	Bytes      int64       // the usage added: the delta over the session's last totals
	Disconnect *Disconnect // set when the record's session must end
}

// Reply-Messages of a rejected Access-Request (AuthDecision.Reason).
const (
	RejectUnknownSIM    = "unknown SIM"
	RejectSIMState      = "SIM is " // and the SIM's status
	RejectNoPlan        = "no plan in use"
	RejectPlanSuspended = "plan is suspended"
	RejectPlanExpired   = "plan has expired"
	RejectQuota         = "data quota used up"
)

// AuthDecision is the answer to a RADIUS Access-Request.
type AuthDecision struct {
	Accept       bool
	Reason       string // why a request was rejected (the Reply-Message)
	ThrottleKbps int    // the speed of a throttled unlimited daily plan; 0: full speed
	ICCID        string
}
