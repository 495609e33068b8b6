package admin

import (
	"net/http"
	"slices"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/apidoc"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/shop"
)

// routeDoc is what the reference says of one route beyond the route table:
// its success status and answer, the members its body must have (when not
// what Request's json tags say), its query parameters, its error kinds
// beyond the common ones, and an example. routeDocs holds one for every
// route, by pattern (TestReferenceCoversRoutes).
type routeDoc struct {
	status   int
	answer   any // a zero value of the answer's type, nil for none
	required []string
	query    []apidoc.Param
	bodyType string
	// answerType is the media type of a success answer that is not JSON.
	answerType string
	errors     []opencube.Kind
	about      string
	example    string // the body, as sent
	path       map[string]string
	reply      string // the answer, as JSON
}

var (
	exampleEnterprise = `{"access_code":"P000999","name":"Example Ltd","secrets":1,"created_at":"2025-01-01T02:00:00Z","rate_limit":null,"status":"active"}`
	exampleOrder      = `{"order_id":"ORDER_14279787781881856","order_code":"L202501010000000001","enterprise":"P000270","iccid":"89852022018041800192","imsi":"454000180192","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":2,"volume_bytes":20971520,"order_period":1,"renew_period":0,"status":2,"buy_type":2,"pay_amount_minor":1000,"pay_rst":"1","pay_type":"2","global_order":"0","test_flow":"0","test_flow_flag":"0","ota":false,"used_bytes":0,"ordered_at":"2025-01-01T02:00:00Z","started_at":"2024-12-31T16:00:00Z","expires_at":"2025-01-31T15:59:59Z","updated_at":"2025-01-01T02:00:00Z"}`
	exampleWebhook    = `{"enterprise":"P000270","url":"https://example.com/hook","events":[],"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","consecutive_failures":0,"failing":false,"created_at":"2025-01-01T02:00:00Z","updated_at":"2025-01-01T02:00:00Z","format":"csss"}`
	exampleDelivery   = `{"id":"5b0c2f7e-3d1a-4c8b-9e6f-7a2d1c0b9e8f","enterprise":"P000270","event":"1005","state":"delivered","detail":{"id":"5b0c2f7e-3d1a-4c8b-9e6f-7a2d1c0b9e8f","enterprise":"P000270","type":"1005","order_id":"ORDER_14279787781881856","iccid":"89852022018041800192","order_status":2,"created_at":"2025-01-01T02:00:00Z","seq":2},"attempts":[{"n":1,"at":"2025-01-01T02:00:01Z","status_code":200,"latency_ns":12000000,"ok":true}],"created_at":"2025-01-01T02:00:00Z","updated_at":"2025-01-01T02:00:01Z","delivered_at":"2025-01-01T02:00:01Z"}`
	exampleProfile    = `{"iccid":"89445099000000000001","enterprise":"P000270","smdp_address":"smdp.demo.opencube.dev","matching_id":"OCDEMO-0001-7QK2","imsi":"460990000000001","msisdn":"8613900000001","state":"installed","order_id":"ESIM14279787781881860","created_at":"2025-01-01T02:00:00Z","updated_at":"2025-01-02T02:00:00Z"}`
	exampleMallOrder  = `{"order_no":"MALL-20250101-0001","enterprise":"P000270","iccid":"89852022018041800192","package_code":"DP20190726001274","order_period":1,"pay_id":"pi_3QhX2bEx4mple","pay_amount_minor":1000,"pay_currency":"CNY","paid":true,"auto_renewal":true,"order_id":"ORDER_14279787781881856","pay_failed":false,"pay_provider":"stripe","customer_id":"cus_RxEx4mple","subscription_id":"sub_1QhXEx4mple","renewals":2,"created_at":"2025-01-01T02:00:00Z","updated_at":"2025-03-01T02:00:00Z"}`
	exampleESIMOrder  = `{"id":"ESIM14279787781881860","enterprise":"P000270","user_id":"U14279787781881859","email":"traveller@example.com","plan_id":1001,"package_code":"ESIM-CN-1G-7D","plan_name":"China 1GB 7 days","period_num":1,"currency":"USD","amount_minor":499,"top_up":false,"iccid":"89445099000000000001","status":1,"sim_order_id":"ORDER_14279787781881857","payment_provider":"stripe","payment_ref":"pi_3QhX2bEx4mple","created_at":"2025-01-01T02:00:00Z","expires_at":"2025-01-01T02:30:00Z","paid_at":"2025-01-01T02:01:00Z","updated_at":"2025-01-01T02:01:00Z"}`
	exampleGroup      = `{"enterprise":"P000270","group_id":"fleet-1","name":"Fleet 1","base_plan":"DP20190726001274","sims":2,"created_at":"2025-01-01T02:00:00Z"}`
	exampleClock      = `{"now":"2025-01-03T02:00:00Z","offset_seconds":172800,"ran":3}`
	exampleHLRReport  = `{"trigger":"operator","started_at":"2025-01-01T02:00:00Z","finished_at":"2025-01-01T02:00:01Z","sims":2,"subscribers":1,` +
		`"missing":["89852022018041800192"],"missing_count":1,"drifted":[],"drifted_count":0,"stale":[],"stale_count":0,"unknown":[],"unknown_count":0,"repaired":1,"failed":[],"failed_count":0}`
	exampleSIM       = `{"iccid":"89852022018041800192","imsi":"454000180192","msisdn":"85218041800192","ota":false,"enterprise":"P000270","status":"active","created_at":"2025-01-01T02:00:00Z"}`
	examplePlan      = `{"code":"DP1","name":"1GB month","package_type":2,"volume_bytes":1073741824,"price_minor":1000,"currency":"CNY","ota":false,"throttle_kbps":0,"countries":["CN"],"created_at":"2025-01-01T02:00:00Z","status":"active"}`
	exampleKey       = `{"key_id":"cff0c8e5fb964295e5ffb635bf8ff6ef","enterprise":"P000270","public_key":"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAo41JhOQWTmSAiAdb90J/zRETY6aZ3Vj+gJ7iuVbUQWB3AY3ZQHNw5r58to0NosN9GVt3V8pScQvkW5o8YlC4QXK2BEvKOC3f2sYoPQcuW01rLymUomDzjtUv7jm7SqHn4IipWlzM2/sT5+1eCy8nL8gYHvvw8Cd0frTfl1nKhAZv5+hEgGsfc/0sdFByjmV9LZ2vGMmhgTxRgpbcKp8qV54P0eonJnQyX99ZTAjVXrnyJKvwcdNUHEeHHRUQfAWnyWpvW+Tk275dGoIWjTwc8a+CciMl0M1jv6bnEOkkGd9NXbT0uKvCeCndYlHVZWxyAaB7HhZiAql94jRatSlLrQIDAQAB","bits":2048,"created_at":"2025-01-01T02:00:00Z"}`
	exampleAccount   = `{"enterprise":"P000270","mode":"prepaid","currency":"CNY","credit_limit":"0.00","alert_below":"5.00","enforce_price":false,"current_month":202501}`
	exampleStatement = `{"enterprise":"P000270","enterprise_name":"Example Ltd","operator":"Example Mobile","mode":"prepaid","month":202501,"from":"2024-12-31T16:00:00Z","until":"2025-01-31T16:00:00Z","closed":true,"closes_at":"2025-02-01T16:00:00Z",` +
		`"currencies":[{"currency":"CNY","opening_balance":"0.00","charges":"-10.00","credits":"20.00","closing_balance":"10.00","lines":[` +
		`{"id":"0b6a3c9e-1f2d-4e5a-8b7c-6d5e4f3a2b1c","at":"2025-01-03T02:00:00Z","kind":"topup","amount":"20.00","balance":"20.00","pay_amount":"0.00","request_id":"b7Qk2Zr1"},` +
		`{"id":"4c2e8a1b-7d3f-4b6a-9e5c-1a2b3c4d5e6f","at":"2025-01-04T02:00:00Z","kind":"order","amount":"-10.00","balance":"10.00","order_id":"ORDER_14279787781881856","iccid":"89852022018041800192","plan_code":"DP1","periods":1,"pay_amount":"10.00","pay_rst":"1","request_id":"c8Rl3As2"}],` +
		`"totals_by_plan":[{"plan_code":"DP1","lines":1,"amount":"-10.00"}]}]}`
	code = map[string]string{"code": "P000270"}
	sim  = map[string]string{"iccid": "89852022018041800192"}
)

func query(name, about string, s *apidoc.Schema) apidoc.Param {
	return apidoc.Param{Name: name, In: "query", About: about, Schema: s}
}

var (
	exampleUser  = `{"username":"ops-alice","role":"operator","disabled":false,"created_at":"2025-01-01T02:00:00Z"}`
	exampleToken = `{"id":"9f2c4a1b7e3d5c60","username":"ops-alice","name":"ci","created_at":"2025-01-01T02:00:00Z"}`
	exampleAudit = `{"id":42,"at":"2025-01-01T02:00:00Z","actor":"ops-alice","actor_kind":"token","token_id":"9f2c4a1b7e3d5c60","route":"POST /admin/v1/plans","object":"plan:DP20190726001274","request_id":"b7Qk2Zr1","summary":"{\"code\":\"DP20190726001274\",\"name\":\"China 20 MB\"}"}`
	user         = map[string]string{"username": "ops-alice"}
)

