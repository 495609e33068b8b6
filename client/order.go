package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
)

// ReduceOrder takes periods off an order, renewals first, which emits
// event 1010, and returns the order.
func (a *Admin) ReduceOrder(ctx context.Context, orderID string, periods int) (*opencube.Order, error) {
	if orderID == "" {
		return nil, opencube.Invalid("order_id", "an order id is required")
	}
	var o opencube.Order
	path := admin.Prefix + "orders/" + url.PathEscape(orderID) + "/reduce"
	if err := a.send(ctx, http.MethodPost, path, "", admin.ReduceRequest{Periods: periods}, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// DownloadIMSI gives an OTA SIM whose order is in use a new IMSI, which
// emits event 1012, and returns that order.
func (a *Admin) DownloadIMSI(ctx context.Context, iccid, imsi string) (*opencube.Order, error) {
	if iccid == "" {
		return nil, opencube.Invalid("iccid", "an ICCID is required")
	}
	var o opencube.Order
	path := admin.Prefix + "sims/" + url.PathEscape(iccid) + "/imsi"
	if err := a.send(ctx, http.MethodPost, path, "", admin.IMSIRequest{IMSI: imsi}, &o); err != nil {
		return nil, err
	}
	return &o, nil
}
