package client

import (
	"context"
	"strconv"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
)

var _ opencube.PlanService = (*Client)(nil)

// wireOrder is the order data of orderPackage, createOtaOrder, openOrder,
// renewPackage, the moves, and the bulk items.
type wireOrder struct {
	Error           string  `json:"error"`
	ErrorMsg        string  `json:"errorMsg"`
	OrderID         *string `json:"order_id"`
	DeviceID        string  `json:"device_id"`
	OrderStatus     string  `json:"order_status"`
	OrderStartDate  *string `json:"order_start_date"`
	OrderExpireDate *string `json:"order_expire_date"`
}

func parseDay(s *string, h, m, sec int) *time.Time {
	if s == nil || *s == "" {
		return nil
	}
	for _, layout := range []string{"20060102", time.DateTime} {
		if t, err := time.ParseInLocation(layout, *s, opencube.BusinessZone); err == nil {
			if layout == "20060102" {
				t = t.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second)
			}
			return &t
		}
	}
	return nil
}

func (w *wireOrder) order() *opencube.Order {
	o := &opencube.Order{ICCID: w.DeviceID}
	if w.OrderID != nil {
		o.ID = *w.OrderID
	}
	if n, err := strconv.Atoi(w.OrderStatus); err == nil {
		o.Status = opencube.OrderStatus(n)
	}
	o.StartedAt = parseDay(w.OrderStartDate, 0, 0, 0)
	o.ExpiresAt = parseDay(w.OrderExpireDate, 23, 59, 59)
	return o
}

