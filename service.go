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
// enterprise carried by ctx (NewContext). It is implemented by *Service
// over a Store, and by the client package over HTTP.
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
