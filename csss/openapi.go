package csss

import (
	"slices"
	"strconv"
	"strings"

	"github.com/opencube/opencube/apidoc"
)

// routeDoc is what the reference says of one route beyond the route table:
// the fields its handler requires, the type of its answer's data, the
// codes of failure it answers beyond the common ones, and an example.
// routeDocs holds one for every route (TestReferenceCoversRoutes).
type routeDoc struct {
	required []string
	data     any // a zero value of the data's type
	errors   []string
	about    string // more than the summary, in Markdown
	example  string // the route's own request fields, as JSON
	answer   string // the answer's data, as JSON, without its sign
}

// orderRequired are the fields orderPackage and createOtaOrder require.
var orderRequired = []string{"device_id", "global_order", "is_open", "order_period", "package_code", "package_name", "package_type", "pay_amount", "pay_rst", "test_flow", "test_flow_flag"}

const (
	exampleOrder   = `"device_id":"89852022018041800192","global_order":"0","is_open":"0","order_period":"1","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","pay_amount":"10.00","pay_rst":"1","pay_type":"2","test_flow":"0","test_flow_flag":"0"`
	examplePlan    = `{"package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","flow":"20","price":"10.00","currency":"CNY","order_period_unit":"month","is_ota":"0","cover_countries":["CN"]}`
	examplePage    = `"page":{"cur_page_no":1,"page_size":10,"total_count":1,"total_pages":1}`
	exampleStatus  = `{"order_id":"ORDER_14279787781881856","device_id":"89852022018041800192","order_status":"%s"}`
	exampleDevice  = `"device_id":"89852022018041800192","imsi":"454000180192","msisdn":"85218041800192","imei":"","status":"2","is_ota":"0","activate_date":"2025-01-01 08:00:00","order_id":"ORDER_14279787781881856","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","order_status":"2"`
	exampleOrderID = `"order_id":"ORDER_14279787781881856"`
)

