package mall

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/apidoc"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/stripepay"
)

// routeDoc is what the reference says of one route beyond the route table:
// its own fields (required first), the schema of its answer's data, its
// codes of failure beyond the common ones, and an example. routeDocs holds
// one for every route (TestReferenceCoversRoutes).
type routeDoc struct {
	required, optional []string
	data               *apidoc.Schema
	errors             []string
	about              string
	example            string // the route's own fields, as JSON
	answer             string // the answer's data, as JSON
}

var (
	orderFields    = []string{"orderNo", "deviceCode", "packageCode", "payCurrency", "payAmount"}
	orderOptional  = []string{"servicePlanCode", "orderPeriod", "autoRenewal", "payType"}
	exampleSIM     = `"deviceCode":"89852022018041800192"`
	exampleMallBuy = `"orderNo":"M20250101000001",` + exampleSIM + `,"packageCode":"DP20190726001274","orderPeriod":"1","payAmount":"10.00","payCurrency":"CNY"`
	exampleItem    = `{"orderNo":"M20250101000001","deviceCode":"89852022018041800192","packageCode":"DP20190726001274","orderPeriod":1,"payAmount":"10.00","payCurrency":"CNY","payStatus":"1","autoRenewal":"1","orderId":"ORDER_14279787781881856","createTime":"2025-01-01 10:00:00",` +
		`"payId":"","payProvider":"stripe","subscriptionId":"","renewals":0,"renewalStopped":""}`
	exampleGroupPending = `{"requestId":"5f0c8e7a-3b1d-4c2e-9a6f-1d2e3f4a5b6c","groupId":"fleet-1","operation":"add","operationStatus":"pending","finished":false,"items":[` +
		`{"deviceCode":"89852022018041800192","code":"","result":"pending"},{"deviceCode":"89852022018041800193","code":"","result":"pending"}]}`
	exampleGroupResult = `{"requestId":"5f0c8e7a-3b1d-4c2e-9a6f-1d2e3f4a5b6c","groupId":"fleet-1","operation":"add","operationStatus":"finished","finished":true,"items":[` +
		`{"deviceCode":"89852022018041800192","code":"0000","result":"added","orderId":"ORDER_14279787781881856"},{"deviceCode":"89852022018041800193","code":"0000","result":"added"}]}`
	exampleActive = `{"orderId":"ORDER_14279787781881856","packageCode":"DP20190726001274","packageName":"C_M_0_P_中国20M不限速月套餐","orderStatus":2,"startTime":"2025-01-01 10:00:00","endTime":"2025-01-31 23:59:59"}`
)

// list is the schema of the answers that list Mall orders of a SIM.
func list() *apidoc.Schema {
	return apidoc.Object("").Prop("deviceCode", apidoc.String(""), true).
		Prop("list", apidoc.Array(apidoc.Reflect(mallItem{}), "the SIM's Mall orders with auto-renewal on"), true)
}

