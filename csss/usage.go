package csss

import (
	"context"
	"strconv"
	"time"

	"github.com/opencube/opencube"
)

func itoa(n int) string { return strconv.Itoa(n) }

// asOf renders the usage clock.
func asOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(opencube.BusinessZone).Format(time.DateTime)
}

// FlowUsageData is the data of the queryDeviceFlowUsage answer: the usage of
// one SIM's in-use order.
type FlowUsageData struct {
	DeviceID        string `json:"device_id"`
	OrderCode       string `json:"order_code"`
	OrderUsedFlow   string `json:"order_used_flow"`
	HighFlowBalance string `json:"high_flow_balance"`
	AsOf            string `json:"as_of"`
}

func newFlowUsage(u opencube.DeviceUsage) FlowUsageData {
	f := FlowUsageData{DeviceID: u.Device.SIM.ICCID, OrderUsedFlow: FormatMB(u.UsedBytes), HighFlowBalance: FormatMB(u.RemainingBytes), AsOf: asOf(u.AsOf)}
	if u.Device.Order != nil {
		f.OrderCode = u.Device.Order.Code
	}
	return f
}

func (s *Server) queryDeviceFlowUsage(ctx context.Context, v *validator) (any, error) {
	iccid := v.str("device_id", true)
	if err := v.err(); err != nil {
		return nil, err
	}
	us, err := s.SIMs.DeviceUsage(ctx, []string{iccid})
	if err != nil {
		return nil, err
	}
	return newFlowUsage(us[0]), nil
}

// usageList reads a deviceList of 1-100 distinct ICCIDs.
func usageList(v *validator) []string {
	list := v.list("deviceList", true)
	seen := make(map[string]bool, len(list))
	for _, id := range list {
		if id == "" || seen[id] {
			v.fail("deviceList")
		}
		seen[id] = true
	}
	if len(list) > maxUsageList {
		v.fail("deviceList")
	}
	return list
}

// DeviceFlow is one item of batchQueryDeviceFlowUsage.
type DeviceFlow struct {
	Error           string `json:"error"`
	ErrorMsg        string `json:"errorMsg"`
	DeviceID        string `json:"device_id"`
	OrderCode       string `json:"order_code"`
	OrderUsedFlow   string `json:"order_used_flow"`
	HighFlowBalance string `json:"high_flow_balance"`
}

// BatchFlowData is the data of the batchQueryDeviceFlowUsage answer.
type BatchFlowData struct {
	DeviceFlow []DeviceFlow `json:"device_flow"`
	AsOf       string       `json:"as_of"`
}

func (s *Server) batchQueryDeviceFlowUsage(ctx context.Context, v *validator) (any, error) {
	list := usageList(v)
	if err := v.err(); err != nil {
		return nil, err
	}
	out := BatchFlowData{DeviceFlow: make([]DeviceFlow, 0, len(list))}
	// One SIM at a time, so that an unknown SIM is reported in its own item.
	for _, id := range list {
		us, err := s.SIMs.DeviceUsage(ctx, []string{id})
		if opencube.ErrorKind(err) == opencube.KindDeviceNotFound {
			code, msg := ErrorMessage(err, LangEN)
			out.DeviceFlow = append(out.DeviceFlow, DeviceFlow{Error: code, ErrorMsg: msg, DeviceID: id})
			continue
		}
		if err != nil {
			return nil, err
		}
		f := newFlowUsage(us[0])
		out.AsOf = f.AsOf
		out.DeviceFlow = append(out.DeviceFlow, DeviceFlow{
			Error: CodeOK, ErrorMsg: Message(CodeOK, LangEN, ""), DeviceID: id,
			OrderCode: f.OrderCode, OrderUsedFlow: f.OrderUsedFlow, HighFlowBalance: f.HighFlowBalance,
		})
	}
	return out, nil
}

// DailyFlowData is the data of the queryDeviceDailyFlow answer.
type DailyFlowData struct {
	DeviceID string `json:"device_id"`
	Date     string `json:"date"`
	UsedFlow string `json:"used_flow"`
	AsOf     string `json:"as_of"`
}

