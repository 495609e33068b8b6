package billing

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/money"
)

// Usage export forms.
const (
	UsagePerDay   = "day"   // a row per SIM per UTC+8 day
	UsagePerOrder = "order" // a row per order with its used volume
)

// mb renders bytes as MB (1,048,576 bytes) with two decimals, rounded
// half up.
func mb(bytes int64) string { return money.Format((bytes*100 + 1<<19) >> 20) }

// flushEvery is how many rows the export writes between flushes: it holds
// no more than that in memory, whatever the number of SIMs.
const flushEvery = 4096

// ExportUsage writes the enterprise's usage of a UTC+8 month as CSV to w,
// per SIM per day or per order (per), reading the store as it writes.
func ExportUsage(ctx context.Context, st Store, w io.Writer, enterprise string, month int, per string) error {
	cw := csv.NewWriter(w)
	n := 0
	row := func(r []string) error {
		cw.Write(r)
		if n++; n%flushEvery == 0 {
			cw.Flush()
			return cw.Error()
		}
		return nil
	}
	var err error
	switch per {
	case UsagePerOrder:
		cw.Write([]string{"order_id", "iccid", "plan_code", "order_status", "ordered_at_utc8", "used_bytes", "used_mb"})
		err = st.ExportOrderUsage(ctx, enterprise, MonthStart(month), MonthEnd(month), func(o *OrderUsage) error {
			return row([]string{o.OrderID, o.ICCID, o.PlanCode, strconv.Itoa(int(o.Status)),
				businessTime(o.OrderedAt), strconv.FormatInt(o.UsedBytes, 10), mb(o.UsedBytes)})
		})
	default:
		cw.Write([]string{"iccid", "day_utc8", "bytes", "mb"})
		from := month*100 + 1
		to := month*100 + MonthEnd(month).AddDate(0, 0, -1).In(opencube.BusinessZone).Day()
		buf := make([]byte, 0, 10)
		err = st.ExportUsageDays(ctx, enterprise, from, to, func(u *UsageDay) error {
			buf = time.Date(u.Day/10000, time.Month(u.Day/100%100), u.Day%100, 0, 0, 0, 0, time.UTC).AppendFormat(buf[:0], time.DateOnly)
			return row([]string{u.ICCID, string(buf), strconv.FormatInt(u.Bytes, 10), mb(u.Bytes)})
		})
	}
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