var routeDocs = map[string]routeDoc{
	"PUT /admin/v1/enterprises/{code}/billing": {status: http.StatusOK, answer: BillingAccount{}, required: []string{"mode"}, errors: []opencube.Kind{KindNoRoute},
		about: "An enterprise is postpaid until the operator says otherwise: its charges accrue per currency and its statement says what it owes. " +
			"A prepaid enterprise is billed in one `currency`: an order, renewal or bulk order (priced whole) whose price exceeds its balance plus " +
			"`credit_limit` answers CSSS `2008` and writes nothing, and so does a plan priced in another currency. `alert_below` sends a " +
			"`balance_alert` webhook event when the balance falls under it. `enforce_price` makes a CSSS `pay_amount` other than the price " +
			"answer `2002` naming the price. Amounts are decimal strings with at most two places.",
		example: `{"mode":"prepaid","currency":"CNY","credit_limit":"0.00","alert_below":"5.00","enforce_price":false}`, path: code,
		reply: exampleAccount},
	"GET /admin/v1/enterprises/{code}/billing": {status: http.StatusOK, answer: BillingAccount{}, errors: []opencube.Kind{KindNoRoute}, path: code, reply: exampleAccount},
	"PUT /admin/v1/enterprises/{code}/plans/{plan}/price": {status: http.StatusNoContent, errors: []opencube.Kind{KindNoRoute, opencube.KindPlanNotOrderable},
		about:   "The price of one period of the plan for this enterprise, in the plan's currency; an order costs it times its periods. `\"\"` removes it: the plan's list price applies. 404 when the plan is not granted.",
		example: `{"price":"8.50"}`, path: map[string]string{"code": "P000270", "plan": "DP20190726001274"}},
	"POST /admin/v1/enterprises/{code}/topups": {status: http.StatusCreated, answer: LedgerLine{}, required: []string{"amount", "currency"}, errors: []opencube.Kind{KindNoRoute},
		about:   "A ledger line crediting the enterprise with money received (a positive amount). A prepaid enterprise is topped up in its own currency only.",
		example: `{"amount":"10.00","currency":"CNY","reason":"bank transfer 2025-01-03"}`, path: code,
		reply: `{"id":"0b6a3c9e-1f2d-4e5a-8b7c-6d5e4f3a2b1c","enterprise":"P000270","month":202501,"at":"2025-01-03T02:00:00Z","kind":"topup","currency":"CNY","amount":"10.00","reason":"bank transfer 2025-01-03","request_id":"b7Qk2Zr1"}`},
	"POST /admin/v1/enterprises/{code}/adjustments": {status: http.StatusCreated, answer: LedgerLine{}, required: []string{"amount", "currency", "reason"}, errors: []opencube.Kind{KindNoRoute},
		about: "A correction is a new ledger line, never a change of an old one: `amount` is signed (\"-2.50\" charges). `month` (yyyymm) places it in a month " +
			"whose statement is still open (until `--statement-grace` after its last UTC+8 day); a closed month answers 400: corrections land in the open month.",
		example: `{"amount":"-2.50","currency":"CNY","reason":"roaming surcharge"}`, path: code,
		reply: `{"id":"4c2e8a1b-7d3f-4b6a-9e5c-1a2b3c4d5e6f","enterprise":"P000270","month":202501,"at":"2025-01-03T02:00:00Z","kind":"adjustment","currency":"CNY","amount":"-2.50","reason":"roaming surcharge","request_id":"b7Qk2Zr1"}`},
	"GET /admin/v1/enterprises/{code}/balance": {status: http.StatusOK, answer: Balances{}, errors: []opencube.Kind{KindNoRoute},
		about: "The sum of the enterprise's ledger lines per currency, kept as a running total in the transaction of each line: negative is owed.",
		path:  code, reply: `{"balances":[{"currency":"CNY","amount":"7.50"}]}`},
	"GET /admin/v1/enterprises/{code}/statements/{month}": {status: http.StatusOK, answer: billing.Statement{}, errors: []opencube.Kind{KindNoRoute},
		query: []apidoc.Param{query("format", "json (the default), csv or pdf (a document headed by --operator-name)", apidoc.String("").Values("json", "csv", "pdf"))},
		about: "A UTC+8 month's statement: per currency the opening balance, every ledger line with the balance after it, the totals by plan " +
			"and the closing balance. The month closes `--statement-grace` (24 h by default) after its last day; a closed month never changes.",
		path:  map[string]string{"code": "P000270", "month": "202501"},
		reply: exampleStatement},
	"GET /admin/v1/enterprises/{code}/usage-export": {status: http.StatusOK, answerType: "text/csv", errors: []opencube.Kind{KindNoRoute},
		query: []apidoc.Param{query("month", "the UTC+8 month, yyyymm (required)", apidoc.Integer("")),
			query("per", "day (the default): a row per SIM per UTC+8 day; order: a row per order of the month with its used volume", apidoc.String("").Values("day", "order"))},
		about: "Written as it is read, in constant memory whatever the number of SIMs. Volumes in bytes and in MB (1,048,576 bytes, two decimals).",
		path:  code, reply: "iccid,day_utc8,bytes,mb\n89852022018041800192,2025-01-01,1048576,1.00\n"},
	"GET /admin/v1/ledger/verify": {status: http.StatusOK, answer: LedgerCheck{},
		about: "Compares every running balance with the sum of its ledger lines; `ok` is false and `mismatches` lists them when any differs.",
		reply: `{"ok":true,"mismatches":[]}`},
	"GET /admin/v1/me": {status: http.StatusOK, answer: Me{},
		about: "The actor is the user's name, or `bootstrap` for the server's `--admin-token`.",
		reply: `{"actor":"ops-alice","kind":"token","role":"operator","token_id":"9f2c4a1b7e3d5c60"}`},
	"POST /admin/v1/users": {status: http.StatusCreated, answer: NewUser{}, required: []string{"username", "role"},
		errors:  []opencube.Kind{opencube.KindConflict, opencube.KindUnauthenticated},
		about:   "Roles: `operator` reads and changes everything; `support` reads everything and changes nothing; `enterprise` (with `enterprise`) reads and changes its enterprise's SIMs, orders, SMS, webhook, alerts, secrets and users, and reads the plans granted to it. The token is shown once: only its hash is kept. The password (8 characters or more, argon2id-hashed) signs in to the console.",
		example: `{"username":"ops-alice","role":"operator","password":"correct horse battery"}`,
		reply:   strings.Replace(exampleUser, `}`, `,"token":"ocu_3q2-7wEvTJ8zV9Kk0sX1mQ4bYpZrN6cH5dLfA0gWuIe","token_id":"9f2c4a1b7e3d5c60"}`, 1)},
	"GET /admin/v1/users": {status: http.StatusOK, answer: operator.List[*operator.User]{},
		query: listParams(query("enterprise", "only this enterprise's users", apidoc.String(""))),
		reply: `{"items":[` + exampleUser + `],"next":null}`},
	"GET /admin/v1/users/{username}": {status: http.StatusOK, answer: User{}, errors: []opencube.Kind{opencube.KindNotFound}, path: user,
		reply: strings.Replace(exampleUser, `}`, `,"tokens":[`+exampleToken+`]}`, 1)},
	"POST /admin/v1/users/{username}/tokens": {status: http.StatusCreated, answer: NewToken{}, errors: []opencube.Kind{opencube.KindNotFound}, path: user,
		about: "The token is shown once: only its hash is kept.", example: `{"name":"ci"}`,
		reply: strings.Replace(exampleToken, `}`, `,"token":"ocu_3q2-7wEvTJ8zV9Kk0sX1mQ4bYpZrN6cH5dLfA0gWuIe"}`, 1)},
	"DELETE /admin/v1/users/{username}/tokens/{id}": {status: http.StatusNoContent, errors: []opencube.Kind{opencube.KindNotFound},
		path: map[string]string{"username": "ops-alice", "id": "9f2c4a1b7e3d5c60"}, about: "A revoked token answers 401 from then on."},
	"POST /admin/v1/users/{username}/disable": {status: http.StatusOK, answer: operator.User{}, errors: []opencube.Kind{opencube.KindNotFound}, path: user,
		about: "The user's tokens answer 401 and it cannot sign in until enabled; a user does not disable itself.",
		reply: strings.Replace(exampleUser, `"disabled":false`, `"disabled":true`, 1)},
	"POST /admin/v1/users/{username}/enable": {status: http.StatusOK, answer: operator.User{}, errors: []opencube.Kind{opencube.KindNotFound}, path: user, reply: exampleUser},
	"PUT /admin/v1/users/{username}/password": {status: http.StatusNoContent, errors: []opencube.Kind{opencube.KindNotFound}, path: user,
		example: `{"password":"correct horse battery"}`},
	"GET /admin/v1/audit": {status: http.StatusOK, answer: operator.List[*operator.AuditEntry]{},
		about: "Every change made through the admin API or the console, written in the change's own transaction; entries are never changed or deleted. An enterprise user sees its enterprise's.",
		query: listParams(query("actor", "a username, or `bootstrap`", apidoc.String("")),
			query("object", "an object (`sim:8986...`, `plan:CODE`, `enterprise:P000270`, `user:NAME`) or a kind of them (`sim`)", apidoc.String("")),
			query("since", "entries at or after this RFC 3339 time", apidoc.String("")),
			query("enterprise", "entries of this enterprise's objects", apidoc.String(""))),
		reply: `{"items":[` + exampleAudit + `],"next":null}`},
	"POST /admin/v1/enterprises": {status: http.StatusCreated, answer: Enterprise{}, errors: []opencube.Kind{opencube.KindConflict},
		about:   "The enterprise signs its requests with the secret; its access code is its name in every protocol.",
		example: `{"access_code":"P000999","name":"Example Ltd","secret":"a-long-secret"}`, reply: exampleEnterprise},
	"GET /admin/v1/enterprises/{code}": {status: http.StatusOK, answer: Enterprise{}, errors: []opencube.Kind{opencube.KindUnauthenticated},
		about: "An unknown enterprise answers 404 with kind `unauthenticated`.", path: map[string]string{"code": "P000999"}, reply: exampleEnterprise},
	"POST /admin/v1/enterprises/{code}/secrets": {status: http.StatusOK, answer: Enterprise{}, errors: []opencube.Kind{opencube.KindUnauthenticated},
		about:   "Both the newest two secrets verify requests (D3), so that clients can move to the new one at their pace; a third drops the oldest.",
		example: `{"secret":"the-next-secret"}`, path: map[string]string{"code": "P000999"}, reply: strings.Replace(exampleEnterprise, `"secrets":1`, `"secrets":2`, 1)},
	"PUT /admin/v1/enterprises/{code}/rate-limit": {status: http.StatusOK, answer: Enterprise{}, required: []string{"rate", "burst"}, errors: []opencube.Kind{opencube.KindUnauthenticated},
		about:   "CSSS and Mall requests of the enterprise are limited to `rate` a second with bursts of `burst` (1006 with Retry-After beyond), in place of the server's `--rate-limit`; limits are counted per node.",
		example: `{"rate":50,"burst":100}`, path: map[string]string{"code": "P000999"},
		reply: strings.Replace(exampleEnterprise, `"rate_limit":null`, `"rate_limit":{"rate":50,"burst":100}`, 1)},
	"DELETE /admin/v1/enterprises/{code}/rate-limit": {status: http.StatusOK, answer: Enterprise{}, errors: []opencube.Kind{opencube.KindUnauthenticated},
		about: "The enterprise is limited by the server's `--rate-limit` again.", path: map[string]string{"code": "P000999"}, reply: exampleEnterprise},
	"POST /admin/v1/enterprises/{code}/plans": {status: http.StatusNoContent, errors: []opencube.Kind{opencube.KindUnauthenticated, opencube.KindPlanNotOrderable},
		about: "The enterprise may then order the plan (queryPackage lists it).", example: `{"plan_code":"DP1"}`, path: map[string]string{"code": "P000999"}},
	"POST /admin/v1/plans": {status: http.StatusCreated, answer: opencube.Plan{}, required: []string{"code", "name", "package_type", "price"}, errors: []opencube.Kind{opencube.KindConflict},
		about:   "Give the volume in MB (`volume_mb`, a decimal) or in bytes (`volume_bytes`); the price is a decimal with at most two places, in `currency` (CNY when left out).",
		example: `{"code":"DP1","name":"1GB month","package_type":2,"volume_mb":"1024","price":"10.00","currency":"CNY","countries":["CN"]}`,
		reply:   `{"code":"DP1","name":"1GB month","package_type":2,"volume_bytes":1073741824,"price_minor":1000,"currency":"CNY","ota":false,"throttle_kbps":0,"countries":["CN"],"created_at":"2025-01-01T02:00:00Z","status":"active"}`},
	"POST /admin/v1/sims": {status: http.StatusCreated, answer: ImportResult{}, errors: []opencube.Kind{opencube.KindConflict, KindMediaType},
		about: "All or nothing. The body is a JSON array of SIMs, or `text/csv` with a header row naming the columns, in any order: `iccid`, `imsi` and `enterprise` " +
			"required, `msisdn`, `ota` (1/0, true/false, yes/no) and `status` (inventory, active, suspended, terminated; inventory when left out) optional.",
		example: `[{"iccid":"89852022018041800300","imsi":"454009999999990","msisdn":"85299999990","ota":true,"enterprise":"P000999"}]`, reply: `{"imported":1}`},
	"POST /admin/v1/sims/{iccid}/{move}": {status: http.StatusOK, answer: opencube.SIM{}, errors: []opencube.Kind{opencube.KindDeviceNotFound, opencube.KindSIMState},
		about: "`activate` a SIM in inventory or suspended, `suspend` an active one, `terminate` any but a terminated one; a move its state does not allow answers 409 `sim_state`.",
		path:  map[string]string{"iccid": "89852022018041800192", "move": "suspend"},
		reply: `{"iccid":"89852022018041800192","imsi":"454000180192","msisdn":"85218041800192","ota":false,"enterprise":"P000270","status":"suspended","created_at":"2025-01-01T02:00:00Z"}`},
	"POST /admin/v1/sims/{iccid}/imsi": {status: http.StatusOK, answer: opencube.Order{}, errors: []opencube.Kind{opencube.KindDeviceNotFound, opencube.KindOTA, opencube.KindOrderNotFound, opencube.KindOrderState},
		about:   "For an OTA SIM whose order is in use: the SIM and the order take the new IMSI, and the order's event `1012` carries it. Answers the order.",
		example: `{"imsi":"454009999999999"}`, path: map[string]string{"iccid": "89852022018041800300"},
		reply: strings.NewReplacer(`"iccid":"89852022018041800192","imsi":"454000180192"`, `"iccid":"89852022018041800300","imsi":"454009999999999"`, `"ota":false`, `"ota":true`).Replace(exampleOrder)},
	"POST /admin/v1/orders/{id}/reduce": {status: http.StatusOK, answer: opencube.Order{}, errors: []opencube.Kind{opencube.KindOrderNotFound, opencube.KindOrderState},
		about: "Takes renewals off first, then ordered periods, and keeps one at least; a started order's expiry moves earlier (an expiry already past expires it at once). " +
			"The order's event `1010` tells the enterprise. Answers the order.",
		example: `{"periods":1}`, path: map[string]string{"id": "ORDER_14279787781881856"}, reply: exampleOrder},
	"POST /admin/v1/enterprises/{code}/esim-profiles": {status: http.StatusCreated, answer: ImportResult{}, bodyType: "text/csv", errors: []opencube.Kind{opencube.KindConflict, KindNoRoute},
		about:   "All or nothing; a header row `iccid,smdp_address,matching_id,imsi,msisdn,confirmation_code` may come first.",
		example: "iccid,smdp_address,matching_id,imsi,msisdn\n89445099000000000101,smdp.example.com,MATCH-0101,460990000000101,8613900000101\n", path: map[string]string{"code": "P000270"}, reply: `{"imported":1}`},
	"GET /admin/v1/enterprises/{code}/esim-profiles": {status: http.StatusOK, answer: []*shop.Profile{}, errors: []opencube.Kind{KindNoRoute},
		query: []apidoc.Param{query("state", "only the profiles in this state", apidoc.String("").Values("available", "reserved", "sold", "installed", "deleted"))},
		path:  code, reply: `[` + exampleProfile + `]`},
	"POST /admin/v1/enterprises/{code}/esim-profiles/{iccid}/state": {status: http.StatusOK, answer: shop.Profile{}, errors: []opencube.Kind{opencube.KindNotFound, opencube.KindConflict, KindNoRoute},
		about:   "A sold profile becomes `installed`, then `deleted` when the consumer removes it.",
		example: `{"state":"installed"}`, path: map[string]string{"code": "P000270", "iccid": "89445099000000000001"}, reply: exampleProfile},
	"POST /admin/v1/esim-plans": {status: http.StatusCreated, answer: shop.ESIMPlan{}, required: []string{"id", "enterprise", "package_code", "name", "mccs", "volume_bytes", "period_days", "prices", "plan_code"},
		errors: []opencube.Kind{opencube.KindConflict, KindNoRoute},
		about:  "A plan of an enterprise's eSIM QR Mall: the countries it covers (MCCs), `region` for a plan of several countries, its continent, volume, days, and a price per currency in minor units.",
		example: `{"id":2001,"enterprise":"P000270","package_code":"ESIM-CN-2G-10D","name":"China 2GB 10 days","mccs":["460"],"continent":"AS","volume_bytes":2147483648,"period_days":10,` +
			`"prices":[{"currency":"USD","amount_minor":699}],"plan_code":"ESIM-CORE-CN-1G","starts":"attach"}`,
		reply: `{"id":2001,"enterprise":"P000270","package_code":"ESIM-CN-2G-10D","name":"China 2GB 10 days","mccs":["460"],"region":false,"continent":"AS","hot":false,"volume_bytes":2147483648,"period_days":10,"prices":[{"currency":"USD","amount_minor":699}],"plan_code":"ESIM-CORE-CN-1G","starts":"attach","sale_count":0,"created_at":"2025-01-01T02:00:00Z"}`},
	"GET /admin/v1/sandbox/verification-codes": {status: http.StatusOK, answer: shop.VerificationCode{}, errors: []opencube.Kind{opencube.KindNotFound, KindNoRoute},
		about: "Sandbox mode only (D21), so that a purchase can be tested without a mailbox.",
		query: []apidoc.Param{query("email", "the address the code was sent to", apidoc.String("")), query("partnerCode", "the enterprise (any when left out)", apidoc.String(""))},
		reply: `{"enterprise":"P000270","email":"buyer@example.com","code":"123456","expires_at":"2025-01-01T02:10:00Z"}`},
	"PUT /admin/v1/enterprises/{code}/webhook": {status: http.StatusOK, answer: opencube.Webhook{}, required: []string{"url"}, errors: []opencube.Kind{opencube.KindUnauthenticated, KindNoRoute},
		about: "A new endpoint answers 201 with its signing secret (`whsec_...`), shown this once; changing the URL or events of an existing one answers 200 without it. " +
			"`events` lists the event types to send (`1000`-`1012`, `flow_alert`, `sms_report`, `sms_mo`, `mall_recharge`, `sim_async_result`, `sim_provisioning_failed`); none means all.",
		example: `{"url":"https://example.com/hook","events":[]}`, path: code, reply: exampleWebhook},
	"GET /admin/v1/enterprises/{code}/webhook": {status: http.StatusOK, answer: opencube.Webhook{}, errors: []opencube.Kind{opencube.KindNotFound, KindNoRoute},
		path: code, reply: strings.Replace(exampleWebhook, `"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",`, "", 1)},
	"POST /admin/v1/enterprises/{code}/webhook/notification-key": {status: http.StatusOK, answer: opencube.Webhook{}, errors: []opencube.Kind{opencube.KindNotFound, opencube.KindInvalid, KindNoRoute},
		about: "A Cube v4 endpoint's new Notification Key (`notification_key_id`, `notification_key`), shown this once: every delivery is signed with it from then on, never with the old one. " +
			"An endpoint in the CSSS format has none (invalid `format`). No body.",
		path: code,
		reply: `{"enterprise":"P000270","url":"https://example.com/hook","events":[],"consecutive_failures":0,"failing":false,` +
			`"created_at":"2025-01-01T02:00:00Z","updated_at":"2025-01-01T03:00:00Z","format":"v4","notification_key_id":"4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a",` +
			`"notification_key":"9d2c6b1e0f8a7d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918071625344"}`},
	"POST /admin/v1/enterprises/{code}/webhook/rotate": {status: http.StatusOK, answer: opencube.Webhook{}, errors: []opencube.Kind{opencube.KindNotFound, KindNoRoute},
		about:   "A new secret, shown once; the old one signs too (a second signature) for `grace_seconds` (86400 when left out). The body may be left out.",
		example: `{"grace_seconds":86400}`, path: code,
		reply: strings.Replace(exampleWebhook, `"consecutive_failures"`, `"old_secret_until":"2025-01-02T02:00:00Z","consecutive_failures"`, 1)},
	"GET /admin/v1/enterprises/{code}/deliveries": {status: http.StatusOK, answer: DeliveryList{}, errors: []opencube.Kind{KindNoRoute},
		about: "The delivery log, newest first, with each attempt.",
		query: []apidoc.Param{
			query("state", "only deliveries in this state", apidoc.String("").Values("pending", "delivered", "failed")),
			query("event", "only this event type", apidoc.String("")),
			query("since", "created at or after, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"}),
			query("until", "created before, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"}),
			query("limit", "most deliveries to list", (&apidoc.Schema{Type: apidoc.Types{"integer"}}).Range(1, MaxDeliveryLimit))},
		path: code, reply: `{"deliveries":[` + exampleDelivery + `]}`},
	"POST /admin/v1/enterprises/{code}/deliveries/redeliver": {status: http.StatusAccepted, answer: RedeliverResult{}, errors: []opencube.Kind{KindNoRoute},
		about:   "Sends every event of the enterprise since a time (up to `until`) again, as new deliveries.",
		example: `{"since":"2025-01-01T00:00:00+08:00"}`, path: code, reply: `{"redelivered":4}`},
	"POST /admin/v1/deliveries/{id}/redeliver": {status: http.StatusAccepted, answer: opencube.Delivery{}, errors: []opencube.Kind{opencube.KindNotFound, KindNoRoute},
		about: "Sends the delivery's event again.", path: map[string]string{"id": "5b0c2f7e-3d1a-4c8b-9e6f-7a2d1c0b9e8f"}, reply: exampleDelivery},
	"PUT /admin/v1/enterprises/{code}/alerts": {status: http.StatusOK, answer: opencube.AlertSettings{}, required: []string{}, errors: []opencube.Kind{KindNoRoute},
		about:   "`flow_alert` events fire once an order has used each percentage of its volume, and `days_before_expiry` days before it ends (0: none). `enterprise` is the path's.",
		example: `{"percents":[80,100],"days_before_expiry":3}`, path: code, reply: `{"enterprise":"P000270","percents":[80,100],"days_before_expiry":3}`},
	"GET /admin/v1/enterprises/{code}/alerts": {status: http.StatusOK, answer: opencube.AlertSettings{}, errors: []opencube.Kind{KindNoRoute},
		path: code, reply: `{"enterprise":"P000270","percents":[80,100],"days_before_expiry":3}`},
	"GET /admin/v1/clock": {status: http.StatusOK, answer: ClockState{}, errors: []opencube.Kind{KindNoRoute},
		about: "Sandbox mode only (D27): the server's business time and how far it runs ahead of real time.", reply: `{"now":"2025-01-03T02:00:00Z","offset_seconds":172800,"ran":0}`},
	"POST /admin/v1/clock/advance": {status: http.StatusOK, answer: ClockState{}, errors: []opencube.Kind{KindNoRoute},
		about:   "Sandbox mode only (D27): moves the clock forward, running everything due in between at its own time, in order (order expiries, alerts, timeouts). The offset is stored and shared by every node; it never moves back.",
		example: `{"seconds":172800}`, reply: exampleClock},
	"POST /admin/v1/sims/{iccid}/mo": {status: http.StatusCreated, answer: opencube.SMS{}, errors: []opencube.Kind{opencube.KindDeviceNotFound, KindNoRoute},
		about:   "A message from the SIM (its ICCID or MSISDN in the path), as the network would bring it; it is stored and sent to the enterprise as an `sms_mo` event.",
		example: `{"content":"hello"}`, path: sim,
		reply: `{"sms_id":"SMS_3f2b6c1e9a7d4c0b8e5f1a2b3c4d5e6f","enterprise":"P000270","iccid":"89852022018041800192","msisdn":"85218041800192","direction":"mo","sms_type":0,"content":"hello","encoding":"gsm7","segments":1,"state":"delivered","attempts":0,"created_at":"2025-01-01T02:00:00Z","delivered_at":"2025-01-01T02:00:00Z","updated_at":"2025-01-01T02:00:00Z"}`},
	"PATCH /admin/v1/plans/{code}": {status: http.StatusOK, answer: opencube.Plan{}, required: []string{}, errors: []opencube.Kind{opencube.KindPlanNotOrderable},
		about: "Only the members sent change, and the plan they make must be valid. Orders of the plan keep the volume and price they were ordered with; " +
			"a new throttle applies to them too. `status: retired` stops new orders: queryPackage and queryDevicePackages no longer list the plan and ordering it " +
			"answers 2002, while its orders run on, renewals included; `status: active` takes orders again.",
		example: `{"price":"12.00","status":"retired"}`, path: map[string]string{"code": "DP1"},
		reply: `{"code":"DP1","name":"1GB month","package_type":2,"volume_bytes":1073741824,"price_minor":1200,"currency":"CNY","ota":false,"throttle_kbps":0,"countries":["CN"],"created_at":"2025-01-01T02:00:00Z","status":"retired"}`},
	"DELETE /admin/v1/enterprises/{code}/plans/{plan}": {status: http.StatusNoContent, errors: []opencube.Kind{opencube.KindNotFound},
		about: "The enterprise may no longer order the plan (queryPackage stops listing it); its orders of the plan run on. A plan not granted answers 404 `not_found`.",
		path:  map[string]string{"code": "P000999", "plan": "DP1"}},
	"POST /admin/v1/enterprises/{code}/disable": {status: http.StatusOK, answer: Enterprise{}, errors: []opencube.Kind{opencube.KindUnauthenticated},
		about: "Every signed request of the enterprise answers as an unknown access code's: `1004` on CSSS and the Mall, the unknown-partner answer on the eSIM QR Mall " +
			"(a node may serve it for the few seconds it caches the enterprise). Its webhook deliveries and queued MT messages wait, never failed or lost; " +
			"its data is kept and its SIMs keep their network service (suspend them for that).",
		path: code, reply: strings.Replace(exampleEnterprise, `"status":"active"`, `"status":"disabled"`, 1)},
	"POST /admin/v1/enterprises/{code}/enable": {status: http.StatusOK, answer: Enterprise{}, errors: []opencube.Kind{opencube.KindUnauthenticated},
		about: "The enterprise is served again; the deliveries and messages that waited go at once.",
		path:  code, reply: exampleEnterprise},
	"DELETE /admin/v1/enterprises/{code}/secrets/{id}": {status: http.StatusOK, answer: Enterprise{}, errors: []opencube.Kind{opencube.KindUnauthenticated, opencube.KindNotFound, opencube.KindConflict},
		about: "A secret's id is the first 8 hex digits of its SHA-256. The enterprise's last secret is never dropped (409 `conflict`): add its successor first.",
		path:  map[string]string{"code": "P000999", "id": "5e884898"}, reply: exampleEnterprise},
	"POST /admin/v1/enterprises/{code}/keys": {status: http.StatusCreated, answer: operator.APIKey{}, required: []string{"public_key"},
		errors: []opencube.Kind{opencube.KindUnauthenticated, opencube.KindConflict, opencube.KindQuota},
		about: "The enterprise signs Cube v4 requests (`/cube/v4/...`, `Authorization: LF {key_id}/{sign}`, SHA1withRSA) with the private half, which the server never sees. " +
			"The key is given as PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`) or as Base64 of its PKIX or PKCS#1 DER, 1024-8192 bits; it is kept as Base64 PKIX DER. " +
			"`key_id` is the first 16 bytes of the SHA-256 of that DER in hex, so a key is registered once (409 `conflict` the second time, for any enterprise). An enterprise holds up to 20 keys (409 `quota`).",
		example: `{"public_key":"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAo41JhOQWTmSAiAdb90J/zRETY6aZ3Vj+gJ7iuVbUQWB3AY3ZQHNw5r58to0NosN9GVt3V8pScQvkW5o8YlC4QXK2BEvKOC3f2sYoPQcuW01rLymUomDzjtUv7jm7SqHn4IipWlzM2/sT5+1eCy8nL8gYHvvw8Cd0frTfl1nKhAZv5+hEgGsfc/0sdFByjmV9LZ2vGMmhgTxRgpbcKp8qV54P0eonJnQyX99ZTAjVXrnyJKvwcdNUHEeHHRUQfAWnyWpvW+Tk275dGoIWjTwc8a+CciMl0M1jv6bnEOkkGd9NXbT0uKvCeCndYlHVZWxyAaB7HhZiAql94jRatSlLrQIDAQAB"}`, path: code,
		reply: exampleKey},
	"GET /admin/v1/enterprises/{code}/keys": {status: http.StatusOK, answer: KeyList{}, errors: []opencube.Kind{opencube.KindUnauthenticated}, path: code,
		reply: `{"keys":[` + exampleKey + `]}`},
	"DELETE /admin/v1/enterprises/{code}/keys/{id}": {status: http.StatusNoContent, errors: []opencube.Kind{opencube.KindNotFound},
		about: "Requests signed with the key answer 403 (`CB-99-9403`) from then on, on every node within 10 seconds.",
		path:  map[string]string{"code": "P000270", "id": "cff0c8e5fb964295e5ffb635bf8ff6ef"}},
	"PUT /admin/v1/sims/{iccid}/enterprise": {status: http.StatusOK, answer: opencube.SIM{}, errors: []opencube.Kind{opencube.KindDeviceNotFound, opencube.KindUnauthenticated, opencube.KindOrderState},
		about: "The SIM belongs to the other enterprise from now on; its past orders, usage and messages stay its first enterprise's. A SIM with an order in use, " +
			"suspended or not enabled is not moved (409 `order_state`).",
		example: `{"enterprise":"P000999"}`, path: sim,
		reply: `{"iccid":"89852022018041800192","imsi":"454000180192","msisdn":"85218041800192","ota":false,"enterprise":"P000999","status":"active","created_at":"2025-01-01T02:00:00Z"}`},
	"POST /admin/v1/sims/bulk": {status: http.StatusOK, answer: operator.BulkResults{},
		about: "The whole request is checked first: an unknown action, a malformed, repeated or unknown ICCID (an enterprise user's SIMs only), more than 1,000 SIMs, " +
			"or an unknown enterprise to move to answers 400 naming the field, and nothing changes. Then each SIM is changed as one SIM would be " +
			"(`POST /admin/v1/sims/{iccid}/{move}`, `PUT /admin/v1/sims/{iccid}/enterprise`), and its result says whether it was. Moving to another enterprise is the operator's.",
		example: `{"iccids":["89852022018041800192","89852022018041800193"],"action":"suspend"}`,
		reply:   `{"results":[{"iccid":"89852022018041800192","ok":true},{"iccid":"89852022018041800193","ok":false,"error":{"kind":"sim_state","message":"cannot suspend a SIM that is suspended"}}]}`},
	"POST /admin/v1/orders": {status: http.StatusCreated, answer: opencube.Order{}, errors: []opencube.Kind{opencube.KindDeviceNotFound, opencube.KindPlanNotOrderable, opencube.KindSIMState, opencube.KindOrderState, opencube.KindOTA},
		about: "The order is the SIM's enterprise's, placed as its orderPackage would be (createOtaOrder with `days`, `timing_type`, `mcc`): the plan must be granted to it and not retired, " +
			"the amount is the plan's price times the periods, and the enterprise is sent `1000` (and `1005` with `open`).",
		example: `{"iccid":"89852022018041800192","plan":"DP20190726001274","periods":1,"open":true}`, reply: exampleOrder},
	"POST /admin/v1/orders/{id}/enable": {status: http.StatusOK, answer: opencube.Order{}, errors: []opencube.Kind{opencube.KindOrderNotFound, opencube.KindOrderState},
		about: "As CSSS enablePackage: the SIM must hold no other active order.", path: map[string]string{"id": "ORDER_14279787781881856"}, reply: exampleOrder},
	"POST /admin/v1/orders/{id}/renew": {status: http.StatusOK, answer: opencube.Order{}, errors: []opencube.Kind{opencube.KindOrderNotFound, opencube.KindOrderState},
		about: "As CSSS renewPackage, also of a retired plan's order.", example: `{"periods":1}`, path: map[string]string{"id": "ORDER_14279787781881856"}, reply: exampleOrder},
	"POST /admin/v1/orders/{id}/cancel": {status: http.StatusOK, answer: opencube.Order{}, errors: []opencube.Kind{opencube.KindOrderNotFound, opencube.KindOrderState},
		about: "As CSSS cancelPackage: a not-enabled order only.", path: map[string]string{"id": "ORDER_14279787781881856"},
		reply: strings.Replace(exampleOrder, `"status":2`, `"status":6`, 1)},
	"POST /admin/v1/orders/{id}/end": {status: http.StatusOK, answer: opencube.Order{}, errors: []opencube.Kind{opencube.KindOrderNotFound, opencube.KindOrderState},
		about: "As CSSS endPackage.", path: map[string]string{"id": "ORDER_14279787781881856"}, reply: strings.Replace(exampleOrder, `"status":2`, `"status":5`, 1)},
	"POST /admin/v1/orders/{id}/suspend": {status: http.StatusOK, answer: opencube.Order{}, errors: []opencube.Kind{opencube.KindOrderNotFound, opencube.KindOrderState},
		about: "As CSSS suspendDevice, by the order.", path: map[string]string{"id": "ORDER_14279787781881856"}, reply: strings.Replace(exampleOrder, `"status":2`, `"status":3`, 1)},
	"POST /admin/v1/orders/{id}/resume": {status: http.StatusOK, answer: opencube.Order{}, errors: []opencube.Kind{opencube.KindOrderNotFound, opencube.KindOrderState},
		about: "As CSSS resumeDevice, by the order.", path: map[string]string{"id": "ORDER_14279787781881856"}, reply: exampleOrder},
	"POST /admin/v1/sms": {status: http.StatusCreated, answer: opencube.SMS{}, errors: []opencube.Kind{opencube.KindDeviceNotFound, opencube.KindSIMState, opencube.KindSMSDailyLimit, opencube.KindSMSTooLong, KindNoRoute},
		about:   "As the SIM's enterprise would send it with CSSS sendSms: the same limits, the same `sms_report` when the device has it.",
		example: `{"iccid":"89852022018041800192","content":"hello"}`,
		reply:   `{"sms_id":"SMS_3f2b6c1e9a7d4c0b8e5f1a2b3c4d5e6f","enterprise":"P000270","iccid":"89852022018041800192","msisdn":"85218041800192","direction":"mt","sms_type":0,"content":"hello","encoding":"gsm7","segments":1,"state":"queued","attempts":0,"created_at":"2025-01-01T02:00:00Z","updated_at":"2025-01-01T02:00:00Z"}`},
	"PUT /admin/v1/sandbox/sms-gateway": {status: http.StatusOK, answer: SandboxGateway{}, required: []string{}, errors: []opencube.Kind{opencube.KindNotFound, KindNoRoute},
		about:   "With the sandbox SMS device only: `down` makes hand-overs fail (messages wait and are retried), `fail_deliveries` makes the device report messages as failed. Send `{}` to heal it.",
		example: `{"down":true}`, reply: `{"down":true,"fail_deliveries":false}`},
	"GET /admin/v1/enterprises": {status: http.StatusOK, answer: EnterpriseList{},
		query: listParams(query("q", "a prefix of the access code, or a part of the name, in any case", apidoc.String("")),
			query("status", "only enterprises in this state", apidoc.String("").Values("active", "disabled"))),
		about: "Access code order. An enterprise user sees its own enterprise only." + listAbout,
		reply: `{"items":[` + strings.Replace(exampleEnterprise, `"rate_limit":null`, `"rate_limit":null,"status":"active"`, 1) + `],"next":null}`},
	"GET /admin/v1/sims": {status: http.StatusOK, answer: operator.List[*opencube.SIM]{},
		query: listParams(query("enterprise", "only this enterprise's SIMs", apidoc.String("")),
			query("status", "only SIMs in this state", apidoc.String("").Values("inventory", "active", "suspended", "terminated")),
			query("online", "only SIMs with (true) or without (false) an open data session", apidoc.Boolean("")),
			query("in_use", "only SIMs with (true) or without (false) an order in use", apidoc.Boolean("")),
			query("q", "digits: the start of an ICCID, IMSI or MSISDN", apidoc.String(""))),
		about: "ICCID order. With `q`, the SIMs whose ICCID starts with it come first (ICCID order), then those whose IMSI does (IMSI order), " +
			"then those whose MSISDN does (MSISDN order); each SIM once." + listAbout,
		reply: `{"items":[` + exampleSIM + `],"next":"WyIwIiwiODk4NTIwMjIwMTgwNDE4MDAxOTIiLCI4OTg1MjAyMjAxODA0MTgwMDE5MiJd"}`},
	"GET /admin/v1/sims/{iccid}": {status: http.StatusOK, answer: operator.SIMDetail{}, errors: []opencube.Kind{opencube.KindDeviceNotFound},
		about: "The SIM, its order in use or suspended (`order`, null when none), its latest 10 orders, its open data sessions, its data use on each of the last 31 UTC+8 days with any, its last short message, " +
			"and its standing in the subscriber register (`provisioning`: pending, provisioned or failed with the register's answer in `last_error`; null when never provisioned or provisioning is off).",
		path: sim,
		reply: `{"sim":` + exampleSIM + `,"order":` + exampleOrder + `,"recent_orders":[` + exampleOrder + `],"sessions":[],"usage":[{"period":20250101,"bytes":1048576}],"last_sms":null,` +
			`"provisioning":{"state":"provisioned","imsi":"454000180192","attempts":0,"updated_at":"2025-01-01T02:00:01Z"}}`},
	"GET /admin/v1/orders": {status: http.StatusOK, answer: operator.List[*opencube.Order]{},
		query: listParams(query("enterprise", "only this enterprise's orders", apidoc.String("")),
			query("iccid", "only this SIM's orders", apidoc.String("")),
			query("status", "only orders in this state: 1 not enabled, 2 in use, 3 suspended, 4 expired, 5 ended, 6 cancelled", apidoc.Integer("").Values(1, 2, 3, 4, 5, 6)),
			query("plan", "only orders of this plan code", apidoc.String("")),
			query("from", "ordered at or after, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"}),
			query("to", "ordered before, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"})),
		about: "Newest first (order time, then id)." + listAbout,
		reply: `{"items":[` + exampleOrder + `],"next":null}`},
	"GET /admin/v1/orders/{id}": {status: http.StatusOK, answer: operator.OrderDetail{}, errors: []opencube.Kind{opencube.KindOrderNotFound},
		about: "The order and the events it caused, oldest first.", path: map[string]string{"id": "ORDER_14279787781881856"},
		reply: `{"order":` + exampleOrder + `,"events":[{"id":"5b0c2f7e-3d1a-4c8b-9e6f-7a2d1c0b9e8f","enterprise":"P000270","type":"1005","order_id":"ORDER_14279787781881856","iccid":"89852022018041800192","order_status":2,"created_at":"2025-01-01T02:00:00Z","seq":2}]}`},
	"GET /admin/v1/plans": {status: http.StatusOK, answer: operator.List[*opencube.Plan]{},
		query: listParams(query("enterprise", "only the plans granted to this enterprise", apidoc.String("")),
			query("status", "only plans in this state", apidoc.String("").Values("active", "retired"))),
		about: "Code order. An enterprise user sees the plans granted to its enterprise only." + listAbout,
		reply: `{"items":[` + examplePlan + `],"next":null}`},
	"GET /admin/v1/plans/{code}": {status: http.StatusOK, answer: operator.PlanDetail{}, errors: []opencube.Kind{opencube.KindPlanNotOrderable},
		about: "The plan and the enterprises it is granted to (which may order it). An enterprise user sees a plan granted to it only, without the enterprises.",
		path:  map[string]string{"code": "DP1"}, reply: `{"plan":` + examplePlan + `,"enterprises":["P000270"]}`},
	"GET /admin/v1/usage": {status: http.StatusOK, answer: operator.UsageSeries{},
		query: []apidoc.Param{query("iccid", "a SIM's usage", apidoc.String("")),
			query("enterprise", "the usage of an enterprise's SIMs together (iccid or enterprise is required)", apidoc.String("")),
			query("granularity", "a point a UTC+8 day (the default) or month (yyyymm)", apidoc.String("").Values("day", "month")),
			query("from", "the first UTC+8 day, yyyymmdd (default: 30 days before to)", apidoc.Integer("")),
			query("to", "the last UTC+8 day, yyyymmdd (default: today)", apidoc.Integer(""))},
		about: "For charts: one point a period with any data, oldest first; a range is at most 3700 days.",
		reply: `{"granularity":"day","from":20250101,"to":20250131,"points":[{"period":20250101,"bytes":1048576},{"period":20250103,"bytes":52428800}]}`},
	"GET /admin/v1/sessions": {status: http.StatusOK, answer: operator.List[*opencube.DataSession]{},
		query: listParams(query("enterprise", "only this enterprise's sessions", apidoc.String("")),
			query("iccid", "only this SIM's sessions", apidoc.String(""))),
		about: "Open RADIUS data sessions, newest started first." + listAbout,
		reply: `{"items":[{"nas":"10.0.0.1","session_id":"5a1f","iccid":"89852022018041800192","imsi":"454000180192","enterprise":"P000270","started_at":"2025-01-01T02:00:00Z","last_at":"2025-01-01T02:05:00Z","input_bytes":1024,"output_bytes":4096,"state":0}],"next":null}`},
	"GET /admin/v1/sms": {status: http.StatusOK, answer: operator.List[*opencube.SMS]{},
		query: listParams(query("enterprise", "only this enterprise's messages", apidoc.String("")),
			query("iccid", "only this SIM's messages", apidoc.String("")),
			query("direction", "mt (to the device) or mo (from it)", apidoc.String("").Values("mt", "mo")),
			query("state", "only messages in this state", apidoc.String("").Values("queued", "sent", "delivered", "failed", "expired")),
			query("from", "created at or after, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"}),
			query("to", "created before, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"})),
		about: "Newest first: the filters of CSSS `querySms`, for any enterprise." + listAbout,
		reply: `{"items":[],"next":null}`},
	"GET /admin/v1/mall-orders": {status: http.StatusOK, answer: operator.List[*shop.MallOrder]{},
		query: listParams(query("enterprise", "only this enterprise's orders", apidoc.String("")),
			query("iccid", "only this SIM's orders", apidoc.String("")),
			query("status", "paid (it became an order of the SIM), pending (no verified payment yet), failed (the provider said the payment failed)", apidoc.String("").Values("paid", "pending", "failed")),
			query("from", "created at or after, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"}),
			query("to", "created before, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"})),
		about: "Mall purchases, newest first: each with its payment (`pay_id`, `pay_provider`: stripe or partner), `order_id` the SIM order a paid one became, " +
			"and its auto-renewal (`subscription_id`, `renewals` paid by renewal invoices, `renewal_stopped`). An enterprise user sees its own." + listAbout,
		reply: `{"items":[` + exampleMallOrder + `],"next":null}`},
	"GET /admin/v1/enterprises/{code}/mall-orders/{no}": {status: http.StatusOK, answer: operator.MallOrderDetail{}, errors: []opencube.Kind{opencube.KindOrderNotFound},
		about: "A Mall order (by its enterprise and `orderNo`) and `order`, the order of the SIM it became when paid (null while unpaid), as CSSS `queryOrder` shows it.",
		path:  map[string]string{"code": "P000270", "no": "MALL-20250101-0001"},
		reply: `{"mall_order":` + exampleMallOrder + `,"order":` + exampleOrder + `}`},
	"GET /admin/v1/esim-orders": {status: http.StatusOK, answer: operator.List[*shop.ESIMOrder]{},
		query: listParams(query("enterprise", "only this enterprise's orders", apidoc.String("")),
			query("iccid", "only the orders of this eSIM profile", apidoc.String("")),
			query("status", "waiting (pre-ordered, not paid), paid, failed (the payment failed), cancelled (not paid in time)", apidoc.String("").Values("waiting", "paid", "failed", "cancelled")),
			query("from", "created at or after, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"}),
			query("to", "created before, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"})),
		about: "eSIM QR Mall orders, newest first: the profile (`iccid`) each reserved or topped up, its status (0 waiting, 1 paid, 2 failed, 3 cancelled), " +
			"the payment that settled it (`payment_provider`: stripe, or sandbox for the partner's signed payment webhook) and `sim_order_id`, the order of the core plan " +
			"it made (or renewed) on the SIM the sold profile became. An enterprise user sees its own." + listAbout,
		reply: `{"items":[` + exampleESIMOrder + `],"next":null}`},
	"GET /admin/v1/esim-orders/{id}": {status: http.StatusOK, answer: operator.ESIMOrderDetail{}, errors: []opencube.Kind{opencube.KindOrderNotFound},
		about: "An eSIM order, its profile (null when it reserved none) and `is_sim`: the profile's ICCID is a SIM of the enterprise (it is once paid); " +
			"`order.sim_order_id` is that SIM's order. Another enterprise's order is not found for an enterprise user.",
		path:  map[string]string{"id": "ESIM14279787781881860"},
		reply: `{"order":` + exampleESIMOrder + `,"profile":` + exampleProfile + `,"is_sim":true}`},
	"GET /admin/v1/payments": {status: http.StatusOK, answer: operator.List[*operator.Payment]{},
		query: listParams(query("enterprise", "only this enterprise's payments", apidoc.String("")),
			query("iccid", "only the payments of this SIM's (or eSIM profile's) orders", apidoc.String("")),
			query("shop", "only the payments of one shop", apidoc.String("").Values("mall", "esim")),
			query("status", "succeeded or failed (a provider's verified report said so), pending (none yet)", apidoc.String("").Values("succeeded", "failed", "pending")),
			query("from", "order created at or after, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"}),
			query("to", "order created before, RFC 3339", &apidoc.Schema{Type: apidoc.Types{"string"}, Format: "date-time"})),
		about: "The payments of both shops, newest order first: a Mall order that names a payment (`pay_id`, such as the Stripe payment intent it is to be paid with) " +
			"or was reported paid, and an eSIM order a provider reported on. `status` is what the provider's verified report said: a Stripe event whose `Stripe-Signature` " +
			"verified (`provider` stripe), a Mall partner's signed order sync (partner) or an eSIM partner's signed payment webhook (sandbox); a forged or unsigned report " +
			"changes nothing, so a payment stays pending until a verified one comes. `renewals` counts a Mall order's renewal invoices paid. An enterprise user sees its own." + listAbout,
		reply: `{"items":[{"shop":"mall","enterprise":"P000270","order_no":"MALL-20250101-0001","iccid":"89852022018041800192","provider":"stripe","reference":"pi_3QhX2bEx4mple","amount_minor":1000,"currency":"CNY","status":"succeeded","renewals":2,"sim_order_id":"ORDER_14279787781881856","created_at":"2025-01-01T02:00:00Z","updated_at":"2025-03-01T02:00:00Z"}],"next":null}`},
	"GET /admin/v1/bundle-groups": {status: http.StatusOK, answer: operator.List[*shop.BundleGroup]{},
		query: listParams(query("enterprise", "only this enterprise's groups", apidoc.String(""))),
		about: "Mall bundle groups, enterprise then group id order, each with its base plan and how many SIMs it holds. An enterprise user sees its own." + listAbout,
		reply: `{"items":[` + exampleGroup + `],"next":null}`},
	"GET /admin/v1/enterprises/{code}/bundle-groups/{id}": {status: http.StatusOK, answer: operator.GroupDetail{}, errors: []opencube.Kind{opencube.KindNotFound},
		about: "A bundle group and its SIMs, ICCID order.",
		path:  map[string]string{"code": "P000270", "id": "fleet-1"},
		reply: `{"group":` + exampleGroup + `,"sims":[{"iccid":"89852022018041800192","added_at":"2025-01-01T02:00:00Z"}]}`},
	"GET /admin/v1/hlr": {status: http.StatusOK, answer: operator.HLRStatus{},
		about: "The provisioning of the subscriber register (`--hlr`): the adapter (`register`, empty when provisioning is off), how many SIMs have a change waiting to reach it " +
			"(`pending`: the register may be down, the change retries) or were refused by it (`failed`: the SIM's `provisioning.last_error` holds its answer), and the last reconciliation's report. Operators and support only.",
		reply: `{"register":"osmo","pending":0,"failed":0,"last_reconciliation":` + exampleHLRReport + `}`},
	"POST /admin/v1/hlr/reconcile": {status: http.StatusOK, answer: operator.HLRReport{}, errors: []opencube.Kind{opencube.KindConflict},
		about: "Compares every SIM with the register's subscribers and repairs the drift: a missing subscriber is created, an access or MSISDN set by hand is set back, " +
			"a terminated SIM's subscriber is deleted; subscribers no SIM has are reported, left alone. An unreachable register stops the run: `error` says so. " +
			"The same runs on a schedule (`--hlr-reconcile`). Written to the audit trail. 409 conflict when provisioning is off. Operators only.",
		reply: exampleHLRReport},
	"POST /admin/v1/master-keys/rotate": {status: http.StatusOK, answer: seal.Rotation{},
		about: "The stored secrets (enterprise and webhook secrets, Cube v4 notification keys, SIM authentication data) are sealed under a data key, itself sealed under " +
			"the master keys the servers are given (`--master-key-file`, `OPENCUBE_MASTER_KEY`). This re-seals the data keys under the first key of this server's list, keeps " +
			"their sealings under its other keys (nodes still given only those open the database) and drops those under keys it does not list. No sealed value changes: " +
			"the nodes serve on. Give every node the new key first, then rotate, then drop the old key from the lists and rotate again (docs/secrets.md). " +
			"Written to the audit trail. Operators only.",
		reply: `{"master":"9f2c4e1a7b3d5c60","data_keys":1,"kept":["1d0a6b3c9e8f7a25"],"dropped":[]}`},
	"GET /admin/v1/jobs": {status: http.StatusOK, answer: operator.List[*operator.JobView]{},
		query: listParams(query("kind", "only jobs of this kind (order.expire, notify.deliver...)", apidoc.String("")),
			query("state", "running (leased), failed (its last attempt failed), due (its time came), waiting", apidoc.String("").Values("due", "running", "failed", "waiting"))),
		about: "Background jobs, earliest run time first, each in one state: running, else failed, else due, else waiting. Operators and support only." + listAbout,
		reply: `{"items":[{"id":"JOB_1","kind":"order.expire","key":"ORDER_14279787781881856","run_at":"2025-01-31T16:00:00Z","attempts":0,"state":"waiting"}],"next":null}`},
}

