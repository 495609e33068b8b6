package opencube

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AlertSettings are an enterprise's usage alert thresholds (流量使用量API
// 预警): percentages of an order's volume, and days before its expiry.
type AlertSettings struct {
	EnterpriseCode string `json:"enterprise"`
	// Percents are volume thresholds, 1-100; DefaultAlertPercents when none
	// are stored.
	Percents []int `json:"percents"`
	// DaysBeforeExpiry raises an alert this many days before an in-use
	// order expires; 0 turns it off.
	DaysBeforeExpiry int `json:"days_before_expiry"`
}

// Alert defaults, for enterprises that set none.
var (
	DefaultAlertPercents = []int{80, 100}
	DefaultAlertDays     = 3
)

// DefaultAlertSettings returns the settings of an enterprise that set none.
func DefaultAlertSettings(accessCode string) *AlertSettings {
	return &AlertSettings{EnterpriseCode: accessCode, Percents: append([]int(nil), DefaultAlertPercents...), DaysBeforeExpiry: DefaultAlertDays}
}

// Validate reports whether s can be stored.
func (s *AlertSettings) Validate() error {
	for _, p := range s.Percents {
		if p < 1 || p > 100 {
			return Invalid("percents", "percents must be 1-100")
		}
	}
	if s.DaysBeforeExpiry < 0 || s.DaysBeforeExpiry > 366 {
		return Invalid("days_before_expiry", "days_before_expiry must be 0-366")
	}
	return nil
}

// PercentList is the stored form of alert thresholds: comma-separated.
func PercentList(l []int) string {
	s := make([]string, len(l))
	for i, n := range l {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// ParsePercentList is the inverse of PercentList; it skips what is not an
// integer.
func ParsePercentList(s string) []int {
	out := []int{}
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// AlertTx is what usage alerts need of an order transaction; both stores'
// OrderTx implement it.
type AlertTx interface {
	// AlertSettings returns the enterprise's settings, or the defaults.
	AlertSettings(ctx context.Context, accessCode string) (*AlertSettings, error)
	// MarkAlert records that the alert named threshold fired for the order;
	// it returns false when it had already fired.
	MarkAlert(ctx context.Context, orderID, threshold string) (bool, error)
}

// JobExpiryAlert is the job kind that raises the days-before-expiry alert
// of an in-use order; its key is the order id.
const JobExpiryAlert = "order.expiry_alert"

// AlertData is the Data of an EventFlowAlert event.
type AlertData struct {
	// Threshold is "80%" for a volume threshold, "3d" for days before expiry.
	Threshold  string `json:"threshold"`
	UsedBytes  int64  `json:"used_bytes"`
	TotalBytes int64  `json:"total_bytes"`
}

// afterUsage is called by rating, inside the transaction that books usage
// to order o, with the order's used bytes before the booking (o.UsedBytes
// is after). It raises each volume alert the booking crossed, once per
// order and threshold (a daily plan's alert fires on the first day its
// threshold is reached, not every day).
func (s *Service) afterUsage(ctx context.Context, tx OrderTx, o *Order, usedBefore int64) error {
	atx, ok := tx.(AlertTx)
	// A daily plan's volume starts again each UTC+8 day: then the count is
	// below usedBefore, and each threshold reached counts as crossed.
	reset := o.UsedBytes < usedBefore
	if !ok || o.VolumeBytes <= 0 || o.UsedBytes == usedBefore {
		return nil
	}
	set, err := atx.AlertSettings(ctx, o.EnterpriseCode)
	if err != nil {
		return err
	}
	for _, p := range set.Percents {
		limit := (o.VolumeBytes*int64(p) + 99) / 100
		if o.UsedBytes < limit || (usedBefore >= limit && !reset) {
			continue // not reached, or crossed by an earlier booking
		}
		if err := s.alert(ctx, tx, atx, o, fmt.Sprintf("%d%%", p)); err != nil {
			return err
		}
	}
	return nil
}

// alert writes one alert event unless it fired for the order before.
func (s *Service) alert(ctx context.Context, tx OrderTx, atx AlertTx, o *Order, threshold string) error {
	fresh, err := atx.MarkAlert(ctx, o.ID, threshold)
	if err != nil || !fresh {
		return err
	}
	data, _ := json.Marshal(AlertData{Threshold: threshold, UsedBytes: o.UsedBytes, TotalBytes: o.VolumeBytes})
	e := NewEvent(EventFlowAlert, o)
	e.CreatedAt = s.Clock.Now()
	e.Data = string(data)
	return tx.InsertEvent(ctx, e)
}

// scheduleExpiryAlert writes the days-before-expiry alert job of an in-use
// order, when the enterprise wants one.
func scheduleExpiryAlert(ctx context.Context, tx OrderTx, o *Order) error {
	atx, ok := tx.(AlertTx)
	if !ok || o.Status != OrderInUse || o.ExpiresAt == nil {
		return nil
	}
	set, err := atx.AlertSettings(ctx, o.EnterpriseCode)
	if err != nil || set.DaysBeforeExpiry <= 0 {
		return err
	}
	at := o.ExpiresAt.Add(time.Second).AddDate(0, 0, -set.DaysBeforeExpiry)
	return tx.InsertJob(ctx, &Job{ID: NewUUID(), Kind: JobExpiryAlert, Key: o.ID, RunAt: at, Payload: []byte(fmt.Sprint(set.DaysBeforeExpiry))})
}

// ExpiryAlert is the JobExpiryAlert handler: it raises the alert when the
// order is still in use and within its days before expiry.
func (s *Service) ExpiryAlert(ctx context.Context, j *Job) error {
	return s.Store.UpdateOrders(ctx, func(tx OrderTx) error {
		atx, ok := tx.(AlertTx)
		if !ok {
			return nil
		}
		o, err := tx.OrderByID(ctx, j.Key)
		if ErrorKind(err) == KindOrderNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if o.Status != OrderInUse || o.ExpiresAt == nil {
			return nil
		}
		days := string(j.Payload)
		var n int
		fmt.Sscan(days, &n)
		if s.Clock.Now().Before(o.ExpiresAt.Add(time.Second).AddDate(0, 0, -n)) {
			return nil // renewed since: a later job is scheduled
		}
		return s.alert(ctx, tx, atx, o, days+"d")
	})
}

// AfterUsage is afterUsage for tests and for callers outside rating that
// book usage themselves: it must run inside the booking transaction tx.
func (s *Service) AfterUsage(ctx context.Context, tx OrderTx, o *Order, usedBefore int64) error {
	return s.afterUsage(ctx, tx, o, usedBefore)
}
