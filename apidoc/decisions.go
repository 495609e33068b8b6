package apidoc

import (
	"bytes"
	"fmt"
	"strings"
)

// Decision is one numbered rule of how opencube behaves where the public
// documentation of its protocols says nothing, or leaves a choice. Code
// comments cite them by number ("D5").
type Decision struct {
	// ID is "D1" to "D28".
	ID string
	// Title names the topic.
	Title string
	// Text states the rule, in Markdown.
	Text string
}

// Decisions are opencube's decisions, in order. A number is never reused:
// a decision that changes keeps its number and says what it is now.
var Decisions = []Decision{
	{"D1", "Where the routes are", "A CSSS endpoint takes `POST` with a JSON body only, and is mounted twice: at its own path (`/package/orderPackage`) and under `/cube/v4` (`/cube/v4/package/orderPackage`), the prefix of the vendor's test host. " +
		"Endpoints whose path the public pages never show got names of the same style (`/sms/sendSms`, `/sms/querySms`, `/flow/getInfoByDeviceId`...)."},
	{"D2", "HTTP status and envelope", "Every outcome of a known route, success or failure, a bad signature or a body that is not JSON (`1001`) included, is HTTP 200 with `{code, data, message, success}`. " +
		"A path no route serves answers HTTP 404, and a method other than `POST` HTTP 405, each with the envelope and code `1007`."},
	{"D3", "Signing", "The sign is computed over a canonical form of the body: `sign` removed from the top level; members whose value is null, an empty string, an empty array or an empty object removed at every depth " +
		"(inner objects first, so an object emptied by this goes too; objects inside arrays are cleaned, array elements are kept); object keys sorted by their UTF-8 bytes at every depth; compact JSON with raw UTF-8, " +
		"only `\"`, `\\` and control characters escaped (`/`, `<`, `>`, `&`, U+2028 and U+2029 stay raw); numbers written as they were sent. Then HMAC-SHA1 with the enterprise secret, in standard Base64. " +
		"The server also accepts a sign over two variants of that form (non-ASCII characters as lowercase `\\uXXXX`; every scalar as a string), compares in constant time, and checks the sign against each of the enterprise's " +
		"secrets: two are active during a rotation. [signing.md](signing.md) has the recipe and tested programs."},
	{"D4", "Timestamps", "`timestamp` is epoch seconds when it has fewer than 13 digits, milliseconds otherwise. It must lie within 600 seconds of the server's clock either way (`--timestamp-window`), else `1003`. The Mall's `tradeTime` follows the same rule."},
	{"D5", "Replays and retries", "Once its sign is verified, a request is remembered by its enterprise, path and sign for the timestamp window. The same request again is not executed: it gets the first answer, byte for byte, in the first answer's language. " +
		"The same body on another path is another request (the sign does not cover the path; but see D25), so clients should use millisecond timestamps. " +
		"An `Idempotency-Key` header adds a guarantee for 24 hours: a retry with the key gets the first answer even when it was signed anew with a fresh timestamp, and the key with another body or path answers `1008`."},
	{"D6", "Codes", "The codes are the documented ones and four more: `1007` unknown path or wrong method, `1008` idempotency key used for another request, `2007` the SIM's state does not allow the operation, `2008` quota or balance insufficient. " +
		"Each code and its two messages are one row of one table (see the protocol pages); the Mall uses the same codes."},
	{"D7", "Language", "An `Accept-Language` header whose first range starts with `en` gets English messages (`success`); any other header, or none, Chinese (`成功`). The language changes the message only, never the code."},
	{"D8", "The sign of an answer", "A successful answer's `data` carries `sign`: the HMAC-SHA1 of `data` without it, made as a request sign with the secret that verified the request. " +
		"It is `null` in the answers of orderPackage and createOtaOrder, and absent from batchOrderPackages' `data`, as the public examples show. A failure carries `data: null`."},
	{"D9", "Business time", "Business days and months are those of UTC+8, without daylight saving: day and month boundaries, the reset of daily plans, and the start and expiry dates of orders. Epoch fields (`timestamp`) are UTC."},
	{"D10", "Date formats", "orderPackage, batchOrderPackages, createOtaOrder and openOrder answer dates as `YYYYMMDD`; renewPackage and list items as `yyyy-MM-dd HH:mm:ss`, both in UTC+8. " +
		"A date that does not exist yet (an order not started) is `null` in an answer's field and `\"\"` in a list item."},
	{"D11", "How long an order lasts", "A plan's type sets the unit of its periods: types 0 and 1 a day, 2, 3, 4 and 5 one, three, six and twelve months. An order lasts as many units as its ordered periods plus every renewal, counted from its start day: " +
		"months are added to the start date, an end past the month's last day falling back on it (a start on 31 January plus one month is 28 or 29 February), and the last day is the day before; the order ends at 23:59:59 UTC+8 of its last day. " +
		"Renewal is allowed while the order is not enabled, in use or suspended (`2004` otherwise) and only adds periods; a suspension does not lengthen an order. createOtaOrder's `days` sets an OTA order's length in days, whatever the plan's type."},
	{"D12", "Order states", "An order's `order_status` is 1 not enabled, 2 in use, 3 suspended, 4 expired, 5 ended early or 6 cancelled. The moves are: 1 to 2 (enable), 1 to 6 (cancel), 2 to 3 (suspend), 3 to 2 (resume), 2 or 3 to 5 (end early) and 2 to 4 (expiry). " +
		"Any other move answers `2004`. Each move writes its notification event (`1000`-`1012`)."},
	{"D13", "One order in use", "A SIM has at most one order in use or suspended: enabling another (openOrder, or ordering with `is_open=1`) answers `2004`. Orders start only when enabled, with two exceptions: " +
		"an OTA order with `timing_type=1` starts on the SIM's first data session, and endOrder with `keep_alive=1` enables the SIM's oldest order not enabled yet."},
	{"D14", "Order ids", "An `order_id` is `ORDER_` and 17 digits, made from the time and the node's number (0-63), so that ids are unique across nodes and increase on each node."},
	{"D15", "Bulk orders", "batchOrderPackages orders for every SIM of the list or for none. When one SIM cannot take the order, nothing is written, the answer is `2006` with a message naming the first failing ICCID, and `data.device_order` lists the failing SIMs, each with its own code and message. " +
		"A fault of the plan itself (unknown, or its name or type differ) answers `2002` for the whole call. An item's `errorMsg` is English whatever the language; the envelope's `message` follows D7. " +
		"A list holds at most 1,000 SIMs (`--max-bulk`), and an ICCID twice answers `1001`."},
	{"D16", "Money", "Amounts are kept as integers of minor units and written with two decimals (`\"12.50\"`); no amount goes through a float."},
	{"D17", "Tenancy", "SIMs, orders, usage, messages and notifications belong to one enterprise each. Another enterprise's SIM or order is answered as a missing one (`2001`, `2003`), never as forbidden, so that nothing tells whether it exists."},
	{"D18", "Notifications", "Each order move, usage alert and SMS report is POSTed to the enterprise's webhook endpoint as JSON signed like a request with the enterprise secret, with the headers `x-lf-md5` (hex MD5 of the body), `x-lf-delivery` " +
		"(the event's id, the same on every retry) and the Standard Webhooks headers `webhook-id`, `webhook-timestamp` and `webhook-signature` (HMAC-SHA256 with the endpoint's own secret). Deliveries are at least once, retried with back-off."},
	{"D19", "Volumes", "Volumes are kept as integer bytes. CSSS shows them in MB (1,048,576 bytes) as decimal strings rounded half up to two decimals, trailing zeros dropped: `\"0\"`, `\"12.5\"`, `\"1024\"`."},
	{"D20", "Usage days", "Usage counts on the UTC+8 day and month in which it happened, not when its record arrived: an interim record spanning midnight is split between the two days by its timestamps."},
	{"D21", "Shop paths", "The Mall is served under `/vshop`, `/payment` and `/topup`, the eSIM QR Mall under `/fms`, each with its own envelope and signing; everything else is CSSS. " +
		"In sandbox mode the eSIM QR Mall's e-mail verification codes can be read at `GET /admin/v1/sandbox/verification-codes?email=...`, so that a purchase can be tested without a mailbox."},
	{"D22", "Shop credentials", "A shop's `partnerCode` is an enterprise's access code, with its secrets. A Mall request's sign is the D3 canonical form signed with HMAC-MD5 in lowercase hex (MD5 of the canonical form followed by the secret is accepted too). " +
		"The eSIM QR Mall's payment webhook is signed exactly as a CSSS request; its consumers authenticate with the `x-access-token` they get at login."},
	{"D23", "Order of the checks", "A CSSS request is checked in this order, the first failure answering: body is JSON (`1001`), `access_code` present and known (`1004`), `sign` (`1002`), `version` is `\"2.0\"` (`1005`), `timestamp` (`1003`), " +
		"then each field (`1001` naming the first bad one: missing, outside its values, `pay_amount` not a decimal with at most two places, a period not a positive integer, a page size outside 1-100), then the business rules. " +
		"`package_name` and `package_type` must be the plan's (`2002`); `pay_amount` is recorded, not compared with the price. An OTA plan cannot be ordered for a SIM that is not OTA (`2002`), and an OTA SIM's order must be placed with `is_open=0` (`2005`)."},
	{"D24", "queryOrder", "Filters narrow the list and never fail: an unknown `order_id`, or another enterprise's, gives `0000` and an empty list. Items come newest first (by order time, then id). " +
		"Each item carries `orderId` (the `ORDER_` id) beside the documented fields; `orderCode` is `L` and 18 digits. `package_order_num` counts the items on the page."},
	{"D25", "A sign is bound to its path", "Because the sign does not cover the path, a captured body could be replayed to another endpoint. So a request that changes state, in any protocol, whose sign the enterprise already used on another path within the window, " +
		"is refused with `1002` (\"the signature was already used for another request\") and changes nothing; the two mounts of D1 count as one path. Reads may share a sign. " +
		"A Mall request that changes state must carry its `tradeType`, which its sign covers."},
	{"D26", "Bounds", "Every number of every protocol has a range, checked before anything is written, and a refusal names the field (and, where messages are free text, the range). " +
		"`order_period`, `renew_period` and `days` are 1-1200; an order lasts at most 100 years from its start, a renewal past that answering `1001` naming `renew_period`; every stored date lies in years 2000-9999. " +
		"The README's Bounds table lists each range."},
	{"D27", "Sandbox time", "With `--sandbox` (or `--demo`) the admin API can move the server clock forward. The offset is a row of the database: every node shares it, it survives restarts and it only grows. " +
		"Business times (orders, messages, usage booking, shop orders, `query_time`, webhook `event_time`) follow it. What a remote party signs with its own clock is checked against the real clock: " +
		"CSSS `timestamp`, the Mall's `tradeTime`, `Stripe-Signature`; outgoing webhook headers carry the real time."},
	{"D28", "Retries after a crash", "The memory of D5 is written in the transaction of the change it answers, never before: a request cut short by a crash leaves nothing, and its retry runs it once, on any node. " +
		"A retry of a request whose change committed gets the recorded answer, byte for byte. A copy that arrives while the first is still running waits for it."},
}

