package main

// adminCommand is one `opencube admin GROUP VERB` command.
type adminCommand struct {
	name     string // "GROUP VERB"
	synopsis string // its arguments
	help     string // what it does, when the synopsis does not say it all
	example  string // a command line that works against `serve --demo --admin-token T`
	run      func(c *adminCLI, args []string) error
}

// adminCommands is the table of admin commands, in usage order: every
// `opencube admin` command, in one place.
var adminCommands = []adminCommand{
	// Enterprises, SIM imports and plans (admin.go).
	{name: "enterprise create", synopsis: "--access-code C --secret S [--name N]",
		help:    "Creates an enterprise (a CSSS access code) with its first secret.",
		example: "opencube admin --admin-token T enterprise create --access-code P000999 --secret 'a-long-secret' --name 'Acme IoT'",
		run:     (*adminCLI).enterpriseCreate},
	{name: "enterprise show", synopsis: "C",
		help:    "Shows an enterprise: its name, how many secrets it holds (never the secrets) and when it was created.",
		example: "opencube admin --admin-token T enterprise show P000270",
		run:     (*adminCLI).enterpriseShow},
	{name: "enterprise rotate-secret", synopsis: "--access-code C --secret S",
		help:    "Adds a secret: the old and the new one both verify requests; a third drops the oldest.",
		example: "opencube admin --admin-token T enterprise rotate-secret --access-code P000270 --secret 'the-next-secret'",
		run:     (*adminCLI).enterpriseRotate},
	{name: "enterprise rate-limit", synopsis: "--access-code C --rate R --burst B | --access-code C --clear",
		help:    "Sets an enterprise's own request rate limit (requests a second, and the burst), over the server's --rate-limit; --clear goes back to the server's.",
		example: "opencube admin --admin-token T enterprise rate-limit --access-code P000270 --rate 50 --burst 100",
		run:     (*adminCLI).enterpriseRateLimit},
	{name: "sims import", synopsis: "[--file F]   (CSV with a header row: iccid,imsi,msisdn,ota,enterprise[,status])",
		help: "Imports SIMs from CSV (standard input without --file, or with -), all or nothing. The header row\n" +
			"names the columns, in any order: iccid, imsi and enterprise are required; msisdn; ota is 1/0,\n" +
			"true/false or yes/no (an OTA SIM orders OTA plans, through createOtaOrder; empty: 0); status is\n" +
			"inventory, active (the default), suspended or terminated.",
		example: "printf 'iccid,imsi,msisdn,ota,enterprise\\n89860000000000000001,460000000000001,8613800000001,0,P000270\\n' |\n" +
			"    opencube admin --admin-token T sims import",
		run: (*adminCLI).simsImport},
	{name: "plan create", synopsis: "--code C --name N --type T --volume 20MB|1GB|512KB|BYTES --price 10.00\n" +
		"                              [--currency CNY] [--ota] [--throttle-kbps K] [--countries CN,HK]",
		help:    "Adds a plan to the catalog; an enterprise may order it once granted (plan grant).",
		example: "opencube admin --admin-token T plan create --code DP1 --name '1GB month' --type monthly --volume 1GB --price 10.00",
		run:     (*adminCLI).planCreate},
	{name: "plan grant", synopsis: "--access-code C --plan P",
		help:    "Lets an enterprise order a plan.",
		example: "opencube admin --admin-token T plan grant --access-code P000270 --plan DP1",
		run:     (*adminCLI).planGrant},
	// eSIM profiles (esim_cli.go).
	{name: "esim import", synopsis: "--access-code C [--file F]   (CSV: iccid,smdp_address,matching_id[,confirmation_code])",
		help: "Imports an enterprise's eSIM profiles for the eSIM QR Mall from CSV (standard input without\n" +
			"--file), all or nothing; a header row is optional.",
		example: "printf 'iccid,smdp_address,matching_id\\n89445099000000009001,smdp.example.com,MATCH-9001\\n' |\n" +
			"    opencube admin --admin-token T esim import --access-code P000270",
		run: (*adminCLI).esimImport},
	{name: "esim profiles", synopsis: "--access-code C [--state available|reserved|sold|installed|deleted]",
		help:    "Lists an enterprise's eSIM profiles, in one state with --state.",
		example: "opencube admin --admin-token T esim profiles --access-code P000270 --state sold",
		run:     (*adminCLI).esimProfiles},
	{name: "esim mark", synopsis: "--access-code C --state installed|deleted ICCID",
		help:    "Records that a sold profile was installed on, or deleted from, its device.",
		example: "opencube admin --admin-token T esim mark --access-code P000270 --state installed 89445099000000000001",
		run:     (*adminCLI).esimMark},
	{name: "esim code", synopsis: "[--access-code C] EMAIL   (sandbox mode only)",
		help:    "Prints the e-mail verification code last sent to EMAIL by the eSIM QR Mall (of enterprise C, else any).",
		example: "opencube admin --admin-token T esim code ann@example.com",
		run:     (*adminCLI).esimCode},
	// SIM moves and order corrections (admin_sim.go).
	{name: "sim activate", synopsis: "ICCID", help: "Activates a SIM in inventory or suspended.",
		example: "opencube admin --admin-token T sim activate 89852022018041800192", run: (*adminCLI).simActivate},
	{name: "sim suspend", synopsis: "ICCID", help: "Suspends an active SIM: RADIUS authorization rejects it until it is activated again.",
		example: "opencube admin --admin-token T sim suspend 89852022018041800192", run: (*adminCLI).simSuspend},
	{name: "sim terminate", synopsis: "ICCID", help: "Retires a SIM for good.",
		example: "opencube admin --admin-token T sim terminate 89852022018041800201", run: (*adminCLI).simTerminate},
	{name: "sim imsi", synopsis: "ICCID IMSI   (an OTA SIM with an order in use; event 1012)",
		help:    "Gives an OTA SIM whose order is in use a new IMSI: the SIM and the order take it, and the order's webhook event 1012 carries it.",
		example: "opencube admin --admin-token T sim imsi 89852022018041800300 454009999999999",
		run:     (*adminCLI).simIMSI},
	{name: "order reduce", synopsis: "ORDER_ID PERIODS   (renewals first; event 1010)",
		help:    "Takes periods off an order, renewals first, keeping at least one; a started order's expiry moves earlier.",
		example: "opencube admin --admin-token T order reduce ORDER_14279787781881856 1",
		run:     (*adminCLI).orderReduce},
	// Webhooks, deliveries, usage alerts and the sandbox clock (admin_notify.go).
	{name: "webhook set", synopsis: "--access-code C --url URL [--events 1000,1005,flow_alert]   (prints a new endpoint's secret, once)",
		help:    "Sets an enterprise's webhook endpoint and the event types it gets (all by default).",
		example: "opencube admin --admin-token T webhook set --access-code P000270 --url https://example.com/hook",
		run:     (*adminCLI).webhookSet},
	{name: "webhook show", synopsis: "C", help: "Shows an enterprise's webhook endpoint and whether it is failing.",
		example: "opencube admin --admin-token T webhook show P000270", run: (*adminCLI).webhookShow},
	{name: "webhook rotate", synopsis: "--access-code C [--grace 24h]   (prints the new secret, once)",
		help:    "Gives the endpoint a new secret; the old one signs too for the grace period.",
		example: "opencube admin --admin-token T webhook rotate --access-code P000270 --grace 24h",
		run:     (*adminCLI).webhookRotate},
	{name: "deliveries list", synopsis: "--access-code C [--state pending|delivered|failed] [--event E] [--since T] [--until T] [--limit N]",
		help:    "Lists webhook deliveries, newest first (T: RFC 3339, such as 2024-01-31T00:00:00+08:00).",
		example: "opencube admin --admin-token T deliveries list --access-code P000270 --state failed",
		run:     (*adminCLI).deliveriesList},
	{name: "deliveries redeliver", synopsis: "ID", help: "Sends one delivery again.",
		example: "opencube admin --admin-token T deliveries redeliver \"$(opencube admin --admin-token T --get 0.id deliveries list --access-code P000270 --limit 1)\"",
		run:     (*adminCLI).deliveriesRedeliver},
	{name: "deliveries redeliver-since", synopsis: "--access-code C --since T [--until T]   (T: RFC 3339)",
		help:    "Sends again every event of the enterprise since a time (and before --until, default now).",
		example: "opencube admin --admin-token T deliveries redeliver-since --access-code P000270 --since 2024-01-31T00:00:00+08:00",
		run:     (*adminCLI).deliveriesRedeliverSince},
	{name: "alerts set", synopsis: "--access-code C [--percents 80,100] [--days 3]",
		help:    "Sets the usage alerts (flow_alert events): percents of an order's volume, and days before its expiry.",
		example: "opencube admin --admin-token T alerts set --access-code P000270 --percents 80,100 --days 3",
		run:     (*adminCLI).alertsSet},
	{name: "alerts show", synopsis: "C", help: "Shows an enterprise's usage alert settings.",
		example: "opencube admin --admin-token T alerts show P000270", run: (*adminCLI).alertsShow},
	{name: "clock show", synopsis: "(sandbox mode only: the server's time and how far it runs ahead)",
		example: "opencube admin --admin-token T clock show", run: (*adminCLI).clockShow},
	{name: "clock advance", synopsis: "SECONDS|DURATION   (sandbox mode only: 86400, 48h)",
		help:    "Moves the sandbox clock forward, running everything due in between (expiries, alerts) each at its time.",
		example: "opencube admin --admin-token T clock advance 48h", run: (*adminCLI).clockAdvance},
	// SMS (admin_sms.go).
	{name: "sms mo", synopsis: "[--binary] ICCID TEXT   (TEXT is hex with --binary)",
		help:    "Injects a mobile-originated message from a SIM, as the sandbox device (event sms_mo).",
		example: "opencube admin --admin-token T sms mo 89852022018041800192 hello", run: (*adminCLI).smsMO},
	{name: "sms sandbox", synopsis: "[--down] [--fail-deliveries]   (the sandbox device's failure modes; none: it works)",
		help:    "Makes the sandbox SMS device fail, or work again when run without flags.",
		example: "opencube admin --admin-token T sms sandbox --down", run: (*adminCLI).smsSandbox},
	// Users, their API tokens, and the audit trail (admin_user.go).
	{name: "user create", synopsis: "--username U --role operator|support|enterprise [--enterprise C] [--password-stdin] [--db PATH|URL]",
		help: "Creates a user and prints its first API token, once. With --db it writes to the database directly,\n" +
			"without a server: how the first operator is made. The password signs in to the console.",
		example: "echo 'correct horse battery' | opencube admin --admin-token T user create --username alice --role operator --password-stdin",
		run:     (*adminCLI).userCreate},
	{name: "user list", synopsis: "[--enterprise C] [--limit N] [--cursor C]", help: "Lists users, username order.",
		example: "opencube admin --admin-token T user list", run: (*adminCLI).userList},
	{name: "user show", synopsis: "USERNAME", help: "Shows a user and its API tokens (never their secrets): when made, last used, revoked.",
		example: "opencube admin --admin-token T user show admin", run: (*adminCLI).userShow},
	{name: "user token", synopsis: "[--name N] USERNAME | --revoke ID USERNAME",
		help:    "Makes another API token for a user and prints it, once; with --revoke, revokes one.",
		example: "opencube admin --admin-token T user token --name ci admin", run: (*adminCLI).userToken},
	{name: "user disable", synopsis: "USERNAME", help: "Disables a user: its tokens and console sign-in stop working.",
		example: "opencube admin --admin-token T user disable p000270", run: (*adminCLI).userDisable},
	{name: "user enable", synopsis: "USERNAME", help: "Enables a disabled user.",
		example: "opencube admin --admin-token T user enable p000270", run: (*adminCLI).userEnable},
	{name: "user password", synopsis: "--password-stdin USERNAME", help: "Sets a user's console password.",
		example: "echo 'another good password' | opencube admin --admin-token T user password --password-stdin p000270",
		run:     (*adminCLI).userPassword},
	{name: "audit list", synopsis: "[--actor U] [--object sim:ICCID|sim] [--enterprise C] [--since T] [--limit N] [--cursor C]",
		help:    "Lists the audit trail, newest first: who changed what, when, with which request.",
		example: "opencube admin --admin-token T audit list --actor bootstrap", run: (*adminCLI).auditList},
}