// parseDay reads a YYYYMMDD date that exists, in years 2000-9999.
func parseDay(v *validator, name string) int {
	s := v.str(name, true)
	if s == "" {
		return 0
	}
	t, err := time.ParseInLocation("20060102", s, opencube.BusinessZone)
	if err != nil || len(s) != 8 || !validDay(t) {
		v.fail(name)
		return 0
	}
	return opencube.Day(t)
}

func (s *Server) queryDeviceDailyFlow(ctx context.Context, v *validator) (any, error) {
	iccid := v.str("device_id", true)
	day := parseDay(v, "date")
	if err := v.err(); err != nil {
		return nil, err
	}
	days, at, err := s.SIMs.DailyUsage(ctx, iccid, day, day)
	if err != nil {
		return nil, err
	}
	return DailyFlowData{DeviceID: iccid, Date: itoa(day), UsedFlow: FormatMB(usedBytes(days)), AsOf: asOf(at)}, nil
}

// usedBytes is the total of days.
func usedBytes(days []opencube.DailyUsage) int64 {
	var n int64
	for _, d := range days {
		n += d.Bytes
	}
	return n
}

// MonthFlow is one item of batchQueryMonthFlow.
type MonthFlow struct {
	Error    string `json:"error"`
	ErrorMsg string `json:"errorMsg"`
	DeviceID string `json:"device_id"`
	Month    string `json:"month"`
	UsedFlow string `json:"used_flow"`
}

// MonthFlowData is the data of the batchQueryMonthFlow answer.
type MonthFlowData struct {
	DeviceFlow []MonthFlow `json:"device_flow"`
	AsOf       string      `json:"as_of"`
}

func (s *Server) batchQueryMonthFlow(ctx context.Context, v *validator) (any, error) {
	list := usageList(v)
	month := v.str("month", true)
	t, err := time.ParseInLocation("200601", month, opencube.BusinessZone)
	if month != "" && (err != nil || len(month) != 6 || !validDay(t)) {
		v.fail("month")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	from := opencube.Day(t)
	to := opencube.Day(t.AddDate(0, 1, -1))
	out := MonthFlowData{DeviceFlow: make([]MonthFlow, 0, len(list))}
	for _, id := range list {
		days, at, err := s.SIMs.DailyUsage(ctx, id, from, to)
		if opencube.ErrorKind(err) == opencube.KindDeviceNotFound {
			code, msg := ErrorMessage(err, LangEN)
			out.DeviceFlow = append(out.DeviceFlow, MonthFlow{Error: code, ErrorMsg: msg, DeviceID: id, Month: month})
			continue
		}
		if err != nil {
			return nil, err
		}
		out.AsOf = asOf(at)
		out.DeviceFlow = append(out.DeviceFlow, MonthFlow{Error: CodeOK, ErrorMsg: Message(CodeOK, LangEN, ""), DeviceID: id, Month: month, UsedFlow: FormatMB(usedBytes(days))})
	}
	return out, nil
}

// InfoByDeviceData is the data of the getInfoByDeviceId answer.
type InfoByDeviceData struct {
	DeviceID      string `json:"device_id"`
	IMSI          string `json:"imsi"`
	OrderCode     string `json:"order_code"`
	RemainingFlow string `json:"remaining_flow"`
	QueryTime     string `json:"query_time"`
	AsOf          string `json:"as_of"`
}

func (s *Server) getInfoByDeviceId(ctx context.Context, v *validator) (any, error) {
	iccid := v.str("device_id", true)
	if err := v.err(); err != nil {
		return nil, err
	}
	us, err := s.SIMs.DeviceUsage(ctx, []string{iccid})
	if err != nil {
		return nil, err
	}
	u := us[0]
	out := InfoByDeviceData{
		DeviceID: iccid, IMSI: u.Device.SIM.IMSI, RemainingFlow: FormatMB(u.RemainingBytes),
		QueryTime: s.businessNow().In(opencube.BusinessZone).Format(time.DateTime), AsOf: asOf(u.AsOf),
	}
	if o := u.Device.Order; o != nil {
		out.OrderCode, out.IMSI = o.Code, o.IMSI
	}
	return out, nil
}

// businessNow is the time of business answers: BusinessClock's, else
// Clock's.
func (s *Server) businessNow() time.Time {
	if s.BusinessClock != nil {
		return s.BusinessClock.Now()
	}
	return s.Clock.Now()
}
