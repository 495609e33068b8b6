package admin

import (
	"net/http"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/shop"
)

// Prefix is the path prefix of every admin endpoint.
const Prefix = "/admin/v1/"

// Body limits: JSON requests are small (the largest, an eSIM plan with
// its countries and prices, is a few KiB); SIM and eSIM profile imports
// may be large files (a million SIMs of CSV).
const (
	MaxBody       = 64 << 10 // bytes of a JSON request body
	MaxImportBody = 64 << 20 // bytes of a SIM import (CSV or JSON)
)

// Route is one endpoint of the admin API.
type Route struct {
	// Pattern is the net/http pattern: method and full path.
	Pattern string
	// Summary is a one-line description of the endpoint.
	Summary string
	// Request is a zero value of the request body's type, nil for none.
	Request any
	// MaxBody is the largest accepted body in bytes.
	MaxBody int64
	// Scope says whether enterprise users may call the route, and on which
	// enterprise's objects. Every route but GET is a change: support users
	// are refused it, and it is written to the audit trail.
	Scope  Scope
	handle func(s *Server, r *http.Request) (int, any, error)
}

// Routes is the route table of the admin API: every endpoint, in one place.
// Handlers are methods of Server; an optional service the server lacks
// answers its routes 404 (KindNoRoute).
var Routes = []Route{
	// Enterprises: their secrets, plan grants and rate limits.
	{Pattern: "POST /admin/v1/enterprises", Summary: "Create an enterprise with one secret", Request: EnterpriseRequest{}, MaxBody: MaxBody, handle: (*Server).createEnterprise},
	{Pattern: "GET /admin/v1/enterprises/{code}", Summary: "Show an enterprise (secrets are counted, never shown)", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).findEnterprise},
	{Pattern: "POST /admin/v1/enterprises/{code}/secrets", Summary: "Rotate: add a secret, dropping the oldest beyond two", Request: SecretRequest{}, MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).rotateSecret},
	{Pattern: "POST /admin/v1/enterprises/{code}/plans", Summary: "Grant a plan to an enterprise", Request: GrantRequest{}, MaxBody: MaxBody, handle: (*Server).grantPlan},
	{Pattern: "PUT /admin/v1/enterprises/{code}/rate-limit", Summary: "Give an enterprise its own rate limit (CSSS and Mall requests a second, and burst), in place of the server's", Request: opencube.RateLimit{}, MaxBody: MaxBody, handle: (*Server).putRateLimit},
	{Pattern: "DELETE /admin/v1/enterprises/{code}/rate-limit", Summary: "Put an enterprise back under the server's rate limit", MaxBody: MaxBody, handle: (*Server).deleteRateLimit},
	{Pattern: "DELETE /admin/v1/enterprises/{code}/plans/{plan}", Summary: "Revoke a plan's grant: the enterprise may no longer order it; its orders run on", MaxBody: MaxBody, handle: (*Server).revokeGrant},
	{Pattern: "POST /admin/v1/enterprises/{code}/disable", Summary: "Disable an enterprise: its signed requests answer 1004, its webhooks and SMS sends wait; its SIMs keep their service", MaxBody: MaxBody, handle: setStatus(opencube.EnterpriseDisabled)},
	{Pattern: "POST /admin/v1/enterprises/{code}/enable", Summary: "Enable a disabled enterprise: what waited is sent at once", MaxBody: MaxBody, handle: setStatus(opencube.EnterpriseActive)},
	{Pattern: "DELETE /admin/v1/enterprises/{code}/secrets/{id}", Summary: "Drop a secret by its id (409 for the last one)", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).dropSecret},
	// Billing (Server.Billing): accounts, prices, top-ups, balances,
	// statements, the usage export and the ledger check.
	{Pattern: "PUT /admin/v1/enterprises/{code}/billing", Summary: "Set an enterprise's billing: prepaid or postpaid, currency, credit limit, alert threshold, enforce_price", Request: BillingRequest{}, MaxBody: MaxBody, handle: (*Server).putBilling},
	{Pattern: "GET /admin/v1/enterprises/{code}/billing", Summary: "Show an enterprise's billing settings", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).findBilling},
	{Pattern: "PUT /admin/v1/enterprises/{code}/plans/{plan}/price", Summary: "Set the enterprise's own price of one period of a granted plan (empty: the list price)", Request: GrantPriceRequest{}, MaxBody: MaxBody, handle: (*Server).putGrantPrice},
	{Pattern: "POST /admin/v1/enterprises/{code}/topups", Summary: "Credit an enterprise with money received (a ledger line)", Request: TopUpRequest{}, MaxBody: MaxBody, handle: (*Server).topUp},
	{Pattern: "POST /admin/v1/enterprises/{code}/adjustments", Summary: "Correct an enterprise's ledger with a signed line and a reason, in a month still open", Request: AdjustmentRequest{}, MaxBody: MaxBody, handle: (*Server).adjust},
	{Pattern: "GET /admin/v1/enterprises/{code}/balance", Summary: "An enterprise's balances, per currency", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).balance},
	{Pattern: "GET /admin/v1/enterprises/{code}/statements/{month}", Summary: "An enterprise's statement of a UTC+8 month (yyyymm): JSON, ?format=csv or ?format=pdf", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).statement},
	{Pattern: "GET /admin/v1/enterprises/{code}/usage-export", Summary: "CSV of an enterprise's usage in a UTC+8 month (?month=yyyymm), per SIM per day or per order (?per=day|order), streamed", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).usageExport},
	{Pattern: "GET /admin/v1/ledger/verify", Summary: "Check every running balance against the sum of its ledger lines", MaxBody: MaxBody, handle: (*Server).verifyLedger},
	// Cube v4 public keys (Server.Keys): the keyId of a request's
	// Authorization: LF {keyId}/{sign}.
	{Pattern: "POST /admin/v1/enterprises/{code}/keys", Summary: "Register a Cube v4 RSA public key (PEM, or Base64 PKIX or PKCS#1 DER; 1024-8192 bits); answers its key_id", Request: KeyRequest{}, MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).addKey},
	{Pattern: "GET /admin/v1/enterprises/{code}/keys", Summary: "List an enterprise's Cube v4 public keys, oldest first", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).listKeys},
	{Pattern: "DELETE /admin/v1/enterprises/{code}/keys/{id}", Summary: "Revoke a Cube v4 key: requests it signs are refused (403) from then on", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).revokeKey},
	// The plan catalog.
	{Pattern: "POST /admin/v1/plans", Summary: "Add a plan to the catalog", Request: PlanRequest{}, MaxBody: MaxBody, handle: (*Server).createPlan},
	{Pattern: "PATCH /admin/v1/plans/{code}", Summary: "Change a plan (only the members sent); status retired stops new orders, active takes them again", Request: PlanPatch{}, MaxBody: MaxBody, handle: (*Server).updatePlan},
	// SIMs: imports, moves, IMSI downloads.
	{Pattern: "POST /admin/v1/sims", Summary: "Import SIMs from text/csv or a JSON array, all or nothing", Request: []SIMRequest{}, MaxBody: MaxImportBody, handle: (*Server).importSIMs},
	{Pattern: "POST /admin/v1/sims/{iccid}/{move}", Summary: "Move a SIM: activate, suspend or terminate (409 sim_state when refused)", MaxBody: MaxBody, Scope: ScopeSIM, handle: (*Server).moveSIM},
	{Pattern: "PUT /admin/v1/sims/{iccid}/enterprise", Summary: "Move a SIM without an order not over to another enterprise (409 order_state otherwise)", Request: MoveSIMRequest{}, MaxBody: MaxBody, handle: (*Server).moveSIMTo},
	{Pattern: "POST /admin/v1/sims/bulk", Summary: "Activate, suspend, terminate or move up to 1,000 SIMs: checked whole first, then a result a SIM", Request: operator.BulkSIMRequest{}, MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).bulkSIMs},
	{Pattern: "POST /admin/v1/sims/{iccid}/imsi", Summary: "Download a new IMSI to an OTA SIM with an order in use (event 1012)", Request: IMSIRequest{}, MaxBody: MaxBody, handle: (*Server).downloadIMSI},
	// Orders, on the rules and with the events of CSSS, for the SIM's or
	// the order's enterprise; and order corrections.
	{Pattern: "POST /admin/v1/orders", Summary: "Order a plan for a SIM, for its enterprise (events 1000, and 1005 when open)", Request: operator.OrderRequest{}, MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).createOrder},
	{Pattern: "POST /admin/v1/orders/{id}/enable", Summary: "Start a not-enabled order (event 1005)", MaxBody: MaxBody, Scope: ScopeOrder, handle: moveOrder(operator.OrderEnable)},
	{Pattern: "POST /admin/v1/orders/{id}/renew", Summary: "Add periods to an order (event 1009)", Request: RenewRequest{}, MaxBody: MaxBody, Scope: ScopeOrder, handle: moveOrder(operator.OrderRenew)},
	{Pattern: "POST /admin/v1/orders/{id}/cancel", Summary: "Cancel a not-enabled order (event 1002)", MaxBody: MaxBody, Scope: ScopeOrder, handle: moveOrder(operator.OrderCancel)},
	{Pattern: "POST /admin/v1/orders/{id}/end", Summary: "End an order in use or suspended early (event 1001)", MaxBody: MaxBody, Scope: ScopeOrder, handle: moveOrder(operator.OrderEnd)},
	{Pattern: "POST /admin/v1/orders/{id}/suspend", Summary: "Suspend an order in use (event 1003)", MaxBody: MaxBody, Scope: ScopeOrder, handle: moveOrder(operator.OrderSuspend)},
	{Pattern: "POST /admin/v1/orders/{id}/resume", Summary: "Resume a suspended order (event 1004)", MaxBody: MaxBody, Scope: ScopeOrder, handle: moveOrder(operator.OrderResume)},
	{Pattern: "POST /admin/v1/orders/{id}/reduce", Summary: "Take periods off an order, renewals first (event 1010)", Request: ReduceRequest{}, MaxBody: MaxBody, handle: (*Server).reduceOrder},
	// eSIM QR Mall (Server.ESIM), with its sandbox verification codes.
	{Pattern: "POST /admin/v1/enterprises/{code}/esim-profiles", Summary: "Import eSIM profiles from text/csv (iccid,smdp_address,matching_id,imsi[,msisdn[,confirmation_code]]), all or nothing", MaxBody: MaxImportBody, handle: (*Server).importProfiles},
	{Pattern: "GET /admin/v1/enterprises/{code}/esim-profiles", Summary: "List eSIM profiles (?state=available|reserved|sold|installed|deleted)", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).findProfiles},
	{Pattern: "POST /admin/v1/enterprises/{code}/esim-profiles/{iccid}/state", Summary: "Mark an eSIM profile installed or deleted", Request: ProfileStateRequest{}, MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).markProfile},
	{Pattern: "POST /admin/v1/esim-plans", Summary: "Add a plan to the eSIM QR Mall catalog", Request: shop.ESIMPlan{}, MaxBody: MaxBody, handle: (*Server).createESIMPlan},
	{Pattern: "GET /admin/v1/sandbox/verification-codes", Summary: "Sandbox only: the last e-mail verification code sent to ?email= (and ?partnerCode=, default any)", MaxBody: MaxBody, handle: (*Server).verificationCode},
	// Webhooks, deliveries and usage alerts (Server.Notify).
	{Pattern: "PUT /admin/v1/enterprises/{code}/webhook", Summary: "Set the webhook endpoint (a new one's secret is shown once)", Request: WebhookRequest{}, MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).putWebhook},
	{Pattern: "GET /admin/v1/enterprises/{code}/webhook", Summary: "Show the webhook endpoint (secrets never shown)", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).findWebhook},
	{Pattern: "POST /admin/v1/enterprises/{code}/webhook/notification-key", Summary: "New Notification Key of a Cube v4 endpoint (shown once); the old one signs no more", Scope: ScopeCode, handle: (*Server).rotateNotificationKey},
	{Pattern: "POST /admin/v1/enterprises/{code}/webhook/rotate", Summary: "New endpoint secret (shown once); the old one signs too for the grace period", Request: RotateWebhookRequest{}, MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).rotateWebhook},
	{Pattern: "GET /admin/v1/enterprises/{code}/deliveries", Summary: "Delivery log: ?state=&event=&since=&until=&limit= (RFC 3339 times)", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).findDeliveries},
	{Pattern: "POST /admin/v1/enterprises/{code}/deliveries/redeliver", Summary: "Send again every event since a time", Request: RedeliverRequest{}, MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).redeliverSince},
	{Pattern: "POST /admin/v1/deliveries/{id}/redeliver", Summary: "Send one delivery again", MaxBody: MaxBody, Scope: ScopeDelivery, handle: (*Server).redeliver},
	{Pattern: "PUT /admin/v1/enterprises/{code}/alerts", Summary: "Set usage alert thresholds", Request: opencube.AlertSettings{}, MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).putAlerts},
	{Pattern: "GET /admin/v1/enterprises/{code}/alerts", Summary: "Show usage alert thresholds", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).findAlerts},
	// Sandbox clock (Server.Sandbox).
	{Pattern: "GET /admin/v1/clock", Summary: "Sandbox: show the server clock", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).showClock},
	{Pattern: "POST /admin/v1/clock/advance", Summary: "Sandbox: move the clock forward, running everything due in between", Request: AdvanceRequest{}, MaxBody: MaxBody, handle: (*Server).advanceClock},
	// SMS: MT messages as the SIM's enterprise (Server.Changes); MO
	// injection and the sandbox device (Server.SMS).
	{Pattern: "POST /admin/v1/sms", Summary: "Send an MT short message to a SIM, as its enterprise would (sendSms)", Request: SMSRequest{}, MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).sendSMS},
	{Pattern: "POST /admin/v1/sims/{iccid}/mo", Summary: "Inject an MO short message from a SIM (sandbox device)", Request: MORequest{}, MaxBody: MaxBody, Scope: ScopeSIM, handle: (*Server).injectMO},
	{Pattern: "PUT /admin/v1/sandbox/sms-gateway", Summary: "Make the sandbox SMS device fail or work: down (hand-overs fail), fail_deliveries", Request: SandboxGateway{}, MaxBody: MaxBody, handle: (*Server).putSandboxGateway},
	// Users, their API tokens, and the audit trail (Server.Users).
	{Pattern: "GET /admin/v1/me", Summary: "Who the request's token is: actor, role and enterprise", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).me},
	{Pattern: "POST /admin/v1/users", Summary: "Create a user; answers its first API token, shown once", Request: UserRequest{}, MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).createUser},
	{Pattern: "GET /admin/v1/users", Summary: "List users (?enterprise=), username order", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listUsers},
	{Pattern: "GET /admin/v1/users/{username}", Summary: "Show a user and its tokens (never their secrets)", MaxBody: MaxBody, Scope: ScopeUser, handle: (*Server).findUser},
	{Pattern: "POST /admin/v1/users/{username}/tokens", Summary: "Make another API token for a user, shown once", Request: TokenRequest{}, MaxBody: MaxBody, Scope: ScopeUser, handle: (*Server).createToken},
	{Pattern: "DELETE /admin/v1/users/{username}/tokens/{id}", Summary: "Revoke a user's API token", MaxBody: MaxBody, Scope: ScopeUser, handle: (*Server).revokeToken},
	{Pattern: "POST /admin/v1/users/{username}/disable", Summary: "Disable a user: its tokens and console sign-in stop working", MaxBody: MaxBody, Scope: ScopeUser, handle: (*Server).disableUser},
	{Pattern: "POST /admin/v1/users/{username}/enable", Summary: "Enable a disabled user", MaxBody: MaxBody, Scope: ScopeUser, handle: (*Server).enableUser},
	{Pattern: "PUT /admin/v1/users/{username}/password", Summary: "Set a user's console password", Request: PasswordRequest{}, MaxBody: MaxBody, Scope: ScopeUser, handle: (*Server).setPassword},
	{Pattern: "GET /admin/v1/audit", Summary: "The audit trail, newest first: ?actor=&object=&since=&enterprise=", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listAudit},
	// The operator's lists and detail pages (Server.Lists): ?limit=1-500
	// (50), ?cursor= from the last page's next, ?count=1 for a total.
	{Pattern: "GET /admin/v1/enterprises", Summary: "List enterprises (?q= a code prefix or a part of the name, ?status=)", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listEnterprises},
	{Pattern: "GET /admin/v1/sims", Summary: "List SIMs (?enterprise=, ?status=, ?online=, ?in_use=, ?q= a prefix of ICCID, IMSI or MSISDN)", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listSIMs},
	{Pattern: "GET /admin/v1/sims/{iccid}", Summary: "Show a SIM: its order in use, latest orders, open sessions, usage of the last 31 days, last SMS", MaxBody: MaxBody, Scope: ScopeSIM, handle: (*Server).findSIM},
	{Pattern: "GET /admin/v1/orders", Summary: "List orders, newest first (?enterprise=, ?iccid=, ?status=, ?plan=, ?from=, ?to=)", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listOrders},
	{Pattern: "GET /admin/v1/orders/{id}", Summary: "Show an order and its events", MaxBody: MaxBody, Scope: ScopeOrder, handle: (*Server).findOrder},
	{Pattern: "GET /admin/v1/plans", Summary: "List catalog plans (?enterprise= granted to it, ?status=)", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listPlans},
	{Pattern: "GET /admin/v1/plans/{code}", Summary: "Show a catalog plan and the enterprises it is granted to", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).findPlan},
	{Pattern: "GET /admin/v1/usage", Summary: "Data usage of a SIM or an enterprise per UTC+8 day or month (?iccid=, ?enterprise=, ?granularity=, ?from=, ?to=)", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).usage},
	{Pattern: "GET /admin/v1/sessions", Summary: "List open data sessions, newest started first (?enterprise=, ?iccid=)", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listSessions},
	{Pattern: "GET /admin/v1/sms", Summary: "List short messages, newest first (?enterprise=, ?iccid=, ?direction=, ?state=, ?from=, ?to=)", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listSMS},
	{Pattern: "GET /admin/v1/mall-orders", Summary: "List Mall orders, newest first (?enterprise=, ?iccid=, ?status=paid|pending|failed, ?from=, ?to=), each with the SIM order it became", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listMallOrders},
	{Pattern: "GET /admin/v1/enterprises/{code}/mall-orders/{no}", Summary: "Show a Mall order and the SIM order it became", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).findMallOrder},
	{Pattern: "GET /admin/v1/esim-orders", Summary: "List eSIM QR Mall orders, newest first (?enterprise=, ?iccid=, ?status=waiting|paid|failed|cancelled, ?from=, ?to=), each with the SIM order it made", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listESIMOrders},
	{Pattern: "GET /admin/v1/esim-orders/{id}", Summary: "Show an eSIM order: its profile, whether its ICCID is a SIM, the SIM order it made", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).findESIMOrder},
	{Pattern: "GET /admin/v1/payments", Summary: "List the shops' payments, newest order first (?enterprise=, ?iccid=, ?shop=mall|esim, ?status=succeeded|failed|pending, ?from=, ?to=): succeeded and failed as a verified provider report said", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listPayments},
	{Pattern: "GET /admin/v1/bundle-groups", Summary: "List Mall bundle groups with their base plan and SIM count (?enterprise=)", MaxBody: MaxBody, Scope: ScopeOwn, handle: (*Server).listGroups},
	{Pattern: "GET /admin/v1/enterprises/{code}/bundle-groups/{id}", Summary: "Show a Mall bundle group and its SIMs", MaxBody: MaxBody, Scope: ScopeCode, handle: (*Server).findGroup},
	{Pattern: "GET /admin/v1/hlr", Summary: "The subscriber register: SIMs pending or failed, the last reconciliation's report", MaxBody: MaxBody, handle: (*Server).hlrStatus},
	// The master keys that seal the stored secrets (Server.MasterKeys).
	{Pattern: "POST /admin/v1/master-keys/rotate", Summary: "Re-seal the data keys under the server's first master key, dropping the sealings under keys it no longer lists", MaxBody: MaxBody, handle: (*Server).rotateMasterKeys},
	{Pattern: "POST /admin/v1/hlr/reconcile", Summary: "Reconcile the subscriber register with the SIMs now: repair the drift, answer the report", MaxBody: MaxBody, handle: (*Server).reconcileHLR},
	{Pattern: "GET /admin/v1/jobs", Summary: "List background jobs, earliest first (?kind=, ?state=due|running|failed|waiting)", MaxBody: MaxBody, handle: (*Server).listJobs},
}