// routeDocs is the reference's part of the route table, by path.
var routeDocs = map[string]routeDoc{
	"/package/queryPackage": {data: QueryPackageData{},
		about:   "Without `page_no` and `page_size` every plan comes in one page; with them, both are needed.",
		example: `{"package_code":"DP20190726001274","page_no":1,"page_size":10}`,
		answer:  `{` + examplePage + `,"package_list":[` + examplePlan + `]}`},
	"/package/orderPackage": {required: orderRequired, data: OrderData{}, errors: []string{CodeDeviceNotFound, CodePlanNotOrderable, CodeOrderState, CodeOTA, CodeSIMState},
		about:   "`package_name` and `package_type` must be those of the plan `package_code` names (`2002` otherwise, D23). With `is_open=1` the order is enabled at once, which answers `2004` while the SIM has an order in use (D13). The dates are `YYYYMMDD` in UTC+8, `null` until the order starts (D10).",
		example: `{` + exampleOrder + `}`,
		answer:  `{` + exampleOrderID + `,"order_start_date":null,"order_expire_date":null}`},
	"/package/batchOrderPackages": {required: []string{"deviceList", "global_order", "is_open", "order_period", "package_code", "package_name", "package_type", "pay_rst", "test_flow", "test_flow_flag"}, data: BatchOrderData{}, errors: []string{CodePlanNotOrderable, CodeBulkRejected},
		about:   "All or nothing (D15): when one SIM cannot take the order, nothing is written, the answer is `2006` naming the first failing ICCID and `device_order` lists the failing SIMs with their own codes. `errorMsg` is English in every language.",
		example: `{"deviceList":["89852022018041800192","89852022018041800193"],"global_order":"0","is_open":"0","order_period":"1","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","pay_rst":"1","pay_type":"2","test_flow":"0","test_flow_flag":"0"}`,
		answer:  `{"device_order":[{"error":"0000","errorMsg":"success","order_id":"ORDER_14279787781881856","device_id":"89852022018041800192","order_start_date":null,"order_expire_date":null},{"error":"0000","errorMsg":"success","order_id":"ORDER_14279787781881857","device_id":"89852022018041800193","order_start_date":null,"order_expire_date":null}]}`},
	"/package/renewPackage": {required: []string{"order_id", "renew_period"}, data: RenewData{}, errors: []string{CodeOrderNotFound, CodeOrderState},
		about:   "Adds periods to an order not enabled, in use or suspended (D11); the expiry moves by as many periods, counted from the start. The new expiry is `yyyy-MM-dd HH:mm:ss` in UTC+8, `null` for an order not started.",
		example: `{` + exampleOrderID + `,"renew_period":1}`,
		answer:  `{"order_expire_date":"2025-03-31 23:59:59",` + exampleOrderID + `}`},
	"/package/queryOrder": {required: []string{"page_no", "page_size"}, data: QueryOrderData{},
		about:   "The enterprise's orders, newest first, narrowed by the filters given (D24): an unknown `order_id` gives an empty list.",
		example: `{"device_id":"89852022018041800192","page_no":1,"page_size":10}`,
		answer: `{` + examplePage + `,"package_order":[{"orderId":"ORDER_14279787781881856","orderCode":"L202501010000000001","deviceId":"89852022018041800192","imsi":"454000180192","packageCode":"DP20190726001274","packageName":"C_M_0_P_中国20M不限速月套餐","packageType":"2","buyType":"2","orderType":"2","orderStatus":"2","orderPeriod":"1","renewPeriod":"0","flow":"20","usedFlow":"1.5","surplusFlow":"18.5",` +
			`"orderDate":"2025-01-01 10:00:00","startDate":"2025-01-01 00:00:00","openDate":"2025-01-01 10:05:00","expireDate":"2025-01-31 23:59:59","payAmount":"10.00","payRst":"1","payType":"2","isOta":"0"}],"package_order_num":1}`},
	"/package/openOrder": {required: []string{"order_id"}, data: OrderData{}, errors: []string{CodeDeviceNotFound, CodeOrderNotFound, CodeOrderState, CodeOTA, CodeSIMState},
		about:   "Enables a not-enabled order: it starts today (UTC+8) and its expiry follows from its periods (D11). A SIM has one order in use at most (`2004`, D13).",
		example: `{` + exampleOrderID + `,"device_id":"89852022018041800192"}`,
		answer:  `{` + exampleOrderID + `,"order_start_date":"20250101","order_expire_date":"20250131"}`},
	"/package/cancelOrder": {required: []string{"order_id"}, data: StatusData{}, errors: []string{CodeOrderNotFound, CodeOrderState},
		about:   "Only a not-enabled order can be cancelled (D12); its status becomes `6`.",
		example: `{` + exampleOrderID + `}`,
		answer:  strings.Replace(exampleStatus, "%s", "6", 1)},
	"/package/endOrder": {data: StatusData{}, errors: []string{CodeDeviceNotFound, CodeOrderNotFound, CodeOrderState},
		about:   "Ends the order in use (or suspended) early; status `5`. Give `order_id`, or `device_id` for the SIM's order in use (one of the two is required). `keep_alive=1` enables the SIM's oldest not-enabled order in its place (D13).",
		example: `{` + exampleOrderID + `,"keep_alive":"0"}`,
		answer:  strings.Replace(exampleStatus, "%s", "5", 1)},
	"/device/pauseService": {required: []string{"device_id"}, data: StatusData{}, errors: []string{CodeDeviceNotFound, CodeOrderNotFound, CodeOrderState},
		about:   "Suspends the SIM's order in use (or the `order_id` given); status `3`. Suspension does not extend the order (D11).",
		example: `{"device_id":"89852022018041800192"}`,
		answer:  strings.Replace(exampleStatus, "%s", "3", 1)},
	"/device/resumeService": {required: []string{"device_id"}, data: StatusData{}, errors: []string{CodeDeviceNotFound, CodeOrderNotFound, CodeOrderState},
		about:   "Resumes the SIM's suspended order (or the `order_id` given); status `2`.",
		example: `{"device_id":"89852022018041800192"}`,
		answer:  strings.Replace(exampleStatus, "%s", "2", 1)},
	"/package/queryDevicePackages": {required: []string{"page_no", "page_size"}, data: QueryDevicePackagesData{}, errors: []string{CodeDeviceNotFound},
		about:   "The plans each SIM of `deviceList` (and `device_id`) can order, one item a SIM, paged by SIM.",
		example: `{"deviceList":["89852022018041800192"],"page_no":1,"page_size":10}`,
		answer:  `{` + examplePage + `,"device_package":[{"device_id":"89852022018041800192","package_list":[` + examplePlan + `]}]}`},
	"/package/createOtaOrder": {required: append(slices.Clone(orderRequired), "pay_type", "days", "timing_type"), data: OrderData{}, errors: []string{CodeDeviceNotFound, CodePlanNotOrderable, CodeOrderState, CodeOTA, CodeSIMState},
		about:   "Orders an OTA plan for an OTA SIM, valid `days` days whatever the plan's type (D11). `timing_type=1` starts the order on the SIM's first data session, `2` when it is enabled. OTA SIMs are ordered with `is_open=0` (`2005` otherwise, D23).",
		example: `{"device_id":"89852022018041800300","global_order":"0","is_open":"0","order_period":"1","package_code":"DP20201218003915","package_name":"T_T_T_0_P_S_中国100G/365天套餐","package_type":"1","pay_amount":"0","pay_rst":"1","pay_type":"2","test_flow":"0","test_flow_flag":"0","mcc":"460","days":364,"timing_type":"1"}`,
		answer:  `{"order_id":"ORDER_14279787781881858","order_start_date":null,"order_expire_date":null}`},
	"/device/queryDeviceList": {required: []string{"page_no", "page_size"}, data: DeviceListData{},
		about:   "Every SIM of the enterprise, with its order in use when it has one.",
		example: `{"page_no":1,"page_size":10}`,
		answer:  `{` + examplePage + `,"device_list":[{` + exampleDevice + `}]}`},
	"/device/queryDeviceInfo": {required: []string{"device_id"}, data: DeviceInfoData{}, errors: []string{CodeDeviceNotFound},
		about:   "One SIM: its state, identities, order in use, and whether it has a data session open (`online`), since when and on which network.",
		example: `{"device_id":"89852022018041800192"}`,
		answer:  `{` + exampleDevice + `,"order_code":"L202501010000000001","order_start_date":"2025-01-01 10:05:00","order_expire_date":"2025-01-31 23:59:59","online":"1","session_start_time":"2025-01-02 09:00:00","network":"46001"}`},
	"/device/queryUsingDeviceList": {required: []string{"page_no", "page_size"}, data: DeviceListData{},
		about:   "The SIMs that have an order in use or suspended.",
		example: `{"page_no":1,"page_size":10}`,
		answer:  `{` + examplePage + `,"device_list":[{` + exampleDevice + `}]}`},
	"/flow/queryDeviceFlowUsage": {required: []string{"device_id"}, data: FlowUsageData{}, errors: []string{CodeDeviceNotFound},
		about:   "What the SIM's order in use has used and has left, in MB (D19), complete up to `as_of`.",
		example: `{"device_id":"89852022018041800192"}`,
		answer:  `{"device_id":"89852022018041800192","order_code":"L202501010000000001","order_used_flow":"1.5","high_flow_balance":"18.5","as_of":"2025-01-02 09:30:00"}`},
	"/flow/batchQueryDeviceFlowUsage": {required: []string{"deviceList"}, data: BatchFlowData{},
		about:   "The usage of up to 100 SIMs; an unknown SIM is reported in its own item (`error` `2001`), not as a failure of the call.",
		example: `{"deviceList":["89852022018041800192","89852022018041800193"]}`,
		answer:  `{"device_flow":[{"error":"0000","errorMsg":"success","device_id":"89852022018041800192","order_code":"L202501010000000001","order_used_flow":"1.5","high_flow_balance":"18.5"},{"error":"2001","errorMsg":"Device does not exist or does not belong to the enterprise","device_id":"89852022018041800193","order_code":"","order_used_flow":"","high_flow_balance":""}],"as_of":"2025-01-02 09:30:00"}`},
	"/flow/queryDeviceDailyFlow": {required: []string{"device_id", "date"}, data: DailyFlowData{}, errors: []string{CodeDeviceNotFound},
		about:   "The SIM's usage on one UTC+8 day (D20), in MB.",
		example: `{"device_id":"89852022018041800192","date":"20250102"}`,
		answer:  `{"device_id":"89852022018041800192","date":"20250102","used_flow":"1.5","as_of":"2025-01-02 09:30:00"}`},
	"/flow/batchQueryMonthFlow": {required: []string{"deviceList", "month"}, data: MonthFlowData{},
		about:   "The usage of up to 100 SIMs in one UTC+8 month (D20), in MB; an unknown SIM is reported in its own item.",
		example: `{"deviceList":["89852022018041800192"],"month":"202501"}`,
		answer:  `{"device_flow":[{"error":"0000","errorMsg":"success","device_id":"89852022018041800192","month":"202501","used_flow":"1.5"}],"as_of":"2025-01-02 09:30:00"}`},
	"/flow/getInfoByDeviceId": {required: []string{"device_id"}, data: InfoByDeviceData{}, errors: []string{CodeDeviceNotFound},
		about:   "The IMSI and remaining volume of the SIM's order in use, in MB, at `query_time`.",
		example: `{"device_id":"89852022018041800192"}`,
		answer:  `{"device_id":"89852022018041800192","imsi":"454000180192","order_code":"L202501010000000001","remaining_flow":"18.5","query_time":"2025-01-02 09:31:00","as_of":"2025-01-02 09:30:00"}`},
	"/sms/sendSms": {required: []string{"device_id", "content"}, data: SendSMSData{}, errors: []string{CodeDeviceNotFound, CodeSIMState, CodeSMSTooLong, CodeSMSDailyLimit},
		about:   "Queues a short message to the SIM and answers its id at once; its progress shows in `querySms` and in `sms_report` webhooks. Text goes as GSM 7-bit when it can, UCS-2 otherwise; `sms_type=1` sends `content` as hex octets.",
		example: `{"device_id":"89852022018041800192","content":"hello","sms_type":"0"}`,
		answer:  `{"sms_id":"SMS_3f2b6c1e9a7d4c0b8e5f1a2b3c4d5e6f"}`},
	"/sms/querySms": {required: []string{"page_no", "page_size"}, data: SMSListData{},
		about:   "The enterprise's messages, newest first, narrowed by the filters given; times are UTC+8 `yyyy-MM-dd HH:mm:ss`, `\"\"` for a state not reached.",
		example: `{"device_id":"89852022018041800192","direction":"mt","page_no":1,"page_size":10}`,
		answer: `{` + examplePage + `,"sms_list":[{"sms_id":"SMS_3f2b6c1e9a7d4c0b8e5f1a2b3c4d5e6f","device_id":"89852022018041800192","msisdn":"85218041800192","direction":"mt","sms_type":"0","content":"hello","encoding":"gsm7","segments":1,"state":"delivered",` +
			`"create_time":"2025-01-02 09:40:00","sent_time":"2025-01-02 09:40:00","delivered_time":"2025-01-02 09:40:02","failed_time":"","expired_time":""}]}`},
}

