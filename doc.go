// Package opencube holds the domain vocabulary of opencube, an open-source IoT
// connectivity management platform: enterprises, SIMs, data plans, orders and
// the events their changes cause, their validation and life-cycle rules, the
// one error type, and the service and store interfaces. It imports only the
// standard library and holds no business process: the services that apply
// the rules over a store live in package service; the README's Layout table
// names the adapters (stores, protocols, gateways) and what each owns.
package opencube