var routeDocs = map[string]routeDoc{
	"/vshop/singleVerify": {required: []string{"deviceCode"}, data: apidoc.Reflect(verifyData{}), errors: []string{csss.CodeDeviceNotFound},
		about:   "The SIM holder's login: the SIM must be one of the partner's.",
		example: `{` + exampleSIM + `}`,
		answer:  `{` + exampleSIM + `,"partnerCode":"P000270","imsi":"454000180192","msisdn":"85218041800192","status":"active"}`},
	"/vshop/singleServicePlanPage": {required: []string{"deviceCode"}, optional: []string{"area"}, errors: []string{csss.CodeDeviceNotFound},
		data: apidoc.Object("").Prop("deviceCode", apidoc.String(""), true).Prop("total", apidoc.Integer("plans in the list"), true).
			Prop("list", apidoc.Array(apidoc.Reflect(planItem{}), ""), true),
		about: "The plans granted to the partner that the SIM can buy, with their prices; with `area`, only those covering one of its countries or regions " +
			"(an ISO 3166 code, an MCC, a continent code AF, AS, EU, NA, OC, SA, or a name in English or Chinese, such as `中国` or `Europe`; several comma-separated).",
		example: `{` + exampleSIM + `}`,
		answer:  `{` + exampleSIM + `,"total":1,"list":[{"servicePlanCode":"DP20190726001274","servicePlanShowName":"C_M_0_P_中国20M不限速月套餐","packageCode":"DP20190726001274","packageType":"2","flow":"20","price":"10.00","currency":"CNY","area":"CN"}]}`},
	"/vshop/singleOrder": {required: orderFields, optional: append(slices.Clone(orderOptional), "payId"), data: apidoc.Reflect(orderData{}),
		errors: []string{csss.CodeDeviceNotFound, csss.CodePlanNotOrderable, csss.CodeOrderState, csss.CodeSIMState},
		about: "A Mall order paid through the Mall's cashier: it waits for its payment (`payStatus` 0). With a Stripe account configured, `payId` is the Stripe payment intent " +
			"and `clientSecret` what the buyer's page confirms the card with (with `autoRenewal` 1 the card is kept for the renewals). Only Stripe's signed " +
			"`payment_intent.succeeded` event (`/payment/stripe/webhook`), or `confirmPayResult` asking Stripe, makes it paid: then, in one transaction, it becomes an order " +
			"on the SIM, enabled at once when the SIM has no order in use. `payAmount` must be the plan's price times `orderPeriod` (`1001` naming `payAmount` otherwise), " +
			"and so must the payment. The same `orderNo` again answers the same order.",
		example: `{` + exampleMallBuy + `,"autoRenewal":"1"}`,
		answer:  `{` + exampleSIM + `,"orderNo":"M20250101000001","partnerCode":"P000270","payId":"pi_3QZ0001","payStatus":"0","clientSecret":"pi_3QZ0001_secret_x1"}`},
	"/vshop/synPartner/SynOrderInfo": {required: orderFields, optional: append(slices.Clone(orderOptional), "payId", "payRst", "payStatus"), data: apidoc.Reflect(orderData{}),
		errors: []string{csss.CodeDeviceNotFound, csss.CodePlanNotOrderable, csss.CodeOrderState, csss.CodeSIMState},
		about: "A Mall order the partner was paid for itself: `payRst` `SUCCESS` (or `payStatus` 1) makes it paid, and an order on the SIM as singleOrder does; " +
			"`PENDING` (or `payStatus` 0) records it unpaid.",
		example: `{` + exampleMallBuy + `,"payRst":"SUCCESS"}`,
		answer:  `{` + exampleSIM + `,"orderNo":"M20250101000001","partnerCode":"P000270","payId":"","orderId":"ORDER_14279787781881856","orderStatus":2,"payStatus":"1"}`},
	"/vshop/queryActivePendingOrder": {required: []string{"deviceCode"}, errors: []string{csss.CodeDeviceNotFound},
		data: apidoc.Object("").Prop("deviceCode", apidoc.String(""), true).
			Prop("activeOrders", apidoc.Array(apidoc.Reflect(orderItem{}), "the SIM's order in use or suspended"), true).
			Prop("pendingOrders", apidoc.Array(apidoc.Reflect(orderItem{}), "its orders not enabled yet"), true).
			Prop("unpaidOrders", apidoc.Array(apidoc.Reflect(mallItem{}), "its Mall orders not paid yet"), true),
		about:   "The SIM's orders: in use, waiting, and Mall orders not paid.",
		example: `{` + exampleSIM + `}`,
		answer:  `{` + exampleSIM + `,"activeOrders":[` + exampleActive + `],"pendingOrders":[],"unpaidOrders":[]}`},
	"/vshop/getActiveAutoRenewal": {required: []string{"deviceCode"}, data: list(), errors: []string{csss.CodeDeviceNotFound},
		about:   "The SIM's Mall orders that renew by themselves.",
		example: `{` + exampleSIM + `}`,
		answer:  `{` + exampleSIM + `,"list":[` + exampleItem + `]}`},
	"/vshop/cancelAutoRenewal": {required: []string{"deviceCode"}, optional: []string{"orderNo"}, data: list(), errors: []string{csss.CodeDeviceNotFound, csss.CodeOrderNotFound},
		about:   "Turns auto-renewal off for one Mall order (`orderNo`), or for every one of the SIM's; answers the orders it turned off.",
		example: `{` + exampleSIM + `,"orderNo":"M20250101000001"}`,
		answer:  `{` + exampleSIM + `,"list":[` + strings.Replace(exampleItem, `"autoRenewal":"1"`, `"autoRenewal":"0"`, 1) + `]}`},
	"/payment/queryPayResult": {required: []string{"orderNo"}, data: apidoc.Reflect(mallItem{}), errors: []string{csss.CodeOrderNotFound},
		about:   "Whether a Mall order is paid (`payStatus` 1), pending (0) or failed (2), as the payment provider reported it, with the SIM order it became.",
		example: `{"orderNo":"M20250101000001"}`,
		answer:  exampleItem},
	"/payment/confirmPayResult": {required: []string{"orderNo"}, data: apidoc.Reflect(mallItem{}), errors: []string{csss.CodeOrderNotFound, csss.CodeOrderState},
		about: "Asks Stripe for the order's payment intent and records what it says, as its webhook would (a lost webhook cannot leave an order unpaid): " +
			"`succeeded` pays it (the amount checked), `canceled` fails it; otherwise the order stays as it is. Answers the order then.",
		example: `{"orderNo":"M20250101000001"}`,
		answer:  exampleItem},
	"/payment/stripeAuthorization": {required: []string{"orderNo"}, data: apidoc.Reflect(authorizeData{}), errors: []string{csss.CodeOrderNotFound, csss.CodeOrderState},
		about: "The Stripe single-payment and subscription authorisation of an unpaid Mall order: its payment intent (made now if it has none) and the " +
			"`clientSecret` Stripe.js confirms the card with; for an order with `autoRenewal` 1, the intent keeps the card on `customerId` for the renewals. " +
			"`1001` naming `payType` when no Stripe account is configured.",
		example: `{"orderNo":"M20250101000001"}`,
		answer:  `{"orderNo":"M20250101000001","payId":"pi_3QZ0001","clientSecret":"pi_3QZ0001_secret_x1","customerId":"cus_R0001","payAmount":"10.00","payCurrency":"CNY"}`},
	"/payment/createSubscription": {required: []string{"orderNo"}, optional: []string{"paymentMethod"}, data: apidoc.Reflect(mallItem{}),
		errors: []string{csss.CodeOrderNotFound, csss.CodeOrderState},
		about: "Creates the Stripe subscription that renews a paid Mall order with `autoRenewal` 1: its price every period of its plan times `orderPeriod`, " +
			"the first invoice a day before the SIM's order expires, charged to `paymentMethod` (the customer's default card when absent). Each paid invoice " +
			"(`invoice.paid`) renews the SIM's order by `orderPeriod` and pushes `mall_recharge` with `renewal` n; a failed one (`invoice.payment_failed`) " +
			"ends auto-renewal (`renewalStopped` payment_failed), cancels the subscription, pushes `mall_recharge` with `result` failed, and lets the order expire. " +
			"`2004` for an unpaid order or one without auto-renewal; the same order again answers its subscription.",
		example: `{"orderNo":"M20250101000001","paymentMethod":"pm_card_visa"}`,
		answer:  strings.Replace(exampleItem, `"payId":""`, `"payId":"pi_3QZ0001"`, 1)},
	"/payment/stripe/webhook": {data: apidoc.Reflect(stripeWebhookData{}), errors: []string{csss.CodeOrderNotFound, csss.CodeOrderState},
		about: "Stripe's webhook endpoint for both shops (register this URL at Stripe): a Stripe event in Stripe's own JSON, signed in the `Stripe-Signature` header with " +
			"the endpoint secret (`--stripe-webhook-secret`) and checked by Stripe's library within five minutes of the real clock; anything else answers HTTP 400 " +
			"with `1002` and changes nothing. `payment_intent.succeeded` and `payment_intent.payment_failed` settle the order their metadata names " +
			"(`shop` mall with `orderId` the orderNo and `partnerCode`, or `shop` esim with the eSIM order id; an amount or currency other than the order's " +
			"answers `1001` naming `payAmount`; a Mall order that holds a payment intent, made by the Stripe authorisation, is settled only by that intent, another answers `2004` naming both); `invoice.paid` and `invoice.payment_failed` of the subscription a Mall order holds (made by `createSubscription`) renew or end its auto-renewal; an invoice of another subscription, or for an order that holds none, answers `2004` and changes nothing. " +
			"Other events answer `ignored`. A server failure answers HTTP 500, so that Stripe sends the event again.",
		example: `{"id":"evt_0001","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3QZ0001","object":"payment_intent","amount":1000,"currency":"cny",` +
			`"metadata":{"shop":"mall","orderId":"M20250101000001","partnerCode":"P000270"}}}}`,
		answer: `{"eventId":"evt_0001","type":"payment_intent.succeeded","orderNo":"M20250101000001","payStatus":"1"}`},
	"/topup/bundleGroup/addSims": {required: []string{"groupId", "deviceCodes"}, optional: []string{"groupName", "basePlan"}, data: apidoc.Reflect(groupResultData{}),
		errors: []string{csss.CodePlanNotOrderable},
		about: "Puts SIMs of the partner (`deviceCodes`, 1-1000 ICCIDs, comma-separated) in bundle group `groupId`, creating it with `groupName` and `basePlan` " +
			"(a plan the partner may order; required for a new group, and must be the group's own otherwise) when it does not exist. A SIM is in one group at most. " +
			"The operation is asynchronous: the call writes it (and the group, when new) and answers it at once, `operationStatus` pending with every SIM `pending`; " +
			"a background job, run once whichever node takes it, then does it in one transaction and `/topup/bundleGroup/result` reports `operationStatus` finished and, per SIM, " +
			"`0000` added (also when already in the group), `2001` not a SIM of the partner, `1001` in another group (remove it there first), " +
			"or `2002` the base plan cannot be ordered for it (it stays out of the group; `reason` says why). " +
			"A SIM added with no usable order (none in use or suspended, none waiting to be enabled) gets an order of one period of the base plan " +
			"(`orderId`), charged as an order of the plan and started at once (an OTA SIM's waits to be enabled, as any of its orders); " +
			"a SIM with an order keeps it and gets none.",
		example: `{"groupId":"fleet-1","groupName":"Fleet 1","basePlan":"DP20190726001274","deviceCodes":"89852022018041800192,89852022018041800193"}`,
		answer:  exampleGroupPending},
	"/topup/bundleGroup/removeSims": {required: []string{"groupId", "deviceCodes"}, data: apidoc.Reflect(groupResultData{}), errors: []string{csss.CodeOrderNotFound},
		about: "Takes SIMs out of a bundle group (`2003` for an unknown group), asynchronously as addSims: answered pending at once, then per SIM " +
			"`0000` removed or `2003` not in the group. A removed SIM keeps its orders. The body travels with DELETE.",
		example: `{"groupId":"fleet-1","deviceCodes":"89852022018041800193"}`,
		answer:  strings.ReplaceAll(exampleGroupPending, `"add"`, `"remove"`)},
	"/topup/bundleGroup/sims": {required: []string{"groupId"}, errors: []string{csss.CodeOrderNotFound},
		data: apidoc.Object("").Prop("groupId", apidoc.String(""), true).Prop("total", apidoc.Integer("SIMs in the group"), true).
			Prop("list", apidoc.Array(apidoc.Reflect(groupSIMItem{}), ""), true),
		about:   "The SIMs of a bundle group, ICCID order; the globals and `groupId` travel in the query string.",
		example: `{"groupId":"fleet-1"}`,
		answer:  `{"groupId":"fleet-1","total":1,"list":[{"deviceCode":"89852022018041800192","addTime":"2025-01-01 10:00:00"}]}`},
	"/topup/bundleGroup/list": {
		data:    apidoc.Object("").Prop("total", apidoc.Integer("groups"), true).Prop("list", apidoc.Array(apidoc.Reflect(groupItem{}), ""), true),
		about:   "The partner's bundle groups with their base plan and how many SIMs each holds; the globals travel in the query string.",
		example: `{}`,
		answer:  `{"total":1,"list":[{"groupId":"fleet-1","groupName":"Fleet 1","basePlan":"DP20190726001274","basePlanName":"C_M_0_P_中国20M不限速月套餐","simCount":1,"createTime":"2025-01-01 10:00:00"}]}`},
	"/topup/bundleGroup/result": {required: []string{"requestId"}, data: apidoc.Reflect(groupResultData{}), errors: []string{csss.CodeOrderNotFound},
		about: "The result of an add or remove operation, by the `requestId` it answered (`2003` when unknown): `operationStatus` pending (`finished` false) " +
			"until its job has run, then finished with each SIM's code, result and, for an add, the base plan's order it made; the globals travel in the query string.",
		example: `{"requestId":"5f0c8e7a-3b1d-4c2e-9a6f-1d2e3f4a5b6c"}`,
		answer:  exampleGroupResult},
	"/topup/order/detail": {required: []string{"orderNo"}, data: apidoc.Reflect(detailData{}), errors: []string{csss.CodeOrderNotFound},
		about:   "A Mall order and the SIM order it became (`order`, null while unpaid); the globals and `orderNo` travel in the query string, and the sign covers them as a JSON object of strings.",
		example: `{"orderNo":"M20250101000001"}`,
		answer:  strings.TrimSuffix(exampleItem, "}") + `,"order":` + exampleActive + `}`},
}

