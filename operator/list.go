package operator

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/opencube/opencube"
)

// Bounds of a list page.
const (
	DefaultLimit = 50
	MaxLimit     = 500
	// CountCap is the largest total a list counts: a count=1 answer of more
	// says CountCap and Capped, so that counting stays cheap.
	CountCap = 10_000
)

// Page selects one page of a list: up to Limit items after Cursor (empty:
// from the start), and the total when Count.
type Page struct {
	Limit  int
	Cursor string
	Count  bool
}

// List is one page of a list: its items, the cursor of the next page (empty
// at the end) and, when asked for, the total.
type List[T any] struct {
	Items []T `json:"items"`
	// Next is the cursor of the next page; null at the end.
	Next *string `json:"next"`
	// Total counts every item the filters select, up to CountCap; it is
	// present only when count=1 was asked for.
	Total *int `json:"total,omitempty"`
	// Capped says the total stopped at CountCap.
	Capped bool `json:"capped,omitempty"`
	// AsOf is the moment the page's data is known to be current to: the
	// commit time of the last transaction a read replica had replayed when
	// the page came from one, else the time of the answer.
	AsOf *time.Time `json:"as_of,omitempty"`
}

// Stamp sets AsOf to now unless the store set it (a replica's page).
func (l *List[T]) Stamp(now time.Time) {
	if l.AsOf == nil {
		now = now.UTC().Truncate(time.Millisecond)
		l.AsOf = &now
	}
}

// SetTotal records a total counted up to CountCap+1.
func (l *List[T]) SetTotal(n int) {
	if n > CountCap {
		n, l.Capped = CountCap, true
	}
	l.Total = &n
}

// Cursor encodes the keys of the last item of a page, in its list's order,
// as an opaque cursor.
func Cursor(keys ...string) *string {
	b, _ := json.Marshal(keys)
	s := base64.RawURLEncoding.EncodeToString(b)
	return &s
}

// PrefixEnd returns the smallest string of digits after every string that
// starts with the digits prefix, so that col >= prefix AND col < end selects
// them with an index under any collation that orders digits; ok is false
// when there is none (prefix is all 9s: no upper bound).
func PrefixEnd(prefix string) (end string, ok bool) {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] < '9' {
			return prefix[:i] + string(prefix[i]+1), true
		}
	}
	return "", false
}

// Keys decodes a cursor made by Cursor with n keys; KindInvalid naming
// "cursor" when it is not one.
func (p Page) Keys(n int) ([]string, error) {
	if p.Cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	var keys []string
	if err == nil {
		err = json.Unmarshal(b, &keys)
	}
	if err != nil || len(keys) != n {
		return nil, opencube.Invalid("cursor", "cursor %q is not one this list gave", p.Cursor)
	}
	return keys, nil
}

// EnterpriseQuery selects enterprises, access code order.
type EnterpriseQuery struct {
	// AccessCode keeps only this enterprise (an enterprise user's list).
	AccessCode string
	Q          string // a prefix of the access code, or a part of the name (any case)
	Status     opencube.EnterpriseStatus
	Page
}

// SIMQuery selects SIMs, ICCID order. With Q, the SIMs whose ICCID starts
// with Q come first (ICCID order), then those whose IMSI does (IMSI order),
// then those whose MSISDN does (MSISDN, then ICCID order); a SIM is listed
// once, in the first part it belongs to.
type SIMQuery struct {
	Enterprise string
	Status     opencube.SIMStatus
	Online     *bool // with an open data session, or without
	InUse      *bool // with an order in use, or without
	// Q is a prefix of an ICCID, IMSI or MSISDN.
	Q string
	Page
}

// OrderQuery selects orders, newest first (order time, then id).
type OrderQuery struct {
	Enterprise string
	ICCID      string
	Status     opencube.OrderStatus // 0: any
	Plan       string
	From, To   time.Time // order time within [From, To); zero: open
	Page
}

// PlanQuery selects catalog plans, code order.
type PlanQuery struct {
	// Enterprise keeps the plans granted to it.
	Enterprise string
	Status     opencube.PlanStatus
	Page
}

// Granularity is the step of a usage series.
type Granularity string

// Granularities: UTC+8 days and months.
const (
	ByDay   Granularity = "day"
	ByMonth Granularity = "month"
)

// UsageQuery selects the usage of a SIM or of an enterprise's SIMs over a
// range of UTC+8 days.
type UsageQuery struct {
	ICCID       string
	Enterprise  string
	Granularity Granularity
	From, To    int // yyyymmdd, inclusive
}

// UsagePoint is the data used in one day (yyyymmdd) or month (yyyymm).
type UsagePoint struct {
	Period int   `json:"period"`
	Bytes  int64 `json:"bytes"`
}

// UsageSeries is the usage a UsageQuery selects, with its range: a point a
// period with data, oldest first.
type UsageSeries struct {
	Granularity Granularity  `json:"granularity"`
	From        int          `json:"from"` // yyyymmdd, UTC+8
	To          int          `json:"to"`
	Points      []UsagePoint `json:"points"`
}

// SessionQuery selects open data sessions, newest started first.
type SessionQuery struct {
	Enterprise string
	ICCID      string
	Page
}

// SMSQuery selects short messages, newest first: the filters of querySms.
type SMSQuery struct {
	Enterprise string
	ICCID      string
	Direction  opencube.SMSDirection
	State      opencube.SMSState
	From, To   time.Time
	Page
}

// JobState is where a job is in its life. A job is in one state at a
// time, the first of running, failed, due and waiting that holds.
type JobState string

// Job states.
const (
	JobRunning JobState = "running" // a node holds its lease, which has not run out
	JobFailed  JobState = "failed"  // not running; its last attempt failed and it waits to run again
	JobDue     JobState = "due"     // not running nor failed; its time came
	JobWaiting JobState = "waiting" // not running nor failed; its time has not come
)

// Valid reports whether s is one of the job states.
func (s JobState) Valid() bool {
	return s == JobRunning || s == JobFailed || s == JobDue || s == JobWaiting
}

// JobQuery selects background jobs, earliest RunAt first.
type JobQuery struct {
	Kind  string
	State JobState
	Page
}

// JobView is a job as the operator sees it, with its state.
type JobView struct {
	opencube.Job
	State JobState `json:"state"`
}

// AuditQuery selects audit entries, newest first.
type AuditQuery struct {
	Actor      string
	Object     string // an object ("sim:8986...") or its kind ("sim")
	Enterprise string
	Since      time.Time
	Page
}

// UserQuery selects users, username order.
type UserQuery struct {
	Enterprise string
	Page
}

// StateOf returns the state of job j at now.
func StateOf(j *opencube.Job, now time.Time) JobState {
	switch {
	case j.ClaimedBy != "" && j.ClaimedUntil.After(now):
		return JobRunning
	case j.LastError != "":
		return JobFailed
	case !j.RunAt.After(now):
		return JobDue
	}
	return JobWaiting
}
