package client

import (
	"context"
	"strconv"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/money"
)

var _ opencube.PlanService = (*Client)(nil)

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

// order is the order an answer describes: its id, SIM, wire status and
// dates (YYYYMMDD or `yyyy-MM-dd HH:mm:ss`; nil or "" for none).
func order(id, iccid, status string, start, expire *string) *opencube.Order {
	o := &opencube.Order{ID: id, ICCID: iccid}
	if n, err := strconv.Atoi(status); err == nil {
		o.Status = opencube.OrderStatus(n)
	}
	o.StartedAt = parseDay(start, 0, 0, 0)
	o.ExpiresAt = parseDay(expire, 23, 59, 59)
	return o
}

// dataOrder is the order of an orderPackage, createOtaOrder or openOrder
// answer.
func dataOrder(d *csss.OrderData) *opencube.Order {
	return order(d.OrderID, "", "", d.OrderStartDate, d.OrderExpireDate)
}

func orderParams(r opencube.OrderRequest) map[string]any {
	open := "0"
	if r.Open {
		open = "1"
	}
	p := map[string]any{
		"global_order": or(r.GlobalOrder, "0"), "is_open": open, "order_period": strconv.Itoa(r.OrderPeriod),
		"package_code": r.PlanCode, "package_name": r.PlanName, "package_type": strconv.Itoa(int(r.PlanType)),
		"pay_amount": money.Format(r.PayAmountMinor), "pay_rst": or(r.PayRst, "2"), "pay_type": r.PayType,
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
	var d csss.OrderData
	if err := c.Call(ctx, path, p, &d); err != nil {
		return nil, err
	}
	o := dataOrder(&d)
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
	var d csss.BatchOrderData
	if err := c.Call(ctx, "/package/batchOrderPackages", p, &d); err != nil {
		return nil, err
	}
	out := make([]*opencube.Order, 0, len(d.DeviceOrder))
	for _, do := range d.DeviceOrder {
		id := ""
		if do.OrderID != nil {
			id = *do.OrderID
		}
		o := order(id, do.DeviceID, "", do.OrderStartDate, do.OrderExpireDate)
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
	var d csss.RenewData
	if err := c.Call(ctx, "/package/renewPackage", map[string]any{"order_id": orderID, "renew_period": periods}, &d); err != nil {
		return nil, err
	}
	return order(d.OrderID, "", "", nil, d.OrderExpireDate), nil
}

// moveCall calls a route that moves an order and answers csss.StatusData.
func (c *Client) moveCall(ctx context.Context, path string, p map[string]any) (*opencube.Order, error) {
	var d csss.StatusData
	if err := c.Call(ctx, path, p, &d); err != nil {
		return nil, err
	}
	return order(d.OrderID, d.DeviceID, d.OrderStatus, nil, nil), nil
}

// EnableOrder implements opencube.PlanService (openOrder).
func (c *Client) EnableOrder(ctx context.Context, orderID, iccid string) (*opencube.Order, error) {
	var d csss.OrderData
	if err := c.Call(ctx, "/package/openOrder", map[string]any{"order_id": orderID, "device_id": iccid}, &d); err != nil {
		return nil, err
	}
	o := dataOrder(&d)
	// openOrder answers no status: success means the order is in use.
	o.Status = opencube.OrderInUse
	return o, nil
}

// CancelOrder implements opencube.PlanService (cancelOrder).
func (c *Client) CancelOrder(ctx context.Context, orderID string) (*opencube.Order, error) {
	return c.moveCall(ctx, "/package/cancelOrder", map[string]any{"order_id": orderID})
}

// EndOrder implements opencube.PlanService (endOrder).
func (c *Client) EndOrder(ctx context.Context, r opencube.EndOrderRequest) (*opencube.Order, error) {
	keep := "0"
	if r.KeepAlive {
		keep = "1"
	}
	return c.moveCall(ctx, "/package/endOrder", map[string]any{"order_id": r.OrderID, "device_id": r.ICCID, "keep_alive": keep})
}

// SuspendOrder implements opencube.PlanService (pauseService).
func (c *Client) SuspendOrder(ctx context.Context, iccid, orderID string) (*opencube.Order, error) {
	return c.moveCall(ctx, "/device/pauseService", map[string]any{"device_id": iccid, "order_id": orderID})
}

// ResumeOrder implements opencube.PlanService (resumeService).
func (c *Client) ResumeOrder(ctx context.Context, iccid, orderID string) (*opencube.Order, error) {
	return c.moveCall(ctx, "/device/resumeService", map[string]any{"device_id": iccid, "order_id": orderID})
}

// pageParams turns a Page back into page_no and page_size.
func pageParams(p map[string]any, page opencube.Page) {
	if page.Limit > 0 {
		p["page_no"] = page.Offset/page.Limit + 1
		p["page_size"] = page.Limit
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// itemOrder is the order of a queryOrder item.
func itemOrder(w *csss.OrderItem) *opencube.Order {
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
	var w csss.QueryOrderData
	if err := c.Call(ctx, "/package/queryOrder", p, &w); err != nil {
		return nil, 0, err
	}
	out := make([]*opencube.Order, 0, len(w.PackageOrder))
	for i := range w.PackageOrder {
		out = append(out, itemOrder(&w.PackageOrder[i]))
	}
	return out, w.Page.TotalCount, nil
}

// plans are the plans of queryPackage and queryDevicePackages items.
func plans(ws []csss.PlanItem) []*opencube.Plan {
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
	var w csss.QueryPackageData
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
	var w csss.QueryDevicePackagesData
	if err := c.Call(ctx, "/package/queryDevicePackages", p, &w); err != nil {
		return nil, 0, err
	}
	out := make([]opencube.DevicePlans, 0, len(w.DevicePackage))
	for _, d := range w.DevicePackage {
		out = append(out, opencube.DevicePlans{ICCID: d.DeviceID, Plans: plans(d.PackageList)})
	}
	return out, w.Page.TotalCount, nil
}