var glossary = apidoc.Glossary{
	"partnerCode":         {About: "the enterprise's access code (D22)"},
	"tradeType":           {About: "the operation's name; required on a request that changes state, so that its sign is good on that route only (D25)"},
	"tradeTime":           {About: "the time of the request, epoch milliseconds (or seconds), within ten minutes of the server's real clock (D4, D27)"},
	"version":             {About: "the Mall version, when sent"},
	"sign":                {About: "lowercase hex HMAC-MD5 of the canonical body with the enterprise secret (MD5 of the canonical body and the secret is accepted too, D22)"},
	"deviceCode":          {About: "the SIM's ICCID"},
	"orderNo":             {About: "the Mall order's number, the partner's own: the same number again answers the same order"},
	"packageCode":         {About: "the plan's code"},
	"servicePlanCode":     {About: "the plan's code again, when sent: it must equal packageCode"},
	"orderPeriod":         {About: "how many periods the order buys"},
	"payAmount":           {About: "the amount paid, in major units: the plan's price times orderPeriod"},
	"payCurrency":         {About: "ISO 4217 currency of payAmount"},
	"payId":               {About: "the payment's reference"},
	"payType":             {About: "how it was paid (recorded)"},
	"payRst":              {About: "the payment's result", Enum: []any{"SUCCESS", "PENDING"}},
	"payStatus":           {About: "1 paid, 0 pending, 2 failed", Enum: []any{"0", "1", "2"}},
	"clientSecret":        {About: "the Stripe payment intent's client secret, for Stripe.js to confirm the card"},
	"customerId":          {About: "the Stripe customer that keeps the card of an auto-renewed order"},
	"paymentMethod":       {About: "the Stripe payment method (pm_...) the subscription charges"},
	"payProvider":         {About: "who reported the payment: stripe, or partner (SynOrderInfo)"},
	"subscriptionId":      {About: "the Stripe subscription renewing the order"},
	"renewals":            {About: "the periods renewal invoices paid"},
	"renewalStopped":      {About: "why auto-renewal ended: cancelled, or payment_failed"},
	"eventId":             {About: "the Stripe event's id"},
	"type":                {About: "the Stripe event's type"},
	"ignored":             {About: "true for an event of no order"},
	"order":               {About: "the SIM order the Mall order became; null while unpaid"},
	"groupId":             {About: "the bundle group's id, the partner's own (1-64 characters)"},
	"groupName":           {About: "the bundle group's name"},
	"basePlan":            {About: "the plan code the group's SIMs share"},
	"basePlanName":        {About: "the base plan's name"},
	"deviceCodes":         {About: "ICCIDs, comma-separated: 1-1000, each once"},
	"requestId":           {About: "the id of a bundle-group operation, to ask its result with"},
	"operation":           {About: "add or remove"},
	"items":               {About: "what the operation did to each SIM"},
	"result":              {About: "pending, added, removed, unknown_sim, in_other_group, not_orderable or not_in_group"},
	"operationStatus":     {About: "pending until the operation's job has run, then finished", Enum: []any{"pending", "finished"}},
	"reason":              {About: "why the base plan could not be ordered for the SIM, in the answer's language (Accept-Language): the rule that refused its order (the SIM is suspended, the balance does not cover it...)"},
	"simCount":            {About: "how many SIMs the group holds"},
	"finished":            {About: "true: the operation's job has run, in one transaction, and each SIM has its outcome"},
	"addTime":             {About: "when the SIM joined the group, UTC+8"},
	"autoRenewal":         {About: "1 (or true) renews the order by itself", Enum: []any{"0", "1", "false", "true"}},
	"code":                {About: "the result code, as CSSS's: 0000 on success (D6)"},
	"message":             {About: "the code's message, in the language of Accept-Language (D7)"},
	"success":             {About: "true when code is 0000"},
	"imsi":                {About: "the SIM's IMSI"},
	"msisdn":              {About: "the SIM's number"},
	"status":              {About: "the SIM's state", Enum: []any{"inventory", "active", "suspended", "terminated"}},
	"servicePlanShowName": {About: "the plan's name"},
	"packageType":         {About: "the plan's type, as CSSS package_type"},
	"flow":                {About: "volume in MB (D19)"},
	"price":               {About: "price of one period, two decimals"},
	"currency":            {About: "ISO 4217 currency of price"},
	"area":                {About: "in an answer, the ISO 3166 codes of the countries covered, comma-separated; in a request, the countries or regions to list plans of"},
	"orderId":             {About: "the SIM's order (ORDER_ and 17 digits) the Mall order became; empty while unpaid"},
	"orderStatus":         {About: "that order's status, as CSSS order_status (D12)"},
	"createTime":          {About: "when the Mall order was placed, UTC+8"},
	"startTime":           {About: "when the order started, UTC+8; empty until it starts"},
	"endTime":             {About: "when the order ends, UTC+8; empty until it starts"},
	"packageName":         {About: "the plan's name"},
}