// glossary says what each CSSS field means, in requests and answers.
var glossary = apidoc.Glossary{
	"access_code":        {About: "the enterprise's access code"},
	"timestamp":          {About: "the time of the request: epoch seconds (fewer than 13 digits) or milliseconds, within the window of the server's clock (±10 minutes by default, D4)"},
	"version":            {About: "the protocol version", Enum: []any{Version}},
	"sign":               {About: "the request's signature: Base64 of the HMAC-SHA1 of the canonical body with the enterprise secret (docs/signing.md)"},
	"device_id":          {About: "the SIM's ICCID"},
	"deviceList":         {About: "ICCIDs, distinct"},
	"package_code":       {About: "the plan's code"},
	"package_name":       {About: "the plan's name, exactly as the catalog has it"},
	"package_type":       {About: "the plan's type, which fixes its period: 0 unlimited daily, 1 daily (days), 2 monthly, 3 quarterly, 4 half-yearly, 5 yearly"},
	"global_order":       {About: "1 for a global order, else 0 (recorded)"},
	"is_open":            {About: "1 enables the order at once, 0 leaves it not enabled"},
	"order_period":       {About: "how many periods the order buys"},
	"pay_amount":         {About: "the amount paid, recorded as it is (not compared with the price)"},
	"pay_rst":            {About: "payment result: 1 paid, 2 unpaid (recorded)"},
	"pay_type":           {About: "payment type (recorded)"},
	"test_flow":          {About: "test volume in MB, used before the plan's volume"},
	"test_flow_flag":     {About: "1 when the order carries test volume"},
	"order_id":           {About: "the order's id: ORDER_ and 17 digits (D14)"},
	"renew_period":       {About: "how many periods to add"},
	"order_status":       {About: "order status: 1 not enabled, 2 in use, 3 suspended, 4 expired, 5 ended early, 6 cancelled (D12)"},
	"order_type":         {About: "buy type: 1 test, 2 normal, 3 renewed"},
	"keep_alive":         {About: "1 enables the SIM's oldest not-enabled order in place of the ended one"},
	"mcc":                {About: "the country where the OTA order is used, as an MCC"},
	"days":               {About: "how many days the OTA order lasts"},
	"timing_type":        {About: "when the OTA order starts: 1 on the SIM's first data session, 2 when enabled"},
	"page_no":            {About: "the page, from 1"},
	"page_size":          {About: "items a page"},
	"date":               {About: "a UTC+8 day, YYYYMMDD"},
	"month":              {About: "a UTC+8 month, YYYYMM"},
	"content":            {About: "the message: text, or hex octets with sms_type 1"},
	"sms_type":           {About: "0 text, 1 binary (content in hex)"},
	"direction":          {About: "mt (to the SIM) or mo (from the SIM)"},
	"state":              {About: "the message's state"},
	"start_time":         {About: "from this time: epoch seconds or milliseconds"},
	"end_time":           {About: "up to this time: epoch seconds or milliseconds"},
	"code":               {About: "the result code: 0000 on success"},
	"message":            {About: "the code's message, in the language of Accept-Language (D7)"},
	"success":            {About: "true when code is 0000"},
	"order_start_date":   {About: "the day the order started, UTC+8; null (\"\" in lists) until it starts"},
	"order_expire_date":  {About: "the order's last day, UTC+8; null (\"\" in lists) until it starts"},
	"error":              {About: "this item's code"},
	"errorMsg":           {About: "this item's message, in English"},
	"page":               {About: "the page's position"},
	"cur_page_no":        {About: "this page"},
	"total_count":        {About: "items in every page"},
	"total_pages":        {About: "pages in all"},
	"flow":               {About: "volume in MB (D19)"},
	"price":              {About: "price of one period, two decimals"},
	"currency":           {About: "ISO 4217 currency"},
	"order_period_unit":  {About: "the length of one period", Enum: []any{"day", "month", "3 months", "6 months", "year"}},
	"is_ota":             {About: "1 for OTA", Enum: []any{"0", "1"}},
	"cover_countries":    {About: "ISO 3166 codes of the countries the plan covers"},
	"imsi":               {About: "the SIM's IMSI (an OTA order's own)"},
	"msisdn":             {About: "the SIM's number"},
	"status":             {About: "SIM state: 1 pre-activated, 2 active, 3 suspended, 4 terminated", Enum: []any{"1", "2", "3", "4"}},
	"activate_date":      {About: "when the SIM was first activated (its first order started), UTC+8; \"\" when it never was"},
	"imei":               {About: "the IMEI of the device in the SIM's latest data session, open or closed (3GPP-IMEISV of RADIUS accounting), \"\" when none"},
	"order_code":         {About: "the order's communication code: L and 18 digits (D24)"},
	"online":             {About: "1 while the SIM has a data session open", Enum: []any{"0", "1"}},
	"session_start_time": {About: "when the open session started, UTC+8; \"\" offline"},
	"network":            {About: "the network of the open session; \"\" offline"},
	"order_used_flow":    {About: "MB used by the order in use"},
	"high_flow_balance":  {About: "MB the order in use has left"},
	"used_flow":          {About: "MB used"},
	"remaining_flow":     {About: "MB the order in use has left"},
	"query_time":         {About: "the time of the answer, UTC+8 (the sandbox clock in sandbox mode, D27)"},
	"as_of":              {About: "usage is complete up to this time, UTC+8: the latest accounting record booked; \"\" when none"},
	"sms_id":             {About: "the message's id"},
	"encoding":           {About: "how the message travels", Enum: []any{"gsm7", "ucs2", "binary"}},
	"segments":           {About: "segments of the message"},
	"device_order":       {About: "one item a SIM"},
	"device_flow":        {About: "one item a SIM"},
	"package_order_num":  {About: "items on this page"},
	"orderStatus":        {About: "order status, as order_status", Enum: []any{"1", "2", "3", "4", "5", "6"}},
	"buyType":            {About: "1 test, 2 normal, 3 renewed", Enum: []any{"1", "2", "3"}},
	"orderType":          {About: "as buyType", Enum: []any{"1", "2", "3"}},
	"packageType":        {About: "as package_type", Enum: []any{"0", "1", "2", "3", "4", "5"}},
	"isOta":              {About: "1 for an OTA order", Enum: []any{"0", "1"}},
	"usedFlow":           {About: "MB used"},
	"surplusFlow":        {About: "MB left"},
	"startDate":          {About: "the start day at 00:00:00, UTC+8"},
	"openDate":           {About: "when the order was enabled, UTC+8"},
	"expireDate":         {About: "when the order ends, UTC+8"},
	"orderDate":          {About: "when the order was placed, UTC+8"},
	"orderCode":          {About: "the order's communication code (D24)"},
	"orderId":            {About: "the order's id (D24)"},
}

