package opencube

import "time"

// OrderStatus is the CSSS orderStatus of a plan order.
type OrderStatus int

// Order states (D12).
const (
	OrderNotEnabled OrderStatus = 1
	OrderInUse      OrderStatus = 2
	OrderSuspended  OrderStatus = 3
	OrderExpired    OrderStatus = 4
	OrderEnded      OrderStatus = 5
	OrderCancelled  OrderStatus = 6
)

// Valid reports whether s is one of the six order states.
func (s OrderStatus) Valid() bool { return s >= OrderNotEnabled && s <= OrderCancelled }

// Active reports whether an order in state s holds the SIM (in use or
// suspended). A SIM has at most one active order.
func (s OrderStatus) Active() bool { return s == OrderInUse || s == OrderSuspended }

// Move is a change of an order's state.
type Move string

// Order moves.
const (
	MoveEnable  Move = "enable"
	MoveCancel  Move = "cancel"
	MoveSuspend Move = "suspend"
	MoveResume  Move = "resume"
	MoveEnd     Move = "end"
	MoveExpire  Move = "expire"
)

// transitions is the order state machine of D12: from state, by move, to state.
var transitions = map[OrderStatus]map[Move]OrderStatus{
	OrderNotEnabled: {MoveEnable: OrderInUse, MoveCancel: OrderCancelled},
	OrderInUse:      {MoveSuspend: OrderSuspended, MoveEnd: OrderEnded, MoveExpire: OrderExpired},
	OrderSuspended:  {MoveResume: OrderInUse, MoveEnd: OrderEnded},
}

// moveEvents is the event each move emits (an OTA order's enable: 1007).
var moveEvents = map[Move]EventType{
	MoveEnable: EventStartOrder, MoveCancel: EventCancelOrder, MoveSuspend: EventPauseOrder,
	MoveResume: EventResumeOrder, MoveEnd: EventEndOrder, MoveExpire: EventExpireOrder,
}

// Next returns the state that move leads to from s, or a KindOrderState error
// when the move is not allowed.
func (s OrderStatus) Next(move Move) (OrderStatus, error) {
	if to, ok := transitions[s][move]; ok {
		return to, nil
	}
	return 0, Errorf(KindOrderState, "cannot %s an order in state %d", move, s).Because(CauseOrderStatus, int(s))
}

// Renewable reports whether an order in state s may be renewed (D11).
func (s OrderStatus) Renewable() bool {
	return s == OrderNotEnabled || s == OrderInUse || s == OrderSuspended
}

// BuyType is the CSSS buyType of an order.
type BuyType int

// Buy types.
const (
	BuyTest    BuyType = 1 // a test-data order
	BuyNormal  BuyType = 2 // a normal order
	BuyRenewal BuyType = 3 // an order that has been renewed
)

// TimingType says when an OTA order starts counting.
type TimingType int

// Timing types of createOtaOrder.
const (
	TimingNone        TimingType = 0 // not an OTA order
	TimingFirstAttach TimingType = 1 // starts on the SIM's first data session
	TimingOrderTime   TimingType = 2 // starts when enabled
)

// Order is one plan ordered for one SIM.
type Order struct {
	ID             string      `json:"order_id"`
	Code           string      `json:"order_code"`
	EnterpriseCode string      `json:"enterprise"`
	ICCID          string      `json:"iccid"`
	IMSI           string      `json:"imsi"`
	PlanCode       string      `json:"package_code"`
	PlanName       string      `json:"package_name"`
	PlanType       PlanType    `json:"package_type"`
	VolumeBytes    int64       `json:"volume_bytes"`
	OrderPeriod    int         `json:"order_period"`
	RenewPeriod    int         `json:"renew_period"`
	Days           int         `json:"days,omitempty"` // OTA validity in days; 0 when the plan type decides
	TimingType     TimingType  `json:"timing_type,omitempty"`
	MCC            string      `json:"mcc,omitempty"`
	Status         OrderStatus `json:"status"`
	BuyType        BuyType     `json:"buy_type"`
	PayAmountMinor int64       `json:"pay_amount_minor"`
	PayRst         string      `json:"pay_rst"`
	PayType        string      `json:"pay_type"`
	GlobalOrder    string      `json:"global_order"`
	TestFlow       string      `json:"test_flow"`
	TestFlowFlag   string      `json:"test_flow_flag"`
	OTA            bool        `json:"ota"`
	UsedBytes      int64       `json:"used_bytes"`
	OrderedAt      time.Time   `json:"ordered_at"`
	StartedAt      *time.Time  `json:"started_at,omitempty"`
	ExpiresAt      *time.Time  `json:"expires_at,omitempty"`
	EndedAt        *time.Time  `json:"ended_at,omitempty"`
	UpdatedAt      time.Time   `json:"updated_at"`
}