// fieldSchema is the schema of a request field; every value may be a JSON
// string or number, as the Mall reads them.
func fieldSchema(name string, required bool) *apidoc.Schema {
	var s *apidoc.Schema
	switch name {
	case "tradeTime":
		s = &apidoc.Schema{Type: apidoc.Types{"string", "integer"}, Pattern: "^[0-9]+$"}
	case "orderPeriod":
		s = (&apidoc.Schema{Type: apidoc.Types{"integer", "string"}, Pattern: "^[0-9]+$", Default: 1}).Range(1, opencube.MaxMallPeriods)
	case "payAmount":
		s = &apidoc.Schema{Type: apidoc.Types{"string", "number"}, Pattern: `^[0-9]+(\.[0-9]{1,2})?$`, Description: "a decimal amount 0-999999999999999 with at most two decimals, at most 15 characters, equal to the plan's price times orderPeriod"}
	case "autoRenewal":
		s = &apidoc.Schema{Type: apidoc.Types{"string", "integer", "boolean"}}
	case "payStatus":
		s = &apidoc.Schema{Type: apidoc.Types{"string", "integer"}}
	case "version":
		s = apidoc.String("").Values("1.0", "2.0", "3.0")
		s.Type = apidoc.Types{"string", "number"}
	case "sign":
		s = &apidoc.Schema{Type: apidoc.Types{"string"}, Pattern: "^[0-9a-fA-F]{32}$"}
	default:
		s = apidoc.String("")
	}
	if required && slices.Contains(s.Type, "string") {
		one := 1
		s.MinLength = &one
	}
	return s
}