// exampleSecret signs the examples: the demo enterprises' secret, so that
// an example's sign can be checked (its timestamp is long past).
const exampleSecret = "opencube-demo-secret"

// exampleTimestamp is the examples' timestamp: 2025-01-01 00:00:00 UTC.
const exampleTimestamp = "1735689600000"

// globals are the fields every request carries (sign aside).
var globals = []string{"access_code", "timestamp", "version"}

// fieldSchema is the JSON schema of a request field: its rule in
// fieldRules (integers and enumerations may be JSON numbers or numeric
// strings, as the server reads them), a string for free text.
func fieldSchema(name string, required bool) *apidoc.Schema {
	r, ok := fieldRules[name]
	var s *apidoc.Schema
	switch {
	case name == "deviceList":
		s = apidoc.Array(apidoc.String(""), r.about)
		one := 1
		s.MinItems = &one
	case name == "timestamp":
		s = &apidoc.Schema{Type: apidoc.Types{"string", "integer"}, Pattern: "^[0-9]{1,16}$"}
	case !ok:
		s = apidoc.String("")
	case len(r.enum) > 0:
		s = &apidoc.Schema{Type: apidoc.Types{"string"}}
		for _, v := range r.enum {
			s.Enum = append(s.Enum, v)
		}
		if _, err := strconv.Atoi(r.enum[0]); err == nil {
			s.Type = apidoc.Types{"string", "integer"}
			for _, v := range r.enum {
				n, _ := strconv.Atoi(v)
				s.Enum = append(s.Enum, n)
			}
		}
	case r.max > 0:
		s = &apidoc.Schema{Type: apidoc.Types{"integer", "string"}, Pattern: "^[0-9]+$", Description: r.about}
		s.Range(r.min, r.max)
	default:
		s = apidoc.String(r.about)
	}
	if required && slices.Contains(s.Type, "string") && name != "deviceList" {
		one := 1
		s.MinLength = &one
	}
	return s
}

