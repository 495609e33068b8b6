package opencube

import (
	"context"
	"strconv"
	"strings"
)

// AlertSettings are an enterprise's usage alert thresholds (流量使用量API
// 预警): percentages of an order's volume, and days before its expiry.
type AlertSettings struct {
	EnterpriseCode   string `json:"enterprise"`
	Percents         []int  `json:"percents"`           // volume thresholds, 1-100
	DaysBeforeExpiry int    `json:"days_before_expiry"` // 0-366 days before an in-use order expires; 0: off
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

// ParsePercentList is the inverse of PercentList, skipping non-integers.
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

// AlertData is the Data of an EventFlowAlert event.
type AlertData struct {
	Threshold  string `json:"threshold"` // "80%" of the volume, or "3d" before expiry
	UsedBytes  int64  `json:"used_bytes"`
	TotalBytes int64  `json:"total_bytes"`
}
