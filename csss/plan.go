package csss

import (
	"context"
	"strconv"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/money"
)

// Routes is the route table of the CSSS protocol: every endpoint, in one
// place. Paths not found in the public docs use docs/csss.md (D1).
// Bodies are capped at DefaultMaxBody but for sendSms (SMSMaxBody) and the
// routes whose deviceList may be as long as a bulk order's (BulkBaseBody
// and DeviceBytes a device of Server.MaxBulk); the batch usage queries
// take up to 100 devices, which DefaultMaxBody holds.
var Routes = []Route{
	{Path: "/package/queryPackage", Summary: "Get data plans", Fields: []string{"package_code", "page_no", "page_size"}, handle: (*Server).queryPackage},
	{Path: "/package/orderPackage", ClaimInTx: true, answerOrder: orderAnswer, Summary: "Order data plan", Sign: SignNull, Fields: orderFields, handle: (*Server).orderPackage},
	{Path: "/package/batchOrderPackages", ClaimInTx: true, answerOrders: batchAnswer, Summary: "Bulk order package", Sign: SignNone, Fields: append([]string{"deviceList"}, orderFields[1:]...), MaxBody: BulkBaseBody, BodyPerDevice: DeviceBytes, handle: (*Server).batchOrderPackages},
	{Path: "/package/renewPackage", ClaimInTx: true, answerOrder: renewAnswer, Summary: "Renew your data plan", Fields: []string{"order_id", "renew_period"}, handle: (*Server).renewPackage},
	{Path: "/package/queryOrder", Summary: "Query the package order information", Fields: []string{"device_id", "order_id", "order_status", "order_type", "page_no", "page_size"}, handle: (*Server).queryOrder},
	{Path: "/package/openOrder", ClaimInTx: true, answerOrder: orderAnswer, Summary: "Enable the order", Fields: []string{"order_id", "device_id"}, handle: (*Server).openOrder},
	{Path: "/package/cancelOrder", ClaimInTx: true, answerOrder: statusAnswer, Summary: "Cancel an unenabled package order", Fields: []string{"order_id"}, handle: (*Server).cancelOrder},
	{Path: "/package/endOrder", ClaimInTx: true, answerOrder: statusAnswer, Summary: "End package orders early", Fields: []string{"order_id", "device_id", "keep_alive"}, handle: (*Server).endOrder},
	{Path: "/device/pauseService", ClaimInTx: true, answerOrder: statusAnswer, Summary: "[Deprecated] Suspend the plan order", Fields: []string{"device_id", "order_id"}, handle: (*Server).pauseService},
	{Path: "/device/resumeService", ClaimInTx: true, answerOrder: statusAnswer, Summary: "[Deprecated] Resume the plan order", Fields: []string{"device_id", "order_id"}, handle: (*Server).resumeService},
	{Path: "/package/queryDevicePackages", Summary: "[Deprecated] Paginated query of orderable plans", Fields: []string{"deviceList", "device_id", "page_no", "page_size"}, MaxBody: BulkBaseBody, BodyPerDevice: DeviceBytes, handle: (*Server).queryDevicePackages},
	{Path: "/package/createOtaOrder", ClaimInTx: true, answerOrder: orderAnswer, Summary: "Order OTA plan", Sign: SignNull, Fields: append(append([]string{}, orderFields...), "mcc", "days", "timing_type"), handle: (*Server).createOtaOrder},
	// SIM section (sim.go).
	{Path: "/device/queryDeviceList", Summary: "Get all SIM cards info", Fields: []string{"page_no", "page_size"}, handle: (*Server).queryDeviceList},
	{Path: "/device/queryDeviceInfo", Summary: "Get real-time info about one SIM card", Fields: []string{"device_id"}, handle: (*Server).queryDeviceInfo},
	{Path: "/device/queryUsingDeviceList", Summary: "Get the SIM cards in use", Fields: []string{"page_no", "page_size"}, handle: (*Server).queryUsingDeviceList},
	// Usage section (usage.go); every answer carries as_of, the time up to
	// which usage is complete.
	{Path: "/flow/queryDeviceFlowUsage", Summary: "Query the traffic usage of a single SIM card", Fields: []string{"device_id"}, handle: (*Server).queryDeviceFlowUsage},
	{Path: "/flow/batchQueryDeviceFlowUsage", Summary: "Batch querying SIM card usage", Fields: []string{"deviceList"}, handle: (*Server).batchQueryDeviceFlowUsage},
	{Path: "/flow/queryDeviceDailyFlow", Summary: "Query the daily usage", Fields: []string{"device_id", "date"}, handle: (*Server).queryDeviceDailyFlow},
	{Path: "/flow/batchQueryMonthFlow", Summary: "Batch querying the usage in a specified month", Fields: []string{"deviceList", "month"}, handle: (*Server).batchQueryMonthFlow},
	{Path: "/flow/getInfoByDeviceId", Summary: "Query the remaining data by MNO side", Fields: []string{"device_id"}, handle: (*Server).getInfoByDeviceId},
	// SMS section (sms.go).
	{Path: "/sms/sendSms", ClaimInTx: true, answerSMS: smsAnswer, Summary: "Send SMS", Fields: []string{"content", "device_id", "sms_type"}, MaxBody: SMSMaxBody, handle: (*Server).sendSms},
	{Path: "/sms/querySms", Summary: "Query SMS records", Fields: []string{"device_id", "direction", "end_time", "page_no", "page_size", "start_time", "state"}, handle: (*Server).querySms},
}

