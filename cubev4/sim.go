package cubev4

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
)

// Bundle is a bundle (an opencube order of a plan) as the SIM list, SIM
// detail and bundle list show it (cube-v4-api.md §2.3).
type Bundle struct {
	ID string `json:"id"` // the plan code
	// OrderID is the opencube order, which Cancel's order_id names.
	OrderID             string `json:"order_id"`
	Name                string `json:"name"`
	Status              int    `json:"status"`
	Type                int    `json:"type"`
	DataLimit           int64  `json:"data_limit"`
	PeriodUnit          int    `json:"period_unit"`
	PeriodNumber        int    `json:"period_number"`
	Cycles              int    `json:"cycles"`
	CurrentCycle        *int   `json:"current_cycle"`
	CurrentCycleStartAt *int64 `json:"current_cycle_start_at"`
	CurrentCycleEndAt   *int64 `json:"current_cycle_end_at"`
	CurrentCycleUsage   *int64 `json:"current_cycle_usage"`
	AddedAt             int64  `json:"added_at"`
	StartAt             *int64 `json:"start_at"`
	EndAt               *int64 `json:"end_at"`
}

// Bundle types, units (cube-v4-api.md §2.3; docs/cubev4-notes.md).
const (
	bundleTypeBasic = 1
	bundleTypeAddOn = 2
	periodDay       = 1
	periodMonth     = 2
)

func ms(t time.Time) int64 { return t.UnixMilli() }

func msPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

// bundleOf returns the bundle of an order.
func bundleOf(o *opencube.Order) Bundle {
	b := Bundle{ID: o.PlanCode, OrderID: o.ID, Name: o.PlanName, Status: bundleStatus[o.Status], Type: bundleTypeBasic,
		DataLimit: o.VolumeBytes, Cycles: o.Periods(), AddedAt: ms(o.OrderedAt), StartAt: msPtr(o.StartedAt), EndAt: msPtr(o.ExpiresAt)}
	if o.EndedAt != nil {
		b.EndAt = msPtr(o.EndedAt)
	}
	b.PeriodUnit, b.PeriodNumber = periodDay, 1
	if m := o.PlanType.Months(); m > 0 {
		b.PeriodUnit, b.PeriodNumber = periodMonth, m
	}
	if o.Status == opencube.OrderInUse || o.Status == opencube.OrderSuspended {
		used := o.UsedBytes
		b.CurrentCycleUsage = &used
	}
	return b
}

// addOnBundleOf returns the bundle of an add-on at now: type 2, one
// cycle, ending with its basic bundle's current cycle.
func addOnBundleOf(a *addon.AddOn, now time.Time) Bundle {
	b := Bundle{ID: a.PlanCode, OrderID: a.ID, Name: a.PlanName, Status: BundleEnded, Type: bundleTypeAddOn,
		DataLimit: a.VolumeBytes, PeriodUnit: periodDay, PeriodNumber: 1, Cycles: 1, AddedAt: ms(a.StartedAt),
		StartAt: msPtr(&a.StartedAt), EndAt: msPtr(&a.EndsAt)}
	if a.EndedAt != nil {
		b.EndAt = msPtr(a.EndedAt)
	}
	if a.StatusAt(now) == addon.Live {
		one, used := 1, a.UsedBytes
		b.Status, b.CurrentCycle, b.CurrentCycleUsage = BundleInUse, &one, &used
		b.CurrentCycleStartAt, b.CurrentCycleEndAt = msPtr(&a.StartedAt), msPtr(&a.EndsAt)
	}
	return b
}

// SIMItem is one SIM of the SIM list.
type SIMItem struct {
	SIMID      string     `json:"sim_id"`
	Status     int        `json:"status"`
	SIMService SIMService `json:"sim_service"`
}

// SIMService is a SIM's contract and its bundles in use.
type SIMService struct {
	Type     int      `json:"type,omitempty"`
	Contract Contract `json:"contract"`
	Bundles  []Bundle `json:"bundles"`
}