// requestSchema is the body schema of a route: the globals, its fields,
// and sign.
func requestSchema(rt *Route, doc routeDoc) *apidoc.Schema {
	s := apidoc.Object("")
	for _, f := range globals {
		s.Prop(f, fieldSchema(f, true), true)
	}
	for _, f := range rt.Fields {
		req := slices.Contains(doc.required, f)
		s.Prop(f, fieldSchema(f, req), req)
	}
	s.Prop("sign", fieldSchema("sign", true), true)
	return s.Describe(glossary)
}

// dataSchema is the schema of a route's answer data, with its sign (D8).
func dataSchema(rt *Route, doc routeDoc) *apidoc.Schema {
	d := apidoc.Reflect(doc.data)
	s := &apidoc.Schema{Type: d.Type, Title: d.Title}
	switch rt.Sign {
	case SignHMAC:
		s.Prop("sign", apidoc.String("HMAC-SHA1 of data without sign, as a request sign, with the secret that verified the request (D8)"), true)
	case SignNull:
		s.Prop("sign", apidoc.Null(), true)
	}
	for _, name := range d.Names() {
		s.Prop(name, d.Properties[name], d.IsRequired(name))
	}
	return s.Describe(glossary)
}

// envelopeSchema is the schema of a route's answers: code 0000 with data,
// or a code of failure with data null (batchOrderPackages' 2006 with the
// failing SIMs).
func envelopeSchema(rt *Route, doc routeDoc, errs []string) *apidoc.Schema {
	ok := apidoc.Object("success").
		Prop("code", &apidoc.Schema{Type: apidoc.Types{"string"}, Const: CodeOK}, true).
		Prop("data", dataSchema(rt, doc), true).
		Prop("message", apidoc.String(""), true).
		Prop("success", &apidoc.Schema{Type: apidoc.Types{"boolean"}, Const: true}, true)
	failData := apidoc.Null()
	if rt.Path == "/package/batchOrderPackages" {
		failData = apidoc.Reflect(BatchOrderData{}).Nullable()
		failData.Description = "with 2006, the SIMs that cannot take the order; else null"
	}
	codes := make([]any, len(errs))
	for i, c := range errs {
		codes[i] = c
	}
	fail := apidoc.Object("failure").
		Prop("code", (&apidoc.Schema{Type: apidoc.Types{"string"}}).Values(codes...), true).
		Prop("data", failData, true).
		Prop("message", apidoc.String(""), true).
		Prop("success", &apidoc.Schema{Type: apidoc.Types{"boolean"}, Const: false}, true)
	return (&apidoc.Schema{OneOf: []*apidoc.Schema{ok, fail}}).Describe(glossary)
}