// listAbout is what every list says of its paging.
const listAbout = " A page holds `limit` items (1-500, 50 by default); `next` is the cursor of the next page (null at the end), sent back as `cursor`. " +
	"`count=1` adds `total`, counted up to 10,000 (`capped` beyond). `as_of` is the time the page is current to: the answer's own time, or, " +
	"when the server reads its lists from a PostgreSQL read replica (`--db-read-url`), the commit time of the last change the replica had applied. " +
	"An unknown query parameter answers 400 naming it."

// listParams are a list's own query parameters and the paging ones.
func listParams(own ...apidoc.Param) []apidoc.Param {
	return append(own,
		query("limit", "items a page, 1-500 (50)", apidoc.Integer("")),
		query("cursor", "the next of the page before", apidoc.String("")),
		query("count", "1 to count the items (up to 10,000)", apidoc.Boolean("")))
}

var glossary = apidoc.Glossary{
	"access_code":          {About: "the enterprise's access code"},
	"secret":               {About: "a signing secret; shown once when made, never after"},
	"secrets":              {About: "how many secrets verify its requests (1 or 2)"},
	"plan_code":            {About: "the plan's code"},
	"package_type":         {About: "0 unlimited daily, 1 daily, 2 monthly, 3 quarterly, 4 half-yearly, 5 yearly", Enum: []any{0, 1, 2, 3, 4, 5}},
	"volume_mb":            {About: "volume in MB (1 MB = 1,048,576 bytes), a decimal; or give volume_bytes"},
	"volume_bytes":         {About: "volume in bytes"},
	"price":                {About: "price of one period, a decimal with at most two places"},
	"price_minor":          {About: "price of one period in minor units"},
	"currency":             {About: "ISO 4217 currency"},
	"ota":                  {About: "an OTA SIM or plan"},
	"throttle_kbps":        {About: "speed once an unlimited daily plan's high-speed volume is used, kbit/s"},
	"countries":            {About: "ISO 3166 codes of the countries covered"},
	"add_on":               {About: "an add-on plan: extra volume for the rest of a basic order's period (Cube v4 bundle_type 11), never ordered alone"},
	"allow_add_on":         {About: "the orders of this basic plan take add-ons"},
	"iccid":                {About: "the SIM's ICCID (18-22 digits)"},
	"imsi":                 {About: "the IMSI (6-15 digits)"},
	"msisdn":               {About: "the number (5-15 digits)"},
	"enterprise":           {About: "the owning enterprise's access code"},
	"source":               {About: "the address the change came from (the client's, behind a trusted proxy)"},
	"status":               {About: "the state"},
	"periods":              {About: "how many periods: ordered, added by a renewal, or taken off by a reduction (renewals first)"},
	"plan":                 {About: "the plan's code"},
	"open":                 {About: "enable the order at once (is_open=1)"},
	"days":                 {About: "an OTA order's days"},
	"timing_type":          {About: "when an OTA order's validity starts: 1 first attach, 2 order time"},
	"mcc":                  {About: "the MCC an OTA order is for"},
	"iccids":               {About: "the SIMs' ICCIDs: 1-1000, each once"},
	"action":               {About: "activate, suspend, terminate, or move (to enterprise)"},
	"results":              {About: "a result a SIM, in the order of the request"},
	"ok":                   {About: "the change was made"},
	"error":                {About: "why it was not: its kind and message"},
	"added_at":             {About: "when the secret was added"},
	"state":                {About: "the state"},
	"smdp_address":         {About: "the SM-DP+ server's address"},
	"matching_id":          {About: "the profile's matching ID"},
	"confirmation_code":    {About: "the code the phone asks for, when the profile has one"},
	"mccs":                 {About: "MCCs of the countries covered, 3 digits each"},
	"region":               {About: "a plan of several countries"},
	"continent":            {About: "AF, AS, EU, NA, OC or SA"},
	"hot":                  {About: "listed among the hot plans"},
	"period_days":          {About: "days of one period"},
	"starts":               {About: "when that order starts: payment (the default) or attach (the SIM's first data session)"},
	"logo":                 {About: "the URL of the plan's picture"},
	"min_periods":          {About: "the fewest periods one order buys (0: 1)"},
	"max_periods":          {About: "the most periods one order buys (0: 12)"},
	"apn":                  {About: "the access point the phone must be set to, when the profile does not set it"},
	"sale_count":           {About: "how many paid orders bought the plan"},
	"sim_order_id":         {About: "the order of the core plan the paid eSIM order made or renewed on the SIM"},
	"prices":               {About: "its price in each currency"},
	"amount_minor":         {About: "the price in minor units"},
	"url":                  {About: "the endpoint the events are POSTed to"},
	"events":               {About: "the event types sent; empty for all"},
	"grace_seconds":        {About: "how long the old secret signs too; 86400 when left out"},
	"since":                {About: "from this time, RFC 3339"},
	"until":                {About: "up to this time, RFC 3339; now when left out"},
	"percents":             {About: "usage percentages that fire a flow_alert, 1-100 each"},
	"days_before_expiry":   {About: "days before an order's end that fire a flow_alert, 0-366 (0: none)"},
	"seconds":              {About: "how far to move the clock, in seconds (at most ten years)"},
	"content":              {About: "the message: text, or hex octets with data_coding 1"},
	"data_coding":          {About: "0 text, 1 binary (content in hex)", Enum: []any{0, 1}},
	"down":                 {About: "hand-overs to the device fail"},
	"fail_deliveries":      {About: "the device reports messages as failed"},
	"now":                  {About: "the server's business time"},
	"offset_seconds":       {About: "how far the sandbox clock runs ahead of real time"},
	"master":               {About: "the check value of the master key the data keys are now sealed under (16 hex digits: it names the key, never reveals it)"},
	"data_keys":            {About: "how many data keys were re-sealed"},
	"kept":                 {About: "check values of the other listed master keys, under which the data keys stay sealed too"},
	"dropped":              {About: "check values of master keys no longer listed, whose sealings were removed"},
	"ran":                  {About: "background jobs the advance ran"},
	"imported":             {About: "how many were imported"},
	"redelivered":          {About: "how many events were sent again"},
	"kind":                 {About: "what went wrong: a kind of the table above"},
	"created_at":           {About: "when it was made"},
	"updated_at":           {About: "when it last changed"},
	"ordered_at":           {About: "when the order was placed"},
	"started_at":           {About: "when the order started; absent until then"},
	"expires_at":           {About: "when it ends"},
	"ended_at":             {About: "when the order ended early"},
	"delivered_at":         {About: "when it was delivered"},
	"used_bytes":           {About: "bytes used"},
	"order_id":             {About: "the order's id"},
	"order_code":           {About: "the order's communication code"},
	"order_period":         {About: "periods ordered"},
	"renew_period":         {About: "periods added by renewals"},
	"buy_type":             {About: "1 test, 2 normal, 3 renewed"},
	"pay_amount_minor":     {About: "the amount paid, in minor units"},
	"sms_id":               {About: "the message's id"},
	"direction":            {About: "mt (to the SIM) or mo (from it)"},
	"encoding":             {About: "gsm7, ucs2 or binary"},
	"segments":             {About: "segments of the message"},
	"attempts":             {About: "the delivery attempts, or the gateway hand-overs of a message"},
	"detail":               {About: "the event delivered"},
	"event":                {About: "the event's type"},
	"consecutive_failures": {About: "attempts failed in a row; 5 or more shows the endpoint as failing"},
	"failing":              {About: "the endpoint failed 5 times in a row (it still gets every delivery)"},
	"old_secret_until":     {About: "the previous secret signs too until then"},
	"field":                {About: "the request field at fault, when one is"},
}