// Contract is when a SIM's service started and ends (epoch ms).
type Contract struct {
	StartAt  *int64 `json:"start_at"`
	ExpireAt *int64 `json:"expire_at,omitempty"`
	EndAt    *int64 `json:"end_at"`
}

// SIMDetail is GET /sims/{sim_id}'s data.
type SIMDetail struct {
	SIMID          string         `json:"sim_id"`
	IMEI           *string        `json:"imei"`
	DeliveryNoteNo *string        `json:"delivery_note_no"`
	DeviceName     *string        `json:"device_name"`
	Notes          *string        `json:"notes"`
	Status         int            `json:"status"`
	Tags           []string       `json:"tags"`
	Tech           int            `json:"tech"`
	Profile        []Profile      `json:"profile"`
	LatestSession  *LatestSession `json:"latest_session"`
	SIMService     SIMService     `json:"sim_service"`
	OTA            bool           `json:"ota"`
}

// Profile is one profile of a SIM.
type Profile struct {
	IMSI        string  `json:"imsi"`
	MSISDN      string  `json:"msisdn"`
	APN         *string `json:"apn"`
	EID         *string `json:"eid"`
	EUICCStatus *string `json:"euicc_status"`
}

// LatestSession is a SIM's latest data session (from RADIUS accounting).
type LatestSession struct {
	IMSI    string  `json:"imsi"`
	MSISDN  string  `json:"msisdn"`
	Status  int     `json:"status"` // 1 open, 0 closed
	Session string  `json:"session"`
	StartAt int64   `json:"start_at"`
	EndAt   *int64  `json:"end_at"`
	Country *string `json:"country"`
	MCC     *string `json:"mcc"`
	MNC     *string `json:"mnc"`
	Network *string `json:"network"`
	RAT     *string `json:"radio_access_technology"`
	IP      *string `json:"ip"`
}

// pageOf reads page_no (default 1) and page_size (1-max, default def).
func pageOf(q url.Values, def, max int) (opencube.Page, error) {
	no, err := intParam(q, "page_no", 1, 1, 1_000_000)
	if err != nil {
		return opencube.Page{}, err
	}
	size, err := intParam(q, "page_size", def, 1, max)
	if err != nil {
		return opencube.Page{}, err
	}
	return opencube.Page{Offset: (no - 1) * size, Limit: size}, nil
}

// intParam reads an integer query parameter of lo-hi, def when absent.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, opencube.OutOfRange(name, int64(lo), int64(hi))
	}
	return n, nil
}

// hadEnded reports whether a SIM without an active order had an order
// that is over (its v4 status is then Expired).
func (s *Server) hadEnded(ctx context.Context, iccid string) (bool, error) {
	os, _, err := s.Plans.FindOrders(ctx, opencube.OrderFilter{ICCID: iccid, Page: opencube.Page{Limit: 1}})
	if err != nil || len(os) == 0 {
		return false, err
	}
	switch os[0].Status {
	case opencube.OrderExpired, opencube.OrderEnded:
		return true, nil
	}
	return false, nil
}

// statusOf returns the v4 status of a device.
func (s *Server) statusOf(ctx context.Context, d *opencube.Device) (int, error) {
	ended := false
	if d.Order == nil && d.SIM.Status == opencube.SIMActive {
		var err error
		if ended, err = s.hadEnded(ctx, d.SIM.ICCID); err != nil {
			return 0, err
		}
	}
	return v4Status(d.SIM.Status, d.Order, ended), nil
}

func serviceOf(d *opencube.Device) SIMService {
	svc := SIMService{Bundles: []Bundle{}}
	if o := d.Order; o != nil {
		svc.Bundles = append(svc.Bundles, bundleOf(o))
		svc.Contract = Contract{StartAt: msPtr(o.StartedAt), EndAt: msPtr(o.ExpiresAt)}
	}
	return svc
}

// maxListScan bounds the SIMs a status-filtered list looks through.
const maxListScan = 100_000

