// Package shopwire is the part of the wire format that the two consumer
// shops share: the Mall (package mall, docs/mall.md) and the eSIM QR
// Mall (package esim, the FMS API, §4.4). Both read a request's fields
// from one flat JSON object whose scalars are kept as text (Params,
// Decode, QueryParams), both write their JSON envelope the same way
// (WriteJSON), and both list their endpoints in one route table that
// becomes a ServeMux (NewMux).
//
// What differs between the two protocols stays in their packages, said
// there and not behind options here: the envelope's fields (the Mall's
// string code and success flag, FMS's integer code), the codes and what
// they mean, who signs what (every Mall request carries an HMAC-MD5 sign;
// an FMS consumer sends an x-access-token and only the payment webhooks
// are signed, by their provider), what a missing body means (an empty
// FMS request, an invalid Mall one), how a body is read and bounded, and
// the answer to a path with no route.
//
// Why a package of its own rather than esim importing mall: the eSIM QR
// Mall shares the Mall's family name, not its protocol. Its envelope,
// codes and authentication are its own, so importing mall would tie the
// eSIM shop to the Mall's server, signs and service for the few pieces
// they really have in common, and every change to the Mall would reach
// it. This package knows neither shop's codes nor any service: it needs
// only the standard library and opencube's error kinds.
package shopwire