// pathParam is the schema of a path parameter, with its example.
func pathParam(name, example string) apidoc.Param {
	s := apidoc.String("")
	about := map[string]string{"code": "the enterprise's access code (a plan's code under /plans)", "iccid": "the SIM's ICCID (an MSISDN for mo)",
		"id": "the order's or the delivery's id; a secret's id under /secrets", "move": "the move", "plan": "the plan's code"}[name]
	if name == "move" {
		s.Values(string(opencube.SIMActivate), string(opencube.SIMSuspend), string(opencube.SIMTerminate))
	}
	if example != "" {
		s.Examples = []any{example}
	}
	return apidoc.Param{Name: name, In: "path", Required: true, About: about, Schema: s}
}

// errorSchema is the schema of an error answer.
func errorSchema(kinds []opencube.Kind) *apidoc.Schema {
	var ks []any
	for _, k := range kinds {
		ks = append(ks, string(k))
	}
	body := apidoc.Object("").Prop("kind", apidoc.String("").Values(ks...), true).
		Prop("field", apidoc.String(""), false).Prop("message", apidoc.String("an English explanation; a value out of range states the range (D26)"), true)
	return apidoc.Object("").Prop("error", body, true).Describe(glossary)
}

// commonKinds are the error kinds any route may answer.
var commonKinds = []opencube.Kind{opencube.KindInvalid, KindUnauthorized, KindDisabled, KindTooLarge, opencube.KindInternal}

