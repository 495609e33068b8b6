package esim

import (
	"slices"
	"strconv"
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
// one for every route, by method and path (TestReferenceCoversRoutes).
type routeDoc struct {
	required, optional []string
	data               *apidoc.Schema
	errors             []int
	about              string
	example            string // the body (or query string of a GET), as sent
	answer             string // the answer's data, as JSON
}

const (
	examplePlan  = `{"id":1001,"packageId":1001,"packageCode":"ESIM-CN-1G-7D","packageShowName":"China 1GB 7 days","packageDesc":"1 GB of data in mainland China, valid 7 days","packageShortDesc":"China 1GB 7 days","packageType":1,"packageFlow":1024,"period":7,"periodUnit":1,"buyType":1,"priceType":1,"configFlag":0,"logo":"","saleCount":3,"surplusFlow":1024,"minOrderPeriod":1,"maxOrderPeriod":12,"coverCountrys":[{"countryCode":"460","isoCountryName":"CN","countryName":"China","continentsCode":"AS"}],"continentsCode":"AS","hot":true,"currencyIds":"1,2","currencyInfos":[{"currencyId":1,"currencyAbbr":"USD","currencyName":"US Dollar","currencySymbol":"$","digitsNum":2,"price":"4.99","unit":"$"},{"currencyId":2,"currencyAbbr":"CNY","currencyName":"Chinese Yuan","currencySymbol":"¥","digitsNum":2,"price":"35.00","unit":"¥"}],"updateTime":"2025-01-01 08:00:00"}`
	exampleOrder = `"orderId":"ESIM14279787781881860"`
	exampleUser  = `{"userId":"0b9f3c52-8e4a-4d7b-a1c6-5e2f9d8b3a71","email":"buyer@example.com","token":"6f1c9a2e-4b7d-4e8a-9c3f-2d5b8e1a7c40a1b2c3d4"}`
	examplePre   = `{` + exampleOrder + `,"packageCode":"ESIM-CN-1G-7D","money":"4.99","currency":"USD","expireTime":1735693200000}`
	examplePlans = `[` + examplePlan + `]`
	partner      = `"partnerCode":"P000270"`
)

var plans = apidoc.Array(apidoc.Reflect(planData{}), "")

var listFields = []string{"countryCode", "isoCountryName", "type", "continentsCode"}

var routeDocs = map[string]routeDoc{
	"POST /user/emailVerificationCode": {required: []string{"partnerCode", "email"}, data: apidoc.Null(),
		about:   "Mails a verification code to the address, valid 10 minutes; in sandbox mode the admin API shows it (D21).",
		example: `{` + partner + `,"email":"buyer@example.com"}`, answer: `null`},
	"POST /user/emailRegister": {required: []string{"partnerCode", "email", "passwd", "verifyCode"}, optional: []string{"userType"}, data: apidoc.Reflect(userData{}), errors: []int{CodeEmailRegistered},
		about:   "Registers a consumer of the partner with the mailed code; the answer (and its `x-access-token` header) carries a token valid three days.",
		example: `{` + partner + `,"email":"buyer@example.com","passwd":"5f4dcc3b5aa765d61d8327deb882cf99","verifyCode":"123456","userType":"4"}`, answer: exampleUser},
	"POST /user/login": {required: []string{"partnerCode", "email", "passwd"}, data: apidoc.Reflect(userData{}), errors: []int{CodeLoginFailed},
		about:   "Logs a consumer in; the answer (and its `x-access-token` header) carries a new token valid three days.",
		example: `{` + partner + `,"email":"buyer@example.com","passwd":"5f4dcc3b5aa765d61d8327deb882cf99"}`, answer: exampleUser},
	"POST /package/queryCountry": {required: []string{"partnerCode"}, data: apidoc.Array(apidoc.Reflect(Country{}), ""),
		about:   "The countries the partner's plans cover, by MCC.",
		example: `{` + partner + `}`, answer: `[{"countryCode":"460","isoCountryName":"CN","countryName":"China","continentsCode":"AS"}]`},
	"POST /package/countryPackageList": {required: []string{"partnerCode"}, optional: listFields, data: plans,
		about:   "The plans of a country: `countryCode` (an MCC, before `isoCountryName`); `type` 1 every plan covering it, 2 plans of that country alone.",
		example: `{` + partner + `,"countryCode":"460","type":"1"}`, answer: examplePlans},
	"POST /package/packageList": {required: []string{"partnerCode"}, optional: listFields, data: plans,
		about:   "The plans of a country (`countryCode`, `isoCountryName`) or continent (`continentsCode`); without either, `type` 1 lists country plans and 2 regional ones.",
		example: `{` + partner + `,"isoCountryName":"CN"}`, answer: examplePlans},
	"POST /v1.1/package/packageList": {required: []string{"partnerCode"}, optional: listFields, data: plans,
		about:   "As /package/packageList.",
		example: `{` + partner + `,"countryCode":"460"}`, answer: examplePlans},
	"POST /package/selectContinentsCode": {required: []string{"partnerCode"},
		data:    apidoc.Array(apidoc.Object("").Prop("continentsCode", apidoc.String("").Values("AF", "AS", "EU", "NA", "OC", "SA"), true).Prop("continentsName", apidoc.String(""), true), ""),
		about:   "The continents the partner's plans are in.",
		example: `{` + partner + `}`, answer: `[{"continentsCode":"AS","continentsName":"Asia"}]`},
	"POST /package/selectPackageByContinents": {required: []string{"partnerCode"}, optional: listFields, data: plans,
		about:   "The plans of a continent (`continentsCode`).",
		example: `{` + partner + `,"continentsCode":"AS"}`, answer: examplePlans},
	"POST /package/selectHotPackage": {required: []string{"partnerCode"}, data: plans,
		about:   "The plans the partner marks as hot.",
		example: `{` + partner + `}`, answer: examplePlans},
	"POST /package/detail": {required: []string{"partnerCode", "id"}, optional: []string{"iccid"}, data: apidoc.Reflect(planData{}), errors: []int{CodePlanNotFound, CodeTokenExpired, CodeNotFound},
		about: "One plan, with its prices in each currency. With `iccid`, an eSIM the consumer bought (the request then carries the consumer's `x-access-token`), " +
			"`surplusFlow` is what that eSIM's current order has left now, 0 when it has none; without, the plan's whole volume.",
		example: `{` + partner + `,"id":1001}`, answer: examplePlan},
	"POST /v1.1/package/detail": {required: []string{"partnerCode", "id"}, optional: []string{"iccid"}, data: apidoc.Reflect(planData{}), errors: []int{CodePlanNotFound, CodeTokenExpired, CodeNotFound},
		about:   "As /package/detail.",
		example: `{` + partner + `,"id":1001}`, answer: examplePlan},
	"POST /v1.1/package/preOrderPackage": {required: []string{"id", "money"}, optional: preFields, data: apidoc.Reflect(preOrderData{}),
		errors: []int{CodePlanNotFound, CodePriceInconsistent, CodeSoldOut},
		about: "Reserves one eSIM profile for the plan until it is paid (one hour by default, `--esim-preorder-timeout`). `money` must be the plan's price in that " +
			"currency times `periodNum` (`10009` otherwise); give `currency` or `currencyId`. Pay before `expireTime` through a payment webhook.",
		example: `{"id":1001,"money":"4.99","currency":"USD","periodNum":1}`, answer: examplePre},
	"POST /v1.2/package/preOrderPackage": {required: []string{"id", "money"}, optional: preFields, data: apidoc.Reflect(preOrderV12Data{}),
		errors: []int{CodePlanNotFound, CodePriceInconsistent, CodeSoldOut},
		about: "Pre-order v1.2: as /v1.1/package/preOrderPackage, and, with the operator's Stripe account configured, the Stripe payment intent that pays the order " +
			"(`paymentIntentId`, and `clientSecret` for Stripe.js to confirm the card; metadata `shop` esim, `orderId`, `partnerCode`). The order is paid when Stripe's " +
			"signed `payment_intent.succeeded` event reaches a Stripe webhook; both are empty without a Stripe account.",
		example: `{"id":1001,"money":"4.99","currency":"USD","periodNum":1}`,
		answer:  strings.TrimSuffix(examplePre, "}") + `,"paymentIntentId":"pi_3QZ0002","clientSecret":"pi_3QZ0002_secret_y2"}`},
	"POST /package/preOrderPackage": {required: []string{"id", "money"}, optional: preFields, data: apidoc.Reflect(preOrderData{}),
		errors:  []int{CodePlanNotFound, CodePriceInconsistent, CodeSoldOut},
		about:   "As /v1.1/package/preOrderPackage.",
		example: `{"id":1001,"money":"4.99","currency":"USD"}`, answer: examplePre},
	"POST /package/topUpOrder": {required: []string{"id", "money", "iccid"}, optional: preFields, data: apidoc.Reflect(preOrderData{}),
		errors:  []int{CodePlanNotFound, CodePriceInconsistent, CodeNotFound},
		about:   "A pre-order that adds a plan to an eSIM the consumer bought before (`iccid`), paid as a pre-order.",
		example: `{"id":1001,"money":"4.99","currency":"USD","iccid":"89445099000000000001"}`, answer: examplePre},
	"POST /package/selectTopUpList": {optional: []string{"iccid"}, data: plans, errors: []int{CodeTokenExpired, CodeNotFound},
		about: "With `iccid`, an eSIM the consumer bought, the plans `topUpOrder` takes for it: those covering its countries whose core plan its enterprise may sell, " +
			"each with `surplusFlow` the MB the eSIM's current order has left (`6008` when the consumer bought no such eSIM). Without `iccid`, every plan the enterprise sells.",
		example: `{"iccid":"89445099000000000001"}`, answer: examplePlans},
	"POST /payment/webhook": {required: []string{"orderId", "partnerCode", "type", "payAmount", "payCurrency", "sign"}, optional: []string{"dateTime", "paypalId"},
		data: apidoc.Reflect(webhookData{}), errors: []int{CodeTimeConversion, CodeOrderSystem, CodePreOrderTimeout, CodeOrderNotFound, CodePriceInconsistent},
		about: "The partner reports a payment it collected, signed as a CSSS request (D22): `payment_intent.succeeded` sells the reserved profile and mails the buyer " +
			"the install material; `payment_intent.payment_failed` releases it. A sign that does not verify answers HTTP 400; a failure of the server HTTP 500, so that the sender retries.",
		example: webhookExample, answer: `{` + exampleOrder + `,"orderPayStatus":1}`},
	"POST /v1.1/payment/webhook": {required: []string{"orderId", "partnerCode", "type", "payAmount", "payCurrency", "sign"}, optional: []string{"dateTime", "paypalId"},
		data: apidoc.Reflect(webhookData{}), errors: []int{CodeTimeConversion, CodeOrderSystem, CodePreOrderTimeout, CodeOrderNotFound, CodePriceInconsistent},
		about:   "As /payment/webhook.",
		example: webhookExample, answer: `{` + exampleOrder + `,"orderPayStatus":1}`},
	"POST /payment/stripe/webhook": {data: apidoc.Reflect(webhookData{}), errors: []int{CodeOrderSystem, CodePreOrderTimeout, CodeOrderNotFound, CodePriceInconsistent},
		about: "A Stripe event `payment_intent.succeeded` or `payment_intent.payment_failed` whose `data.object` carries `amount` (minor units), `currency` and " +
			"`metadata.orderId` and `metadata.partnerCode`, signed in `Stripe-Signature` (`t=<epoch seconds>,v1=<hex HMAC-SHA256 of \"t.body\">` with the " +
			"operator's webhook endpoint secret `--stripe-webhook-secret`, checked by Stripe's library, within five minutes of the server's real clock); " +
			"anything else answers HTTP 400 with code 2 and changes nothing. The Mall's `/payment/stripe/webhook` takes these events too (metadata `shop` esim).",
		example: `{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":499,"currency":"usd","metadata":{"orderId":"ESIM14279787781881860","partnerCode":"P000270"}}}}`,
		answer:  `{` + exampleOrder + `,"orderPayStatus":1}`},
	"POST /package/queryOrdStatusAndEmail": {required: []string{"orderId"}, data: apidoc.Reflect(statusData{}), errors: []int{CodeOrderNotFound},
		about:   "Whether the order is paid; once it is, `qrCode` is the activation code.",
		example: `{` + exampleOrder + `}`, answer: `{` + exampleOrder + `,"orderPayStatus":1,"orderStatus":1,"qrCode":"LPA:1$smdp.demo.opencube.dev$OCDEMO-0001-7QK2","email":"buyer@example.com"}`},
	"POST /v1.1/order/myEsimDetail": {required: []string{"orderId"}, data: apidoc.Reflect(esimDetail{}), errors: []int{CodeOrderNotFound, CodeNoQRCode},
		about: "The paid order's eSIM: ICCID, SM-DP+ address, matching ID, the activation code `LPA:1$<SM-DP+>$<matching ID>`, Apple's one-tap install link " +
			"and the QR code's path. `3005` while the order is not paid.",
		example: `{` + exampleOrder + `}`,
		answer: `{` + exampleOrder + `,"iccid":"89445099000000000001","qrCode":"LPA:1$smdp.demo.opencube.dev$OCDEMO-0001-7QK2","smdpAddress":"smdp.demo.opencube.dev","matchingId":"OCDEMO-0001-7QK2","packageCode":"ESIM-CN-1G-7D","packageShowName":"China 1GB 7 days","orderStatus":1,"profileState":"sold","startTime":"2025-01-01 10:00:00","endTime":"2025-01-07 23:59:59",` +
			`"appleInstallUrl":"https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA:1$smdp.demo.opencube.dev$OCDEMO-0001-7QK2","qrCodeUrl":"/fms/v1.1/order/qrCode?orderId=ESIM14279787781881860"}`},
	"GET /v1.1/order/qrCode": {required: []string{"orderId"}, errors: []int{CodeOrderNotFound, CodeNoQRCode},
		about:   "The activation code of a paid order as a QR code, a 320-pixel PNG; an error comes as the JSON envelope.",
		example: `orderId=ESIM14279787781881860`},
}

// preFields are the optional fields of the pre-orders.
var preFields = []string{"partnerCode", "currency", "currencyId", "periodNum", "deviceType", "packageCode"}

// webhookExample is the payment webhook's example body, signed as a CSSS
// request with the demo secret.
var webhookExample = func() string {
	body := `{"dateTime":"1735693200",` + exampleOrder + `,` + partner + `,"payAmount":"4.99","payCurrency":"USD","paypalId":"PAYID-1","type":"payment_intent.succeeded"}`
	c, err := csss.Canonical([]byte(body))
	if err != nil {
		panic(err)
	}
	return strings.TrimSuffix(body, "}") + `,"sign":"` + csss.Sign(c, "opencube-demo-secret") + `"}`
}()

var glossary = apidoc.Glossary{
	"partnerCode":          {About: "the enterprise's access code (D22); with a token, the token's own when left out"},
	"email":                {About: "the consumer's e-mail address"},
	"passwd":               {About: "the lowercase hex MD5 of the consumer's password"},
	"verifyCode":           {About: "the code mailed by emailVerificationCode"},
	"userType":             {About: "consumers are 4", Enum: []any{"4"}},
	"countryCode":          {About: "a country's MCC (3 digits)"},
	"isoCountryName":       {About: "a country's ISO 3166 code or English name"},
	"type":                 {About: "1 or 2: see the route"},
	"continentsCode":       {About: "a continent", Enum: []any{"AF", "AS", "EU", "NA", "OC", "SA"}},
	"id":                   {About: "the plan's id"},
	"money":                {About: "the amount to pay in major units: the plan's price in the currency times periodNum"},
	"currency":             {About: "ISO 4217 currency (USD, CNY, EUR, GBP, HKD)"},
	"currencyId":           {About: "the currency's id, instead of currency (1 USD, 2 CNY, 3 EUR, 4 GBP, 5 HKD)"},
	"periodNum":            {About: "how many periods the order buys"},
	"deviceType":           {About: "10 when sent", Enum: []any{"10"}},
	"packageCode":          {About: "the plan's code"},
	"iccid":                {About: "the eSIM's ICCID"},
	"orderId":              {About: "the eSIM order's id"},
	"dateTime":             {About: "when it was paid, epoch seconds (`1102` otherwise)"},
	"payAmount":            {About: "the amount paid, in major units"},
	"payCurrency":          {About: "ISO 4217 currency of payAmount"},
	"paypalId":             {About: "the payment's reference at the provider"},
	"sign":                 {About: "Base64 HMAC-SHA1 of the canonical body with the enterprise secret, as a CSSS request sign (D22)"},
	"code":                 {About: "the result code: 0 on success"},
	"message":              {About: "the code's message, in English; on a wrong parameter it names it and states its range (D26)"},
	"userId":               {About: "the consumer's id"},
	"token":                {About: "the x-access-token of later calls, valid three days"},
	"expireTime":           {About: "pay before this time, epoch milliseconds"},
	"orderPayStatus":       {About: "0 waiting for payment, 1 paid, 2 payment failed, 3 not paid in time", Enum: []any{0, 1, 2, 3}},
	"orderStatus":          {About: "as orderPayStatus"},
	"qrCode":               {About: "the activation code, LPA:1$<SM-DP+ address>$<matching ID>; once paid"},
	"smdpAddress":          {About: "the SM-DP+ server's address"},
	"matchingId":           {About: "the profile's matching ID (activation code)"},
	"confirmationCode":     {About: "the code the phone asks for, when the profile has one"},
	"profileState":         {About: "the eSIM profile's state", Enum: []any{"available", "reserved", "sold", "installed", "deleted"}},
	"appleInstallUrl":      {About: "Apple's one-tap install link (iOS 17.4 and later)"},
	"qrCodeUrl":            {About: "the path of the QR code PNG"},
	"packageFlow":          {About: "volume in MB"},
	"period":               {About: "days of one period"},
	"periodUnit":           {About: "1: period is in days"},
	"buyType":              {About: "1: bought as a new eSIM (preOrderPackage) or as a top-up of one (topUpOrder)"},
	"priceType":            {About: "1: the price is per period, money = price × periodNum"},
	"minOrderPeriod":       {About: "the fewest periods (periodNum) one order may buy"},
	"maxOrderPeriod":       {About: "the most periods (periodNum) one order may buy, 12 at most"},
	"configFlag":           {About: "1 when the phone must be set to apn by hand, 0 when the profile sets it"},
	"apn":                  {About: "the access point name to set, with configFlag 1"},
	"logo":                 {About: "the URL of the plan's picture, empty when it has none"},
	"saleCount":            {About: "how many paid orders bought the plan"},
	"surplusFlow":          {About: "MB left: of a plan, its whole volume (what an order of it has when bought); for a particular eSIM (selectTopUpList or detail with iccid), what that eSIM's current order has left now (0 when it has none)"},
	"paymentIntentId":      {About: "the Stripe payment intent that pays the order; empty without a Stripe account"},
	"clientSecret":         {About: "the payment intent's client secret, for Stripe.js to confirm the card"},
	"messageSourceHandler": {About: "FMS's message source: always {}"},
	"coverCountrys":        {About: "the countries the plan covers"},
	"currencyInfos":        {About: "the plan's price in each currency"},
	"updateTime":           {About: "when the plan was added, UTC+8"},
	"packageType":          {About: "1 a country, 2 a region"},
	"startTime":            {About: "when the order was paid, UTC+8"},
	"endTime":              {About: "when the eSIM's validity ends, UTC+8: the expiry of the SIM order the payment made or renewed, top-ups included; empty while that order waits for the eSIM's first data session (a plan that starts on attach)"},
}

// fieldSchema is the schema of a request field; every scalar may be a JSON
// string or number, as the shop reads them.
func fieldSchema(name string, required bool) *apidoc.Schema {
	var s *apidoc.Schema
	digits := "^[0-9]+$"
	switch name {
	case "id":
		s = (&apidoc.Schema{Type: apidoc.Types{"integer", "string"}, Pattern: digits}).Range(1, opencube.MaxCatalogID)
	case "periodNum":
		s = (&apidoc.Schema{Type: apidoc.Types{"integer", "string"}, Pattern: digits, Default: 1}).Range(1, opencube.MaxESIMPeriods)
	case "currencyId":
		s = &apidoc.Schema{Type: apidoc.Types{"integer", "string"}, Pattern: digits}
	case "money", "payAmount":
		s = &apidoc.Schema{Type: apidoc.Types{"string", "number"}, Description: MoneyRange}
	case "countryCode":
		s = &apidoc.Schema{Type: apidoc.Types{"string", "integer"}, Pattern: "^[0-9]{3}$"}
	case "type":
		s = &apidoc.Schema{Type: apidoc.Types{"string", "integer"}, Enum: []any{"1", "2", 1, 2}}
	case "deviceType":
		s = &apidoc.Schema{Type: apidoc.Types{"string", "integer"}, Enum: []any{"10", 10}}
	case "userType":
		s = &apidoc.Schema{Type: apidoc.Types{"string", "integer"}, Enum: []any{"4", 4}}
	case "dateTime":
		s = (&apidoc.Schema{Type: apidoc.Types{"integer", "string"}, Pattern: digits, Description: DateTimeRange}).Range(0, opencube.MaxTime.Unix())
	case "type@webhook":
		s = apidoc.String("").Values("payment_intent.succeeded", "payment_intent.payment_failed")
	default:
		s = apidoc.String("")
	}
	if required && slices.Contains(s.Type, "string") {
		one := 1
		s.MinLength = &one
	}
	return s
}

// envelopeSchema is the schema of an answer: code 0 with data, or a code
// of failure with data null.
func envelopeSchema(data *apidoc.Schema, errs []int) *apidoc.Schema {
	ok := apidoc.Object("success").
		Prop("code", &apidoc.Schema{Type: apidoc.Types{"integer"}, Const: CodeOK}, true).
		Prop("data", data, true).
		Prop("message", apidoc.String(""), true).
		Prop("messageSourceHandler", apidoc.Object("always {}"), true)
	codes := make([]any, len(errs))
	for i, c := range errs {
		codes[i] = c
	}
	fail := apidoc.Object("failure").
		Prop("code", (&apidoc.Schema{Type: apidoc.Types{"integer"}}).Values(codes...), true).
		Prop("data", apidoc.Null(), true).
		Prop("message", apidoc.String(""), true).
		Prop("messageSourceHandler", apidoc.Object("always {}"), true)
	return (&apidoc.Schema{OneOf: []*apidoc.Schema{ok, fail}}).Describe(glossary)
}

// codeAbout says when each code is answered, and its HTTP status.
var codeAbout = map[int]struct {
	about  string
	status int
}{
	CodeOK:                {"the request was carried out", 200},
	CodeBadParams:         {"a field is missing or outside its values (the message names it and states its range); also HTTP 400 for a webhook whose sign does not verify or whose partnerCode is unknown or disabled (a disabled enterprise is an unknown partner everywhere), and HTTP 404 for a path with no route", 200},
	CodeTokenExpired:      {"x-access-token missing, unknown or expired", 200},
	CodeTimeConversion:    {"a payment webhook's dateTime is not epoch seconds", 200},
	CodeOrderSystem:       {"the order's state does not allow it: paid twice, paid after failing", 200},
	CodeNoQRCode:          {"the order is not paid: no activation code yet", 200},
	CodeLoginFailed:       {"unknown e-mail or wrong password (opencube's code)", 200},
	CodeEmailRegistered:   {"the e-mail is registered already, or the verification code is wrong (opencube's code)", 200},
	CodePlanNotFound:      {"no such plan (opencube's code)", 200},
	CodePreOrderTimeout:   {"the pre-order was not paid in time", 200},
	CodeSoldOut:           {"no eSIM profile left for the plan (opencube's code)", 200},
	CodeNotFound:          {"no such eSIM of the consumer (opencube's code)", 200},
	CodeError:             {"the server failed (HTTP 500 on a webhook, so that it is sent again)", 200},
	CodeOrderNotFound:     {"no such order", 200},
	CodePriceInconsistent: {"the amount is not the plan's price times the periods", 200},
}

const intro = "The eSIM QR Mall sells eSIM profiles from the operator's inventory to consumers, under `/fms` (D21). Requests are JSON objects " +
	"(an empty body is an empty object); any scalar may be a string or a number. A consumer registers with a code mailed to them, logs in, and sends " +
	"the token it gets in the `x-access-token` header (routes marked `fmsToken`); the catalog routes need only `partnerCode`, the enterprise's access code. " +
	"Payments are reported by the partner through the payment webhook, signed as a CSSS request ([signing.md](signing.md), D22), or by Stripe.\n\n" +
	"Answers are the envelope `{\"code\", \"data\", \"message\"}`: code `0` and the route's `data` on success, else a code of failure with `data: null` and " +
	"an English message that names the wrong field and its range (D26). Answers are HTTP 200, but for the webhooks (HTTP 400 for a sign that does not verify, " +
	"500 for a failure of the server) and HTTP 404 for a path with no route.\n\n" +
	"The purchase: `emailVerificationCode`, `emailRegister` (or `login`), `packageList` or `detail`, `preOrderPackage` (reserves a profile), the payment " +
	"webhook, then `queryOrdStatusAndEmail` until paid, `myEsimDetail` for the install material and `qrCode` for its QR code; the buyer gets the same by mail."

// Reference returns the reference of the eSIM QR Mall: every route of the
// route table with its fields, answer, codes and example.
func Reference() *apidoc.Protocol {
	p := &apidoc.Protocol{
		Tag: "eSIM", Title: "eSIM QR Mall API", File: "esim",
		Summary:      "The eSIM QR Mall (FMS API): consumers register, browse a partner's eSIM plans by country or continent, pre-order, pay and install.",
		Intro:        intro,
		CommonErrors: []string{strconv.Itoa(CodeBadParams), strconv.Itoa(CodeError)},
		Security: map[string]any{"fmsToken": map[string]any{"type": "apiKey", "in": "header", "name": "x-access-token",
			"description": "the token of emailRegister or login, valid three days"}},
	}
	var list []int
	for c := range codes {
		list = append(list, c)
	}
	slices.Sort(list)
	for _, c := range list {
		p.Codes = append(p.Codes, apidoc.Code{Code: strconv.Itoa(c), HTTP: codeAbout[c].status, Message: codes[c].message, About: codeAbout[c].about})
	}
	for i := range Routes {
		rt := &Routes[i]
		doc := routeDocs[rt.Method+" "+rt.Path]
		r := apidoc.Route{Method: rt.Method, Path: Prefix + rt.Path, Summary: rt.Summary, Description: doc.about}
		errs := slices.Clone(doc.errors)
		if rt.Auth {
			r.Security = "fmsToken"
			errs = append(errs, CodeTokenExpired)
		}
		for _, c := range errs {
			r.Errors = append(r.Errors, strconv.Itoa(c))
		}
		errs = append(errs, CodeBadParams, CodeError)
		req := apidoc.Object("")
		for _, f := range doc.required {
			s := fieldSchema(f, true)
			if f == "type" && rt.Webhook {
				s = fieldSchema("type@webhook", true)
			}
			req.Prop(f, s, true)
		}
		for _, f := range doc.optional {
			req.Prop(f, fieldSchema(f, false), false)
		}
		req.Describe(glossary)
		ok := &apidoc.Response{Status: 200, About: "the envelope: code 0 with data, or a code of failure", Schema: envelopeSchema(doc.data, errs)}
		switch {
		case rt.Method == "GET":
			for _, name := range req.Names() {
				r.Params = append(r.Params, apidoc.Param{Name: name, In: "query", Required: req.IsRequired(name), About: req.Properties[name].Description, Schema: apidoc.String("")})
			}
			ok = &apidoc.Response{Status: 200, About: "the QR code; a failure answers the JSON envelope", Type: "image/png", Schema: &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "binary"}}
			r.Responses = []apidoc.Response{*ok, {Status: 0, About: "a failure: the envelope with its code", Schema: envelopeSchema(apidoc.Null(), errs)}}
			r.Example = &apidoc.Example{Query: doc.example, Header: map[string]string{"x-access-token": "6f1c9a2e-4b7d-4e8a-9c3f-2d5b8e1a7c40a1b2c3d4"}}
			p.Routes = append(p.Routes, r)
			continue
		case rt.Raw:
			r.Body = apidoc.Object("a Stripe event (see the description)").
				Prop("id", apidoc.String("the event's id"), false).
				Prop("type", apidoc.String("").Values("payment_intent.succeeded", "payment_intent.payment_failed"), true).
				Prop("data", apidoc.Object("").Prop("object", apidoc.Object("the payment intent").
					Prop("id", apidoc.String("the payment's reference"), false).
					Prop("amount", apidoc.Integer("minor units, 0 or more"), true).
					Prop("currency", apidoc.String("ISO 4217, any case"), true).
					Prop("metadata", apidoc.Object("").Prop("orderId", apidoc.String("the eSIM order"), true).Prop("partnerCode", apidoc.String("the enterprise's access code"), true), true), true), true)
			r.Params = []apidoc.Param{{Name: "Stripe-Signature", In: "header", Required: true, About: "t=<epoch seconds>,v1=<hex HMAC-SHA256 of t.body with the enterprise secret>", Schema: apidoc.String("")}}
		default:
			r.Body = req
			r.BodyOptional = len(doc.required) == 0
			if r.BodyOptional {
				req.Nullable() // an empty body, or null, is an empty object
			}
		}
		r.Responses = []apidoc.Response{*ok}
		if rt.Webhook {
			r.Responses = append(r.Responses,
				apidoc.Response{Status: 400, About: "the sign does not verify: code 2", Schema: envelopeSchema(apidoc.Null(), []int{CodeBadParams})},
				apidoc.Response{Status: 500, About: "the server failed: code 9999, send it again", Schema: envelopeSchema(apidoc.Null(), []int{CodeError})})
		}
		if strings.HasPrefix(rt.Path, "/user/emailRegister") || strings.HasPrefix(rt.Path, "/user/login") {
			r.Responses[0].About += "; the x-access-token header carries the token too"
		}
		r.Example = &apidoc.Example{Request: doc.example, Answer: `{"code":0,"data":` + doc.answer + `,"message":"success","messageSourceHandler":{}}`}
		if rt.Auth {
			r.Example.Header = map[string]string{"x-access-token": "6f1c9a2e-4b7d-4e8a-9c3f-2d5b8e1a7c40a1b2c3d4"}
		}
		if rt.Raw {
			r.Example.Header = map[string]string{"Stripe-Signature": stripepay.Sign([]byte(doc.example), "whsec_opencube_demo", time.Unix(1735693200, 0))}
		}
		p.Routes = append(p.Routes, r)
	}
	return p
}
