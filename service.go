package opencube

import (
	"context"
	"time"
)

// OrderRequest is one plan order for one SIM (orderPackage, createOtaOrder,
// and each device of batchOrderPackages).
type OrderRequest struct {
	ICCID          string
	PlanCode       string
	PlanName       string
	PlanType       PlanType
	OrderPeriod    int
	Open           bool // is_open=1: enable at once
	PayAmountMinor int64
	PayRst         string
	PayType        string
	GlobalOrder    string
	TestFlow       string
	TestFlowFlag   string
	// OTA order fields (createOtaOrder).
	Days       int
	TimingType TimingType
	MCC        string
}

// BulkOrderRequest orders one plan for many SIMs, all or nothing.
type BulkOrderRequest struct {
	OrderRequest
	ICCIDs []string
}

// EndOrderRequest ends an in-use or suspended order early.
type EndOrderRequest struct {
	OrderID   string
	ICCID     string // used when OrderID is empty: end the SIM's active order
	KeepAlive bool   // start the SIM's oldest not-enabled order afterwards
}

// DevicePlans lists the plans one SIM can order.
type DevicePlans struct {
	ICCID string
	Plans []*Plan
}

// PlanService is the Plan section of the CSSS API. Every method acts for the
// enterprise carried by ctx (NewContext). It is implemented by
// service.Orders over a Store, and by the client package over HTTP.
type PlanService interface {
	// FindPlans lists the plans the enterprise may order, and their total.
	FindPlans(ctx context.Context, f PlanFilter) ([]*Plan, int, error)
	// OrderPlan orders a plan for one SIM.
	OrderPlan(ctx context.Context, r OrderRequest) (*Order, error)
	// OrderPlans orders a plan for many SIMs, all or nothing.
	OrderPlans(ctx context.Context, r BulkOrderRequest) ([]*Order, error)
	// RenewOrder adds periods to an order.
	RenewOrder(ctx context.Context, orderID string, periods int) (*Order, error)
	// FindOrders lists orders, newest first, and their total.
	FindOrders(ctx context.Context, f OrderFilter) ([]*Order, int, error)
	// EnableOrder starts a not-enabled order; iccid, when set, must be its SIM.
	EnableOrder(ctx context.Context, orderID, iccid string) (*Order, error)
	// CancelOrder cancels a not-enabled order.
	CancelOrder(ctx context.Context, orderID string) (*Order, error)
	// EndOrder ends an active order early.
	EndOrder(ctx context.Context, r EndOrderRequest) (*Order, error)
	// SuspendOrder suspends the SIM's in-use order (or orderID, when set).
	SuspendOrder(ctx context.Context, iccid, orderID string) (*Order, error)
	// ResumeOrder resumes the SIM's suspended order (or orderID, when set).
	ResumeOrder(ctx context.Context, iccid, orderID string) (*Order, error)
	// FindDevicePlans lists, per SIM, the plans it can order; with no ICCIDs
	// it pages over all the enterprise's SIMs. It returns the number of SIMs.
	FindDevicePlans(ctx context.Context, iccids []string, page Page) ([]DevicePlans, int, error)
}

// ReplayingPlanService is a PlanService whose changes can record a signed
// request's replay entries in their own transaction (ReplayClaim).
type ReplayingPlanService interface {
	PlanService
	// Replaying returns the service acting for one request, whose changes
	// record claim.
	Replaying(claim *ReplayClaim) PlanService
}

// ReplayingSMSService is ReplayingPlanService for an SMSService.
type ReplayingSMSService interface {
	SMSService
	// Replaying returns the service acting for one request, whose changes
	// record claim.
	Replaying(claim *ReplayClaim) SMSService
}