// kindAbout says when each kind is answered.
var kindAbout = map[opencube.Kind]string{
	opencube.KindInvalid:          "a field is missing, unknown or out of range; field names it",
	KindUnauthorized:              "no bearer token, or a wrong, revoked or disabled user's one",
	KindDisabled:                  "the server runs without --admin-token and has no user",
	KindForbidden:                 "the user's role may not do this: a support user's change, an enterprise user's operator route",
	KindNoRoute:                   "no such endpoint, or one this server does not serve (no eSIM QR Mall, not in sandbox mode)",
	KindTooLarge:                  "the body is over the route's limit (4 MiB, 64 MiB for imports)",
	KindMediaType:                 "a Content-Type the route does not take",
	opencube.KindUnauthenticated:  "the enterprise does not exist",
	opencube.KindNotFound:         "the object does not exist",
	opencube.KindDeviceNotFound:   "the SIM does not exist",
	opencube.KindPlanNotOrderable: "the plan does not exist",
	opencube.KindOrderNotFound:    "the order does not exist, or the SIM has no order in use",
	opencube.KindConflict:         "it exists already, or its state does not allow the change",
	opencube.KindSIMState:         "the SIM's state does not allow the move",
	opencube.KindOrderState:       "the order's state does not allow the change",
	opencube.KindOTA:              "the SIM is not an OTA SIM",
	opencube.KindInternal:         "the server failed",
}