// requestSchema is a route's body (or query) schema: the globals and its
// own fields.
func requestSchema(rt *Route, doc routeDoc) *apidoc.Schema {
	s := apidoc.Object("")
	s.Prop("partnerCode", fieldSchema("partnerCode", true), true)
	tt := fieldSchema("tradeType", rt.Writes)
	tt.Enum = []any{rt.TradeType}
	s.Prop("tradeType", tt, rt.Writes)
	s.Prop("tradeTime", fieldSchema("tradeTime", true), true)
	s.Prop("version", fieldSchema("version", false), false)
	for _, f := range doc.required {
		s.Prop(f, fieldSchema(f, true), true)
	}
	for _, f := range doc.optional {
		s.Prop(f, fieldSchema(f, false), false)
	}
	s.Prop("sign", fieldSchema("sign", true), true)
	return s.Describe(glossary)
}

// envelopeSchema is the schema of a route's answers.
func envelopeSchema(doc routeDoc, errs []string) *apidoc.Schema {
	ok := apidoc.Object("success").
		Prop("code", &apidoc.Schema{Type: apidoc.Types{"string"}, Const: csss.CodeOK}, true).
		Prop("data", doc.data, true).
		Prop("message", apidoc.String(""), true).
		Prop("success", &apidoc.Schema{Type: apidoc.Types{"boolean"}, Const: true}, true)
	codes := make([]any, len(errs))
	for i, c := range errs {
		codes[i] = c
	}
	fail := apidoc.Object("failure").
		Prop("code", (&apidoc.Schema{Type: apidoc.Types{"string"}}).Values(codes...), true).
		Prop("data", apidoc.Null(), true).
		Prop("message", apidoc.String(""), true).
		Prop("success", &apidoc.Schema{Type: apidoc.Types{"boolean"}, Const: false}, true)
	return (&apidoc.Schema{OneOf: []*apidoc.Schema{ok, fail}}).Describe(glossary)
}