// AdminService is the operator's view: enterprises, SIM inventory and the
// plan catalog. It is not scoped to one enterprise.
type AdminService interface {
	// CreateEnterprise adds an enterprise with one secret.
	CreateEnterprise(ctx context.Context, e *Enterprise) error
	// FindEnterprise returns an enterprise by access code.
	FindEnterprise(ctx context.Context, accessCode string) (*Enterprise, error)
	// RotateSecret adds a secret to an enterprise; the oldest is dropped
	// when it would hold more than MaxSecrets.
	RotateSecret(ctx context.Context, accessCode, secret string) (*Enterprise, error)
	// SetRateLimit gives an enterprise its own rate limit, in place of the
	// server's, or takes it away when l is nil; it returns the enterprise.
	SetRateLimit(ctx context.Context, accessCode string, l *RateLimit) (*Enterprise, error)
	// ImportSIMs adds SIMs, all or nothing.
	ImportSIMs(ctx context.Context, sims []*SIM) error
	// CreatePlan adds a plan to the catalog.
	CreatePlan(ctx context.Context, p *Plan) error
	// GrantPlan makes a plan orderable by an enterprise.
	GrantPlan(ctx context.Context, accessCode, planCode string) error
}

// Clock tells the time. Services take one so tests can control time.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the wall clock.
var SystemClock Clock = ClockFunc(time.Now)

// Validate reports whether the request's own fields are valid, before any
// SIM or plan is read.
func (r *OrderRequest) Validate() error {
	switch {
	case r.PlanCode == "":
		return Invalid("package_code", "package_code is required")
	case r.PlanName == "":
		return Invalid("package_name", "package_name is required")
	case !r.PlanType.Valid():
		return Invalid("package_type", "package_type must be 0-5")
	case r.OrderPeriod < 1 || r.OrderPeriod > MaxPeriods:
		return OutOfRange("order_period", 1, MaxPeriods)
	case r.PayAmountMinor < 0:
		return Invalid("pay_amount", "pay_amount must not be negative")
	case !ValidTestFlow(r.TestFlow):
		return MustBe("test_flow", RangeText(0, MaxTestFlowMB)+" (MB)")
	case r.Days < 0 || r.Days > MaxPeriods:
		return OutOfRange("days", 1, MaxPeriods)
	case r.TimingType < TimingNone || r.TimingType > TimingOrderTime:
		return OutOfRange("timing_type", int64(TimingFirstAttach), int64(TimingOrderTime))
	case r.MCC != "" && !Digits(r.MCC, 3, 3):
		return MustBe("mcc", "3 digits (an MCC)")
	}
	// The plan's type is the request's (the service checks it against the
	// plan), so the order's length is known before any plan is read.
	o := Order{PlanType: r.PlanType, OrderPeriod: r.OrderPeriod, Days: r.Days}
	return o.CheckValidity("order_period")
}

// NotifyService is the operator's view of notifications, for any
// enterprise: webhook endpoints, deliveries and usage alert settings.
type NotifyService interface {
	// PutWebhook sets the enterprise's endpoint URL and events. A new
	// endpoint gets a secret, returned in the answer's Secret this once.
	PutWebhook(ctx context.Context, w *Webhook) (*Webhook, error)
	// FindWebhook returns the enterprise's endpoint, without secrets.
	FindWebhook(ctx context.Context, accessCode string) (*Webhook, error)
	// RotateWebhookSecret gives the endpoint a new secret, returned this
	// once; the old one keeps signing (beside it) for grace.
	RotateWebhookSecret(ctx context.Context, accessCode string, grace time.Duration) (*Webhook, error)
	// RotateNotificationKey gives a Cube v4 endpoint a new Notification
	// Key, returned this once: deliveries are signed with it from then on,
	// never with the old one. KindNotFound without an endpoint,
	// KindInvalid when it is not in the v4 format.
	RotateNotificationKey(ctx context.Context, accessCode string) (*Webhook, error)
	// FindDeliveries lists deliveries with their attempts, newest first.
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error)
	// Redeliver sends one delivery again, now, whatever its state.
	Redeliver(ctx context.Context, id string) (*Delivery, error)
	// RedeliverSince sends again every event of the enterprise created in
	// [since, until) (until zero: up to now), and returns how many.
	RedeliverSince(ctx context.Context, accessCode string, since, until time.Time) (int, error)
	// PutAlertSettings sets the enterprise's usage alert thresholds.
	PutAlertSettings(ctx context.Context, s *AlertSettings) error
	// FindAlertSettings returns them, the defaults when none are set.
	FindAlertSettings(ctx context.Context, accessCode string) (*AlertSettings, error)
}