// exampleBody is a route's example request: its fields, the globals and a
// sign made with exampleSecret.
func exampleBody(fields string) string {
	body := `{"access_code":"P000270",` + strings.TrimPrefix(fields, "{")
	if fields == "{}" {
		body = `{"access_code":"P000270"}`
	}
	if strings.Contains(fields, `"89852022018041800300"`) {
		body = strings.Replace(body, "P000270", "QY-000001", 1) // the OTA demo enterprise
	}
	body = strings.TrimSuffix(body, "}") + `,"timestamp":"` + exampleTimestamp + `","version":"2.0"}`
	c, err := Canonical([]byte(body))
	if err != nil {
		panic("csss: example " + body + ": " + err.Error())
	}
	return strings.TrimSuffix(body, "}") + `,"sign":"` + Sign(c, exampleSecret) + `"}`
}

// Intro is the overview of the CSSS page.
const intro = "Every request is a `POST` of one JSON object, at the path of its route or under `/cube/v4` (D1). " +
	"It carries `access_code`, `timestamp` (epoch seconds or milliseconds), `version` `\"2.0\"` and `sign`, the Base64 " +
	"HMAC-SHA1 of the body's canonical form with the enterprise secret: [signing.md](signing.md) gives the recipe and " +
	"programs in four languages. Integers and enumerations may be sent as JSON numbers or as strings (`\"page_no\": \"1\"`); " +
	"an empty string counts as absent.\n\n" +
	"Every answer is HTTP 200 with the envelope `{\"code\", \"data\", \"message\", \"success\"}` (D2): code `0000` and the route's `data` " +
	"on success, else a code of failure and `data: null`. `message` is Chinese, or English with `Accept-Language: en-US` (D7); the code never changes. " +
	"`data.sign` is the HMAC-SHA1 of `data` with the secret that verified the request, `null` on orderPackage and createOtaOrder, " +
	"and absent on batchOrderPackages (D8). An unknown path answers HTTP 404 and a method other than `POST` HTTP 405, both with code `1007`.\n\n" +
	"The checks run in order (D23): the body is JSON (`1001`), `access_code` (`1004`: unknown, or its enterprise disabled by the operator), `sign` (`1002`), `version` (`1005`), " +
	"`timestamp` (`1003`), then the fields (`1001`, naming the first bad one) and the business rules. A repeated signed request is " +
	"answered with its first answer and never runs twice (D5, D28); an `Idempotency-Key` header gives the same guarantee for 24 hours " +
	"(`1008` when the key comes with another request). A request that changes state is refused with `1002` when its sign was used on " +
	"another path (D25). Business dates are UTC+8 (D9); volumes are MB as decimal strings (D19); money has two decimals (D16)."

