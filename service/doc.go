// Package service holds opencube's business rules: the services that every
// front door (CSSS, the Mall, the eSIM QR Mall, the admin API, RADIUS, the
// SMS gateways' callbacks) calls, over the store interfaces of the root
// package, so that no two front doors can disagree about a rule.
//
// One service a section, each with only the store methods it needs:
//
//   - Orders (orders.go, expiry.go, alerts.go): the order book, the Plan
//     section of CSSS; order expiry and expiry alerts.
//   - SIMs (sim.go, rating.go): the SIM and Usage sections, the operator's
//     SIM states, and the rating of the packet core's accounting records.
//   - SMS (sms.go, sms_send.go): sending and querying messages, delivery
//     reports and MO messages, the exactly-once hand-over to a gateway.
//   - Notify (notify.go, retention.go): webhook endpoints, deliveries, alert
//     settings, and the purge of finished deliveries.
//   - Mall (mall.go): the consumer Mall, whose paid purchases become orders
//     through Orders in the purchase's own transaction.
//   - ESIM (esim.go): the eSIM QR Mall's accounts, catalog, pre-orders and
//     payments, and the operator's profile inventory.
//   - Corrections (corrections.go): operator corrections of orders (events
//     1010 and 1012).
//   - Admin (admin.go): enterprises, the SIM inventory and the plan catalog.
//
// Beside them is the machinery they run on: the Worker that runs background
// jobs claimed from the store (worker.go, job.go), the order number
// generator (id.go), the sandbox clock (clock.go), and the demo data sets
// (demo.go, demo_shop.go). Set wires every service over one store.
//
// Why one package and not one a service: the services share the small
// helpers that keep an order's state, its events and its jobs together in
// one transaction (saveMove, scheduleExpiry, raiseVolumeAlerts), and the
// Mall places orders through Orders; split apart, those helpers would have
// to be exported from the root, which holds vocabulary only. Each service is
// still its own type with its own store interface, and each front door
// takes service interfaces, not these types: the root's where several front
// doors share them, its own where it alone calls them (mall.Service,
// esim.Service, admin.ESIMService).
package service
