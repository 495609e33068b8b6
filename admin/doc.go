// Package admin implements opencube's operator API, served under /admin/v1/:
// enterprises and their secrets, the SIM inventory (CSV or JSON imports) and
// the plan catalog with its grants to enterprises.
//
// It owns the admin wire format: the route table (Routes), the bearer-token
// check, the request and response types the Go client (package client)
// reuses, the conversions at the edge from decimal prices and volumes to
// integer minor units and bytes (ParsePrice, ParseVolume), the CSV reader of
// SIM imports, and the one mapping of error kinds to HTTP statuses
// (HTTPStatus). Business rules stay in opencube.AdminService.
//
// Every request needs "Authorization: Bearer <token>". A server built with
// an empty token answers every request with 403: the admin API is off until
// the operator starts opencube with --admin-token.
//
// Files, by what each owns:
//
//	routes.go      the route table (Routes): every endpoint, its body type and limit, its handler
//	server.go      Server, the bearer-token check, and serving a route (body limit, JSON answer)
//	errors.go      the admin error kinds, HTTPStatus, and the error answer
//	decode.go      the JSON request decoder and its field-naming errors
//	enterprise.go  enterprises, their secrets and plan grants
//	plan.go        the plan catalog: PlanRequest and its conversion to a domain plan
//	money.go       decimals at the edge: Decimal, ParsePrice, ParseVolume
//	import.go      SIM imports from CSV or JSON, and Flag
//	sim.go         SIM moves (activate, suspend, terminate)
//	order.go       order corrections: reduce (1010) and IMSI download (1012)
//	esim.go        eSIM QR Mall profiles and plans, and sandbox verification codes
//	notify.go      webhooks, deliveries, usage alerts, and the sandbox clock
//	sms.go         MO injection and the sandbox SMS device
package admin
