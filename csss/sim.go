package csss

import (
	"context"
	"time"

	"github.com/opencube/opencube"
)

// SIMStatusCode is the wire `status` of a SIM: "1" pre-activated
// (inventory), "2" active, "3" paused (suspended), "4" terminated.
func SIMStatusCode(s opencube.SIMStatus) string {
	switch s {
	case opencube.SIMInventory:
		return "1"
	case opencube.SIMActive:
		return "2"
	case opencube.SIMSuspended:
		return "3"
	case opencube.SIMTerminated:
		return "4"
	}
	return ""
}

// DeviceItem is one SIM of the device lists.
type DeviceItem struct {
	DeviceID     string `json:"device_id"`
	IMSI         string `json:"imsi"`
	MSISDN       string `json:"msisdn"`
	IMEI         string `json:"imei"`
	Status       string `json:"status"`
	IsOTA        string `json:"is_ota"`
	ActivateDate string `json:"activate_date"`
	OrderID      string `json:"order_id"`
	PackageCode  string `json:"package_code"`
	PackageName  string `json:"package_name"`
	OrderStatus  string `json:"order_status"`
}

func newDeviceItem(d *opencube.Device) DeviceItem {
	it := DeviceItem{
		DeviceID: d.SIM.ICCID, IMSI: d.SIM.IMSI, MSISDN: d.SIM.MSISDN, Status: SIMStatusCode(d.SIM.Status),
		IsOTA: "0", ActivateDate: itemDate(d.ActivatedAt),
	}
	if d.SIM.OTA {
		it.IsOTA = "1"
	}
	if d.Session != nil {
		it.IMEI = d.Session.IMEI // from the packet core's 3GPP-IMEISV
	}
	if o := d.Order; o != nil {
		it.OrderID, it.PackageCode, it.PackageName = o.ID, o.PlanCode, o.PlanName
		it.OrderStatus = itoa(int(o.Status))
	}
	return it
}

// DeviceListData is the data of the queryDeviceList and
// queryUsingDeviceList answers.
type DeviceListData struct {
	Page       PageInfo     `json:"page"`
	DeviceList []DeviceItem `json:"device_list"`
}

func (s *Server) queryDeviceList(ctx context.Context, v *validator) (any, error) {
	return s.deviceList(ctx, v, false)
}

func (s *Server) queryUsingDeviceList(ctx context.Context, v *validator) (any, error) {
	return s.deviceList(ctx, v, true)
}

func (s *Server) deviceList(ctx context.Context, v *validator, inUse bool) (any, error) {
	no, size := paging(v, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	ds, total, err := s.SIMs.FindDevices(ctx, opencube.DeviceFilter{InUse: inUse, WithSession: true, Page: opencube.PageOf(no, size)})
	if err != nil {
		return nil, err
	}
	out := DeviceListData{Page: newPage(no, size, total), DeviceList: make([]DeviceItem, 0, len(ds))}
	for _, d := range ds {
		out.DeviceList = append(out.DeviceList, newDeviceItem(d))
	}
	return out, nil
}

// DeviceInfoData is queryDeviceInfo's answer: the SIM, its in-use order and
// its data session.
type DeviceInfoData struct {
	DeviceItem
	OrderCode        string `json:"order_code"`
	OrderStartDate   string `json:"order_start_date"`
	OrderExpireDate  string `json:"order_expire_date"`
	Online           string `json:"online"`
	SessionStartTime string `json:"session_start_time"`
	Network          string `json:"network"`
}

func (s *Server) queryDeviceInfo(ctx context.Context, v *validator) (any, error) {
	iccid := v.str("device_id", true)
	if err := v.err(); err != nil {
		return nil, err
	}
	d, err := s.SIMs.FindDevice(ctx, iccid)
	if err != nil {
		return nil, err
	}
	out := DeviceInfoData{DeviceItem: newDeviceItem(d), Online: "0"}
	if o := d.Order; o != nil {
		out.OrderCode, out.OrderStartDate, out.OrderExpireDate = o.Code, itemDate(o.StartedAt), itemDate(o.ExpiresAt)
	}
	if ss := d.Session; ss != nil && ss.State == opencube.SessionOpen {
		out.Online = "1"
		out.SessionStartTime = ss.StartedAt.In(opencube.BusinessZone).Format(time.DateTime)
		out.Network = ss.Network
	}
	return out, nil
}