var orderFields = []string{"device_id", "global_order", "is_open", "order_period", "package_code", "package_name", "package_type", "pay_amount", "pay_rst", "pay_type", "test_flow", "test_flow_flag"}

// orderRequest reads the fields orderPackage, batchOrderPackages and
// createOtaOrder share.
func orderRequest(v *validator, amountRequired, payTypeRequired bool) opencube.OrderRequest {
	r := opencube.OrderRequest{
		GlobalOrder: v.enum("global_order", true),
		Open:        v.enum("is_open", true) == "1",
		OrderPeriod: v.int("order_period", true),
		PlanCode:    v.str("package_code", true),
		PlanName:    v.str("package_name", true),
	}
	t := v.enum("package_type", true)
	n, _ := strconv.Atoi(t)
	r.PlanType = opencube.PlanType(n)
	if amount := v.str("pay_amount", amountRequired); amount != "" {
		minor, ok := ParseAmount(amount)
		if !ok {
			v.fail("pay_amount")
		}
		r.PayAmountMinor = minor
	}
	r.PayRst = v.enum("pay_rst", true)
	r.PayType = v.enum("pay_type", payTypeRequired)
	r.TestFlow = v.str("test_flow", true)
	if !opencube.ValidTestFlow(r.TestFlow) {
		v.fail("test_flow")
	}
	r.TestFlowFlag = v.enum("test_flow_flag", true)
	return r
}

// OrderData is the data of the orderPackage, createOtaOrder and openOrder
// answers: the order and its UTC+8 YYYYMMDD dates, null when not set.
type OrderData struct {
	OrderID         string  `json:"order_id"`
	OrderStartDate  *string `json:"order_start_date"`
	OrderExpireDate *string `json:"order_expire_date"`
}

func newOrderData(o *opencube.Order) OrderData {
	return OrderData{OrderID: o.ID, OrderStartDate: compactDate(o.StartedAt), OrderExpireDate: compactDate(o.ExpiresAt)}
}

// orderAnswer is the answer of the routes that place or enable an order
// (Route.answerOrder).
func orderAnswer(o *opencube.Order) any { return newOrderData(o) }

