// Package forwarded owns what a request says about its client when it
// comes through a reverse proxy the server trusts: the client's address
// (X-Forwarded-For) and whether the client used HTTPS (X-Forwarded-Proto).
// Those headers are honoured only from the proxies' addresses (Proxies);
// from anyone else they are ignored, so that no client can choose the
// address its limits are counted by.
package forwarded