const intro = "The operator's API, under `/admin/v1/`, for `opencube admin`, the console and the operator's own tools. Every request carries " +
	"`Authorization: Bearer <token>`: a user's API token (`POST /admin/v1/users` answers the first, shown once), or the bootstrap token the server " +
	"was started with (`--admin-token` or `OPENCUBE_ADMIN_TOKEN`), which acts as an operator. The API is on when the server has a bootstrap token or a " +
	"user exists (`opencube admin user create --db` makes the first without a server); otherwise it answers 403.\n\n" +
	"A user's role decides what it may do: `operator` everything; `support` every read and no change (a change answers 403 `forbidden`); " +
	"`enterprise` the SIMs, orders, SMS, webhook endpoint, alerts, secrets and users of its own enterprise, and the plans granted to it " +
	"(another enterprise's object answers 404, as a missing one; an operator-only route 403). Each route says who may call it. " +
	"Every change is written to the audit trail (`GET /admin/v1/audit`) in its own transaction: who, when, which route and object, the request id " +
	"and a summary of the body with its secrets masked.\n\n" +
	"Lists answer `{\"items\": [...], \"next\": \"<cursor>\"|null}`: pass `next` as `cursor` for the following page; `limit` is 1-500 (default 50); " +
	"`count=1` adds `total`, counted up to 10,000 (`capped` beyond); `as_of` says how current the page is (the time of the answer, or the replay " +
	"time of the read replica the page came from, see [scaling](scaling.md)). An unknown query parameter, a bad cursor or a limit out of range answers 400 " +
	"naming the parameter.\n\n" +
	"Bodies are JSON objects (a SIM import may be CSV) whose unknown members are refused; answers are JSON with the usual HTTP statuses. " +
	"Times are RFC 3339 in UTC, money integer minor units, volumes bytes.\n\n" +
	"An error answers its HTTP status with `{\"error\": {\"kind\", \"field\", \"message\"}}`: `kind` is one of the table below, `field` names the request " +
	"field at fault, and `message` says why in English, stating the range of a number out of it (D26).\n\n" +
	"**Lists.** `GET /admin/v1/enterprises`, `sims`, `orders`, `plans`, `sessions`, `sms` and `jobs` answer a page, " +
	"`{\"items\": [...], \"next\": \"<cursor>\"|null}`, in the order each names (keyset pages on indexed columns, so a page costs " +
	"the same at the end of a million SIMs as at the start). `limit` is 1-500 (50 by default); send `next` back as `cursor` for the " +
	"next page, with the same filters; `count=1` adds `total`, counted up to 10,000 (`capped` beyond). An unknown query parameter, a " +
	"bad value or a cursor the list did not give answers 400 naming the parameter. The detail routes (`/sims/{iccid}`, " +
	"`/orders/{id}`, `/plans/{code}`, `/enterprises/{code}`) gather what a page about the object shows."

