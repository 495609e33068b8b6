package cubev4

import (
	"strconv"
	"time"

	"github.com/opencube/opencube"
)

// Usage is GET /sims/{sim_id}/usage's data.
type Usage struct {
	SIMID string        `json:"sim_id"`
	Usage []UsagePeriod `json:"usage"`
}

// UsagePeriod is the usage of one UTC+8 day (YYYY-MM-DD) or month
// (YYYY-MM), in bytes.
type UsagePeriod struct {
	Period   string    `json:"period"`
	UpdateAt string    `json:"update_at"`
	Data     UsageData `json:"data"`
}

// UsageData is a period's data volume, in bytes.
type UsageData struct {
	All int64 `json:"all"`
}

// Usage date rules (cube-v4-api.md §2.2): periods on the UTC+8 days and
// months of D20; a start at most maxLookBackDays before today (daily) or
// maxLookBackMonths months before this month (monthly).
const (
	maxLookBackDays   = 180
	maxLookBackMonths = 5
	periodDaily       = "1"
	periodMonthly     = "2"
)

// usage is GET /sims/{sim_id}/usage.
func (s *Server) usage(r *request) (*answer, error) {
	q := r.URL.Query()
	for _, p := range []string{"category", "period_type", "begin_from", "end_by"} {
		if q.Get(p) == "" {
			return nil, fail(CodeMissing, "%s is required", p)
		}
	}
	if q.Get("category") != "data" {
		return nil, opencube.MustBe("category", "data")
	}
	layout, step := "", 0
	switch q.Get("period_type") {
	case periodDaily:
		layout = "2006-01-02"
	case periodMonthly:
		layout, step = "2006-01", 1
	default:
		return nil, opencube.MustBe("period_type", "1 (daily) or 2 (monthly)")
	}
	from, err := time.ParseInLocation(layout, q.Get("begin_from"), opencube.BusinessZone)
	if err != nil {
		return nil, opencube.MustBe("begin_from", layout)
	}
	to, err := time.ParseInLocation(layout, q.Get("end_by"), opencube.BusinessZone)
	if err != nil {
		return nil, opencube.MustBe("end_by", layout)
	}
	now := s.businessNow().In(opencube.BusinessZone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, opencube.BusinessZone)
	current, oldest := today, today.AddDate(0, 0, -maxLookBackDays)
	if step == 1 {
		current = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, opencube.BusinessZone)
		oldest = current.AddDate(0, -maxLookBackMonths, 0)
	}
	switch {
	case from.After(to):
		return nil, fail(CodeStartAfterEnd, "begin_from is after end_by")
	case to.After(current):
		return nil, fail(CodeEndInFuture, "end_by is after the current period (UTC+8)")
	case from.Before(oldest):
		return nil, fail(CodeStartTooEarly, "begin_from is before %s", oldest.Format(layout))
	}
	d, err := s.device(r)
	if err != nil {
		return nil, err
	}
	last := to.AddDate(0, step, 0)
	if step == 0 {
		last = to
	} else {
		last = last.AddDate(0, 0, -1)
	}
	days, asOf, err := s.SIMs.DailyUsage(r.ctx, d.SIM.ICCID, opencube.Day(from), opencube.Day(last))
	if err != nil {
		return nil, err
	}
	byPeriod := map[string]int64{}
	for _, u := range days {
		t, _ := time.ParseInLocation("20060102", strconv.Itoa(u.Day), opencube.BusinessZone)
		byPeriod[t.Format(layout)] += u.Bytes
	}
	updated := asOf.UTC().Format("2006-01-02T15:04:05")
	if asOf.IsZero() {
		updated = ""
	}
	out := Usage{SIMID: d.SIM.ICCID, Usage: []UsagePeriod{}}
	for t := from; !t.After(to); {
		p := t.Format(layout)
		out.Usage = append(out.Usage, UsagePeriod{Period: p, UpdateAt: updated, Data: UsageData{All: byPeriod[p]}})
		if step == 0 {
			t = t.AddDate(0, 0, 1)
		} else {
			t = t.AddDate(0, 1, 0)
		}
	}
	return &answer{data: out}, nil
}

func (s *Server) businessNow() time.Time {
	if s.BusinessClock != nil {
		return s.BusinessClock.Now()
	}
	return s.Clock.Now()
}

// AccuUsage is one item of GET /usage/statistics/{sim_id}/accu_usage.
type AccuUsage struct {
	Type      string `json:"type"`
	AccuUsage string `json:"accu_usage"` // bytes, as a string (as documented)
	Since     string `json:"since"`      // yyyy-MM-dd HH:mm:ss, UTC
}

// accuUsage is GET /usage/statistics/{sim_id}/accu_usage: the usage of
// the SIM's order in use or suspended since it started.
func (s *Server) accuUsage(r *request) (*answer, error) {
	d, err := s.device(r)
	if err != nil {
		return nil, err
	}
	if d.SIM.OTA {
		return nil, opencube.Errorf(opencube.KindOTA, "not for OTA SIMs")
	}
	o := d.Order
	if o == nil || o.StartedAt == nil {
		return nil, opencube.Errorf(opencube.KindOrderState, "the SIM has no bundle in use").Because(opencube.CauseNoActiveOrder)
	}
	now := s.businessNow()
	days, _, err := s.SIMs.DailyUsage(r.ctx, d.SIM.ICCID, opencube.Day(*o.StartedAt), opencube.Day(now))
	if err != nil {
		return nil, err
	}
	var total int64
	for _, u := range days {
		total += u.Bytes
	}
	return &answer{data: []AccuUsage{{Type: "data", AccuUsage: strconv.FormatInt(total, 10), Since: o.StartedAt.UTC().Format("2006-01-02 15:04:05")}}}, nil
}