// exampleSecret signs the examples: the demo enterprises' secret.
const exampleSecret = "opencube-demo-secret"

// exampleBody is a route's example request, signed with exampleSecret.
func exampleBody(rt *Route, fields string) string {
	body := `{"partnerCode":"P000270","tradeType":"` + rt.TradeType + `","tradeTime":"1735689600000","version":"3.0",` + strings.TrimPrefix(fields, "{")
	if fields == "{}" {
		body = strings.TrimSuffix(body, ",}") + "}"
	}
	sign, err := SignBody([]byte(body), exampleSecret)
	if err != nil {
		panic("mall: example " + body + ": " + err.Error())
	}
	return strings.TrimSuffix(body, "}") + `,"sign":"` + sign + `"}`
}

// exampleQuery is the query string of a GET route's example: the example
// body's members, in its order.
func exampleQuery(body string) string {
	p, err := ParseParams([]byte(body))
	if err != nil {
		panic("mall: example " + body + ": " + err.Error())
	}
	var parts []string
	for _, k := range []string{"partnerCode", "tradeType", "tradeTime", "version", "orderNo", "groupId", "requestId", "sign"} {
		if _, ok := p[k]; ok {
			parts = append(parts, k+"="+url.QueryEscape(p[k]))
		}
	}
	return strings.Join(parts, "&")
}