// Reference returns the reference of the admin API: every route of the
// route table with its body, answer, error kinds and example.
func Reference() *apidoc.Protocol {
	p := &apidoc.Protocol{
		Tag: "Admin", Title: "Admin API", File: "admin",
		Summary: "The operator's API: enterprises and their secrets, the plan catalog, SIM inventory and corrections, the eSIM catalog and profiles, webhooks and deliveries, usage alerts, billing (prices, top-ups, balances, statements, the usage export), the sandbox clock and SMS device.",
		Intro:   intro,
		Security: map[string]any{"adminToken": map[string]any{"type": "http", "scheme": "bearer",
			"description": "a user's API token, or the server's --admin-token"}},
	}
	for _, k := range commonKinds {
		p.CommonErrors = append(p.CommonErrors, string(k))
	}
	kinds := []opencube.Kind{opencube.KindInvalid, KindUnauthorized, KindDisabled, KindForbidden, KindNoRoute, KindTooLarge, KindMediaType,
		opencube.KindUnauthenticated, opencube.KindNotFound, opencube.KindDeviceNotFound, opencube.KindPlanNotOrderable,
		opencube.KindOrderNotFound, opencube.KindConflict, opencube.KindSIMState, opencube.KindOrderState, opencube.KindOTA, opencube.KindInternal}
	for _, k := range kinds {
		p.Codes = append(p.Codes, apidoc.Code{Code: string(k), HTTP: HTTPStatus(k), About: kindAbout[k]})
	}
	for i := range Routes {
		rt := &Routes[i]
		doc := routeDocs[rt.Pattern]
		method, path, _ := strings.Cut(rt.Pattern, " ")
		r := apidoc.Route{Method: method, Path: path, Summary: rt.Summary, Description: joinText(doc.about, rt.Who()), Security: "adminToken", Params: slices.Clone(doc.query)}
		var inPath []apidoc.Param
		for _, seg := range strings.Split(path, "/") {
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				name = strings.TrimSuffix(name, "}")
				inPath = append(inPath, pathParam(name, doc.path[name]))
			}
		}
		r.Params = append(inPath, r.Params...)
		switch {
		case doc.bodyType != "":
			r.Body, r.BodyType = apidoc.String("CSV text"), doc.bodyType
		case rt.Request != nil:
			r.Body = requestSchema(rt.Request, doc.required)
			r.BodyOptional = rt.Pattern == "POST /admin/v1/enterprises/{code}/webhook/rotate"
			if rt.Pattern == "POST /admin/v1/sims" {
				r.BodyType = "application/json"
				r.Description += " (The CSV form is `text/csv`.)"
			}
		}
		for _, k := range doc.errors {
			r.Errors = append(r.Errors, string(k))
		}
		r.Errors = append(r.Errors, p.CommonErrors...)
		ok := apidoc.Response{Status: doc.status, About: http.StatusText(doc.status), Type: doc.answerType}
		if doc.answerType != "" {
			ok.Schema = apidoc.String(doc.answerType + " text")
		}
		if doc.answer != nil {
			ok.Schema = apidoc.Reflect(doc.answer).Describe(glossary)
			ok.Schema.Title = listTitle(ok.Schema.Title)
		}
		r.Responses = []apidoc.Response{ok}
		if rt.Pattern == "PUT /admin/v1/enterprises/{code}/webhook" {
			r.Responses = append(r.Responses, apidoc.Response{Status: http.StatusCreated, About: "a new endpoint, with its secret", Schema: ok.Schema})
		}
		r.Responses = append(r.Responses, apidoc.Response{Status: 0, About: "an error: its kind's HTTP status", Schema: errorSchema(kindsOf(r.Errors))})
		r.Errors = doc.errorsText()
		r.Example = &apidoc.Example{Request: doc.example, Status: doc.status, Answer: doc.reply,
			Header: map[string]string{"Authorization": "Bearer T"}}
		if doc.status == http.StatusOK && rt.Pattern == "PUT /admin/v1/enterprises/{code}/webhook" {
			r.Example.Status = http.StatusCreated
		}
		p.Routes = append(p.Routes, r)
	}
	return p
}

