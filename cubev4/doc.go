// Package cubev4 is the front door of Linksfield's Cube v4 REST API, served
// under /cube/v4 beside the CSSS routes (D1): RSA-signed requests
// (Authorization: LF {keyId}/{sign}, Signature v2, SHA1withRSA), the
// {data, status} envelope with CB-xx-xxxx codes and real HTTP statuses,
// asynchronous SIM operations and per-source limits. It owns the canonical
// string to sign, the route table, the code table and the wire shapes; the
// rules are the services'. docs/cubev4-notes.md states its protocol decisions.
package cubev4