// OrderAdminService is the operator's corrections that emit the order
// events no CSSS call causes: a shorter validity (1010) and a new IMSI on
// an OTA SIM (1012). It acts for no enterprise.
type OrderAdminService interface {
	// ReduceOrder takes periods off an order (renewals first) and emits
	// 1010; KindOrderNotFound when unknown, KindOrderState when the order
	// is over, KindInvalid when fewer than one period would be left.
	ReduceOrder(ctx context.Context, orderID string, periods int) (*Order, error)
	// DownloadIMSI gives an OTA SIM whose order is in use a new IMSI and
	// emits 1012 for that order; KindDeviceNotFound when unknown, KindOTA
	// for a SIM that is not OTA, KindOrderState without an order in use,
	// KindConflict when another SIM has the IMSI.
	DownloadIMSI(ctx context.Context, iccid, imsi string) (*Order, error)
}

// UsageService is the operator-side usage entry point: accounting, rating
// and authorization of the packet core.
type UsageService interface {
	// BookUsage rates records in one transaction; the i-th result is the
	// i-th record's. Nothing is booked when it fails, and it fails with
	// KindInvalid when a record is out of bounds (UsageRecord.Validate).
	BookUsage(ctx context.Context, records []*UsageRecord) ([]BookResult, error)
	// Authorize decides whether the SIM with IMSI imsi may open a session.
	Authorize(ctx context.Context, imsi string) (*AuthDecision, error)
}

// SIMAdminService is the operator's control of SIM states.
type SIMAdminService interface {
	// MoveSIM changes a SIM's state; KindSIMState when the move is refused.
	MoveSIM(ctx context.Context, iccid string, move SIMMove) (*SIM, error)
}

// SIMService is the SIM and Usage sections of the CSSS API, acting for the
// enterprise carried by ctx.
type SIMService interface {
	// FindDevices lists the enterprise's SIMs (only those with an in-use
	// order when f.InUse) and their total.
	FindDevices(ctx context.Context, f DeviceFilter) ([]*Device, int, error)
	// FindDevice returns one SIM with its order and open session.
	FindDevice(ctx context.Context, iccid string) (*Device, error)
	// DeviceUsage returns the usage of the SIMs' in-use orders, in order;
	// KindDeviceNotFound names the first unknown SIM.
	DeviceUsage(ctx context.Context, iccids []string) ([]DeviceUsage, error)
	// DailyUsage returns a SIM's usage per UTC+8 day from..to (yyyymmdd)
	// and as of when it is complete.
	DailyUsage(ctx context.Context, iccid string, from, to int) ([]DailyUsage, time.Time, error)
}

// MallOrderRequest is one Mall purchase of a plan for a SIM (singleOrder,
// synPartner/SynOrderInfo).
type MallOrderRequest struct {
	OrderNo        string
	ICCID          string
	PackageCode    string
	OrderPeriod    int
	PayID          string
	PayType        string
	PayAmountMinor int64
	PayCurrency    string
	Paid           bool // the payment succeeded; an unpaid order is kept pending
	AutoRenewal    bool
}

// EnterpriseFinder finds an enterprise and its secrets by access code: what
// a front door needs to verify a signed request.
type EnterpriseFinder interface {
	// FindEnterprise returns the enterprise; KindUnauthenticated when unknown.
	FindEnterprise(ctx context.Context, accessCode string) (*Enterprise, error)
}