// Periods is N of D11: the ordered periods plus every renewal so far.
func (o *Order) Periods() int { return o.OrderPeriod + o.RenewPeriod }

// validityCap bounds the units of Validity far beyond what D26 lets
// through (100,000 years), so that the dates of an order that breaks D26
// saturate instead of overflowing.
const validityCap = 100_000 * 12 * 31

// Validity returns the length of o's validity (D11) in calendar months for
// the month-counted plan types (months true), else in days, with
// saturating arithmetic: it never overflows, nor exceeds validityCap.
func (o *Order) Validity() (n int64, months bool) {
	clamp := func(v int) int64 { return min(max(int64(v), 0), validityCap) }
	periods := min(clamp(o.OrderPeriod)+clamp(o.RenewPeriod), validityCap)
	switch {
	case o.Days > 0:
		// An OTA order: days for order_period periods, renewals in proportion.
		return min(clamp(o.Days)*periods/max(clamp(o.OrderPeriod), 1), validityCap), false
	case o.PlanType.Months() > 0:
		return min(periods*int64(o.PlanType.Months()), validityCap), true
	default:
		return periods, false
	}
}

// WithinMaxValidity reports whether o's validity, from any start, ends
// within MaxValidityYears (D26): MaxValidityMonths or MaxValidityDays.
func (o *Order) WithinMaxValidity() bool {
	n, months := o.Validity()
	if months {
		return n <= MaxValidityMonths
	}
	return n <= MaxValidityDays
}

// CheckValidity is D26's rule on an order's length: nil when o is
// WithinMaxValidity and, once started, ends by MaxTime; else KindInvalid
// naming field, the request field that made it too long.
func (o *Order) CheckValidity(field string) error {
	if !o.WithinMaxValidity() {
		n, months := o.Validity()
		unit, most := "days", int64(MaxValidityDays)
		if months {
			unit, most = "months", MaxValidityMonths
		}
		return Invalid(field, "the order would last %d %s: an order lasts at most %d years (%d %s)", n, unit, MaxValidityYears, most, unit).
			Because(CauseValidityYears, field, MaxValidityYears)
	}
	if o.StartedAt != nil && o.lastInstant(*o.StartedAt).After(MaxTime) {
		return Invalid(field, "the order would end after %s", MaxTime.Format(time.DateOnly)).
			Because(CauseValidityEnd, field, MaxTime.Format(time.DateOnly))
	}
	return nil
}

// LastDay returns the last business day of o started on start's business
// day (D11): Validity units later (months clamped to the month's end)
// less one day.
func (o *Order) LastDay(start time.Time) time.Time {
	s := start.In(BusinessZone)
	day := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, BusinessZone)
	n, months := o.Validity()
	if months {
		return addMonthsClamped(day, int(n)).AddDate(0, 0, -1)
	}
	return day.AddDate(0, 0, int(n)-1)
}

// lastInstant is 23:59:59 UTC+8 on o's last day from start.
func (o *Order) lastInstant(start time.Time) time.Time {
	d := o.LastDay(start)
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, BusinessZone)
}

// ExpiryFor returns when o, started at start, expires: 23:59:59 UTC+8 on
// its last day, or MaxTime if that is earlier.
func (o *Order) ExpiryFor(start time.Time) time.Time {
	exp := o.lastInstant(start)
	if exp.After(MaxTime) {
		return MaxTime
	}
	return exp
}