func orderParams(r opencube.OrderRequest) map[string]any {
	open := "0"
	if r.Open {
		open = "1"
	}
	p := map[string]any{
		"global_order": or(r.GlobalOrder, "0"), "is_open": open, "order_period": strconv.Itoa(r.OrderPeriod),
		"package_code": r.PlanCode, "package_name": r.PlanName, "package_type": strconv.Itoa(int(r.PlanType)),
		"pay_amount": csss.FormatAmount(r.PayAmountMinor), "pay_rst": or(r.PayRst, "2"), "pay_type": r.PayType,
		"test_flow": or(r.TestFlow, "0"), "test_flow_flag": or(r.TestFlowFlag, "0"),
	}
	if r.ICCID != "" {
		p["device_id"] = r.ICCID
	}
	return p
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// OrderPlan implements opencube.PlanService (orderPackage, or createOtaOrder
// when r.Days is set).
func (c *Client) OrderPlan(ctx context.Context, r opencube.OrderRequest) (*opencube.Order, error) {
	p, path := orderParams(r), "/package/orderPackage"
	if r.Days > 0 {
		path = "/package/createOtaOrder"
		p["days"] = r.Days
		p["timing_type"] = strconv.Itoa(int(r.TimingType))
		p["mcc"] = r.MCC
	}
	var w wireOrder
	if err := c.Call(ctx, path, p, &w); err != nil {
		return nil, err
	}
	o := w.order()
	o.ICCID = r.ICCID
	// orderPackage answers no status: it follows from is_open.
	o.Status = opencube.OrderNotEnabled
	if r.Open {
		o.Status = opencube.OrderInUse
	}
	return o, nil
}

// OrderPlans implements opencube.PlanService (batchOrderPackages).
func (c *Client) OrderPlans(ctx context.Context, r opencube.BulkOrderRequest) ([]*opencube.Order, error) {
	p := orderParams(r.OrderRequest)
	p["deviceList"] = r.ICCIDs
	var w struct {
		DeviceOrder []wireOrder `json:"device_order"`
	}
	if err := c.Call(ctx, "/package/batchOrderPackages", p, &w); err != nil {
		return nil, err
	}
	out := make([]*opencube.Order, 0, len(w.DeviceOrder))
	for i := range w.DeviceOrder {
		o := w.DeviceOrder[i].order()
		o.Status = opencube.OrderNotEnabled
		if r.Open {
			o.Status = opencube.OrderInUse
		}
		out = append(out, o)
	}
	return out, nil
}

// RenewOrder implements opencube.PlanService (renewPackage).
func (c *Client) RenewOrder(ctx context.Context, orderID string, periods int) (*opencube.Order, error) {
	return c.orderCall(ctx, "/package/renewPackage", map[string]any{"order_id": orderID, "renew_period": periods})
}

func (c *Client) orderCall(ctx context.Context, path string, p map[string]any) (*opencube.Order, error) {
	var w wireOrder
	if err := c.Call(ctx, path, p, &w); err != nil {
		return nil, err
	}
	return w.order(), nil
}

// EnableOrder implements opencube.PlanService (openOrder).
func (c *Client) EnableOrder(ctx context.Context, orderID, iccid string) (*opencube.Order, error) {
	o, err := c.orderCall(ctx, "/package/openOrder", map[string]any{"order_id": orderID, "device_id": iccid})
	if err != nil {
		return nil, err
	}
	// openOrder answers no status: success means the order is in use.
	o.Status = opencube.OrderInUse
	return o, nil
}

// CancelOrder implements opencube.PlanService (cancelOrder).
func (c *Client) CancelOrder(ctx context.Context, orderID string) (*opencube.Order, error) {
	return c.orderCall(ctx, "/package/cancelOrder", map[string]any{"order_id": orderID})
}

// EndOrder implements opencube.PlanService (endOrder).
func (c *Client) EndOrder(ctx context.Context, r opencube.EndOrderRequest) (*opencube.Order, error) {
	keep := "0"
	if r.KeepAlive {
		keep = "1"
	}
	return c.orderCall(ctx, "/package/endOrder", map[string]any{"order_id": r.OrderID, "device_id": r.ICCID, "keep_alive": keep})
}

// SuspendOrder implements opencube.PlanService (pauseService).
func (c *Client) SuspendOrder(ctx context.Context, iccid, orderID string) (*opencube.Order, error) {
	return c.orderCall(ctx, "/device/pauseService", map[string]any{"device_id": iccid, "order_id": orderID})
}

// ResumeOrder implements opencube.PlanService (resumeService).
func (c *Client) ResumeOrder(ctx context.Context, iccid, orderID string) (*opencube.Order, error) {
	return c.orderCall(ctx, "/device/resumeService", map[string]any{"device_id": iccid, "order_id": orderID})
}

// wirePage is the page object of paged answers.
type wirePage struct {
	CurPageNo  int `json:"cur_page_no"`
	PageSize   int `json:"page_size"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

// pageParams turns a Page back into page_no and page_size.
func pageParams(p map[string]any, page opencube.Page) {
	if page.Limit > 0 {
		p["page_no"] = page.Offset/page.Limit + 1
		p["page_size"] = page.Limit
	}
}

type wireItem struct {
	OrderID     string `json:"orderId"`
	OrderCode   string `json:"orderCode"`
	DeviceID    string `json:"deviceId"`
	IMSI        string `json:"imsi"`
	PackageCode string `json:"packageCode"`
	PackageName string `json:"packageName"`
	PackageType string `json:"packageType"`
	BuyType     string `json:"buyType"`
	OrderStatus string `json:"orderStatus"`
	OrderPeriod string `json:"orderPeriod"`
	RenewPeriod string `json:"renewPeriod"`
	OrderDate   string `json:"orderDate"`
	OpenDate    string `json:"openDate"`
	ExpireDate  string `json:"expireDate"`
	PayRst      string `json:"payRst"`
	PayType     string `json:"payType"`
	IsOTA       string `json:"isOta"`
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func (w *wireItem) order() *opencube.Order {
	o := &opencube.Order{
		ID: w.OrderID, Code: w.OrderCode, ICCID: w.DeviceID, IMSI: w.IMSI, PlanCode: w.PackageCode,
		PlanName: w.PackageName, PlanType: opencube.PlanType(atoi(w.PackageType)), BuyType: opencube.BuyType(atoi(w.BuyType)),
		Status: opencube.OrderStatus(atoi(w.OrderStatus)), OrderPeriod: atoi(w.OrderPeriod), RenewPeriod: atoi(w.RenewPeriod),
		PayRst: w.PayRst, PayType: w.PayType, OTA: w.IsOTA == "1",
		StartedAt: parseDay(&w.OpenDate, 0, 0, 0), ExpiresAt: parseDay(&w.ExpireDate, 0, 0, 0),
	}
	if t := parseDay(&w.OrderDate, 0, 0, 0); t != nil {
		o.OrderedAt = *t
	}
	return o
}

// FindOrders implements opencube.PlanService (queryOrder). The filter's
// page must have a Limit (page_size is required on the wire).
func (c *Client) FindOrders(ctx context.Context, f opencube.OrderFilter) ([]*opencube.Order, int, error) {
	p := map[string]any{"device_id": f.ICCID, "order_id": f.OrderID}
	if f.Status != 0 {
		p["order_status"] = strconv.Itoa(int(f.Status))
	}
	if f.BuyType != 0 {
		p["order_type"] = strconv.Itoa(int(f.BuyType))
	}
	pageParams(p, f.Page)
	var w struct {
		Page         wirePage   `json:"page"`
		PackageOrder []wireItem `json:"package_order"`
	}
	if err := c.Call(ctx, "/package/queryOrder", p, &w); err != nil {
		return nil, 0, err
	}
	out := make([]*opencube.Order, 0, len(w.PackageOrder))
	for i := range w.PackageOrder {
		out = append(out, w.PackageOrder[i].order())
	}
	return out, w.Page.TotalCount, nil
}

type wirePlan struct {
	PackageCode    string   `json:"package_code"`
	PackageName    string   `json:"package_name"`
	PackageType    string   `json:"package_type"`
	Flow           string   `json:"flow"`
	Price          string   `json:"price"`
	Currency       string   `json:"currency"`
	IsOTA          string   `json:"is_ota"`
	CoverCountries []string `json:"cover_countries"`
}

func plans(ws []wirePlan) []*opencube.Plan {
	out := make([]*opencube.Plan, 0, len(ws))
	for _, w := range ws {
		price, _ := csss.ParseAmount(w.Price)
		mb, _ := strconv.ParseFloat(w.Flow, 64)
		out = append(out, &opencube.Plan{
			Code: w.PackageCode, Name: w.PackageName, Type: opencube.PlanType(atoi(w.PackageType)),
			VolumeBytes: int64(mb*opencube.MB + 0.5), PriceMinor: price, Currency: w.Currency, OTA: w.IsOTA == "1",
			Countries: w.CoverCountries,
		})
	}
	return out
}

// FindPlans implements opencube.PlanService (queryPackage).
func (c *Client) FindPlans(ctx context.Context, f opencube.PlanFilter) ([]*opencube.Plan, int, error) {
	p := map[string]any{"package_code": f.Code}
	pageParams(p, f.Page)
	var w struct {
		Page        wirePage   `json:"page"`
		PackageList []wirePlan `json:"package_list"`
	}
	if err := c.Call(ctx, "/package/queryPackage", p, &w); err != nil {
		return nil, 0, err
	}
	return plans(w.PackageList), w.Page.TotalCount, nil
}

// FindDevicePlans implements opencube.PlanService (queryDevicePackages).
func (c *Client) FindDevicePlans(ctx context.Context, iccids []string, page opencube.Page) ([]opencube.DevicePlans, int, error) {
	p := map[string]any{}
	if len(iccids) > 0 {
		p["deviceList"] = iccids
	}
	pageParams(p, page)
	var w struct {
		Page          wirePage `json:"page"`
		DevicePackage []struct {
			DeviceID    string     `json:"device_id"`
			PackageList []wirePlan `json:"package_list"`
		} `json:"device_package"`
	}
	if err := c.Call(ctx, "/package/queryDevicePackages", p, &w); err != nil {
		return nil, 0, err
	}
	out := make([]opencube.DevicePlans, 0, len(w.DevicePackage))
	for _, d := range w.DevicePackage {
		out = append(out, opencube.DevicePlans{ICCID: d.DeviceID, Plans: plans(d.PackageList)})
	}
	return out, w.Page.TotalCount, nil
}