const intro = "The Mall lets a SIM holder buy a plan for a SIM of a partner enterprise. It is served under `/vshop`, `/payment` and `/topup` (D21). " +
	"A request is one JSON object (the GET route carries its fields in the query string) with `partnerCode` (the enterprise's access code), " +
	"`tradeType` (the operation), `tradeTime` (epoch milliseconds) and `sign`: the body's canonical form, as a CSSS request's " +
	"([signing.md](signing.md)), signed with HMAC-MD5 and the enterprise secret, in lowercase hex (D22). Any scalar may be a string or a number; " +
	"members the Mall does not know are ignored, and signed like the others.\n\n" +
	"Answers are HTTP 200 with the CSSS envelope `{\"code\", \"data\", \"message\", \"success\"}` and the CSSS codes (D6), `data: null` on failure; " +
	"`Accept-Language: en-US` gives English messages (D7). A path with no route under the three prefixes answers HTTP 404 with code `1007`. " +
	"The checks run as CSSS's (D23): `partnerCode` (`1004`: unknown, or its enterprise disabled), `sign` (`1002`), `version` (`1005`), `tradeTime` (`1003`), then the fields (`1001`)."

// Reference returns the reference of the Mall: every route of the route
// table with its fields, answer, codes and example.
func Reference() *apidoc.Protocol {
	p := &apidoc.Protocol{
		Tag: "Mall", Title: "Mall API", File: "mall",
		Summary:      "The consumer Mall: a SIM holder tops up a partner's SIM with a plan, paid in the Mall or by the partner.",
		Intro:        intro,
		CommonErrors: []string{csss.CodeInvalid, csss.CodeSignature, csss.CodeTimestamp, csss.CodeAccessCode, csss.CodeVersion, csss.CodeSystem},
	}
	for _, c := range csss.Reference().Codes {
		if c.Code == csss.CodeOK || slices.Contains(p.CommonErrors, c.Code) || c.Code == csss.CodeNoRoute || c.Code == csss.CodeOTA ||
			c.Code == csss.CodeDeviceNotFound || c.Code == csss.CodePlanNotOrderable || c.Code == csss.CodeOrderNotFound ||
			c.Code == csss.CodeOrderState || c.Code == csss.CodeSIMState {
			p.Codes = append(p.Codes, c)
		}
	}
	for i := range Routes {
		rt := &Routes[i]
		doc := routeDocs[rt.Path]
		errs := p.Errors(&apidoc.Route{Errors: doc.errors})
		r := apidoc.Route{
			Method: rt.Method, Path: rt.Path, Summary: rt.Summary, Description: doc.about, Errors: doc.errors,
			Params: []apidoc.Param{{Name: "Accept-Language", In: "header", About: "en-US for English messages, anything else Chinese (D7)", Schema: apidoc.String("")}},
			Responses: []apidoc.Response{{Status: 200, About: "the envelope: code 0000 with data, or a code of failure",
				Schema: envelopeSchema(doc, errs)}},
		}
		r.Example = &apidoc.Example{Answer: `{"code":"0000","data":` + doc.answer + `,"message":"success","success":true}`}
		if rt.Stripe {
			r.Params = append(r.Params, apidoc.Param{Name: "Stripe-Signature", In: "header", Required: true,
				About: "t=<epoch seconds>,v1=<hex HMAC-SHA256 of \"t.body\" with the endpoint secret>", Schema: apidoc.String("")})
			r.Body = apidoc.Object("a Stripe event (payment_intent.* or invoice.*) in Stripe's JSON")
			r.Example.Request = doc.example
			r.Example.Header = map[string]string{"Stripe-Signature": stripepay.Sign([]byte(doc.example), "whsec_opencube_demo", time.Unix(1735689600, 0))}
			p.Routes = append(p.Routes, r)
			continue
		}
		req := requestSchema(rt, doc)
		body := exampleBody(rt, doc.example)
		if rt.Method == "GET" {
			for _, name := range req.Names() {
				r.Params = append(r.Params, apidoc.Param{Name: name, In: "query", Required: req.IsRequired(name), About: req.Properties[name].Description,
					Schema: &apidoc.Schema{Type: apidoc.Types{"string"}, Enum: req.Properties[name].Enum, Pattern: req.Properties[name].Pattern}})
			}
			r.Example.Query = exampleQuery(body)
		} else {
			r.Body = req
			r.Example.Request = body
		}
		p.Routes = append(p.Routes, r)
	}
	return p
}