// addMonthsClamped adds n calendar months to day, clamping to the last day of
// the target month (31 Jan + 1 month = 28 or 29 Feb).
func addMonthsClamped(day time.Time, n int) time.Time {
	y, m, d := day.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, day.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, day.Location())
}

// Apply performs move on o at time now, updating its state and dates, and
// returns the notification event type the move emits.
func (o *Order) Apply(move Move, now time.Time) (EventType, error) {
	to, err := o.Status.Next(move)
	if err != nil {
		return "", err
	}
	ev := moveEvents[move]
	switch move {
	case MoveEnable:
		start, exp := now, o.ExpiryFor(now)
		o.StartedAt, o.ExpiresAt = &start, &exp
		if o.OTA {
			ev = EventStartOTAOrder
		}
	case MoveCancel, MoveEnd, MoveExpire:
		ended := now
		o.EndedAt = &ended
	}
	o.Status = to
	o.UpdatedAt = now
	return ev, nil
}

// Renew adds periods (1-MaxPeriods) to o (D11) and returns the event it
// emits: 1009 for an in-use order, else "". A renewal that CheckValidity
// refuses fails with KindInvalid naming renew_period and leaves o as it was.
func (o *Order) Renew(periods int, now time.Time) (EventType, error) {
	if periods < 1 || periods > MaxPeriods {
		return "", OutOfRange("renew_period", 1, MaxPeriods)
	}
	if !o.Status.Renewable() {
		return "", Errorf(KindOrderState, "cannot renew an order in state %d", o.Status).Because(CauseOrderStatus, int(o.Status))
	}
	renewed := *o
	renewed.RenewPeriod += periods
	if err := renewed.CheckValidity("renew_period"); err != nil {
		return "", err
	}
	o.RenewPeriod += periods
	o.BuyType = BuyRenewal
	o.UpdatedAt = now
	if o.StartedAt != nil {
		exp := o.ExpiryFor(*o.StartedAt)
		o.ExpiresAt = &exp
	}
	if o.Status == OrderInUse {
		return EventRenewOrder, nil
	}
	return "", nil
}

// EventType is the type of a notification event: the CSSS event code of an
// order change, or one of the other events below.
type EventType string

// Notification events: those of order changes (docs/csss.md, notifications), then
// the others.
const (
	EventCreateOrder   EventType = "1000"
	EventEndOrder      EventType = "1001"
	EventCancelOrder   EventType = "1002"
	EventPauseOrder    EventType = "1003"
	EventResumeOrder   EventType = "1004"
	EventStartOrder    EventType = "1005"
	EventStartOTAOrder EventType = "1007"
	EventExpireOrder   EventType = "1008"
	EventRenewOrder    EventType = "1009"
	EventReduceCycle   EventType = "1010"
	EventDownloadIMSI  EventType = "1012"
	// EventFlowAlert is a usage alert (流量使用量API预警, §4.2): an order
	// reached a volume threshold or is some days from its expiry.
	EventFlowAlert EventType = "flow_alert"
	// EventSMSReport is the final report of an MT short message
	// (短信下行回调): delivered or failed.
	EventSMSReport EventType = "sms_report"
	// EventSMSMO is a mobile-originated short message (短信上行回调).
	EventSMSMO EventType = "sms_mo"
	// EventMallRecharge is the Mall's recharge-success push (充值成功消息推送):
	// a paid Mall order became an order on the SIM. Its Data holds the Mall
	// order (orderNo, deviceCode, packageCode, payAmount, payCurrency,
	// payId, orderId).
	EventMallRecharge EventType = "mall_recharge"
	// EventSIMAsyncResult is the outcome of an asynchronous SIM operation
	// (operator.SIMRequest). Its Data holds request_id, operation, status (1
	// success, 2 failed) and, when failed, error_kind, error_cause and
	// error_message.
	EventSIMAsyncResult EventType = "sim_async_result"
	// EventSIMProvisioning says the subscriber register refused a SIM's
	// provisioning: the SIM cannot attach until it is repaired. Its Data
	// holds imsi, command and answer (the register's).
	EventSIMProvisioning EventType = "sim_provisioning_failed"
	// EventBalanceAlert says a prepaid balance fell under the enterprise's
	// alert threshold. Its Data holds currency, balance and alert_below
	// (two-decimal strings).
	EventBalanceAlert EventType = "balance_alert"
)