func (s *Server) orderPackage(ctx context.Context, v *validator) (any, error) {
	iccid := v.str("device_id", true)
	r := orderRequest(v, true, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	r.ICCID = iccid
	o, err := v.plans.OrderPlan(billing.WithCustomerAmount(ctx), r)
	if err != nil {
		return nil, err
	}
	return orderAnswer(o), nil
}

func (s *Server) createOtaOrder(ctx context.Context, v *validator) (any, error) {
	iccid := v.str("device_id", true)
	r := orderRequest(v, true, true)
	if r.MCC = v.str("mcc", false); r.MCC != "" && (len(r.MCC) != 3 || strings.Trim(r.MCC, "0123456789") != "") {
		v.fail("mcc")
	}
	r.Days = v.int("days", true)
	r.TimingType = opencube.TimingType(v.int("timing_type", true))
	if err := v.err(); err != nil {
		return nil, err
	}
	r.ICCID = iccid
	o, err := v.plans.OrderPlan(billing.WithCustomerAmount(ctx), r)
	if err != nil {
		return nil, err
	}
	return orderAnswer(o), nil
}

// DeviceOrder is one item of batchOrderPackages' device_order: the order
// placed for one SIM, or the error that refused it.
type DeviceOrder struct {
	Error           string  `json:"error"`
	ErrorMsg        string  `json:"errorMsg"`
	OrderID         *string `json:"order_id"`
	DeviceID        string  `json:"device_id"`
	OrderStartDate  *string `json:"order_start_date"`
	OrderExpireDate *string `json:"order_expire_date"`
}

// BatchOrderData is the data of the batchOrderPackages answer.
type BatchOrderData struct {
	DeviceOrder []DeviceOrder `json:"device_order"`
}

func (s *Server) batchOrderPackages(ctx context.Context, v *validator) (any, error) {
	list := v.list("deviceList", true)
	r := orderRequest(v, false, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	orders, err := v.plans.OrderPlans(billing.WithCustomerAmount(ctx), opencube.BulkOrderRequest{OrderRequest: r, ICCIDs: list})
	if e, ok := err.(*opencube.Error); ok && e.Kind == opencube.KindBulkRejected {
		out := BatchOrderData{DeviceOrder: []DeviceOrder{}}
		for _, f := range e.Failures {
			code, msg := ErrorMessage(f.Err, LangEN)
			out.DeviceOrder = append(out.DeviceOrder, DeviceOrder{Error: code, ErrorMsg: msg, DeviceID: f.ICCID})
		}
		return out, err
	}
	if err != nil {
		return nil, err
	}
	return batchAnswer(orders), nil
}

// batchAnswer is the answer of batchOrderPackages (Route.answerOrders).
func batchAnswer(orders []*opencube.Order) any {
	out := BatchOrderData{DeviceOrder: make([]DeviceOrder, 0, len(orders))}
	for _, o := range orders {
		d := newOrderData(o)
		out.DeviceOrder = append(out.DeviceOrder, DeviceOrder{
			Error: CodeOK, ErrorMsg: Message(CodeOK, LangEN, ""), OrderID: &d.OrderID, DeviceID: o.ICCID,
			OrderStartDate: d.OrderStartDate, OrderExpireDate: d.OrderExpireDate,
		})
	}
	return out
}

// RenewData is the data of the renewPackage answer; the expiry date is
// UTC+8 `yyyy-MM-dd HH:mm:ss`.
type RenewData struct {
	OrderExpireDate *string `json:"order_expire_date"`
	OrderID         string  `json:"order_id"`
}

func (s *Server) renewPackage(ctx context.Context, v *validator) (any, error) {
	id := v.str("order_id", true)
	n := v.int("renew_period", true)
	if err := v.err(); err != nil {
		return nil, err
	}
	o, err := v.plans.RenewOrder(ctx, id, n)
	if err != nil {
		return nil, err
	}
	return renewAnswer(o), nil
}

// renewAnswer is the answer of renewPackage (Route.answerOrder).
func renewAnswer(o *opencube.Order) any {
	return RenewData{OrderExpireDate: longDate(o.ExpiresAt), OrderID: o.ID}
}

// PageInfo is the `page` object of paged answers.
type PageInfo struct {
	CurPageNo  int `json:"cur_page_no"`
	PageSize   int `json:"page_size"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

func newPage(no, size, total int) PageInfo {
	pages := 0
	if size > 0 {
		pages = (total + size - 1) / size
	}
	return PageInfo{CurPageNo: no, PageSize: size, TotalCount: total, TotalPages: pages}
}

// paging reads page_no (1-MaxPageNo) and page_size (D23: 1-100).
func paging(v *validator, required bool) (no, size int) {
	no = v.int("page_no", required)
	size = v.int("page_size", required)
	if no == 0 || size == 0 {
		if (no == 0) != (size == 0) {
			v.fail("page_size")
			if no == 0 {
				v.fail("page_no")
			}
		}
	}
	return no, size
}

// OrderItem is one item of queryOrder's package_order (D24).
type OrderItem struct {
	OrderID     string `json:"orderId"`
	OrderCode   string `json:"orderCode"`
	DeviceID    string `json:"deviceId"`
	IMSI        string `json:"imsi"`
	PackageCode string `json:"packageCode"`
	PackageName string `json:"packageName"`
	PackageType string `json:"packageType"`
	BuyType     string `json:"buyType"`
	OrderType   string `json:"orderType"`
	OrderStatus string `json:"orderStatus"`
	OrderPeriod string `json:"orderPeriod"`
	RenewPeriod string `json:"renewPeriod"`
	Flow        string `json:"flow"`
	UsedFlow    string `json:"usedFlow"`
	SurplusFlow string `json:"surplusFlow"`
	OrderDate   string `json:"orderDate"`
	StartDate   string `json:"startDate"`
	OpenDate    string `json:"openDate"`
	ExpireDate  string `json:"expireDate"`
	PayAmount   string `json:"payAmount"`
	PayRst      string `json:"payRst"`
	PayType     string `json:"payType"`
	IsOTA       string `json:"isOta"`
}

func newOrderItem(o *opencube.Order) OrderItem {
	ota := "0"
	if o.OTA {
		ota = "1"
	}
	buy := strconv.Itoa(int(o.BuyType))
	var startDay *string
	if o.StartedAt != nil {
		d := o.StartedAt.In(opencube.BusinessZone).Format("2006-01-02") + " 00:00:00"
		startDay = &d
	}
	start := ""
	if startDay != nil {
		start = *startDay
	}
	return OrderItem{
		OrderID: o.ID, OrderCode: o.Code, DeviceID: o.ICCID, IMSI: o.IMSI,
		PackageCode: o.PlanCode, PackageName: o.PlanName, PackageType: strconv.Itoa(int(o.PlanType)),
		BuyType: buy, OrderType: buy, OrderStatus: strconv.Itoa(int(o.Status)),
		OrderPeriod: strconv.Itoa(o.OrderPeriod), RenewPeriod: strconv.Itoa(o.RenewPeriod),
		Flow: FormatMB(o.VolumeBytes), UsedFlow: FormatMB(o.UsedBytes), SurplusFlow: FormatMB(max(o.VolumeBytes-o.UsedBytes, 0)),
		OrderDate: itemDate(&o.OrderedAt), StartDate: start, OpenDate: itemDate(o.StartedAt), ExpireDate: itemDate(o.ExpiresAt),
		PayAmount: money.Format(o.PayAmountMinor), PayRst: o.PayRst, PayType: o.PayType, IsOTA: ota,
	}
}

// QueryOrderData is the data of the queryOrder answer.
type QueryOrderData struct {
	Page            PageInfo    `json:"page"`
	PackageOrder    []OrderItem `json:"package_order"`
	PackageOrderNum int         `json:"package_order_num"`
}

func (s *Server) queryOrder(ctx context.Context, v *validator) (any, error) {
	f := opencube.OrderFilter{
		ICCID:   v.str("device_id", false),
		OrderID: v.str("order_id", false),
	}
	f.Status = opencube.OrderStatus(v.int("order_status", false))
	f.BuyType = opencube.BuyType(v.int("order_type", false))
	no, size := paging(v, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	f.Page = opencube.PageOf(no, size)
	orders, total, err := s.Plans.FindOrders(ctx, f)
	if err != nil {
		return nil, err
	}
	out := QueryOrderData{Page: newPage(no, size, total), PackageOrder: make([]OrderItem, 0, len(orders)), PackageOrderNum: len(orders)}
	for _, o := range orders {
		out.PackageOrder = append(out.PackageOrder, newOrderItem(o))
	}
	return out, nil
}

func (s *Server) openOrder(ctx context.Context, v *validator) (any, error) {
	id := v.str("order_id", true)
	iccid := v.str("device_id", false)
	if err := v.err(); err != nil {
		return nil, err
	}
	o, err := v.plans.EnableOrder(ctx, id, iccid)
	if err != nil {
		return nil, err
	}
	return orderAnswer(o), nil
}

// StatusData is the data of the answers of the calls that move an order
// (cancelOrder, endOrder, pauseService, resumeService).
type StatusData struct {
	OrderID     string `json:"order_id"`
	DeviceID    string `json:"device_id"`
	OrderStatus string `json:"order_status"`
}

func newStatusData(o *opencube.Order) StatusData {
	return StatusData{OrderID: o.ID, DeviceID: o.ICCID, OrderStatus: strconv.Itoa(int(o.Status))}
}

// statusAnswer is the answer of the routes that move an order
// (Route.answerOrder).
func statusAnswer(o *opencube.Order) any { return newStatusData(o) }

func (s *Server) cancelOrder(ctx context.Context, v *validator) (any, error) {
	id := v.str("order_id", true)
	if err := v.err(); err != nil {
		return nil, err
	}
	o, err := v.plans.CancelOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	return statusAnswer(o), nil
}

func (s *Server) endOrder(ctx context.Context, v *validator) (any, error) {
	r := opencube.EndOrderRequest{
		OrderID:   v.str("order_id", false),
		ICCID:     v.str("device_id", false),
		KeepAlive: v.enum("keep_alive", false) == "1",
	}
	if r.OrderID == "" && r.ICCID == "" {
		v.fail("order_id")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	o, err := v.plans.EndOrder(ctx, r)
	if err != nil {
		return nil, err
	}
	return statusAnswer(o), nil
}

func (s *Server) pauseService(ctx context.Context, v *validator) (any, error) {
	return s.deviceMove(ctx, v, v.plans.SuspendOrder)
}

func (s *Server) resumeService(ctx context.Context, v *validator) (any, error) {
	return s.deviceMove(ctx, v, v.plans.ResumeOrder)
}

func (s *Server) deviceMove(ctx context.Context, v *validator, move func(context.Context, string, string) (*opencube.Order, error)) (any, error) {
	iccid := v.str("device_id", true)
	id := v.str("order_id", false)
	if err := v.err(); err != nil {
		return nil, err
	}
	o, err := move(ctx, iccid, id)
	if err != nil {
		return nil, err
	}
	return statusAnswer(o), nil
}

// PlanItem is one plan of queryPackage and queryDevicePackages.
type PlanItem struct {
	PackageCode     string   `json:"package_code"`
	PackageName     string   `json:"package_name"`
	PackageType     string   `json:"package_type"`
	Flow            string   `json:"flow"`
	Price           string   `json:"price"`
	Currency        string   `json:"currency"`
	OrderPeriodUnit string   `json:"order_period_unit"`
	IsOTA           string   `json:"is_ota"`
	CoverCountries  []string `json:"cover_countries"`
}

func newPlanItem(p *opencube.Plan) PlanItem {
	unit := "day"
	switch p.Type.Months() {
	case 1:
		unit = "month"
	case 3:
		unit = "3 months"
	case 6:
		unit = "6 months"
	case 12:
		unit = "year"
	}
	ota := "0"
	if p.OTA {
		ota = "1"
	}
	countries := p.Countries
	if countries == nil {
		countries = []string{}
	}
	return PlanItem{
		PackageCode: p.Code, PackageName: p.Name, PackageType: strconv.Itoa(int(p.Type)),
		Flow: FormatMB(p.VolumeBytes), Price: money.Format(p.PriceMinor), Currency: p.Currency,
		OrderPeriodUnit: unit, IsOTA: ota, CoverCountries: countries,
	}
}

func planItems(plans []*opencube.Plan) []PlanItem {
	out := make([]PlanItem, 0, len(plans))
	for _, p := range plans {
		out = append(out, newPlanItem(p))
	}
	return out
}

// QueryPackageData is the data of the queryPackage answer.
type QueryPackageData struct {
	Page        PageInfo   `json:"page"`
	PackageList []PlanItem `json:"package_list"`
}

func (s *Server) queryPackage(ctx context.Context, v *validator) (any, error) {
	code := v.str("package_code", false)
	no, size := paging(v, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	f := opencube.PlanFilter{Code: code}
	if size > 0 {
		f.Page = opencube.PageOf(no, size)
	}
	plans, total, err := s.Plans.FindPlans(ctx, f)
	if err != nil {
		return nil, err
	}
	if size == 0 {
		no, size = 1, max(total, 1)
	}
	return QueryPackageData{Page: newPage(no, size, total), PackageList: planItems(plans)}, nil
}

// DevicePackage is one item of queryDevicePackages' device_package: the
// plans one SIM can order.
type DevicePackage struct {
	DeviceID    string     `json:"device_id"`
	PackageList []PlanItem `json:"package_list"`
}

// QueryDevicePackagesData is the data of the queryDevicePackages answer.
type QueryDevicePackagesData struct {
	Page          PageInfo        `json:"page"`
	DevicePackage []DevicePackage `json:"device_package"`
}

func (s *Server) queryDevicePackages(ctx context.Context, v *validator) (any, error) {
	list := v.list("deviceList", false)
	if id := v.str("device_id", false); id != "" {
		list = append(list, id)
	}
	if len(list) > MaxDevicePlansList {
		v.fail("deviceList")
	}
	no, size := paging(v, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, id := range list {
		if seen[id] {
			return nil, opencube.Invalid("deviceList", "repeated ICCID %s", id).Because(opencube.CauseDeviceListRepeat, id)
		}
		seen[id] = true
	}
	dps, total, err := s.Plans.FindDevicePlans(ctx, list, opencube.PageOf(no, size))
	if err != nil {
		return nil, err
	}
	out := QueryDevicePackagesData{Page: newPage(no, size, total), DevicePackage: make([]DevicePackage, 0, len(dps))}
	for _, dp := range dps {
		out.DevicePackage = append(out.DevicePackage, DevicePackage{DeviceID: dp.ICCID, PackageList: planItems(dp.Plans)})
	}
	return out, nil
}
