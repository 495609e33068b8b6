package main

// adminCommand is one `opencube admin GROUP VERB` command.
type adminCommand struct {
	name     string // "GROUP VERB"
	synopsis string // its arguments
	run      func(c *adminCLI, args []string) error
}

// adminCommands is the table of admin commands, in usage order: every
// `opencube admin` command, in one place.
var adminCommands = []adminCommand{
	// Enterprises, SIM imports and plans (admin.go).
	{name: "enterprise create", synopsis: "--access-code C --secret S [--name N]", run: (*adminCLI).enterpriseCreate},
	{name: "enterprise show", synopsis: "C", run: (*adminCLI).enterpriseShow},
	{name: "enterprise rotate-secret", synopsis: "--access-code C --secret S", run: (*adminCLI).enterpriseRotate},
	{name: "enterprise rate-limit", synopsis: "--access-code C --rate R --burst B | --access-code C --clear   (requests a second; --clear: the server's)", run: (*adminCLI).enterpriseRateLimit},
	{name: "sims import", synopsis: "[--file F]   (CSV: iccid,imsi,msisdn,ota,enterprise; stdin when no file or -)", run: (*adminCLI).simsImport},
	{name: "plan create", synopsis: "--code C --name N --type T --volume 20MB|1GB|512KB|BYTES --price 10.00\n" +
		"                              [--currency CNY] [--ota] [--throttle-kbps K] [--countries CN,HK]", run: (*adminCLI).planCreate},
	{name: "plan grant", synopsis: "--access-code C --plan P", run: (*adminCLI).planGrant},
	// eSIM profiles (esim_cli.go).
	{name: "esim import", synopsis: "--access-code C [--file F]   (CSV: iccid,smdp_address,matching_id[,confirmation_code])", run: (*adminCLI).esimImport},
	{name: "esim mark", synopsis: "--access-code C --state installed|deleted ICCID", run: (*adminCLI).esimMark},
	// SIM moves and order corrections (admin_sim.go).
	{name: "sim activate", synopsis: "ICCID", run: (*adminCLI).simActivate},
	{name: "sim suspend", synopsis: "ICCID", run: (*adminCLI).simSuspend},
	{name: "sim terminate", synopsis: "ICCID", run: (*adminCLI).simTerminate},
	{name: "sim imsi", synopsis: "ICCID IMSI   (an OTA SIM with an order in use; event 1012)", run: (*adminCLI).simIMSI},
	{name: "order reduce", synopsis: "ORDER_ID PERIODS   (renewals first; event 1010)", run: (*adminCLI).orderReduce},
	// Webhooks, deliveries, usage alerts and the sandbox clock (admin_notify.go).
	{name: "webhook set", synopsis: "--access-code C --url URL [--events 1000,1005,flow_alert]   (prints a new endpoint's secret, once)", run: (*adminCLI).webhookSet},
	{name: "webhook show", synopsis: "C", run: (*adminCLI).webhookShow},
	{name: "webhook rotate", synopsis: "--access-code C [--grace 24h]   (prints the new secret, once)", run: (*adminCLI).webhookRotate},
	{name: "deliveries list", synopsis: "--access-code C [--state pending|delivered|failed] [--event E] [--since T] [--until T] [--limit N]", run: (*adminCLI).deliveriesList},
	{name: "deliveries redeliver", synopsis: "ID", run: (*adminCLI).deliveriesRedeliver},
	{name: "deliveries redeliver-since", synopsis: "--access-code C --since T [--until T]   (T: RFC 3339)", run: (*adminCLI).deliveriesRedeliverSince},
	{name: "alerts set", synopsis: "--access-code C [--percents 80,100] [--days 3]", run: (*adminCLI).alertsSet},
	{name: "alerts show", synopsis: "C", run: (*adminCLI).alertsShow},
	{name: "clock show", synopsis: "(sandbox mode only: the server's time and how far it runs ahead)", run: (*adminCLI).clockShow},
	{name: "clock advance", synopsis: "SECONDS|DURATION   (sandbox mode only: 86400, 48h)", run: (*adminCLI).clockAdvance},
	// SMS (admin_sms.go).
	{name: "sms mo", synopsis: "[--binary] ICCID TEXT   (TEXT is hex with --binary)", run: (*adminCLI).smsMO},
	{name: "sms sandbox", synopsis: "[--down] [--fail-deliveries]   (the sandbox device's failure modes; none: it works)", run: (*adminCLI).smsSandbox},
}