// EventTypes lists every event type an endpoint may subscribe to.
var EventTypes = []EventType{
	EventCreateOrder, EventEndOrder, EventCancelOrder, EventPauseOrder, EventResumeOrder,
	EventStartOrder, EventStartOTAOrder, EventExpireOrder, EventRenewOrder, EventReduceCycle,
	EventDownloadIMSI, EventFlowAlert, EventSMSReport, EventSMSMO, EventMallRecharge, EventSIMAsyncResult, EventSIMProvisioning,
	EventBalanceAlert,
}

// Event is something that happened to an enterprise's object, written in
// the transaction of the change (the outbox) and delivered later.
type Event struct {
	ID             string      `json:"id"`
	EnterpriseCode string      `json:"enterprise"`
	Type           EventType   `json:"type"`
	OrderID        string      `json:"order_id"`
	ICCID          string      `json:"iccid"`
	Status         OrderStatus `json:"order_status"`
	CreatedAt      time.Time   `json:"created_at"`
	// IMSI, PlanCode, StartedAt and ExpiresAt are the order's at the event,
	// so that the event alone can be notified (again).
	IMSI      string     `json:"imsi,omitempty"`
	PlanCode  string     `json:"package_code,omitempty"`
	StartedAt *time.Time `json:"started_at,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// Seq numbers one SIM's events 1, 2, 3... in commit order; the store
	// assigns it (InsertEvent ignores this field) and returns it with a
	// Delivery's event.
	Seq int64 `json:"seq,omitempty"`
	// Data is a JSON object of the extra fields of an event that is not an
	// order move (a usage alert's threshold and volumes), else empty.
	Data string `json:"data,omitempty"`
}

// NewEvent returns the event of type t about o, at o's last update.
func NewEvent(t EventType, o *Order) *Event {
	return &Event{
		ID:             NewUUID(),
		EnterpriseCode: o.EnterpriseCode,
		Type:           t,
		OrderID:        o.ID,
		ICCID:          o.ICCID,
		Status:         o.Status,
		CreatedAt:      o.UpdatedAt,
		IMSI:           o.IMSI,
		PlanCode:       o.PlanCode,
		StartedAt:      o.StartedAt,
		ExpiresAt:      o.ExpiresAt,
	}
}

// OrderFilter selects orders of an enterprise (queryOrder).
type OrderFilter struct {
	Enterprise string
	ICCID      string
	OrderID    string
	Status     OrderStatus // 0: any
	BuyType    BuyType     // 0: any
	Page       Page
}

// Reduce takes periods off o at time now (1010): renewals first, then
// ordered periods (an OTA order's days shrink in proportion), keeping at
// least one. A started order's expiry moves earlier, into the past maybe,
// and it then expires at once. Any order not over may be reduced.
func (o *Order) Reduce(periods int, now time.Time) (EventType, error) {
	// periods is 1 to one less than the order has.
	outOfRange := func() error {
		if o.Periods() <= 1 {
			return Invalid("periods", "order %s has %d period: it keeps at least one", o.ID, o.Periods())
		}
		return Invalid("periods", "periods must be 1-%d: order %s has %d periods and keeps at least one", o.Periods()-1, o.ID, o.Periods())
	}
	if periods < 1 {
		return "", outOfRange()
	}
	if !o.Status.Renewable() {
		return "", Errorf(KindOrderState, "cannot reduce an order in state %d", o.Status).Because(CauseOrderStatus, int(o.Status))
	}
	if o.Periods()-periods < 1 {
		return "", outOfRange()
	}
	fromRenewals := min(periods, o.RenewPeriod)
	o.RenewPeriod -= fromRenewals
	if rest := periods - fromRenewals; rest > 0 {
		if o.Days > 0 {
			o.Days = o.Days * (o.OrderPeriod - rest) / o.OrderPeriod
		}
		o.OrderPeriod -= rest
	}
	o.UpdatedAt = now
	if o.StartedAt != nil {
		exp := o.ExpiryFor(*o.StartedAt)
		o.ExpiresAt = &exp
	}
	return EventReduceCycle, nil
}