// DecisionsMarkdown returns docs/decisions.md: every decision, numbered.
func DecisionsMarkdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\n# Decisions\n\n", strings.Replace(Generated, "the route tables", "apidoc.Decisions", 1))
	b.WriteString("How opencube behaves where the public documentation of its protocols is silent or leaves a choice. Code comments and the\n" +
		"reference pages cite them by number (D5); a decision keeps its number when it changes.\n\n")
	for _, d := range Decisions {
		fmt.Fprintf(&b, "## %s. %s\n\n%s\n\n", d.ID, d.Title, d.Text)
	}
	return append(bytes.TrimRight(b.Bytes(), "\n"), '\n')
}

// IndexMarkdown returns docs/README.md: what each page of docs/ holds.
func IndexMarkdown(ps []*Protocol) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\n# opencube documentation\n\n", Generated)
	b.WriteString("The reference of every protocol opencube speaks, generated from the route tables (`go generate ./docs`; a test fails when\n" +
		"these pages and the tables differ). A running server shows the same at `/docs/` and serves the OpenAPI document at `/openapi.json`.\n\n" +
		"| Page | What it holds |\n|---|---|\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "| [%s](%s.md) | %s |\n", p.Title, p.File, cell(p.Summary))
	}
	b.WriteString("| [Decisions](decisions.md) | how opencube behaves where the public documentation is silent, D1-D28 |\n" +
		"| [Signing](signing.md) | how to sign a CSSS request, with programs in Go, Python, Java and JavaScript |\n" +
		"| [openapi.json](openapi.json) | the OpenAPI 3.1 document of every route, one tag a protocol |\n" +
		"| [Scaling](scaling.md) | several nodes on one PostgreSQL, and what to change for CockroachDB or YugabyteDB |\n" +
		"| [Secrets at rest](secrets.md) | what the database keeps sealed, the master key, `opencube keygen`, rotation, sealing an older database |\n" +
		"| [Billing](billing.md) | prices, the ledger, prepaid and postpaid enterprises, statements and the usage export |\n" +
		"| [The shops](shops.md) | what the Mall and the eSIM QR Mall sold, as the operator sees it: orders, payments, bundle groups, where to list them, the payment metric |\n" +
		"| [Deployment](deployment.md) | the Debian package and its systemd unit, TLS or a reverse proxy, the admin address, backups |\n")
	return b.Bytes()
}