// Reference returns the reference of the CSSS protocol: every route of
// the route table with its fields, answer, codes and example.
func Reference() *apidoc.Protocol {
	p := &apidoc.Protocol{
		Tag: "CSSS", Title: "CSSS API", File: "csss",
		Summary:      "The Cube CSSS API (version 2.0): enterprises order and manage their SIMs' data plans, read usage and send SMS, with body-signed JSON requests.",
		Intro:        intro,
		CommonErrors: []string{CodeInvalid, CodeSignature, CodeTimestamp, CodeAccessCode, CodeVersion, CodeIdempotencyReused, CodeSystem},
	}
	for _, c := range codeList() {
		info := codes[c]
		p.Codes = append(p.Codes, apidoc.Code{Code: c, HTTP: codeHTTP(c), Message: info.en, MessageZH: info.zh, About: codeAbout[c]})
	}
	for i := range Routes {
		rt := &Routes[i]
		doc := routeDocs[rt.Path]
		errs := p.Errors(&apidoc.Route{Errors: doc.errors})
		r := apidoc.Route{
			Method: "POST", Path: rt.Path, Also: []string{Prefix + rt.Path}, Summary: rt.Summary, Description: doc.about,
			Params: []apidoc.Param{{Name: "Accept-Language", In: "header", About: "en-US for English messages, anything else Chinese (D7)",
				Schema: &apidoc.Schema{Type: apidoc.Types{"string"}, Examples: []any{"en-US"}}}},
			Body:   requestSchema(rt, doc),
			Errors: doc.errors,
			Responses: []apidoc.Response{{Status: 200, About: "the envelope: code 0000 with data, or a code of failure",
				Schema: envelopeSchema(rt, doc, errs)}},
		}
		if rt.ClaimInTx {
			r.Params = append(r.Params, apidoc.Param{Name: "Idempotency-Key", In: "header",
				About: "a key of the client's choosing: a retry with the same key gets the first answer for 24 hours (D5)", Schema: apidoc.String("")})
		}
		if doc.example != "" {
			data := []byte(doc.answer)
			if rt.Sign != SignNone {
				data = withSign(data, rt.Sign, exampleSecret)
			}
			r.Example = &apidoc.Example{Request: exampleBody(doc.example), Header: map[string]string{"Accept-Language": "en-US"},
				Answer: `{"code":"0000","data":` + string(data) + `,"message":"success","success":true}`}
		}
		p.Routes = append(p.Routes, r)
	}
	return p
}