// listSIMs is GET /sims: the enterprise's SIMs, ICCID order, optionally of
// one v4 status.
func (s *Server) listSIMs(r *request) (*answer, error) {
	q := r.URL.Query()
	if q.Has("imei") || q.Has("sn") {
		return s.lookUpSIM(r)
	}
	page, err := pageOf(q, 10, 100)
	if err != nil {
		return nil, err
	}
	want := 0
	if v := q.Get("status"); v != "" {
		want, err = strconv.Atoi(v)
		if err != nil || !slices.Contains([]int{StatusPreActive, StatusActive, StatusPaused, StatusExpired, StatusTerminated}, want) {
			return nil, opencube.MustBe("status", "10, 23, 30, 40 or 50")
		}
	}
	items := []SIMItem{}
	if want == 0 {
		ds, total, err := s.SIMs.FindDevices(r.ctx, opencube.DeviceFilter{Page: page})
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			st, err := s.statusOf(r.ctx, d)
			if err != nil {
				return nil, err
			}
			items = append(items, SIMItem{SIMID: d.SIM.ICCID, Status: st, SIMService: serviceOf(d)})
		}
		return &answer{data: items, total: &total}, nil
	}
	// A status filter maps opencube's states to v4's: it looks through the
	// enterprise's SIMs in ICCID order.
	total := 0
	for off := 0; off < maxListScan; off += 500 {
		ds, _, err := s.SIMs.FindDevices(r.ctx, opencube.DeviceFilter{Page: opencube.Page{Offset: off, Limit: 500}})
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			st, err := s.statusOf(r.ctx, d)
			if err != nil {
				return nil, err
			}
			if st != want {
				continue
			}
			if total >= page.Offset && len(items) < page.Limit {
				items = append(items, SIMItem{SIMID: d.SIM.ICCID, Status: st, SIMService: serviceOf(d)})
			}
			total++
		}
		if len(ds) < 500 {
			break
		}
	}
	return &answer{data: items, total: &total}, nil
}

// device returns the enterprise's SIM of the {sim_id} path value;
// CB-01-0001 for another enterprise's, as for a missing one (D17).
func (s *Server) device(r *request) (*opencube.Device, error) {
	id := r.PathValue("sim_id")
	if !opencube.Digits(id, 18, 22) {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", id)
	}
	return s.SIMs.FindDevice(r.ctx, id)
}

// findSIM is GET /sims/{sim_id}.
func (s *Server) findSIM(r *request) (*answer, error) {
	d, err := s.device(r)
	if err != nil {
		return nil, err
	}
	st, err := s.statusOf(r.ctx, d)
	if err != nil {
		return nil, err
	}
	out := SIMDetail{SIMID: d.SIM.ICCID, Status: st, Tags: []string{}, Tech: 1, OTA: d.SIM.OTA,
		Profile:    []Profile{{IMSI: d.SIM.IMSI, MSISDN: d.SIM.MSISDN}},
		SIMService: serviceOf(d)}
	out.SIMService.Type = 1
	if s.Labels != nil {
		l, err := s.Labels.Find(r.ctx, d.SIM.ICCID)
		if err != nil {
			return nil, err
		}
		out.Tags, out.Notes, out.DeviceName = l.Tags, optional(l.Notes), optional(l.DeviceName)
	}
	if ss := d.Session; ss != nil {
		ls := &LatestSession{IMSI: ss.IMSI, MSISDN: d.SIM.MSISDN, Status: 1, Session: ss.ID, StartAt: ms(ss.StartedAt)}
		if ss.State != opencube.SessionOpen {
			ls.Status = 0
			ls.EndAt = msPtr(&ss.LastAt)
		}
		str := func(v string) *string {
			if v == "" {
				return nil
			}
			return &v
		}
		ls.Network, ls.RAT, ls.IP = str(ss.Network), str(ss.RAT), str(ss.IP)
		// MCC and MNC: the serving network's (3GPP-SGSN-MCC-MNC), else
		// the location's (3GPP-User-Location-Info).
		for _, n := range []string{ss.Network, ss.Location} {
			if opencube.Digits(n, 5, 6) {
				ls.MCC, ls.MNC, ls.Country = str(n[:3]), str(n[3:]), str(countries[n[:3]])
				break
			}
		}
		out.IMEI = str(ss.IMEI)
		out.LatestSession = ls
	}
	return &answer{data: out}, nil
}