// errorsText are the route's own error kinds, as codes.
func (d routeDoc) errorsText() []string {
	var out []string
	for _, k := range d.errors {
		out = append(out, string(k))
	}
	return out
}

func kindsOf(codes []string) []opencube.Kind {
	var out []opencube.Kind
	for _, c := range codes {
		out = append(out, opencube.Kind(c))
	}
	return out
}

// requestSchema is the schema of a request body of req's type: its json
// members, none beyond them, required as listed (the json tags' when
// required is nil).
func requestSchema(req any, required []string) *apidoc.Schema {
	s := apidoc.Reflect(req)
	obj := s
	if s.Items != nil {
		obj = s.Items
		one := 1
		s.MinItems = &one
	}
	obj.AdditionalProperties = false
	if required != nil {
		obj.Required = slices.Clone(required)
	}
	// Members the server fills in itself are not sent.
	obj.Drop("created_at")
	// JSON null reads as an empty list.
	for _, p := range obj.Properties {
		if len(p.Type) == 1 && p.Type[0] == "array" {
			p.Nullable()
		}
	}
	return s.Describe(glossary)
}

// joinText joins two sentences of a description.
func joinText(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// Who says which users may call the route, for the reference.
func (rt *Route) Who() string {
	reads := strings.HasPrefix(rt.Pattern, "GET ")
	switch {
	case rt.Scope == ScopeOperator && reads:
		return "Who: operator and support users."
	case rt.Scope == ScopeOperator:
		return "Who: operator users."
	case reads:
		return "Who: every user; an enterprise user only for its own enterprise's objects."
	}
	return "Who: operator users, and enterprise users for their own enterprise's objects."
}