// codeList is the codes, in order.
func codeList() []string {
	list := make([]string, 0, len(codes))
	for c := range codes {
		list = append(list, c)
	}
	slices.Sort(list)
	return list
}

// codeHTTP is the HTTP status of an answer with code c (D2).
func codeHTTP(c string) int {
	if c == CodeNoRoute {
		return 404 // 405 for a wrong method
	}
	return 200
}

// codeAbout says when each code is answered.
var codeAbout = map[string]string{
	CodeOK:                "the request was carried out",
	CodeInvalid:           "the body is not a JSON object, or a field is missing or outside its values; the message names the field",
	CodeSignature:         "sign missing or wrong, or a write's sign already used on another path (D25)",
	CodeTimestamp:         "timestamp missing, malformed or outside the window (D4)",
	CodeAccessCode:        "access_code missing or unknown, or its enterprise disabled",
	CodeVersion:           "version is not 2.0",
	CodeTooFrequent:       "reserved: opencube does not limit request rates",
	CodeNoRoute:           "no such path (HTTP 404), or a method other than POST (HTTP 405)",
	CodeIdempotencyReused: "an Idempotency-Key already used for another request (D5)",
	CodeDeviceNotFound:    "the SIM is unknown or another enterprise's (D17)",
	CodePlanNotOrderable:  "the plan is unknown, not granted to the enterprise, or its name or type differ (D23); an OTA plan for a SIM that is not OTA",
	CodeOrderNotFound:     "the order is unknown or another enterprise's (D17), or the SIM has no order to act on",
	CodeOrderState:        "the order's status does not allow the move (D12), or the SIM already has an order in use (D13)",
	CodeOTA:               "an operation OTA SIMs do not take, such as is_open=1 (D23)",
	CodeBulkRejected:      "a bulk order of which some SIM cannot take the order: nothing was ordered (D15)",
	CodeSIMState:          "the SIM's state (suspended, terminated) does not allow the operation",
	CodeQuota:             "the enterprise's quota or balance does not cover the operation",
	CodeSMSTooLong:        "the message needs more segments than allowed (10 by default)",
	CodeSMSDailyLimit:     "the SIM has had its messages for the UTC+8 day (100 by default)",
	CodeSystem:            "the server failed; the request may be sent again",
}
