package cubev4

// Routes is the route table of Cube v4: every endpoint, in one place, in
// match order (a literal segment is listed before a {value} segment that
// would take it). Paths are below Prefix. Handlers are methods of Server.
var Routes = []Route{
	// SIMs (cube-v4-api.md §2.1).
	{Method: "GET", Path: "/sims", Summary: "List the enterprise's SIMs, ICCID order, optionally of one status (10, 23, 30, 40, 50); with imei, the SIM last seen in that device (CB-01-0002 when none); with sn, CB-01-0003 (no serial numbers are known)",
		Query: []Param{{Name: "status", Integer: true, About: "10 pre-active, 23 active, 30 paused, 40 expired, 50 terminated"},
			{Name: "imei", About: "15 digits: the SIM whose latest data session with this device is the latest"},
			{Name: "sn", About: "a device serial number: none is known (CB-01-0003)"},
			{Name: "page_no", Integer: true, About: "1 and up (1)"}, {Name: "page_size", Integer: true, About: "1-100 (10)"}},
		Answer: []SIMItem{}, List: true, handle: (*Server).listSIMs},
	{Method: "GET", Path: "/sims/async_result/{request_id}", Summary: "The result of an asynchronous operation: status 0 processing, 1 success, 2 failed (with its error)", Answer: AsyncResult{}, handle: (*Server).asyncResult},
	{Method: "GET", Path: "/sims/{sim_id}", Summary: "A SIM: status, profile, latest session, contract and bundles in use", Answer: SIMDetail{}, handle: (*Server).findSIM},
	{Method: "PATCH", Path: "/sims/{sim_id}", Summary: "Set a SIM's tags, notes or device name (any of them; each given replaces the SIM's)",
		Request: PatchSIMRequest{}, Answer: SIMLabels{}, handle: (*Server).patchSIM},
	{Method: "GET", Path: "/sims/{sim_id}/status", Summary: "A SIM's status, and whether an operation on it is pending", Answer: SIMStatus{}, handle: (*Server).simStatus},
	{Method: "GET", Path: "/sims/{sim_id}/remaining_data", Summary: "The volume of the bundle in use: limit, used and left (bytes)", Answer: RemainingData{}, handle: (*Server).remainingData},
	// Asynchronous operations (§1.13): each answers a request_id at once
	// and locks the SIM until a job has done it.
	{Method: "POST", Path: "/sims/{sim_id}/activate", Summary: "Activate a pre-active SIM: start its oldest bundle not started (async); 1.0 answers data null, 2.0 the request_id",
		V1Null: true, Answer: RequestAnswer{}, handle: (*Server).activate},
	{Method: "PUT", Path: "/sims/{sim_id}/suspend", Summary: "Suspend an active SIM: its bundle in use is paused (async)", Answer: RequestAnswer{}, handle: (*Server).suspend},
	{Method: "PUT", Path: "/sims/{sim_id}/resume", Summary: "Resume a paused SIM (async)", Answer: RequestAnswer{}, handle: (*Server).resume},
	{Method: "PUT", Path: "/sims/{sim_id}/cancel", Summary: "End a SIM's bundles early: all, or order_id (with keep_alive, the next one starts) (async)",
		Request: CancelRequest{}, BodyOptional: true, Answer: RequestAnswer{}, handle: (*Server).cancel},
	{Method: "PUT", Path: "/sims/{sim_id}/reset", Summary: "Reset a SIM's network attachment: its data sessions are ended at their NAS and the subscriber register provisions it again; its bundles are kept (async)",
		Answer: RequestAnswer{}, handle: (*Server).reset},
	{Method: "PUT", Path: "/sims/{sim_id}/network_lock", Summary: "Lock a SIM to one device (imei), one network (mcc, mnc), or both; {} unlocks. RADIUS authorization refuses it elsewhere; its sessions are ended so that it attaches again (async)",
		Request: NetworkLockRequest{}, Answer: RequestAnswer{}, handle: (*Server).netLock},
	// Usage (§2.2).
	{Method: "GET", Path: "/sims/{sim_id}/usage", Summary: "Data usage per UTC+8 day (period_type 1, YYYY-MM-DD) or month (2, YYYY-MM), bytes",
		Query: []Param{{Name: "category", Required: true, About: "data"}, {Name: "period_type", Integer: true, Required: true, About: "1 daily, 2 monthly"},
			{Name: "begin_from", Required: true, About: "YYYY-MM-DD or YYYY-MM"}, {Name: "end_by", Required: true, About: "YYYY-MM-DD or YYYY-MM"}},
		Answer: Usage{}, handle: (*Server).usage},
	{Method: "GET", Path: "/usage/statistics/{sim_id}/accu_usage", Summary: "Usage of the bundle in use since it started (deprecated by Linksfield)", Answer: []AccuUsage{}, handle: (*Server).accuUsage},
	// Bundles (§2.3).
	{Method: "GET", Path: "/sims/{sim_id}/bundles", Summary: "A SIM's bundles, newest first, optionally of some states (status=0,1,2)",
		Query: []Param{{Name: "status", About: "comma list: 0 not started, 1 in use, 2 paused, 3 ended"},
			{Name: "page_no", Integer: true, About: "1 and up (1)"}, {Name: "page_size", Integer: true, About: "1-100 (10)"}},
		Answer: []Bundle{}, List: true, handle: (*Server).listBundles},
	{Method: "POST", Path: "/sims/{sim_id}/bundle", Summary: "Add a basic bundle (bundle_type 10, an opencube plan) to a SIM, with activate started asynchronously; or an add-on (11) to its bundle in use, started at once until that bundle's cycle ends; 1.0 answers data null, 2.0 the order_id and request_id",
		Request: AddBundleRequest{}, V1Null: true, Answer: AddBundleAnswer{}, handle: (*Server).addBundle},
	{Method: "GET", Path: "/bundles", Summary: "The bundle catalogue: the plans granted to the enterprise, which add bundle and renewal orders name",
		Query:  []Param{{Name: "page_no", Integer: true, About: "1 and up (1)"}, {Name: "page_size", Integer: true, About: "1-100 (10)"}},
		Answer: []CatalogueBundle{}, List: true, handle: (*Server).listCatalogue},
	// Renewal orders (§2.3).
	{Method: "POST", Path: "/orders/service", Summary: "Renew bundles: each item's plan gets quantity periods on each SIM (or is ordered); identical orders within 10 s are one",
		Request: RenewalRequest{}, Answer: RenewalAnswer{}, handle: (*Server).createRenewal},
	{Method: "GET", Path: "/orders/{order_id}/service", Summary: "A renewal order: its items, what they cost, the SIMs that failed", Answer: ServiceOrder{}, handle: (*Server).findRenewal},
	// SMS (§2.4).
	{Method: "POST", Path: "/sms", Summary: "Send one message to up to 100 SIMs (async): answers a job_id; the same nonce, SIMs and message within 10 s are one send",
		Request: SendSMSRequest{}, Answer: SendSMSAnswer{}, handle: (*Server).sendSMS},
	{Method: "GET", Path: "/sms/mt", Summary: "The messages of one send (the job_id of POST /sms), newest first",
		Query: []Param{{Name: "job_id", Required: true, About: "the job_id of POST /sms"},
			{Name: "page_no", Integer: true, About: "1 and up (1)"}, {Name: "page_size", Integer: true, About: "1-100 (100)"}},
		Answer: []MTRecord{}, List: true, handle: (*Server).jobMessages},
	{Method: "GET", Path: "/sms/mt/{sim_id}", Summary: "A SIM's MT messages, newest first (status 1 success, 2 failed, 3 processing, 4 all)",
		Query: []Param{{Name: "status", Integer: true, About: "1-4 (4)"}, {Name: "begin_from", About: "epoch ms (7 days ago)"}, {Name: "end_by", About: "epoch ms (now)"},
			{Name: "page_no", Integer: true, About: "1 and up (1)"}, {Name: "page_size", Integer: true, About: "1-100 (100)"}},
		Answer: []MTRecord{}, List: true, handle: (*Server).mtHistory},
	{Method: "GET", Path: "/sms/mo/{sim_id}", Summary: "A SIM's MO messages, newest first",
		Query: []Param{{Name: "begin_from", About: "epoch ms (7 days ago)"}, {Name: "end_by", About: "epoch ms (now)"},
			{Name: "page_no", Integer: true, About: "1 and up (1)"}, {Name: "page_size", Integer: true, About: "1-100 (100)"}},
		Answer: []MORecord{}, List: true, handle: (*Server).moHistory},
}