// SIMStatus is GET /sims/{sim_id}/status's data.
type SIMStatus struct {
	SIMID   string `json:"sim_id"`
	Status  int    `json:"status"`
	Pending bool   `json:"pending"`
}

// simStatus is GET /sims/{sim_id}/status.
func (s *Server) simStatus(r *request) (*answer, error) {
	d, err := s.device(r)
	if err != nil {
		return nil, err
	}
	st, err := s.statusOf(r.ctx, d)
	if err != nil {
		return nil, err
	}
	pending, err := s.pending(r.ctx, d.SIM.ICCID)
	if err != nil {
		return nil, err
	}
	return &answer{data: SIMStatus{SIMID: d.SIM.ICCID, Status: st, Pending: pending}}, nil
}

// listBundles is GET /sims/{sim_id}/bundles: the SIM's orders, newest
// first, optionally of some bundle states (status=0,1,2).
func (s *Server) listBundles(r *request) (*answer, error) {
	d, err := s.device(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	page, err := pageOf(q, 10, 100)
	if err != nil {
		return nil, err
	}
	var states []int
	if v := strings.Join(q["status"], ","); v != "" {
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < BundleNotStarted || n > BundleEnded {
				return nil, opencube.MustBe("status", "a comma list of 0-3")
			}
			states = append(states, n)
		}
	}
	var all []Bundle
	for off := 0; ; off += 500 {
		os, _, err := s.Plans.FindOrders(r.ctx, opencube.OrderFilter{ICCID: d.SIM.ICCID, Page: opencube.Page{Offset: off, Limit: 500}})
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			b := bundleOf(o)
			if len(states) == 0 || slices.Contains(states, b.Status) {
				all = append(all, b)
			}
		}
		if len(os) < 500 {
			break
		}
	}
	if s.AddOns != nil {
		as, err := s.AddOns.Find(r.ctx, d.SIM.ICCID)
		if err != nil {
			return nil, err
		}
		now := s.businessNow()
		for _, a := range as {
			if b := addOnBundleOf(a, now); len(states) == 0 || slices.Contains(states, b.Status) {
				all = append(all, b)
			}
		}
		// Newest first, add-ons among the orders.
		slices.SortStableFunc(all, func(a, b Bundle) int { return cmp.Compare(b.AddedAt, a.AddedAt) })
	}
	total := len(all)
	items := []Bundle{}
	if page.Offset < total {
		items = all[page.Offset:min(total, page.Offset+page.Limit)]
	}
	return &answer{data: items, total: &total}, nil
}

// RemainingData is GET /sims/{sim_id}/remaining_data's data (bytes, ms).
type RemainingData struct {
	SIMID        string  `json:"sim_id"`
	BundleID     *string `json:"bundle_id"`
	DataLimit    int64   `json:"data_limit"`
	Used         int64   `json:"used"`
	Remaining    int64   `json:"remaining"`
	CycleStartAt *int64  `json:"cycle_start_at"`
	CycleEndAt   *int64  `json:"cycle_end_at"`
}

// remainingData is GET /sims/{sim_id}/remaining_data: the in-use bundle's
// volume, used and left.
func (s *Server) remainingData(r *request) (*answer, error) {
	d, err := s.device(r)
	if err != nil {
		return nil, err
	}
	us, err := s.SIMs.DeviceUsage(r.ctx, []string{d.SIM.ICCID})
	if err != nil {
		return nil, err
	}
	out := RemainingData{SIMID: d.SIM.ICCID}
	if len(us) == 1 && us[0].Device.Order != nil {
		o := us[0].Device.Order
		code := o.PlanCode
		out.BundleID, out.DataLimit, out.Used, out.Remaining = &code, o.VolumeBytes+us[0].AddOnBytes, us[0].UsedBytes, us[0].RemainingBytes
		out.CycleStartAt, out.CycleEndAt = msPtr(o.StartedAt), msPtr(o.ExpiresAt)
	}
	return &answer{data: out}, nil
}
