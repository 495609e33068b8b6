// Package radius adapts opencube to the packet core over RADIUS
// (layeh.com/radius): an accounting server (RFC 2866 with the 3GPP TS 29.061
// attributes) that books usage, an authorization server (RFC 2865) that
// admits a SIM only while its plan allows, and a Disconnect-Request sender
// (RFC 5176) that ends a session whose order ran out of quota.
//
// The accounting server batches the records it receives within a few
// milliseconds into one call of opencube.UsageService.BookUsage (one store
// transaction) and answers each Accounting-Request only after that
// transaction committed, so every acknowledged record is durable and a
// record that was not acknowledged is retransmitted by the NAS, which the
// cumulative session totals make harmless.
//
// A SIM is identified by the 3GPP-IMSI vendor attribute (vendor 10415,
// type 1), else by User-Name. A session is named by its NAS (NAS-IP-Address,
// else NAS-Identifier, else the packet's source address) and
// Acct-Session-Id. Octet counts combine Acct-{Input,Output}-Octets with
// their Gigawords (below 2^24). The record's time is Event-Timestamp, else
// the arrival time less Acct-Delay-Time; a record whose time, or whose
// session's start (its time less Acct-Session-Time), falls outside years
// 2000-9999 is dropped with a warning and not acknowledged, as one with
// Gigawords of 2^24 or more (D26).
//
// Authorization answers Access-Accept for an active SIM whose in-use order
// has volume left; a throttled unlimited daily plan is accepted with
// Filter-Id "throttle=<kbps>kbps" and a Reply-Message saying so. Anything
// else gets Access-Reject with a Reply-Message giving the reason, as does
// a SIM locked to another device (3GPP-IMEISV) or network
// (3GPP-SGSN-MCC-MNC) when Server.Locks is set. The
// password is not checked: the packet core authenticates the SIM.
package radius
