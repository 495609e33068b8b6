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
package admin
