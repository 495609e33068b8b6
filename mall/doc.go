// Package mall serves Linksfield's Mall API (the consumer top-up shop,
// "Vshop"; docs/mall.md) under /vshop, /payment and /topup (D21).
//
// A request carries the globals partnerCode (the enterprise's access code),
// tradeType (the operation), tradeTime (epoch milliseconds, within the
// timestamp window of D4), version and sign. The sign is D22's: the D3
// canonical form of every non-empty parameter but sign (csss.Canonical),
// then HMAC-MD5 with one of the enterprise's secrets in lowercase hex;
// MD5(canonical + secret) is accepted too, as are D3's two fallback forms.
// Globals are checked in D23's order, and answers use the CSSS envelope
// and codes (D6): 1001 invalid (also a payAmount that is not the plan's
// price times orderPeriod), 1002 sign, 1003 tradeTime, 1004 partnerCode,
// 1005 version, 1006 over a rate limit (with Retry-After; the budget of
// an enterprise is shared with CSSS, throttle.Guard), 2001 device, 2002
// plan, 2003 order.
//
// A paid Mall order (singleOrder, or synPartner/SynOrderInfo with payRst
// SUCCESS) becomes an order on the SIM in the same transaction, through the
// same order book as CSSS orderPackage (service.Mall.Order): it is
// enabled at once when the SIM has no in-use order and waits, not enabled,
// otherwise; it emits the order events, and the recharge-success push
// (opencube.EventMallRecharge) goes through the outbox to the enterprise's
// notification endpoint. The same orderNo again answers the first outcome.
//
// The route table (Routes) lists every endpoint; paths the Mall's
// documentation does not show are opencube's names.
package mall
